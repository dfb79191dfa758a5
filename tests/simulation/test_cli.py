"""`tandem simulate`: errors a user can act on (Chinese first), a report they can open."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tandem.cli import app

BANK = Path(__file__).parent / "data" / "messages.jsonl"
runner = CliRunner()


def test_a_bad_traffic_file_is_explained(tmp_path: Path) -> None:
    bad = tmp_path / "peak.csv"
    bad.write_text("start,rate_per_hour\n00:00,lots\n", encoding="utf-8")
    r = runner.invoke(app, ["simulate", "compare", "--traffic", str(bad)])
    assert r.exit_code == 2
    out = " ".join(r.output.split())
    assert "流量文件" in out and "不是数字" in out and "not a number" in out
    assert out.index("不是数字") < out.index("not a number")


def test_an_unknown_policy_lists_the_known_ones() -> None:
    r = runner.invoke(app, ["simulate", "compare", "--policies", "tandem,robot"])
    assert r.exit_code == 2
    out = " ".join(r.output.split())
    assert "未知的策略" in out and "robot" in out and "naive-bot" in out


def test_compare_writes_a_self_contained_report(tmp_path: Path) -> None:
    out = tmp_path / "report"
    r = runner.invoke(
        app,
        [
            "simulate",
            "compare",
            "--traffic",
            "normal_day",
            "--scale",
            "0.2",
            "--hours",
            "4",
            "--agents",
            "2",
            "--messages",
            str(BANK),
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 4 and "<script" not in html and "http" not in html.split("<svg")[0]
    for name in ("outcomes", "waits", "hourly", "exposure"):
        assert (out / f"{name}.svg").read_text(encoding="utf-8").startswith("<svg")
    assert "tandem" in r.output and "AI 解决率" in r.output


def test_staff_writes_a_roster_compare_can_read(tmp_path: Path) -> None:
    roster = tmp_path / "roster.json"
    r = runner.invoke(
        app,
        [
            "simulate",
            "staff",
            "--traffic",
            "normal_day",
            "--patience",
            "180",
            "--roster-out",
            str(roster),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "Erlang A" in " ".join(r.output.split())
    r = runner.invoke(
        app,
        [
            "simulate",
            "compare",
            "--traffic",
            "normal_day",
            "--scale",
            "0.1",
            "--hours",
            "3",
            "--roster",
            str(roster),
            "--policies",
            "human-only",
            "--messages",
            str(BANK),
        ],
    )
    assert r.exit_code == 0, r.output


def test_replay_reads_the_configured_database_and_refuses_a_bad_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path))
    r = runner.invoke(app, ["simulate", "replay", "--since", "2026-11-11", "--until", "2026-11-12"])
    assert r.exit_code == 0, r.output
    assert "conversations: 0" in r.output
    r = runner.invoke(app, ["simulate", "replay", "--since", "昨天", "--until", "2026-11-12"])
    assert r.exit_code == 2
    assert "ISO" in r.output and r.output.index("应为") < r.output.index("should be")
