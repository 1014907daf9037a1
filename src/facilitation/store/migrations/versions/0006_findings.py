"""What the series learned: findings and recommendations, the records they rest on, and
the participants' agreement (every answer and every priority dot kept as an event).

Revision ID: 0006_findings
Revises: 0005_table_note_withdrawn
Create Date: 2026-12-03

Only new tables: nothing of an existing workspace changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_findings"
down_revision = "0005_table_note_withdrawn"
branch_labels = None
depends_on = None


def _moment(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), server_default="finding", nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("addressee", sa.String(length=300), server_default="", nullable=False),
        sa.Column("theme", sa.String(length=300), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        _moment("created_at"),
        _moment("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding")),
    )
    op.create_table(
        "finding_source",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], ondelete="CASCADE",
            name=op.f("fk_finding_source_finding_id_finding"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_source")),
        sa.UniqueConstraint(
            "finding_id", "kind", "ref_id", name=op.f("uq_finding_source_finding_id")
        ),
    )  # fmt: skip
    op.create_table(
        "agreement_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        _moment("at"),
        sa.CheckConstraint(
            "stance IN ('agree', 'object', 'comment')", name=op.f("ck_agreement_event_stance")
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], ondelete="CASCADE",
            name=op.f("fk_agreement_event_finding_id_finding"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], ondelete="CASCADE",
            name=op.f("fk_agreement_event_participant_id_participant"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], ondelete="CASCADE",
            name=op.f("fk_agreement_event_meeting_id_meeting"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_event")),
    )  # fmt: skip
    op.create_index(
        "ix_agreement_event_finding_participant",
        "agreement_event",
        ["finding_id", "participant_id"],
    )
    op.create_table(
        "priority_dot",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        _moment("at"),
        sa.CheckConstraint(
            "action IN ('place', 'take_back')", name=op.f("ck_priority_dot_action")
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], ondelete="CASCADE",
            name=op.f("fk_priority_dot_finding_id_finding"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], ondelete="CASCADE",
            name=op.f("fk_priority_dot_participant_id_participant"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], ondelete="CASCADE",
            name=op.f("fk_priority_dot_meeting_id_meeting"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_dot")),
    )  # fmt: skip
    op.create_index("ix_priority_dot_participant", "priority_dot", ["participant_id", "finding_id"])


def downgrade() -> None:
    op.drop_index("ix_priority_dot_participant", table_name="priority_dot")
    op.drop_table("priority_dot")
    op.drop_index("ix_agreement_event_finding_participant", table_name="agreement_event")
    op.drop_table("agreement_event")
    op.drop_table("finding_source")
    op.drop_table("finding")
