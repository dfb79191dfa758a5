"""Text normalisation and personal-data masking.

Two levels, for two different needs:

* `fold` maps the text one character to one character (full-width -> half-width,
  Traditional -> Simplified, lower case). Offsets in the folded text are offsets in the
  original text, which is what lets entity and abuse spans point into what the customer wrote.
* `normalize` goes further for the classifiers: it also drops emoji modifiers, collapses
  repeated punctuation and whitespace. It is not length-preserving.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from functools import lru_cache

import opencc

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")

# Variation selectors, zero-width joiner and skin-tone modifiers: they carry no meaning for us
# and would split one emoji into several "characters" for the n-gram features.
_EMOJI_NOISE = re.compile("[\ufe0e\ufe0f\u200d\u200b\u200c\u2060\U0001f3fb-\U0001f3ff]")
# A run of the same punctuation mark ("！！！！", "???", "。。。。") keeps at most two, so
# "urgent!!" and "urgent!!!!!!" look alike to the classifiers while still differing from "urgent".
_REPEATED_PUNCT = re.compile(r"([!?.,~。，！？、…—\-~～*])\1{2,}")
_SPACES = re.compile(r"\s+")
# Links and forwarded-post mentions ("//@name:") are noise for every classifier we train; a
# link is kept as the word "url" since "this link" can matter, its characters never do.
_URL = re.compile(r"(?:https?://|www\.)\S+")
_MENTION = re.compile(r"(?://)?@[\w\-\u4e00-\u9fff]{1,30}[:：\s]")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    # The dictionaries ship inside the opencc wheel: no network needed.
    return opencc.OpenCC("t2s")


def _fold_char(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        ch = chr(code - 0xFEE0)
    elif code == 0x3000:
        ch = " "
    low = ch.lower()
    return low if len(low) == 1 else ch


def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese (opencc t2s); other characters are left alone."""
    return str(_t2s().convert(text))


def fold(text: str) -> str:
    """Width, script and case folding that keeps the length: folded[i] corresponds to text[i]."""
    folded = "".join(_fold_char(ch) for ch in text)
    simplified = to_simplified(folded)
    if len(simplified) == len(folded):
        return simplified
    # opencc converted a phrase into a different number of characters: fall back to
    # character-by-character conversion so the offsets stay exact.
    out = []
    for ch in folded:
        conv = to_simplified(ch)
        out.append(conv if len(conv) == 1 else ch)
    return "".join(out)


def normalize(text: str) -> str:
    """The classifier's view of a message: folded, links and @mentions reduced, emoji noise
    dropped, punctuation runs cut."""
    out = fold(text)
    out = _URL.sub(" url ", out)
    out = _MENTION.sub(" ", out)
    out = _EMOJI_NOISE.sub("", out)
    out = unicodedata.normalize("NFKC", out)
    out = _REPEATED_PUNCT.sub(r"\1\1", out)
    return _SPACES.sub(" ", out).strip()


def detect_language(text: str) -> str:
    """ "zh" when the message has Chinese characters (even mixed with English), else "en"."""
    cjk = len(_CJK.findall(text))
    if cjk == 0:
        return "en"
    latin_words = len(re.findall(r"[A-Za-z]{2,}", text))
    return "zh" if cjk >= latin_words else "en"


# --- personal data masking -------------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Chinese resident ID: 6-digit region, birth date 18xx/19xx/20xx, 3 digits, check digit or X.
_CN_ID = re.compile(
    r"(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)"
)
# Mainland mobile numbers, optionally +86 / 86, optionally split by spaces or dashes (138 1234 5678).
_CN_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
# Landlines (010-12345678, 0571 8888 6666) and generic international numbers (+1 415 555 0100).
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[\s-]\d{7,8}(?!\d)")
_INTL_PHONE = re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s-]?\d{2,4}){2,4}(?!\d)")
# Chinese addresses: an administrative unit followed by street-level detail and a number.
# A place name is Chinese characters other than the words a sentence wraps an address in
# (发往, 寄到, 地址是, 我在, ...): without that, the name of the first unit would run back to the
# start of the sentence. The detail after the street is numbers with their units and building
# names (华星大厦3号楼2单元501室, A座12层) and nothing after the last one, so the rest of the
# sentence stays.
_PLACE = r"(?:(?![发往到寄送是了的我你他她们给从至去请帮把收货地址为住和或就要想在于将被])[\u4e00-\u9fff])"
_UNIT_NUMBER = (
    r"(?:[A-Za-z]?\d+[A-Za-z]?\s*(?:号楼|号院|号|栋|幢|座|楼|单元|室|层)|[A-Za-z]座|[一二三四五六七八九十\d]+段"
    rf"|[A-Za-z]*{_PLACE}{{0,8}}?(?:大厦|广场|花园|小区|中心|大楼|公寓|苑|城|院))"
)
_CN_ADDRESS = re.compile(
    rf"(?:{_PLACE}{{2,}}?(?:省|自治区|市|区|县|镇|乡))+"
    rf"{_PLACE}*?(?:路|街|道|巷|弄|大道|村|小区|花园|大厦|广场)"
    rf"(?:{_UNIT_NUMBER}[-#]?)*(?:\d+(?![\d号栋幢座楼单元室层]))?"
)
_CN_ADDRESS_SHORT = re.compile(
    rf"{_PLACE}{{2,}}(?:路|街|大道|巷|弄)\d+\s*号(?:{_UNIT_NUMBER}[-#]?)*(?:\d+(?!\d))?"
)
# English street addresses: "221B Baker Street", "12 Main St. Apt 4".
_EN_ADDRESS = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct)\b\.?"
    r"(?:,?\s*(?:Apt|Suite|Unit)\.?\s*\w+)?"
)

# Each kind of personal data, in the order a span is claimed (an overlapping later one loses).
_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_EMAIL, "email"),
    (_CN_ID, "id_number"),
    (_CN_MOBILE, "phone"),
    (_LANDLINE, "phone"),
    (_INTL_PHONE, "phone"),
    (_CN_ADDRESS, "address"),
    (_CN_ADDRESS_SHORT, "address"),
    (_EN_ADDRESS, "address"),
)
_MASKS = {"email": "[EMAIL]", "id_number": "[ID]", "phone": "[PHONE]", "address": "[ADDRESS]"}


def mask_personal_data(text: str) -> str:
    """Replace phone numbers, Chinese ID numbers, e-mails and street addresses by placeholders.

    Meant for logs and analytics. Order numbers and tracking numbers are NOT personal data and
    are kept: they are what makes a log line useful. Full-width digits are recognised too.
    """
    return replace_personal_data(text, _MASKS.__getitem__)


def replace_personal_data(
    text: str, placeholder: Callable[[str], str], kinds: Collection[str] | None = None
) -> str:
    """Each piece of personal data of one of `kinds` (email, id_number, phone, address; None:
    all) replaced by `placeholder(kind)`."""
    folded = "".join(_fold_char(ch) if ord(ch) >= 0xFF01 else ch for ch in text)
    # Work on the width-folded copy (same length) so full-width digits are caught, and splice
    # the placeholders into the original at the matched offsets.
    spans: list[tuple[int, int, str]] = []
    for pattern, kind in _KINDS:
        if kinds is not None and kind not in kinds:
            continue
        for m in pattern.finditer(folded):
            if any(m.start() < e and s < m.end() for s, e, _ in spans):
                continue
            spans.append((m.start(), m.end(), placeholder(kind)))
    if not spans:
        return text
    spans.sort()
    out: list[str] = []
    last = 0
    for start, end, replacement in spans:
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)
