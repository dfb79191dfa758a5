"""What the model is asked. Pure. The model gets only the engine's template and the facts the
engine selected; it is told to change the wording and nothing else."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from tandem.llm.types import Message

_REWORD = {
    "zh": (
        "你是电商店铺的客服助手，只负责润色措辞。把【模板回复】改写得更自然、亲切，"
        "意思完全不变。只能使用【模板回复】和【资料】里出现的数字、金额、日期、时间、订单号、"
        "物流单号、商品名称和承诺；不要新增任何承诺、补偿或时间；不要说已转人工，除非模板这样说；"
        "不要拒绝帮助。用简体中文回答，只输出改写后的回复。"
    ),
    "en": (
        "You are a shop's customer-service assistant and you only polish wording. Rewrite the "
        "[Template reply] to sound natural and warm with exactly the same meaning. Use only the "
        "numbers, amounts, dates, times, order and tracking ids, product names and promises that "
        "appear in the [Template reply] and the [Facts]; add no promise, compensation or time; do "
        "not say the customer was transferred unless the template does; never refuse to help. "
        "Answer in English with the rewritten reply only."
    ),
}

_DRAFT = {
    "zh": (
        "你是客服坐席的写作助手。根据【对话】和【资料】为坐席起草一条回复，坐席会修改后再发送。"
        "只能使用【资料】和【对话】里出现的数字、日期、订单号、商品名和承诺，不要编造。用简体中文，只输出回复。"
    ),
    "en": (
        "You help a customer-service agent write. Draft one reply to the customer from the "
        "[Conversation] and the [Facts]; the agent edits it before sending. Use only numbers, "
        "dates, ids, product names and promises found there; invent nothing. English, reply only."
    ),
}

_SUMMARY = {
    "zh": (
        "把【转人工资料】写成给接手坐席看的两三句话摘要：谁、哪个订单、什么问题、AI 已经做了什么、"
        "顾客情绪。只用资料里的事实，不要编造。用简体中文，只输出摘要。"
    ),
    "en": (
        "Write a two- or three-sentence summary of the [Hand-off facts] for the agent taking over: "
        "who, which order, what the problem is, what the AI already did, how the customer feels. "
        "Use only the facts given. English, summary only."
    ),
}


def _lang(language: str) -> str:
    return "en" if language == "en" else "zh"


def reword_prompt(template: str, facts: Sequence[str], language: str) -> list[Message]:
    lang = _lang(language)
    head = ("【模板回复】", "【资料】") if lang == "zh" else ("[Template reply]", "[Facts]")
    body = f"{head[0]}\n{template}\n\n{head[1]}\n" + ("\n".join(f"- {f}" for f in facts) or "-")
    return [{"role": "system", "content": _REWORD[lang]}, {"role": "user", "content": body}]


def draft_prompt(
    transcript: Sequence[tuple[str, str]], facts: Sequence[str], language: str
) -> list[Message]:
    lang = _lang(language)
    head = ("【对话】", "【资料】") if lang == "zh" else ("[Conversation]", "[Facts]")
    lines = "\n".join(f"{author}: {text}" for author, text in transcript[-12:])
    body = f"{head[0]}\n{lines}\n\n{head[1]}\n" + ("\n".join(f"- {f}" for f in facts) or "-")
    return [{"role": "system", "content": _DRAFT[lang]}, {"role": "user", "content": body}]


def summary_prompt(facts: Sequence[str], language: str) -> list[Message]:
    lang = _lang(language)
    head = "【转人工资料】" if lang == "zh" else "[Hand-off facts]"
    body = f"{head}\n" + "\n".join(f"- {f}" for f in facts)
    return [{"role": "system", "content": _SUMMARY[lang]}, {"role": "user", "content": body}]


def prompt_hash(messages: Sequence[Message]) -> str:
    """Identifies a prompt in the call log without storing what the customer's facts were."""
    raw = json.dumps(list(messages), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
