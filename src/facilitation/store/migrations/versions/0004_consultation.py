"""Collegial consultations as they were run: the case's town, withdrawn entries, the
phases as they were timed, and the idea each next step was made of.

Revision ID: 0004_consultation
Revises: 0003_presence
Create Date: 2026-11-23

Nothing is lost: every consultation that had started gets one logged phase
change (its current phase, at the time it began), so its timing is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_consultation"
down_revision = "0003_presence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Safe on SQLite: the store migrates with foreign keys off (see store/_open.py),
    # so rebuilding a table keeps the rows of the tables that refer to it.
    with op.batch_alter_table("consultation") as batch:
        batch.add_column(sa.Column("municipality_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_consultation_municipality_id_municipality"),
            "municipality",
            ["municipality_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("consultation_entry") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("action_item") as batch:
        batch.add_column(sa.Column("entry_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_action_item_entry_id_consultation_entry"),
            "consultation_entry",
            ["entry_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "consultation_phase_change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"], ["consultation.id"],
            name=op.f("fk_consultation_phase_change_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_phase_change")),
    )  # fmt: skip
    op.create_index(
        "ix_consultation_phase_change_consultation",
        "consultation_phase_change",
        ["consultation_id", "at"],
    )
    # The current phase of every consultation that had started is its first logged change.
    consultation = sa.table(
        "consultation", sa.column("id"), sa.column("phase"), sa.column("phase_started_at")
    )
    change = sa.table(
        "consultation_phase_change",
        sa.column("consultation_id"), sa.column("phase"), sa.column("at"),
    )  # fmt: skip
    op.execute(
        change.insert().from_select(
            ["consultation_id", "phase", "at"],
            sa.select(consultation.c.id, consultation.c.phase, consultation.c.phase_started_at)
            .where(consultation.c.phase_started_at.is_not(None))
            .order_by(consultation.c.id),
        )
    )


def downgrade() -> None:
    op.drop_index("ix_consultation_phase_change_consultation", "consultation_phase_change")
    op.drop_table("consultation_phase_change")
    with op.batch_alter_table("action_item") as batch:
        batch.drop_constraint(
            op.f("fk_action_item_entry_id_consultation_entry"), type_="foreignkey"
        )
        batch.drop_column("entry_id")
    with op.batch_alter_table("consultation_entry") as batch:
        batch.drop_column("withdrawn_at")
    with op.batch_alter_table("consultation") as batch:
        batch.drop_constraint(
            op.f("fk_consultation_municipality_id_municipality"), type_="foreignkey"
        )
        batch.drop_column("municipality_id")
