"""The typed events: one registry, strict models, the same object after a trip through JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from tandem.core import events

AT = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
DOCS = Path(__file__).parents[2] / "docs" / "events.md"


def test_a_conversation_event_survives_the_redis_path() -> None:
    event = events.conversation_event(
        "queue.updated", "conv_1", 7, {"position": 2, "eta_seconds": 180}, AT
    )
    assert isinstance(event, events.QueueUpdated)
    back = events.parse_event(json.dumps(events.wire(event)))
    assert back == event
    assert events.wire(event) == {
        "type": "queue.updated",
        "conversation_id": "conv_1",
        "seq": 7,
        "data": {"position": 2, "eta_seconds": 180},
        "at": "2026-11-21T06:00:00Z",
    }


def test_unknown_keys_and_types_are_errors_not_silent_extras() -> None:
    with pytest.raises(ValidationError):
        events.conversation_event("queue.updated", "c", 1, {"position": 1, "eta": 3}, AT)
    with pytest.raises(ValueError, match="unknown conversation event type"):
        events.conversation_event("queue.moved", "c", 1, {}, AT)
    with pytest.raises(ValidationError):
        events.parse_event({"type": "desk.ready", "extra": 1})


def test_presence_changed_has_one_shape() -> None:
    # With or without a break, the desk reads the same keys.
    assert events.wire(events.presence_changed("a1", "online")) == {
        "type": "agent.presence_changed",
        "agent_id": "a1",
        "presence": "online",
        "break_until": None,
    }
    on_break = events.wire(events.presence_changed("a1", "break", AT))
    assert on_break["break_until"] == "2026-11-21T06:00:00Z"


def test_state_changes_carry_only_what_was_said() -> None:
    event = events.conversation_event(
        "conversation.state_changed", "c", 3, {"state": "queued", "reason": "complaint"}, AT
    )
    assert events.wire(event)["data"] == {"state": "queued", "reason": "complaint"}


def test_every_registered_type_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in events.EVENT_TYPES if f"`{name}`" not in text]
    assert missing == []
    # Twelve conversation and desk events, and the ephemeral `typing` hint.
    assert len(events.EVENT_TYPES) == 13
