"""desk: routing queue, agent routing state, hostile-load events, reveals of masked messages

Revision ID: 0004_desk
Revises: 0001_foundation
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.db.base

revision: str = "0004_desk"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = tandem.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "routing_queue",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("skill", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("enqueued_at", UTC, nullable=False),
        sa.Column("emotion", sa.String(length=16), nullable=False),
        sa.Column("emotion_intensity", sa.Float(), nullable=False),
        sa.Column("order_value_cents", sa.Integer(), nullable=False),
        sa.Column("vip", sa.Boolean(), nullable=False),
        sa.Column("hostile", sa.Boolean(), nullable=False),
        sa.Column("requeued", sa.Boolean(), nullable=False),
        sa.Column("avoid_agent_id", sa.String(length=40), nullable=True),
        sa.Column("rank", sa.Float(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("first_estimate_seconds", sa.Integer(), nullable=True),
        sa.Column("ended_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_routing_queue_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_queue")),
    )
    with op.batch_alter_table("routing_queue", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routing_queue_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index("ix_routing_queue_enqueued_at", ["enqueued_at"], unique=False)
        batch_op.create_index("ix_routing_queue_state_rank", ["state", "rank"], unique=False)

    op.create_table(
        "routing_agents",
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("break_until", UTC, nullable=True),
        sa.Column("last_break_end", UTC, nullable=True),
        sa.Column("at_capacity_since", UTC, nullable=True),
        sa.Column("last_activity_at", UTC, nullable=True),
        sa.Column("break_suggested_at", UTC, nullable=True),
        sa.Column("alert_level", sa.String(length=16), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["accounts.id"],
            name=op.f("fk_routing_agents_agent_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_routing_agents")),
    )

    op.create_table(
        "routing_hostile_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_hostile_events")),
    )
    with op.batch_alter_table("routing_hostile_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_routing_hostile_events_agent_at", ["agent_id", "at"], unique=False
        )

    op.create_table(
        "desk_reveals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_reveals")),
    )
    with op.batch_alter_table("desk_reveals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_desk_reveals_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_desk_reveals_message_id"), ["message_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("desk_reveals")
    op.drop_table("routing_hostile_events")
    op.drop_table("routing_agents")
    op.drop_table("routing_queue")
