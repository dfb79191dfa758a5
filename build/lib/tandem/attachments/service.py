"""Attachment use cases: keep an upload as a customer message, find it again for viewing.

Services never commit: the HTTP handler owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.attachments.media import Prepared
from tandem.attachments.models import Attachment
from tandem.conversations.models import Conversation
from tandem.core.errors import Forbidden, NotFound, Unauthorized
from tandem.engine.memory import EngineMemory
from tandem.identity.service import Principal
from tandem.identity.signing import hash_token
from tandem.shop.chat import action_payload
from tandem.shop.models import ShopAction
from tandem.shop.types import ActionRequest

# A photo with no words while nothing was asked for: thank, and ask what happened (the engine
# cannot read a picture, and guessing from "[图片]" would be a guess).
RECEIVED = {
    (
        "image",
        "zh",
    ): "收到您的图片了。请简单说一下遇到了什么问题（哪个订单、哪里不对），我马上为您处理。",
    ("image", "en"): "Got your photo. Tell me briefly what the problem is (which order, what is "
    "wrong) and I will take care of it.",
    (
        "video",
        "zh",
    ): "收到您的视频了。请简单说一下遇到了什么问题（哪个订单、哪里不对），我马上为您处理。",
    ("video", "en"): "Got your video. Tell me briefly what the problem is (which order, what is "
    "wrong) and I will take care of it.",
}


@dataclass(frozen=True)
class StoredUpload:
    """A prepared file already written to the store under these keys."""

    id: str
    prepared: Prepared
    storage_key: str
    thumbnail_key: str | None


async def pending_evidence_payload(session: AsyncSession, conversation: Conversation) -> str | None:
    """The shop action that waits for this evidence, as the quick-reply payload that asks
    for it again (`shop:{kind}:{order}:{reason}[:{condition}]`), or None.

    The policy answered "needs evidence" and the AI asked for a photo; the upload is that
    photo, so the same request goes to the policy again, now with the evidence attached.
    """
    if conversation.state != "bot":
        return None
    if EngineMemory.from_json(conversation.engine_state).pending != "evidence":
        return None
    action = await session.scalar(
        select(ShopAction)
        .where(
            ShopAction.conversation_id == conversation.id,
            ShopAction.outcome == "needs_evidence",
        )
        .order_by(ShopAction.at.desc(), ShopAction.id.desc())
        .limit(1)
    )
    if action is None:
        return None
    request = ActionRequest.model_validate((action.details or {}).get("request") or {})
    return action_payload(action.order_id, request)


async def require_viewable(
    session: AsyncSession,
    attachment_id: str,
    *,
    customer_token: str | None,
    staff: Principal | None,
) -> Attachment:
    """The attachment, for its conversation's customer, the agent who owns the conversation
    now, or a supervisor; anyone else is refused without learning whether it exists."""
    if customer_token is None and staff is None:
        raise Unauthorized(
            "send the conversation's customer token (Authorization: Bearer) or log in to the desk"
        )
    attachment = await session.get(Attachment, attachment_id)
    conversation = (
        await session.get(Conversation, attachment.conversation_id) if attachment else None
    )
    if attachment is None or conversation is None:
        raise NotFound("no such attachment")
    if customer_token is not None and conversation.token_hash == hash_token(customer_token):
        return attachment
    if staff is not None and (staff.is_supervisor or conversation.assigned_agent_id == staff.id):
        return attachment
    raise Forbidden("only the conversation's customer, its agent or a supervisor may see this")
