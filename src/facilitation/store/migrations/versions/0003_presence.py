"""The meeting that is running now, and who has joined it.

Revision ID: 0003_presence
Revises: 0002_live
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_presence"
down_revision = "0002_live"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(sa.Column("current_meeting_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_workspace_current_meeting_id_meeting"),
            "meeting",
            ["current_meeting_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "presence",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_presence_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"],
            name=op.f("fk_presence_participant_id_participant"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "participant_id", name=op.f("pk_presence")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("presence")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_constraint(op.f("fk_workspace_current_meeting_id_meeting"), type_="foreignkey")
        batch.drop_column("current_meeting_id")
