"""The human queue: skills, presence, capacity, assignment, re-queueing, honest waits, agents'
hostile-load exposure and break suggestions. The pure rules are `policy/`, `erlang.py` and
`wellbeing.py`; `models.py` holds the state; `service.py` reads it into the rules (queries and
waits, used by tandem.conversations); `assignment.py` carries out a round (it uses the
conversation use cases, so it sits above them). May import tandem.core, tandem.db,
tandem.identity, tandem.engine.types, tandem.realtime and tandem.conversations.
"""
