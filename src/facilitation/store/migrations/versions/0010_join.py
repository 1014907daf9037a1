"""Joining with a code is idempotent: the page that joined is noted with its link.

Revision ID: 0010_join
Revises: 0009_ties
Create Date: 2026-12-04

A new column ``participant_link.join_page`` (unique; empty for every existing link):
the key of the page that joined with a code and got the link. The same page joining
again gets the same participant, or is refused.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_join"
down_revision = "0009_ties"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("participant_link") as batch:
        batch.add_column(sa.Column("join_page", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_participant_link_join_page"), ["join_page"])


def downgrade() -> None:
    with op.batch_alter_table("participant_link") as batch:
        batch.drop_constraint(op.f("uq_participant_link_join_page"), type_="unique")
        batch.drop_column("join_page")
