"""The pure decision engine: (conversation view, inbound message, facts, policy) -> Decision.

No I/O, no clock, no randomness: everything it needs is handed in. The server, the simulator
and the evaluation commands all run this same code. May import tandem.core and
tandem.understanding only.
"""

from tandem.engine.decide import decide
from tandem.engine.types import (
    BotReply,
    ConversationView,
    Decision,
    Inbound,
    QueueFacts,
    QuickReply,
)

__all__ = [
    "BotReply",
    "ConversationView",
    "Decision",
    "Inbound",
    "QueueFacts",
    "QuickReply",
    "decide",
]
