"""Masking abusive words in the desk. Pure.

The agent sees the customer's message with only the offending spans hidden, each replaced by
the kind of abuse it was (insult, threat, ...), so they know what is there without reading it.
A message the classifier found abusive without exact spans is hidden whole; swearing aimed at
no one (an expletive in a message that is not abusive) is masked word by word all the same.
The original text is shown only when the agent asks for it, one message at a time (recorded by
the service).
"""

from __future__ import annotations

from typing import Any

KIND_LABELS = {
    "insult": ("辱骂", "insult"),
    "profanity": ("脏话", "profanity"),
    "threat": ("威胁", "threat"),
    "harassment": ("骚扰", "harassment"),
    "discrimination": ("歧视", "discrimination"),
    "expletive": ("粗口", "expletive"),
}


def kind_label(kind: str, language: str) -> str:
    zh, en = KIND_LABELS.get(kind, (kind, kind))
    return zh if language == "zh" else en


def segments(text: str, analysis: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    """The message as plain and masked pieces, or None when nothing needs masking.

    Each piece is {"text": ...} or {"masked": True, "kind": ..., "length": n}. Spans are
    offsets into the original text; overlapping or out-of-range spans are merged or clipped.
    """
    abuse = (analysis or {}).get("abuse") or {}
    abusive = bool(abuse.get("is_abusive"))
    spans = sorted(
        (
            (max(0, int(s["start"])), min(len(text), int(s["end"])), str(s.get("kind") or "insult"))
            for s in abuse.get("spans") or []
            if int(s.get("end", 0)) > int(s.get("start", 0))
        ),
        key=lambda s: s[0],
    )
    spans = [s for s in spans if s[1] > s[0]]
    if not spans and not abusive:
        return None
    if not spans:
        kinds = abuse.get("kinds") or ["insult"]
        return [{"masked": True, "kind": str(kinds[0]), "length": len(text)}]
    pieces: list[dict[str, Any]] = []
    cursor = 0
    for start, end, kind in spans:
        if end <= cursor:
            continue
        start = max(start, cursor)
        if start > cursor:
            pieces.append({"text": text[cursor:start]})
        pieces.append({"masked": True, "kind": kind, "length": end - start})
        cursor = end
    if cursor < len(text):
        pieces.append({"text": text[cursor:]})
    return pieces


def masked_text(pieces: list[dict[str, Any]], language: str) -> str:
    """A one-line version for previews: masked pieces as 【辱骂】 / [insult]."""
    out = []
    for p in pieces:
        if p.get("masked"):
            label = kind_label(str(p["kind"]), language)
            out.append(f"【{label}】" if language == "zh" else f"[{label}]")
        else:
            out.append(str(p["text"]))
    return "".join(out)
