"""Use cases for staff accounts: create, authenticate, sessions, presence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.core.errors import Conflict, InvalidInput, Unauthorized
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


async def log_in(
    session: AsyncSession, hasher: PasswordHasher, username: str, password: str
) -> tuple[str, Account]:
    account = await session.scalar(select(Account).where(Account.username == username))
    if account is None:
        # Same work either way so the response time does not reveal which usernames exist.
        hasher.hash(password)
        raise Unauthorized("wrong username or password")
    try:
        hasher.verify(account.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        raise Unauthorized("wrong username or password") from None
    token = new_token()
    now = clock_of(session).now()
    session.add(
        StaffSession(
            token_hash=hash_token(token),
            account_id=account.id,
            created_at=now,
            expires_at=now + SESSION_TTL,
        )
    )
    return token, account


async def log_out(session: AsyncSession, token: str) -> None:
    await session.execute(delete(StaffSession).where(StaffSession.token_hash == hash_token(token)))


async def account_for_token(session: AsyncSession, token: str) -> Account | None:
    row = await session.get(StaffSession, hash_token(token))
    if row is None or row.expires_at < clock_of(session).now():
        return None
    return await session.get(Account, row.account_id)


async def set_presence(session: AsyncSession, account: Account, presence: str) -> Account:
    if presence not in PRESENCES:
        raise InvalidInput(f"presence must be one of {', '.join(PRESENCES)}")
    if account.presence != presence:
        account.presence = presence
        account.presence_changed_at = clock_of(session).now()
    return account


def password_hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
