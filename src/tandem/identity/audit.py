"""The audit log: who did what, when, from where.

Recorded in the same transaction as the act itself (so an act that rolls back leaves no
entry, and an entry always means it happened), except failed logins, which are recorded on
their own. Actions: login, login_failed, account_created, role_changed, refund, order_action,
proposal_approved, proposal_rejected, reveal, block, unblock, export (knowledge and analytics).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.db.uow import UnitOfWork
from tandem.identity.models import Account, AuditEntry
from tandem.identity.service import Principal


async def record(
    uow: UnitOfWork,
    *,
    actor: Account | Principal | None,
    action: str,
    at: datetime,
    target: str | None = None,
    address: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    uow.session.add(
        AuditEntry(
            at=at,
            actor_id=actor.id if actor is not None else None,
            actor_role=actor.role if actor is not None else None,
            action=action,
            target=target,
            address=address,
            details=details or {},
        )
    )


async def entries(
    session: AsyncSession,
    *,
    action: str | None = None,
    actor_id: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Newest first."""
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action is not None:
        q = q.where(AuditEntry.action == action)
    if actor_id is not None:
        q = q.where(AuditEntry.actor_id == actor_id)
    return [
        {
            "id": e.id,
            "at": e.at,
            "actor_id": e.actor_id,
            "actor_role": e.actor_role,
            "action": e.action,
            "target": e.target,
            "address": e.address,
            "details": e.details,
        }
        for e in (await session.scalars(q)).all()
    ]
