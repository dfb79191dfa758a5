"""The agent's own figures for the day and the supervisor's live view."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations.models import Conversation
from tandem.routing import policy, wellbeing
from tandem.routing import service as routing
from tandem.routing.models import WAITING, QueueRow

POSITIVE = ("satisfied",)


async def my_figures(session: AsyncSession, agent_id: str, day_start: datetime) -> dict[str, Any]:
    """Conversations closed since `day_start`, the share of rated ones rated positively, and
    the average handling time (assigned to resolved) of those closed."""
    rows = (
        await session.execute(
            select(Conversation.assigned_at, Conversation.resolved_at, Conversation.rating).where(
                Conversation.resolved_by == agent_id, Conversation.resolved_at >= day_start
            )
        )
    ).all()
    handled = [
        (r - a).total_seconds() for a, r, _ in rows if a is not None and r is not None and r >= a
    ]
    rated = [rating for _, _, rating in rows if rating is not None]
    positive = sum(1 for r in rated if r in POSITIVE)
    return {
        "day_start": day_start,
        "closed": len(rows),
        "rated": len(rated),
        "positive": positive,
        "positive_rate": positive / len(rated) if rated else None,
        "avg_handle_seconds": round(sum(handled) / len(handled)) if handled else None,
    }


async def supervisor_view(session: AsyncSession, now: datetime) -> dict[str, Any]:
    """Queues by skill (waiting, oldest wait, hostile), agents' load, presence and exposure,
    and the current alerts, urgent first."""
    snap = await routing.snapshot(session, now)
    queues: dict[str, dict[str, Any]] = {}
    for entry in policy.queue_order(snap.entries):
        q = queues.setdefault(
            entry.skill, {"skill": entry.skill, "waiting": 0, "oldest_seconds": 0, "hostile": 0}
        )
        q["waiting"] += 1
        q["hostile"] += int(entry.hostile)
        q["oldest_seconds"] = max(
            q["oldest_seconds"], round((now - entry.enqueued_at).total_seconds())
        )
    statuses = await routing.agent_statuses(session)
    suggested = {
        aid: s.break_suggested_at for aid, s in statuses.items() if s.break_suggested_at is not None
    }
    alerts = wellbeing.supervisor_alerts(snap.agents, snap.events, now, suggested)
    accounts = {a.id: a for a in await routing.staff(session)}
    served = (
        await session.execute(
            select(QueueRow.enqueued_at, QueueRow.ended_at).where(
                QueueRow.state != WAITING,
                QueueRow.outcome.in_(("auto", "claimed")),
                QueueRow.enqueued_at > now - routing.RATE_WINDOW,
            )
        )
    ).all()
    waits = [(e - s).total_seconds() for s, e in served if e is not None]
    cover = policy.shift_cover(snap.agents, now)
    return {
        "queues": sorted(queues.values(), key=lambda q: q["skill"]),
        "agents": [
            {
                "id": a.agent_id,
                "display_name": accounts[a.agent_id].display_name,
                "role": accounts[a.agent_id].role,
                "presence": a.presence,
                "active": a.active,
                "max_concurrent": a.max_concurrent,
                "exposure": round(a.exposure, 2),
                "on_break_until": a.on_break_until,
                "skills": sorted(a.skills),
                "team": a.team,
                "shift": a.shift.text if a.shift else None,
                # in_shift / ending / off_shift now (shop time); None: no shift set.
                "shift_standing": policy.standing_at(a.shift, now) if a.shift else None,
            }
            for a in sorted(snap.agents, key=lambda a: accounts[a.agent_id].display_name)
        ],
        # Who could take new work by shift; `falling_back`: nobody in shift is signed in, so
        # new chats go to those signed in outside their shift (docs/desk.md, "Shifts and teams").
        "shift_cover": {**asdict(cover), "falling_back": cover.falling_back},
        "alerts": [
            {
                "agent_id": al.agent_id,
                "display_name": accounts[al.agent_id].display_name,
                "level": al.level,
                "reasons": list(al.reasons),
                "exposure": round(al.exposure, 2),
            }
            for al in alerts
        ],
        "last_hour": {
            "served": len(waits),
            "avg_wait_seconds": round(sum(waits) / len(waits)) if waits else None,
            "avg_handle_seconds": round(snap.avg_handle_seconds),
        },
    }
