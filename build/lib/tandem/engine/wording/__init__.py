"""What the AI says, one file per language (zh.toml, en.toml, shipped in the package), and a
shop's own wording on top (wording.toml or wording.json in its data directory).

`Wording` is plain data handed to the engine in its TurnContext, so the engine stays pure:
the composition root reads the files once at start-up (`load_wording`); `DEFAULT_WORDING` is
the shipped wording, for contexts built without a shop (tests, evaluation).

An override names a language, then any of `situations`, `topics`, `quick_replies`:

    [zh.situations]
    greeting = ["您好，欢迎光临小店！有什么可以帮您？"]

A situation or topic that does not exist, or a placeholder the engine does not fill, is an
error at start-up that names the key and the file.
"""

from __future__ import annotations

import json
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")
OVERRIDE_NAMES = ("wording.toml", "wording.json")


class WordingError(ValueError):
    """A shop's wording file that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Wording:
    """situation -> language -> wordings; intent -> language -> topic label; quick replies."""

    situations: Mapping[str, Mapping[str, tuple[str, ...]]]
    topics: Mapping[str, Mapping[str, str]]
    quick_replies: Mapping[str, Mapping[str, str]]

    def variants(self, situation: str, language: str) -> tuple[str, ...]:
        texts = self.situations[situation]
        return texts.get(language) or texts["zh"]

    def topic(self, intent: str, language: str) -> str:
        labels = self.topics.get(intent)
        if labels is None:
            return intent
        return labels.get(language) or labels.get("zh") or intent

    def quick_reply(self, name: str, language: str) -> str:
        labels = self.quick_replies[name]
        return labels.get(language) or labels["zh"]


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _read_package(language: str) -> dict[str, Any]:
    raw = resources.files(__package__).joinpath(f"{language}.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def _shipped() -> Wording:
    situations: dict[str, dict[str, tuple[str, ...]]] = {}
    topics: dict[str, dict[str, str]] = {}
    quick: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        data = _read_package(language)
        for key, variants in data["situations"].items():
            situations.setdefault(key, {})[language] = tuple(variants)
        for key, label in data["topics"].items():
            topics.setdefault(key, {})[language] = label
        for key, label in data["quick_replies"].items():
            quick.setdefault(key, {})[language] = label
    return Wording(situations, topics, quick)


DEFAULT_WORDING = _shipped()


def _read_override(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WordingError(
            f"{path}: 话术文件格式有误 / not valid {path.suffix[1:]}: {exc}"
        ) from exc
    if not isinstance(data, dict):
        raise WordingError(f"{path}: expected a table per language (zh, en)")
    return data


def apply_override(base: Wording, data: Mapping[str, Any], where: str) -> Wording:
    """`base` with the shop's wording on top; raises WordingError naming the bad key."""
    situations = {k: dict(v) for k, v in base.situations.items()}
    topics = {k: dict(v) for k, v in base.topics.items()}
    quick = {k: dict(v) for k, v in base.quick_replies.items()}
    for language, sections in data.items():
        if language not in LANGUAGES:
            raise WordingError(f"{where}: unknown language {language!r}; use zh or en")
        for section, entries in (sections or {}).items():
            tables: dict[str, dict[str, dict[str, Any]]] = {
                "situations": situations,
                "topics": topics,
                "quick_replies": quick,
            }
            table = tables.get(section)
            if table is None:
                raise WordingError(
                    f"{where}: [{language}.{section}] is not a wording section; "
                    "use situations, topics or quick_replies"
                )
            for key, value in entries.items():
                name = f"{language}.{section}.{key}"
                if key not in table:
                    raise WordingError(f"{where}: {name} does not exist (see engine/wording)")
                if section == "situations":
                    variants = (value,) if isinstance(value, str) else tuple(value)
                    allowed = set().union(*(_placeholders(v) for v in table[key]["zh"]))
                    for variant in variants:
                        if not isinstance(variant, str) or not variant.strip():
                            raise WordingError(f"{where}: {name} needs non-empty text")
                        extra = _placeholders(variant) - allowed
                        if extra:
                            raise WordingError(
                                f"{where}: {name} uses {{{', '.join(sorted(extra))}}}, which "
                                f"the engine does not fill; allowed: {sorted(allowed) or 'none'}"
                            )
                    table[key][language] = variants
                else:
                    if not isinstance(value, str) or not value.strip():
                        raise WordingError(f"{where}: {name} needs non-empty text")
                    table[key][language] = value
    return Wording(situations, topics, quick)


def load_wording(data_dir: Path | None) -> Wording:
    """The shipped wording with the shop's override from `data_dir`, if it has one."""
    if data_dir is None:
        return DEFAULT_WORDING
    for name in OVERRIDE_NAMES:
        path = data_dir / name
        if path.exists():
            return apply_override(DEFAULT_WORDING, _read_override(path), str(path))
    return DEFAULT_WORDING
