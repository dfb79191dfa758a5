"""knowledge: a revision counter and each entry's revision, so every running server (and one
that a CLI import wrote behind) applies changed entries to its index without a restart

Revision ID: 0019_kb_revision
Revises: 0003_knowledge
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_kb_revision"
down_revision: str | Sequence[str] | None = "0003_knowledge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("knowledge_entries") as batch:
        batch.add_column(
            sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.create_index("ix_knowledge_entries_revision", ["revision"])
    table = op.create_table(
        "knowledge_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "value": 0}])


def downgrade() -> None:
    op.drop_table("knowledge_revision")
    with op.batch_alter_table("knowledge_entries") as batch:
        batch.drop_index("ix_knowledge_entries_revision")
        batch.drop_column("revision")
