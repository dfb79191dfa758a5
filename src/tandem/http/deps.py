"""Generic FastAPI dependencies of the edge: bearer tokens and the desk's session cookie.

Imports no domain: who a token belongs to is answered at the composition root (`tandem.deps`).
Every dependency here is `async def`, though none awaits: FastAPI runs a plain `def` dependency
in its thread pool, a thread hop on every request for a dictionary lookup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

SESSION_COOKIE = "tandem_session"
_bearer = HTTPBearer(auto_error=False)


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str | None:
    return credentials.credentials if credentials else None


BearerDep = Annotated[str | None, Depends(bearer_token)]


async def staff_token(request: Request, bearer: BearerDep) -> str | None:
    return bearer or request.cookies.get(SESSION_COOKIE)
