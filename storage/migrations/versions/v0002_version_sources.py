"""draft_versions.source: also 'rewritten' and 'refined'

A version can now be a section written again ("rewritten") or a follow-up refinement
("refined") besides "generated" and "edited".

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEW = "source IN ('generated', 'edited', 'rewritten', 'refined')"
OLD = "source IN ('generated', 'edited')"


def _replace(condition: str) -> None:
    # batch mode: SQLite copies the table to change a constraint; PostgreSQL alters it.
    with op.batch_alter_table("draft_versions") as batch:
        batch.drop_constraint(op.f("ck_draft_versions_source"), type_="check")
        batch.create_check_constraint(op.f("ck_draft_versions_source"), condition)


def upgrade() -> None:
    _replace(NEW)


def downgrade() -> None:
    op.execute("UPDATE draft_versions SET source = 'generated' WHERE source = 'rewritten'")
    op.execute("UPDATE draft_versions SET source = 'edited' WHERE source = 'refined'")
    _replace(OLD)
