"""A customer sends a photo or short video as a message (docs/api.md, "Attachments"): the
file is checked and cleaned (tandem.attachments), stored, and its message takes a turn."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from tandem.attachments.evidence import attachment_ref
from tandem.attachments.media import Limits, Rejected, prepare
from tandem.attachments.models import Attachment
from tandem.attachments.routes import AttachmentRefused, store_of
from tandem.attachments.service import RECEIVED, StoredUpload, pending_evidence_payload
from tandem.attachments.storage import new_key
from tandem.attachments.wording import PLACEHOLDER
from tandem.contacts.service import require_not_blocked
from tandem.conversations.schemas import SendMessageIn, SendMessageOut
from tandem.conversations.service import add_message, require_customer_conversation, stored_turn
from tandem.core.ids import new_id
from tandem.deps import BearerDep, ServicesDep
from tandem.desk.service import desk_view_in
from tandem.turns.facts import queue_of
from tandem.turns.routes import _message_out, _state_out
from tandem.turns.service import Store, TurnDeps, TurnGate, TurnResult, take_customer_turn

router = APIRouter(tags=["attachments"])


async def send_attachment(
    store: Store,
    deps: TurnDeps,
    gate: TurnGate,
    conversation_id: str,
    token: str | None,
    upload: StoredUpload,
    caption: str,
    client_msg_id: str | None,
    *,
    admit: Callable[[str], Awaitable[None]] | None = None,
) -> TurnResult:
    """The upload becomes a customer message carrying the attachment.

    With words, or while the AI waits for exactly this evidence, it is a full turn (the
    engine decides; a return waiting for a photo is asked again, with it). A bare photo
    otherwise is kept and acknowledged, with a question for what happened.
    """
    p = upload.prepared
    now = deps.clock.now()
    async with store.unit_of_work() as uow:
        conversation = await require_customer_conversation(uow.session, conversation_id, token)
        if client_msg_id and (
            stored := await stored_turn(uow.session, conversation, client_msg_id)
        ):
            queue = await queue_of(uow.session, conversation, now)
            return TurnResult(stored[0], stored[1], conversation, queue)
        row = Attachment(
            id=upload.id,
            conversation_id=conversation.id,
            message_id=None,
            kind=p.kind,
            content_type=p.content_type,
            size_bytes=len(p.data),
            width=p.width,
            height=p.height,
            sha256=p.sha256,
            storage_key=upload.storage_key,
            thumbnail_key=upload.thumbnail_key,
            uploaded_by="customer",
            created_at=now,
        )
        uow.session.add(row)
        await uow.session.flush()
        refs = [attachment_ref(row)]
        language = conversation.language if conversation.language in ("zh", "en") else "zh"
        text = caption.strip()
        payload = await pending_evidence_payload(uow.session, conversation)
        if not (text or payload or conversation.state == "resolved"):
            if admit is not None:
                await admit(conversation_id)
            message = await add_message(
                uow,
                conversation,
                author="customer",
                text=PLACEHOLDER[(p.kind, language)],
                client_msg_id=client_msg_id,
                meta={"attachments": refs},
                desk_view=desk_view_in(conversation.language),
            )
            replies = []
            if conversation.state == "bot":
                replies.append(
                    await add_message(
                        uow,
                        conversation,
                        author="bot",
                        text=RECEIVED[(p.kind, language)],
                        reply_to=message.id,
                        meta={"key": "attachment_received", "rule": "attachment_received"},
                    )
                )
            row.message_id = message.id
            queue = await queue_of(uow.session, conversation, now)
            return TurnResult(message, replies, conversation, queue)
    # The attachment row is committed; the turn stores the message that carries it.
    body = SendMessageIn(
        text=text or PLACEHOLDER[(p.kind, language)], client_msg_id=client_msg_id, payload=payload
    )
    try:
        turn = await take_customer_turn(
            store, deps, gate, conversation_id, token, body, admit=admit, attachments=refs
        )
    except BaseException:
        await discard(store, upload.id)
        raise
    async with store.unit_of_work() as uow:
        stored_row = await uow.session.get(Attachment, upload.id)
        if stored_row is not None:
            stored_row.message_id = turn.message.id
    return turn


async def discard(store: Store, attachment_id: str) -> None:
    """Forget an attachment whose message was never stored (nothing points at it)."""
    async with store.unit_of_work() as uow:
        row = await uow.session.get(Attachment, attachment_id)
        if row is not None and row.message_id is None:
            await uow.session.delete(row)


def _out(turn: TurnResult) -> SendMessageOut:
    return SendMessageOut(
        message=_message_out(turn.message),
        replies=[_message_out(r) for r in turn.replies],
        conversation=_state_out(turn.conversation, turn.queue),
    )


# The request body of an upload: the largest file the settings allow fits well inside it
# (the exact per-kind limits are checked on the bytes read).
UPLOAD_BODY_LIMIT = 64 * 1024 * 1024


@router.post(
    "/api/v1/conversations/{conversation_id}/attachments",
    status_code=201,
    response_model=SendMessageOut,
    max_body_size=UPLOAD_BODY_LIMIT,
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
        await require_not_blocked(session, conversation)
        language = conversation.language
        if client_msg_id and (previous := await stored_turn(session, conversation, client_msg_id)):
            queue = await queue_of(session, conversation, services.clock.now())
            return _out(TurnResult(previous[0], previous[1], conversation, queue))
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
        turn = await send_attachment(
            services,
            services.turn_deps,
            services.turn_gate,
            conversation_id,
            token,
            stored,
            text,
            client_msg_id,
            admit=services.rate_limiter.check,
        )
    except BaseException:
        # Not stored: the files go too (nothing points at them).
        await store.delete(key)
        if thumb_key:
            await store.delete(thumb_key)
        raise
    if not any(
        a.get("id") == attachment_id for a in (turn.message.meta or {}).get("attachments", [])
    ):
        # A retry answered with the message stored the first time: this copy is not needed.
        await discard(services, attachment_id)
        await store.delete(key)
        if thumb_key:
            await store.delete(thumb_key)
    return _out(turn)
