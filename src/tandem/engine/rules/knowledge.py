"""Rule: answer from the knowledge base when the entry and the understanding agree; fill the
answer's order placeholders from the order in focus."""

from __future__ import annotations

from dataclasses import replace
from datetime import tzinfo

from tandem.engine.orders import (
    placeholder_values,
)
from tandem.engine.rules.handoff import (
    hand_off,
    offer_person,
)
from tandem.engine.rules.turn import (
    FAMILIES,
    Turn,
    focus_order,
)
from tandem.engine.types import (
    BotReply,
    Decision,
)
from tandem.knowledge.index import Match
from tandem.shop.types import Order
from tandem.understanding.taxonomy import KNOWLEDGE_INTENTS


def answer_from_knowledge(turn: Turn, match: Match) -> Decision:
    key = f"kb:{match.entry_id}"
    if key in turn.memory.sent_keys:
        # The same answer again would be a loop: the first one did not help (rule 3). Another
        # entry of the same intent is another question ("which courier" then "how long").
        return hand_off(turn, "repeated_problem", "handoff_repeated", miss=True)
    order = focus_order(turn)
    text = fill_answer(match.answer, order, turn.language, turn.ctx.zone)
    reply = BotReply(key=key, text=text)
    memory = replace(turn.memory, clarified=False, last_answered=match.intent or key, fallbacks=0)
    if turn.intent is None or turn.intent in ("oos",) or turn.intent not in KNOWLEDGE_INTENTS:
        turn.intent = match.intent or turn.intent
    return turn.decision(
        "reply",
        "knowledge_answer",
        offer_person(turn, (reply,)),
        memory=memory,
        kb_entry_id=match.entry_id,
        details={"kb_confidence": round(match.confidence, 3)},
    )


# Order intents whose action has consequences: a question about them is about the rule.
RULE_GATED = frozenset({"refund", "return", "exchange", "cancel_order", "change_address"})
# How sure the dialogue act must be before "a question" keeps the AI from acting.
QUESTION_SURE = 0.5


def asks_about_a_rule(turn: Turn, intent: str) -> bool:
    """The message asks how something works (a rule, a policy), not for it to be done."""
    a = turn.ctx.analysis
    if a is None or turn.inbound.payload:
        return False
    if a.act != "question" or a.act_confidence < QUESTION_SURE:
        return False
    # Only where answering would otherwise start something with consequences; "where is my
    # parcel" is answered by the customer's own order, and hurrying one harms nobody.
    return intent in RULE_GATED


def rule_answer(turn: Turn) -> Match | None:
    """The knowledge entry that answers a question about a rule: the retriever's answer, or
    its best candidate when that is about the same topic as the message."""
    kb = turn.ctx.knowledge
    if kb is None:
        return None
    if kb.answer is not None:
        return kb.answer
    if kb.candidates and kb.candidates[0].confidence >= turn.ctx.rules.kb_agreement_confidence:
        best = kb.candidates[0]
        if best.intent in (turn.intent, None) or family_of(best.intent) == family_of(turn.intent):
            return best
    return None


def family_of(intent: str | None) -> frozenset[str]:
    return next((f for f in FAMILIES if intent in f), frozenset({intent or ""}))


def agreeing_entry(turn: Turn) -> Match | None:
    """Two independent readings agree: the classifier is sure of a knowledge intent and the
    best knowledge entry, below the retriever's own bar, is about that very intent."""
    kb, rules = turn.ctx.knowledge, turn.ctx.rules
    if kb is None or not kb.candidates or turn.intent not in KNOWLEDGE_INTENTS:
        return None
    best = kb.candidates[0]
    agree = best.intent == turn.intent and (turn.confidence or 0.0) >= rules.intent_sure
    return best if agree and best.confidence >= rules.kb_agreement_confidence else None


def fill_answer(answer: str, order: Order | None, language: str, zone: tzinfo) -> str:
    """Fill order placeholders ({carrier}, {promised_ship_date}, ...) from the order in focus;
    without an order, drop the clause that needs one rather than show a blank."""
    values = placeholder_values(order, language, zone) if order is not None else {}
    # A slot without a value is no value: its clause goes, never a blank in the reply.
    values = {k: v for k, v in values.items() if v and v.strip()}
    out: list[str] = []
    clause = ""
    for ch in answer:
        clause += ch
        if ch in "，。；！？,.;!?\n":
            out.append(clause)
            clause = ""
    if clause:
        out.append(clause)
    kept: list[str] = []
    for piece in out:
        try:
            kept.append(piece.format_map(_Strict(values)))
        except KeyError:
            continue
    text = "".join(kept).strip()
    return text.rstrip("，,") + (
        ""
        if text.endswith(("。", ".", "！", "!", "？", "?"))
        else ("。" if language == "zh" else ".")
    )


class _Strict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise KeyError(key)
