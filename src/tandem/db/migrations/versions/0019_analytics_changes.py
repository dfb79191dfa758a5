"""analytics: an index on the event log's time, so a refresh finds the conversations that
changed since the last one by an index range instead of comparing every conversation with its
cursor

Revision ID: 0019_analytics_changes
Revises: 0015_analytics
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019_analytics_changes"
down_revision: str | Sequence[str] | None = "0015_analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_events_created_at", "events", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_events_created_at", table_name="events")
