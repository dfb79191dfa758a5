"""routing: what each waiting customer was last told (position, wait), so a customer is told
again only when it changed materially

Revision ID: 0007_queue_announced
Revises: 0004_desk
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_queue_announced"
down_revision: str | Sequence[str] | None = "0004_desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("routing_queue") as batch:
        batch.add_column(sa.Column("announced_position", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("announced_eta_seconds", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("routing_queue") as batch:
        batch.drop_column("announced_eta_seconds")
        batch.drop_column("announced_position")
