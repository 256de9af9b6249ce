"""approvals (the Mitzeichnung) and bot_threads (a Slack or Teams thread's draft)

``approvals``: one request to a named approver to approve one stored version of a draft, and
the decision on it ('freigegeben' or 'zurueckgegeben', null while open), who decided, when,
and the approver's notes. ``bot_threads``: which draft a Slack or Teams thread refines.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approvals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("draft_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("approver", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("message_ref", sa.String(length=300), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "decision IN ('freigegeben', 'zurueckgegeben')", name=op.f("ck_approvals_decision")
        ),
        sa.CheckConstraint(
            "platform IN ('web', 'slack', 'teams')", name=op.f("ck_approvals_platform")
        ),
        sa.ForeignKeyConstraint(
            ["draft_id", "version"],
            ["draft_versions.draft_id", "draft_versions.number"],
            name=op.f("fk_approvals_draft_id_draft_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    op.create_index("ix_approvals_approver_decision", "approvals", ["approver", "decision"])
    op.create_index("ix_approvals_draft_id_version", "approvals", ["draft_id", "version"])
    op.create_table(
        "bot_threads",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("thread_key", sa.String(length=300), nullable=False),
        sa.Column("draft_id", sa.String(length=32), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_bot_threads_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("platform", "thread_key", name=op.f("pk_bot_threads")),
    )
    op.create_index("ix_bot_threads_draft_id", "bot_threads", ["draft_id"])


def downgrade() -> None:
    op.drop_index("ix_bot_threads_draft_id", table_name="bot_threads")
    op.drop_table("bot_threads")
    op.drop_index("ix_approvals_draft_id_version", table_name="approvals")
    op.drop_index("ix_approvals_approver_decision", table_name="approvals")
    op.drop_table("approvals")
