"""Channel endpoints (docs/channels.md): the inbound webhook, a customer's email, the delivery
log for supervisors. Thin: each opens one unit of work and calls channels.service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tandem.channels import service
from tandem.channels.dispatcher import Dispatcher
from tandem.channels.models import Delivery
from tandem.channels.schemas import (
    DeliveriesOut,
    DeliveryOut,
    EmailIn,
    InboundOut,
    InboundWebhook,
)
from tandem.channels.signing import SignatureError, verify
from tandem.conversations.service import require_customer_conversation
from tandem.core.errors import Conflict, InvalidInput, TandemError, Unauthorized
from tandem.deps import BearerDep, ServicesDep, SupervisorDep
from tandem.services import Services


class NotConfigured(TandemError):
    """The shop has not switched this channel on: for the caller it does not exist (a 5xx
    would say the server is broken, and make a sender retry for ever)."""

    status_code = 404
    code = "not_configured"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    services: Services = app.state.services
    dispatcher = Dispatcher(services)
    services.extras["channels"] = dispatcher
    await dispatcher.start()
    try:
        yield
    finally:
        await dispatcher.stop()


router = APIRouter(prefix="/api/v1/channels", tags=["channels"], lifespan=lifespan)


def _dispatcher(services: Services) -> Dispatcher | None:
    d = services.extras.get("channels")
    return d if isinstance(d, Dispatcher) else None


@router.post("/webhook", response_model=InboundOut)
async def inbound_webhook(request: Request, services: ServicesDep) -> InboundOut:
    """A customer message from another platform, signed per Standard Webhooks."""
    settings = services.settings
    if not settings.webhook_inbound_secret:
        raise NotConfigured(
            "Webhook 渠道未开启：请设置 TANDEM_WEBHOOK_INBOUND_SECRET (the webhook channel is off: "
            "set TANDEM_WEBHOOK_INBOUND_SECRET)"
        )
    body = await request.body()
    try:
        webhook_id = verify(
            settings.webhook_inbound_secret,
            dict(request.headers),
            body,
            services.clock.now(),
            settings.webhook_tolerance_seconds,
        )
    except SignatureError as e:
        raise Unauthorized(f"签名校验失败 (signature check failed): {e}") from None
    try:
        message = InboundWebhook.model_validate_json(body)
    except ValidationError as e:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in e.errors()
        )
        raise InvalidInput(
            "消息格式不对 (the webhook body is not a message.received payload): " + details
        ) from None
    if not message.data.text.strip() and not message.data.payload:
        raise InvalidInput("消息内容为空 (data.text is empty: send the customer's words)")
    try:
        async with services.sessions() as session:
            stored = await service.find_receipt(session, webhook_id)
        if stored is not None:
            return InboundOut.model_validate(stored.response | {"duplicate": True})
        out = await service.take_inbound(
            services, settings, services.turn_deps, services.turn_gate, webhook_id, message.data
        )
    except IntegrityError:
        # The same webhook-id (or message_id) raced in twice: answer with the stored result.
        async with services.sessions() as session:
            stored = await service.find_receipt(session, webhook_id)
        if stored is None:
            raise Conflict(
                "这条消息正在处理，请稍后重发 (being processed: send it again)"
            ) from None
        return InboundOut.model_validate(stored.response | {"duplicate": True})
    if (d := _dispatcher(services)) is not None:
        d.follows(out.conversation_id)
    return out


@router.post("/conversations/{conversation_id}/email", status_code=201)
async def follow_by_email(
    conversation_id: str, body: EmailIn, services: ServicesDep, token: BearerDep
) -> dict[str, str]:
    """The customer leaves an address: an agent's answer reaches it if the chat is closed."""
    async with services.unit_of_work() as uow:
        conversation = await require_customer_conversation(uow.session, conversation_id, token)
        await service.follow_by_email(uow, conversation, body.email, services.clock.now())
    if (d := _dispatcher(services)) is not None:
        d.follows(conversation_id)
    return {"email": body.email, "status": "following"}


@router.post("/conversations/{conversation_id}/transcript", status_code=202)
async def email_transcript(
    conversation_id: str, body: EmailIn, services: ServicesDep, token: BearerDep
) -> dict[str, str]:
    async with services.unit_of_work() as uow:
        conversation = await require_customer_conversation(uow.session, conversation_id, token)
        delivery = await service.queue_transcript(
            uow, conversation, body.email, services.clock.now()
        )
        delivery_id = delivery.id
    if (d := _dispatcher(services)) is not None:
        d.wake()
    return {"delivery_id": delivery_id, "status": "queued"}


def _out(d: Delivery) -> DeliveryOut:
    return DeliveryOut.model_validate(d, from_attributes=True)


@router.get("/deliveries", response_model=DeliveriesOut)
async def list_deliveries(
    services: ServicesDep,
    _who: SupervisorDep,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|failed)$")] = None,
    conversation_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveriesOut:
    """The delivery log, newest first."""
    async with services.sessions() as session:
        q = select(Delivery).order_by(Delivery.created_at.desc(), Delivery.seq.desc()).limit(limit)
        if status:
            q = q.where(Delivery.status == status)
        if conversation_id:
            q = q.where(Delivery.conversation_id == conversation_id)
        rows = (await session.scalars(q)).all()
        counts = dict(
            (
                await session.execute(
                    select(Delivery.status, func.count()).group_by(Delivery.status)
                )
            ).all()
        )
    return DeliveriesOut(
        deliveries=[_out(d) for d in rows], counts={k: int(v) for k, v in counts.items()}
    )


@router.post("/deliveries/{delivery_id}/replay", response_model=DeliveryOut)
async def replay_delivery(
    delivery_id: str, services: ServicesDep, _who: SupervisorDep
) -> DeliveryOut:
    """Send a delivery again (same webhook-id: a receiver that had it can tell)."""
    async with services.unit_of_work() as uow:
        d = await service.replay(uow.session, delivery_id, services.clock.now())
        out = _out(d)
    if (disp := _dispatcher(services)) is not None:
        disp.wake()
    return out
