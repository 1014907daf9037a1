"""What happens at 0:00: a vote round, a table round and a consultation each say whether
their countdown closes them by itself or only signals; the deadline of a running
countdown; and who closed a round (the facilitator, or the clock).

Revision ID: 0011_timers
Revises: 0010_join
Create Date: 2026-12-04

Existing vote rounds and table rounds close by themselves at 0:00 from now on (the
default), existing consultations only signal; no countdown of theirs is running.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_timers"
down_revision = "0010_join"
branch_labels = None
depends_on = None

_WHEN = {"vote_round": "close", "table_round": "close", "consultation": "signal"}


def _utc() -> sa.types.TypeEngine:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    for table, default in _WHEN.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("at_zero", sa.String(10), server_default=default, nullable=False)
            )
            deadline = "phase_ends_at" if table == "consultation" else "ends_at"
            batch.add_column(sa.Column(deadline, _utc(), nullable=True))
            if table != "consultation":
                closed = "closed_by" if table == "vote_round" else "ended_by"
                batch.add_column(sa.Column(closed, sa.String(12), nullable=True))


def downgrade() -> None:
    for table in _WHEN:
        with op.batch_alter_table(table) as batch:
            if table != "consultation":
                batch.drop_column("closed_by" if table == "vote_round" else "ended_by")
            batch.drop_column("phase_ends_at" if table == "consultation" else "ends_at")
            batch.drop_column("at_zero")
