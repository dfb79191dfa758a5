"""Pydantic I/O for accounts and login."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

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


class LoginOut(BaseModel):
    token: str
    account: AccountOut


class PresenceIn(BaseModel):
    presence: Presence
