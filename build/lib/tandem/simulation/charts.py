"""SVG charts drawn by hand (no plotting dependency): grouped bars and lines. Every label is
escaped; the output is a standalone SVG document, also inlined in the HTML report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

COLOURS = {
    "human-only": "#8c6d31",
    "ai-only": "#d62728",
    "naive-bot": "#7f7f7f",
    "tandem": "#1f77b4",
}
FALLBACK_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd")
FONT = "font-family='Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif'"


def colour(name: str, i: int) -> str:
    return COLOURS.get(name, FALLBACK_COLOURS[i % len(FALLBACK_COLOURS)])


def bars(
    title: str,
    groups: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    percent: bool = False,
    width: int = 720,
    height: int = 320,
) -> str:
    """Grouped bars: one group per metric (`groups`), one bar per series (policy)."""
    left, right, top, bottom = 50, 20, 40, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for vs in series.values() for v in vs), default=0.0) or 1.0
    if percent:
        peak = max(peak, 0.01)
    out = [_head(width, height, title)]
    for k in range(5):
        y = top + plot_h * (1 - k / 4)
        value = peak * k / 4
        label = f"{value:.0%}" if percent else f"{value:,.0f}"
        out.append(
            f"<line x1='{left}' y1='{y:.1f}' x2='{width - right}' y2='{y:.1f}' stroke='#ddd'/>"
        )
        out.append(
            f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end' font-size='11' {FONT}>{label}</text>"
        )
    group_w = plot_w / max(1, len(groups))
    names = list(series)
    bar_w = group_w * 0.8 / max(1, len(names))
    for g, group in enumerate(groups):
        x0 = left + g * group_w + group_w * 0.1
        for i, name in enumerate(names):
            v = series[name][g]
            h = plot_h * v / peak
            x = x0 + i * bar_w
            out.append(
                f"<rect x='{x:.1f}' y='{top + plot_h - h:.1f}' width='{bar_w - 2:.1f}' height='{h:.1f}' fill='{colour(name, i)}'>"
                f"<title>{escape(name)}: {v:.1%}</title></rect>"
                if percent
                else f"<rect x='{x:.1f}' y='{top + plot_h - h:.1f}' width='{bar_w - 2:.1f}' height='{h:.1f}' fill='{colour(name, i)}'>"
                f"<title>{escape(name)}: {v:,.1f}</title></rect>"
            )
            text = f"{v:.0%}" if percent else f"{v:,.0f}"
            out.append(
                f"<text x='{x + bar_w / 2 - 1:.1f}' y='{top + plot_h - h - 3:.1f}' text-anchor='middle' font-size='9' {FONT}>{text}</text>"
            )
        out.append(
            f"<text x='{x0 + group_w * 0.4:.1f}' y='{top + plot_h + 16}' text-anchor='middle' font-size='12' {FONT}>{escape(group)}</text>"
        )
    out.append(_legend(names, left, height - 22))
    out.append("</svg>")
    return "\n".join(out)


def lines(
    title: str,
    x_labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    y_label: str = "",
    width: int = 720,
    height: int = 320,
    area: Sequence[float] | None = None,
    area_label: str = "",
) -> str:
    """Lines over the hours of the run; `area` (e.g. arrivals) drawn behind, on its own scale."""
    left, right, top, bottom = 56, 20, 40, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(x_labels))
    peak = max((v for vs in series.values() for v in vs), default=0.0) or 1.0
    out = [_head(width, height, title)]
    step = plot_w / max(1, n - 1)
    if area:
        amax = max(area) or 1.0
        pts = " ".join(
            f"{left + i * step:.1f},{top + plot_h * (1 - v / amax):.1f}" for i, v in enumerate(area)
        )
        out.append(
            f"<polygon points='{left},{top + plot_h} {pts} {left + (n - 1) * step:.1f},{top + plot_h}' fill='#eee'/>"
        )
        out.append(
            f"<text x='{width - right}' y='{top - 6}' text-anchor='end' font-size='11' fill='#999' {FONT}>{escape(area_label)}</text>"
        )
    for k in range(5):
        y = top + plot_h * (1 - k / 4)
        out.append(
            f"<line x1='{left}' y1='{y:.1f}' x2='{width - right}' y2='{y:.1f}' stroke='#ddd'/>"
        )
        out.append(
            f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end' font-size='11' {FONT}>{peak * k / 4:,.0f}</text>"
        )
    out.append(
        f"<text x='14' y='{top + plot_h / 2}' font-size='11' transform='rotate(-90 14 {top + plot_h / 2})' text-anchor='middle' {FONT}>{escape(y_label)}</text>"
    )
    for i, label in enumerate(x_labels):
        if n <= 12 or i % max(1, n // 12) == 0:
            out.append(
                f"<text x='{left + i * step:.1f}' y='{top + plot_h + 16}' text-anchor='middle' font-size='10' {FONT}>{escape(label)}</text>"
            )
    for j, (name, values) in enumerate(series.items()):
        pts = " ".join(
            f"{left + i * step:.1f},{top + plot_h * (1 - v / peak):.1f}"
            for i, v in enumerate(values)
        )
        out.append(
            f"<polyline points='{pts}' fill='none' stroke='{colour(name, j)}' stroke-width='2'/>"
        )
    out.append(_legend(list(series), left, height - 22))
    out.append("</svg>")
    return "\n".join(out)


def _head(width: int, height: int, title: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}'>"
        f"<rect width='100%' height='100%' fill='white'/>"
        f"<text x='{width / 2}' y='22' text-anchor='middle' font-size='15' font-weight='bold' {FONT}>{escape(title)}</text>"
    )


def _legend(names: Sequence[str], x: int, y: int) -> str:
    parts = []
    for i, name in enumerate(names):
        parts.append(
            f"<rect x='{x + i * 130}' y='{y - 10}' width='12' height='12' fill='{colour(name, i)}'/>"
        )
        parts.append(
            f"<text x='{x + i * 130 + 16}' y='{y}' font-size='12' {FONT}>{escape(name)}</text>"
        )
    return "".join(parts)
