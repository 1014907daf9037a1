"""The report of a whole programme: what the series did and what it learned.

:func:`build_programme_report` reads every meeting of the workspace and
returns the same plain data as a protocol (:class:`Protocol`, rendered by
the same HTML and DOCX writers, and as an Excel workbook by
:func:`write_report_xlsx`): the meetings and who came, the topics over time,
the actions done, open and overdue, how the cooperation network grew, and
the findings agreed with the participants, per addressee, each with its
sources and its agreement counts as recomputed from the answers.

Who is named and what is shown, as in the protocol: only people who
consented are named (nobody with ``anonymous``), and the town of someone
not named is never given; a confidential consultation appears as a source
only where released (:func:`facilitation.consultation.released`). Comments
given in the review are listed without their authors.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from .. import actions as follow_up
from .. import consultation as consultation_rules
from .. import findings as review_rules
from .. import voting
from .._exceptions import NoMeetingToReport
from ..i18n import N_, current_language, translate
from ..models import (
    ACTION_STATUS_WORDS,
    FINDING_KIND_WORDS,
    SOURCE_KIND_WORDS,
    ActionItem,
    Finding,
    FindingSource,
    FindingStatus,
    SourceKind,
    VoteState,
)
from ..store import Store
from ._document import (
    _FORMAT_WORDS,
    Block,
    Bullets,
    Cell,
    Paragraph,
    Protocol,
    Section,
    Table,
    Words,
    clean_text,
)

__all__ = ["SourceLabel", "build_programme_report", "source_labels"]

_NO_ADDRESSEE = N_("Without addressee")


@dataclass(frozen=True, slots=True)
class SourceLabel:
    """How a source of a finding is called: its kind, its own words, and where it was."""

    kind: str
    text: str
    meeting: str

    def line(self) -> str:
        where = f" ({self.meeting})" if self.meeting else ""
        return f"{self.kind}: {self.text}{where}"


def source_labels(
    store: Store,
    sources: Sequence[FindingSource],
    *,
    lang: str | None = None,
    include_confidential: bool | Collection[int] = False,
) -> dict[int, SourceLabel]:
    """A label for each source that may be shown, by source id.

    A confidential consultation not released, a withdrawn table note or a
    record since deleted get no label (they are left out wherever sources are
    listed).
    """
    lang = lang or current_language()
    meetings = {m.id: m for m in store.meetings()}
    titles = {m_id: clean_text(m.title) for m_id, m in meetings.items()}
    kinds = {source.kind for source in sources}
    records: dict[SourceKind, dict[int, tuple[str, int | None]]] = defaultdict(dict)
    if SourceKind.CHALLENGE in kinds:
        for x in store.challenges():
            records[SourceKind.CHALLENGE][x.id] = (x.title, x.meeting_id)
    if SourceKind.TOPIC in kinds:
        for x in store.topics():
            records[SourceKind.TOPIC][x.id] = (x.title, x.meeting_id)
    if SourceKind.VOTE_ROUND in kinds:
        for x in store.vote_rounds():
            records[SourceKind.VOTE_ROUND][x.id] = (x.title, x.meeting_id)
    if SourceKind.CONSULTATION in kinds:
        for x in store.consultations():
            if consultation_rules.released(x, include_confidential):
                records[SourceKind.CONSULTATION][x.id] = (x.title, x.meeting_id)
    if SourceKind.TABLE_NOTE in kinds:
        for meeting_id in meetings:
            for table in store.tables(meeting_id):
                for note in store.table_notes(table.id):
                    text = f"{table.theme}: {note.text}"
                    records[SourceKind.TABLE_NOTE][note.id] = (text, meeting_id)
    if SourceKind.ACTION in kinds:
        for x in store.actions():
            records[SourceKind.ACTION][x.id] = (
                f"{x.title} ({translate(ACTION_STATUS_WORDS[x.status], lang)})",
                x.meeting_id,
            )
    for meeting_id, meeting in meetings.items():
        label = translate(N_("the network at the end of the meeting"), lang)
        records[SourceKind.NETWORK][meeting_id] = (label, meeting.id)
    out = {}
    for source in sources:
        found = records[source.kind].get(source.ref_id)
        if found is None:
            continue
        text, meeting_id = found
        text = _short(clean_text(text), 160)
        if source.note:
            text += f" – {_short(clean_text(source.note), 160)}"
        out[source.id] = SourceLabel(
            kind=translate(SOURCE_KIND_WORDS[source.kind], lang),
            text=text,
            meeting=titles.get(meeting_id, "") if meeting_id is not None else "",
        )
    return out


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Programme(Words):
    """What the sections need: the records of the whole series, read once."""

    def __init__(
        self,
        store: Store,
        lang: str,
        today: dt.date,
        *,
        anonymous: bool,
        include_confidential: bool | Collection[int],
    ) -> None:
        self.store = store
        self.lang = lang
        self.today = today
        self.anonymous = anonymous
        self.include_confidential = include_confidential
        self.meetings = store.meetings()
        self.titles = {m.id: clean_text(m.title) for m in self.meetings}
        self.people = {p.id: p for p in store.participants()}
        self.towns = {m.id: clean_text(m.name) for m in store.municipalities()}
        # Who attended each meeting (registered is not present: see facilitation.attendance).
        self.rolls = {m.id: store.attendance(m.id) for m in self.meetings}
        self.attendance = {
            meeting_id: [i for i in sorted(roll.registered) if i in roll.present]
            for meeting_id, roll in self.rolls.items()
        }


def build_programme_report(
    store: Store,
    *,
    lang: str | None = None,
    anonymous: bool = False,
    include_confidential: bool | Collection[int] = False,
    today: dt.date | None = None,
) -> Protocol:
    """Build the report of the whole programme from the workspace.

    Parameters
    ----------
    store
        The open workspace.
    lang
        ``"de"`` or ``"en"``; default: the current language.
    anonymous
        Name nobody, and give no town's attendance (for a publication).
    include_confidential
        ``True``: every consultation may appear as a source of a finding; a
        collection of consultation ids: those too. By default only released ones.
    today
        The date the report says it was made, and against which actions are
        overdue (default: today).

    Returns
    -------
    Protocol
        Plain data, with ``meeting_id`` None, for :func:`render_html`,
        :func:`write_docx` and :func:`write_report_xlsx`.

    Raises
    ------
    NoMeetingToReport
        The workspace has no meeting at all.

    >>> import tempfile, facilitation
    >>> from facilitation.shipped import load_demo
    >>> store = facilitation.create_workspace(tempfile.mkdtemp() + "/demo.db", "Demo")
    >>> load_demo(store)
    >>> report = build_programme_report(store, lang="en")
    >>> [section.key for section in report.sections]  # doctest: +NORMALIZE_WHITESPACE
    ['meetings', 'attendance', 'topics', 'actions', 'network']
    """
    lang = lang or current_language()
    today = today or dt.date.today()
    if not store.meetings():
        raise NoMeetingToReport()
    p = _Programme(
        store, lang, today, anonymous=anonymous, include_confidential=include_confidential
    )
    sections = [
        _meetings(p),
        _attendance(p),
        _topics(p),
        _actions(p),
        _network(p),
        _findings(p),
    ]
    dates = [m.date for m in p.meetings if m.date]
    facts = [
        (p.t(N_("Meetings")), str(len(p.meetings))),
        (
            p.t(N_("Period")),
            f"{p.date(min(dates))} – {p.date(max(dates))}" if dates else "",
        ),
        (p.t(N_("Participants")), str(len({i for ids in p.attendance.values() for i in ids}))),
    ]
    return Protocol(
        lang=lang,
        meeting_id=None,
        title=clean_text(store.info().title),
        series=p.t(N_("What the programme did and learned")),
        facts=tuple((label, value) for label, value in facts if value),
        sections=tuple(s for s in sections if s is not None),
        footer=_footer(p),
        label=p.t(N_("Programme report")),
    )


def _footer(p: _Programme) -> str:
    parts = [p.t(N_("Made with facilitation on {date}.")).format(date=p.date(p.today))]
    if p.anonymous:
        parts.append(p.t(N_("No participant is named in this version.")))
    else:
        parts.append(
            p.t(N_("Participants who did not agree to be named are not named in this report."))
        )
    parts.append(p.t(N_("Comments from the review are given without their authors.")))
    if p.include_confidential is True:
        parts.append(p.t(N_("Confidential consultations may appear among the sources.")))
    else:
        parts.append(
            p.t(N_("Collegial consultations appear only where the facilitator released them."))
        )
    return " ".join(parts)


# --- the series ---------------------------------------------------------------------


def _meetings(p: _Programme) -> Section:
    rows = tuple(
        (
            Cell(p.date(m.date)),
            Cell(p.titles[m.id], strong=True),
            Cell(p.t(_FORMAT_WORDS[m.format])),
            Cell(clean_text(m.place)),
            Cell(str(len(p.attendance[m.id]))),
            Cell(str(len(p.rolls[m.id].registered))),
            Cell(str(len(p.rolls[m.id].excused))),
            Cell(str(len(p.rolls[m.id].absent))),
        )
        for m in p.meetings
    )
    columns = (p.t(N_("Date")), p.t(N_("Meeting")), p.t(N_("Format")), p.t(N_("Place")),
               p.t(N_("Present")), p.t(N_("Registered")), p.t(N_("Excused")),
               p.t(N_("Absent")))  # fmt: skip
    table = Table(columns, rows, widths=(1.2, 3, 1.6, 1.6, 1, 1, 1, 1))
    return Section("meetings", p.t(N_("Meetings")), (table,))


def _attendance(p: _Programme) -> Section:
    times: Counter[int] = Counter(i for ids in p.attendance.values() for i in ids)
    towns = {p.people[i].municipality_id for i in times if i in p.people} - {None}
    text = p.ngettext(
        "{n} person from {towns} took part; {again} of them in more than one meeting.",
        "{n} people from {towns} took part; {again} of them in more than one meeting.",
        len(times),
        towns=p.ngettext("{n} municipality", "{n} municipalities", len(towns)),
        again=sum(1 for n in times.values() if n > 1),
    )
    registered = {i for roll in p.rolls.values() for i in roll.registered}
    text += " " + p.ngettext(
        "{n} person was registered; registrations without attendance: "
        "{excused} excused, {absent} absent.",
        "{n} people were registered; registrations without attendance: "
        "{excused} excused, {absent} absent.",
        len(registered),
        excused=sum(len(roll.excused) for roll in p.rolls.values()),
        absent=sum(len(roll.absent) for roll in p.rolls.values()),
    )
    blocks: list[Block] = [Paragraph(text)]
    if not p.anonymous and towns:
        met: dict[int, set[int]] = defaultdict(set)
        people: dict[int, set[int]] = defaultdict(set)
        for meeting_id, ids in p.attendance.items():
            for i in ids:
                town = p.people[i].municipality_id if i in p.people else None
                if town is not None:
                    met[town].add(meeting_id)
                    people[town].add(i)
        order = sorted(met, key=lambda t: (-len(met[t]), p.towns.get(t, "")))
        rows = tuple(
            (Cell(p.towns.get(t, "")), Cell(str(len(met[t]))), Cell(str(len(people[t]))))
            for t in order
        )
        columns = (p.t(N_("Municipality")), p.t(N_("Meetings")), p.t(N_("People")))
        blocks.append(Table(columns, rows, widths=(3, 1, 1)))
    return Section("attendance", p.t(N_("Attendance")), tuple(blocks))


def _topics(p: _Programme) -> Section | None:
    topics = {t.id: t for t in p.store.topics()}
    rows = []
    for meeting in p.meetings:
        for vote_round in p.store.vote_rounds(meeting.id):
            if vote_round.state is not VoteState.REVEALED:
                continue
            counted = voting.tally(p.store.dot_events(vote_round.id), vote_round.topic_ids)
            for rank in voting.ranking(counted, vote_round.topic_ids):
                if rank.topic_id in topics:
                    rows.append((
                        Cell(p.titles[meeting.id]), Cell(clean_text(topics[rank.topic_id].title)),
                        Cell(str(rank.dots)), Cell(f"{rank.position}."),
                    ))  # fmt: skip
    tags: dict[str, Counter[int]] = defaultdict(Counter)
    for challenge in p.store.challenges():
        for tag in challenge.tags:
            tags[clean_text(tag)][challenge.meeting_id] += 1
    blocks: list[Block] = []
    if rows:
        columns = (p.t(N_("Meeting")), p.t(N_("Topic")), p.t(N_("Dots")), p.t(N_("Place")))
        blocks.append(Table(columns, tuple(rows), widths=(2, 4, 1, 1),
                            caption=p.t(N_("The results of the revealed dot-votes."))))  # fmt: skip
    if tags:
        position = {m.id: i for i, m in enumerate(p.meetings)}
        tag_rows = []
        for tag in sorted(tags, key=lambda x: (-sum(tags[x].values()), x.casefold())):
            seen = sorted(tags[tag], key=lambda m: position.get(m, 0))
            tag_rows.append((
                Cell(tag, strong=True), Cell(str(sum(tags[tag].values()))),
                Cell(str(len(seen))), Cell(p.titles.get(seen[0], "")),
                Cell(p.titles.get(seen[-1], "")),
            ))  # fmt: skip
        columns = (p.t(N_("Tag")), p.t(N_("Challenges")), p.t(N_("Meetings")),
                   p.t(N_("First")), p.t(N_("Last")))  # fmt: skip
        caption = p.t(N_("The tags of the challenges, over the meetings."))
        blocks.append(Table(columns, tuple(tag_rows), widths=(2, 1, 1, 2, 2), caption=caption))
    if not blocks:
        return None
    return Section("topics", p.t(N_("Topics over time")), tuple(blocks))


def _actions(p: _Programme) -> Section | None:
    actions = p.store.actions()
    if not actions:
        return None
    counted = follow_up.summary(actions, p.today)
    text = p.ngettext(
        "{n} action: {done} done, {open} open or in progress ({overdue} of them overdue), "
        "{dropped} dropped.",
        "{n} actions: {done} done, {open} open or in progress ({overdue} of them overdue), "
        "{dropped} dropped.",
        len(actions),
        done=counted["done"], open=counted["open"] + counted["in_progress"],
        overdue=counted["overdue"], dropped=counted["dropped"],
    )  # fmt: skip
    by_meeting: dict[int | None, list[ActionItem]] = defaultdict(list)
    for action in actions:
        by_meeting[action.meeting_id].append(action)
    rows = []
    for meeting in [*p.meetings, None]:
        mine = by_meeting.get(meeting.id if meeting else None, [])
        if not mine:
            continue
        c = follow_up.summary(mine, p.today)
        rows.append((
            Cell(p.titles[meeting.id] if meeting else p.t(N_("without a meeting"))),
            Cell(str(len(mine))), Cell(str(c["done"])),
            Cell(str(c["open"] + c["in_progress"])), Cell(str(c["overdue"])),
        ))  # fmt: skip
    columns = (p.t(N_("Agreed at")), p.t(N_("Actions")), p.t(N_("done")), p.t(N_("open")),
               p.t(N_("overdue")))  # fmt: skip
    blocks: list[Block] = [Paragraph(text), Table(columns, tuple(rows), widths=(3, 1, 1, 1, 1))]
    overdue = [a for a in follow_up.review_order(actions, p.today)
               if follow_up.is_overdue(a, p.today)]  # fmt: skip
    if overdue:
        columns = (p.t(N_("Action")), p.t(N_("Responsible")), p.t(N_("Due")),
                   p.t(N_("Agreed at")))  # fmt: skip
        late = tuple(
            (Cell(clean_text(a.title), strong=True), Cell(p.name(a.owner_id)),
             Cell(p.date(a.due)), Cell(p.titles.get(a.meeting_id, "") if a.meeting_id else ""))
            for a in overdue
        )  # fmt: skip
        blocks.append(Table(columns, late, widths=(3, 2, 1, 2),
                            caption=p.t(N_("Overdue actions."))))  # fmt: skip
    return Section("actions", p.t(N_("Actions")), tuple(blocks))


def _network(p: _Programme) -> Section | None:
    from .. import network

    ties = p.store.ties()
    if not ties:
        return None
    rows = network.growth(p.store.municipalities(), ties, p.meetings, groups=p.store.groups())
    table = Table(
        (p.t(N_("Meeting")), p.t(N_("New ties")), p.t(N_("Ties")), p.t(N_("Municipalities")),
         p.t(N_("Density")), p.t(N_("Components"))),
        tuple(
            (Cell(clean_text(row["title"])), Cell(str(row["new_ties"])), Cell(str(row["ties"])),
             Cell(str(row["municipalities"] - row["isolates"])),
             Cell(f"{row['density']:.3f}".replace(".", "," if p.lang == "de" else ".")),
             Cell(str(row["components"])))
            for row in rows
        ),
        widths=(3, 1, 1, 1.4, 1, 1),
        caption=p.t(N_("The cooperation network at the end of each meeting; municipalities "
                       "counted with at least one tie.")),
    )  # fmt: skip
    return Section("network", p.t(N_("How the network grew")), (table,))


# --- what the series learned ---------------------------------------------------------------


def _findings(p: _Programme) -> Section | None:
    shown = [
        f for f in p.store.findings() if f.status in (FindingStatus.AGREED, FindingStatus.REVIEW)
    ]
    if not shown:
        return None
    ids = [f.id for f in shown]
    counted = review_rules.agreement(p.store.agreement_events(), ids)
    dots = review_rules.priority_tally(p.store.priority_dots(), ids)
    consultations = {k.id: k for k in p.store.consultations()}
    sources = review_rules.shown_sources(
        p.store.finding_sources(), consultations, p.include_confidential
    )
    labels = source_labels(
        p.store, sources, lang=p.lang, include_confidential=p.include_confidential
    )
    of: dict[int, list[str]] = defaultdict(list)
    for source in sources:
        if source.id in labels:
            of[source.finding_id].append(labels[source.id].line())
    blocks: list[Block | Section] = []
    agreed = [f for f in shown if f.status is FindingStatus.AGREED]
    addressees = sorted({f.addressee for f in agreed}, key=lambda a: (a == "", a.casefold()))
    for number, addressee in enumerate(addressees, 1):
        inner = tuple(
            _finding(p, f, counted[f.id], dots.get(f.id, 0), of[f.id])
            for f in agreed
            if f.addressee == addressee
        )
        heading = clean_text(addressee) or p.t(_NO_ADDRESSEE)
        blocks.append(Section(f"addressee-{number}", heading, inner))
    open_ = [f for f in shown if f.status is FindingStatus.REVIEW]
    if open_:
        inner = tuple(_finding(p, f, counted[f.id], dots.get(f.id, 0), of[f.id]) for f in open_)
        blocks.append(Section("in_review", p.t(N_("Still in review")), inner))
    intro = p.t(
        N_("Findings and recommendations agreed with the participants, by addressee. The "
           "counts are each participant's latest answer.")
    )  # fmt: skip
    return Section("findings", p.t(N_("Findings and recommendations")),
                   (Paragraph(intro), *blocks))  # fmt: skip


def _finding(
    p: _Programme,
    finding: Finding,
    counted: review_rules.Agreement,
    dots: int,
    sources: list[str],
) -> Section:
    blocks: list[Block] = []
    if finding.text:
        blocks.append(Paragraph(clean_text(finding.text)))
    if finding.theme:
        blocks.append(Paragraph(p.t(N_("Theme: {theme}")).format(theme=clean_text(finding.theme)),
                                "note"))  # fmt: skip
    columns = (p.t(N_("Agree")), p.t(N_("Object")), p.t(N_("Only a comment")),
               p.t(N_("Priority dots")))  # fmt: skip
    row = (Cell(str(counted.agree), strong=True), Cell(str(counted.object)),
           Cell(str(counted.comment_only)), Cell(str(dots)))  # fmt: skip
    answered = p.ngettext(
        "{n} participant answered.", "{n} participants answered.", counted.answered
    )
    blocks.append(Table(columns, (row,), caption=answered))
    blocks.append(Paragraph(p.t(N_("Sources")), "label"))
    if sources:
        blocks.append(Bullets(tuple(sources)))
    else:
        blocks.append(Paragraph(p.t(N_("No source is linked or may be shown.")), "note"))
    comments = [clean_text(a.comment) for a in counted.answers if a.comment]
    if comments:
        blocks.append(Paragraph(p.t(N_("Comments")), "label"))
        blocks.append(Bullets(tuple(comments)))
    heading = f"{p.t(FINDING_KIND_WORDS[finding.kind])}: {clean_text(finding.title)}"
    return Section(f"finding-{finding.id}", heading, tuple(blocks))
