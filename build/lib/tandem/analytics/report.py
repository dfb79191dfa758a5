"""The weekly report: one self-contained HTML file (the vendored chart library and the data
inlined, nothing fetched), with a short written summary of what changed against the previous
period of the same length."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tandem.analytics import queries
from tandem.analytics.queries import Filters

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
ECHARTS = STATIC / "vendor" / "echarts-6.1.0" / "echarts.common.min.js"
CHARTS = STATIC / "analytics-charts.js"
CSS = STATIC / "analytics.css"
APP_CSS = STATIC / "app.css"

# (key in totals, Chinese name, English name, kind, a rise is good?)
HEADLINES: tuple[tuple[str, str, str, str, bool], ...] = (
    ("episodes", "会话数", "conversations", "count", True),
    ("ai_resolution_rate", "AI 解决率", "AI resolution rate", "rate", True),
    ("handoff_rate", "转人工率", "hand-off rate", "rate", False),
    ("dead_ends", "死胡同", "dead ends", "count", False),
    ("avg_wait_seconds", "平均等待", "average wait", "seconds", False),
    ("positive_rate", "好评率", "positive-rating rate", "rate", True),
    ("closed", "关单量", "conversations closed", "count", True),
    ("abuse_incidents", "辱骂事件", "abuse incidents", "count", False),
)


def previous(f: Filters) -> Filters:
    span = f.end - f.start
    return Filters(
        start=f.start - span,
        end=f.start,
        zone=f.zone,
        granularity=f.granularity,
        intent=f.intent,
        skill=f.skill,
        agent_id=f.agent_id,
        channel=f.channel,
    )


def _fmt(value: float | None, kind: str, lang: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "seconds":
        return f"{value:.0f} 秒" if lang == "zh" else f"{value:.0f} s"
    return f"{value:g}"


def summary(now: dict[str, Any], before: dict[str, Any], lang: str = "zh") -> list[str]:
    """Sentences for what changed, biggest relative change first; the dead ends always said."""
    lines: list[tuple[float, str]] = []
    zh = lang == "zh"
    for key, zh_name, en_name, kind, rise_good in HEADLINES:
        a, b = now["totals"].get(key), before["totals"].get(key)
        name = zh_name if zh else en_name
        if a is None:
            continue
        if b is None or b == 0:
            if a and key != "dead_ends":
                text = (
                    f"{name}：{_fmt(a, kind, lang)}（上期无数据）"
                    if zh
                    else (
                        f"{name.capitalize()}: {_fmt(a, kind, lang)} (no data for the previous period)"
                    )
                )
                lines.append((0.0, text))
            continue
        delta = (a - b) / abs(b)
        if abs(delta) < 0.02:
            text = (
                f"{name}持平：{_fmt(a, kind, lang)}"
                if zh
                else (f"{name.capitalize()} steady at {_fmt(a, kind, lang)}")
            )
        else:
            good = (delta > 0) == rise_good
            if zh:
                word = "上升" if delta > 0 else "下降"
                mark = "（好转）" if good else "（变差）"
                text = (
                    f"{name}{word} {abs(delta) * 100:.0f}%："
                    f"{_fmt(b, kind, lang)} → {_fmt(a, kind, lang)}{mark}"
                )
            else:
                word = "up" if delta > 0 else "down"
                mark = "better" if good else "worse"
                text = (
                    f"{name.capitalize()} {word} {abs(delta) * 100:.0f}%: "
                    f"{_fmt(b, kind, lang)} → {_fmt(a, kind, lang)} ({mark})"
                )
        lines.append((abs(delta), text))
    lines.sort(key=lambda x: -x[0])
    out = [t for _, t in lines]
    dead = now["totals"]["dead_ends"]
    if dead:
        out.insert(
            0,
            f"死胡同 {dead} 个：客户要人工却没等到人、也没有工单回电，或回电时间已过仍未回复（目标 0）。"
            if zh
            else f"{dead} dead ends: customers who asked for a person and got neither a person "
            "nor a ticket, or whose callback time passed unanswered (the goal is 0).",
        )
    if now["failing"]:
        top = now["failing"][0]
        label = queries.labels()["intent"].get(top["intent"], (top["intent"], top["intent"]))
        name = label[0] if zh else label[1]
        out.append(
            f"AI 最常答不好的意图：{name}（{top['failed']} 次）。为知识缺口写条目可以减少转人工。"
            if zh
            else f"The intent the AI fails on most: {name} ({top['failed']} times). "
            "Writing knowledge entries for its gaps reduces hand-offs."
        )
    return out


async def build(session: AsyncSession, f: Filters, lang: str = "zh") -> str:
    """The report as one HTML string."""
    now = await queries.overview(session, f)
    before = await queries.overview(session, previous(f))
    return render(now, before, lang)


def render(now: dict[str, Any], before: dict[str, Any], lang: str = "zh") -> str:
    zh = lang == "zh"
    r = now["range"]
    title = (
        f"Tandem 客服周报 {r['from']} 至 {r['to']}"
        if zh
        else f"Tandem service report {r['from']} to {r['to']}"
    )
    lines = "".join(f"<li>{html.escape(t)}</li>" for t in summary(now, before, lang))
    cards = "".join(
        f'<div class="kpi{" bad" if key == "dead_ends" and now["totals"][key] else ""}">'
        f'<div class="l">{html.escape(zh_name if zh else en_name)}</div>'
        f'<div class="v">{html.escape(_fmt(now["totals"].get(key), kind, lang))}</div>'
        f'<div class="l">{"上期" if zh else "before"} '
        f"{html.escape(_fmt(before['totals'].get(key), kind, lang))}</div></div>"
        for key, zh_name, en_name, kind, _ in HEADLINES
    )
    heads = (
        ("AI 解决率与转人工率", "转人工原因", "等待与死胡同", "按意图", "按客服")
        if zh
        else (
            "AI resolution and hand-off",
            "Hand-offs by reason",
            "Waits and dead ends",
            "By intent",
            "By agent",
        )
    )
    names = ("resolution", "reasons", "wait", "intents", "agents")
    sections = "".join(
        f'<section class="card{" wide" if n == "resolution" else ""}"><h3>{html.escape(h)}</h3>'
        f'<div class="chart" id="c-{n}"></div></section>'
        for n, h in zip(names, heads, strict=True)
    )
    data = json.dumps(now, ensure_ascii=False, default=str).replace("</", "<\\/")
    style = APP_CSS.read_text(encoding="utf-8") + CSS.read_text(encoding="utf-8")
    lib = ECHARTS.read_text(encoding="utf-8").replace("</script", "<\\/script")
    charts = CHARTS.read_text(encoding="utf-8")
    return f"""<!doctype html>
<html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{style}
.report-head {{ padding:14px 18px; background:#fff; border-bottom:1px solid var(--line); }}
.report-head h1 {{ margin:0 0 6px; font-size:18px; }}
.report-head ul {{ margin:6px 0 0; padding-left:20px; line-height:1.7; }}
</style></head><body>
<div class="report-head"><h1>{html.escape(title)}</h1>
<div class="muted">{html.escape(r["timezone"])} · {"与上一同长周期相比" if zh else "compared with the previous period of the same length"}</div>
<ul id="summary">{lines}</ul></div>
<main class="an"><section class="kpis">{cards}</section>{sections}</main>
<script>{lib}</script>
<script>{charts}</script>
<script>
(function () {{
  var data = {data};
  var opts = TandemCharts.options(data, "{lang}");
  window.tandemCharts = {{}};
  Object.keys(opts).forEach(function (k) {{
    var c = echarts.init(document.getElementById("c-" + k), null, {{ renderer: "svg" }});
    c.setOption(opts[k]);
    window.tandemCharts[k] = c;
  }});
  document.body.dataset.drawn = "1";
}})();
</script></body></html>
"""
