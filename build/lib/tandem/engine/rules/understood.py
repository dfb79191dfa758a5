"""Rule (the last of the chain, always answers): act on what the message says: small talk,
knowledge, order work, or ask when unsure."""

from __future__ import annotations

from dataclasses import replace

from tandem.engine.replies import compose
from tandem.engine.rules.handoff import (
    hand_off,
)
from tandem.engine.rules.knowledge import (
    agreeing_entry,
    answer_from_knowledge,
    asks_about_a_rule,
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
        # The same question again, in other words: the answer did not help (rule 3).
        return hand_off(turn, "repeated_problem", "handoff_repeated", miss=True)
    if kb is not None and kb.answer is not None:
        return answer_from_knowledge(turn, kb.answer)
    if (agreed := agreeing_entry(turn)) is not None:
        return answer_from_knowledge(turn, agreed)
    # Not sure what is asked, or sure but with nothing reliable to say: rule 2.
    return unsure(turn)


def social(turn: Turn, intent: str) -> Decision:
    reply = compose(intent, turn.language, turn.sent, wording=turn.ctx.wording)
    if reply is None:
        return turn.decision("reply", intent, ())
    memory = replace(turn.memory, clarified=False)
    if intent in ("thanks", "bye"):
        memory = replace(memory, last_answered=None)
    return turn.decision("reply", intent, (reply,), memory=memory)


rule = understood
