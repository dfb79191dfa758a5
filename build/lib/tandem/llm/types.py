"""Plain types shared by the provider and the prompts (no I/O)."""

from __future__ import annotations

# One chat message: {"role": "system" | "user" | "assistant", "content": "..."}.
Message = dict[str, str]
