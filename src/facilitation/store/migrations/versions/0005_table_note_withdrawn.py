"""A themed table's note can be withdrawn: by its author while its round lasts, or hidden
by the facilitator. It is kept, marked with the moment it was withdrawn.

Revision ID: 0005_table_note_withdrawn
Revises: 0004_consultation
Create Date: 2026-11-22

Nothing is lost: every note written so far stays, not withdrawn.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_table_note_withdrawn"
down_revision = "0004_consultation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Safe on SQLite: the store migrates with foreign keys off (see store/_open.py),
    # so rebuilding the table keeps its rows and references.
    with op.batch_alter_table("table_note") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("table_note") as batch:
        batch.drop_column("withdrawn_at")
