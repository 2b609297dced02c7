"""The first schema: runs, takes, step events, tasks and notes.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
    )
    op.create_table(
        "takes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("step", sa.String(128), nullable=False),
        sa.Column("entity", sa.String(256), nullable=False),
        sa.Column("cache_key", sa.String(64), nullable=False),
        sa.Column("code_version", sa.String(64), nullable=False),
        sa.Column("params_sha256", sa.String(64), nullable=False),
        sa.Column("input_versions", sa.JSON(), nullable=False),
        sa.Column("data_version", sa.String(64), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("qc", sa.JSON(), nullable=False),
        sa.Column("validation", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id"), nullable=True),
        sa.UniqueConstraint("cache_key", name="uq_takes_cache_key"),
    )
    op.create_index("ix_takes_step", "takes", ["step"])
    op.create_index("ix_takes_entity", "takes", ["entity"])
    op.create_table(
        "step_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("step", sa.String(128), nullable=False),
        sa.Column("entity", sa.String(256), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_step_events_run_id", "step_events", ["run_id"])
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("task_type", sa.String(32), nullable=False),
        sa.Column("entity", sa.String(256), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("is_wip", sa.Boolean(), nullable=False),
        sa.Column("is_feedback_request", sa.Boolean(), nullable=False),
        sa.Column("is_retake", sa.Boolean(), nullable=False),
        sa.Column("is_done", sa.Boolean(), nullable=False),
        sa.Column("assignee", sa.String(128), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("task_type", "entity", name="uq_tasks_type_entity"),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("take_id", sa.String(32), sa.ForeignKey("takes.id"), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("retake", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_notes_take_id", "notes", ["take_id"])


def downgrade() -> None:
    op.drop_table("notes")
    op.drop_table("tasks")
    op.drop_table("step_events")
    op.drop_table("takes")
    op.drop_table("runs")
