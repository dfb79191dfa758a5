"""Use cases for staff accounts: create, authenticate, sessions, presence."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.core.errors import Conflict, InvalidInput, NotFound, Unauthorized
from tandem.core.ids import new_id, new_token
from tandem.db.session import clock_of
from tandem.identity.models import PRESENCES, ROLES, Account, StaffSession
from tandem.identity.signing import hash_token

SESSION_TTL = timedelta(days=7)


@dataclass(frozen=True)
class Principal:
    id: str
    username: str
    display_name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return self.role in ("supervisor", "admin")


def principal_of(account: Account) -> Principal:
    return Principal(account.id, account.username, account.display_name, account.role)


async def create_account(
    session: AsyncSession,
    hasher: PasswordHasher,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    skills: list[str] | None = None,
    max_concurrent: int = 3,
) -> Account:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < 6:
        raise InvalidInput("password must have at least 6 characters")
    if not username.strip():
        raise InvalidInput("username must not be empty")
    existing = await session.scalar(select(Account).where(Account.username == username))
    if existing is not None:
        raise Conflict(f"user {username!r} already exists")
    account = Account(
        id=new_id("acc"),
        username=username,
        display_name=display_name or username,
        password_hash=hasher.hash(password),
        role=role,
        skills=skills or [],
        max_concurrent=max_concurrent,
        presence="offline",
        presence_changed_at=clock_of(session).now(),
    )
    session.add(account)
    await session.flush()
    return account


MAX_CAP = 20


async def update_account(
    session: AsyncSession,
    account_id: str,
    changes: dict[str, Any],
    *,
    allowed_skills: frozenset[str],
) -> tuple[Account, dict[str, Any]]:
    """Change what a supervisor manages: display name, role, skills, cap, team, shift. Returns
    the account and what changed (old, new), for the audit log."""
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound(f"没有这个账号 {account_id}。 / No account {account_id}.")
    changed: dict[str, Any] = {}
    if changes.get("role") is not None and changes["role"] not in ROLES:
        raise InvalidInput(
            f"角色只能是 {'、'.join(ROLES)}。 / role must be one of {', '.join(ROLES)}."
        )
    if "skills" in changes and changes["skills"] is not None:
        unknown = sorted(set(changes["skills"]) - allowed_skills)
        if unknown:
            raise InvalidInput(
                f"未知技能 {', '.join(unknown)}：可选 {', '.join(sorted(allowed_skills))}。"
                f" / Unknown skill {', '.join(unknown)}: choose from {', '.join(sorted(allowed_skills))}."
            )
        changes["skills"] = sorted(dict.fromkeys(changes["skills"]))
    if "max_concurrent" in changes and changes["max_concurrent"] is not None:
        cap = int(changes["max_concurrent"])
        if not 1 <= cap <= MAX_CAP:
            raise InvalidInput(f"接待上限为 1 到 {MAX_CAP}。 / The cap is between 1 and {MAX_CAP}.")
    if "shift" in changes:
        # Read and normalised by the caller (`routing.policy.shifts`, which routing reads).
        changes["shift"] = (changes["shift"] or "").strip() or None
    if "team" in changes:
        changes["team"] = (changes["team"] or "").strip()[:40] or None
    if "display_name" in changes and changes["display_name"] is not None:
        changes["display_name"] = changes["display_name"].strip()
        if not changes["display_name"]:
            raise InvalidInput("显示名不能为空。 / The display name must not be empty.")
    for key in ("display_name", "role", "skills", "max_concurrent", "team", "shift"):
        if key not in changes or (changes[key] is None and key not in ("team", "shift")):
            continue
        old = getattr(account, key)
        if key == "skills":
            old = list(old or [])
        if old != changes[key]:
            changed[key] = {"from": old, "to": changes[key]}
            setattr(account, key, changes[key])
    await session.flush()
    return account, changed


WRONG_PASSWORD = "用户名或密码错误。 / wrong username or password"
SIGN_IN_AGAIN = "登录已过期，请重新登录。 / your session has expired: log in again"


async def check_password(hasher: PasswordHasher, password_hash: str | None, password: str) -> bool:
    """argon2 in a worker thread: it is deliberately slow (tens of ms of CPU), and a flood of
    bad logins must not stall every customer's request on the event loop."""
    if password_hash is None:
        # Same work either way so the response time does not reveal which usernames exist.
        await asyncio.to_thread(hasher.hash, password)
        return False
    try:
        return await asyncio.to_thread(hasher.verify, password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


async def log_in(
    session: AsyncSession,
    hasher: PasswordHasher,
    username: str,
    password: str,
    idle: timedelta = SESSION_TTL,
) -> tuple[str, Account]:
    account = await session.scalar(select(Account).where(Account.username == username))
    if not await check_password(hasher, account.password_hash if account else None, password):
        raise Unauthorized(WRONG_PASSWORD)
    assert account is not None
    token = new_token()
    now = clock_of(session).now()
    session.add(
        StaffSession(
            token_hash=hash_token(token),
            account_id=account.id,
            created_at=now,
            expires_at=now + min(idle, SESSION_TTL),
        )
    )
    return token, account


async def log_out(session: AsyncSession, token: str) -> None:
    await session.execute(delete(StaffSession).where(StaffSession.token_hash == hash_token(token)))


async def account_for_token(session: AsyncSession, token: str) -> Account | None:
    """The account of a live session (without moving its end: `principal_for_session`)."""
    row = await session.get(StaffSession, hash_token(token))
    if row is None or row.expires_at < clock_of(session).now():
        return None
    return await session.get(Account, row.account_id)


async def principal_for_session(
    session: AsyncSession, token: str, idle: timedelta
) -> tuple[Principal | None, datetime | None]:
    """The principal of a live session, read in one SELECT (the session joined to its account,
    no ORM objects), and the session's new end when its renewal is due (the caller writes it
    with `renew_session`, from a writer). (None, None) when there is no such live session.
    Same rules as `account_for_token` with `idle`."""
    row = (
        await session.execute(
            select(
                StaffSession.created_at,
                StaffSession.expires_at,
                Account.id,
                Account.username,
                Account.display_name,
                Account.role,
            )
            .join(Account, Account.id == StaffSession.account_id)
            .where(StaffSession.token_hash == hash_token(token))
        )
    ).first()
    now = clock_of(session).now()
    if row is None or row.expires_at < now:
        return None, None
    principal = Principal(row.id, row.username, row.display_name, row.role)
    renewed = min(row.created_at + SESSION_TTL, now + idle)
    # Written at most once a minute per session, not on every request.
    return principal, renewed if renewed - row.expires_at > timedelta(minutes=1) else None


async def renew_session(session: AsyncSession, token: str, until: datetime) -> None:
    """The session's idle deadline moved on (`principal_for_session` said it is due)."""
    await session.execute(
        update(StaffSession)
        .where(StaffSession.token_hash == hash_token(token))
        .values(expires_at=until)
        .execution_options(synchronize_session=False)
    )


async def principal_in_writer(
    session: AsyncSession, token: str, idle: timedelta
) -> Principal | None:
    """`principal_for_session` inside a writer's transaction: the renewal, when due, is
    written in the same transaction."""
    principal, renew = await principal_for_session(session, token, idle)
    if renew is not None:
        await renew_session(session, token, renew)
    return principal


async def set_presence(session: AsyncSession, account: Account, presence: str) -> Account:
    if presence not in PRESENCES:
        raise InvalidInput(f"presence must be one of {', '.join(PRESENCES)}")
    if account.presence != presence:
        account.presence = presence
        account.presence_changed_at = clock_of(session).now()
    return account


def password_hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
