"""Who attended: the facilitator's corrections of attendance, each an event with its time.

Revision ID: 0008_attendance
Revises: 0007_change_log
Create Date: 2026-12-04

A new table. Page openings stay in ``presence`` (migration 0003): a registered
participant who opened her page in a meeting counts as present there, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_attendance"
down_revision = "0007_change_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attendance_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('present', 'excused', 'absent')", name=op.f("ck_attendance_event_status")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], ondelete="CASCADE",
            name=op.f("fk_attendance_event_meeting_id_meeting"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], ondelete="CASCADE",
            name=op.f("fk_attendance_event_participant_id_participant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_event")),
    )  # fmt: skip
    op.create_index(
        "ix_attendance_event_meeting_participant",
        "attendance_event",
        ["meeting_id", "participant_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_attendance_event_meeting_participant", table_name="attendance_event")
    op.drop_table("attendance_event")
