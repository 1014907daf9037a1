"""Themed tables and their rounds can be hidden from the protocol, and what the
facilitator deletes or hides there is kept as an event.

Revision ID: 0013_tables
Revises: 0012_prepared
Create Date: 2026-12-04

Two new columns, ``themed_table.hidden_at`` and ``table_round.hidden_at`` (empty: every
existing table and round stays shown), and a new table ``table_change``: one row for each
table or round deleted, hidden or shown again, with its theme or number at that moment.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_tables"
down_revision = "0012_prepared"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Safe on SQLite: the store migrates with foreign keys off (see store/_open.py),
    # so rebuilding the tables keeps their rows and references.
    for name in ("themed_table", "table_round"):
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "table_change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=True),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=300), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], ondelete="CASCADE",
            name=op.f("fk_table_change_meeting_id_meeting"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_table_change")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("table_change")
    for name in ("table_round", "themed_table"):
        with op.batch_alter_table(name) as batch:
            batch.drop_column("hidden_at")
