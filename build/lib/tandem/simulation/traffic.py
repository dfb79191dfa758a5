"""Arrivals: a rate curve read from a file, and a non-homogeneous Poisson process drawn from it
by thinning (Lewis & Shedler 1979).

A rate curve is piecewise constant: consecutive intervals of equal length, each with an arrival
rate in conversations per hour. Two file formats, both in shop-local time from midnight:

CSV (a header, then one row per interval; `start` as HH:MM, minutes between rows equal)::

    start,rate_per_hour
    00:00,120
    01:00,80

JSON::

    {"name": "双十一", "interval_minutes": 60, "rates_per_hour": [120, 80, ...]}

The curve may span more than one day (48 rows of an hour: two days).
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tandem.simulation.errors import SimulationInputError

CURVES = Path(__file__).parent / "data" / "curves"
MAX_RATE_PER_HOUR = 10_000_000.0


@dataclass(frozen=True)
class RateCurve:
    name: str
    interval_seconds: float
    rates_per_hour: tuple[float, ...]

    @property
    def horizon_seconds(self) -> float:
        return self.interval_seconds * len(self.rates_per_hour)

    @property
    def peak_per_hour(self) -> float:
        return max(self.rates_per_hour)

    @property
    def expected_arrivals(self) -> float:
        return sum(r * self.interval_seconds / 3600 for r in self.rates_per_hour)

    def rate_at(self, t: float) -> float:
        """Arrivals per second at `t` seconds from the start (0 past the end)."""
        i = int(t // self.interval_seconds)
        if i < 0 or i >= len(self.rates_per_hour):
            return 0.0
        return self.rates_per_hour[i] / 3600

    def scaled(self, factor: float) -> RateCurve:
        if not math.isfinite(factor) or factor <= 0:
            raise SimulationInputError(
                f"流量倍数必须是正数，收到 {factor}。",
                f"the traffic scale must be a positive number, got {factor}.",
            )
        return RateCurve(
            self.name, self.interval_seconds, tuple(r * factor for r in self.rates_per_hour)
        )

    def truncated(self, hours: float) -> RateCurve:
        """The first `hours` of the curve (whole intervals, at least one)."""
        n = max(1, math.ceil(hours * 3600 / self.interval_seconds))
        return RateCurve(self.name, self.interval_seconds, self.rates_per_hour[:n])


def constant_curve(rate_per_hour: float, hours: float, name: str = "constant") -> RateCurve:
    return RateCurve(name, hours * 3600, (rate_per_hour,))


def _bad(path: str, zh: str, en: str) -> SimulationInputError:
    return SimulationInputError(f"流量文件 {path} 有误：{zh}", f"traffic file {path}: {en}")


def _rate(path: str, where: str, value: object) -> float:
    try:
        rate = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _bad(
            path,
            f"{where} 的到达率“{value}”不是数字（单位：每小时会话数）。",
            f"{where}: the rate '{value}' is not a number (conversations per hour).",
        ) from None
    if not math.isfinite(rate) or rate < 0 or rate > MAX_RATE_PER_HOUR:
        raise _bad(
            path,
            f"{where} 的到达率 {value} 必须在 0 到 {MAX_RATE_PER_HOUR:.0f} 之间。",
            f"{where}: the rate {value} must be between 0 and {MAX_RATE_PER_HOUR:.0f} per hour.",
        )
    return rate


def _minutes(path: str, row: int, value: str) -> int:
    try:
        hh, mm = value.strip().split(":")
        minutes = int(hh) * 60 + int(mm)
    except ValueError:
        raise _bad(
            path,
            f"第 {row} 行的开始时间“{value}”应写成 HH:MM（如 09:00）。",
            f"row {row}: the start '{value}' should be HH:MM (e.g. 09:00).",
        ) from None
    return minutes


def parse_curve(text: str, source: str = "<curve>") -> RateCurve:
    """A curve from the text of a CSV or JSON file; a clear error when it is not one."""
    stripped = text.strip()
    name = Path(source).stem
    if not stripped:
        raise _bad(source, "文件是空的。", "the file is empty.")
    if stripped[0] in "{[":
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise _bad(
                source,
                f"不是有效的 JSON（第 {exc.lineno} 行）。",
                f"not valid JSON (line {exc.lineno}).",
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("rates_per_hour"), list):
            raise _bad(
                source,
                "JSON 需要 rates_per_hour（每个时段的每小时会话数列表）和 interval_minutes。",
                "JSON needs rates_per_hour (a list of conversations per hour) and interval_minutes.",
            )
        interval = data.get("interval_minutes", 60)
        if not isinstance(interval, int | float) or interval <= 0:
            raise _bad(
                source,
                f"interval_minutes 必须是正数，收到 {interval}。",
                f"interval_minutes must be a positive number, got {interval}.",
            )
        rates = tuple(
            _rate(source, f"第 {i + 1} 个时段 / interval {i + 1}", r)
            for i, r in enumerate(data["rates_per_hour"])
        )
        name = str(data.get("name") or name)
        interval_seconds = float(interval) * 60
    else:
        rows = list(csv.reader(io.StringIO(stripped)))
        header = [h.strip().lower() for h in rows[0]]
        if header[:2] != ["start", "rate_per_hour"]:
            raise _bad(
                source,
                "CSV 第一行必须是表头 start,rate_per_hour。",
                "the first CSV row must be the header start,rate_per_hour.",
            )
        starts: list[int] = []
        values: list[float] = []
        for i, row in enumerate(rows[1:], start=2):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 2:
                raise _bad(source, f"第 {i} 行缺少到达率。", f"row {i} has no rate_per_hour.")
            starts.append(_minutes(source, i, row[0]))
            values.append(_rate(source, f"第 {i} 行 / row {i}", row[1]))
        if not values:
            raise _bad(source, "没有任何时段。", "there are no intervals.")
        steps = {b - a for a, b in zip(starts, starts[1:], strict=False)}
        if starts[0] != 0 or len(steps) > 1 or (steps and min(steps) <= 0):
            raise _bad(
                source,
                "时段必须从 00:00 开始、按时间顺序、间隔相等（如每小时一行）。",
                "intervals must start at 00:00, be in order and be equally spaced (e.g. hourly).",
            )
        interval_seconds = float(steps.pop() * 60 if steps else 24 * 3600)
        rates = tuple(values)
    if not rates:
        raise _bad(source, "没有任何时段。", "there are no intervals.")
    if sum(rates) == 0:
        raise _bad(source, "所有时段的到达率都是 0。", "every interval has a rate of 0.")
    return RateCurve(name, interval_seconds, rates)


def builtin_curves() -> list[str]:
    return sorted(p.stem for p in CURVES.iterdir() if p.suffix in (".csv", ".json"))


def load_curve(path_or_name: str | Path) -> RateCurve:
    """A curve file, or the name of a shipped one (`normal_day`, `double11`)."""
    path = Path(path_or_name)
    if not path.exists():
        for suffix in (".csv", ".json"):
            candidate = CURVES / f"{path_or_name}{suffix}"
            if candidate.is_file():
                path = candidate
                break
        else:
            raise SimulationInputError(
                f"找不到流量文件 {path_or_name}。请给出 CSV/JSON 文件路径，或内置曲线之一："
                f"{'、'.join(builtin_curves())}。",
                f"traffic file {path_or_name} not found: give a CSV/JSON path or one of the "
                f"shipped curves: {', '.join(builtin_curves())}.",
            )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(str(path), f"无法读取（{exc}）。", f"cannot be read ({exc}).") from None
    return parse_curve(text, str(path))


def arrivals(curve: RateCurve, rng: random.Random) -> Iterator[float]:
    """Arrival times in seconds from the start, by thinning: candidates at the peak rate, each
    kept with probability rate(t)/peak. Exact for a piecewise-constant rate."""
    peak = curve.peak_per_hour / 3600
    if peak <= 0:
        return
    t = 0.0
    horizon = curve.horizon_seconds
    while True:
        t += rng.expovariate(peak)
        if t >= horizon:
            return
        if rng.random() * peak < curve.rate_at(t):
            yield t
