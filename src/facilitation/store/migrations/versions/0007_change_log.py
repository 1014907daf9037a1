"""What changed: one row per write transaction, the tables it wrote (and whose rows);
and the intake open ahead of a meeting.

Revision ID: 0007_change_log
Revises: 0006_findings
Create Date: 2026-12-03

A new table (the pages of each server read it to re-read only what changed) and a new
column ``meeting_live.intake_ahead`` (false for every existing meeting).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_change_log"
down_revision = "0006_findings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("meeting_live") as batch:
        batch.add_column(
            sa.Column("intake_ahead", sa.Boolean(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting_live") as batch:
        batch.drop_column("intake_ahead")
    op.drop_table("change_log")
