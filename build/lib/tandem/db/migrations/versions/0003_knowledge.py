"""knowledge: entries, entry versions, learning candidates, misses

Revision ID: 0003_knowledge
Revises: 0001_foundation
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.db.base

revision: str = "0003_knowledge"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = tandem.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "knowledge_entries",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("alternatives", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=32), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_conversation_id", sa.String(length=40), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_entries")),
    )
    with op.batch_alter_table("knowledge_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_entries_intent"), ["intent"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_entries_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_knowledge_entries_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "knowledge_entry_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=True),
        sa.Column("changed_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["knowledge_entries.id"],
            name=op.f("fk_knowledge_entry_versions_entry_id_knowledge_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_entry_versions")),
    )
    with op.batch_alter_table("knowledge_entry_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_knowledge_entry_versions_entry_id"), ["entry_id"], unique=False
        )

    op.create_table(
        "knowledge_candidates",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("alternatives", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("intent", sa.String(length=32), nullable=True),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("conversation_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("similar_entry_id", sa.String(length=40), nullable=True),
        sa.Column("entry_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_candidates")),
    )
    with op.batch_alter_table("knowledge_candidates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_knowledge_candidates_status"), ["status"], unique=False
        )

    op.create_table(
        "knowledge_misses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_misses")),
    )
    with op.batch_alter_table("knowledge_misses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_knowledge_misses_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_knowledge_misses_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("knowledge_misses")
    op.drop_table("knowledge_candidates")
    op.drop_table("knowledge_entry_versions")
    op.drop_table("knowledge_entries")
