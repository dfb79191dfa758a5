"""Rule: the customer asks for a person (in words, or by tapping the quick reply)."""

from __future__ import annotations

import re
from dataclasses import replace

from tandem.engine.handoff import asks_if_bot, wants_human
from tandem.engine.replies import compose, handoff_quick_reply
from tandem.engine.rules.handoff import (
    counted,
    hand_off,
    status_while_queued,
)
from tandem.engine.rules.knowledge import QUESTION_SURE, answer_from_knowledge
from tandem.engine.rules.turn import (
    Turn,
)
from tandem.engine.types import (
    Decision,
)
from tandem.knowledge.index import Match


def human_request(turn: Turn) -> Decision:
    if turn.view.state == "queued":
        return status_while_queued(turn, asked_again=True)
    return hand_off(turn, "customer_request", "handoff_queued", rule="explicit_human_request")


def bot_identity(turn: Turn) -> Decision:
    """Asked whether it is a machine: say so honestly, and how to reach a person."""
    quick = (
        ()
        if turn.view.state == "queued"
        else (handoff_quick_reply(turn.language, turn.ctx.wording),)
    )
    reply = compose(
        "bot_identity", turn.language, turn.sent, quick_replies=quick, wording=turn.ctx.wording
    )
    if reply is None:
        reply = counted(turn, "bot_identity", len(turn.sent))
    return turn.decision("reply", "bot_identity", (replace(reply, quick_replies=quick),))


# A question ABOUT the service's hours ("人工客服几点到几点", "人工周末上班吗", "what are your
# agents' hours"): it names a person without asking for one. Clock and calendar words only:
# "人工呢 等多久了" is impatience, a request.
_SERVICE_TIME = re.compile(
    r"几点|[上下]班|值班|营业|(工作|在线|服务|上班)时间|周末|周[六日天]|星期|节假日|假期|24\s*小时"
    r"|\b(what time|hours|open|opening|weekends?|holidays?|24/7|business days?)\b",
    re.IGNORECASE,
)
# ... unless a verb asks for the person too ("几点能给我转人工", "I want to talk to an agent").
_ASKS_FOR_ONE = re.compile(
    r"[转轉接找叫要请請给給].{0,3}(人工|客服|真人|活人)|真人|活人"
    r"|\b(talk|speak|chat|connect|transfer|want|need|get me|give me|put me)\b",
    re.IGNORECASE,
)


def asks_about_the_service(text: str) -> bool:
    """The message asks when the service works, not for a person to be put through now."""
    return bool(_SERVICE_TIME.search(text)) and not _ASKS_FOR_ONE.search(text)


def rule(turn: Turn) -> Decision | None:
    inbound, ctx = turn.inbound, turn.ctx
    if not inbound.payload and asks_if_bot(inbound.text):
        return bot_identity(turn)
    if wants_human(inbound.text, inbound.payload) and not (
        not inbound.payload and asks_about_the_service(inbound.text)
    ):
        return human_request(turn)
    if turn.intent == "human" and (turn.confidence or 0) >= ctx.rules.min_confidence:
        if (entry := service_answer(turn)) is not None:
            return answer_from_knowledge(turn, entry)
        return human_request(turn)
    return None


def service_answer(turn: Turn) -> Match | None:
    """The knowledge entry answering a question ABOUT the service ("客服周末上班吗", "when are
    agents online"), read as a question, not as a request to be put through: the retriever's
    answer, or its best candidate when that entry is itself about people (intent `human`)."""
    a, kb = turn.ctx.analysis, turn.ctx.knowledge
    if a is None or kb is None or turn.inbound.payload:
        return None
    if a.act != "question" or a.act_confidence < QUESTION_SURE:
        return None
    if kb.answer is not None:
        return kb.answer
    best = kb.candidates[0] if kb.candidates else None
    if best is not None and best.intent == "human":
        return best if best.confidence >= turn.ctx.rules.kb_agreement_confidence else None
    return None
