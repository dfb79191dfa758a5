"""Login, logout and who-am-I for desk accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from tandem.deps import SESSION_COOKIE, AgentDep, ServicesDep, staff_token
from tandem.identity import service
from tandem.identity.models import Account
from tandem.identity.schemas import AccountOut, LoginIn, LoginOut
from tandem.identity.service import SESSION_TTL

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def account_out(a: Account) -> AccountOut:
    return AccountOut(
        id=a.id,
        username=a.username,
        display_name=a.display_name,
        role=a.role,
        skills=list(a.skills or []),
        max_concurrent=a.max_concurrent,
        presence=a.presence,
    )


@router.post("/login", response_model=LoginOut)
async def login(body: LoginIn, response: Response, services: ServicesDep) -> LoginOut:
    services.login_limiter.check(body.username.lower())
    async with services.unit_of_work() as uow:
        token, account = await service.log_in(
            uow.session, services.hasher, body.username, body.password
        )
        out = LoginOut(token=token, account=account_out(account))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        max_age=int(SESSION_TTL.total_seconds()),
        path="/",
    )
    return out


@router.post("/logout", status_code=204)
async def logout(
    services: ServicesDep, principal: AgentDep, token: Annotated[str | None, Depends(staff_token)]
) -> Response:
    async with services.unit_of_work() as uow:
        await service.log_out(uow.session, token or "")
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=AccountOut)
async def me(services: ServicesDep, principal: AgentDep) -> AccountOut:
    async with services.sessions() as session:
        account = await session.get(Account, principal.id)
        assert account is not None
        return account_out(account)
