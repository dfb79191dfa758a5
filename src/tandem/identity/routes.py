"""Login, logout and who-am-I for desk accounts."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from tandem.core.errors import Unauthorized
from tandem.deps import SESSION_COOKIE, AgentDep, ServicesDep, SupervisorDep, staff_token
from tandem.identity import audit, service
from tandem.identity.models import Account
from tandem.identity.schemas import AccountOut, LoginIn, LoginOut
from tandem.identity.service import SESSION_TTL
from tandem.identity.throttle import LoginThrottle
from tandem.services import Services

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
        team=a.team,
        shift=a.shift,
    )


def _throttle(services: Services) -> LoginThrottle:
    throttle = services.extras.setdefault("login_throttle", LoginThrottle())
    assert isinstance(throttle, LoginThrottle)
    return throttle


@router.post("/login", response_model=LoginOut)
async def login(
    body: LoginIn, request: Request, response: Response, services: ServicesDep
) -> LoginOut:
    throttle = _throttle(services)
    address = request.client.host if request.client else "unknown"
    throttle.check(body.username, address)
    try:
        async with services.unit_of_work() as uow:
            token, account = await service.log_in(
                uow.session,
                services.hasher,
                body.username,
                body.password,
                idle=timedelta(minutes=services.settings.session_idle_minutes),
            )
            out = LoginOut(token=token, account=account_out(account))
            await audit.record(
                uow,
                actor=account,
                action="login",
                target=account.id,
                at=services.clock.now(),
                address=address,
            )
    except Unauthorized:
        throttle.failed(body.username, address)
        async with services.unit_of_work() as uow:
            await audit.record(
                uow,
                actor=None,
                action="login_failed",
                target=body.username[:64],
                at=services.clock.now(),
                address=address,
            )
        raise
    throttle.succeeded(body.username, address)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=services.settings.cookie_secure or request.url.scheme == "https",
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
        out = account_out(account)
    return out.model_copy(update={"timezone": services.shop.policy.service_hours.timezone})


@router.get("/audit", tags=["audit"])
async def audit_log(
    services: ServicesDep,
    supervisor: SupervisorDep,
    action: Annotated[str | None, Query(max_length=40)] = None,
    actor_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Who did what, when, from where (logins, refunds, approvals, reveals, exports...).
    Supervisors and admins only; newest first."""
    async with services.sessions() as session:
        return await audit.entries(session, action=action, actor_id=actor_id, limit=limit)
