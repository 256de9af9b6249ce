"""summary_jobs (the archive's summary jobs of ``POST /api/summaries``)

One row per job: the app instance that ran it, who started it and whether with the right to
nichtöffentliche Vorlagen, its options (``limit_documents``, ``since``), its status (running,
stopping, done, failed, cancelled, interrupted), the documents handled of all, the batch's
counts by status (JSON), the model calls, the German result sentence, and its times. No
document text.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "summary_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("instance", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("allow_nonpublic", sa.Boolean(), nullable=False),
        sa.Column("limit_documents", sa.Integer(), nullable=True),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("model_calls", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'stopping', 'done', 'failed', 'cancelled', 'interrupted')",
            name=op.f("ck_summary_jobs_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summary_jobs")),
    )
    op.create_index(
        "ix_summary_jobs_instance_created_at", "summary_jobs", ["instance", "created_at"]
    )
    op.create_index("ix_summary_jobs_instance_status", "summary_jobs", ["instance", "status"])


def downgrade() -> None:
    op.drop_index("ix_summary_jobs_instance_status", table_name="summary_jobs")
    op.drop_index("ix_summary_jobs_instance_created_at", table_name="summary_jobs")
    op.drop_table("summary_jobs")
