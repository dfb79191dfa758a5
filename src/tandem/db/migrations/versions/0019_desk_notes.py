"""desk: internal notes (and transfer notes) and tags on conversations

Revision ID: 0019_desk_notes
Revises: 0007_queue_announced
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.db.base

revision: str = "0019_desk_notes"
down_revision: str | Sequence[str] | None = "0007_queue_announced"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = tandem.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "desk_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("author_id", sa.String(length=40), nullable=False),
        sa.Column("author_name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_desk_notes_conversation_id", "desk_notes", ["conversation_id"])
    op.create_table(
        "desk_tags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("tag", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(length=40), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id", "tag", name="uq_desk_tags_tag"),
    )
    op.create_index("ix_desk_tags_conversation_id", "desk_tags", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_desk_tags_conversation_id", table_name="desk_tags")
    op.drop_table("desk_tags")
    op.drop_index("ix_desk_notes_conversation_id", table_name="desk_notes")
    op.drop_table("desk_notes")
