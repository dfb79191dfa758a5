"""The agent workspace: conversations assigned by routing, claim, reply, transfer (to a colleague,
a skill or the queue), escalate, resolve, hand back to the AI; abusive words masked with recorded
reveals; the copilot (knowledge base, colleagues' answers, canned replies); presence and breaks;
the agent's figures and the supervisor's view; the desk's live event stream. May import
tandem.conversations, tandem.routing, tandem.identity, tandem.knowledge (search, learning hook),
tandem.db, tandem.realtime, tandem.core.
"""
