"""The agent workspace: queue, accept, reply, transfer, resolve, hand back to the AI; the desk's
live event stream. May import tandem.conversations, tandem.routing, tandem.identity, tandem.db,
tandem.realtime, tandem.core.
"""
