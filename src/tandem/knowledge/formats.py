"""Import and export of knowledge entries: CSV, XLSX, JSONL and Markdown. Pure parsers.

Every parser returns the good rows *and* the bad ones with their row number and the reason,
so one bad line never blocks an import. Row numbers are what the user sees in their editor:
the spreadsheet row (header = row 1), the JSONL line, the Markdown line of the `## ` heading.

Columns (CSV/XLSX headers, JSONL keys; Chinese headers accepted):
question/问题 (required), answer/答案 (required), alternatives/相似问法 (separated by `|`,
`；` or new lines; a list in JSONL), intent/意图, tags/标签 (`,` or `，`), language/语言
(zh|en, guessed when empty), id (keeps an entry's identity across export -> edit -> import).

Markdown: one entry per `## question` heading, then optional `key: value` lines
(alternatives, intent, tags, language, id) up to the first blank line, then the answer.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from tandem.knowledge.messages import Problem, RowError
from tandem.knowledge.text import guess_language
from tandem.understanding.taxonomy import INTENTS

FORMATS = ("csv", "xlsx", "jsonl", "md")
MAX_QUESTION = 500
MAX_ANSWER = 5000
COLUMNS = ("id", "question", "alternatives", "answer", "intent", "tags", "language")
_ALIASES = {
    "id": "id",
    "编号": "id",
    "question": "question",
    "问题": "question",
    "标准问题": "question",
    "alternatives": "alternatives",
    "相似问法": "alternatives",
    "相似问题": "alternatives",
    "answer": "answer",
    "答案": "answer",
    "回答": "answer",
    "intent": "intent",
    "意图": "intent",
    "tags": "tags",
    "标签": "tags",
    "language": "language",
    "语言": "language",
}
_ALT_SPLIT = re.compile(r"\s*(?:\||；|\n)\s*")
_TAG_SPLIT = re.compile(r"\s*[,，]\s*")


@dataclass(frozen=True)
class EntryDraft:
    """One entry as a file describes it, validated, not yet stored."""

    question: str
    answer: str
    alternatives: tuple[str, ...] = ()
    intent: str | None = None
    tags: tuple[str, ...] = ()
    language: str = "zh"
    id: str | None = None


@dataclass
class ParseResult:
    drafts: list[tuple[int, EntryDraft]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Rows imported with a change the user should know of (an unknown intent dropped).
    warnings: list[RowError] = field(default_factory=list)


def _split_alternatives(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [str(v) for v in value] if isinstance(value, list) else _ALT_SPLIT.split(str(value))
    out: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in out:
            out.append(item)
    return tuple(out)


def _split_tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [str(v) for v in value] if isinstance(value, list) else _TAG_SPLIT.split(str(value))
    return tuple(t.strip() for t in items if t.strip())


def validate(raw: dict[str, Any]) -> EntryDraft:
    """A draft from a row of named values; raises `Problem` (a ValueError) with a reason the
    user can act on. An unknown intent is refused: a person typing it can fix it."""
    draft, warnings = validate_row(raw)
    if warnings:
        raise warnings[0]
    return draft


def validate_row(raw: dict[str, Any]) -> tuple[EntryDraft, list[Problem]]:
    """A draft from an imported row, and what was dropped from it: a row whose intent is
    unknown imports without one (the sheet's own labels need not be ours)."""
    question = str(raw.get("question") or "").strip()
    answer = str(raw.get("answer") or "").strip()
    if not question:
        raise Problem("question_empty")
    if not answer:
        raise Problem("answer_empty")
    if len(question) > MAX_QUESTION:
        raise Problem("question_too_long", limit=MAX_QUESTION)
    if len(answer) > MAX_ANSWER:
        raise Problem("answer_too_long", limit=MAX_ANSWER)
    warnings: list[Problem] = []
    intent = str(raw.get("intent") or "").strip() or None
    if intent is not None and intent not in INTENTS:
        warnings.append(Problem("unknown_intent", value=intent, choices=", ".join(sorted(INTENTS))))
        intent = None
    language = str(raw.get("language") or "").strip().lower() or guess_language(question)
    if language not in ("zh", "en"):
        raise Problem("bad_language", value=language)
    alternatives = tuple(a for a in _split_alternatives(raw.get("alternatives")) if a != question)
    if any(len(a) > MAX_QUESTION for a in alternatives):
        raise Problem("alternative_too_long", limit=MAX_QUESTION)
    entry_id = str(raw.get("id") or "").strip() or None
    draft = EntryDraft(
        question=question,
        answer=answer,
        alternatives=alternatives,
        intent=intent,
        tags=_split_tags(raw.get("tags")),
        language=language,
        id=entry_id,
    )
    return draft, warnings


def _collect(rows: Iterable[tuple[int, dict[str, Any] | Problem]]) -> ParseResult:
    result = ParseResult()
    for number, raw in rows:
        if isinstance(raw, Problem):
            result.errors.append(RowError.of(number, raw))
            continue
        try:
            draft, warnings = validate_row(raw)
        except Problem as exc:
            result.errors.append(RowError.of(number, exc))
            continue
        result.drafts.append((number, draft))
        result.warnings.extend(RowError.of(number, w) for w in warnings)
    return result


def _header_map(header: Sequence[Any]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for i, name in enumerate(header):
        key = _ALIASES.get(str(name or "").strip().lower())
        if key is not None:
            mapping[i] = key
    missing = {"question", "answer"} - set(mapping.values())
    if missing:
        raise Problem("missing_columns", columns=", ".join(sorted(missing)))
    return mapping


def _table_rows(table: Iterator[Sequence[Any]]) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
    header = next(table, None)
    if header is None:
        raise Problem("empty_file")
    mapping = _header_map(header)
    for number, cells in enumerate(table, 2):
        if not any(str(c or "").strip() for c in cells):
            continue
        yield number, {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}


def parse_csv(text: str) -> ParseResult:
    return _collect(_table_rows(iter(csv.reader(io.StringIO(text.lstrip("\ufeff"))))))


def parse_xlsx(data: bytes) -> ParseResult:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise Problem("not_xlsx", kind=exc.__class__.__name__) from exc
    sheet = book.worksheets[0]
    rows = ([("" if c is None else c) for c in row] for row in sheet.iter_rows(values_only=True))
    return _collect(_table_rows(rows))


def _jsonl_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, Problem("bad_json", why=exc.msg, column=exc.colno)
            continue
        if not isinstance(value, dict):
            yield number, Problem("not_object")
            continue
        yield number, value


def parse_jsonl(text: str) -> ParseResult:
    return _collect(_jsonl_rows(text))


def _markdown_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
    lines = text.lstrip("\ufeff").splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("## ")]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        raw: dict[str, Any] = {"question": lines[start][3:].strip()}
        i = start + 1
        while i < end and lines[i].strip():
            key, sep, value = lines[i].partition(":")
            field_name = _ALIASES.get(key.strip().lower())
            if not sep or field_name is None or field_name in ("question", "answer"):
                break
            raw[field_name] = value.strip()
            i += 1
        raw["answer"] = "\n".join(lines[i:end]).strip()
        yield start + 1, raw


def parse_markdown(text: str) -> ParseResult:
    return _collect(_markdown_rows(text))


def format_of(path: Path | str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    suffix = {"markdown": "md", "json": "jsonl", "xlsm": "xlsx"}.get(suffix, suffix)
    if suffix not in FORMATS:
        raise Problem("unknown_format", name=str(path))
    return suffix


def parse(data: bytes, fmt: str) -> ParseResult:
    """Parse a whole file. Raises ValueError only when the file as a whole is unusable."""
    if fmt == "xlsx":
        return parse_xlsx(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # spreadsheets saved by Chinese Excel often are
        except UnicodeDecodeError as exc:
            raise Problem("bad_encoding") from exc
    if fmt == "csv":
        return parse_csv(text)
    if fmt == "jsonl":
        return parse_jsonl(text)
    if fmt == "md":
        return parse_markdown(text)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _row(entry: EntryDraft) -> dict[str, Any]:
    return {
        "id": entry.id or "",
        "question": entry.question,
        "alternatives": list(entry.alternatives),
        "answer": entry.answer,
        "intent": entry.intent or "",
        "tags": list(entry.tags),
        "language": entry.language,
    }


def to_jsonl(entries: Iterable[EntryDraft]) -> bytes:
    return "".join(json.dumps(_row(e), ensure_ascii=False) + "\n" for e in entries).encode("utf-8")


def _flat(entry: EntryDraft) -> list[str]:
    r = _row(entry)
    return [
        r["id"],
        r["question"],
        " | ".join(r["alternatives"]),
        r["answer"],
        r["intent"],
        ", ".join(r["tags"]),
        r["language"],
    ]


def to_csv(entries: Iterable[EntryDraft]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for e in entries:
        writer.writerow(_flat(e))
    # The BOM makes Excel open UTF-8 Chinese text correctly.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# Characters XML 1.0 (so XLSX) cannot hold: the C0 controls except tab, newline, return.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_safe(value: str) -> str:
    """The cell text with the control characters an XLSX file cannot store removed: one
    entry pasted with a stray control character must not make the whole export fail."""
    return _NOT_IN_XML.sub("", value)


def to_xlsx(entries: Iterable[EntryDraft]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("knowledge")
    sheet.append(list(COLUMNS))
    for e in entries:
        sheet.append([xlsx_safe(v) for v in _flat(e)])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def to_markdown(entries: Iterable[EntryDraft]) -> bytes:
    parts = []
    for e in entries:
        meta = [f"## {e.question}"]
        if e.id:
            meta.append(f"id: {e.id}")
        if e.alternatives:
            meta.append("alternatives: " + " | ".join(e.alternatives))
        if e.intent:
            meta.append(f"intent: {e.intent}")
        if e.tags:
            meta.append("tags: " + ", ".join(e.tags))
        meta.append(f"language: {e.language}")
        parts.append("\n".join(meta) + "\n\n" + e.answer.strip() + "\n")
    return "\n".join(parts).encode("utf-8")


def export(entries: Sequence[EntryDraft], fmt: str) -> bytes:
    writers = {"csv": to_csv, "xlsx": to_xlsx, "jsonl": to_jsonl, "md": to_markdown}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return writers[fmt](entries)
