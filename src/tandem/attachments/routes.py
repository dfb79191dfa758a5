"""Attachment HTTP routes: a customer uploads a photo or video as a message; the people
allowed to see it fetch it (docs/api.md, "Attachments")."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError

from tandem.attachments import service
from tandem.attachments.media import Limits, Rejected, prepare
from tandem.attachments.service import StoredUpload
from tandem.attachments.storage import AttachmentStore, build_store, new_key
from tandem.attachments.wording import rejection_text
from tandem.contacts.service import require_not_blocked
from tandem.conversations.routes import _message_out, _state_out
from tandem.conversations.schemas import SendMessageOut
from tandem.conversations.service import TurnResult, find_turn, require_customer_conversation
from tandem.core.errors import Conflict, NotFound, TandemError
from tandem.core.ids import new_id
from tandem.http.deps import SESSION_COOKIE, BearerDep, ServicesDep
from tandem.http.services import Services
from tandem.identity.service import account_for_token, principal_of

router = APIRouter(tags=["attachments"])
STORE = "attachment_store"


class AttachmentRefused(TandemError):
    """A file we will not keep, said in the customer's language."""

    def __init__(self, rejected: Rejected, language: str) -> None:
        super().__init__(rejection_text(rejected, language))
        self.code = rejected.code
        self.status_code = 413 if rejected.code.endswith("too_large") else 422


def store_of(services: Services) -> AttachmentStore:
    """The store the settings name, built once per app (kept with the other services)."""
    store = services.extras.get(STORE)
    if store is None:
        store = services.extras[STORE] = build_store(services.settings)
    return store


def _out(turn: TurnResult) -> SendMessageOut:
    return SendMessageOut(
        message=_message_out(turn.message),
        replies=[_message_out(r) for r in turn.replies],
        conversation=_state_out(turn.conversation, turn.queue),
    )


@router.post(
    "/api/v1/conversations/{conversation_id}/attachments",
    status_code=201,
    response_model=SendMessageOut,
)
async def upload(
    conversation_id: str,
    services: ServicesDep,
    token: BearerDep,
    file: Annotated[UploadFile | None, File()] = None,
    text: Annotated[str, Form(max_length=2000)] = "",
    client_msg_id: Annotated[str | None, Form(max_length=100)] = None,
) -> SendMessageOut:
    """Send a photo or short video (multipart `file`, optional caption `text`), stored and
    shown as the customer's message. The same `client_msg_id` again stores nothing twice."""
    settings = services.settings
    async with services.sessions() as session:
        conversation = await require_customer_conversation(session, conversation_id, token)
        language = conversation.language
        await require_not_blocked(session, conversation)
        if client_msg_id:
            previous = await find_turn(session, conversation, client_msg_id)
            if previous is not None:
                return _out(previous)
    if file is None:
        raise AttachmentRefused(Rejected("no_file"), language)
    limits = Limits(settings.attachment_max_image_bytes, settings.attachment_max_video_bytes)
    # Read one byte past the largest limit: enough to know it is too big, never the whole.
    raw = await file.read(max(limits.max_image_bytes, limits.max_video_bytes) + 1)
    try:
        prepared = await asyncio.to_thread(prepare, raw, limits)
    except Rejected as rejected:
        raise AttachmentRefused(rejected, language) from None
    attachment_id = new_id("att")
    store = store_of(services)
    key = new_key(attachment_id, prepared.extension)
    thumb_key = new_key(attachment_id + "_t", "jpg") if prepared.thumbnail else None
    await store.put(key, prepared.data, prepared.content_type)
    if thumb_key and prepared.thumbnail:
        await store.put(thumb_key, prepared.thumbnail, "image/jpeg")
    stored = StoredUpload(attachment_id, prepared, key, thumb_key)
    try:
        async with services.unit_of_work() as uow:
            conversation = await require_customer_conversation(uow.session, conversation_id, token)
            await require_not_blocked(uow.session, conversation)
            services.rate_limiter.check(conversation_id)
            turn = await service.send_attachment(
                uow, services.turn_deps, conversation, stored, text, client_msg_id
            )
            result = _out(turn)
    except BaseException as exc:
        # Not stored: the files go too (nothing points at them).
        await store.delete(key)
        if thumb_key:
            await store.delete(thumb_key)
        if isinstance(exc, IntegrityError) and client_msg_id:
            return await _raced(services, conversation_id, token, client_msg_id)
        raise
    return result


async def _raced(
    services: Services, conversation_id: str, token: str | None, client_msg_id: str
) -> SendMessageOut:
    """The same upload arrived twice at once: the other request stored it; answer with that."""
    async with services.sessions() as session:
        conversation = await require_customer_conversation(session, conversation_id, token)
        previous = await find_turn(session, conversation, client_msg_id)
    if previous is None:
        raise Conflict("the file could not be stored; send it again")
    return _out(previous)


async def _content(
    attachment_id: str, request: Request, services: Services, bearer: str | None, thumb: bool
) -> Response:
    async with services.sessions() as session:
        staff = None
        staff_token = bearer or request.cookies.get(SESSION_COOKIE)
        if staff_token:
            account = await account_for_token(session, staff_token)
            staff = principal_of(account) if account is not None else None
        attachment = await service.require_viewable(
            session, attachment_id, customer_token=bearer, staff=staff
        )
    key = attachment.thumbnail_key if thumb else attachment.storage_key
    if key is None:
        raise NotFound("this attachment has no thumbnail: fetch the attachment itself")
    try:
        data = await store_of(services).get(key)
    except KeyError:
        raise NotFound("the file of this attachment is missing from the store") from None
    return Response(
        data,
        media_type="image/jpeg" if thumb else attachment.content_type,
        headers={
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
        },
    )


@router.get("/api/v1/attachments/{attachment_id}")
async def attachment_content(
    attachment_id: str, request: Request, services: ServicesDep, bearer: BearerDep
) -> Response:
    """The file (a clean re-encoded image, or the video) for the conversation's customer
    (Bearer customer token), the agent who owns the conversation, or a supervisor."""
    return await _content(attachment_id, request, services, bearer, thumb=False)


@router.get("/api/v1/attachments/{attachment_id}/thumbnail")
async def attachment_thumbnail(
    attachment_id: str, request: Request, services: ServicesDep, bearer: BearerDep
) -> Response:
    """A small JPEG of an image attachment (same access as the attachment)."""
    return await _content(attachment_id, request, services, bearer, thumb=True)


__all__ = ["router"]
