"""The desk's upkeep in an assignment round: breaks that are over end, time at capacity is
tracked, break suggestions and supervisor alerts are raised when they change. Both work on the
round's `Desk` (kept current through its assignments), so they read nothing but a missing
routing row. Split out of `routing.assignment`, which calls them once per round."""

from __future__ import annotations

from datetime import datetime

from tandem.core import events
from tandem.db.uow import UnitOfWork
from tandem.identity.models import Account
from tandem.realtime.hub import DESK_TOPIC
from tandem.routing import policy, wellbeing
from tandem.routing import service as routing
from tandem.routing.service import Desk

__all__ = ["end_breaks", "wellbeing_round"]


async def end_breaks(uow: UnitOfWork, now: datetime, desk: Desk) -> bool:
    """A break has an end time: once it has passed the agent is back online. Returns whether
    a break ended."""
    accounts = {a.id: a for a in desk.accounts}
    ended = False
    for status in desk.statuses.values():
        if status.break_until is None or status.break_until > now:
            continue
        ended = True
        account = accounts.get(status.agent_id) or await uow.session.get(Account, status.agent_id)
        status.last_break_end = status.break_until
        status.break_until = None
        status.break_suggested_at = None
        status.alert_level = None
        if account is not None and account.presence == policy.PRESENCE_BREAK:
            account.presence = policy.PRESENCE_ONLINE
            account.presence_changed_at = now
            uow.stage((DESK_TOPIC, events.presence_changed(account.id, account.presence)))
    return ended


async def wellbeing_round(uow: UnitOfWork, now: datetime, desk: Desk) -> None:
    """Time at capacity, break suggestions and supervisor alerts, announced when they change.
    From the round's `desk`, kept current through its assignments: no read, except to create
    the routing row of a new agent."""
    session = uow.session
    snap_events = desk.events
    accounts = desk.accounts
    loads = desk.loads
    statuses = desk.statuses
    for a in accounts:
        if a.id not in statuses:
            statuses[a.id] = await routing.require_status(session, a.id)
    agents = []
    for a in accounts:
        status = statuses[a.id]
        active = loads.get(a.id, 0)
        if active >= a.max_concurrent:
            status.at_capacity_since = status.at_capacity_since or now
        else:
            status.at_capacity_since = None
        agents.append(routing.agent_state(a, status, active, snap_events, now, desk.zone))
    suggested: dict[str, datetime] = {}
    for a in accounts:
        at = statuses[a.id].break_suggested_at
        if at is not None:
            suggested[a.id] = at
    alerts = {
        al.agent_id: al for al in wellbeing.supervisor_alerts(agents, snap_events, now, suggested)
    }
    for agent in agents:
        status = statuses[agent.agent_id]
        alert = alerts.get(agent.agent_id)
        if alert is None:
            status.break_suggested_at = None
            status.alert_level = None
            continue
        if status.break_suggested_at is None:
            status.break_suggested_at = now
            uow.stage(
                (
                    DESK_TOPIC,
                    events.break_suggested(agent.agent_id, list(alert.reasons), alert.exposure),
                )
            )
        if status.alert_level != alert.level:
            status.alert_level = alert.level
            uow.stage(
                (
                    DESK_TOPIC,
                    events.wellbeing_alert(
                        agent.agent_id, alert.level, list(alert.reasons), alert.exposure
                    ),
                )
            )
