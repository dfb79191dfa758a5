"""Tandem: a customer-service platform where the AI agent and human agents work as one team.

The path of a message: channel -> conversations (persist) -> engine (understand, decide)
-> effects -> realtime -> desk -> learning. See docs/architecture.md.
"""

__version__ = "0.1.0"
