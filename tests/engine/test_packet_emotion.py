"""The emotion the desk states, in words: the hand-off packet's and, later, the board's (the
same rule: the latest reading strong enough to act on among the last three messages)."""

from __future__ import annotations

import pytest

from tandem.engine.memory import EngineMemory
from tandem.engine.packet import build_packet, emotion_view


@pytest.mark.parametrize(
    ("emotions", "language", "expected"),
    [
        ((("neutral", 0.0), ("anger", 0.46)), "zh", ("neutral", 0.0, "平静")),  # a weak guess
        ((("anger", 0.81), ("neutral", 0.0)), "zh", ("anger", 0.81, "愤怒")),
        ((("anxiety", 0.6), ("neutral", 0.0), ("neutral", 0.0)), "en", ("anxiety", 0.6, "anxious")),
        # Three calm messages since: calm again.
        (
            (("anger", 0.9), ("neutral", 0.0), ("neutral", 0.0), ("neutral", 0.0)),
            "en",
            ("neutral", 0.0, "calm"),
        ),
        ((), "zh", ("neutral", 0.0, "平静")),
    ],
)
def test_emotion_view(
    emotions: tuple[tuple[str, float], ...], language: str, expected: tuple[str, float, str]
) -> None:
    view = emotion_view(emotions, language)
    assert (view["label"], view["intensity"], view["text"]) == expected


def test_the_packet_states_the_same_emotion_as_the_view() -> None:
    emotions = (("sadness", 0.3), ("anger", 0.72), ("neutral", 0.0))
    packet = build_packet(
        reason="customer_request",
        language="zh",
        transcript=[("customer", "气死我了"), ("customer", "转人工")],
        decisions=[],
        memory=EngineMemory(emotions=emotions),
        shop=None,
        customer_name=None,
        entities=[],
        proposal=None,
    )
    assert packet["emotion"] == emotion_view(emotions, "zh")
    assert "情绪：愤怒" in packet["summary"]
