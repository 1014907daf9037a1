"""Tables of a workspace (SQLAlchemy Core).

The Alembic migrations in ``migrations/versions`` create exactly these tables;
a test compares a migrated database with this metadata.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

__all__ = ["DATE_COLUMNS", "MOMENT_COLUMNS", "UTCDateTime", "metadata"]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A point in time, stored as UTC and read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _created() -> Column[dt.datetime]:
    return Column("created_at", UTCDateTime(), nullable=False)


def _fk(table: str, *, ondelete: str = "SET NULL") -> ForeignKey:
    return ForeignKey(f"{table}.id", ondelete=ondelete)


workspace = Table(
    "workspace",
    metadata,
    _id(),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("application", String(40), nullable=False, server_default="facilitation"),
    Column("created_with", String(40), nullable=False, server_default=""),
    Column("facilitator_key", String(64), nullable=False, server_default=""),
    _created(),
    Column(
        "current_meeting_id",
        Integer,
        ForeignKey("meeting.id", ondelete="SET NULL", use_alter=True),
    ),
)

municipality = Table(
    "municipality",
    metadata,
    _id(),
    Column("name", String(200), nullable=False),
    Column("ags", String(8), unique=True),
    Column("state", String(2)),
    Column("district", String(200)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("population", Integer),
    Column("population_date", Date),
    Column("source", Text, nullable=False, server_default=""),
    CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="latitude"),
    CheckConstraint(
        "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="longitude"
    ),
    CheckConstraint("population IS NULL OR population >= 0", name="population"),
)

municipality_group = Table(
    "municipality_group",
    metadata,
    _id(),
    Column("key", String(80), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(40), nullable=False, server_default="city_network"),
)

group_member = Table(
    "group_member",
    metadata,
    Column(
        "group_id",
        Integer,
        ForeignKey("municipality_group.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "municipality_id",
        Integer,
        ForeignKey("municipality.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)

meeting = Table(
    "meeting",
    metadata,
    _id(),
    Column("title", String(300), nullable=False),
    Column("date", Date),
    Column("place", String(300), nullable=False, server_default=""),
    Column("format", String(40), nullable=False, server_default="peer_learning"),
    Column("host_municipality_id", Integer, _fk("municipality")),
    _created(),
)

agenda_item = Table(
    "agenda_item",
    metadata,
    _id(),
    Column("meeting_id", Integer, _fk("meeting", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("title", String(300), nullable=False),
    Column("starts_at", Time),
    Column("minutes", Integer),
    Column("kind", String(40), nullable=False, server_default="other"),
    CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes"),
)

participant = Table(
    "participant",
    metadata,
    _id(),
    Column("name", String(200), nullable=False),
    Column("role", String(200), nullable=False, server_default=""),
    Column("municipality_id", Integer, _fk("municipality")),
    Column("email", String(320)),
    Column("consent_named", Boolean, nullable=False, server_default="0"),
    _created(),
)

meeting_participant = Table(
    "meeting_participant",
    metadata,
    Column("meeting_id", Integer, ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "participant_id",
        Integer,
        ForeignKey("participant.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)

challenge = Table(
    "challenge",
    metadata,
    _id(),
    Column("meeting_id", Integer, _fk("meeting", ondelete="CASCADE"), nullable=False),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("participant_id", Integer, _fk("participant")),
    Column("municipality_id", Integer, _fk("municipality")),
    _created(),
    Column("withdrawn_at", UTCDateTime()),  # migration 0012
)

challenge_tag = Table(
    "challenge_tag",
    metadata,
    Column(
        "challenge_id", Integer, ForeignKey("challenge.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("tag", String(80), primary_key=True),
)

topic = Table(
    "topic",
    metadata,
    _id(),
    Column("meeting_id", Integer, _fk("meeting", ondelete="CASCADE"), nullable=False),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    _created(),
)

topic_challenge = Table(
    "topic_challenge",
    metadata,
    Column("topic_id", Integer, ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "challenge_id", Integer, ForeignKey("challenge.id", ondelete="CASCADE"), primary_key=True
    ),
)

vote_round = Table(
    "vote_round",
    metadata,
    _id(),
    Column("meeting_id", Integer, _fk("meeting", ondelete="CASCADE"), nullable=False),
    Column("title", String(300), nullable=False),
    Column("dots_per_person", Integer, nullable=False),
    Column("max_per_topic", Integer, nullable=False),
    Column("visibility", String(10), nullable=False, server_default="secret"),
    Column("state", String(10), nullable=False, server_default="draft"),
    Column("parent_round_id", Integer, _fk("vote_round")),
    Column("timer_seconds", Integer),
    _created(),
    Column("opened_at", UTCDateTime()),
    Column("closed_at", UTCDateTime()),
    Column("revealed_at", UTCDateTime()),
    Column("at_zero", String(10), nullable=False, server_default="close"),  # migration 0011
    Column("ends_at", UTCDateTime()),  # migration 0011
    Column("closed_by", String(12)),  # migration 0011
    CheckConstraint("dots_per_person >= 1", name="dots_per_person"),
    CheckConstraint("max_per_topic >= 1", name="max_per_topic"),
)

round_topic = Table(
    "round_topic",
    metadata,
    Column("round_id", Integer, ForeignKey("vote_round.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", Integer, ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False),
)

dot_event = Table(
    "dot_event",
    metadata,
    _id(),
    Column("round_id", Integer, _fk("vote_round", ondelete="CASCADE"), nullable=False),
    Column("participant_id", Integer, _fk("participant", ondelete="CASCADE"), nullable=False),
    Column("topic_id", Integer, _fk("topic", ondelete="CASCADE"), nullable=False),
    Column("action", String(10), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    CheckConstraint("action IN ('place', 'take_back')", name="action"),
    Index("ix_dot_event_round_participant", "round_id", "participant_id"),
)

consultation = Table(
    "consultation",
    metadata,
    _id(),
    Column("meeting_id", Integer, _fk("meeting", ondelete="CASCADE"), nullable=False),
    Column("title", String(300), nullable=False),
    Column("variant", String(40), nullable=False, server_default="standard"),
    Column("key_question", Text, nullable=False, server_default=""),
    Column("method", String(40)),
    Column("phase", String(20), nullable=False, server_default="casting"),
    Column("phase_started_at", UTCDateTime()),
    Column("confidential", Boolean, nullable=False, server_default="1"),
    Column("include_in_export", Boolean, nullable=False, server_default="0"),
    _created(),
    Column("municipality_id", Integer, _fk("municipality")),  # migration 0004
    Column("at_zero", String(10), nullable=False, server_default="signal"),  # migration 0011
    Column("phase_ends_at", UTCDateTime()),  # migration 0011
)

consultation_phase_plan = Table(
    "consultation_phase_plan",
    metadata,
    Column(
        "consultation_id",
        Integer,
        ForeignKey("consultation.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("phase", String(20), primary_key=True),
    Column("minutes", Integer, nullable=False),
    CheckConstraint("minutes >= 0", name="minutes"),
)

consultation_role = Table(
    "consultation_role",
    metadata,
    Column(
        "consultation_id",
        Integer,
        ForeignKey("consultation.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "participant_id",
        Integer,
        ForeignKey("participant.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("role", String(20), nullable=False),
)

consultation_entry = Table(
    "consultation_entry",
    metadata,
    _id(),
    Column("consultation_id", Integer, _fk("consultation", ondelete="CASCADE"), nullable=False),
    Column("participant_id", Integer, _fk("participant")),
    Column("phase", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("taken", Boolean, nullable=False, server_default="0"),
    _created(),
    Column("withdrawn_at", UTCDateTime()),  # migration 0004
)

tie = Table(
    "tie",
    metadata,
    _id(),
    Column("source_id", Integer, _fk("municipality", ondelete="CASCADE"), nullable=False),
    Column("target_id", Integer, _fk("municipality", ondelete="CASCADE"), nullable=False),
    Column("type", String(40), nullable=False, server_default="cooperates"),
    Column("topic", String(200), nullable=False, server_default=""),
    Column("weight", Float, nullable=False, server_default="1"),
    Column("directed", Boolean, nullable=False, server_default="0"),
    Column("meeting_id", Integer, _fk("meeting")),
    Column("declared_by", Integer, _fk("participant")),
    Column("source", Text, nullable=False, server_default=""),
    _created(),
    CheckConstraint("weight > 0", name="weight"),
    CheckConstraint("source_id <> target_id", name="no_loop"),
)

action_item = Table(
    "action_item",
    metadata,
    _id(),
    Column("title", String(500), nullable=False),
    Column("meeting_id", Integer, _fk("meeting")),
    Column("owner_id", Integer, _fk("participant")),
    Column("due", Date),
    Column("status", String(20), nullable=False, server_default="open"),
    Column("origin", String(20), nullable=False, server_default="direct"),
    Column("origin_id", Integer),
    Column("notes", Text, nullable=False, server_default=""),
    _created(),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("entry_id", Integer, _fk("consultation_entry")),  # migration 0004
)

action_update = Table(
    "action_update",
    metadata,
    _id(),
    Column("action_id", Integer, _fk("action_item", ondelete="CASCADE"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("meeting_id", Integer, _fk("meeting")),
    Column("at", UTCDateTime(), nullable=False),
)

themed_table = Table(
    "themed_table",
    metadata,
    _id(),
    Column("meeting_id", Integer, _fk("meeting", ondelete="CASCADE"), nullable=False),
    Column("theme", String(300), nullable=False),
    Column("host_id", Integer, _fk("participant")),
    Column("position", Integer, nullable=False, server_default="0"),
    Column("hidden_at", UTCDateTime()),  # migration 0013: out of the protocol
)

table_round = Table(
    "table_round",
    metadata,
    _id(),
    Column("meeting_id", Integer, _fk("meeting", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("minutes", Integer, nullable=False, server_default="30"),
    Column("started_at", UTCDateTime()),
    Column("ended_at", UTCDateTime()),
    Column("hidden_at", UTCDateTime()),  # migration 0013: out of the protocol
    UniqueConstraint("meeting_id", "number", name="uq_table_round_meeting_number"),
    Column("at_zero", String(10), nullable=False, server_default="close"),  # migration 0011
    Column("ends_at", UTCDateTime()),  # migration 0011
    Column("ended_by", String(12)),  # migration 0011
)

table_assignment = Table(
    "table_assignment",
    metadata,
    Column("round_id", Integer, ForeignKey("table_round.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "participant_id",
        Integer,
        ForeignKey("participant.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("table_id", Integer, ForeignKey("themed_table.id", ondelete="CASCADE"), nullable=False),
)

table_note = Table(
    "table_note",
    metadata,
    _id(),
    Column("table_id", Integer, _fk("themed_table", ondelete="CASCADE"), nullable=False),
    Column("round_id", Integer, _fk("table_round")),
    Column("participant_id", Integer, _fk("participant")),
    Column("text", Text, nullable=False),
    _created(),
    Column("withdrawn_at", UTCDateTime()),  # migration 0005
)

# --- live state (migration 0002) ------------------------------------------------

participant_link = Table(
    "participant_link",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("participant_id", Integer, _fk("participant", ondelete="CASCADE"), nullable=False),
    _created(),
    Column("revoked_at", UTCDateTime()),
    # The page (its kernel's key) that joined with a code and got this link: it joins once.
    Column("join_page", String(64), unique=True),
)

meeting_live = Table(
    "meeting_live",
    metadata,
    Column("meeting_id", Integer, ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("screen", String(20), nullable=False, server_default="waiting"),
    Column("subject_id", Integer),
    Column("intake_open", Boolean, nullable=False, server_default="0"),
    Column("intake_ahead", Boolean, nullable=False, server_default="0"),  # migration 0007
    Column("join_code", String(32), unique=True),
    Column("timer_ends_at", UTCDateTime()),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# --- presence (migration 0003) ---------------------------------------------------

presence = Table(
    "presence",
    metadata,
    Column("meeting_id", Integer, ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "participant_id",
        Integer,
        ForeignKey("participant.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
)

# --- consultations as they were timed (migration 0004) ---------------------------

consultation_phase_change = Table(
    "consultation_phase_change",
    metadata,
    _id(),
    Column("consultation_id", Integer, _fk("consultation", ondelete="CASCADE"), nullable=False),
    Column("phase", String(20), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_consultation_phase_change_consultation", "consultation_id", "at"),
)


# --- what the series learned (migration 0006) -----------------------------------------

finding = Table(
    "finding",
    metadata,
    _id(),
    Column("kind", String(20), nullable=False, server_default="finding"),
    Column("title", String(500), nullable=False),
    Column("text", Text, nullable=False, server_default=""),
    Column("addressee", String(300), nullable=False, server_default=""),
    Column("theme", String(300), nullable=False, server_default=""),
    Column("status", String(20), nullable=False, server_default="draft"),
    Column("position", Integer, nullable=False, server_default="0"),
    _created(),
    Column("updated_at", UTCDateTime(), nullable=False),
)

finding_source = Table(
    "finding_source",
    metadata,
    _id(),
    Column("finding_id", Integer, _fk("finding", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("ref_id", Integer, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    UniqueConstraint("finding_id", "kind", "ref_id", name="uq_finding_source_finding_id"),
)

agreement_event = Table(
    "agreement_event",
    metadata,
    _id(),
    Column("finding_id", Integer, _fk("finding", ondelete="CASCADE"), nullable=False),
    Column("participant_id", Integer, _fk("participant", ondelete="CASCADE"), nullable=False),
    Column("meeting_id", Integer, _fk("meeting", ondelete="CASCADE"), nullable=False),
    Column("stance", String(20), nullable=False),
    Column("comment", Text, nullable=False, server_default=""),
    Column("at", UTCDateTime(), nullable=False),
    CheckConstraint("stance IN ('agree', 'object', 'comment')", name="stance"),
    Index("ix_agreement_event_finding_participant", "finding_id", "participant_id"),
)

priority_dot = Table(
    "priority_dot",
    metadata,
    _id(),
    Column("finding_id", Integer, _fk("finding", ondelete="CASCADE"), nullable=False),
    Column("participant_id", Integer, _fk("participant", ondelete="CASCADE"), nullable=False),
    Column("meeting_id", Integer, _fk("meeting", ondelete="CASCADE"), nullable=False),
    Column("action", String(10), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    CheckConstraint("action IN ('place', 'take_back')", name="action"),
    Index("ix_priority_dot_participant", "participant_id", "finding_id"),
)

# --- what changed (migration 0007) ------------------------------------------------------

change_log = Table(
    "change_log",
    metadata,
    _id(),
    # The tables one write transaction wrote, each with the participant whose row it was
    # where the statement named one: "dot_event:7,meeting_live" (see _changes.py).
    Column("topics", Text, nullable=False),
    sqlite_autoincrement=True,  # ids never come back, also after old rows are pruned
)

# --- who attended (migration 0008) ------------------------------------------------------

attendance_event = Table(
    "attendance_event",
    metadata,
    _id(),
    Column("meeting_id", Integer, _fk("meeting", ondelete="CASCADE"), nullable=False),
    Column("participant_id", Integer, _fk("participant", ondelete="CASCADE"), nullable=False),
    Column("status", String(10), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    CheckConstraint("status IN ('present', 'excused', 'absent')", name="status"),
    Index("ix_attendance_event_meeting_participant", "meeting_id", "participant_id"),
)

# --- the directory of municipalities a facilitator loaded (migration 0009) -------------------

municipality_directory = Table(
    "municipality_directory",
    metadata,
    _id(),
    # An official extract (Destatis GV-ISys) as facilitation.directory's compact file;
    # the newest row is the directory the workspace searches, older rows are kept.
    Column("source", Text, nullable=False, server_default=""),
    Column("stand", String(40), nullable=False, server_default=""),
    Column("places", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    _created(),
)

# --- themed tables corrected (migration 0013) --------------------------------------------

table_change = Table(
    "table_change",
    metadata,
    _id(),
    Column("meeting_id", Integer, _fk("meeting", ondelete="CASCADE"), nullable=False),
    # table_deleted, table_hidden, table_shown, round_deleted, round_hidden, round_shown
    Column("kind", String(20), nullable=False),
    Column("table_id", Integer),  # no foreign key: a deleted table's id stays on record
    Column("round_id", Integer),
    Column("label", String(300), nullable=False, server_default=""),  # theme or number then
    _created(),
)

_COLUMNS = [column for table in metadata.tables.values() for column in table.columns]
MOMENT_COLUMNS = frozenset(c.name for c in _COLUMNS if isinstance(c.type, UTCDateTime))
"""Names of the columns that hold moments (UTC), wherever they are: parsed as such in tables."""
DATE_COLUMNS = frozenset(c.name for c in _COLUMNS if isinstance(c.type, Date))
"""Names of the columns that hold dates."""


# --- what was prepared, corrected, deleted or hidden (migration 0012) ------------

prepared_event = Table(
    "prepared_event",
    metadata,
    _id(),
    # No foreign keys to what it tells of: the event outlives a deleted record.
    Column("meeting_id", Integer),
    Column("kind", String(20), nullable=False),
    Column("record_id", Integer, nullable=False),
    Column("action", String(20), nullable=False),
    Column("title", String(300), nullable=False, server_default=""),
    Column("before", Text, nullable=False, server_default=""),
    Column("participant_id", Integer, _fk("participant")),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_prepared_event_record", "kind", "record_id"),
    Index("ix_prepared_event_meeting", "meeting_id"),
)
