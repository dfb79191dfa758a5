"""Message banks and rosters from files: the format read, and errors that say what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.simulation.agents import parse_roster
from tandem.simulation.errors import SimulationInputError
from tandem.simulation.messages import read_messages

BANK = Path(__file__).parent / "data" / "messages.jsonl"


def test_the_evaluation_set_format_is_read() -> None:
    messages = read_messages(BANK)
    assert len(messages) == 15
    first = messages[0]
    assert (first.id, first.lang, first.intent, first.faq) == (
        "s1",
        "zh",
        "shipping_info",
        "faq-zh-001",
    )
    off_topic = next(m for m in messages if m.id == "s13")
    assert off_topic.intent is None and off_topic.faq is None


@pytest.mark.parametrize(
    ("line", "zh"),
    [
        ("not json", "不是有效的 JSON"),
        ('{"text": "", "lang": "zh"}', "缺少 text"),
        ('{"text": "你好", "lang": "fr"}', "lang 应是 zh 或 en"),
        ("[1, 2]", "JSON 对象"),
    ],
)
def test_bad_message_files_name_the_line(tmp_path: Path, line: str, zh: str) -> None:
    path = tmp_path / "bank.jsonl"
    path.write_text('{"text": "在吗", "lang": "zh"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(SimulationInputError) as caught:
        read_messages(path)
    assert zh in caught.value.zh and "第 2 行" in caught.value.zh
    assert "line 2" in caught.value.en
    assert caught.value.message.startswith("消息文件")


def test_a_missing_message_file_says_what_it_should_hold(tmp_path: Path) -> None:
    with pytest.raises(SimulationInputError, match="id、text、lang、intent、act、faq"):
        read_messages(tmp_path / "none.jsonl")


def test_a_roster_reads_shifts_skills_and_caps() -> None:
    roster = parse_roster(
        {
            "agents": [
                {
                    "name": "小王",
                    "shift": "08:00-16:00",
                    "skills": ["pre_sale"],
                    "max_concurrent": 2,
                },
                {"name": "小李", "shift": "22:00-06:00"},
            ],
            "break_every_minutes": 90,
            "break_minutes": 10,
        }
    )
    wang, li = roster.agents
    assert (wang.start_seconds, wang.end_seconds, wang.max_concurrent) == (8 * 3600, 16 * 3600, 2)
    assert wang.skills == frozenset({"pre_sale"})
    # A night shift runs past midnight: 22:00 to 06:00 the next day.
    assert (li.start_seconds, li.end_seconds) == (22 * 3600, 30 * 3600)
    assert (roster.break_every_seconds, roster.break_seconds) == (5400, 600)
    # Within the day: 8 h for 小王, and the first 2 h of 小李's night shift.
    assert roster.staffed_hours(24 * 3600) == pytest.approx(8 + 2)


@pytest.mark.parametrize(
    ("data", "zh"),
    [
        ({}, "agents 列表"),
        ({"agents": [{"shift": "8点到4点"}]}, "缺少“-”"),
        ({"agents": [{"shift": "8:00-xx"}]}, "HH:MM-HH:MM"),
        ({"agents": [{"max_concurrent": 0}]}, "1 到 20"),
    ],
)
def test_bad_rosters_say_what_to_fix(data: object, zh: str) -> None:
    with pytest.raises(SimulationInputError) as caught:
        parse_roster(data, "team.json")
    assert zh in caught.value.zh and caught.value.message.startswith("排班文件 team.json")
