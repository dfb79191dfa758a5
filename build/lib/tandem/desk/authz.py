"""Who may do what on the desk, in one place.

Every desk, shop-desk and audit route asks here before acting, so a rule is stated once and
the matrix test (`tests/desk/test_authz_matrix.py`) can hold every endpoint to it:

- a *supervisor* (or admin) may see and act in any conversation, and reveal in any;
- an *agent* sees a conversation they own, or one waiting in a queue they serve (its skill and
  language: to claim it); they act (reply, transfer, resolve, orders, proposals) only in one
  they own; they reveal masked words only in their own;
- only an agent with the skill (and language) claims a queued conversation, so the
  supervisors' queue is for supervisors;
- money: an order is acted on only inside a conversation whose customer it is, and a refund
  is within the actor's role limit from the shop's written policy.

Messages are Chinese first, English after: the desk shows them as they come.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations import service as conversations
from tandem.conversations.models import Conversation
from tandem.core.errors import Forbidden
from tandem.identity.models import Account
from tandem.identity.service import Principal
from tandem.routing import policy
from tandem.routing import service as routing
from tandem.shop.policy_config import ShopPolicy
from tandem.shop.types import ActionKind, ActionRequest, Order, yuan

NOT_YOURS = (
    "这个会话不归您处理：只有接待它的客服或主管可以操作。"
    " / This conversation is not yours: only its agent (or a supervisor) acts on it."
)
NOT_VISIBLE = (
    "您无权查看这个会话：只能查看自己接待的会话，或您所在技能组排队中的会话。"
    " / You may open only your own conversations or those waiting in a queue you serve."
)


def queue_skill(c: Conversation) -> str:
    return c.skill or routing.DEFAULT_SKILL


def serves(account: Account, c: Conversation) -> bool:
    """The account has the conversation's skill and speaks its language (routing's rules)."""
    skills = routing.skills_of(account)
    state = policy.AgentState(agent_id=account.id, presence=account.presence, skills=skills)
    return queue_skill(c) in skills and policy.speaks(state, c.language)


def owns(principal: Principal, c: Conversation) -> bool:
    return c.state == "agent" and c.assigned_agent_id == principal.id


async def require_visible(
    session: AsyncSession, principal: Principal, conversation_id: str
) -> Conversation:
    """The conversation, if `principal` may read it (transcript, packet, copilot, orders)."""
    c = await conversations.require_conversation(session, conversation_id)
    if principal.is_supervisor or owns(principal, c):
        return c
    if c.state == "queued":
        account = await session.get(Account, principal.id)
        if account is not None and serves(account, c):
            return c
    raise Forbidden(NOT_VISIBLE)


async def require_owned(
    session: AsyncSession, principal: Principal, conversation_id: str
) -> Conversation:
    """A live conversation `principal` owns; a supervisor may step into any live one."""
    c = await conversations.require_conversation(session, conversation_id)
    if owns(principal, c) or (principal.is_supervisor and c.state == "agent"):
        return c
    raise Forbidden(NOT_YOURS)


def require_can_claim(account: Account, c: Conversation) -> None:
    """Claiming by hand needs what automatic assignment needs: the skill and the language."""
    if serves(account, c):
        return
    if queue_skill(c) == routing.SUPERVISOR_SKILL:
        raise Forbidden(
            "这个会话已升级到主管队列，只有主管可以接入。"
            " / This conversation was escalated to the supervisors' queue: a supervisor takes it."
        )
    raise Forbidden(
        f"您没有接待这个会话所需的技能（{queue_skill(c)}，语言 {c.language}）："
        "请留给有该技能的同事，或请主管为您添加技能。"
        f" / You lack this conversation's skill ({queue_skill(c)}, language {c.language})."
    )


async def require_reveal(
    session: AsyncSession, principal: Principal, conversation_id: str
) -> Conversation:
    """Masked words are shown only in one's own conversation, or to a supervisor."""
    c = await conversations.require_conversation(session, conversation_id)
    if principal.is_supervisor or owns(principal, c):
        return c
    raise Forbidden(
        "只能在自己接待的会话中查看原文。 / You may reveal masked words only in your own conversation."
    )


def require_supervisor(principal: Principal) -> None:
    if not principal.is_supervisor:
        raise Forbidden("这需要主管或管理员账号。 / This needs a supervisor or admin account.")


# --- money --------------------------------------------------------------------------------------


async def require_order_conversation(
    session: AsyncSession, principal: Principal, conversation_id: str | None, customer_id: str
) -> Conversation | None:
    """Agents act on a customer's orders only inside a live conversation they own with that
    customer; a supervisor may act without one (from a ticket), but not on a conversation
    that belongs to another customer."""
    if conversation_id is None:
        if principal.is_supervisor:
            return None
        raise Forbidden(
            "请在您接待的该客户会话中办理订单操作（缺少 conversation_id）。"
            " / Act on an order from a conversation you own with this customer (conversation_id)."
        )
    c = await require_owned(session, principal, conversation_id)
    if c.customer_external_id != customer_id:
        raise Forbidden(
            "这个订单不属于该会话的客户。 / This order's customer is not this conversation's."
        )
    return c


def refund_cents(request: ActionRequest, order: Order) -> int:
    """What the request would pay back: a refund's amount (all that is left by default), or
    a cancellation's refund of what was paid."""
    left = max(order.total_cents - order.refunded_cents, 0)
    if request.kind == ActionKind.REFUND:
        return min(request.amount_cents or left, left)
    if request.kind == ActionKind.CANCEL:
        return left
    return 0


def require_refund_within_limit(
    shop_policy: ShopPolicy, principal: Principal, request: ActionRequest, order: Order
) -> None:
    """A person's refund stays within their role's limit (the shop policy's `refund` section:
    `agent_limit_yuan`, `supervisor_limit_yuan`; admins have none)."""
    limit = shop_policy.refund_limit_cents(principal.role)
    amount = refund_cents(request, order)
    if limit is not None and amount > limit:
        raise Forbidden(
            f"退款 ¥{yuan(amount)} 超出您的权限（单笔上限 ¥{yuan(limit)}）：请升级主管处理。"
            f" / A refund of ¥{yuan(amount)} is above your limit of ¥{yuan(limit)}: "
            "escalate to a supervisor."
        )
