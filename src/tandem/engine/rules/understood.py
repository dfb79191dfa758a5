"""Rule (the last of the chain, always answers): act on what the message says: small talk,
knowledge, order work, or ask when unsure."""

from __future__ import annotations

from dataclasses import replace

from tandem.engine.orders import OWN_ORDER
from tandem.engine.replies import compose
from tandem.engine.rules.handoff import (
    hand_off,
)
from tandem.engine.rules.knowledge import (
    QUESTION_SURE,
    agreeing_entry,
    answer_from_knowledge,
    answers_what_was_asked,
    asks_about_a_rule,
    fitting_entry,
    not_held,
    rule_answer,
)
from tandem.engine.rules.orders import (
    after_description,
    confirmation_answer,
    missing_evidence,
    order_work,
)
from tandem.engine.rules.turn import (
    SOCIAL,
    Turn,
)
from tandem.engine.rules.unsure import (
    unsure,
)
from tandem.engine.types import (
    Decision,
)
from tandem.shop.types import OrderStatus
from tandem.understanding.taxonomy import KNOWLEDGE_INTENTS, ORDER_INTENTS


def understood(turn: Turn, *, chosen: bool = False) -> Decision:
    ctx, rules = turn.ctx, turn.ctx.rules
    a = ctx.analysis
    intent, confidence = turn.intent, turn.confidence or 0.0
    kb = ctx.knowledge
    # A message naming one of the customer's orders keeps the conversation on that order.
    if a is not None and ctx.shop is not None:
        for entity in a.entities:
            if entity.kind == "order_id":
                turn.memory = replace(turn.memory, order_id=entity.value)
    # An open question of ours gets its answer first.
    if turn.memory.pending == "describe" and turn.memory.pending_intent and not chosen:
        return after_description(turn)
    if turn.memory.pending == "evidence" and turn.memory.pending_intent and not chosen:
        return missing_evidence(turn)
    if turn.memory.pending_action is not None and not chosen:
        if (answered := confirmation_answer(turn)) is not None:
            return answered
        turn.memory = replace(turn.memory, pending_action=None)
    if intent in SOCIAL and confidence >= rules.min_confidence:
        return social(turn, intent)
    if intent == "complaint" and confidence >= rules.min_confidence:
        return hand_off(turn, "complaint", "handoff_complaint", priority=turn.priority + 10)
    if asks_again(turn) and not chosen and kb is not None and kb.answer is not None:
        # The same question again, in other words ("你们一般多久发货", then "到底几天能发出来啊"):
        # retrieval, reading the message's meaning (its sentence vector), answers it with the
        # entry already sent, whatever intent the words lean to. The answer did not help (a
        # hand-off), unless the message narrows the question to a part of it.
        return answer_from_knowledge(turn, kb.answer)
    if (problem := reported_problem(turn)) is not None:
        # "螃蟹死了好几只", "耳机左边没声音": the product's name pulls the words to a question
        # about it; the act says a received item has a fault. A claim, worked on their order.
        turn.intent = intent = problem
    if intent in ORDER_INTENTS and confidence >= rules.min_confidence:
        if asks_about_a_rule(turn, intent) and (entry := rule_answer(turn)) is not None:
            # "How do 7-day returns work?" is a question: the rule is answered, nothing done.
            return answer_from_knowledge(turn, entry)
        return order_work(turn, intent)
    if (
        intent in KNOWLEDGE_INTENTS
        and confidence >= rules.min_confidence
        and intent == turn.memory.last_answered
        and not chosen
        and (kb is None or kb.answer is None or f"kb:{kb.answer.entry_id}" in turn.memory.sent_keys)
    ):
        # The same question again, in other words: the answer did not help (rule 3), unless
        # the message narrows it to a part of the answer already sent.
        if kb is not None and kb.answer is not None:
            return answer_from_knowledge(turn, kb.answer)
        return hand_off(turn, "repeated_problem", "handoff_repeated", miss=True)
    answer = kb.answer if kb is not None and kb.answer is not None else None
    if answer is not None and (
        answers_an_unreported_problem(turn) or not answers_what_was_asked(answer)
    ):
        answer = None
    if (entry := answer or agreeing_entry(turn)) is not None:
        fitting, product = fitting_entry(turn, entry)
        if fitting is not None:
            return answer_from_knowledge(turn, fitting)
        if product is not None and not chosen:
            return not_held(turn, product)
    # Not sure what is asked, or sure but with nothing reliable to say: rule 2.
    return unsure(turn)


# Entries that answer a problem the customer has (an apology, "send us a photo").
_PROBLEM_INTENTS = frozenset({"quality_issue", "damaged_or_wrong_item", "complaint"})


def answers_an_unreported_problem(turn: Turn) -> bool:
    """The retriever's answer is about a problem ("衣服开线了起球了": sorry, send a photo) but the
    message asks about a property and reports none ("你们家衣服起球吗"): the words are near,
    the question is another (答非所问), so the entry is not sent."""
    a, kb = turn.ctx.analysis, turn.ctx.knowledge
    if a is None or kb is None or kb.answer is None or turn.inbound.payload:
        return False
    if kb.answer.intent not in _PROBLEM_INTENTS or a.intent in _PROBLEM_INTENTS:
        return False
    return a.act == "question" and a.act_confidence >= QUESTION_SURE


# A question about a product that is, by its act, a complaint about one received.
_PROPERTY_QUESTIONS = frozenset({"product_info", "how_to_use"})
COMPLAINT_SURE = 0.85


def reported_problem(turn: Turn) -> str | None:
    """The problem intent a message reports when it reads as a question about a product's
    property or use but its act is, surely, a complaint, and the customer has an item
    delivered: the likelier of quality_issue and damaged_or_wrong_item. A use question the
    knowledge base answers stays one (how to pair it is tried before a return)."""
    a, shop = turn.ctx.analysis, turn.ctx.shop
    if a is None or shop is None or shop.customer is None or turn.inbound.payload:
        return None
    if turn.intent not in _PROPERTY_QUESTIONS:
        return None
    if a.act != "complaint" or a.act_confidence < COMPLAINT_SURE:
        return None
    if not any(o.status == OrderStatus.DELIVERED for o in shop.orders):
        return None
    kb = turn.ctx.knowledge
    if turn.intent == "how_to_use" and kb is not None and kb.answer is not None:
        return None
    score = {s.label: s.confidence for s in a.intents}
    return max(("quality_issue", "damaged_or_wrong_item"), key=lambda i: score.get(i, 0.0))


def asks_again(turn: Turn) -> bool:
    """The message asks what the AI already answered from the knowledge base: a question
    (not a request to act, not small talk) whose confident answer is an entry already sent."""
    a, kb = turn.ctx.analysis, turn.ctx.knowledge
    if a is None or kb is None or kb.answer is None or turn.inbound.payload:
        return False
    if a.act != "question" or a.act_confidence < QUESTION_SURE:
        return False
    if any(e.kind == "order_id" for e in a.entities) or OWN_ORDER.search(a.normalized):
        # "我这单什么时候发" after "你们一般多久发货": the rule was answered, now their order.
        return False
    return f"kb:{kb.answer.entry_id}" in turn.memory.sent_keys


def social(turn: Turn, intent: str) -> Decision:
    reply = compose(intent, turn.language, turn.sent, wording=turn.ctx.wording)
    if reply is None:
        return turn.decision("reply", intent, ())
    memory = replace(turn.memory, clarified=False)
    if intent in ("thanks", "bye"):
        memory = replace(memory, last_answered=None)
    return turn.decision("reply", intent, (reply,), memory=memory)


rule = understood
