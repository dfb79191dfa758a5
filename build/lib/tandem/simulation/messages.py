"""Where simulated customers' words come from: a `MessageSource` of real, labelled messages.

The format is the in-domain evaluation set's (`tandem/evaluation/data/shopper_dev.jsonl`):
JSON lines with `id`, `text`, `lang` ("zh"/"en"), `intent` (the taxonomy's name, or null for
off-topic), `act` and `faq` (the knowledge entry that answers it, or null). Any file in that
format will do (`--messages PATH`, e.g. a public data set converted to it).

The simulator uses the *dev* portion when the evaluation set is installed: the test portion
stays held out. Without it, a small bank of 100 hand-written messages shipped here is used and
the report says so (`MessageBank.fallback`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tandem.simulation.errors import SimulationInputError

EVALUATION_DEV = Path(__file__).parent.parent / "evaluation" / "data" / "shopper_dev.jsonl"
FALLBACK = Path(__file__).parent / "data" / "messages_fallback.jsonl"
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Message:
    id: str
    text: str
    lang: str
    intent: str | None  # None: off-topic
    act: str | None = None
    faq: str | None = None


class MessageSource(Protocol):
    """Labelled customer messages: where the simulated text comes from."""

    @property
    def name(self) -> str: ...

    def messages(self) -> Sequence[Message]: ...


@dataclass(frozen=True)
class MessageBank:
    """Messages grouped for drawing: by (language, intent)."""

    name: str
    items: tuple[Message, ...]
    fallback: bool = False

    def by_intent(self, lang: str) -> dict[str | None, tuple[Message, ...]]:
        out: dict[str | None, list[Message]] = {}
        for m in self.items:
            if m.lang == lang:
                out.setdefault(m.intent, []).append(m)
        return {k: tuple(v) for k, v in out.items()}

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in LANGUAGES if any(m.lang == lang for m in self.items))


class JsonlMessageSource:
    """Messages read from a JSON-lines file in the evaluation set's format."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def name(self) -> str:
        return self.path.name

    def messages(self) -> Sequence[Message]:
        return read_messages(self.path)


def _bad(path: Path, zh: str, en: str) -> SimulationInputError:
    return SimulationInputError(f"消息文件 {path} 有误：{zh}", f"message file {path}: {en}")


def read_messages(path: Path) -> list[Message]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise SimulationInputError(
            f"找不到消息文件 {path}。请给出 JSON Lines 文件（每行含 id、text、lang、intent、act、faq）。",
            f"message file {path} not found: give a JSON-lines file (id, text, lang, intent, "
            "act, faq on each line).",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(path, f"无法读取（{exc}）。", f"cannot be read ({exc}).") from None
    out: list[Message] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise _bad(
                path, f"第 {n} 行不是有效的 JSON。", f"line {n} is not valid JSON."
            ) from None
        if not isinstance(row, dict):
            raise _bad(path, f"第 {n} 行应是一个 JSON 对象。", f"line {n} should be a JSON object.")
        text = row.get("text")
        lang = row.get("lang")
        if not isinstance(text, str) or not text.strip():
            raise _bad(path, f"第 {n} 行缺少 text。", f"line {n} has no text.")
        if lang not in LANGUAGES:
            raise _bad(
                path,
                f"第 {n} 行的 lang 应是 zh 或 en，收到 {lang!r}。",
                f"line {n}: lang should be zh or en, got {lang!r}.",
            )
        intent = row.get("intent")
        faq = row.get("faq")
        act = row.get("act")
        out.append(
            Message(
                id=str(row.get("id") or f"{path.stem}-{n}"),
                text=text.strip(),
                lang=lang,
                intent=intent if isinstance(intent, str) and intent else None,
                act=act if isinstance(act, str) else None,
                faq=faq if isinstance(faq, str) and faq else None,
            )
        )
    if not out:
        raise _bad(path, "文件里没有任何消息。", "the file holds no messages.")
    return out


def default_message_path() -> tuple[Path, bool]:
    """The evaluation set's dev portion if installed, else the shipped fallback (True)."""
    if EVALUATION_DEV.is_file():
        return EVALUATION_DEV, False
    return FALLBACK, True


def load_bank(path: Path | None = None) -> MessageBank:
    """The bank at `path`, or the default one (see `default_message_path`)."""
    fallback = False
    if path is None:
        path, fallback = default_message_path()
    source = JsonlMessageSource(path)
    return bank_from(source, fallback=fallback)


def bank_from(source: MessageSource, *, fallback: bool = False) -> MessageBank:
    return MessageBank(source.name, tuple(source.messages()), fallback)
