"""A comparison as people read it: a rich table, SVG charts and one self-contained HTML file
(Chinese by default, English on request)."""

from __future__ import annotations

from dataclasses import asdict
from html import escape
from pathlib import Path
from typing import Any

from rich.table import Table

from tandem.simulation import charts
from tandem.simulation.metrics import PolicyFigures
from tandem.simulation.run import Comparison

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "policy": "策略",
        "conversations": "会话数",
        "ai_resolution": "AI 解决率",
        "human_resolved": "人工解决",
        "abandonment": "排队放弃率",
        "dead_ends": "死胡同",
        "refused_person": "要人工被拒",
        "wait_p50": "等待 p50 (秒)",
        "wait_p90": "等待 p90 (秒)",
        "within_60s": "60 秒内接入",
        "occupancy": "客服占用率",
        "hostile": "最多承受敌意 (次)",
        "cost": "每次咨询成本 (元)",
        "title": "策略对比",
        "outcomes": "结果占比",
        "waits": "人工排队等待（秒）",
        "hourly": "各时段平均等待（秒）",
        "arrivals": "灰色：到达量",
        "exposure": "每位客服承受的敌意会话",
        "hour": "时",
        "seconds": "秒",
        "fallback": "注意：评测集 shopper_dev.jsonl 未安装，顾客消息来自内置的 100 条示例消息库。",
        "messages": "消息来源",
        "seed": "随机种子",
        "curve": "流量曲线",
        "agents": "客服人数",
    },
    "en": {
        "policy": "policy",
        "conversations": "conversations",
        "ai_resolution": "AI resolution",
        "human_resolved": "solved by a person",
        "abandonment": "abandonment",
        "dead_ends": "dead ends",
        "refused_person": "refused a person",
        "wait_p50": "wait p50 (s)",
        "wait_p90": "wait p90 (s)",
        "within_60s": "answered ≤60 s",
        "occupancy": "occupancy",
        "hostile": "max hostile per agent",
        "cost": "cost per contact (¥)",
        "title": "Policy comparison",
        "outcomes": "Outcomes",
        "waits": "Waits for a person (s)",
        "hourly": "Mean wait by hour (s)",
        "arrivals": "grey: arrivals",
        "exposure": "Hostile conversations per agent",
        "hour": "h",
        "seconds": "s",
        "fallback": "Note: the evaluation set shopper_dev.jsonl is not installed; customer messages "
        "come from the shipped bank of 100 example messages.",
        "messages": "messages",
        "seed": "seed",
        "curve": "traffic curve",
        "agents": "agents",
    },
}


# The comparison table's columns, in order (the labels above; `row` gives the values).
COLUMNS = (
    "policy",
    "conversations",
    "ai_resolution",
    "abandonment",
    "dead_ends",
    "refused_person",
    "wait_p50",
    "wait_p90",
    "within_60s",
    "occupancy",
    "hostile",
    "cost",
)


def table(cmp: Comparison, lang: str = "zh") -> Table:
    t = LABELS[lang]
    out = Table(title=f"{t['title']} · {cmp.scenario.curve.name}")
    for c in COLUMNS:
        out.add_column(t[c], justify="left" if c == "policy" else "right")
    for f in cmp.figures:
        out.add_row(*row(f))
    return out


def row(f: PolicyFigures) -> list[str]:
    # Nobody waited for a person (AI only): the wait figures do not apply.
    na = f.queued == 0
    return [
        f.policy,
        f"{f.conversations:,}",
        f"{f.ai_resolution:.1%}",
        f"{f.abandonment:.1%}",
        f"{f.dead_ends:.1%}",
        f"{f.refused_person:.1%}",
        "—" if na else f"{f.wait_p50:.0f}",
        "—" if na else f"{f.wait_p90:.0f}",
        "—" if na else f"{f.answered_within_60s:.1%}",
        "—" if na else f"{f.occupancy:.1%}",
        f"{f.hostile_max}",
        f"{f.cost_per_contact:.2f}",
    ]


def chart_set(cmp: Comparison, lang: str = "zh") -> dict[str, str]:
    """name -> SVG document."""
    t = LABELS[lang]
    fs = cmp.figures
    names = [f.policy for f in fs]
    # Where every conversation ended: the four shares add up to (nearly) one.
    outcome_groups = [t["ai_resolution"], t["human_resolved"], t["abandonment"], t["dead_ends"]]
    outcomes = {
        f.policy: [f.ai_resolution, f.human_resolved, f.abandonment, f.dead_ends] for f in fs
    }
    waits = {f.policy: [f.wait_p50, f.wait_p90] for f in fs if f.queued}
    hours = len(fs[0].hourly_waits) if fs else 0
    start_hour = cmp.scenario.start.astimezone(cmp.zone).hour
    x = [f"{(start_hour + h) % 24:02d}" for h in range(hours)]
    hourly = {f.policy: list(f.hourly_waits) for f in fs if f.queued}
    exposure_names = [f for f in fs if f.agents]
    exposure = {
        f.policy: sorted((a.hostile for a in f.agents), reverse=True) for f in exposure_names
    }
    longest = max((len(v) for v in exposure.values()), default=0)
    return {
        "outcomes": charts.bars(t["outcomes"], outcome_groups, outcomes, percent=True),
        "waits": charts.bars(t["waits"], ["p50", "p90"], waits),
        "hourly": charts.lines(
            t["hourly"],
            x,
            hourly,
            y_label=t["seconds"],
            area=[float(a) for a in fs[0].hourly_arrivals] if fs else None,
            area_label=t["arrivals"],
        ),
        "exposure": charts.lines(
            t["exposure"],
            [str(i + 1) for i in range(longest)],
            {k: [float(v) for v in vs] for k, vs in exposure.items()},
        ),
        "_names": ",".join(names),
    }


def html(cmp: Comparison, lang: str = "zh") -> str:
    t = LABELS[lang]
    svgs = chart_set(cmp, lang)
    head = COLUMNS
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row(f)) + "</tr>" for f in cmp.figures
    )
    note = f"<p class='note'>{escape(t['fallback'])}</p>" if cmp.bank.fallback else ""
    sc = cmp.scenario
    meta = (
        f"{t['curve']}: {escape(sc.curve.name)} · {t['seed']}: {sc.seed} · "
        f"{t['agents']}: {len(sc.resolved_roster().agents)} · {t['messages']}: {escape(cmp.bank.name)}"
    )
    figures = "".join(
        f"<figure>{svg}</figure>" for name, svg in svgs.items() if not name.startswith("_")
    )
    return f"""<!doctype html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<title>{escape(t["title"])}</title>
<style>
body{{font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}
td:first-child,th:first-child{{text-align:left}}.note{{color:#a60}}figure{{margin:1em 0}}
</style></head><body>
<h1>{escape(t["title"])}</h1><p>{meta}</p>{note}
<table><thead><tr>{"".join(f"<th>{escape(t[h])}</th>" for h in head)}</tr></thead><tbody>{rows}</tbody></table>
{figures}
</body></html>
"""


def write_report(cmp: Comparison, out_dir: Path, lang: str = "zh") -> list[Path]:
    """report.html, one SVG per chart and figures.json under `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "report.html"]
    paths[0].write_text(html(cmp, lang), encoding="utf-8")
    for name, svg in chart_set(cmp, lang).items():
        if name.startswith("_"):
            continue
        p = out_dir / f"{name}.svg"
        p.write_text(svg, encoding="utf-8")
        paths.append(p)
    return paths


def figures_json(cmp: Comparison) -> list[dict[str, Any]]:
    return [asdict(f) for f in cmp.figures]
