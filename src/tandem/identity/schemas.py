"""Pydantic I/O for accounts and login."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["agent", "supervisor", "admin"]
Presence = Literal["online", "away", "break", "offline"]


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class AccountOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: Role
    skills: list[str]
    max_concurrent: int
    presence: Presence
    team: str | None = None
    shift: str | None = None
    # The shop's time zone (its policy's): the staff pages tell every time in it. Only on
    # /auth/me.
    timezone: str | None = None


class AccountIn(BaseModel):
    """A new staff account, created by a supervisor in the control room."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    display_name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=8, max_length=200)
    role: Role = "agent"
    skills: list[str] = Field(default_factory=list, max_length=10)
    max_concurrent: int = Field(default=3, ge=1, le=20)
    team: str | None = Field(default=None, max_length=40)
    shift: str | None = Field(default=None, max_length=24)


class AccountPatch(BaseModel):
    """What a supervisor changes on an account; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")
    display_name: str | None = Field(default=None, max_length=100)
    role: Role | None = None
    skills: list[str] | None = Field(default=None, max_length=10)
    max_concurrent: int | None = Field(default=None, ge=1, le=20)
    team: str | None = Field(default=None, max_length=40)
    shift: str | None = Field(default=None, max_length=24)


class LoginOut(BaseModel):
    token: str
    account: AccountOut


class PresenceIn(BaseModel):
    presence: Presence
