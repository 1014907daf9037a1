"""The protocol of one meeting, built from the workspace as a :class:`Protocol`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from .. import actions as follow_up
from .. import consultation as consultation_rules
from .. import voting
from .._exceptions import MeetingNotFound, NoMeetingToReport
from ..attendance import ATTENDANCE_WORDS, Roll
from ..i18n import N_, current_language, language
from ..models import (
    ACTION_ORIGIN_WORDS,
    ACTION_STATUS_WORDS,
    ActionItem,
    Challenge,
    Consultation,
    ConsultationRole,
    Meeting,
    Participant,
    PreparedKind,
    Visibility,
    VoteRound,
    VoteState,
    relationships,
)
from ..store import Store
from ._document import (
    _ENTRY_HEADINGS,
    _FORMAT_WORDS,
    BarChart,
    Block,
    Bullets,
    Cell,
    Figure,
    Paragraph,
    Protocol,
    Section,
    Table,
    Words,
    clean_text,
)

# --- building -------------------------------------------------------------------------


class _Context(Words):
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
        self.hidden = store.hidden(meeting.id)  # what the facilitator hid from the protocol

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
    hidden = c.hidden[PreparedKind.AGENDA_ITEM]
    items = [item for item in c.store.agenda(c.meeting.id) if item.id not in hidden]
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
    registered = c.store.participants(c.meeting.id)
    if not registered:
        return None
    attendance = c.store.attendance(c.meeting.id)
    present = [p for p in registered if p.id in attendance.present]
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
    blocks.extend(_not_present(c, registered, attendance))
    return Section("participants", c.t(N_("Participants")), tuple(blocks))


def _not_present(
    c: _Context, registered: Sequence[Participant], attendance: Roll
) -> list[Block | Section]:
    """Who was registered but did not attend: counted, and named where they consented."""
    missing = [p for p in registered if p.id not in attendance.present]
    if not missing:
        return []
    text = c.t(N_("Registered but not present: {excused} excused, {absent} absent.")).format(
        excused=len(attendance.excused), absent=len(attendance.absent)
    )
    blocks: list[Block | Section] = [Paragraph(text)]
    named = sorted(
        (p for p in missing if c.named(p.id)),
        key=lambda p: (c.town(p.municipality_id).casefold(), p.name.casefold()),
    )
    if named:
        status = {p.id: c.t(ATTENDANCE_WORDS[s.status])
                  for p in named if (s := attendance.of(p.id)) is not None}  # fmt: skip
        rows = tuple((Cell(clean_text(p.name)), Cell(c.town(p.municipality_id)),
                      Cell(status.get(p.id, ""))) for p in named)  # fmt: skip
        columns = (c.t(N_("Name")), c.t(N_("Municipality")), c.t(N_("Attendance")))
        blocks.append(Table(columns=columns, rows=rows, widths=(3, 3, 2)))
    return blocks


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
    hidden_topics = c.hidden[PreparedKind.TOPIC]
    topics = [t for t in c.store.topics(c.meeting.id) if t.id not in hidden_topics]
    every_round = c.store.vote_rounds(c.meeting.id)
    # Only what took place: no round that was prepared and never opened, none hidden.
    rounds = [
        r
        for r in every_round
        if r.state is not VoteState.DRAFT and r.id not in c.hidden[PreparedKind.VOTE_ROUND]
    ]
    if not topics and not rounds:
        return None
    numbers = _challenge_numbers(c.store.challenges(c.meeting.id))
    blocks: list[Block | Section] = []
    if topics:
        blocks.append(
            Paragraph(
                c.ngettext(
                    "The challenges were merged into {n} topic.",
                    "The challenges were merged into {n} topics.",
                    len(topics),
                )
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
    titles = {topic.id: clean_text(topic.title) for topic in c.store.topics(c.meeting.id)}
    by_id = {r.id: r for r in every_round}
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
    templates = (c.t(voting.DEFAULT_TITLE), voting.DEFAULT_TITLE)
    if any(
        voting.is_numbered_title(vote_round.title, t) for t in templates
    ):  # not "Vote 3: Vote 3"
        heading = c.t(N_("Dot-voting {number}")).format(number=number)
    else:
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
    rules = c.ngettext(
        "{n} dot per person, at most {cap} on one topic.",
        "{n} dots per person, at most {cap} on one topic.",
        vote_round.dots_per_person,
        cap=vote_round.max_per_topic,
    )
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
    rules += " " + c.ngettext(
        "Dots placed: {dots} (by {n} participant).",
        "Dots placed: {dots} (by {n} participants).",
        people,
        dots=placed,
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
            c.ngettext(
                "Tie for place {place} ({n} dot each): {topics}.",
                "Tie for place {place} ({n} dots each): {topics}.",
                tied[0].dots,
                place=position,
                topics=_and(c, names),
            )
        )
    return sentences


def _minutes(c: _Context, minutes: Sequence[int]) -> str:
    """How long rounds last: "30 minutes", "1 minute", or "30/45 minutes" when they differ."""
    different = list(dict.fromkeys(minutes))
    shown = "/".join(str(m) for m in different)
    return c.ngettext("{shown} minute", "{shown} minutes", different[-1], shown=shown)


def _and(c: _Context, items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return c.t(N_("{items} and {last}")).format(items=", ".join(items[:-1]), last=items[-1])


def _themed_tables(c: _Context) -> Section | None:
    # What took place: the rounds that started, the tables with notes or people in them;
    # neither what the facilitator hid nor what was prepared and never used.
    every_round = c.store.table_rounds(c.meeting.id)
    hidden_rounds = {r.id for r in every_round if r.hidden_at is not None}
    table_rounds = [r for r in every_round if r.started_at and r.id not in hidden_rounds]
    numbers = {r.id: r.number for r in table_rounds}
    seated = {
        (round_id, table_id): len(people)
        for round_id, seating in c.store.seatings(c.meeting.id).items()
        for table_id, people in seating.items()
        if round_id in numbers and people
    }
    notes_of = {
        table_id: [n for n in notes if n.round_id not in hidden_rounds]
        for table_id, notes in c.store.meeting_table_notes(c.meeting.id).items()
    }
    tables = [
        t
        for t in c.store.tables(c.meeting.id)
        if t.hidden_at is None and (notes_of.get(t.id) or any((r, t.id) in seated for r in numbers))
    ]
    if not tables:
        return None
    blocks: list[Block | Section] = []
    if table_rounds:
        blocks.append(
            Paragraph(
                c.t(N_("{tables}, {rounds} of {minutes}.")).format(
                    tables=c.ngettext("{n} themed table", "{n} themed tables", len(tables)),
                    rounds=c.ngettext("{n} round", "{n} rounds", len(table_rounds)),
                    minutes=_minutes(c, [r.minutes for r in table_rounds]),
                )
            )
        )
    for number, table in enumerate(tables, 1):
        inner: list[Block | Section] = []
        if table.host_id is not None:
            inner.append(
                Paragraph(c.t(N_("Host: {name}")).format(name=c.who(table.host_id)), "label")
            )
        notes = notes_of.get(table.id, [])
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
    # Only those that took place (a phase was started or something written), none hidden.
    hidden = c.hidden[PreparedKind.CONSULTATION]
    consultations = [
        k
        for k in c.store.consultations(c.meeting.id)
        if k.id not in hidden
        and (c.store.phase_changes(k.id) or c.store.entries(k.id, withdrawn=True))
    ]
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
    from .. import network

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
    new = [r for r in relationships(ties) if r.tie.meeting_id == c.meeting.id]
    blocks: list[Block | Section] = [
        Paragraph(
            c.ngettext(
                "The network as it stood at the end of the meeting: {towns} with {n} tie, "
                "{new} of them named in this meeting.",
                "The network as it stood at the end of the meeting: {towns} with {n} ties, "
                "{new} of them named in this meeting.",
                figures["ties"],
                towns=c.ngettext(
                    "{n} municipality", "{n} municipalities", figures["municipalities"]
                ),
                new=len(new),
            )
        ),
        _network_picture(c, graph, panel, figures),
        Paragraph(c.t(N_("Key figures")), "label"),
        _key_figures(c, figures, network),
    ]
    if new:
        towns = {node: data.get("name", "") for node, data in graph.nodes(data=True)}
        kinds = {key: style["label"] for key, style in network.TIE_STYLES.items()}
        rows = []
        for relationship in new:
            tie = relationship.tie
            arrow = " → " if tie.directed else " – "
            pair = clean_text(towns.get(tie.source_id, "")) + arrow
            pair += clean_text(towns.get(tie.target_id, ""))
            kind = c.t(kinds[str(tie.type)]) if str(tie.type) in kinds else str(tie.type)
            rows.append(
                (
                    Cell(pair),
                    Cell(kind),
                    Cell(clean_text(relationship.topic)),
                    Cell(f"{relationship.weight:g}"),
                )
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
    from .. import network

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
    alt = c.t(N_("Map of the cooperation network: {towns}, {ties}.")).format(
        towns=c.ngettext("{n} municipality", "{n} municipalities", figures["municipalities"]),
        ties=c.ngettext("{n} tie", "{n} ties", figures["ties"]),
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
