"""The human queue: positions, honest wait estimates, assignment. Pure rules in `waits.py`;
queries in `service.py`. May import tandem.core, tandem.db, tandem.identity and
tandem.conversations.models.
"""
