"""Rule: answer from the knowledge base when the entry and the understanding agree; fill the
answer's order placeholders from the order in focus."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import tzinfo
from functools import lru_cache

from tandem.engine.orders import (
    placeholder_values,
)
from tandem.engine.replies import compose, handoff_quick_reply
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
from tandem.knowledge.text import prepare
from tandem.shop.types import Order
from tandem.understanding.entities import extract_entities
from tandem.understanding.taxonomy import KNOWLEDGE_INTENTS


def answer_from_knowledge(turn: Turn, match: Match) -> Decision:
    key = f"kb:{match.entry_id}"
    answer = match.answer
    if key in turn.memory.sent_keys:
        # A follow-up that narrows the question ("偏远地区呢 新疆" after the 包邮 answer) is
        # answered with the part of the entry that speaks of it, once.
        part = narrowed_part(turn.inbound.text, match)
        key = f"{key}:{part[0]}" if part is not None else key
        if part is None or key in turn.memory.sent_keys:
            # The same answer again would be a loop: the first one did not help (rule 3).
            # Another entry of the same intent is another question ("which courier", then
            # "how long").
            return hand_off(turn, "repeated_problem", "handoff_repeated", miss=True)
        answer = part[1]
    order = focus_order(turn)
    text = fill_answer(answer, order, turn.language, turn.ctx.zone)
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


_SENTENCE = re.compile(r"[^。；！？.;!?\n]+[。；！？.;!?]?")


def narrowed_part(text: str, match: Match) -> tuple[str, str] | None:
    """The sentences of `match`'s answer that speak of what `text` adds to the entry's
    question ("新疆" of "偏远地区呢 新疆" in the shipping-fee answer), with a key naming them;
    None when the message adds nothing the answer singles out (a plain rephrase, or words
    every sentence or none holds)."""
    asked = prepare(match.question)
    words = [
        w
        for w in prepare(text).words
        if not w[0].isdigit()
        and len(w) >= (2 if _CJK.match(w) else 3)
        and w not in asked.words
        and w not in asked.text
    ]
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(match.answer)]
    sentences = [x for x in sentences if x]
    folded = [x.lower() for x in sentences]
    chosen = [i for i, x in enumerate(folded) if any(w in x for w in words)]
    if not chosen or len(chosen) == len(sentences):
        return None
    part = "".join(sentences[i] for i in chosen).rstrip("；;，,")
    return ",".join(map(str, chosen)), part


_CJK = re.compile(r"[\u3400-\u9fff]")


# Entries that state a fact about a product (its battery, its box, its size): they hold for the
# product they name, not for every product. A policy entry (returns, shipping) holds for all.
PRODUCT_FACTS = frozenset({"product_info", "stock", None})


@lru_cache(maxsize=4096)
def named_products(text: str) -> frozenset[str]:
    """The product kinds a text names ("耳机", "speaker"), folded."""
    return frozenset(e.value for e in extract_entities(text) if e.kind == "product")


def _related(a: str, b: str) -> bool:
    # "蓝牙耳机" is an "耳机"; "smartwatch" is a "watch".
    return a in b or b in a


def other_product(turn: Turn, match: Match) -> str | None:
    """The product the message asks about when `match` states facts about other products only
    (a speaker's owner asking its battery life must not get the earbuds' figure); None when
    the entry fits the message or names no product."""
    a = turn.ctx.analysis
    if a is None or match.intent not in PRODUCT_FACTS:
        return None
    asked = [e for e in a.entities if e.kind == "product"]
    if not asked:
        return None
    covered = named_products(f"{match.question} {match.answer}")
    if not covered or any(_related(e.value, c) for e in asked for c in covered):
        return None
    return asked[0].text


def fitting_entry(turn: Turn, first: Match) -> tuple[Match | None, str | None]:
    """`first`, or when it is about another product than the message names, the best candidate
    the retriever is about as sure of that is about the product asked; else (None, product)."""
    product = other_product(turn, first)
    if product is None:
        return first, None
    kb = turn.ctx.knowledge
    floor = min(first.confidence, turn.ctx.rules.kb_agreement_confidence)
    for match in kb.candidates if kb is not None else ():
        if (
            match.entry_id != first.entry_id
            and match.confidence >= floor
            and other_product(turn, match) is None
            and named_products(f"{match.question} {match.answer}")
        ):
            return match, None
    return None, product


def not_held(turn: Turn, product: str) -> Decision:
    """A fact about a product the knowledge base holds nothing on: say so rather than answer
    with another product's, offer a person; asked again, hand off (rule 2: never guess)."""
    if turn.memory.clarified or turn.view.state == "queued":
        return hand_off(turn, "cannot_answer", "handoff_unsure", miss=True)
    reply = compose(
        "product_not_held",
        turn.language,
        turn.sent,
        quick_replies=(handoff_quick_reply(turn.language, turn.ctx.wording),),
        wording=turn.ctx.wording,
        product=product,
    )
    if reply is None:
        return hand_off(turn, "cannot_answer", "handoff_unsure", miss=True)
    memory = replace(turn.memory, clarified=True, fallbacks=turn.memory.fallbacks + 1)
    return turn.decision(
        "reply", "product_not_held", offer_person(turn, (reply,)), memory=memory, miss=True
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
    best knowledge entry, below the retriever's own bar, is about that very intent (and, for
    an intent as broad as a product fact, about what was asked: `answers_what_was_asked`)."""
    kb, rules = turn.ctx.knowledge, turn.ctx.rules
    if kb is None or not kb.candidates or turn.intent not in KNOWLEDGE_INTENTS:
        return None
    best = kb.candidates[0]
    agree = best.intent == turn.intent and (turn.confidence or 0.0) >= rules.intent_sure
    if not agree or best.confidence < rules.kb_agreement_confidence:
        return None
    return best if answers_what_was_asked(best) else None


# An entry stating a product fact answers only what it speaks of: "product_info" holds the
# genuine-goods promise, the fabric, the washing, the battery... so the intent agreeing says
# a product is asked about, not which fact. Unless the retriever is sure of it (`SURE_ENTRY`),
# such an entry that leaves out this share of the message's content words (idf-weighted, near
# words counting: `Match.uncovered`) is not sent: "does this sweater pill?" against the
# genuine-goods entry leaves out all of it, "羊绒大衣可不可以免费改衣长" against the fabric entry
# the alteration (0.43); a paraphrase it answers leaves out 0-0.37 on the shopper dev set.
LEFT_OUT = 0.4
SURE_ENTRY = 0.7


def answers_what_was_asked(match: Match) -> bool:
    """False when `match` states a product fact, the retriever is not sure of it, and it
    leaves out much of what the message asks (答非所问)."""
    if match.intent not in PRODUCT_FACTS or match.confidence >= SURE_ENTRY:
        return True
    return match.uncovered < LEFT_OUT


# A slot that reads as well in general words ("ask the carrier to redirect it") is said so
# when no order names it; the others drop their clause.
GENERIC_VALUES = {"zh": {"carrier": "快递公司"}, "en": {"carrier": "the carrier"}}
_SENTENCE_END = "。；！？.;!?\n"
_CLAUSE_END = "，,"


def fill_answer(answer: str, order: Order | None, language: str, zone: tzinfo) -> str:
    """Fill order placeholders ({carrier}, {promised_ship_date}, ...) from the order in focus;
    without an order, say it in general words where that reads right, else drop the clause
    that needs the value (never a blank in the reply). A sentence whose last clause goes
    goes whole: what is left of it only led up to what was dropped ("Once shipped,")."""
    values = placeholder_values(order, language, zone) if order is not None else {}
    values = {k: v for k, v in values.items() if v and v.strip()}
    values = {**GENERIC_VALUES.get(language, GENERIC_VALUES["en"]), **values}
    sentences: list[list[str]] = [[]]
    clause = ""
    for ch in answer:
        clause += ch
        if ch in _CLAUSE_END or ch in _SENTENCE_END:
            sentences[-1].append(clause)
            clause = ""
            if ch in _SENTENCE_END:
                sentences.append([])
    if clause:
        sentences[-1].append(clause)
    kept: list[str] = []
    for clauses in sentences:
        filled = [_filled(c, values) for c in clauses]
        if not filled or filled[-1] is None:
            continue
        kept.extend(c for c in filled if c is not None)
    text = "".join(kept).strip()
    return text.rstrip("，,") + (
        ""
        if text.endswith(("。", ".", "！", "!", "？", "?"))
        else ("。" if language == "zh" else ".")
    )


def _filled(clause: str, values: dict[str, str]) -> str | None:
    try:
        return clause.format_map(_Strict(values))
    except KeyError:
        return None


class _Strict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise KeyError(key)
