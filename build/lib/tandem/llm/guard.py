"""The fact guard between the model and the customer. Pure.

A generated text passes only when everything in it that a customer could hold the shop to —
numbers, amounts, dates and times, order and tracking ids, product names, promises — appears in
the sources the engine selected, when it claims no hand-over and refuses nothing the sources do
not, and when it is written in the conversation's language. Anything else is rejected and the
caller sends the template instead: a false rejection costs a plainer sentence, a false pass
costs the shop's word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)

# Ids: order numbers, tracking numbers, SKUs. Letters and digits mixed, or long digit runs.
_ID = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z0-9\-]*\d)[A-Za-z0-9][A-Za-z0-9\-]{5,}(?![A-Za-z0-9])")
_NUMBER = re.compile(r"(?<![A-Za-z0-9.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
# A Chinese numeral counts as a number only before a unit or measure word: "一下" and "一起"
# are not quantities, "三天" and "两个工作日" are.
_CN_NUMBER = re.compile(
    r"([零〇一二两三四五六七八九十百千万]+)(?=个?(?:天|日|号|小时|钟头|分钟|秒|周|星期|礼拜|月|年|"
    r"元|块|角|件|次|位|单|包|箱|台|折|倍|工作日|成))"
)
_DATE_ZH = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_DATE_NUM = re.compile(r"(?<![\d.])(\d{1,2})[-/](\d{1,2})(?![\d/-])")
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DATE_EN = re.compile(
    r"\b(" + "|".join(m[:3] for m in _MONTHS) + r")[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b", re.I
)
_TIME = re.compile(r"(?<!\d)(\d{1,2})\s*[:：]\s*(\d{2})(?!\d)")
_TIME_ZH = re.compile(r"(\d{1,2})\s*[点時时](?:\s*(\d{1,2})\s*分|半)?")

# Promises: what the shop could be held to. A cue found in the text must be found in the
# sources too (by the same pattern), so a promise the template makes may be reworded, and one
# it does not make may not be added.
PROMISES: tuple[tuple[str, str], ...] = (
    (
        "guarantee",
        r"保证|承诺|担保|一定(?:会|能|可以)|肯定(?:会|能|可以)|绝对|放心.{0,4}(?:会|能)|guarantee|promise|assure|definitely|for sure|certainly will",
    ),
    (
        "free",
        r"免费|包邮|免运费|不收(?:取)?(?:任何)?费|free(?: of charge| shipping)?\b|no charge|at no cost",
    ),
    (
        "compensation",
        r"补偿|赔偿|赔付|红包|优惠券|代金券|返现|返还.{0,4}(?:积分|现金)|积分|折扣|打折|减免|coupon|voucher|compensat|cashback|cash back|discount|credit (?:to|on) your|store credit|gift",
    ),
    ("full", r"全额|全部退|full(?:y)? refund|refund in full|entire amount|all your money"),
    (
        "immediately",
        r"马上|立即|立刻|立马|即刻|第一时间|尽快|right away|immediately|at once|right now|straight away|asap|as soon as possible",
    ),
    ("today", r"今天|今日|当天|当日|今晚|\btoday\b|tonight|same day"),
    ("tomorrow", r"明天|明日|次日|隔天|tomorrow|next day"),
    (
        "done_refund",
        r"已(?:经)?(?:(?!申请|提交|受理|正在|将|会)[^，。,.!?！？]){0,12}?(?:退款|退钱|退回|原路退)(?!申请)|退款已(?:到账|退回|完成|原路)|\brefunded\b|refund (?:has|was) (?:been )?(?:issued|sent|processed|completed|paid)|money (?:has|was) (?:been )?(?:returned|sent back)",
    ),
    (
        "done_ship",
        r"已(?:经)?(?:(?!申请|提交|受理|正在|将|会)[^，。,.!?！？]){0,12}?(?:补发|重新发|发出|发货|寄出|出库)|在路上|运输中|\b(?:shipped|dispatched)\b|sent out|on (?:its|the) way|left (?:us|our warehouse)|in transit",
    ),
    (
        "done_cancel",
        r"已(?:经)?(?:(?!申请|提交|受理|正在|将|会)[^，。,.!?！？]){0,12}?取消|\bcancel+ed\b",
    ),
    (
        "done_change",
        r"已(?:经)?(?:(?!申请|提交|受理|正在|将|会)[^，。,.!?！？]){0,12}?(?:修改|更改|改好|换好|更换|改成|改为)|(?:has|have|was|is) (?:been )?(?:changed|updated|modified)|(?:i|we)(?:'ve| have) (?:already )?(?:changed|updated)",
    ),
    (
        "replacement",
        r"换(?:一|个)?新|补发|重新(?:发|寄)|replacement|send (?:you )?(?:a )?new|resend|re-send",
    ),
    (
        "return_free",
        r"运费(?:由)?(?:我们|商家|店铺|本店)(?:承担|出|付)|(?:we|the shop)(?:'ll| will)\s+(?:pay|cover)\s+(?:for\s+)?(?:the\s+)?(?:return\s+)?(?:shipping|postage)",
    ),
)
TRANSFER = re.compile(
    r"(?:已|已经|正在|马上|现在|这就|立即)(?:为您|帮您|给您|将您)?(?:转接|转给|转到|转入|转交|接入|安排)(?:了)?(?:人工|客服|专员|同事|主管|真人)"
    r"|转接(?:给|到|至)?(?:人工|客服|专员|主管)|(?:人工|客服)(?:已|已经)(?:接入|介入|接手)"
    r"|(?:i|we)(?:'ve| have|'m| am| are)?\s*(?:now\s+|just\s+|already\s+)?(?:transferr?(?:ed|ing)|pass(?:ed|ing)|connect(?:ed|ing)|forward(?:ed|ing)|escalat(?:ed|ing)|hand(?:ed|ing) (?:you )?over)\s+(?:you\s+|this\s+|your\s+\w+\s+)?(?:over\s+)?(?:to|with)\s+(?:a|an|our|the)?\s*(?:human|agent|person|colleague|specialist|supervisor|representative|team|staff|manager)"
    r"|(?:an?|our|the)\s+(?:human\s+)?(?:agent|colleague|representative|specialist)\s+(?:has|have)\s+(?:joined|taken over|been assigned)",
    re.I,
)
REFUSAL = re.compile(
    r"(?:无法|不能|没法|没办法|不可以|不便)(?:为您|帮您|给您)?(?:提供|帮助|帮忙|回答|处理|解答|协助|回复)"
    r"|(?:爱莫能助|无可奉告|请(?:您)?自行|这不(?:是)?(?:我的|在我的)(?:职责|范围))"
    r"|作为(?:一个)?(?:AI|人工智能|语言模型|智能助手)"
    r"|\b(?:i|we)\s+(?:can(?:'|no)t|cannot|am unable to|'m unable to|am not able to|'m not able to|won't|will not|do not|don't)\s+(?:help|assist|answer|provide|support|handle|deal)"
    r"|\bunable to (?:help|assist)|\bas an ai\b|language model|not (?:my|our) (?:job|responsibility)|please (?:figure|sort) it out yourself",
    re.I,
)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sources:
    """What the generated text may say: the engine's template reply and the knowledge entry,
    order facts and policy clause it selected. `products` are every product name the shop
    sells (so that one named in the text but not in the sources is caught)."""

    texts: tuple[str, ...]
    products: tuple[str, ...] = ()
    language: str = "zh"
    extra: tuple[str, ...] = field(default=())

    @property
    def joined(self) -> str:
        return "\n".join((*self.texts, *self.extra))


def _cn_value(s: str) -> int | None:
    if all(ch in _CN_DIGITS for ch in s):
        # "二零二六" read digit by digit.
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    total, section, digit = 0, 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                total += (section + digit) * unit
                section, digit = 0, 0
            else:
                section += (digit or 1) * unit
                digit = 0
        else:
            return None
    return total + section + digit


def numbers(text: str) -> set[float]:
    """Every quantity in the text, as a value: '1,299.00', '1299' and '一千二百九十九元' agree."""
    out: set[float] = set()
    for m in _NUMBER.finditer(text):
        try:
            out.add(float(m.group(0).replace(",", "")))
        except ValueError:
            continue
    for m in _CN_NUMBER.finditer(text):
        value = _cn_value(m.group(1))
        if value is not None:
            out.add(float(value))
    return out


def _english_numbers(text: str) -> set[float]:
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
             "twenty": 20, "thirty": 30, "forty-eight": 48, "half": 0.5}  # fmt: skip
    out: set[float] = set()
    for m in re.finditer(
        r"\b("
        + "|".join(words)
        + r")\s+(?:working\s+|business\s+)?(day|hour|minute|week|month|year|item|time|percent)s?\b",
        text,
        re.I,
    ):
        out.add(float(words[m.group(1).lower()]))
    return out


_UNITS: tuple[tuple[str, str], ...] = (
    ("workday", r"个?工作日|(?:business|working) days?"),
    ("day", r"天|日|days?"),
    ("hour", r"个?小时|个?钟头|hours?|hrs?"),
    ("minute", r"分钟|minutes?|mins?"),
    ("week", r"周|个?星期|个?礼拜|weeks?"),
    ("month", r"个月|months?"),
    ("yuan", r"元|块|yuan|rmb|cny"),
    ("item", r"件|个|items?|pieces?|pcs"),
    ("percent", r"%|％|percent"),
)
_QTY = re.compile(
    r"([¥￥])?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)\s*("
    + "|".join(f"(?:{u})" for _, u in _UNITS)
    + r")?",
    re.I,
)


def quantities(text: str) -> set[tuple[float, str]]:
    """Numbers with what they count ("3 天" and "三天" are (3, day); "¥59" is (59, yuan)),
    dates and clock times taken out first so "11月3日" is no three-day promise."""
    for pattern in (_DATE_ZH, _DATE_EN, _TIME, _TIME_ZH, _DATE_NUM):
        text = pattern.sub(" ", text)
    out: set[tuple[float, str]] = set()
    for m in _QTY.finditer(text):
        raw, unit = m.group(2), m.group(3)
        if raw[0].isdigit():
            value: float | None = float(raw.replace(",", ""))
        else:
            if not unit:
                continue
            value = _cn_value(raw)
        if value is None:
            continue
        kind = "yuan" if m.group(1) else None
        if unit:
            kind = next(k for k, u in _UNITS if re.fullmatch(u, unit, re.I))
        if kind:
            out.add((float(value), kind))
    return out


def dates(text: str) -> set[tuple[int, int]]:
    out = {(int(m[1]), int(m[2])) for m in _DATE_ZH.finditer(text)}
    out |= {(int(m[1]), int(m[2])) for m in _DATE_NUM.finditer(text) if int(m[1]) <= 12}
    out |= {(_month(m[1]), int(m[2])) for m in _DATE_EN.finditer(text)}
    return out


def _month(name: str) -> int:
    return next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(name[:3].lower()))


def times(text: str) -> set[tuple[int, int]]:
    out = {(int(m[1]), int(m[2])) for m in _TIME.finditer(text)}
    for m in _TIME_ZH.finditer(text):
        minute = 30 if m.group(0).endswith("半") else int(m[2] or 0)
        out.add((int(m[1]), minute))
    return out


def ids(text: str) -> set[str]:
    return {
        m.group(0).upper()
        for m in _ID.finditer(text)
        if not m.group(0).isdigit() or len(m.group(0)) >= 8
    }


def promises(text: str) -> set[str]:
    low = text.lower()
    return {key for key, pattern in PROMISES if re.search(pattern, low, re.I)}


def claims_transfer(text: str) -> bool:
    return TRANSFER.search(text) is not None


def refuses(text: str) -> bool:
    return REFUSAL.search(text) is not None


def _cjk_share(text: str) -> float:
    cjk = len(_CJK.findall(text))
    latin = sum(len(w) for w in _LATIN_WORD.findall(text)) / 4  # ~ a word per CJK character
    return cjk / (cjk + latin) if cjk + latin else 0.0


def _without(text: str, spans: Iterable[str]) -> str:
    for span in sorted(spans, key=len, reverse=True):
        if span:
            text = text.replace(span, " ")
    return text


def _quoted(text: str) -> set[str]:
    return {
        m.group(1).strip() for m in re.finditer(r"[《「“\"【]([^》」”\"】]{2,40})[》」”\"】]", text)
    }


def _names_in_latin(text: str, source: str) -> set[str]:
    """Latin words in a Chinese reply that the sources do not have: in our shops' Chinese
    replies those are brand and model names, ids and units — all of which must be sourced."""
    src = source.lower()
    return {w for w in _LATIN_WORD.findall(text) if len(w) > 1 and w.lower() not in src}


def _capitalised_names(text: str, source: str) -> set[str]:
    """Names in an English reply that look like products (a capital followed by a model
    number, or several capitalised words not starting a sentence) and are not in the sources."""
    src = source.lower()
    found = set()
    for m in re.finditer(
        r"\b[A-Z][A-Za-z]*\s?(?:[A-Z]?\d+[A-Za-z]*)(?:\s(?:Pro|Max|Plus|Mini|Ultra|Lite))?\b", text
    ):
        if m.group(0).lower() not in src:
            found.add(m.group(0))
    return found


_CLAUSE = re.compile(r"[。！？!?；;，,\n]+|(?<=[a-z0-9)])\.\s+|:\s+|：")
_STRIP = re.compile(r"[\s\W_]+", re.U)
_STOP = frozenset(
    ["a", "an", "the", "and", "or", "but", "so", "to", "of", "in", "on", "at", "for", "with", "by", "from", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "you", "your", "we", "our", "us", "i", "me", "my", "he", "she", "they", "them", "their", "there", "here", "as", "if", "then", "than", "can", "will", "would", "should", "could", "may", "might", "do", "does", "did", "not", "no", "yes", "just", "also", "very"]
)  # fmt: skip
# A rewording says the template's things in other words; a clause that shares almost nothing
# with the sources is something new (a promise, a hand-over, a refusal, an opinion), however
# it is worded. Short clauses ("亲", "Good news") are courtesy and pass.
MIN_CLAUSE_CJK = 6
MIN_CLAUSE_WORDS = 4
MIN_SUPPORT = 0.2


def _bigrams(text: str) -> set[str]:
    clean = _STRIP.sub("", text.lower())
    return {clean[i : i + 2] for i in range(len(clean) - 1)}


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP}


def unsupported_clauses(text: str, source: str) -> list[str]:
    """Clauses of `text` that the sources hardly support (see MIN_SUPPORT)."""
    src_grams, src_words = _bigrams(source), _words(source)
    out = []
    for clause in _CLAUSE.split(text):
        cjk = len(_CJK.findall(clause))
        if cjk >= MIN_CLAUSE_CJK:
            grams = _bigrams(clause)
            support = len(grams & src_grams) / len(grams) if grams else 1.0
        elif cjk == 0 and len(words := _words(clause)) >= MIN_CLAUSE_WORDS:
            support = len(words & src_words) / len(words)
        else:
            continue
        if support < MIN_SUPPORT:
            out.append(clause.strip())
    return out


def check(text: str, sources: Sources, language: str | None = None) -> Verdict:
    """Whether `text` may go to the customer in place of the template (see the module doc)."""
    language = language or sources.language
    source = sources.joined
    reasons: list[str] = []
    stripped = text.strip()
    if not stripped:
        return Verdict(False, ("empty",))
    if len(stripped) > 3 * len(source) + 120:
        reasons.append("too_long")

    # Language: what the sources already contain (names, ids) does not count either way.
    rest = _without(stripped, [*sources.products, *(m.group(0) for m in _ID.finditer(stripped))])
    share = _cjk_share(rest)
    if language == "zh" and share < 0.6 or language == "en" and share > 0.1:
        reasons.append("wrong_language")

    src_numbers = numbers(source) | _english_numbers(source)
    bad_numbers = (numbers(stripped) | _english_numbers(stripped)) - src_numbers
    if bad_numbers:
        reasons.append("number:" + ",".join(f"{n:g}" for n in sorted(bad_numbers)))
    src_quantities = quantities(source)
    bad_quantities = {q for q in quantities(stripped) - src_quantities if q[0] not in bad_numbers}
    if bad_quantities:
        reasons.append("quantity:" + ",".join(f"{v:g} {k}" for v, k in sorted(bad_quantities)))
    if not dates(stripped) <= dates(source):
        reasons.append("date")
    if not times(stripped) <= times(source):
        reasons.append("time")
    src_ids = ids(source)
    if any(i not in src_ids for i in ids(stripped)):
        reasons.append("id")
    if any(u not in source for u in _URL.findall(stripped)):
        reasons.append("link")

    lowered = source.lower()
    named = [p for p in sources.products if p and p.lower() in stripped.lower()]
    if any(p.lower() not in lowered for p in named):
        reasons.append("product")
    if any(q not in source for q in _quoted(stripped)):
        reasons.append("product")
    if language == "zh" and _names_in_latin(rest, source):
        reasons.append("name")
    if language == "en" and _capitalised_names(stripped, source):
        reasons.append("name")

    reasons += [f"promise:{key}" for key in sorted(promises(stripped) - promises(source))]
    if claims_transfer(stripped) and not claims_transfer(source):
        reasons.append("transfer")
    if refuses(stripped) and not refuses(source):
        reasons.append("refusal")
    if unsupported_clauses(stripped, source):
        reasons.append("unsupported")
    return Verdict(not reasons, tuple(dict.fromkeys(reasons)))


def source_products(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(n for n in names if n)
