"""Reading CSDS dialogues (JD customer service, Lin et al. 2021) into engine turns.

One JSON object per line: {"id", "dialogue": [{"speaker", "text"}, ...], "summary", ...}.
Speakers are 用户 (customer), 客服 (JD's agent), and sometimes 商家 (a merchant asking JD's
service for help) or 物流师傅/师傅 (a courier): whoever is not 客服 is the one being served, so
they map to the customer role.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass

from tandem.engine.summary import AGENT, CUSTOMER, Turn

SPEAKER_ROLES = {
    "客服": AGENT,
    "用户": CUSTOMER,
    "商家": CUSTOMER,
    "物流师傅": CUSTOMER,
    "师傅": CUSTOMER,
}


class CsdsFormatError(ValueError):
    """The file is not in the CSDS JSONL format; the message says where and what to fix."""


@dataclass(frozen=True)
class CsdsDialogue:
    id: str
    turns: tuple[Turn, ...]
    summary: str


def parse_line(line: str, where: str) -> CsdsDialogue:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CsdsFormatError(f"{where}: not valid JSON ({exc.msg}).") from exc
    if not isinstance(row, dict):
        raise CsdsFormatError(f"{where}: expected a JSON object per line.")
    dialogue = row.get("dialogue")
    summary = row.get("summary")
    if not isinstance(dialogue, list) or not isinstance(summary, str):
        raise CsdsFormatError(
            f'{where}: each line needs "dialogue" (a list of {{"speaker", "text"}}) and '
            '"summary" (a string); see the CSDS README for the format.'
        )
    turns: list[Turn] = []
    for k, utterance in enumerate(dialogue):
        if not isinstance(utterance, dict) or not isinstance(utterance.get("text"), str):
            raise CsdsFormatError(f'{where}: dialogue[{k}] needs a "speaker" and a "text".')
        speaker = str(utterance.get("speaker", ""))
        turns.append(Turn(SPEAKER_ROLES.get(speaker, CUSTOMER), utterance["text"]))
    return CsdsDialogue(id=str(row.get("id", where)), turns=tuple(turns), summary=summary)


def read_csds(path: pathlib.Path) -> list[CsdsDialogue]:
    """All dialogues in the file, in file order. Raises CsdsFormatError or FileNotFoundError."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file; pass the CSDS JSONL with --data.")
    result: list[CsdsDialogue] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                result.append(parse_line(line, f"{path}:{number}"))
    if not result:
        raise CsdsFormatError(f"{path}: the file holds no dialogues.")
    return result
