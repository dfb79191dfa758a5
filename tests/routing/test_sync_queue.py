"""Queue reconciliation (`sync_queue`) finds every way the waiting rows and the queued
conversations disagree in one statement, and mends each as before: duplicates end but the
newest, rows of conversations no longer queued end, queued conversations without a row get
one, a changed skill moves the row. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tandem.conversations.models import Conversation, Message
from tandem.routing import assignment
from tandem.routing.models import LEFT, WAITING, QueueRow
from tandem.services import Services

from .factories import conversation_row


def _conversation(cid: str, state: str, at: datetime, skill: str = "after_sale") -> Conversation:
    return conversation_row(
        cid, state, at, skill=skill, queued_at=at if state == "queued" else None
    )


def _row(row_id: str, cid: str, at: datetime, skill: str = "after_sale") -> QueueRow:
    return QueueRow(
        id=row_id, conversation_id=cid, skill=skill, enqueued_at=at, rank=0.0, state=WAITING
    )


@pytest.mark.asyncio
async def test_every_kind_of_difference_is_mended_in_one_pass(services: Services) -> None:
    now = services.clock.now()
    at = now - timedelta(minutes=5)
    async with services.unit_of_work() as uow:
        s = uow.session
        s.add_all(
            [
                _conversation("sq-dup", "queued", at),
                _conversation("sq-gone", "resolved", at),
                _conversation("sq-gonedup", "bot", at),
                _conversation("sq-new", "queued", at),
                _conversation("sq-moved", "queued", at, skill="logistics"),
                _conversation("sq-fine", "queued", at),
            ]
        )
        await s.flush()
        s.add_all(
            [
                _row("sq-q1-dup", "sq-dup", at),
                _row("sq-q2-dup", "sq-dup", at),
                _row("sq-q1-gone", "sq-gone", at),
                _row("sq-q1-gonedup", "sq-gonedup", at),
                _row("sq-q2-gonedup", "sq-gonedup", at),
                _row("sq-q1-moved", "sq-moved", at),
                _row("sq-q1-fine", "sq-fine", at),
            ]
        )
        await s.flush()
        assert await assignment.sync_queue(uow, now) is True
    async with services.sessions() as s:
        rows = {
            r.id: (r.conversation_id, r.state, r.outcome, r.skill)
            for r in (
                await s.scalars(select(QueueRow).where(QueueRow.conversation_id.like("sq-%")))
            ).all()
        }
    new_rows = [k for k, v in rows.items() if v[0] == "sq-new"]
    assert len(new_rows) == 1
    assert rows.pop(new_rows[0]) == ("sq-new", WAITING, None, "after_sale")
    assert rows == {
        # The older of two waiting rows ends, the newest (greatest id) stays.
        "sq-q1-dup": ("sq-dup", LEFT, "duplicate", "after_sale"),
        "sq-q2-dup": ("sq-dup", WAITING, None, "after_sale"),
        "sq-q1-gone": ("sq-gone", LEFT, "left", "after_sale"),
        # No longer queued and doubled: the older ends as a duplicate, the newest as left.
        "sq-q1-gonedup": ("sq-gonedup", LEFT, "duplicate", "after_sale"),
        "sq-q2-gonedup": ("sq-gonedup", LEFT, "left", "after_sale"),
        "sq-q1-moved": ("sq-moved", WAITING, None, "logistics"),
        "sq-q1-fine": ("sq-fine", WAITING, None, "after_sale"),
    }
    async with services.unit_of_work() as uow:
        assert await assignment.sync_queue(uow, now) is False  # in line now: nothing to do


@pytest.mark.asyncio
async def test_the_oldest_unanswered_customer_message_counts_from_the_agent_joining(
    services: Services,
) -> None:
    """What a silent agent is measured from: the first customer message after the agent's
    last one, never earlier than the agent joined; nothing when the agent answered last."""
    now = services.clock.now()
    joined = now - timedelta(minutes=30)

    def message(cid: str, seq: int, author: str, minutes_ago: float) -> Message:
        return Message(
            id=f"m-{cid}-{seq}",
            conversation_id=cid,
            seq=seq,
            author=author,
            text="…",
            created_at=now - timedelta(minutes=minutes_ago),
        )

    async with services.unit_of_work() as uow:
        s = uow.session
        held = [
            _conversation(cid, "agent", joined - timedelta(minutes=10))
            for cid in ("aw-replied-then-asked", "aw-before-joining", "aw-answered", "aw-quiet")
        ]
        for c in held:
            c.assigned_at = joined
        s.add_all(held)
        await s.flush()
        s.add_all(
            [
                # Asked, was answered, then asked twice more: from the first of those two.
                message("aw-replied-then-asked", 1, "customer", 28),
                message("aw-replied-then-asked", 2, "agent", 27),
                message("aw-replied-then-asked", 3, "customer", 20),
                message("aw-replied-then-asked", 4, "bot", 19),
                message("aw-replied-then-asked", 5, "customer", 12),
                # Wrote before the agent joined, nothing since: from the joining.
                message("aw-before-joining", 1, "customer", 35),
                message("aw-before-joining", 2, "system", 30),
                # The agent answered last.
                message("aw-answered", 1, "customer", 25),
                message("aw-answered", 2, "agent", 24),
            ]
        )
        await s.flush()
        since = await assignment._awaiting_reply(uow, held)
    assert since == {
        "aw-replied-then-asked": now - timedelta(minutes=20),
        "aw-before-joining": joined,
        "aw-answered": None,
        "aw-quiet": None,
    }
