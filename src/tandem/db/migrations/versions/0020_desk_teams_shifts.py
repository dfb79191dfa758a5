"""desk: accounts get a team and a shift, managed by supervisors in the control room

Revision ID: 0020_desk_teams_shifts
Revises: 0019_desk_notes
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_desk_teams_shifts"
down_revision: str | Sequence[str] | None = "0019_desk_notes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("team", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("shift", sa.String(length=11), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("shift")
        batch.drop_column("team")
