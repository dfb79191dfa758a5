"""routing: a queue version every writer of the queue rows bumps in its transaction, and the
version each row was last written at, so a process keeps the queue in memory and reads only
what changed; an index on conversations.resolved_at (the recent handling times)

Revision ID: 0021_queue_version
Revises: 0020_desk_teams_shifts
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_queue_version"
down_revision: str | Sequence[str] | None = "0020_desk_teams_shifts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    version = op.create_table(
        "routing_queue_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.bulk_insert(version, [{"id": 1, "version": 1}])
    with op.batch_alter_table("routing_queue") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.create_index("ix_routing_queue_version", ["version"])
    op.create_index("ix_conversations_resolved_at", "conversations", ["resolved_at"])


def downgrade() -> None:
    op.drop_index("ix_conversations_resolved_at", table_name="conversations")
    with op.batch_alter_table("routing_queue") as batch:
        batch.drop_index("ix_routing_queue_version")
        batch.drop_column("version")
    op.drop_table("routing_queue_version")
