"""Accounts, skills, caps, teams and shifts, managed by a supervisor in the control room (the
CLI's `tandem user` does the same from a shell). Every change is audited with what it was and
what it became; only an admin makes or changes an admin."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.core.errors import Forbidden, InvalidInput
from tandem.db.uow import UnitOfWork
from tandem.desk.service import TRANSFER_SKILLS
from tandem.identity import audit
from tandem.identity import service as identity
from tandem.identity.models import Account
from tandem.identity.service import Principal
from tandem.routing import policy

SKILLS = frozenset(TRANSFER_SKILLS)
ADMIN_ONLY = (
    "只有管理员可以创建或修改管理员账号。 / Only an admin creates or changes an admin account."
)


def read_shift(changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` with its shift, if any, read as routing reads it and written back the one
    way ("9:00~18:00" -> "09:00-18:00"); a shift that does not read is a clear 400."""
    if "shift" not in changes:
        return changes
    try:
        return {**changes, "shift": policy.normalise_shift(changes["shift"])}
    except policy.ShiftError as e:
        raise InvalidInput(str(e)) from e


def staff_dict(a: Account) -> dict[str, Any]:
    return {
        "id": a.id,
        "username": a.username,
        "display_name": a.display_name,
        "role": a.role,
        "skills": list(a.skills or []),
        "max_concurrent": a.max_concurrent,
        "presence": a.presence,
        "team": a.team,
        "shift": a.shift,
    }


async def staff(session: AsyncSession) -> list[dict[str, Any]]:
    rows = (await session.scalars(select(Account).order_by(Account.display_name))).all()
    return [staff_dict(a) for a in rows]


async def create(
    uow: UnitOfWork, hasher: PasswordHasher, actor: Principal, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    if body.get("role") == "admin" and actor.role != "admin":
        raise Forbidden(ADMIN_ONLY)
    body = read_shift(body)
    account = await identity.create_account(
        uow.session,
        hasher,
        username=body["username"].strip(),
        password=body["password"],
        role=body.get("role") or "agent",
        display_name=body["display_name"],
        skills=[],
        max_concurrent=body.get("max_concurrent") or 3,
    )
    await identity.update_account(
        uow.session,
        account.id,
        {k: body.get(k) for k in ("skills", "team", "shift")},
        allowed_skills=SKILLS,
    )
    await audit.record(
        uow,
        actor=actor,
        action="account_created",
        at=now,
        target=account.id,
        details={"username": account.username, "role": account.role, "skills": account.skills},
    )
    return staff_dict(account)


async def update(
    uow: UnitOfWork, actor: Principal, account_id: str, changes: dict[str, Any], now: datetime
) -> dict[str, Any]:
    target = await uow.session.get(Account, account_id)
    if (
        target is not None
        and actor.role != "admin"
        and (target.role == "admin" or changes.get("role") == "admin")
    ):
        raise Forbidden(ADMIN_ONLY)
    account, changed = await identity.update_account(
        uow.session, account_id, read_shift(changes), allowed_skills=SKILLS
    )
    if changed:
        await audit.record(
            uow, actor=actor, action="account_changed", at=now, target=account.id, details=changed
        )
    return staff_dict(account)
