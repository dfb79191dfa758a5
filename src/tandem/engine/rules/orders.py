"""Rule: work on one of the customer's orders: status, parcel, refunds, returns, address,
urging; through the shop's written policy, as a shop action for the caller to perform
(`after_action` words its outcome)."""

from __future__ import annotations

from dataclasses import replace

from tandem.engine.handoff import PAYLOAD as HANDOFF_PAYLOAD
from tandem.engine.orders import (
    OWN_ORDER,
    STATUS_INTENTS,
    relevant_orders,
    request_for,
    worn_or_used,
)
from tandem.engine.replies import compose, handoff_quick_reply
from tandem.engine.rules.handoff import (
    counted,
    hand_off,
    offer_person,
)
from tandem.engine.rules.knowledge import answer_from_knowledge, rule_answer
from tandem.engine.rules.turn import (
    Turn,
    focus_order,
)
from tandem.engine.rules.unsure import (
    unsure,
)
from tandem.engine.types import (
    BotReply,
    ConversationView,
    Decision,
    Inbound,
    QuickReply,
    ShopAct,
    TurnContext,
)
from tandem.shop.chat import (
    action_payload,
    outcome_reply,
    parcel_reply,
    parse_action_payload,
    pick_order_reply,
    refund_reply,
)
from tandem.shop.policy import evaluate, human_first_reason
from tandem.shop.present import ParcelStatus
from tandem.shop.types import (
    ActionKind,
    ActionRequest,
    ItemCondition,
    Order,
    OrderStatus,
    ReturnReason,
    Verdict,
)


def order_work(turn: Turn, intent: str) -> Decision:
    shop = turn.ctx.shop
    lang = turn.language
    if shop is None or shop.customer is None:
        reply = compose(
            "anonymous_orders",
            lang,
            turn.sent,
            quick_replies=(handoff_quick_reply(lang, turn.ctx.wording),),
            wording=turn.ctx.wording,
        )
        if reply is None:
            return hand_off(turn, "order_needs_identity", "handoff_queued")
        return turn.decision("reply", "order_needs_login", offer_person(turn, (reply,)))
    order = focus_order(turn)
    if turn.memory.order_id is not None and order is None:
        # A number that is not theirs: say so without revealing anything, offer their own.
        choices = relevant_orders(shop, intent)
        picker = pick_order_reply(choices, lang)
        reply = compose(
            "order_not_yours",
            lang,
            frozenset(),
            order_id=turn.memory.order_id,
            quick_replies=tuple(QuickReply(c.label, c.payload) for c in picker.choices),
            wording=turn.ctx.wording,
        )
        assert reply is not None
        memory = replace(turn.memory, order_id=None, pending="order", pending_intent=intent)
        return turn.decision(
            "reply",
            "order_not_found",
            (replace(reply, key=f"{reply.key}:{len(turn.sent)}"),),
            memory=memory,
        )
    if order is None:
        candidates = relevant_orders(shop, intent)
        if len(candidates) == 1:
            order = candidates[0]
            turn.memory = replace(turn.memory, order_id=order.order_id)
        else:
            picker = pick_order_reply(candidates, lang)
            reply = BotReply(
                picker.key + f"@{len(turn.sent)}",
                picker.text,
                tuple(QuickReply(c.label, c.payload) for c in picker.choices),
            )
            memory = replace(
                turn.memory, pending="order" if candidates else None, pending_intent=intent
            )
            return turn.decision(
                "reply", "pick_order" if candidates else "no_orders", (reply,), memory=memory
            )
    return about_order(turn, intent, order)


def about_order(turn: Turn, intent: str, order: Order) -> Decision:
    ctx, rules = turn.ctx, turn.ctx.rules
    if intent == "urge_shipping" and order.status not in (OrderStatus.UNPAID, OrderStatus.PAID):
        # Hurrying a parcel that has left: what they need is where it is.
        intent = turn.intent = "where_is_parcel"
    if intent in STATUS_INTENTS:
        if intent == "refund_status":
            reply = refund_reply(order, turn.language, turn.ctx.zone)
            if reply is None:
                # No refund on this order: "退款多久到账" asks how refunds work.
                return no_refund(turn, order)
        else:
            status = ParcelStatus(order=order, events=tuple(ctx.tracking.get(order.order_id, ())))
            reply = parcel_reply(status, turn.language, turn.ctx.zone)
        bot = BotReply(
            reply.key, reply.text, tuple(QuickReply(c.label, c.payload) for c in reply.choices)
        )
        if (
            bot.key in turn.memory.sent_keys
            or turn.memory.last_answered == f"{intent}:{order.order_id}"
        ):
            # Their order's state was told and they ask on: what the rule says, if it has not
            # been said ("已退款" then "退款多久到账"); else the answer did not help (rule 3).
            entry = rule_answer(turn)
            if entry is not None and f"kb:{entry.entry_id}" not in turn.memory.sent_keys:
                return answer_from_knowledge(turn, entry)
            return hand_off(turn, "repeated_problem", "handoff_repeated")
        memory = replace(turn.memory, last_answered=f"{intent}:{order.order_id}", clarified=False)
        return turn.decision(
            "reply", "order_status_answer", offer_person(turn, (bot,)), memory=memory
        )
    # Human-first by value, tier or category, after the facts are gathered (rule 5).
    if ctx.policy is not None and intent in rules.human_first_intents:
        reason = human_first_reason(order, ctx.shop.tier if ctx.shop else None, ctx.policy)
        if reason is not None:
            if too_short(turn) and turn.memory.pending != "describe":
                ask = compose("describe", turn.language, frozenset(), wording=turn.ctx.wording)
                assert ask is not None
                memory = replace(turn.memory, pending="describe", pending_intent=intent)
                return turn.decision(
                    "reply",
                    "gather_facts",
                    (replace(ask, key=f"describe@{len(turn.sent)}"),),
                    memory=memory,
                )
            return human_first(turn, reason, intent, order)
    request = request_for(intent, turn.inbound.text, order)
    if request is None:
        return unsure(turn)
    if (
        request.kind in (ActionKind.RETURN, ActionKind.EXCHANGE)
        and worn_or_used(turn.inbound.text)
        and request.reason != ReturnReason.QUALITY
    ):
        # Worn and returned without a fault: a used no-reason return. Worn *with* a fault
        # (跑绒, a seam that opened) is a quality claim, judged on the fault, not the wear.
        request = request.model_copy(update={"condition": ItemCondition.USED})
    if request.kind in IRREVERSIBLE and ctx.policy is not None:
        verdict = evaluate(request, order, ctx.policy, ctx.now)
        if verdict.allowed:
            # It would be done at once and cannot be undone: the customer says yes first.
            return confirm(turn, order, request)
    return act(turn, order.order_id, request)


def no_refund(turn: Turn, order: Order) -> Decision:
    """A refund question about an order with no refund done or under way: how refunds work,
    from the knowledge base ("退款多久到账"); "where is my refund", or with nothing to say of
    the rule, that there is none on this order, and a person offered."""
    a = turn.ctx.analysis
    own = a is not None and OWN_ORDER.search(a.normalized) is not None
    entry = None if own else rule_answer(turn)
    if entry is not None:
        return answer_from_knowledge(turn, entry)
    title = order.title_zh() if turn.language == "zh" else order.title_en()
    reply = compose(
        "no_refund_on_order", turn.language, turn.sent, order=title, wording=turn.ctx.wording
    )
    if reply is None:
        return hand_off(turn, "repeated_problem", "handoff_repeated")
    return turn.decision("reply", "no_refund_on_order", offer_person(turn, (reply,)))


IRREVERSIBLE = frozenset({ActionKind.REFUND, ActionKind.RETURN, ActionKind.CANCEL})
CANCEL_PAYLOAD = "confirm:no"
_YES = (
    "确认",
    "确定",
    "是的",
    "是",
    "好的",
    "好",
    "对",
    "嗯",
    "可以",
    "行",
    "没问题",
    "ok",
    "yes",
    "sure",
    "confirm",
    "go ahead",
    "please do",
    "yep",
    "yeah",
)
_NO = ("不用", "不要", "算了", "取消", "先不", "不了", "no", "cancel", "don't", "not now", "nope")


def _action_words(kind: ActionKind, language: str) -> str:
    zh = {
        ActionKind.REFUND: "申请退款",
        ActionKind.RETURN: "申请退货退款",
        ActionKind.CANCEL: "取消订单",
    }
    en = {
        ActionKind.REFUND: "request a refund",
        ActionKind.RETURN: "start a return",
        ActionKind.CANCEL: "cancel the order",
    }
    return (en if language == "en" else zh).get(kind, kind.value)


def confirm(turn: Turn, order: Order, request: ActionRequest) -> Decision:
    """Ask before an irreversible action: one tap (or "确认") does it, "不用了" leaves it."""
    payload = action_payload(order.order_id, request)
    title = order.title_en() if turn.language == "en" else order.title_zh()
    wording = turn.ctx.wording
    reply = compose(
        "confirm_action",
        turn.language,
        frozenset(),
        order=title,
        action=_action_words(request.kind, turn.language),
        quick_replies=(
            QuickReply(wording.quick_reply("confirm", turn.language), payload),
            QuickReply(wording.quick_reply("cancel", turn.language), CANCEL_PAYLOAD),
        ),
        wording=wording,
    )
    assert reply is not None
    memory = replace(turn.memory, pending_action=payload, order_id=order.order_id)
    return turn.decision(
        "reply",
        "confirm_action",
        (replace(reply, key=f"{reply.key}:{payload}@{len(turn.sent)}"),),
        memory=memory,
        details={"order_id": order.order_id, "action": request.kind.value},
    )


def confirmation_answer(turn: Turn) -> Decision | None:
    """The customer's typed answer to `confirm`: yes does it, no drops it; anything else is a
    new message (None), and the question lapses."""
    payload = turn.memory.pending_action
    text = turn.inbound.text.strip().lower().rstrip("!！。.~～")
    if payload is None or len(text) > 12:
        return None
    if any(text.startswith(w) for w in _NO):
        return cancelled(turn)
    if any(text == w or text.startswith(w) for w in _YES):
        parsed = parse_action_payload(payload)
        if parsed is None:
            return None
        order_id, request = parsed
        turn.memory = replace(turn.memory, pending_action=None)
        return act(turn, order_id, request)
    return None


def cancelled(turn: Turn) -> Decision:
    memory = replace(turn.memory, pending_action=None)
    reply = compose("action_cancelled", turn.language, turn.sent, wording=turn.ctx.wording)
    if reply is None:
        reply = counted(turn, "action_cancelled", len(turn.sent))
    return turn.decision("reply", "action_not_confirmed", (reply,), memory=memory)


def too_short(turn: Turn) -> bool:
    """Did the customer say what happened, beyond naming the intent? Once they have tried to
    explain (the AI asked back or could not answer), they are not asked to describe again."""
    if turn.memory.clarified or turn.memory.fallbacks or turn.memory.offtopic:
        return False
    text = turn.inbound.text.strip()
    return len(text) < (24 if turn.language == "en" else 8)


def after_description(turn: Turn) -> Decision:
    intent = turn.memory.pending_intent or "complaint"
    turn.intent = intent
    turn.memory = replace(turn.memory, pending=None)
    order = focus_order(turn)
    reason = "human_first"
    if order is not None and turn.ctx.policy is not None:
        reason = (
            human_first_reason(
                order, turn.ctx.shop.tier if turn.ctx.shop else None, turn.ctx.policy
            )
            or reason
        )
    return human_first(turn, reason, intent, order)


def human_first(turn: Turn, reason: str, intent: str, order: Order | None) -> Decision:
    """A person first (value, tier, category), with the facts and the AI's proposal."""
    rules = turn.ctx.rules
    bonus = {"vip": rules.priority_vip, "high_value": rules.priority_high_value}.get(reason, 0)
    return hand_off(
        turn,
        reason,
        "handoff_human_first",
        rule="human_first",
        priority=bonus,
        skill="vip" if reason == "vip" else None,
        proposal=proposal_for(turn, intent, order) if order else None,
    )


def proposal_for(turn: Turn, intent: str, order: Order) -> dict[str, object] | None:
    """What the AI would do, for the agent to approve, edit or reject (rule 6)."""
    request = request_for(intent, turn.inbound.text, order)
    if request is None or turn.ctx.policy is None:
        return None
    verdict = evaluate(request, order, turn.ctx.policy, turn.ctx.now)
    return {
        "order_id": order.order_id,
        "action": request.kind.value,
        "reason": request.reason.value if request.reason else None,
        "policy_outcome": verdict.outcome,
        "policy_rule": verdict.rule,
        "summary_zh": verdict.reason_zh,
        "summary_en": verdict.reason_en,
    }


def act(turn: Turn, order_id: str, request: object) -> Decision:
    shop = turn.ctx.shop
    if shop is None or shop.order(order_id) is None:
        turn.memory = replace(turn.memory, order_id=order_id)
        return order_work(turn, turn.intent or "order_status")
    return turn.decision("act", "shop_action", (), act=ShopAct(order_id=order_id, request=request))  # type: ignore[arg-type]


def after_action(
    view: ConversationView,
    inbound: Inbound,
    ctx: TurnContext,
    acted: Decision,
    verdict: Verdict,
    order: Order,
) -> Decision:
    """Word the outcome of the shop action `acted` asked for, now performed (or refused)."""
    turn = Turn(replace(view, memory=acted.memory or view.memory), inbound, ctx)
    turn.intent, turn.confidence = acted.intent, acted.confidence
    turn.priority = acted.priority
    # What was said before acting (an acknowledgement, a warning) still leads the reply.
    turn.prefix.extend(acted.replies)
    reply = outcome_reply(verdict, order, turn.language)
    bot = BotReply(
        reply.key, reply.text, tuple(QuickReply(c.label, c.payload) for c in reply.choices)
    )
    details = {
        "order_id": order.order_id,
        "policy_rule": verdict.rule,
        "policy_outcome": verdict.outcome,
    }
    if verdict.outcome == "needs_approval":
        proposal = {
            "order_id": order.order_id,
            "action": acted.act.request.kind.value if acted.act else None,
            "policy_outcome": verdict.outcome,
            "policy_rule": verdict.rule,
            "summary_zh": verdict.reason_zh,
            "summary_en": verdict.reason_en,
            "amount_cents": verdict.amount_cents,
        }
        return hand_off(
            turn,
            "needs_approval",
            "handoff_proposal",
            rule="ai_proposes",
            lead=(bot,),
            proposal=proposal,
            priority=ctx.rules.priority_high_value,
        )
    if bot.key in turn.memory.sent_keys:
        # The same verdict twice: the customer is stuck on it; a person takes over (rule 3).
        return hand_off(turn, "repeated_problem", "handoff_repeated", proposal=None)
    memory = replace(
        turn.memory, last_answered=f"{acted.intent}:{order.order_id}", clarified=False, pending=None
    )
    if verdict.outcome == "needs_evidence":
        memory = replace(memory, pending="evidence", pending_intent=acted.intent)
    rule = "shop_action_done" if verdict.allowed else f"shop_{verdict.outcome}"
    replies: tuple[BotReply, ...] = (bot,)
    if (
        not verdict.allowed
        and verdict.human_review_offered
        and not any(q.payload == HANDOFF_PAYLOAD for q in bot.quick_replies)
    ):
        replies = (
            replace(
                bot,
                quick_replies=bot.quick_replies
                + (handoff_quick_reply(turn.language, turn.ctx.wording),),
            ),
        )
    return turn.decision("reply", rule, offer_person(turn, replies), memory=memory, details=details)


def missing_evidence(turn: Turn) -> Decision:
    """Asked for photos or video and the customer answered without them: a person decides,
    with the AI's proposal (rule 6)."""
    intent = turn.memory.pending_intent or "quality_issue"
    turn.intent = intent
    turn.memory = replace(turn.memory, pending=None)
    order = focus_order(turn)
    proposal = proposal_for(turn, intent, order) if order else None
    if proposal is not None:
        proposal["note"] = "顾客暂无法提供照片/视频凭证，请人工判断是否同意退换。"
    return hand_off(
        turn, "missing_evidence", "handoff_proposal", rule="ai_proposes", proposal=proposal
    )
