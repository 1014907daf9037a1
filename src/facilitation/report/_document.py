"""A report as plain data (sections of text, lists, tables, charts, pictures) and shared words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..i18n import N_, ngettext, translate
from ..models import EntryKind, MeetingFormat, Participant
from ..privacy import may_be_named

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
    meeting_id: int | None  # None: a report over the whole programme
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


class Words:
    """What a report's builder says in the report's language, and whom it may name.

    A builder sets ``lang``, ``people`` (participants by id) and ``anonymous``.
    """

    lang: str
    people: dict[int, Participant]
    anonymous: bool

    def t(self, message: str) -> str:
        return translate(message, self.lang)

    def ngettext(self, singular: str, plural: str, count: int, **values: Any) -> str:
        """The singular or plural form for ``count``, translated, with ``{n}`` (and any
        other ``values``) filled in."""
        return ngettext(singular, plural, count, self.lang).format(n=count, **values)

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
