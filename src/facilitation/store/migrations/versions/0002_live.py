"""Live workshop state: personal links, the facilitator's key, what a meeting shows now.

Revision ID: 0002_live
Revises: 0001_initial
Create Date: 2026-11-22
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0002_live"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("facilitator_key", sa.String(length=64), server_default="", nullable=False)
        )
    # Every existing workspace gets its own facilitator key.
    workspace = sa.table("workspace", sa.column("id"), sa.column("facilitator_key"))
    connection = op.get_bind()
    for (workspace_id,) in connection.execute(sa.select(workspace.c.id)).all():
        connection.execute(
            workspace.update()
            .where(workspace.c.id == workspace_id)
            .values(facilitator_key=secrets.token_urlsafe(24))
        )
    op.create_table(
        "meeting_live",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("screen", sa.String(length=20), server_default="waiting", nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("intake_open", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("join_code", sa.String(length=32), nullable=True),
        sa.Column("timer_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_live_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_meeting_live")),
        sa.UniqueConstraint("join_code", name=op.f("uq_meeting_live_join_code")),
    )
    op.create_table(
        "participant_link",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_participant_link_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_participant_link")),
    )


def downgrade() -> None:
    op.drop_table("participant_link")
    op.drop_table("meeting_live")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("facilitator_key")
