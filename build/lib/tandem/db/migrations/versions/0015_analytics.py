"""analytics: derived episodes, hourly rollups, agent activity and the refresh cursors

Revision ID: 0015_analytics
Revises: 0001_foundation
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.db.base

revision: str = "0015_analytics"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = tandem.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "analytics_agent_activity",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=True),
        sa.Column("hour", UTC, nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_agent_activity")),
        sa.UniqueConstraint("kind", "source", name=op.f("uq_analytics_agent_activity_kind_source")),
    )
    op.create_index(
        "ix_analytics_agent_activity_conversation",
        "analytics_agent_activity",
        ["conversation_id"],
        unique=False,
    )
    op.create_index(
        "ix_analytics_agent_activity_hour",
        "analytics_agent_activity",
        ["hour", "agent_id"],
        unique=False,
    )
    op.create_table(
        "analytics_cursors",
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("settles_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_analytics_cursors")),
    )
    op.create_index(
        op.f("ix_analytics_cursors_settles_at"), "analytics_cursors", ["settles_at"], unique=False
    )
    op.create_table(
        "analytics_daily",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("intent", sa.String(length=48), nullable=False),
        sa.Column("skill", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("episodes", sa.Integer(), nullable=False),
        sa.Column("customer_turns", sa.Integer(), nullable=False),
        sa.Column("ai_decided", sa.Integer(), nullable=False),
        sa.Column("ai_resolved", sa.Integer(), nullable=False),
        sa.Column("handed_off", sa.Integer(), nullable=False),
        sa.Column("ho_asked", sa.Integer(), nullable=False),
        sa.Column("ho_rephrase", sa.Integer(), nullable=False),
        sa.Column("ho_emotion", sa.Integer(), nullable=False),
        sa.Column("ho_value", sa.Integer(), nullable=False),
        sa.Column("ho_low_confidence", sa.Integer(), nullable=False),
        sa.Column("ho_policy", sa.Integer(), nullable=False),
        sa.Column("ho_other", sa.Integer(), nullable=False),
        sa.Column("turns_to_handoff", sa.Integer(), nullable=False),
        sa.Column("repeated", sa.Integer(), nullable=False),
        sa.Column("asked_person", sa.Integer(), nullable=False),
        sa.Column("dead_ends", sa.Integer(), nullable=False),
        sa.Column("callbacks_missed", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("first_ai_n", sa.Integer(), nullable=False),
        sa.Column("first_ai_sum", sa.Float(), nullable=False),
        sa.Column("first_human_n", sa.Integer(), nullable=False),
        sa.Column("first_human_sum", sa.Float(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("wait_sum", sa.Float(), nullable=False),
        sa.Column("wait_max", sa.Float(), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.Column("handled_n", sa.Integer(), nullable=False),
        sa.Column("handled_sum", sa.Float(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("abusive_messages", sa.Integer(), nullable=False),
        sa.Column("abuse_incidents", sa.Integer(), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "intent", "skill", "agent_id", "channel", name=op.f("pk_analytics_daily")
        ),
    )
    op.create_table(
        "analytics_daily_by",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("dim", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("episodes", sa.Integer(), nullable=False),
        sa.Column("customer_turns", sa.Integer(), nullable=False),
        sa.Column("ai_decided", sa.Integer(), nullable=False),
        sa.Column("ai_resolved", sa.Integer(), nullable=False),
        sa.Column("handed_off", sa.Integer(), nullable=False),
        sa.Column("ho_asked", sa.Integer(), nullable=False),
        sa.Column("ho_rephrase", sa.Integer(), nullable=False),
        sa.Column("ho_emotion", sa.Integer(), nullable=False),
        sa.Column("ho_value", sa.Integer(), nullable=False),
        sa.Column("ho_low_confidence", sa.Integer(), nullable=False),
        sa.Column("ho_policy", sa.Integer(), nullable=False),
        sa.Column("ho_other", sa.Integer(), nullable=False),
        sa.Column("turns_to_handoff", sa.Integer(), nullable=False),
        sa.Column("repeated", sa.Integer(), nullable=False),
        sa.Column("asked_person", sa.Integer(), nullable=False),
        sa.Column("dead_ends", sa.Integer(), nullable=False),
        sa.Column("callbacks_missed", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("first_ai_n", sa.Integer(), nullable=False),
        sa.Column("first_ai_sum", sa.Float(), nullable=False),
        sa.Column("first_human_n", sa.Integer(), nullable=False),
        sa.Column("first_human_sum", sa.Float(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("wait_sum", sa.Float(), nullable=False),
        sa.Column("wait_max", sa.Float(), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.Column("handled_n", sa.Integer(), nullable=False),
        sa.Column("handled_sum", sa.Float(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("abusive_messages", sa.Integer(), nullable=False),
        sa.Column("abuse_incidents", sa.Integer(), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "dim", "key", name=op.f("pk_analytics_daily_by")),
    )
    op.create_table(
        "analytics_episodes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("customer_key", sa.String(length=100), nullable=False),
        sa.Column("hour", UTC, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("last_customer_at", UTC, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("intent", sa.String(length=48), nullable=False),
        sa.Column("skill", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("customer_turns", sa.Integer(), nullable=False),
        sa.Column("handed_off", sa.Boolean(), nullable=False),
        sa.Column("handoff_reason", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("turns_to_handoff", sa.Integer(), nullable=True),
        sa.Column("asked_person", sa.Boolean(), nullable=False),
        sa.Column("ticket", sa.Boolean(), nullable=False),
        sa.Column("callback_at", UTC, nullable=True),
        sa.Column("callback_missed", sa.Boolean(), nullable=False),
        sa.Column("queued_at", UTC, nullable=True),
        sa.Column("assigned_at", UTC, nullable=True),
        sa.Column("wait_seconds", sa.Float(), nullable=True),
        sa.Column("first_ai_seconds", sa.Float(), nullable=True),
        sa.Column("first_human_seconds", sa.Float(), nullable=True),
        sa.Column("handling_seconds", sa.Float(), nullable=True),
        sa.Column("closed_by", sa.String(length=40), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.Column("repeated", sa.Boolean(), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("abusive_messages", sa.Integer(), nullable=False),
        sa.Column("ended", sa.Boolean(), nullable=False),
        sa.Column("abandoned", sa.Boolean(), nullable=False),
        sa.Column("dead_end", sa.Boolean(), nullable=False),
        sa.Column("ai_resolved", sa.Boolean(), nullable=True),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_episodes")),
        sa.UniqueConstraint(
            "conversation_id", "n", name=op.f("uq_analytics_episodes_conversation_id_n")
        ),
    )
    op.create_index(
        "ix_analytics_episodes_customer",
        "analytics_episodes",
        ["customer_key", "started_at"],
        unique=False,
    )
    op.create_index("ix_analytics_episodes_day", "analytics_episodes", ["day"], unique=False)
    op.create_index(
        "ix_analytics_episodes_dead_end_hour",
        "analytics_episodes",
        ["dead_end", "hour"],
        unique=False,
    )
    op.create_index("ix_analytics_episodes_hour", "analytics_episodes", ["hour"], unique=False)
    op.create_index(
        "ix_analytics_episodes_hour_wait",
        "analytics_episodes",
        ["hour", "wait_seconds"],
        unique=False,
    )
    op.create_table(
        "analytics_hourly",
        sa.Column("hour", UTC, nullable=False),
        sa.Column("intent", sa.String(length=48), nullable=False),
        sa.Column("skill", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("episodes", sa.Integer(), nullable=False),
        sa.Column("customer_turns", sa.Integer(), nullable=False),
        sa.Column("ai_decided", sa.Integer(), nullable=False),
        sa.Column("ai_resolved", sa.Integer(), nullable=False),
        sa.Column("handed_off", sa.Integer(), nullable=False),
        sa.Column("ho_asked", sa.Integer(), nullable=False),
        sa.Column("ho_rephrase", sa.Integer(), nullable=False),
        sa.Column("ho_emotion", sa.Integer(), nullable=False),
        sa.Column("ho_value", sa.Integer(), nullable=False),
        sa.Column("ho_low_confidence", sa.Integer(), nullable=False),
        sa.Column("ho_policy", sa.Integer(), nullable=False),
        sa.Column("ho_other", sa.Integer(), nullable=False),
        sa.Column("turns_to_handoff", sa.Integer(), nullable=False),
        sa.Column("repeated", sa.Integer(), nullable=False),
        sa.Column("asked_person", sa.Integer(), nullable=False),
        sa.Column("dead_ends", sa.Integer(), nullable=False),
        sa.Column("callbacks_missed", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("first_ai_n", sa.Integer(), nullable=False),
        sa.Column("first_ai_sum", sa.Float(), nullable=False),
        sa.Column("first_human_n", sa.Integer(), nullable=False),
        sa.Column("first_human_sum", sa.Float(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("wait_sum", sa.Float(), nullable=False),
        sa.Column("wait_max", sa.Float(), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.Column("handled_n", sa.Integer(), nullable=False),
        sa.Column("handled_sum", sa.Float(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("abusive_messages", sa.Integer(), nullable=False),
        sa.Column("abuse_incidents", sa.Integer(), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "hour", "intent", "skill", "agent_id", "channel", name=op.f("pk_analytics_hourly")
        ),
    )
    op.create_table(
        "analytics_state",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("value", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analytics_state")),
    )


def downgrade() -> None:
    for table in (
        "analytics_state",
        "analytics_hourly",
        "analytics_daily",
        "analytics_daily_by",
        "analytics_episodes",
        "analytics_cursors",
        "analytics_agent_activity",
    ):
        op.drop_table(table)
