"""Paid work: the remote-job journal, the ledger of spends, and the QC outcomes the router learns from.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote_jobs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("cache_key", sa.String(64), nullable=False),
        sa.Column("node", sa.String(512), nullable=False),
        sa.Column("job_id", sa.String(256), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_remote_jobs_cache_key", "remote_jobs", ["cache_key"])
    op.create_index("ix_remote_jobs_state", "remote_jobs", ["state"])
    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("step", sa.String(128), nullable=False),
        sa.Column("entity", sa.String(256), nullable=False),
        sa.Column("job_id", sa.String(256), nullable=True),
        sa.Column("cache_key", sa.String(64), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("usage", sa.JSON(), nullable=False),
    )
    op.create_index("ix_ledger_entity", "ledger", ["entity"])
    op.create_table(
        "route_outcomes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("shot_type", sa.String(32), nullable=False),
        sa.Column("entity", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_route_outcomes_model", "route_outcomes", ["model"])


def downgrade() -> None:
    op.drop_table("route_outcomes")
    op.drop_table("ledger")
    op.drop_table("remote_jobs")
