"""Nothing private crosses customers: what the copilot suggests from another conversation is
cleaned of that customer's personal data, and no suggestion claims an action that nobody took.
Pure.

A colleague's past answer ("田艳您好，您的订单 TD20261101000007 已发往 上海市浦东新区…") is
turned into a template: the other customer's name, order and tracking numbers, phone, e-mail
and address become `{customer_name}`, `{order_id}`, `{tracking_number}`, `{phone}`, `{email}`
and `{address}` (a Chinese ID number `{id_number}`), first from what is known of that conversation (its customer's name and
orders), then by the shapes these take in Chinese and English text. The template is filled
with the current conversation's values; a name that is not known is dropped ("您好"), the other
placeholders stay visible in braces for the agent to complete, as in the canned replies.

Knowledge answers and colleagues' answers are both split into sentences, and a sentence that
says something was already done for the customer ("已帮您加急备注", "I've refunded …") is left
out: the copilot offers words, and an action the system did not perform must not be promised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from tandem.understanding.normalize import replace_personal_data

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Order and tracking numbers: a few capitals and a long run of digits, or just the digits.
_TRACKING = re.compile(r"(?<![A-Za-z0-9])(?:SF|YT|ZTO|STO|YD|JD|EMS|JT|DB)\d{9,15}(?![A-Za-z0-9])")
_ORDER = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{1,4}\d{8,20}|\d{10,20})(?![A-Za-z0-9])")
# A Chinese postal address: a province (or a city) and a street part ending in a number.
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_ADDRESS = re.compile(
    rf"(?:(?:{_PROVINCES})(?:省|市|自治区)?|[\u4e00-\u9fff]{{2}}市)[\u4e00-\u9fff0-9]{{0,20}}?"
    r"(?:区|县|镇|路|街|道|巷|弄|村)[\u4e00-\u9fff0-9A-Za-z\-]{0,24}?(?:号|室|栋|楼|单元|幢)"
    r"(?:[0-9A-Za-z\-]{0,8}(?:号|室|栋|楼|单元|幢))*"
)
# How an agent addresses the customer by name: "田艳您好", "王先生", "Dear Ms Li".
_NOT_NAMES = frozenset(
    {"亲爱的", "亲亲", "顾客", "客官", "老板", "朋友", "同学", "宝宝", "宝子", "小仙女"}
)
_ZH_GREETING = re.compile(r"(?:^|(?<=[，。！？,.!?\s]))([\u4e00-\u9fff]{2,3})(?=您好|你好)")
_ZH_TITLE = re.compile(r"([\u4e00-\u9fff])(先生|女士|小姐)")
_EN_NAME = re.compile(r"\b(Dear|Hi|Hello)\s+(?:(?:Mr|Mrs|Ms|Miss)\.?\s+)?([A-Z][a-z]+)")

# Something already done for the customer, said in the past tense.
_ZH_CLAIM = re.compile(
    r"(?:已经?|刚刚?|这边已经?|我们已经?|现已)(?:帮|为|给|替|跟)?(?:您|你)?[^，。！？,.!?]{0,10}?"
    r"(?:退款|退货|取消|加急|备注|修改|改好|改成|补发|催|登记|申请|提交|处理|安排|发出|寄出|换货|赔|返还|退回|升级)"
)
_EN_CLAIM = re.compile(
    r"\b(?:I|we)\s*(?:'ve|have|has)?\s*(?:already|just)?\s*(?:refunded|cancell?ed|expedited|"
    r"added a note|noted|changed|updated|submitted|arranged|escalated|resent|re-sent|issued|"
    r"processed|credited)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^。！？!?\n]+?(?:[。！？!?]+|\.(?=\s|$)|$)\s*|\n")
_BRACES = re.compile(r"\{([a-z_]+)\}")


def claims_an_action(sentence: str) -> bool:
    return bool(_ZH_CLAIM.search(sentence) or _EN_CLAIM.search(sentence))


def without_claims(text: str) -> str:
    """The text without its sentences that say an action was already taken ("" if all do)."""
    kept = [s for s in _SENTENCE.findall(text) if not claims_an_action(s)]
    return "".join(kept).strip(" ，,")


def as_template(text: str, known: Mapping[str, Iterable[str]] | None = None) -> str:
    """Another customer's personal data in `text` replaced by placeholders. `known`: that
    conversation's own values by placeholder name (its customer's name, its order ids…)."""
    out = text
    for name, values in (known or {}).items():
        for value in sorted({v for v in values if v and len(v) >= 2}, key=len, reverse=True):
            out = out.replace(value, "{" + name + "}")
    out = _EMAIL.sub("{email}", out)
    out = _ADDRESS.sub("{address}", out)
    out = _TRACKING.sub("{tracking_number}", out)
    # Phones and ID numbers as the logs' masking finds them (full-width digits included).
    out = replace_personal_data(out, "{{{}}}".format, kinds=("phone", "id_number"))
    out = _ORDER.sub("{order_id}", out)
    out = _ZH_GREETING.sub(
        lambda m: m.group(0) if m.group(1) in _NOT_NAMES else "{customer_name}", out
    )
    out = _ZH_TITLE.sub("{customer_name}", out)
    out = _EN_NAME.sub(lambda m: f"{m.group(1)} {{customer_name}}", out)
    return out


def fill_template(template: str, values: Mapping[str, str | None]) -> str:
    """Placeholders filled with this conversation's values; an unknown name is dropped, the
    other unknown values stay in braces for the agent to type."""

    def one(m: re.Match[str]) -> str:
        key = m.group(1)
        value = values.get(key)
        if value:
            return value
        return "" if key == "customer_name" else m.group(0)

    filled = _BRACES.sub(one, template)
    return re.sub(r"^[，,\s]+|(?<=[\s])\s+", "", filled).replace(" ,", ",").strip()


def safe_suggestion(
    text: str,
    values: Mapping[str, str | None],
    known: Mapping[str, Iterable[str]] | None = None,
) -> str:
    """A suggestion fit to show this conversation's agent: no claimed action, no other
    customer's data, this customer's values filled in. "" when nothing is left."""
    kept = without_claims(text)
    if not kept:
        return ""
    return fill_template(as_template(kept, known), values)
