"""Errors a simulation user can fix, worded Chinese first, then English."""

from __future__ import annotations

from tandem.core.errors import InvalidInput


class SimulationInputError(InvalidInput):
    """A bad traffic file, roster, message file or policy name: the message says what to fix."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh}\n{en}")
        self.zh = zh
        self.en = en
