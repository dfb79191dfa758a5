"""Staff accounts (agent, supervisor, admin), their sessions, and customer identity signing.

May import tandem.core, tandem.config, tandem.db.
"""
