"""channels: followed conversations, inbound webhook receipts, the delivery log

Revision ID: 0018_channels
Revises: 0001_foundation
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.db.base

revision: str = "0018_channels"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_deliveries",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=48), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", tandem.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", tandem.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", tandem.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_deliveries")),
    )
    with op.batch_alter_table("channel_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_channel_deliveries_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            "ix_channel_deliveries_due", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "channel_inbound",
        sa.Column("webhook_id", sa.String(length=200), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("received_at", tandem.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("webhook_id", name=op.f("pk_channel_inbound")),
    )

    op.create_table(
        "channel_follows",
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("cursor_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", tandem.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_channel_follows_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", "channel", name=op.f("pk_channel_follows")),
        sa.UniqueConstraint(
            "channel", "external_id", name=op.f("uq_channel_follows_channel_external_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("channel_follows")
    op.drop_table("channel_inbound")
    with op.batch_alter_table("channel_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_deliveries_due")
        batch_op.drop_index(batch_op.f("ix_channel_deliveries_conversation_id"))
    op.drop_table("channel_deliveries")
