"""The engine's rules: one module per rule, each with the one signature `rule(turn) -> Decision |
None`, ordered by the chain in `tandem.engine.decide` (the shape of Rasa's policy ensemble):

    person_owns -> observe -> payloads -> human_request -> feelings -> understood

`understood` always decides; the others pass (None) when the message is not theirs. Helpers
shared by several rules: `turn` (the working state), `handoff`; rules used by other rules:
`unsure`, `knowledge`, `orders`.

`EngineRules` is how a shop configures them: the `[engine]` table of its policy file
(docs/engine.md), defined with the rest of the written policy.
"""

from tandem.shop.policy_config import EngineRules

__all__ = ["EngineRules"]
