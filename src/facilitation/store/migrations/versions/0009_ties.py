"""Every German municipality can be named: the official directory a facilitator loads.

Revision ID: 0009_ties
Revises: 0008_attendance
Create Date: 2026-12-04

A new table ``municipality_directory``: each official extract of Destatis' municipality
directory a facilitator loaded (its compact file, Gebietsstand, file name, number of
municipalities). Without a row the workspace searches the directory shipped with
facilitation. Ties are unchanged: several topics of one tie are grouped when counted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_ties"
down_revision = "0008_attendance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "municipality_directory",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.Text(), server_default="", nullable=False),
        sa.Column("stand", sa.String(length=40), server_default="", nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality_directory")),
    )


def downgrade() -> None:
    op.drop_table("municipality_directory")
