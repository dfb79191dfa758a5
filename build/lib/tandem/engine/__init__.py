"""The pure decision engine: (conversation view, inbound message, turn context) -> Decision.

No I/O, no clock, no randomness: everything it needs is handed in (the time, the shop's
policy, its wording). The server, the simulator and the evaluation commands all run this same
code. `decide` is a chain of rules (engine/rules/, one module each); what the AI says is in
engine/wording/. May import tandem.core, tandem.understanding (types), tandem.knowledge.index
(types) and the shop's pure modules.
"""

from tandem.engine.decide import after_action, decide
from tandem.engine.memory import EngineMemory
from tandem.engine.types import (
    BotReply,
    ConversationView,
    Decision,
    Inbound,
    QueueFacts,
    QuickReply,
    ShopAct,
    TurnContext,
)

__all__ = [
    "BotReply",
    "ConversationView",
    "Decision",
    "EngineMemory",
    "Inbound",
    "QueueFacts",
    "QuickReply",
    "ShopAct",
    "TurnContext",
    "after_action",
    "decide",
]
