"""The demo shop's authored training data: read it, augment it, export it as JSONL.

Authored files are plain text ("## label" then one message per line) so people can review
and extend them easily. `clinc150_oos_en.jsonl` holds English out-of-scope queries taken
from CLINC150 (Larson et al. 2019, CC BY 3.0).
"""

from __future__ import annotations

import json
import pathlib
import re
from collections.abc import Iterable

from tandem.understanding.training import Example

DATA_DIR = pathlib.Path(__file__).parent / "data"

# Politeness openers customers put in front of the actual request. Adding them to copies of
# the examples teaches the classifier that "你好，我要退货" is a return, not a greeting.
_ZH_OPENERS = ("你好，", "亲，", "请问", "麻烦问下，", "客服，", "在吗，")
_EN_OPENERS = ("hi, ", "hello, ", "excuse me, ", "hey, ")
_NO_OPENER = frozenset({"greeting", "oos"})
# Intents where customers paste an order or tracking number. Copies with a number appended
# keep "a number was given" from pointing at order_status alone.
_ORDER_INTENTS = frozenset(
    {
        "order_status",
        "change_address",
        "cancel_order",
        "urge_shipping",
        "where_is_parcel",
        "return",
        "exchange",
        "refund",
        "refund_status",
        "damaged_or_wrong_item",
        "quality_issue",
        "invoice",
        "complaint",
        "warranty",
    }
)
_ZH_NUMBERS = ("，订单号TD20261101000123", " 订单TD20261027004410", "，单号SF1234567890123")
_EN_NUMBERS = (
    ", order TD20261101000123",
    " (order 4938201938475621)",
    ", tracking YT9876543210123",
)


def read_sections(path: pathlib.Path) -> list[Example]:
    rows: list[Example] = []
    label: str | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("## ")):
            continue
        if line.startswith("## "):
            label = line[3:].strip()
            continue
        if label is None:
            raise ValueError(f"{path}: message {line!r} before any '## label' line")
        rows.append(Example(line, label))
    return rows


def read_jsonl_examples(path: pathlib.Path) -> list[Example]:
    return [
        Example(str(obj["text"]), str(obj["label"]))
        for obj in (
            json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line
        )
    ]


def with_openers(rows: Iterable[Example]) -> list[Example]:
    """The rows plus, for every second one, a copy with a politeness opener in front."""
    out: list[Example] = []
    for i, row in enumerate(rows):
        out.append(row)
        if row.label in _NO_OPENER or i % 2:
            continue
        is_en = row.text.isascii()
        openers = _EN_OPENERS if is_en else _ZH_OPENERS
        out.append(Example(openers[(i // 2) % len(openers)] + row.text, row.label))
    return out


def with_numbers(rows: Iterable[Example]) -> list[Example]:
    """The rows plus, for every third order-related one, a copy with a number appended."""
    out: list[Example] = []
    for i, row in enumerate(rows):
        out.append(row)
        if row.label not in _ORDER_INTENTS or i % 3:
            continue
        numbers = _EN_NUMBERS if row.text.isascii() else _ZH_NUMBERS
        out.append(Example(row.text + numbers[(i // 3) % len(numbers)], row.label))
    return out


# The demo shop's knowledge base: every phrasing of an entry is a customer message labelled
# with the entry's intent (a shop trains its intent model on its FAQ too). Read as a file: the
# understanding package does not import the knowledge package (which imports it).
DEMO_FAQ = DATA_DIR.parents[1] / "knowledge" / "data" / "demo_faq.jsonl"


def faq_examples() -> list[Example]:
    """Each phrasing of each demo FAQ entry with the entry's intent (entries without one are
    skipped)."""
    rows: list[Example] = []
    for line in DEMO_FAQ.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        intent = entry.get("intent")
        if not intent:
            continue
        for text in (entry["question"], *entry.get("alternatives", [])):
            rows.append(Example(str(text), str(intent)))
    return rows


def intent_examples() -> list[Example]:
    rows = read_sections(DATA_DIR / "intents_zh.txt") + read_sections(DATA_DIR / "intents_en.txt")
    rows += faq_examples()
    rows = with_numbers(with_openers(rows))
    rows += read_sections(DATA_DIR / "oos_zh.txt")
    rows += read_jsonl_examples(DATA_DIR / "clinc150_oos_en.jsonl")
    return rows


# Intents whose examples are, as written, emotionally flat: they supply the "neutral" class.
_NEUTRAL_INTENTS = frozenset(
    {
        "product_info",
        "stock",
        "size",
        "shipping_info",
        "payment",
        "invoice",
        "how_to_use",
        "warranty",
        "coupon",
        "order_status",
        "change_address",
        "greeting",
        "price_promotion",
    }
)


def emotion_examples() -> list[Example]:
    rows = read_sections(DATA_DIR / "emotion.txt")
    plain = read_sections(DATA_DIR / "intents_zh.txt") + read_sections(DATA_DIR / "intents_en.txt")
    rows += [Example(r.text, "neutral") for r in plain if r.label in _NEUTRAL_INTENTS]
    return rows


def abuse_examples() -> list[Example]:
    """Authored abusive messages by kind, hard negatives, and every intent example as `none`."""
    rows = read_sections(DATA_DIR / "abuse.txt")
    plain = read_sections(DATA_DIR / "intents_zh.txt") + read_sections(DATA_DIR / "intents_en.txt")
    rows += [Example(r.text, "none") for r in plain]
    return rows


def write_jsonl(rows: Iterable[Example], path: pathlib.Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({"text": r.text, "label": r.label}, ensure_ascii=False) + "\n")
            n += 1
    return n


# Weak labels for the dialogue act of the intent examples; only the clear cases are kept (the
# authored acts.txt teaches the hard contrasts: "退货运费谁出" vs "这单给我退了").
_ACT_REQUEST = re.compile(
    r"帮我|给我|替我|帮忙|麻烦|请尽快|尽快|赶紧|快点|马上|立刻|我要|我想要|申请|"
    r"\bplease\b|\bpls\b|can you|could you|i want|i'd like|i need"
)
_ACT_QUESTION = re.compile(
    r"[?？吗么]$|[?？吗]|怎么|如何|多久|多少|哪里|哪个|哪些|什么|(?<!好)几天(?!了)|几点|是否|能不能|"
    r"可不可以|有没有|"
    r"^(how|what|when|where|which|who|why|do|does|is|are|can i|will)\b"
)
# Asking when people work, or how to reach one, is a question; asking to be put through
# ("能不能转人工", "can i talk to someone") is a request.
_ACT_HUMAN_QUESTION = re.compile(
    r"几点|时间|电话|热线|多久|多长|上班|周末|周[六日天]|节假日|晚上|什么时候|怎么|如何|"
    r"hours|time|when|phone|how long|how do|how can|open|available|weekend|sunday|saturday"
)
_ACT_SOCIAL = frozenset({"greeting", "thanks", "bye"})
_ACT_PROBLEM = frozenset({"damaged_or_wrong_item", "quality_issue", "complaint"})
# "能今天发吗" / "can you ship today": the shop is asked to do something for this order now,
# which no rule answers (the Chinese twin of "can you"), unless it asks when or how long.
_ACT_ORDER_NOW = frozenset({"urge_shipping"})
_ACT_POLITE_ASK = re.compile(r"能不能|能否|可不可以|可以|能")
_ACT_RULE_ASK = re.compile(r"多久|几天|什么时候|一般|为什么|怎么|how long|when|usually|why")
# A delay stated without asking ("都三天了还没发货", "物流一直不动"): a grievance.
_ACT_DELAY_INTENTS = frozenset({"urge_shipping", "where_is_parcel"})
_ACT_DELAY = re.compile(r"还没|还不|没动|不动|没更新|没消息|没动静|still|hasn't|has not|nothing")


def weak_act(text: str, intent: str) -> str | None:
    """A dialogue act for an intent example when the wording makes it plain, else None."""
    if intent in _ACT_SOCIAL:
        return "chitchat"
    low = text.lower()
    if intent == "human" and not _ACT_HUMAN_QUESTION.search(low):
        return "request"  # "can I talk to a person" asks to be put through, not about a rule
    asks = bool(_ACT_QUESTION.search(low))
    wants = bool(_ACT_REQUEST.search(low))
    if intent in _ACT_ORDER_NOW and _ACT_POLITE_ASK.search(low) and not _ACT_RULE_ASK.search(low):
        return "request"
    if intent in _ACT_DELAY_INTENTS and _ACT_DELAY.search(low) and not asks and not wants:
        return "complaint"
    if wants and not asks:
        return "request"
    if asks and not wants:
        return "question"
    if intent in _ACT_PROBLEM and not asks and not wants:
        return "complaint"
    return None


def act_examples() -> list[Example]:
    """Authored acts plus the intent examples whose act is plain (see `weak_act`)."""
    rows = read_sections(DATA_DIR / "acts.txt")
    plain = read_sections(DATA_DIR / "intents_zh.txt") + read_sections(DATA_DIR / "intents_en.txt")
    for r in plain + faq_examples():
        act = weak_act(r.text, r.label)
        if act is not None:
            rows.append(Example(r.text, act))
    return rows
