"""Entities a customer-service turn needs: order and tracking numbers, phones, amounts,
dates and product mentions. Rules, not a model: these formats are regular, and a rule is
exact about offsets and never invents a number.

Matching runs on the width-folded text (same length as the original), so "ＴＤ２０２６..."
typed on a Chinese keyboard is found and its offsets still point into the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import ahocorasick

from tandem.understanding.normalize import fold
from tandem.understanding.types import Entity

# Demo-shop order numbers: TD + 8..20 digits. Plain long digit strings (Taobao/JD order
# numbers are 12-20 digits) are accepted as order ids too, unless they look like a phone.
_ORDER = re.compile(r"(?<![a-z0-9])td\d{8,20}(?![0-9])")
_TRACKING = re.compile(
    r"(?<![a-z0-9])(?:sf|yt|jd|jdv|zto|zt|sto|yd|yunda|ems|db|dpk|jt|best|ht|yz)\d{9,16}(?![0-9])"
)
_LONG_DIGITS = re.compile(r"(?<![\d.])\d{12,20}(?![\d.])")
_PHONE = re.compile(r"(?<![\d])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\d])")
_LANDLINE = re.compile(r"(?<![\d])(0\d{2,3})[\s-](\d{7,8})(?![\d])")
_AMOUNT_PREFIX = re.compile(
    r"(?:¥|￥|\$|rmb\s?|cny\s?|usd\s?)\s?(\d{1,7}(?:,\d{3})*(?:\.\d{1,2})?)"
)
_AMOUNT_SUFFIX = re.compile(
    r"(?<![\d.])(\d{1,7}(?:,\d{3})*(?:\.\d{1,2})?)\s?(?:元|块钱|块|rmb|yuan|dollars?|bucks)"
)
_ISO_DATE = re.compile(r"(?<!\d)(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?!\d)")
_MD_DATE = re.compile(r"(?<![\d年/.-])(\d{1,2})月(\d{1,2})[日号]")
_SLASH_DATE = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?![\d/])")
_REL_DATES = {
    "今天": "today",
    "今日": "today",
    "明天": "tomorrow",
    "后天": "day_after_tomorrow",
    "昨天": "yesterday",
    "前天": "day_before_yesterday",
    "上周": "last_week",
    "上个星期": "last_week",
    "上礼拜": "last_week",
    "这周": "this_week",
    "本周": "this_week",
    "下周": "next_week",
    "上个月": "last_month",
    "这个月": "this_month",
    "月底": "end_of_month",
    "双十一": "11-11",
    "双11": "11-11",
    "618": "06-18",
    "today": "today",
    "tomorrow": "tomorrow",
    "yesterday": "yesterday",
    "last week": "last_week",
    "next week": "next_week",
    "this week": "this_week",
    "last month": "last_month",
}
_EN_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_EN_DATE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b"
)
_REL_RE = re.compile(
    "|".join(
        (r"\b" + re.escape(k) + r"\b") if k.isascii() and k.isalpha() or " " in k else re.escape(k)
        for k in sorted(_REL_DATES, key=len, reverse=True)
    )
)

# Product mentions: the kinds in data/products.txt, each with the words shoppers use for it
# (Chinese and English); a shop adds its own catalogue names through `ProductMatcher(names)`.
# A mention's value is its kind, so "音响", "蓝牙音箱" and "speaker" are one product.
PRODUCTS_FILE = Path(__file__).parent / "data" / "products.txt"


def read_product_kinds(path: Path = PRODUCTS_FILE) -> dict[str, str]:
    """Folded word -> the kind it names (the first word of its line)."""
    kinds: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, _, rest = line.partition(":")
        name = fold(kind.strip())
        for word in (kind, *rest.split(",")):
            key = fold(word.strip())
            if key:
                kinds.setdefault(key, name)
    return kinds


PRODUCT_KINDS: dict[str, str] = read_product_kinds()
DEFAULT_PRODUCTS: tuple[str, ...] = tuple(PRODUCT_KINDS)


def kind_of(name: str) -> str:
    """The kind a product name is of: its own when it is a known word, else that of the
    longest known word it holds ("主动降噪无线耳机" is 耳机), else the folded name itself."""
    key = fold(name.strip())
    if key in PRODUCT_KINDS:
        return PRODUCT_KINDS[key]
    held = [w for w in PRODUCT_KINDS if len(w) > 1 and w in key]
    return PRODUCT_KINDS[max(held, key=len)] if held else key


def _is_latin_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class ProductMatcher:
    """Longest, non-overlapping product-name matches (Aho-Corasick over the folded text)."""

    def __init__(self, names: Iterable[str] = DEFAULT_PRODUCTS) -> None:
        self._automaton = ahocorasick.Automaton()
        count = 0
        for name in names:
            key = fold(name.strip())
            if key:
                self._automaton.add_word(key, (key, kind_of(key)))
                count += 1
        self._empty = count == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, folded: str) -> list[tuple[int, int, str]]:
        """(start, stop, kind) of each mention."""
        if self._empty:
            return []
        hits: list[tuple[int, int, str]] = []
        for end, (key, kind) in self._automaton.iter(folded):
            start = end - len(key) + 1
            stop = end + 1
            if key.isascii():
                if stop < len(folded) and folded[stop] == "s":
                    stop += 1  # plural: "cups"
                before_ok = start == 0 or not _is_latin_alnum(folded[start - 1])
                after_ok = stop >= len(folded) or not (
                    folded[stop].isascii() and folded[stop].isalpha()
                )
                if not (before_ok and after_ok):
                    continue  # "cup" inside "cupboard" is not a mention
            elif stop < len(folded) and folded[stop] in "号码":
                continue  # 手机号 is a phone number, not a phone
            elif key in _BOUND and _bound(folded, start, stop, _BOUND[key]):
                continue  # 包装 / 包邮 / 红包 name no bag
            hits.append((start, stop, kind))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        chosen: list[tuple[int, int, str]] = []
        for hit in hits:
            if chosen and hit[0] < chosen[-1][1]:
                continue
            chosen.append(hit)
        return chosen


# One-character product words that are more often part of another word: the characters
# before and after them that make that other word (包装, 包邮, 包裹, 包括, 红包, 面包, 打包).
_BOUND: dict[str, tuple[str, str]] = {"包": ("红面打承", "装邮裹括含赔换退修月年")}


def _bound(folded: str, start: int, stop: int, around: tuple[str, str]) -> bool:
    before, after = around
    return (start > 0 and folded[start - 1] in before) or (
        stop < len(folded) and folded[stop] in after
    )


_DEFAULT_MATCHER: ProductMatcher | None = None


def _default_matcher() -> ProductMatcher:
    global _DEFAULT_MATCHER
    if _DEFAULT_MATCHER is None:
        _DEFAULT_MATCHER = ProductMatcher()
    return _DEFAULT_MATCHER


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _valid_date(month: int, day: int, year: int = 2000) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def extract_entities(text: str, products: ProductMatcher | None = None) -> tuple[Entity, ...]:
    """All entities in `text`, sorted by position; offsets index the original `text`."""
    folded = fold(text)
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int, value: str) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append(Entity(kind, text[start:end], value, start, end))

    for m in _ORDER.finditer(folded):
        add("order_id", m.start(), m.end(), m.group(0).upper())
    for m in _TRACKING.finditer(folded):
        add("tracking_no", m.start(), m.end(), m.group(0).upper())
    for m in _PHONE.finditer(folded):
        add("phone", m.start(), m.end(), "".join(m.groups()))
    for m in _LANDLINE.finditer(folded):
        add("phone", m.start(), m.end(), "-".join(m.groups()))
    for m in _LONG_DIGITS.finditer(folded):
        add("order_id", m.start(), m.end(), m.group(0))
    for m in _ISO_DATE.finditer(folded):
        y, mo, d = (int(g) for g in m.groups())
        if _valid_date(mo, d, y):
            add("date", m.start(), m.end(), f"{y:04d}-{mo:02d}-{d:02d}")
    for m in _MD_DATE.finditer(folded):
        mo, d = int(m.group(1)), int(m.group(2))
        if _valid_date(mo, d):
            add("date", m.start(), m.end(), f"{mo:02d}-{d:02d}")
    for m in _EN_DATE.finditer(folded):
        mo, d = _EN_MONTHS[m.group(1)], int(m.group(2))
        if _valid_date(mo, d):
            add("date", m.start(), m.end(), f"{mo:02d}-{d:02d}")
    for m in _AMOUNT_PREFIX.finditer(folded):
        add("amount", m.start(), m.end(), m.group(1).replace(",", ""))
    for m in _AMOUNT_SUFFIX.finditer(folded):
        add("amount", m.start(), m.end(), m.group(1).replace(",", ""))
    for m in _SLASH_DATE.finditer(folded):
        mo, d = int(m.group(1)), int(m.group(2))
        if _valid_date(mo, d):
            add("date", m.start(), m.end(), f"{mo:02d}-{d:02d}")
    for m in _REL_RE.finditer(folded):
        add("date", m.start(), m.end(), _REL_DATES[m.group(0)])
    for s, e, kind in (products or _default_matcher()).find(folded):
        add("product", s, e, kind)
    found.sort(key=lambda ent: ent.start)
    return tuple(found)
