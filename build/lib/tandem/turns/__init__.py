"""One customer turn: read the message, store it, gather the facts, let the pure engine decide,
carry out the decision, stage the events (service.py, facts.py, effects.py), and the customer
API that carries turns (routes.py).

The message path's own room: everything it calls sits below it. May import tandem.core,
tandem.config, tandem.db, tandem.realtime, tandem.understanding, tandem.engine, tandem.shop,
tandem.knowledge, tandem.conversations and tandem.routing; the composition root
(tandem.services, tandem.deps) only from routes.py.
"""
