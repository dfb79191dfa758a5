"""The engine's rules as a shop configures them: the `[engine]` table of the shop's policy
file (docs/engine.md), defined with the rest of the written policy."""

from tandem.shop.policy_config import EngineRules

__all__ = ["EngineRules"]
