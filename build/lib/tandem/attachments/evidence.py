"""Stored attachments as evidence: what the message path asks of this package.

Two hooks, both read-only: `with_evidence` hands the shop's policy the customer's photos and
videos for a return or exchange (the policy needs evidence for a quality claim, and reads it
from `ActionRequest.evidence_urls`); `packet_attachments` lists them for the hand-off packet.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.attachments.models import Attachment
from tandem.shop.types import ActionKind, ActionRequest

# ActionRequest.evidence_urls holds at most nine (the shop's own limit on a claim's photos).
MAX_EVIDENCE = 9
_NEEDS_EVIDENCE = (ActionKind.RETURN, ActionKind.EXCHANGE)


def attachment_url(attachment_id: str) -> str:
    return f"/api/v1/attachments/{attachment_id}"


def attachment_ref(a: Attachment) -> dict[str, Any]:
    """How a message carries an attachment (conversations.schemas.AttachmentRefOut)."""
    url = attachment_url(a.id)
    return {
        "id": a.id,
        "kind": a.kind,
        "content_type": a.content_type,
        "size_bytes": a.size_bytes,
        "width": a.width,
        "height": a.height,
        "url": url,
        "thumbnail_url": f"{url}/thumbnail" if a.thumbnail_key else None,
    }


async def customer_attachments(session: AsyncSession, conversation_id: str) -> list[Attachment]:
    """The customer's photos and videos in this conversation, oldest first."""
    rows = await session.scalars(
        select(Attachment)
        .where(Attachment.conversation_id == conversation_id, Attachment.uploaded_by == "customer")
        .order_by(Attachment.created_at, Attachment.id)
    )
    return list(rows)


async def with_evidence(
    session: AsyncSession, conversation_id: str, request: ActionRequest
) -> ActionRequest:
    """`request` with the conversation's photos and videos as its evidence (returns and
    exchanges only, and only when the request names none of its own)."""
    if request.kind not in _NEEDS_EVIDENCE or request.evidence_urls:
        return request
    found = await customer_attachments(session, conversation_id)
    if not found:
        return request
    urls = tuple(attachment_url(a.id) for a in found[-MAX_EVIDENCE:])
    return request.model_copy(update={"evidence_urls": urls})


async def packet_attachments(session: AsyncSession, conversation_id: str) -> dict[str, Any]:
    """`{"attachments": [...]}` for the hand-off packet, or `{}` when the customer sent none."""
    found = await customer_attachments(session, conversation_id)
    return {"attachments": [attachment_ref(a) for a in found]} if found else {}
