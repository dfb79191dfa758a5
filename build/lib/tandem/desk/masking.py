"""Masking abusive words in the desk: the pure rules live in `engine.masking`, shared with the
hand-off summary, so the summary never shows what the transcript masks."""

from __future__ import annotations

from tandem.engine.masking import KIND_LABELS, kind_label, masked_text, segments

__all__ = ["KIND_LABELS", "kind_label", "masked_text", "segments"]
