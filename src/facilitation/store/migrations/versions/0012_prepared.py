"""What the facilitator corrected, deleted or hid of what she prepared, and what a
participant changed of her own challenge: one event table for every kind of record;
a challenge can be withdrawn by its author.

Revision ID: 0012_prepared
Revises: 0011_timers
Create Date: 2026-12-04

Nothing is lost: the new table starts empty, no challenge is withdrawn.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_prepared"
down_revision = "0011_timers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prepared_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), server_default="", nullable=False),
        sa.Column("before", sa.Text(), server_default="", nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"],
            name=op.f("fk_prepared_event_participant_id_participant"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prepared_event")),
    )  # fmt: skip
    op.create_index("ix_prepared_event_record", "prepared_event", ["kind", "record_id"])
    op.create_index("ix_prepared_event_meeting", "prepared_event", ["meeting_id"])
    # Safe on SQLite: the store migrates with foreign keys off (see store/_open.py).
    with op.batch_alter_table("challenge") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("challenge") as batch:
        batch.drop_column("withdrawn_at")
    op.drop_index("ix_prepared_event_meeting", "prepared_event")
    op.drop_index("ix_prepared_event_record", "prepared_event")
    op.drop_table("prepared_event")
