"""Meeting templates: the formats the programmes use, with agenda and live parts prepared.

A template gives a new meeting its format, an agenda with times, and what its
live parts need before the day: themed tables and their rounds for a
Transferwerkstatt (it asks for the themes, their number and the rounds; a table
without a theme is never made), a prepared consultation for a forum working by *kollegiale
Beratung*, a Fliegende Werkstatt's consultation of the host town's case. The
facilitator changes all of it afterwards as she likes;
:meth:`facilitation.store.Store.add_meeting_from_template` makes a meeting
from one (optionally copying agenda and participants of an earlier meeting).

The words are English here and marked for translation: the meeting gets them
in the language the facilitator works in.

>>> [t.key for t in TEMPLATES.values()]  # doctest: +NORMALIZE_WHITESPACE
['kickoff', 'follow_up', 'transferwerkstatt', 'forum', 'network_meeting',
 'fliegende_werkstatt']
>>> kickoff = template("kickoff")
>>> kickoff.agenda[0].starts, kickoff.agenda[-1].ends
(datetime.time(9, 30), datetime.time(13, 0))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ._exceptions import InvalidInput, word
from .i18n import N_
from .models import ConsultationVariant, MeetingFormat

__all__ = ["TEMPLATES", "AgendaStep", "MeetingTemplate", "template"]


@dataclass(frozen=True)
class AgendaStep:
    """One item of a template's agenda (``title`` marked for translation)."""

    title: str
    starts: dt.time
    minutes: int
    kind: str = "other"

    @property
    def ends(self) -> dt.time:
        start = dt.datetime.combine(dt.date(2000, 1, 1), self.starts)
        return (start + dt.timedelta(minutes=self.minutes)).time()


@dataclass(frozen=True)
class MeetingTemplate:
    """A format of meeting: its name, agenda and the live parts it prepares."""

    key: str
    name: str
    description: str
    format: MeetingFormat
    agenda: tuple[AgendaStep, ...]
    table_count: int = 0  # how many themed tables it asks themes for (none made without)
    table_rounds: int = 0
    round_minutes: int = 30
    consultations: tuple[tuple[str, ConsultationVariant], ...] = ()


def _agenda(start: str, *steps: tuple[str, int, str]) -> tuple[AgendaStep, ...]:
    """Steps one after the other from ``start`` (HH:MM)."""
    at = dt.datetime.combine(dt.date(2000, 1, 1), dt.time.fromisoformat(start))
    out = []
    for title, minutes, kind in steps:
        out.append(AgendaStep(title, at.time(), minutes, kind))
        at += dt.timedelta(minutes=minutes)
    return tuple(out)


_WELCOME = N_("Welcome and introduction")
_BREAK = N_("Coffee break")
_CLOSING = N_("Agreements, next dates and closing")

TEMPLATES: dict[str, MeetingTemplate] = {
    t.key: t
    for t in (
        MeetingTemplate(
            "kickoff",
            N_("Peer-learning kickoff"),
            N_(
                "Getting to know each other, collecting the challenges and choosing the common "
                "topics by dot-voting; a first collegial consultation."
            ),
            MeetingFormat.PEER_LEARNING,
            _agenda(
                "09:30",
                (N_("Welcome and introduction to peer learning"), 30, "welcome"),
                (N_("Round of introductions: municipality, role, expectations"), 30, "plenary"),
                (N_("Presenting and collecting the challenges"), 30, "intake"),
                (N_("Bundling the topics and setting priorities (dot-voting)"), 20, "vote"),
                (_BREAK, 15, "break"),
                (N_("First collegial consultation"), 60, "consultation"),
                (_CLOSING, 25, "closing"),
            ),
            consultations=((N_("Collegial consultation 1"), ConsultationVariant.STANDARD),),
        ),
        MeetingTemplate(
            "follow_up",
            N_("Follow-up meeting"),
            N_(
                "What became of the agreements, a collegial consultation on a current case, "
                "and the next steps."
            ),
            MeetingFormat.PEER_LEARNING,
            _agenda(
                "09:30",
                (N_("Welcome by the host town"), 20, "welcome"),
                (N_("Looking back: what became of the agreements?"), 30, "actions"),
                (N_("Collegial consultation"), 60, "consultation"),
                (_BREAK, 15, "break"),
                (N_("Topic of the day: input and discussion"), 45, "plenary"),
                (_CLOSING, 20, "closing"),
            ),
            consultations=((N_("Collegial consultation"), ConsultationVariant.STANDARD),),
        ),
        MeetingTemplate(
            "transferwerkstatt",
            N_("Transferwerkstatt with themed tables"),
            N_(
                "Talks and a poster session, then four themed tables whose groups rotate every "
                "30 minutes, and a reflection in the plenary."
            ),
            MeetingFormat.TRANSFERWERKSTATT,
            _agenda(
                "10:00",
                (_WELCOME, 20, "welcome"),
                (N_("Talks from practice"), 45, "plenary"),
                (N_("Poster session"), 30, "plenary"),
                (_BREAK, 15, "break"),
                (N_("Themed tables (three rounds of 30 minutes)"), 90, "tables"),
                (N_("Harvest of the tables and reflection in the plenary"), 30, "plenary"),
                (_CLOSING, 15, "closing"),
            ),
            table_count=4,
            table_rounds=3,
        ),
        MeetingTemplate(
            "forum",
            N_("Forum with collegial consultation"),
            N_(
                "Working meeting of the forum: two collegial consultations on current problems "
                "and the monitoring of what was agreed."
            ),
            MeetingFormat.FORUM,
            _agenda(
                "13:00",
                (_WELCOME, 15, "welcome"),
                (N_("Monitoring: the actions since the last meeting"), 30, "actions"),
                (N_("Collegial consultation, case 1"), 60, "consultation"),
                (_BREAK, 15, "break"),
                (N_("Collegial consultation, case 2"), 60, "consultation"),
                (N_("What goes into the practice guide"), 20, "plenary"),
                (_CLOSING, 10, "closing"),
            ),
            consultations=(
                (N_("Case 1"), ConsultationVariant.STANDARD),
                (N_("Case 2"), ConsultationVariant.STANDARD),
            ),
        ),
        MeetingTemplate(
            "network_meeting",
            N_("Network meeting"),
            N_(
                "The towns of the network report, complete their cooperation network, and "
                "hand out tasks to the sub-groups."
            ),
            MeetingFormat.NETWORK_MEETING,
            _agenda(
                "10:00",
                (_WELCOME, 15, "welcome"),
                (N_("Reports from the towns"), 45, "plenary"),
                (N_("Completing the cooperation network"), 30, "network"),
                (_BREAK, 15, "break"),
                (N_("Work in the sub-groups"), 60, "plenary"),
                (N_("Tasks and who takes them on"), 30, "actions"),
                (_CLOSING, 15, "closing"),
            ),
        ),
        MeetingTemplate(
            "fliegende_werkstatt",
            N_("Fliegende Werkstatt"),
            N_(
                "The host town names a problem on site; experts from the partner towns develop "
                "ideas for it as a collegial consultation."
            ),
            MeetingFormat.FLIEGENDE_WERKSTATT,
            _agenda(
                "10:00",
                (N_("Welcome by the host town"), 15, "welcome"),
                (N_("Walk through the town: the problem on site"), 60, "plenary"),
                (N_("Fliegende Werkstatt: the partner towns' experts consult"), 75, "consultation"),
                (_BREAK, 15, "break"),
                (N_("Recommendations and next steps"), 30, "actions"),
                (_CLOSING, 15, "closing"),
            ),
            consultations=((N_("The host town's case"), ConsultationVariant.FLIEGENDE_WERKSTATT),),
        ),
    )
}
"""The templates by key, in the order the facilitator's page offers them."""


def template(key: str) -> MeetingTemplate:
    """The template ``key``; :class:`~facilitation.InvalidInput` if there is none."""
    try:
        return TEMPLATES[key]
    except KeyError:
        raise InvalidInput(
            field=word(N_("Template")),
            problem=word(
                N_("{value!r} is not one of: {allowed}"), value=key, allowed=", ".join(TEMPLATES)
            ),
        ) from None
