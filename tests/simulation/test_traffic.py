"""Rate curves from files, and arrivals drawn from them by thinning."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from tandem.simulation.errors import SimulationInputError
from tandem.simulation.traffic import arrivals, builtin_curves, load_curve, parse_curve


def test_csv_and_json_curves_read_alike() -> None:
    csv_curve = parse_curve("start,rate_per_hour\n00:00,60\n00:30,120\n01:00,0\n", "a.csv")
    json_curve = parse_curve('{"interval_minutes": 30, "rates_per_hour": [60, 120, 0]}', "b.json")
    assert csv_curve.interval_seconds == json_curve.interval_seconds == 1800
    assert csv_curve.rates_per_hour == json_curve.rates_per_hour == (60.0, 120.0, 0.0)
    # 60/h for half an hour + 120/h for half an hour = 90 expected arrivals.
    assert csv_curve.expected_arrivals == pytest.approx(90)


def test_shipped_curves_include_the_singles_day_surge() -> None:
    assert {"normal_day", "double11"} <= set(builtin_curves())
    d11, normal = load_curve("double11"), load_curve("normal_day")
    assert d11.horizon_seconds == normal.horizon_seconds == 24 * 3600
    # The midnight rush of 11.11 is the day's peak; an ordinary day peaks in the evening.
    assert d11.rates_per_hour.index(d11.peak_per_hour) == 0
    assert d11.expected_arrivals > 5 * normal.expected_arrivals


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("", "文件是空的", "empty"),
        ("time,rate\n00:00,1\n", "表头", "header"),
        ("start,rate_per_hour\n00:00,abc\n", "不是数字", "not a number"),
        ("start,rate_per_hour\n00:00,-3\n", "之间", "between"),
        ("start,rate_per_hour\n9点,3\n", "HH:MM", "HH:MM"),
        ("start,rate_per_hour\n00:00,3\n01:00,3\n03:00,3\n", "间隔相等", "equally spaced"),
        ('{"rates": [1]}', "rates_per_hour", "rates_per_hour"),
        ("{not json", "JSON", "JSON"),
        ("start,rate_per_hour\n00:00,0\n", "都是 0", "rate of 0"),
    ],
)
def test_bad_traffic_files_say_what_to_fix_chinese_first(text: str, zh: str, en: str) -> None:
    with pytest.raises(SimulationInputError) as caught:
        parse_curve(text, "bad.csv")
    message = caught.value.message
    assert zh in caught.value.zh and en in caught.value.en
    assert message.index(caught.value.zh) < message.index(caught.value.en)
    assert "bad.csv" in message


def test_a_missing_file_lists_the_shipped_curves(tmp_path: Path) -> None:
    with pytest.raises(SimulationInputError, match="double11"):
        load_curve(tmp_path / "nope.csv")


def test_thinning_follows_the_rate_curve() -> None:
    # 1,000/h for the first hour, 250/h for the second, 0 for the third, over 40 seeds:
    # the counts are Poisson with means 40,000 and 10,000 (4 standard deviations: ±800, ±400).
    curve = parse_curve('{"interval_minutes": 60, "rates_per_hour": [1000, 250, 0]}')
    first = second = third = 0
    for seed in range(40):
        for t in arrivals(curve, random.Random(seed)):
            if t < 3600:
                first += 1
            elif t < 7200:
                second += 1
            else:
                third += 1
    assert abs(first - 40_000) < 4 * math.sqrt(40_000)
    assert abs(second - 10_000) < 4 * math.sqrt(10_000)
    assert third == 0


def test_same_seed_same_arrivals() -> None:
    curve = load_curve("normal_day").truncated(2)
    a = list(arrivals(curve, random.Random(5)))
    assert a == list(arrivals(curve, random.Random(5)))
    assert a != list(arrivals(curve, random.Random(6)))
