"""The protocol of a meeting: built from the workspace, rendered as HTML and DOCX.

:func:`build_protocol` reads one meeting's records and returns a
:class:`Protocol`: plain data (sections of paragraphs, lists, tables and
charts), with every word already in the protocol's language. The renderers
:func:`render_html` and :func:`write_docx` turn it into a self-contained HTML
page (prints on A4) and an editable Word document; neither reads the store.

Who is named: only participants who consented to be named. Anyone else is
"not named" wherever a person would appear (challenge, role, host, owner),
and the municipality of an unnamed author is not shown either, since a town
and a role often identify a person. Consultations appear as in the exports
(:func:`facilitation.consultation.released`): those not confidential, those
the facilitator included (``include_in_export``) and those the caller asks
for; the others are counted, never described.

>>> import tempfile, facilitation
>>> from facilitation.shipped import load_demo
>>> store = facilitation.create_workspace(tempfile.mkdtemp() + "/demo.db", "Demo")
>>> load_demo(store)
>>> protocol = build_protocol(store, lang="en")
>>> protocol.title
'Zweites Treffen: Ortskerne, Strukturwandel, Daseinsvorsorge'
>>> [section.key for section in protocol.sections]  # doctest: +NORMALIZE_WHITESPACE
['agenda', 'participants', 'tables', 'consultations', 'network', 'actions',
 'earlier_actions']
>>> "Frank Scholze" in protocol.plain_text()  # he did not consent to be named
False
>>> render_html(protocol).startswith("<!DOCTYPE html>")
True
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
import textwrap
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import actions as follow_up
from . import consultation as consultation_rules
from . import voting
from ._exceptions import MeetingNotFound, NoMeetingToReport
from .i18n import N_, current_language, language, ngettext, translate
from .models import (
    ACTION_ORIGIN_WORDS,
    ACTION_STATUS_WORDS,
    ActionItem,
    Challenge,
    Consultation,
    ConsultationRole,
    EntryKind,
    Meeting,
    MeetingFormat,
    Visibility,
    VoteRound,
    VoteState,
)
from .privacy import may_be_named
from .store import Store

__all__ = [
    "BarChart",
    "Bullets",
    "Cell",
    "Figure",
    "Paragraph",
    "Protocol",
    "Section",
    "Table",
    "build_protocol",
    "chart_image",
    "choose_meeting",
    "clean_text",
    "format_date",
    "render_html",
    "write_docx",
    "write_html",
]


# --- the protocol as plain data ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell: its text, an optional second line in small print, bold or not."""

    text: str
    detail: str = ""
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of text; ``style`` is ``"body"``, ``"note"`` (small, muted) or ``"label"``."""

    text: str
    style: str = "body"


@dataclass(frozen=True, slots=True)
class Bullets:
    """A list of short texts; ``marked`` items get a check mark (an idea taken up)."""

    items: tuple[str, ...]
    marked: tuple[bool, ...] = ()


@dataclass(frozen=True, slots=True)
class Table:
    """A table with a header row. ``widths`` are relative column widths (optional)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...] = ()
    caption: str = ""
    header: bool = True

    def texts(self) -> Iterator[str]:
        yield from self.columns
        for row in self.rows:
            for cell in row:
                yield cell.text
                yield cell.detail


@dataclass(frozen=True, slots=True)
class BarChart:
    """A vote round's result as a horizontal bar chart, best place on top."""

    title: str
    labels: tuple[str, ...]
    values: tuple[int, ...]
    positions: tuple[int, ...]
    tied: tuple[bool, ...]
    value_label: str
    tie_label: str

    @property
    def alt(self) -> str:
        """A text alternative for the picture."""
        parts = [f"{p}. {label}: {v}" for p, label, v in zip(
            self.positions, self.labels, self.values, strict=True
        )]  # fmt: skip
        return f"{self.title}: " + "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Figure:
    """A picture drawn elsewhere (the cooperation network): PNG and SVG bytes and a caption."""

    png: bytes
    svg: bytes
    caption: str
    alt: str


Block = Paragraph | Bullets | Table | BarChart | Figure


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of the protocol; sections nest (``blocks`` may hold sections)."""

    key: str
    heading: str
    blocks: tuple[Block | Section, ...] = ()


@dataclass(frozen=True, slots=True)
class Protocol:
    """Everything the protocol of one meeting shows, in its language.

    Plain data: the renderers (:func:`render_html`, :func:`write_docx`) and the
    tests read it; nothing in it refers back to the store.
    """

    lang: str
    meeting_id: int
    title: str
    series: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    footer: str
    label: str  # "Protokoll" / "Protocol"

    def section(self, key: str) -> Section | None:
        """The section (at any depth) with ``key``, or None."""
        for found in _walk_sections(self.sections):
            if found.key == key:
                return found
        return None

    def texts(self) -> Iterator[str]:
        """Every piece of text in the protocol (headings, cells, items, captions)."""
        yield from (self.title, self.series, self.footer, self.label)
        for label, value in self.facts:
            yield label
            yield value
        for section in _walk_sections(self.sections):
            yield section.heading
            for block in section.blocks:
                yield from _block_texts(block)

    def plain_text(self) -> str:
        """All text of the protocol, one piece a line (for search and tests)."""
        return "\n".join(text for text in self.texts() if text)

    def charts(self) -> list[BarChart]:
        return [
            b for s in _walk_sections(self.sections) for b in s.blocks if isinstance(b, BarChart)
        ]


def _walk_sections(sections: Sequence[Section]) -> Iterator[Section]:
    for section in sections:
        yield section
        yield from _walk_sections([b for b in section.blocks if isinstance(b, Section)])


def _block_texts(block: Block | Section) -> Iterator[str]:
    if isinstance(block, Paragraph):
        yield block.text
    elif isinstance(block, Bullets):
        yield from block.items
    elif isinstance(block, Table):
        yield block.caption
        yield from block.texts()
    elif isinstance(block, BarChart):
        yield block.title
        yield from block.labels
        yield block.value_label
        yield block.tie_label
    elif isinstance(block, Figure):
        yield block.caption
        yield block.alt


# --- words ----------------------------------------------------------------------------

_MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip
_WEEKDAYS = (
    N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
    N_("Saturday"), N_("Sunday"),
)  # fmt: skip

_FORMAT_WORDS = {
    MeetingFormat.PEER_LEARNING: N_("Peer-learning meeting"),
    MeetingFormat.TRANSFERWERKSTATT: N_("Transfer workshop"),
    MeetingFormat.FORUM: N_("Forum working meeting"),
    MeetingFormat.NETWORK_MEETING: N_("Network meeting"),
    MeetingFormat.FLIEGENDE_WERKSTATT: N_("Flying workshop"),
    MeetingFormat.DIGITAL: N_("Digital meeting"),
    MeetingFormat.OTHER: N_("Meeting"),
}

_ENTRY_HEADINGS = (
    (EntryKind.QUESTION, N_("Questions")),
    (EntryKind.OBSERVATION, N_("Observations")),
    (EntryKind.NOTE, N_("Notes")),
)

# Characters that XML 1.0 (DOCX, XLSX) cannot hold: C0 controls but tab and newlines.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: object) -> str:
    """Text as it can be written to any format: controls that XML forbids are dropped.

    Line breaks and tabs stay; everything else is kept exactly (markup too:
    the renderers show it as text).

    >>> clean_text("Ortskern\\x00 <b>beleben</b>\\r\\n")
    'Ortskern <b>beleben</b>\\n'
    """
    if text is None:
        return ""
    return _NOT_XML.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def format_date(day: dt.date | None, lang: str | None = None, *, long: bool = False) -> str:
    """A date as people write it in ``lang``: short (31.10.2026) or long with the weekday.

    >>> format_date(dt.date(2026, 9, 23), "de", long=True)
    'Mittwoch, 23. September 2026'
    >>> format_date(dt.date(2026, 9, 23), "en")
    '2026-09-23'
    """
    if day is None:
        return ""
    if not long:
        return translate(N_("{year}-{month:02d}-{day:02d}"), lang).format(
            year=day.year, month=day.month, day=day.day
        )
    return translate(N_("{weekday}, {day} {month} {year}"), lang).format(
        weekday=translate(_WEEKDAYS[day.weekday()], lang),
        day=day.day,
        month=translate(_MONTHS[day.month - 1], lang),
        year=day.year,
    )


# --- building -------------------------------------------------------------------------


class _Context:
    """What the builder needs across sections: language, people, towns, rules."""

    def __init__(
        self,
        store: Store,
        meeting: Meeting,
        lang: str,
        *,
        anonymous: bool,
        include_confidential: bool | Collection[int],
    ) -> None:
        self.store = store
        self.meeting = meeting
        self.lang = lang
        self.anonymous = anonymous
        self.include_confidential = include_confidential
        self.people = {p.id: p for p in store.participants()}
        self.towns = {m.id: clean_text(m.name) for m in store.municipalities()}
        self.themes = {
            t.id: clean_text(t.theme) for m in store.meetings() for t in store.tables(m.id)
        }
        self.consultations = {k.id: k for k in store.consultations()}

    def t(self, message: str) -> str:
        return translate(message, self.lang)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The singular or plural form for ``count``, translated, with ``{n}`` filled in."""
        return ngettext(singular, plural, count, self.lang).format(n=count)

    def date(self, day: dt.date | None, long: bool = False) -> str:
        return format_date(day, self.lang, long=long)

    def named(self, participant_id: int | None) -> bool:
        person = self.people.get(participant_id) if participant_id is not None else None
        return may_be_named(person, anonymous=self.anonymous)

    def name(self, participant_id: int | None) -> str:
        """The name of a person who consented, a neutral phrase otherwise, "" for nobody."""
        if participant_id is None:
            return ""
        if self.named(participant_id):
            return clean_text(self.people[participant_id].name)
        return self.t(N_("not named"))

    def town(self, municipality_id: int | None) -> str:
        return self.towns.get(municipality_id, "") if municipality_id is not None else ""

    def who(self, participant_id: int | None) -> str:
        """Name and town of a person who consented (the town is never given for others)."""
        if participant_id is None:
            return ""
        if not self.named(participant_id):
            return self.name(participant_id)
        town = self.town(self.people[participant_id].municipality_id)
        return f"{self.name(participant_id)}, {town}" if town else self.name(participant_id)

    def shown(self, consultation: Consultation) -> bool:
        """Whether a consultation's content may appear in the protocol (as in the exports)."""
        return consultation_rules.released(consultation, self.include_confidential)


def build_protocol(
    store: Store,
    meeting_id: int | None = None,
    *,
    lang: str | None = None,
    anonymous: bool = False,
    include_confidential: bool | Collection[int] = False,
    network: bool = True,
    today: dt.date | None = None,
) -> Protocol:
    """Build the protocol of a meeting from the workspace.

    Parameters
    ----------
    store
        The open workspace.
    meeting_id
        The meeting; default: the meeting the facilitator has chosen as current,
        else the last meeting of the series.
    lang
        ``"de"`` or ``"en"``; default: the current language (German unless set).
    anonymous
        Name nobody, not even those who consented (for a publication).
    include_confidential
        ``True`` shows every consultation; a collection of consultation ids
        shows those as well. By default only consultations the facilitator
        included in the export are shown; the others are only counted.
    network
        Include the cooperation network picture and key figures.
    today
        The date the protocol says it was made (default: today).

    Returns
    -------
    Protocol
        Plain data for :func:`render_html` and :func:`write_docx`.

    Raises
    ------
    MeetingNotFound
        ``meeting_id`` is not a meeting of this workspace.
    NoMeetingToReport
        The workspace has no meeting at all.
    """
    lang = lang or current_language()
    today = today or dt.date.today()
    meeting = choose_meeting(store, meeting_id)
    c = _Context(
        store, meeting, lang, anonymous=anonymous, include_confidential=include_confidential
    )
    sections = [
        _agenda(c),
        _participants(c),
        _challenges(c),
        _topics_and_votes(c),
        _themed_tables(c),
        _consultations(c),
        _network(c) if network else None,
        _actions(c),
        _earlier_actions(c, today),
    ]
    if not any(sections):
        nothing = Paragraph(c.t(N_("Nothing has been recorded for this meeting yet.")), "note")
        sections = [Section("empty", c.t(N_("Contents")), (nothing,))]
    facts = [
        (c.t(N_("Date")), c.date(meeting.date, long=True)),
        (c.t(N_("Place")), clean_text(meeting.place)),
        (c.t(N_("Host municipality")), c.town(meeting.host_municipality_id)),
        (c.t(N_("Format")), c.t(_FORMAT_WORDS[meeting.format])),
    ]
    return Protocol(
        lang=lang,
        meeting_id=meeting.id,
        title=clean_text(meeting.title),
        series=clean_text(store.info().title),
        facts=tuple((label, value) for label, value in facts if value),
        sections=tuple(s for s in sections if s is not None),
        footer=_footer(c, today),
        label=c.t(N_("Protocol")),
    )


def choose_meeting(store: Store, meeting_id: int | None = None) -> Meeting:
    """The meeting ``meeting_id``, or by default the current meeting, else the last one.

    Raises :class:`MeetingNotFound` (naming the meetings there are) or
    :class:`NoMeetingToReport`.
    """
    meetings = store.meetings()
    if not meetings:
        raise NoMeetingToReport()
    if meeting_id is None:
        return store.current_meeting() or meetings[-1]
    for meeting in meetings:
        if meeting.id == meeting_id:
            return meeting
    choices = ", ".join(f"{m.id} ({clean_text(m.title)})" for m in meetings)
    raise MeetingNotFound(id=meeting_id, choices=choices)


def _footer(c: _Context, today: dt.date) -> str:
    parts = [c.t(N_("Made with facilitation on {date}.")).format(date=c.date(today))]
    if c.anonymous:
        parts.append(c.t(N_("No participant is named in this version.")))
    else:
        parts.append(
            c.t(N_("Participants who did not agree to be named are not named in this protocol."))
        )
    if c.include_confidential is True:
        parts.append(c.t(N_("It contains every collegial consultation, confidential ones too.")))
    else:
        parts.append(
            c.t(N_("Collegial consultations appear only where the facilitator released them."))
        )
    return " ".join(parts)


def _agenda(c: _Context) -> Section | None:
    items = c.store.agenda(c.meeting.id)
    if not items:
        return None
    rows = []
    for item in items:
        when = ""
        if item.starts_at is not None:
            when = item.starts_at.strftime("%H:%M")
            if item.minutes:
                start = dt.datetime.combine(dt.date(2000, 1, 1), item.starts_at)
                when += "–" + (start + dt.timedelta(minutes=item.minutes)).strftime("%H:%M")
        minutes = str(item.minutes) if item.minutes is not None else ""
        rows.append((Cell(when), Cell(clean_text(item.title)), Cell(minutes)))
    table = Table(
        columns=(c.t(N_("Time")), c.t(N_("Item")), c.t(N_("Minutes"))),
        rows=tuple(rows),
        widths=(1.3, 6, 1),
    )
    return Section("agenda", c.t(N_("Agenda")), (table,))


def _participants(c: _Context) -> Section | None:
    present = c.store.participants(c.meeting.id)
    if not present:
        return None
    named = sorted(
        (p for p in present if c.named(p.id)),
        key=lambda p: (c.town(p.municipality_id).casefold(), p.name.casefold()),
    )
    unnamed = [p for p in present if not c.named(p.id)]
    towns = {p.municipality_id for p in present if p.municipality_id is not None}
    blocks: list[Block | Section] = []
    summary = (
        c.ngettext("{n} participant", "{n} participants", len(present))
        + " "
        + c.ngettext("from {n} municipality.", "from {n} municipalities.", len(towns))
    )
    if unnamed and not c.anonymous:
        summary += " " + c.ngettext(
            "{n} of them did not agree to be named and is not listed.",
            "{n} of them did not agree to be named and are not listed.",
            len(unnamed),
        )
    blocks.append(Paragraph(summary))
    if named:
        blocks.append(
            Table(
                columns=(c.t(N_("Name")), c.t(N_("Function")), c.t(N_("Municipality"))),
                rows=tuple(
                    (
                        Cell(clean_text(p.name), strong=True),
                        Cell(clean_text(p.role)),
                        Cell(c.town(p.municipality_id)),
                    )
                    for p in named
                ),
                widths=(3, 3, 3),
            )
        )
        shown_towns = sorted({c.town(p.municipality_id) for p in named} - {""}, key=str.casefold)
        line = c.t(N_("Municipalities: {names}")).format(names=", ".join(shown_towns))
        hidden = len(towns) - len(shown_towns)
        if hidden > 0:
            line += " " + c.t(N_("and {n} more.")).format(n=hidden)
        blocks.append(Paragraph(line))
    return Section("participants", c.t(N_("Participants")), tuple(blocks))


def _challenge_numbers(challenges: Sequence[Challenge]) -> dict[int, int]:
    return {challenge.id: number for number, challenge in enumerate(challenges, 1)}


def _challenges(c: _Context) -> Section | None:
    challenges = c.store.challenges(c.meeting.id)
    if not challenges:
        return None
    rows = []
    for number, challenge in enumerate(challenges, 1):
        author = c.name(challenge.participant_id)
        if challenge.participant_id is None or c.named(challenge.participant_id):
            town = c.town(challenge.municipality_id)
        else:
            town = ""  # a town and a role name the person: never for those not named
        rows.append(
            (
                Cell(str(number)),
                Cell(clean_text(challenge.title), clean_text(challenge.description), strong=True),
                Cell(author, town),
                Cell(", ".join(clean_text(tag) for tag in challenge.tags)),
            )
        )
    table = Table(
        columns=(
            c.t(N_("No.")),
            c.t(N_("Challenge")),
            c.t(N_("Brought in by")),
            c.t(N_("Keywords")),
        ),
        rows=tuple(rows),
        widths=(0.8, 5.2, 2.4, 2.8),
    )
    lead = c.ngettext(
        "The participants brought in {n} challenge.",
        "The participants brought in {n} challenges.",
        len(challenges),
    )
    return Section("challenges", c.t(N_("Challenges")), (Paragraph(lead), table))


def _topics_and_votes(c: _Context) -> Section | None:
    topics = c.store.topics(c.meeting.id)
    rounds = c.store.vote_rounds(c.meeting.id)
    if not topics and not rounds:
        return None
    numbers = _challenge_numbers(c.store.challenges(c.meeting.id))
    blocks: list[Block | Section] = []
    if topics:
        blocks.append(
            Paragraph(
                c.t(N_("The challenges were merged into {n} topics.")).format(n=len(topics))
                if numbers
                else c.ngettext("{n} topic was set.", "{n} topics were set.", len(topics))
            )
        )
        rows = []
        for topic in topics:
            origins = ", ".join(str(numbers[i]) for i in topic.challenge_ids if i in numbers)
            rows.append(
                (
                    Cell(clean_text(topic.title), clean_text(topic.description), strong=True),
                    Cell(origins),
                )
            )
        blocks.append(
            Table(
                columns=(c.t(N_("Topic")), c.t(N_("From challenges no.")) if numbers else ""),
                rows=tuple(rows),
                widths=(6.5, 2.5),
            )
        )
    titles = {topic.id: clean_text(topic.title) for topic in topics}
    by_id = {r.id: r for r in rounds}
    for number, vote_round in enumerate(rounds, 1):
        blocks.append(_vote_round(c, vote_round, number, titles, by_id))
    return Section("topics", c.t(N_("Topics and priorities")), tuple(blocks))


def _vote_round(
    c: _Context,
    vote_round: VoteRound,
    number: int,
    titles: dict[int, str],
    rounds: dict[int, VoteRound],
) -> Section:
    heading = c.t(N_("Dot-voting {number}: {title}")).format(
        number=number, title=clean_text(vote_round.title)
    )
    key = f"vote_round_{vote_round.id}"
    blocks: list[Block | Section] = []
    parent = rounds.get(vote_round.parent_round_id) if vote_round.parent_round_id else None
    if parent is not None:
        blocks.append(
            Paragraph(
                c.t(N_("A further round over the leading topics of “{title}”.")).format(
                    title=clean_text(parent.title)
                )
            )
        )
    rules = c.t(N_("{dots} dots per person, at most {cap} on one topic.")).format(
        dots=vote_round.dots_per_person, cap=vote_round.max_per_topic
    )
    if vote_round.state is VoteState.DRAFT:
        blocks.append(Paragraph(rules + " " + c.t(N_("This round was prepared but not held."))))
        return Section(key, heading, tuple(blocks))
    hidden = (
        vote_round.visibility is Visibility.SECRET and vote_round.state is not VoteState.REVEALED
    )
    if hidden:
        # Secret until revealed: a protocol must not tell what the room was not shown.
        blocks.append(
            Paragraph(
                rules + " " + c.t(N_("The result of this round was not revealed in the meeting."))
            )
        )
        return Section(key, heading, tuple(blocks))
    events = c.store.dot_events(vote_round.id)
    counted = voting.tally(events, vote_round.topic_ids)
    ranks = voting.ranking(counted, vote_round.topic_ids)
    placed = sum(counted.values())
    people = len(voting.voters(events))
    rules += " " + c.t(N_("Dots placed: {dots} (by {people} participants).")).format(
        dots=placed, people=people
    )
    if vote_round.state is VoteState.OPEN:
        rules += " " + c.t(N_("The round is still open: the result is provisional."))
    blocks.append(Paragraph(rules))
    shared = c.t(N_("shared place"))
    for text in _tie_sentences(c, ranks, titles):
        blocks.append(Paragraph(text, "label"))
    blocks.append(
        BarChart(
            title=heading,
            labels=tuple(titles.get(r.topic_id, "?") for r in ranks),
            values=tuple(r.dots for r in ranks),
            positions=tuple(r.position for r in ranks),
            tied=tuple(r.tied for r in ranks),
            value_label=c.t(N_("Dots")),
            tie_label=shared,
        )
    )
    blocks.append(
        Table(
            columns=(c.t(N_("Rank")), c.t(N_("Topic")), c.t(N_("Dots"))),
            rows=tuple(
                (
                    Cell(f"{r.position}.", shared if r.tied else "", strong=r.position == 1),
                    Cell(titles.get(r.topic_id, "?"), strong=r.position == 1),
                    Cell(str(r.dots), strong=r.position == 1),
                )
                for r in ranks
            ),
            widths=(1.4, 7, 1),
        )
    )
    return Section(key, heading, tuple(blocks))


def _tie_sentences(c: _Context, ranks: Sequence[voting.Rank], titles: dict[int, str]) -> list[str]:
    """One sentence per shared place with dots: a tie is said, never hidden."""
    groups: dict[int, list[voting.Rank]] = {}
    for rank in ranks:
        if rank.tied and rank.dots > 0:
            groups.setdefault(rank.position, []).append(rank)
    sentences = []
    for position, tied in groups.items():
        names = [f"„{titles.get(r.topic_id, '?')}“" for r in tied]
        sentences.append(
            c.t(N_("Tie for place {place} ({dots} dots each): {topics}.")).format(
                place=position, dots=tied[0].dots, topics=_and(c, names)
            )
        )
    return sentences


def _and(c: _Context, items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return c.t(N_("{items} and {last}")).format(items=", ".join(items[:-1]), last=items[-1])


def _themed_tables(c: _Context) -> Section | None:
    tables = c.store.tables(c.meeting.id)
    if not tables:
        return None
    table_rounds = c.store.table_rounds(c.meeting.id)
    numbers = {r.id: r.number for r in table_rounds}
    seated = {
        (round_id, table_id): len(people)
        for round_id, seating in c.store.seatings(c.meeting.id).items()
        for table_id, people in seating.items()
    }
    blocks: list[Block | Section] = []
    if table_rounds:
        blocks.append(
            Paragraph(
                c.t(N_("{tables} themed tables, {rounds} rounds of {minutes} minutes.")).format(
                    tables=len(tables),
                    rounds=len(table_rounds),
                    minutes="/".join(dict.fromkeys(str(r.minutes) for r in table_rounds)),
                )
            )
        )
    for number, table in enumerate(tables, 1):
        inner: list[Block | Section] = []
        if table.host_id is not None:
            inner.append(
                Paragraph(c.t(N_("Host: {name}")).format(name=c.who(table.host_id)), "label")
            )
        notes = c.store.table_notes(table.id)
        by_round: dict[int | None, list[str]] = {}
        for note in notes:
            by_round.setdefault(note.round_id, []).append(clean_text(note.text))
        for table_round in table_rounds:
            texts = by_round.pop(table_round.id, [])
            people = seated.get((table_round.id, table.id), 0)
            if not texts and not people:
                continue
            label = c.t(N_("Round {number}")).format(number=table_round.number)
            if people:
                label += " (" + c.ngettext("{n} person", "{n} persons", people) + ")"
            inner.append(Paragraph(label, "label"))
            inner.append(Bullets(tuple(texts)) if texts else Paragraph("—", "note"))
        leftover = [text for key, texts in by_round.items() if key not in numbers for text in texts]
        if leftover:
            inner.append(Paragraph(c.t(N_("Further notes")), "label"))
            inner.append(Bullets(tuple(leftover)))
        if not notes:
            inner.append(Paragraph(c.t(N_("No notes were taken at this table.")), "note"))
        heading = c.t(N_("Table {number}: {theme}")).format(
            number=number, theme=clean_text(table.theme)
        )
        blocks.append(Section(f"table_{table.id}", heading, tuple(inner)))
    return Section("tables", c.t(N_("Themed tables: harvest")), tuple(blocks))


def _consultations(c: _Context) -> Section | None:
    consultations = c.store.consultations(c.meeting.id)
    if not consultations:
        return None
    shown = [k for k in consultations if c.shown(k)]
    kept = len(consultations) - len(shown)
    blocks: list[Block | Section] = []
    actions = c.store.actions()
    for consultation in shown:
        blocks.append(_consultation(c, consultation, actions))
    if kept:
        blocks.append(
            Paragraph(
                c.ngettext(
                    "{n} collegial consultation stays confidential and is not described here.",
                    "{n} collegial consultations stay confidential and are not described here.",
                    kept,
                ),
                "note",
            )
        )
    return Section("consultations", c.t(N_("Collegial consultations")), tuple(blocks))


def _consultation(c: _Context, k: Consultation, actions: Sequence[ActionItem]) -> Section:
    facts = [
        (c.t(N_("Format")), c.t(consultation_rules.VARIANTS[k.variant].name)),
    ]
    if k.method:
        facts.append((c.t(N_("Method")), _method(c, k.method)))
    if k.key_question:
        facts.append((c.t(N_("Key question")), clean_text(k.key_question)))
    roles: dict[ConsultationRole, list[int]] = {}
    for role in c.store.roles(k.id):
        roles.setdefault(role.role, []).append(role.participant_id)
    for role, word in consultation_rules.ROLE_WORDS.items():
        if role in roles:
            facts.append((c.t(word), _people_list(c, roles[role])))
    blocks: list[Block | Section] = [
        Table(
            columns=("", ""),
            rows=tuple((Cell(label, strong=True), Cell(value)) for label, value in facts),
            widths=(2, 7),
            header=False,
        )
    ]
    entries = c.store.entries(k.id)
    # What the case giver could take along (ideas, or the method's contributions).
    ideas = consultation_rules.contributions(entries, k)
    listed = {e.id for e in ideas}
    if ideas:
        taken = [e for e in ideas if e.taken]
        blocks.append(Paragraph(c.t(N_("Ideas ({taken} taken up by the case giver)")).format(
            taken=len(taken)), "label"))  # fmt: skip
        ordered = taken + [e for e in ideas if not e.taken]
        blocks.append(
            Bullets(
                tuple(clean_text(e.text) for e in ordered),
                marked=tuple(e.taken for e in ordered),
            )
        )
    for kind, heading in _ENTRY_HEADINGS:
        texts = [clean_text(e.text) for e in entries if e.kind is kind and e.id not in listed]
        if texts:
            blocks.append(Paragraph(c.t(heading), "label"))
            blocks.append(Bullets(tuple(texts)))
    steps = [a for a in actions if a.origin == "consultation" and a.origin_id == k.id]
    if steps:
        blocks.append(Paragraph(c.t(N_("Next steps")), "label"))
        blocks.append(_action_table(c, steps, origin=False))
    return Section(f"consultation_{k.id}", clean_text(k.title), tuple(blocks))


def _method(c: _Context, key: str) -> str:
    known = consultation_rules.METHODS.get(key)
    return c.t(known.name) if known else clean_text(key)


def _people_list(c: _Context, participant_ids: Sequence[int]) -> str:
    named = [c.name(i) for i in participant_ids if c.named(i)]
    others = len(participant_ids) - len(named)
    if others:
        named.append(c.ngettext("{n} person not named", "{n} persons not named", others))
    return ", ".join(named)


def _network(c: _Context) -> Section | None:
    """The cooperation network as it stood at the end of the meeting, and its key figures."""
    from . import network

    meetings = c.store.meetings()
    ties = c.store.ties()
    graph = network.cooperation_graph(
        c.store.municipalities(), ties, until_meeting=c.meeting.id, meetings=meetings,
        groups=c.store.groups(), isolates=False,
    )  # fmt: skip
    if graph.number_of_edges() == 0:
        return None
    panel = network.metrics(graph)
    figures = network.summary(graph, node_metrics=panel)
    new = [t for t in ties if t.meeting_id == c.meeting.id]
    blocks: list[Block | Section] = [
        Paragraph(
            c.t(
                N_(
                    "The network as it stood at the end of the meeting: {towns} municipalities "
                    "with {ties} ties, {new} of them named in this meeting."
                )
            ).format(towns=figures["municipalities"], ties=figures["ties"], new=len(new))
        ),
        _network_picture(c, graph, panel, figures),
        Paragraph(c.t(N_("Key figures")), "label"),
        _key_figures(c, figures, network),
    ]
    if new:
        towns = {node: data.get("name", "") for node, data in graph.nodes(data=True)}
        kinds = {key: style["label"] for key, style in network.TIE_STYLES.items()}
        rows = []
        for tie in new:
            arrow = " → " if tie.directed else " – "
            pair = clean_text(towns.get(tie.source_id, "")) + arrow
            pair += clean_text(towns.get(tie.target_id, ""))
            kind = c.t(kinds[str(tie.type)]) if str(tie.type) in kinds else str(tie.type)
            rows.append(
                (Cell(pair), Cell(kind), Cell(clean_text(tie.topic)), Cell(f"{tie.weight:g}"))
            )
        blocks.append(Paragraph(c.t(N_("Ties named in this meeting")), "label"))
        blocks.append(
            Table(
                columns=(
                    c.t(N_("Municipalities")),
                    c.t(N_("Type")),
                    c.t(N_("Topic")),
                    c.t(N_("Strength")),
                ),
                rows=tuple(rows),
                widths=(4.5, 2.2, 4, 1.2),
            )
        )
    return Section("network", c.t(N_("Cooperation network")), tuple(blocks))


def _network_picture(c: _Context, graph: Any, panel: Any, figures: dict[str, Any]) -> Figure:
    from . import network

    positions = network.layout(graph, "geo")
    options: dict[str, Any] = {
        "positions": positions, "kind": "geo", "node_metrics": panel, "size": (7.2, 5.6),
        "font_size": 8, "labels": 30,
    }  # fmt: skip
    with language(c.lang):  # the picture's legend in the protocol's language
        png = network.draw(graph, fmt="png", dpi=200, **options)
        svg = network.draw(graph, fmt="svg", **options)
    caption = c.t(
        N_(
            "Municipalities by state; a larger circle has more partners; line style by type "
            "of tie, line width by strength. Ties known before the series are included."
        )
    )
    alt = c.t(N_("Map of the cooperation network: {towns} municipalities, {ties} ties.")).format(
        towns=figures["municipalities"], ties=figures["ties"]
    )
    return Figure(png=png, svg=svg, caption=caption, alt=alt)


def _number(c: _Context, value: float, digits: int = 2) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if c.lang == "de" else text


def _key_figures(c: _Context, figures: dict[str, Any], network: Any) -> Table:
    def label(key: str) -> str:
        return c.t(network.SUMMARY_LABELS[key])

    kinds = {key: style["label"] for key, style in network.TIE_STYLES.items()}
    by_type = ", ".join(
        f"{c.t(kinds[k]) if k in kinds else k}: {n}" for k, n in figures["by_type"].items()
    )
    share = _number(c, 100 * figures["cross_state_share"], 0) + " %"
    rows = [
        (label("municipalities"), str(figures["municipalities"])),
        (label("ties"), str(figures["ties"])),
        (label("by_type"), by_type),
        (label("pairs"), str(figures["pairs"])),
        (label("multiplex_pairs"), str(figures["multiplex_pairs"])),
        (label("density"), _number(c, figures["density"])),
        (label("mean_degree"), _number(c, figures["mean_degree"], 1)),
        (label("components"), str(figures["components"])),
        (label("largest_component"), str(figures["largest_component"])),
        (label("communities"), str(figures["communities"])),
        (label("states"), str(figures["states"])),
        (label("cross_state_ties"), f"{figures['cross_state_ties']} ({share})"),
        (label("top_degree"), ", ".join(figures["top_degree"])),
        (label("top_betweenness"), ", ".join(figures["top_betweenness"])),
        (label("top_brokerage"), ", ".join(figures["top_brokerage"])),
    ]
    return Table(
        columns=("", ""),
        rows=tuple((Cell(name), Cell(clean_text(value))) for name, value in rows if value),
        widths=(3.5, 6),
        header=False,
    )


def _origin(c: _Context, action: ActionItem) -> str:
    word = ACTION_ORIGIN_WORDS.get(action.origin)
    if word is None or action.origin == "direct":  # an action entered directly says nothing
        return ""
    text = c.t(word)
    if action.origin == "table" and action.origin_id in c.themes:
        text += f": {c.themes[action.origin_id]}"
    consultation = c.consultations.get(action.origin_id) if action.origin_id else None
    if action.origin == "consultation" and consultation is not None and c.shown(consultation):
        text += f": {clean_text(consultation.title)}"
    return text


def _status(c: _Context, action: ActionItem) -> str:
    text = c.t(ACTION_STATUS_WORDS[action.status])
    day = c.meeting.date
    if day and follow_up.is_overdue(action, day):
        text += " (" + c.t(N_("overdue")) + ")"
    return text


def _action_table(
    c: _Context,
    actions: Sequence[ActionItem],
    *,
    origin: bool = True,
    meetings: dict[int, Meeting] | None = None,
) -> Table:
    columns = [c.t(N_("Action")), c.t(N_("Owner")), c.t(N_("Due")), c.t(N_("Status"))]
    widths = [5.0, 2.6, 1.9, 1.9]
    if meetings is not None:
        columns.insert(1, c.t(N_("Agreed at")))
        widths.insert(1, 1.9)
    rows = []
    for action in actions:
        first = Cell(clean_text(action.title), _origin(c, action) if origin else "")
        row = [
            first,
            Cell(c.who(action.owner_id)),
            Cell(c.date(action.due)),
            Cell(_status(c, action)),
        ]
        if meetings is not None:
            agreed = meetings.get(action.meeting_id) if action.meeting_id is not None else None
            row.insert(1, Cell(c.date(agreed.date) if agreed and agreed.date else ""))
        rows.append(tuple(row))
    return Table(columns=tuple(columns), rows=tuple(rows), widths=tuple(widths))


def _actions(c: _Context) -> Section | None:
    actions = c.store.actions(meeting_id=c.meeting.id)
    if not actions:
        return None
    return Section("actions", c.t(N_("Agreed actions")), (_action_table(c, actions),))


def _earlier_actions(c: _Context, today: dt.date) -> Section | None:
    """Actions up for review at this meeting, as the facilitator goes through them.

    :func:`facilitation.actions.review` decides: actions of earlier meetings (or
    of no meeting) still open now, and those reviewed at this meeting; in its
    order, with overdue ones first as of the meeting's date (else ``today``).
    """
    meetings = c.store.meetings()
    day = c.meeting.date or today
    actions = follow_up.review(
        c.store.actions(), c.store.action_updates(), c.meeting, meetings, day
    ).due
    if not actions and meetings[0].id == c.meeting.id:
        return None  # the first meeting, and nothing to go through
    if not actions:
        return Section(
            "earlier_actions",
            c.t(N_("Actions from earlier meetings")),
            (Paragraph(c.t(N_("All actions from earlier meetings are done."))),),
        )
    return Section(
        "earlier_actions",
        c.t(N_("Open actions from earlier meetings")),
        (_action_table(c, actions, meetings={m.id: m for m in meetings}),),
    )


# --- charts ---------------------------------------------------------------------------

_BAR = "#2f6f8f"
_TIED = "#d08a1e"


def chart_image(chart: BarChart, fmt: str = "png", *, dpi: int = 200) -> bytes:
    """Draw a vote round's result with matplotlib: ``fmt`` is ``"png"`` or ``"svg"``.

    Topic titles are drawn as plain text (no math markup); shared places have
    their own colour and a legend entry.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Patch

    n = max(1, len(chart.values))
    labels = [
        "\n".join(textwrap.wrap(f"{p}. {label}", 42, max_lines=2, placeholder=" …") or [""])
        for p, label in zip(chart.positions, chart.labels, strict=True)
    ]
    height = 0.9 + 0.52 * n
    figure = MplFigure(figsize=(6.3, height), layout="constrained")
    ax = figure.add_subplot()
    ys = list(range(n))[: len(chart.values)]
    colours = [_TIED if tied else _BAR for tied in chart.tied]
    ax.barh(ys, chart.values, color=colours, height=0.62)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, parse_math=False, fontsize=8.5)
    ax.invert_yaxis()
    most = max(chart.values, default=0)
    ax.set_xlim(0, max(1, most) * 1.12)
    for y, value in zip(ys, chart.values, strict=True):
        ax.text(value + max(1, most) * 0.015, y, str(value), va="center", fontsize=8.5)
    ax.set_xlabel(chart.value_label, parse_math=False, fontsize=8.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if any(chart.tied):
        ax.legend(
            handles=[Patch(color=_TIED, label=chart.tie_label)],
            loc="lower right",
            fontsize=8,
            frameon=False,
        )
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


# --- HTML -----------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 18mm;
  @bottom-right { content: counter(page) " / " counter(pages); font: 8pt sans-serif;
    color: #666; } }
* { box-sizing: border-box; }
html { font-family: "Source Sans 3", "Segoe UI", Calibri, "Liberation Sans", Arial, sans-serif;
  font-size: 10.5pt; line-height: 1.4; color: #1d1d1d; }
body { margin: 0 auto; max-width: 180mm; padding: 12mm 0; hyphens: auto; }
header { border-bottom: 2px solid #2f6f8f; padding-bottom: 4mm; margin-bottom: 6mm; }
.series { text-transform: uppercase; letter-spacing: .06em; font-size: 8.5pt; color: #2f6f8f;
  margin: 0 0 1.5mm; }
h1 { font-size: 19pt; line-height: 1.2; margin: 0 0 3mm; }
h2 { font-size: 13.5pt; color: #2f6f8f; margin: 7mm 0 2.5mm; padding-bottom: 1mm;
  border-bottom: 1px solid #c9d9e1; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm; }
h4 { font-size: 10.5pt; margin: 4mm 0 1.5mm; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 5mm; margin: 0; }
dl.facts dt { font-weight: 600; color: #555; }
dl.facts dd { margin: 0; }
p { margin: 0 0 2mm; white-space: pre-line; orphans: 3; widows: 3; }
p.note { font-size: 9pt; color: #555; }
p.label { font-weight: 600; margin: 3mm 0 1mm; break-after: avoid; page-break-after: avoid; }
ul { margin: 0 0 2mm; padding-left: 6mm; }
li { margin: 0 0 1mm; white-space: pre-line; break-inside: avoid; }
li.marked::marker { content: "✓  "; color: #1f7a3a; font-weight: 700; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 4mm; font-size: 9.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th { text-align: left; background: #e8f0f4; border-bottom: 1.5px solid #2f6f8f; }
th, td { padding: 1.4mm 2mm; vertical-align: top; }
td { border-bottom: 1px solid #dde3e6; white-space: pre-line; }
td .detail { display: block; font-size: 8.5pt; color: #555; margin-top: .6mm; }
td.strong > .text { font-weight: 600; }
table.keep { break-inside: avoid; page-break-inside: avoid; }
table.facts td:first-child { width: 28%; }
figure { margin: 2mm 0 4mm; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #555; margin-top: 1mm; }
footer { break-before: avoid; page-break-before: avoid; margin-top: 6mm; padding-top: 2mm;
  border-top: 1px solid #ccc; font-size: 8.5pt;
  color: #555; }
section { break-inside: auto; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; } }
"""

# Short tables never break across pages; longer ones break between rows (never inside one).
_KEEP_ROWS = 8
_KEEP_CHARS = 700


def _keep_together(table: Table) -> bool:
    """Whether a table is short enough never to break across pages (HTML and Word alike)."""
    # Without a header row to repeat, a split table loses its reader: keep more of it together.
    rows = _KEEP_ROWS if table.header else 2 * _KEEP_ROWS
    return len(table.rows) <= rows and sum(map(len, table.texts())) <= _KEEP_CHARS


def render_html(protocol: Protocol) -> str:
    """The protocol as one self-contained HTML page (CSS inline, charts as data URIs).

    Every text from the workspace is escaped: markup typed by a participant
    is shown as text, never run. A content security policy forbids scripts
    and any load from outside the file as a second line of defence.
    """
    e = _esc
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(protocol.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="facilitation">',
        f"<title>{e(protocol.label)}: {e(protocol.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<p class="series">{e(protocol.label)} · {e(protocol.series)}</p>',
        f"<h1>{e(protocol.title)}</h1>",
        '<dl class="facts">',
        *(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in protocol.facts),
        "</dl>",
        "</header>",
        "<main>",
    ]
    for section in protocol.sections:
        parts.extend(_html_section(section, 2))
    parts += ["</main>", f"<footer>{e(protocol.footer)}</footer>", "</body>", "</html>", ""]
    return "\n".join(parts)


def write_html(protocol: Protocol, path: str | Path) -> Path:
    """Write :func:`render_html` of the protocol to ``path`` (UTF-8); return the path."""
    path = Path(path)
    path.write_text(render_html(protocol), encoding="utf-8")
    return path


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_section(section: Section, level: int) -> list[str]:
    h = min(level, 4)
    out = [f'<section id="{_esc(section.key)}">', f"<h{h}>{_esc(section.heading)}</h{h}>"]
    for block in section.blocks:
        if isinstance(block, Section):
            out.extend(_html_section(block, level + 1))
        else:
            out.append(_html_block(block))
    out.append("</section>")
    return out


def _html_block(block: Block) -> str:
    e = _esc
    if isinstance(block, Paragraph):
        css = "" if block.style == "body" else f' class="{e(block.style)}"'
        return f"<p{css}>{e(block.text)}</p>"
    if isinstance(block, Bullets):
        marked = block.marked or (False,) * len(block.items)
        items = "".join(
            f'<li class="marked">{e(text)}</li>' if mark else f"<li>{e(text)}</li>"
            for text, mark in zip(block.items, marked, strict=True)
        )
        return f"<ul>{items}</ul>"
    if isinstance(block, Table):
        return _html_table(block)
    if isinstance(block, BarChart):
        svg = chart_image(block, "svg")
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
        return f'<figure><img src="{uri}" alt="{e(block.alt)}"></figure>'
    if isinstance(block, Figure):
        data = block.svg or block.png
        kind = "svg+xml" if block.svg else "png"
        uri = f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")
        caption = f"<figcaption>{e(block.caption)}</figcaption>" if block.caption else ""
        return f'<figure><img src="{uri}" alt="{e(block.alt)}">{caption}</figure>'
    raise TypeError(f"unknown block {block!r}")  # pragma: no cover


def _html_table(table: Table) -> str:
    e = _esc
    classes = []
    if _keep_together(table):
        classes.append("keep")
    if not table.header:
        classes.append("facts")
    css = f' class="{" ".join(classes)}"' if classes else ""
    out = [f"<table{css}>"]
    if table.widths:
        total = sum(table.widths)
        out.append(
            "<colgroup>"
            + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in table.widths)
            + "</colgroup>"
        )
    if table.caption:
        out.append(f"<caption>{e(table.caption)}</caption>")
    if table.header:
        out.append("<thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in table.columns))
        out.append("</tr></thead>")
    out.append("<tbody>")
    for row in table.rows:
        cells = []
        for cell in row:
            css = ' class="strong"' if cell.strong else ""
            detail = f'<span class="detail">{e(cell.detail)}</span>' if cell.detail else ""
            cells.append(f'<td{css}><span class="text">{e(cell.text)}</span>{detail}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


# --- DOCX -----------------------------------------------------------------------------


def write_docx(protocol: Protocol, path: str | Path) -> Path:
    """Write the protocol as a Word document (A4) with real headings and tables.

    Headings use Word's built-in heading styles (the navigation pane and a
    table of contents work), tables are real tables whose header row repeats
    on every page, and charts are embedded pictures. Every text is written as
    plain text.
    """
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt, RGBColor

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    _docx_language(document, protocol.lang)
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    properties = document.core_properties
    properties.title = f"{protocol.label}: {protocol.title}"
    properties.subject = protocol.series
    properties.language = {"de": "de-DE", "en": "en-GB"}.get(protocol.lang, protocol.lang)
    properties.author = "facilitation"

    series = document.add_paragraph(f"{protocol.label} · {protocol.series}")
    series.runs[0].font.size = Pt(9)
    series.runs[0].font.color.rgb = RGBColor(0x2F, 0x6F, 0x8F)
    document.add_heading(protocol.title, level=0)
    facts = Table(
        columns=("", ""),
        rows=tuple((Cell(label, strong=True), Cell(value)) for label, value in protocol.facts),
        widths=(1, 3),
        header=False,
    )
    _docx_table(document, facts)
    for part in protocol.sections:
        _docx_section(document, part, 1)
    footer = document.add_paragraph(protocol.footer)
    for run in footer.runs:
        run.font.size = Pt(8.5)
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    _docx_page_numbers(section)
    path = Path(path)
    document.save(str(path))
    return path


def _docx_language(document: Any, lang: str) -> None:
    """Set the proofing language of the document's default run style."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tag = {"de": "de-DE", "en": "en-GB"}.get(lang, lang)
    rpr = document.styles["Normal"].element.get_or_add_rPr()
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:val"), tag)


def _docx_page_numbers(section: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _docx_section(document: Any, section: Section, level: int) -> None:
    document.add_heading(section.heading, level=min(level, 4))
    for block in section.blocks:
        if isinstance(block, Section):
            _docx_section(document, block, level + 1)
        else:
            _docx_block(document, block)


def _docx_block(document: Any, block: Block) -> None:
    from docx.shared import Cm, Pt, RGBColor

    if isinstance(block, Paragraph):
        paragraph = document.add_paragraph()
        run = paragraph.add_run(block.text)
        if block.style == "label":
            run.bold = True
            paragraph.paragraph_format.keep_with_next = True
            paragraph.paragraph_format.space_before = Pt(6)
        elif block.style == "note":
            run.font.size = Pt(9)
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    elif isinstance(block, Bullets):
        marked = block.marked or (False,) * len(block.items)
        for text, mark in zip(block.items, marked, strict=True):
            paragraph = document.add_paragraph(style="List Bullet")
            if mark:
                tick = paragraph.add_run("✓ ")
                tick.bold = True
                tick.font.color.rgb = RGBColor(0x1F, 0x7A, 0x3A)
            paragraph.add_run(text)
    elif isinstance(block, Table):
        _docx_table(document, block)
    elif isinstance(block, BarChart):
        document.add_picture(io.BytesIO(chart_image(block, "png")), width=Cm(16))
        _docx_describe_picture(document, block.alt)
    elif isinstance(block, Figure):
        document.add_picture(io.BytesIO(block.png), width=Cm(16))
        _docx_describe_picture(document, block.alt)
        if block.caption:
            document.add_paragraph(block.caption, style="Caption")
    else:  # pragma: no cover
        raise TypeError(f"unknown block {block!r}")


def _docx_describe_picture(document: Any, alt: str) -> None:
    """Give the last inserted picture its text alternative (read by screen readers)."""
    from docx.oxml.ns import qn

    pictures = document.element.body.findall(".//" + qn("wp:docPr"))
    if pictures:
        pictures[-1].set("descr", alt)


def _docx_table(document: Any, table: Table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    columns = len(table.columns)
    grid = document.add_table(rows=1 if table.header else 0, cols=columns)
    # Data tables get Word's grid; the facts under the title stay without lines.
    grid.style = document.styles["Table Grid" if table.header else "Normal Table"]
    grid.autofit = False
    _docx_table_layout(grid)
    total = sum(table.widths) if table.widths else columns
    widths = [Cm(17 * (w / total)) for w in (table.widths or (1,) * columns)]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width  # the grid: what Word and LibreOffice lay out by
    if table.header:
        header = grid.rows[0]
        _docx_row_flags(header, repeat=True)
        for cell, text in zip(header.cells, table.columns, strict=True):
            run = cell.paragraphs[0].add_run(text)
            run.bold = True
            run.font.size = Pt(9.5)
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:fill"), "E8F0F4")
            cell._tc.get_or_add_tcPr().append(shading)
    for row in table.rows:
        cells = grid.add_row()
        _docx_row_flags(cells)
        for target, cell in zip(cells.cells, row, strict=True):
            run = target.paragraphs[0].add_run(cell.text)
            run.bold = cell.strong
            run.font.size = Pt(9.5)
            if cell.detail:
                detail = target.add_paragraph().add_run(cell.detail)
                detail.font.size = Pt(8.5)
                detail.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    keep = _keep_together(table)
    last = len(grid.rows) - 1
    for number, row in enumerate(grid.rows):
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.space_after = Pt(1)
                # Word keeps a table together when every row keeps with the next.
                paragraph.paragraph_format.keep_with_next = keep and number < last
    document.add_paragraph()


def _docx_table_layout(grid: Any) -> None:
    """A fixed layout (the column widths hold) and some air inside the cells."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = grid._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 40), ("left", 90), ("bottom", 40), ("right", 90)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.append(margins)


def _docx_row_flags(row: Any, *, repeat: bool = False) -> None:
    """Rows never split across pages; the header row repeats on every page."""
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    properties.append(cant_split)
    if repeat:
        header = OxmlElement("w:tblHeader")
        properties.append(header)
