"""FastAPI dependencies of the composition root: the services container and who is calling.

The routes of every package reach the container through these (FastAPI's dependency
injection is how the edge is handed what it needs). Handlers open their unit of work
explicitly (`async with services.unit_of_work() as uow`), so the commit happens before the
response is built: an acknowledged message is a stored message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from tandem.conversations.service import require_customer_conversation
from tandem.core.errors import Forbidden, Unauthorized
from tandem.http.deps import SESSION_COOKIE, BearerDep, staff_token
from tandem.identity.service import (
    SIGN_IN_AGAIN,
    Principal,
    principal_for_session,
    principal_in_writer,
)
from tandem.services import Services

__all__ = [
    "SESSION_COOKIE",
    "AgentDep",
    "BearerDep",
    "CustomerAccess",
    "CustomerDep",
    "ServicesDep",
    "SupervisorDep",
    "principal_for_token",
    "staff_token",
]


async def get_services(request: Request) -> Services:
    # async: a plain `def` dependency runs in FastAPI's thread pool (see tandem.http.deps).
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def principal_for_token(services: Services, token: str | None) -> Principal:
    if not token:
        raise Unauthorized(
            "请先登录客服工作台。 / log in to the desk first (POST /api/v1/auth/login)"
        )
    idle = timedelta(minutes=services.settings.session_idle_minutes)
    async with services.sessions() as session:
        principal, renew = await principal_for_session(session, token, idle)
    if renew is not None:
        # The session's idle deadline moves on (at most once a minute): written as a writer,
        # behind this process's other writers, not from a read's (possibly stale) snapshot.
        async with services.unit_of_work() as uow:
            principal = await principal_in_writer(uow.session, token, idle)
    if principal is None:
        raise Unauthorized(SIGN_IN_AGAIN)
    return principal


async def require_agent(
    services: ServicesDep, token: Annotated[str | None, Depends(staff_token)]
) -> Principal:
    return await principal_for_token(services, token)


AgentDep = Annotated[Principal, Depends(require_agent)]


async def require_supervisor(principal: AgentDep) -> Principal:
    if not principal.is_supervisor:
        raise Forbidden("this needs a supervisor or admin account")
    return principal


SupervisorDep = Annotated[Principal, Depends(require_supervisor)]


@dataclass(frozen=True)
class CustomerAccess:
    conversation_id: str
    external_id: str | None


async def require_customer(
    conversation_id: str, services: ServicesDep, token: BearerDep
) -> CustomerAccess:
    async with services.sessions() as session:
        conversation = await require_customer_conversation(session, conversation_id, token)
    return CustomerAccess(conversation.id, conversation.customer_external_id)


CustomerDep = Annotated[CustomerAccess, Depends(require_customer)]
