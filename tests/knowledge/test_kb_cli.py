"""`tandem kb import/export/eval` on a real SQLite database in a temporary directory."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tandem.config import Settings
from tandem.db.migrate import upgrade
from tandem.db.session import build_engine, build_sessionmaker, transaction
from tandem.knowledge import service
from tandem.knowledge.cli import app
from tandem.knowledge.formats import EntryDraft

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TANDEM_DATABASE_URL", raising=False)
    return tmp_path


def test_import_lists_bad_rows_and_export_writes_the_good_ones(data_dir: Path) -> None:
    src = data_dir / "faq.csv"
    src.write_text(
        "问题,相似问法,答案,意图\n包邮吗,运费多少,满 99 元包邮,shipping_info\n,,缺问题,\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(src)])
    assert result.exit_code == 1, result.output  # a row failed: a script must notice
    assert "row 3 (error): the question is empty" in result.output
    assert "1 added" in result.output and "1 failed" in result.output

    result = runner.invoke(app, ["import", "--preview", "--lang", "zh", str(src)])
    assert "row 2 (skipped)" not in result.output
    assert "row 3 (error): 问题为空" in result.output
    assert "nothing written: 0 added, 0 updated, 1 unchanged" in result.output

    out = data_dir / "out.jsonl"
    result = runner.invoke(app, ["export", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [(r["question"], r["alternatives"], r["intent"]) for r in rows] == [
        ("包邮吗", ["运费多少"], "shipping_info")
    ]


def test_import_of_an_unknown_format_says_what_to_use(data_dir: Path) -> None:
    src = data_dir / "faq.docx"
    src.write_bytes(b"x")
    result = runner.invoke(app, ["import", str(src)])
    assert result.exit_code == 1
    assert ".csv, .xlsx, .jsonl or .md" in result.output


def test_eval_prints_the_documented_metrics(tmp_path: Path) -> None:
    kb = tmp_path / "kb.jsonl"
    queries = tmp_path / "q.jsonl"
    kb.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {
                    "id": "1",
                    "question": "怎么开发票",
                    "answer": "订单页申请",
                    "alternatives": ["能开发票吗"],
                },
                {"id": "2", "question": "支持七天无理由退货吗", "answer": "支持"},
            ]
        ),
        encoding="utf-8",
    )
    queries.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"text": "怎么开发票？", "expected_id": "1"},
                {"text": "今天天气好吗", "expected_id": None},
            ]
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["eval", "--kb", str(kb), "--queries", str(queries), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert set(metrics) == {
        "n",
        "answered_precision",
        "hit_at_1",
        "hit_at_3",
        "abstain_recall",
        "coverage",
        "latency_ms_p50",
        "latency_ms_p99",
        "index_build_seconds",
    }
    assert metrics["n"] == 2 and metrics["hit_at_1"] == 1.0 and metrics["abstain_recall"] == 1.0

    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        json.dumps(
            {"text_a": "怎么开发票", "text_b": "怎么开发票？", "label": 1}, ensure_ascii=False
        )
        + "\n"
        + json.dumps(
            {"text_a": "怎么开发票", "text_b": "今天天气好吗", "label": 0}, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["eval", "--pairs", str(pairs), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["accuracy"] == 1.0


async def _create_twice(question: str, answers: list[str]) -> None:
    # What imports did before they matched questions: the same question as two entries.
    settings = Settings()
    engine = build_engine(settings)
    try:
        await upgrade(settings, engine)
        for answer in answers:
            async with transaction(build_sessionmaker(engine)) as session:
                await service.create_entry(
                    session, None, EntryDraft(question=question, answer=answer), actor="wave1"
                )
    finally:
        await engine.dispose()


def test_dedupe_retires_what_earlier_imports_duplicated(data_dir: Path) -> None:
    asyncio.run(_create_twice("包邮吗", ["满 99 元包邮", "满 99 元包邮（新疆西藏除外）"]))
    result = runner.invoke(app, ["dedupe"])
    assert result.exit_code == 0, result.output
    assert "1 duplicate entries; run with --apply" in result.output
    result = runner.invoke(app, ["dedupe", "--apply"])
    assert "retired 1 duplicate entries" in result.output
    out = data_dir / "live.jsonl"
    assert runner.invoke(app, ["export", str(out)]).exit_code == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["question"] for r in rows] == ["包邮吗"]
    assert runner.invoke(app, ["dedupe"]).output.strip() == "no duplicate entries"
