"""Domain records of a workspace: plain dataclasses, no I/O.

Names follow the glossary in DESIGN.md: one name per concept across code,
schema, user interface and exports. Times are timezone-aware UTC datetimes.

>>> VoteState("open").can_become(VoteState.CLOSED)
True
>>> VoteState.REVEALED.can_become(VoteState.OPEN)
False
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from .i18n import N_

__all__ = [
    "FINDING_KIND_WORDS",
    "FINDING_STATUS_WORDS",
    "SOURCE_KIND_WORDS",
    "STANCE_WORDS",
    "STATE_KEYS",
    "STATE_NAMES",
    "STRENGTHS",
    "ActionItem",
    "ActionStatus",
    "ActionUpdate",
    "AgendaItem",
    "AgreementEvent",
    "AtZero",
    "Challenge",
    "ClosedBy",
    "Consultation",
    "ConsultationEntry",
    "ConsultationPhase",
    "ConsultationRole",
    "ConsultationVariant",
    "DotAction",
    "DotEvent",
    "EntryKind",
    "Finding",
    "FindingKind",
    "FindingSource",
    "FindingStatus",
    "Group",
    "LiveState",
    "Meeting",
    "MeetingFormat",
    "Municipality",
    "NetworkDisplay",
    "Participant",
    "PhaseChange",
    "PreparedAction",
    "PreparedEvent",
    "PreparedKind",
    "PriorityDot",
    "Relationship",
    "RoleAssignment",
    "Screen",
    "SourceKind",
    "Stance",
    "TableAssignment",
    "TableChange",
    "TableNote",
    "TableRound",
    "ThemedTable",
    "Tie",
    "TieType",
    "Topic",
    "Visibility",
    "VoteRound",
    "VoteState",
    "Workspace",
    "relationships",
    "state_of_ags",
]


# --- vocabularies -------------------------------------------------------------


class MeetingFormat(StrEnum):
    PEER_LEARNING = "peer_learning"
    TRANSFERWERKSTATT = "transferwerkstatt"
    FORUM = "forum"
    NETWORK_MEETING = "network_meeting"
    FLIEGENDE_WERKSTATT = "fliegende_werkstatt"
    DIGITAL = "digital"
    OTHER = "other"


class VoteState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    REVEALED = "revealed"

    def can_become(self, new: VoteState) -> bool:
        """Whether a round in this state may move to ``new``."""
        return new in _VOTE_TRANSITIONS[self]


_VOTE_TRANSITIONS = {
    VoteState.DRAFT: {VoteState.OPEN},
    VoteState.OPEN: {VoteState.CLOSED},
    VoteState.CLOSED: {VoteState.OPEN, VoteState.REVEALED},
    VoteState.REVEALED: set(),
}

# Words shown in messages about vote states (marked for translation).
VOTE_STATE_WORDS = {
    VoteState.DRAFT: N_("in preparation"),
    VoteState.OPEN: N_("open"),
    VoteState.CLOSED: N_("closed"),
    VoteState.REVEALED: N_("revealed"),
}


class Screen(StrEnum):
    """What the participants' pages show now."""

    WAITING = "waiting"
    INTAKE = "intake"
    VOTE = "vote"
    RESULTS = "results"
    CONSULTATION = "consultation"  # subject: the consultation
    TABLES = "tables"  # subject: the round of table rotation
    NETWORK = "network"
    REVIEW = "review"  # the findings of the series, for agreement


# What the facilitator's page calls each screen (marked for translation).
SCREEN_WORDS = {
    Screen.WAITING: N_("Waiting screen"),
    Screen.INTAKE: N_("Collect challenges"),
    Screen.VOTE: N_("Dot-voting"),
    Screen.RESULTS: N_("Result"),
    Screen.CONSULTATION: N_("Collegial consultation"),
    Screen.TABLES: N_("Themed tables"),
    Screen.NETWORK: N_("Cooperation network"),
    Screen.REVIEW: N_("Review of the findings"),
}


class Visibility(StrEnum):
    SECRET = "secret"  # tally hidden until the facilitator reveals it
    LIVE = "live"  # tally shown while dots are placed


class AtZero(StrEnum):
    """What happens when the countdown of a round or a phase reaches 0:00."""

    CLOSE = "close"  # it closes by itself, at the deadline
    SIGNAL = "signal"  # the pages say that the time is up; the facilitator closes it


class ClosedBy(StrEnum):
    """Who closed a round: the facilitator, or the clock at its deadline."""

    FACILITATOR = "facilitator"
    CLOCK = "clock"


class DotAction(StrEnum):
    PLACE = "place"
    TAKE_BACK = "take_back"


class ConsultationPhase(StrEnum):
    """Tietze's six phases of a collegial consultation, and its end."""

    CASTING = "casting"
    CASE_ACCOUNT = "case_account"
    KEY_QUESTION = "key_question"
    METHOD_CHOICE = "method_choice"
    CONSULTATION = "consultation"
    CLOSING = "closing"
    DONE = "done"


class ConsultationRole(StrEnum):
    CASE_GIVER = "case_giver"
    MODERATOR = "moderator"
    CONSULTANT = "consultant"
    SECRETARY = "secretary"
    OBSERVER = "observer"


class ConsultationVariant(StrEnum):
    """How a consultation is run: Tietze's standard, or the "Fliegende Werkstatt"."""

    STANDARD = "standard"
    # The host town names a problem; experts from the partner towns consult on site.
    FLIEGENDE_WERKSTATT = "fliegende_werkstatt"


class EntryKind(StrEnum):
    QUESTION = "question"
    IDEA = "idea"
    NOTE = "note"
    OBSERVATION = "observation"


class TieType(StrEnum):
    COOPERATES = "cooperates"
    LEARNS_FROM = "learns_from"
    PARTNER_NETWORK = "partner_network"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def is_open(self) -> bool:
        """Whether an action in this state still waits to be done (open or in progress)."""
        return self in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


# Words shown for the states of an action (marked for translation).
ACTION_STATUS_WORDS = {
    ActionStatus.OPEN: N_("to do"),
    ActionStatus.IN_PROGRESS: N_("in progress"),
    ActionStatus.DONE: N_("done"),
    ActionStatus.DROPPED: N_("dropped"),
}

# Where an action was agreed (``ActionItem.origin``), in words (marked for translation).
ACTION_ORIGIN_WORDS = {
    "consultation": N_("Collegial consultation"),
    "table": N_("Themed table"),
    "vote": N_("Dot-voting"),
    "direct": N_("Entered directly"),
}


# --- records ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Workspace:
    """A programme or series of meetings: one workspace per database."""

    id: int
    title: str
    description: str = ""
    created_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Municipality:
    id: int
    name: str
    ags: str | None = None  # Amtlicher Gemeindeschlüssel, 8 digits
    state: str | None = None  # two-letter code, e.g. "SN"
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    population: int | None = None
    population_date: dt.date | None = None
    source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """A named group of municipalities: a city network, a region, a sub-group."""

    id: int
    key: str
    name: str
    kind: str = "city_network"
    municipality_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Meeting:
    id: int
    title: str
    date: dt.date | None = None
    place: str = ""
    format: MeetingFormat = MeetingFormat.PEER_LEARNING
    host_municipality_id: int | None = None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AgendaItem:
    id: int
    meeting_id: int
    position: int
    title: str
    starts_at: dt.time | None = None
    minutes: int | None = None
    kind: str = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class Participant:
    id: int
    name: str
    role: str = ""  # function in the town hall, e.g. "Bürgermeisterin"
    municipality_id: int | None = None
    email: str | None = None
    consent_named: bool = False  # may be named in the protocol
    created_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Challenge:
    id: int
    meeting_id: int
    title: str
    description: str = ""
    participant_id: int | None = None
    municipality_id: int | None = None
    tags: tuple[str, ...] = ()
    created_at: dt.datetime
    withdrawn_at: dt.datetime | None = None  # by its author, while the intake was open


@dataclass(frozen=True, slots=True, kw_only=True)
class Topic:
    """A theme merged from one or more challenges; it keeps its origins."""

    id: int
    meeting_id: int
    title: str
    description: str = ""
    challenge_ids: tuple[int, ...] = ()
    created_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class VoteRound:
    id: int
    meeting_id: int
    title: str
    topic_ids: tuple[int, ...]
    dots_per_person: int
    max_per_topic: int
    visibility: Visibility = Visibility.SECRET
    state: VoteState = VoteState.DRAFT
    parent_round_id: int | None = None  # a further round over the leaders of this one
    timer_seconds: int | None = None
    at_zero: AtZero = AtZero.CLOSE  # what happens when its countdown reaches 0:00
    created_at: dt.datetime
    opened_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None  # the deadline of its countdown while it runs
    closed_at: dt.datetime | None = None
    closed_by: ClosedBy | None = None  # the facilitator, or the clock at the deadline
    revealed_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DotEvent:
    """One dot placed or taken back: the tally is the sum of these events."""

    id: int
    round_id: int
    participant_id: int
    topic_id: int
    action: DotAction
    at: dt.datetime

    @property
    def delta(self) -> int:
        return 1 if self.action is DotAction.PLACE else -1


@dataclass(frozen=True, slots=True, kw_only=True)
class Consultation:
    id: int
    meeting_id: int
    title: str
    variant: ConsultationVariant = ConsultationVariant.STANDARD
    key_question: str = ""
    method: str | None = None  # a key of facilitation.consultation.METHODS
    phase: ConsultationPhase = ConsultationPhase.CASTING
    phase_started_at: dt.datetime | None = None
    phase_ends_at: dt.datetime | None = None  # the deadline of the phase's countdown
    at_zero: AtZero = AtZero.SIGNAL  # what happens when a phase's countdown reaches 0:00
    phase_minutes: dict[str, int] = field(default_factory=dict)
    confidential: bool = True
    include_in_export: bool = False
    created_at: dt.datetime
    # The town whose case it is (in a Fliegende Werkstatt: the host town naming the problem).
    municipality_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleAssignment:
    consultation_id: int
    participant_id: int
    role: ConsultationRole


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsultationEntry:
    id: int
    consultation_id: int
    participant_id: int | None
    phase: ConsultationPhase
    kind: EntryKind
    text: str
    taken: bool = False  # the case giver takes this idea with her
    created_at: dt.datetime
    withdrawn_at: dt.datetime | None = None  # withdrawn by its author or hidden by the facilitator


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseChange:
    """A consultation entered ``phase`` at ``at``: the phases as they were really timed."""

    id: int
    consultation_id: int
    phase: ConsultationPhase
    at: dt.datetime


class PreparedKind(StrEnum):
    """What a :class:`PreparedEvent` tells of."""

    MEETING = "meeting"
    AGENDA_ITEM = "agenda_item"
    VOTE_ROUND = "vote_round"
    TOPIC = "topic"
    CONSULTATION = "consultation"
    CHALLENGE = "challenge"


class PreparedAction(StrEnum):
    """What happened to it: changed, moved in its list, deleted (it held no participant
    data), hidden from the protocol or shown again, split (challenges taken out of a
    topic), withdrawn (by a participant, her own challenge)."""

    EDITED = "edited"
    MOVED = "moved"
    DELETED = "deleted"
    HIDDEN = "hidden"
    SHOWN = "shown"
    SPLIT = "split"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedEvent:
    """Something prepared was corrected, deleted or hidden (by the facilitator:
    ``participant_id`` None), or a participant changed her own challenge. ``before``
    holds what it was, as JSON: the values changed, or the whole record deleted."""

    id: int
    meeting_id: int | None
    kind: PreparedKind
    record_id: int
    action: PreparedAction
    title: str = ""
    before: str = ""
    participant_id: int | None = None
    at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Tie:
    """A tie between two municipalities."""

    id: int
    source_id: int
    target_id: int
    type: TieType = TieType.COOPERATES
    topic: str = ""
    weight: float = 1.0
    directed: bool = False
    meeting_id: int | None = None
    declared_by: int | None = None  # participant id
    source: str = ""  # where the tie comes from when loaded from data
    created_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionItem:
    id: int
    title: str
    meeting_id: int | None = None
    owner_id: int | None = None  # participant id
    due: dt.date | None = None
    status: ActionStatus = ActionStatus.OPEN
    origin: str = "direct"  # consultation, table, vote, direct
    origin_id: int | None = None  # the consultation, table or vote round it came from
    notes: str = ""
    created_at: dt.datetime
    updated_at: dt.datetime
    entry_id: int | None = None  # the consultation's idea this next step was made of


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionUpdate:
    """A change of an action's status, kept for the monitoring across meetings."""

    id: int
    action_id: int
    status: ActionStatus
    note: str = ""
    meeting_id: int | None = None
    at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemedTable:
    id: int
    meeting_id: int
    theme: str
    host_id: int | None = None
    position: int = 0
    hidden_at: dt.datetime | None = None  # hidden from the protocol by the facilitator


@dataclass(frozen=True, slots=True, kw_only=True)
class TableRound:
    id: int
    meeting_id: int
    number: int
    minutes: int = 30
    at_zero: AtZero = AtZero.CLOSE  # what happens when its countdown reaches 0:00
    started_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None  # the deadline of its countdown while it runs
    ended_at: dt.datetime | None = None
    ended_by: ClosedBy | None = None  # the facilitator, or the clock at the deadline
    hidden_at: dt.datetime | None = None  # hidden from the protocol by the facilitator


@dataclass(frozen=True, slots=True, kw_only=True)
class TableAssignment:
    round_id: int
    table_id: int
    participant_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TableNote:
    id: int
    table_id: int
    round_id: int | None
    participant_id: int | None
    text: str
    created_at: dt.datetime
    withdrawn_at: dt.datetime | None = None  # withdrawn by its author or hidden by the facilitator


@dataclass(frozen=True, slots=True, kw_only=True)
class TableChange:
    """A themed table or a round of them deleted, hidden or shown again by the facilitator
    (``kind``: ``table_deleted``, ``table_hidden``, ``table_shown``, ``round_deleted``,
    ``round_hidden``, ``round_shown``), with its theme or number (``label``) at that moment."""

    id: int
    meeting_id: int
    kind: str
    table_id: int | None
    round_id: int | None
    label: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveState:
    """What a meeting shows now: the screen, the intake, the join code, the timer."""

    meeting_id: int
    screen: Screen = Screen.WAITING
    subject_id: int | None = None  # the vote round on the screen
    intake_open: bool = False
    # The intake open ahead of the meeting (the "Interessenbekundung"): participants'
    # pages offer it while the meeting shows the waiting screen.
    intake_ahead: bool = False
    join_code: str | None = None  # open event: newcomers join with this code
    timer_ends_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


# --- what the series learned --------------------------------------------------------


class FindingKind(StrEnum):
    FINDING = "finding"  # Erkenntnis
    RECOMMENDATION = "recommendation"  # Handlungsempfehlung


class FindingStatus(StrEnum):
    DRAFT = "draft"  # the facilitator writes it; participants do not see it
    REVIEW = "review"  # participants agree, object or comment
    AGREED = "agreed"  # agreed with the participants: goes into the programme report
    SET_ASIDE = "set_aside"  # not pursued (kept, shown nowhere)


class SourceKind(StrEnum):
    """What a finding rests on: a record of one of the meetings, or the network's figures."""

    CHALLENGE = "challenge"
    TOPIC = "topic"
    VOTE_ROUND = "vote_round"
    CONSULTATION = "consultation"
    TABLE_NOTE = "table_note"
    ACTION = "action"
    NETWORK = "network"  # the cooperation network as it stood at the end of a meeting


class Stance(StrEnum):
    AGREE = "agree"
    OBJECT = "object"
    COMMENT = "comment"  # neither: only a comment


FINDING_KIND_WORDS = {
    FindingKind.FINDING: N_("Finding"),
    FindingKind.RECOMMENDATION: N_("Recommendation"),
}
FINDING_STATUS_WORDS = {
    FindingStatus.DRAFT: N_("draft"),
    FindingStatus.REVIEW: N_("in review"),
    FindingStatus.AGREED: N_("agreed"),
    FindingStatus.SET_ASIDE: N_("set aside"),
}
STANCE_WORDS = {
    Stance.AGREE: N_("I agree"),
    Stance.OBJECT: N_("I object"),
    Stance.COMMENT: N_("Only a comment"),
}
SOURCE_KIND_WORDS = {
    SourceKind.CHALLENGE: N_("Challenge"),
    SourceKind.TOPIC: N_("Topic"),
    SourceKind.VOTE_ROUND: N_("Dot-voting"),
    SourceKind.CONSULTATION: N_("Collegial consultation"),
    SourceKind.TABLE_NOTE: N_("Themed table"),
    SourceKind.ACTION: N_("Action"),
    SourceKind.NETWORK: N_("Cooperation network"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """A finding or recommendation of the series, for an addressee (a state ministry, say)."""

    id: int
    kind: FindingKind
    title: str
    text: str = ""
    addressee: str = ""
    theme: str = ""
    status: FindingStatus = FindingStatus.DRAFT
    position: int = 0
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingSource:
    """A record a finding rests on (``ref_id`` of ``kind``; for the network: the meeting)."""

    id: int
    finding_id: int
    kind: SourceKind
    ref_id: int
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementEvent:
    """A participant's answer to a finding; her latest one counts, every one is kept."""

    id: int
    finding_id: int
    participant_id: int
    meeting_id: int
    stance: Stance
    comment: str = ""
    at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PriorityDot:
    """One dot for a finding's priority placed or taken back (as the dots of a vote)."""

    id: int
    finding_id: int
    participant_id: int
    meeting_id: int
    action: DotAction
    at: dt.datetime


STATE_NAMES = {
    "BW": "Baden-Württemberg", "BY": "Bayern", "BE": "Berlin", "BB": "Brandenburg",
    "HB": "Bremen", "HH": "Hamburg", "HE": "Hessen", "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen", "NW": "Nordrhein-Westfalen", "RP": "Rheinland-Pfalz",
    "SL": "Saarland", "SN": "Sachsen", "ST": "Sachsen-Anhalt", "SH": "Schleswig-Holstein",
    "TH": "Thüringen",
}  # fmt: skip
"""The German states (Länder) by the two-letter code a municipality's ``state`` holds."""

STATE_KEYS = {
    "SH": 1, "HH": 2, "NI": 3, "HB": 4, "NW": 5, "HE": 6, "RP": 7, "BW": 8,
    "BY": 9, "SL": 10, "BE": 11, "BB": 12, "MV": 13, "SN": 14, "ST": 15, "TH": 16,
}  # fmt: skip
"""Each state's key: the first two digits of the official key (AGS) of its municipalities."""


def state_of_ags(ags: str | None) -> str | None:
    """The state of a municipality from its official key (AGS).

    >>> state_of_ags("14625020"), state_of_ags("12062124"), state_of_ags("99000000")
    ('SN', 'BB', None)
    """
    if not ags or len(ags) != 8 or not ags.isdigit():
        return None
    prefix = int(ags[:2])
    return next((state for state, key in STATE_KEYS.items() if key == prefix), None)


STRENGTHS = (1, 2, 3)
"""The strengths a participant gives a tie: 1 now and then, 2 regular, 3 close."""


@dataclass(frozen=True, slots=True)
class NetworkDisplay:
    """How the wall shows the network: layout, colours, and which ties.

    ``scope``: ``meeting`` (ties declared in this meeting), ``series`` (the
    network as it stands at this meeting: ties of this and earlier meetings
    and those loaded from data) or ``all``. Kept as one small number in the
    meeting's live state (the subject of the network screen), so every page
    knows it.

    >>> NetworkDisplay("force", "community", "meeting").code
    11
    >>> NetworkDisplay.from_code(11)
    NetworkDisplay(layout='force', colour_by='community', scope='meeting')
    >>> NetworkDisplay.from_code(None) == NetworkDisplay()
    True
    """

    layout: str = "geo"
    colour_by: str = "state"
    scope: str = "series"

    LAYOUTS: ClassVar[tuple[str, ...]] = ("geo", "force")
    COLOURS: ClassVar[tuple[str, ...]] = ("state", "group", "community")
    SCOPES: ClassVar[tuple[str, ...]] = ("series", "meeting", "all")

    def __post_init__(self) -> None:
        for value, allowed in (
            (self.layout, self.LAYOUTS),
            (self.colour_by, self.COLOURS),
            (self.scope, self.SCOPES),
        ):
            if value not in allowed:
                raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")

    @property
    def code(self) -> int:
        return (
            self.LAYOUTS.index(self.layout)
            + 2 * self.COLOURS.index(self.colour_by)
            + 6 * self.SCOPES.index(self.scope)
        )

    @classmethod
    def from_code(cls, code: int | None) -> NetworkDisplay:
        code = code if code is not None and 0 <= code < 18 else 0
        return cls(cls.LAYOUTS[code % 2], cls.COLOURS[(code // 2) % 3], cls.SCOPES[code // 6])


@dataclass(frozen=True, slots=True, kw_only=True)
class Relationship:
    """One tie between two municipalities as it was named: a stored tie per topic, together.

    ``tie`` is the first of them (its ends, type, meeting, declarer); ``topics`` in the
    order they were named; ``weight`` the strongest; ``tie_ids`` all its stored ties.
    """

    tie: Tie
    topics: tuple[str, ...] = ()
    weight: float = 1.0
    tie_ids: tuple[int, ...] = ()

    @property
    def topic(self) -> str:
        """The topics in one text, ``;``-separated."""
        return "; ".join(self.topics)


def relationships(ties: Iterable[Tie]) -> list[Relationship]:
    """The relationships the ties make: one per pair of municipalities, type, direction,
    meeting and declarer, whatever number of topics it carries (ordered by first tie).

    >>> made = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> ties = [Tie(id=1, source_id=1, target_id=2, topic="Tourismus", created_at=made,
    ...             meeting_id=1, declared_by=7),
    ...         Tie(id=2, source_id=1, target_id=2, topic="Verkehr", weight=3, created_at=made,
    ...             meeting_id=1, declared_by=7),
    ...         Tie(id=3, source_id=2, target_id=1, created_at=made, meeting_id=1, declared_by=8)]
    >>> [(r.tie.id, r.topics, r.weight, r.tie_ids) for r in relationships(ties)]
    [(1, ('Tourismus', 'Verkehr'), 3.0, (1, 2)), (3, (), 1.0, (3,))]
    """
    grouped: dict[tuple[object, ...], list[Tie]] = {}
    for tie in sorted(ties, key=lambda t: t.id):
        ends = (tie.source_id, tie.target_id)
        if not tie.directed:
            ends = (min(ends), max(ends))
        key = (*ends, str(tie.type), tie.directed, tie.meeting_id, tie.declared_by)
        grouped.setdefault(key, []).append(tie)
    return [
        Relationship(
            tie=found[0],
            topics=tuple(dict.fromkeys(t.topic for t in found if t.topic)),
            weight=float(max(t.weight for t in found)),
            tie_ids=tuple(t.id for t in found),
        )
        for found in grouped.values()
    ]
