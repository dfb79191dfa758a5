"""Database plumbing: declarative base, async engine and sessions, migrations (Alembic).

Imports only tandem.core and tandem.config. Domain packages define their tables on `Base`.
"""
