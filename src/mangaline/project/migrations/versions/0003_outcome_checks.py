"""QC outcomes name the checks a take failed, so pass rates can be read per check and for the checks enabled now.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("route_outcomes") as batch:
        batch.add_column(sa.Column("failed_checks", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("route_outcomes") as batch:
        batch.drop_column("failed_checks")
