"""contacts: where each conversation came from, and contact blocks

Revision ID: 0006_contacts
Revises: 0001_foundation
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.db.base

revision: str = "0006_contacts"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = tandem.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "contact_origins",
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("customer_external_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_contact_origins_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_contact_origins")),
    )
    with op.batch_alter_table("contact_origins", schema=None) as batch_op:
        batch_op.create_index("ix_contact_origins_ip_at", ["ip", "created_at"], unique=False)
        batch_op.create_index(
            "ix_contact_origins_customer_at", ["customer_external_id", "created_at"], unique=False
        )
    op.create_table(
        "contact_blocks",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=True),
        sa.Column("blocked_by", sa.String(length=40), nullable=False),
        sa.Column("blocked_at", UTC, nullable=False),
        sa.Column("unblocked_by", sa.String(length=40), nullable=True),
        sa.Column("unblocked_at", UTC, nullable=True),
        sa.Column("unblock_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_blocks")),
    )
    with op.batch_alter_table("contact_blocks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_blocks_kind_value", ["kind", "value", "active"], unique=False
        )


def downgrade() -> None:
    op.drop_table("contact_blocks")
    op.drop_table("contact_origins")
