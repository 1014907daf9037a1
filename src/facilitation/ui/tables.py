"""Themed tables (Thementische, World Café): each participant's page says where she sits
this round, with whom, and holds her table's notes (from every round) with a form to add
one; the wall shows the seating while a round runs and the harvest of all tables after it;
the facilitator sets up tables and hosts, seats people so that towns mix and everyone moves
on to new tables, and starts and ends the rounds with their countdown.

Where a participant may write, and which of her notes she may withdraw, is decided in the
store (``submit_table_note``, ``withdraw_table_note``, by the rules of ``facilitation.tables``);
a withdrawn note is shown nowhere. Participant text is always shown escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from .. import tables as seating_rules
from .._exceptions import NoTableRoundChosen, NotInMeeting
from ..i18n import N_, _, ngettext
from ..models import (
    AtZero,
    LiveState,
    Meeting,
    Participant,
    Screen,
    TableNote,
    TableRound,
    ThemedTable,
)
from ..store import Store
from ..templates import MeetingTemplate
from ._common import at_zero_options, esc
from ._parts import (
    FacilitatorTab,
    Part,
    ParticipantView,
    ProjectorView,
    set_if_changed,
    set_options,
    short,
    show,
    show_own,
)

__all__ = ["PART", "TemplateTables", "harvest_html"]


def _round_line(table_round: TableRound, rounds: Sequence[TableRound]) -> str:
    if seating_rules.round_is_running(table_round):
        state = _("running")
    elif table_round.ended_at is not None:
        state = _("ended")
    else:
        state = _("not started")
    line = ngettext(
        "Round {number} of {total} ({minutes} minute): {state}",
        "Round {number} of {total} ({minutes} minutes): {state}",
        table_round.minutes,
    ).format(number=table_round.number, total=len(rounds), minutes=table_round.minutes, state=state)
    if table_round.hidden_at is not None:
        line += " · " + _("hidden from the protocol")
    return line


def _notes_html(notes: Sequence[TableNote], numbers: dict[int, int]) -> str:
    items = []
    for note in notes:
        number = numbers.get(note.round_id or 0)
        mark = ""
        if number:
            label = esc(_("Round {number}").format(number=number))
            mark = f'<span class="fac-tag">{label}</span> '
        items.append(f'<div class="fac-card fac-entry">{mark}{esc(note.text)}</div>')
    return "".join(items)


def harvest_html(
    store: Store,
    meeting_id: int,
    *,
    people: Sequence[Participant] | None = None,
    rounds: Sequence[TableRound] | None = None,
    tables: Sequence[ThemedTable] | None = None,
    notes: dict[int, list[TableNote]] | None = None,
) -> str:
    """Every table's theme, host and notes from every round: the harvest for the plenary.

    What a caller has read already this refresh (the meeting's ``people``, ``rounds``,
    ``tables``, and each table's shown ``notes`` by table id) is not read again."""
    if people is None:
        people = store.participants(meeting_id)
    if rounds is None:
        rounds = store.table_rounds(meeting_id)
    if tables is None:
        tables = store.tables(meeting_id)
    names = {p.id: p.name for p in people}
    numbers = {r.id: r.number for r in rounds}
    if notes is None:
        notes = store.meeting_table_notes(meeting_id)
    blocks = []
    for table in tables:
        shown = notes.get(table.id, [])
        host = ""
        if table.host_id is not None:
            host_line = _("Host: {name}").format(name=names.get(table.host_id, "?"))
            host = f'<div class="fac-muted">{esc(host_line)}</div>'
        empty = esc(_("No notes yet."))
        body = _notes_html(shown, numbers) or f'<div class="fac-muted">{empty}</div>'
        blocks.append(f'<div class="fac-table-block"><h2>{esc(table.theme)}</h2>{host}{body}</div>')
    heading = esc(_("Harvest of the themed tables"))
    return f'<h2>{heading}</h2><div class="fac-tables">{"".join(blocks)}</div>'


def _seating_html(
    tables: Sequence[ThemedTable],
    seating: dict[int, tuple[int, ...]],
    people: dict[int, Participant],
    towns: dict[int, str],
) -> str:
    blocks = []
    for table in tables:
        seated = list(seating.get(table.id, ()))
        if table.host_id is not None and table.host_id not in seated:
            seated.insert(0, table.host_id)
        names = []
        for pid in seated:
            person = people.get(pid)
            if person is None:
                continue
            town = towns.get(person.municipality_id, "") if person.municipality_id else ""
            host = " ★" if pid == table.host_id else ""
            names.append(
                f"<li>{esc(person.name)}{host}"
                + (f' <span class="fac-muted">{esc(town)}</span>' if town else "")
                + "</li>"
            )
        blocks.append(
            f'<div class="fac-table-block"><h2>{esc(table.theme)}</h2>'
            f'<ul class="fac-names">{"".join(names)}</ul></div>'
        )
    return f'<div class="fac-tables">{"".join(blocks)}</div>'


# --- what a template asks for ---------------------------------------------------------------


class TemplateTables:
    """The part of the form for a new meeting that asks what a template's themed tables
    need: their themes (one field each, as many as the template has tables, more can be
    added), the number of rounds and their minutes. Shown only for such a template."""

    def __init__(self) -> None:
        wide = {"description_width": "initial"}
        self.themes: list[widgets.Text] = []
        self.theme_box = widgets.VBox()
        self.more = widgets.Button(description=_("Another table"), icon="plus")
        self.more.on_click(lambda _b: self._add_field())
        self.rounds = widgets.BoundedIntText(
            value=3, min=0, max=seating_rules.MAX_ROUNDS, description=_("Rounds"), style=wide,
            layout={"width": "150px"},
        )  # fmt: skip
        self.minutes = widgets.BoundedIntText(
            value=seating_rules.DEFAULT_ROUND_MINUTES, min=1, max=240,
            description=_("Minutes per round"), style=wide, layout={"width": "220px"},
        )  # fmt: skip
        hint = _("Themes of the tables (a table without a theme is not made)")
        self.widget = widgets.VBox(
            [
                widgets.HTML(f'<div class="fac-label">{esc(hint)}</div>'),
                self.theme_box,
                self.more,
                widgets.HBox([self.rounds, self.minutes], layout={"flex_flow": "row wrap"}),
            ]
        )
        self.widget.add_class("fac-template-tables")
        self.wanted = False
        show(self.widget, False)

    def _add_field(self) -> None:
        number = len(self.themes) + 1
        field = widgets.Text(
            placeholder=_("Theme of table {number}").format(number=number),
            layout={"width": "min(100%, 460px)"},
        )
        field.add_class("fac-template-theme")
        self.themes.append(field)
        self.theme_box.children = tuple(self.themes)

    def show_for(self, template: MeetingTemplate | None) -> None:
        """Ask for the tables of ``template`` (nothing if it has none)."""
        self.wanted = template is not None and template.table_count > 0
        if template is not None and self.wanted:
            while len(self.themes) < template.table_count:
                self._add_field()
            self.rounds.value = template.table_rounds
            self.minutes.value = template.round_minutes
        show(self.widget, self.wanted)

    def values(self) -> dict[str, Any]:
        """What to pass to :meth:`~facilitation.store.Store.prepare_meeting`."""
        if not self.wanted:
            return {}
        return {
            "table_themes": [field.value for field in self.themes],
            "table_rounds": self.rounds.value,
            "round_minutes": self.minutes.value,
        }

    def clear(self) -> None:
        """Empty the fields once the meeting is made."""
        self.themes.clear()
        self.theme_box.children = ()
        self.show_for(None)


# --- the participant's page ------------------------------------------------------------------


# The tables the part's pieces show (a page re-reads them when one changed).
TABLE_READS = frozenset(
    {
        "themed_table",
        "table_round",
        "table_assignment",
        "table_note",
        "participant",
        "municipality",
        "municipality_group",
        "group_member",
    }
)


class TablesView(ParticipantView):
    """Where she sits this round, with whom, her table's notes and the form to add one; her
    own notes of the round that notes go to, each with a button to withdraw it."""

    screens = (Screen.TABLES,)
    reads = TABLE_READS

    def build(self) -> None:
        self.round_id: int | None = None
        self.head = widgets.HTML()
        self.text = widgets.Textarea(
            placeholder=_("A thought, an example, an agreement at your table"),
            layout={"width": "100%", "height": "80px"},
        )
        self.send = widgets.Button(
            description=_("Add to the table's notes"), button_style="primary", icon="paper-plane"
        )
        self.send.on_click(lambda _b: self.submit())
        self.form = widgets.VBox([self.text, self.send])
        self.form.add_class("fac-form")
        self.mine = widgets.VBox()
        self.mine_rows: dict[int, widgets.HBox] = {}
        self.notes = widgets.HTML()
        self.harvest = widgets.HTML()
        self.widget.children = [self.head, self.form, self.mine, self.notes, self.harvest]

    def update(self, live: LiveState) -> None:
        person = self.page.person
        table_round = self.store.table_round(live.subject_id)
        rounds = self.store.table_rounds(table_round.meeting_id)
        tables = {t.id: t for t in self.store.tables(table_round.meeting_id)}
        self.round_id = table_round.id
        mine = self.store.table_of(table_round.id, person.id)
        writing = mine is not None and seating_rules.notes_go_to(rounds, table_round.id)
        running = seating_rules.round_is_running(table_round)
        lines = [f"<h2>{esc(_round_line(table_round, rounds))}</h2>"]
        if mine is None:
            lines.append(
                '<div class="fac-card">'
                + esc(_("You have no seat at a table in this round. Ask the facilitator."))
                + "</div>"
            )
        else:
            people = {p.id: p for p in self.store.participants(table_round.meeting_id)}
            seated = self.store.seatings(table_round.meeting_id).get(table_round.id, {})
            others = [
                people[p].name
                for p in seated.get(mine.id, ())
                if p not in (person.id, mine.host_id) and p in people
            ]
            where = esc(_("Your table"))
            lines.append(
                f'<div class="fac-card fac-task"><span class="fac-label">{where}</span>'
                f'<div class="fac-big">{esc(mine.theme)}</div>'
            )
            if mine.host_id == person.id:
                lines.append(
                    "<div>" + esc(_("You host this table: welcome the newcomers, sum up what "
                                    "earlier rounds said, and keep the notes.")) + "</div>"
                )  # fmt: skip
            elif mine.host_id is not None and mine.host_id in people:
                host = _("Host: {name}").format(name=people[mine.host_id].name)
                lines.append(f"<div>{esc(host)}</div>")
            if others:
                lines.append(
                    "<div>" + esc(_("With: {names}").format(names=", ".join(others))) + "</div>"
                )
            lines.append("</div>")
        upcoming = None
        if not running and table_round.ended_at is not None:
            following = [r for r in rounds if r.number == table_round.number + 1]
            if following:
                upcoming = self.store.table_of(following[0].id, person.id)
            if upcoming is not None:
                text = _("Next round you sit at: {theme}").format(theme=tables[upcoming.id].theme)
                lines.append(f'<div class="fac-card fac-big">{esc(text)}</div>')
        set_if_changed(self.head, "".join(lines))
        show(self.form, writing)
        # A convenience only: the store refuses a note from the wrong place all the same.
        set_if_changed(self.send, not writing, "disabled")
        notes: list[TableNote] = []
        if mine is not None:
            try:
                notes = self.store.table_notes_for(mine.id, person.id)
            except NotInMeeting as error:
                set_if_changed(self.notes, f'<div class="fac-error">{esc(str(error))}</div>')
                set_if_changed(self.mine, (), "children")
                return
            numbers = {r.id: r.number for r in rounds}
            heading = esc(_("Notes of this table, from every round"))
            body = _notes_html(notes, numbers)
            set_if_changed(self.notes, f"<h2>{heading}</h2>{body}" if body else "")
        else:
            set_if_changed(self.notes, "")
        self._mine(rounds, notes)
        # After the last round (or when the facilitator shows the harvest): every table.
        show_harvest = table_round.ended_at is not None and upcoming is None
        harvest = ""
        if show_harvest:
            harvest = harvest_html(
                self.store, table_round.meeting_id, rounds=rounds, tables=list(tables.values())
            )
        set_if_changed(self.harvest, harvest)

    def _mine(self, rounds: Sequence[TableRound], notes: Sequence[TableNote]) -> None:
        """Her own notes that she may still withdraw, each with a button to do so."""
        person = self.page.person.id
        own = [n for n in notes if seating_rules.can_withdraw_note(rounds, n, person)]
        show_own(self.mine, self.mine_rows, own, self.withdraw)

    def submit(self) -> None:
        """Add the note typed to her table (checked in the store)."""
        if self.round_id is None:
            return
        round_id = self.round_id
        if self.act(
            lambda: self.store.submit_table_note(round_id, self.page.person.id, self.text.value),
            _("Added to the table's notes."),
        ):
            self.text.value = ""

    def withdraw(self, note_id: int) -> None:
        """Withdraw one of her notes (checked in the store: hers, and her round still on)."""
        self.act(
            lambda: self.store.withdraw_table_note(note_id, participant_id=self.page.person.id),
            _("Withdrawn."),
        )


# --- the wall ------------------------------------------------------------------------------


class TablesWall(ProjectorView):
    """Who sits where while a round runs; the harvest of every table once it has ended."""

    screens = (Screen.TABLES,)
    reads = TABLE_READS
    show_join = False

    def update(self, meeting: Meeting, live: LiveState) -> None:
        table_round = self.store.table_round(live.subject_id)
        rounds = self.store.table_rounds(meeting.id)
        head = f'<div class="fac-big">{esc(_round_line(table_round, rounds))}</div>'
        if table_round.ended_at is not None:
            set_if_changed(self.widget, head + harvest_html(self.store, meeting.id, rounds=rounds))
            return
        tables = self.store.tables(meeting.id)
        people = {p.id: p for p in self.store.participants(meeting.id)}
        towns = {m.id: m.name for m in self.store.municipalities()}
        seating = self.store.seatings(meeting.id).get(table_round.id, {})
        html = head + _seating_html(tables, seating, people, towns)
        written = sum(map(len, self.store.meeting_table_notes(meeting.id).values()))
        if written:
            line = esc(
                ngettext(
                    "{n} note at the tables so far", "{n} notes at the tables so far", written
                ).format(n=written)
            )
            html += f'<div class="fac-muted">{line}</div>'
        set_if_changed(self.widget, html)


# --- the facilitator's tab ----------------------------------------------------------------


class TablesTab(FacilitatorTab):
    """Tables and hosts; rounds with their seating (mixed and rotated); start, end, harvest."""

    title = N_("Themed tables")

    def build(self) -> None:
        page = self.page
        wide = {"description_width": "initial"}
        row = {"flex_flow": "row wrap", "align_items": "center"}
        self._syncing = False
        self.theme = widgets.Text(
            placeholder=_("Theme of a new table"), layout={"width": "min(100%, 420px)"}
        )
        self.host = widgets.Dropdown(description=_("Host"), options=[("", None)], style=wide)
        self.add_table = page.wire(
            widgets.Button(description=_("Add table"), button_style="primary"), self.make_table
        )
        self.table_list = widgets.VBox()
        self.host_boxes: dict[int, widgets.Dropdown] = {}
        self.theme_boxes: dict[int, widgets.Text] = {}
        self.hide_buttons: dict[int, widgets.Button] = {}
        self.hidden_tables: dict[int, bool] = {}
        self.table_rows: dict[int, widgets.HBox] = {}  # each table's row, made once
        self.round_minutes = widgets.BoundedIntText(
            value=seating_rules.DEFAULT_ROUND_MINUTES, min=1, max=240,
            description=_("Minutes per round"), style=wide, layout={"width": "220px"},
        )  # fmt: skip
        self.round_count = widgets.BoundedIntText(
            value=3, min=1, max=12, description=_("Rounds"), style=wide, layout={"width": "150px"}
        )
        self.round_count.add_class("fac-round-count")
        self.round_at_zero = widgets.Dropdown(
            description=_("At 0:00"), options=at_zero_options(AtZero.CLOSE), style=wide,
            layout={"width": "260px"},
        )  # fmt: skip
        self.plan = page.wire(
            widgets.Button(description=_("Plan the rounds and mix the groups"), icon="random"),
            self.plan_rounds,
        )
        self.present_only = widgets.Checkbox(
            value=True,
            description=_("Only participants who have joined"),
            indent=False,
            layout={"width": "auto"},
        )
        self.choice = widgets.Dropdown(
            description=_("Round"), options=[], style=wide, layout={"width": "min(100%, 440px)"}
        )
        self.choice.add_class("fac-table-round")
        self.choice.observe(lambda _c: self.page.refresh(), "value")
        self.state = widgets.HTML()
        self.start = page.wire(
            widgets.Button(description=_("Start round"), button_style="success", icon="play"),
            self.start_round,
        )
        self.end = page.wire(
            widgets.Button(description=_("End round"), button_style="warning", icon="stop"),
            self.end_round,
        )
        self.remix = page.wire(
            widgets.Button(description=_("Mix this round again"), icon="random"), self.mix_round
        )
        self.harvest = page.wire(
            widgets.Button(description=_("Show the harvest"), icon="leaf"), self.show_harvest
        )
        self.drop_round = page.wire(
            widgets.Button(description=_("Delete round"), icon="trash"), self.delete_round
        )
        self.hide_round = page.wire(
            widgets.Button(description=_("Hide from the protocol"), icon="eye-slash"),
            self.toggle_round,
        )
        self.quality = widgets.HTML()
        self.seat_boxes: dict[int, widgets.Dropdown] = {}
        self.seats = widgets.VBox()
        self.notes = widgets.HTML()
        self.hide_choice = widgets.Dropdown(
            description=_("Note"), options=[], style=wide, layout={"width": "min(100%, 560px)"}
        )
        self.hide = page.wire(
            widgets.Button(description=_("Hide from the screens"), icon="eye-slash"),
            self.hide_note,
        )
        self.hidden = widgets.HTML()
        h = lambda text: widgets.HTML(f"<h2>{esc(text)}</h2>")  # noqa: E731
        self.widget.children = [
            h(_("Tables and hosts")),
            widgets.HBox([self.theme, self.host, self.add_table], layout=row),
            self.table_list,
            h(_("Rounds")),
            widgets.HBox(
                [self.round_count, self.round_minutes, self.round_at_zero, self.plan], layout=row
            ),
            self.present_only,
            widgets.HBox([self.choice, self.start, self.end, self.remix, self.harvest], layout=row),
            widgets.HBox([self.drop_round, self.hide_round], layout=row),
            self.state,
            self.quality,
            self.seats,
            self.notes,
            widgets.HBox([self.hide_choice, self.hide], layout=row),
            self.hidden,
        ]

    # --- actions -----------------------------------------------------------------------

    @property
    def round_id(self) -> int | None:
        return self.choice.value

    def _need(self) -> int:
        if self.round_id is None:
            raise NoTableRoundChosen()
        return self.round_id

    def make_table(self) -> None:
        self.store.add_table(self.page.need_meeting(), self.theme.value, host_id=self.host.value)
        self.theme.value = ""
        self.host.value = None

    def plan_rounds(self) -> None:
        """Add rounds up to the number asked for and seat everyone, rotating and mixing."""
        seated = self.store.plan_table_rounds(
            self.page.need_meeting(), self.round_count.value,
            minutes=self.round_minutes.value, present_only=self.present_only.value,
            at_zero=self.round_at_zero.value,
        )  # fmt: skip
        if seated:
            self._refresh_choice()
            self.choice.value = seated[0].id

    def mix_round(self) -> None:
        """Seat the chosen round again, mixed against the rounds before it."""
        self.store.mix_table_round(self._need(), present_only=self.present_only.value)

    def delete_round(self) -> None:
        """Delete the chosen round (the store refuses once it has started or holds notes)."""
        self.store.delete_table_round(self._need())

    def toggle_round(self) -> None:
        """Hide the chosen round from the protocol, or show it there again."""
        chosen = self.store.table_round(self._need())
        self.store.hide_table_round(chosen.id, chosen.hidden_at is None)

    def _rename(self, table_id: int, change: dict) -> None:
        if not self._syncing:
            self.page.act(lambda: self.store.update_table(table_id, theme=change["new"]))

    def _move(self, table_id: int, offset: int) -> None:
        self.page.act(lambda: self.store.move_table(table_id, offset))

    def _delete(self, table_id: int) -> None:
        self.page.act(lambda: self.store.delete_table(table_id), _("Table deleted."))

    def _toggle(self, table_id: int) -> None:
        hidden = self.hidden_tables.get(table_id, False)
        self.page.act(lambda: self.store.hide_table(table_id, not hidden))

    def start_round(self) -> None:
        self.store.start_table_round(self._need())

    def end_round(self) -> None:
        self.store.end_table_round(self._need())

    def show_harvest(self) -> None:
        """End the running round, if any, and put the harvest of all tables on the screens."""
        self.store.show_harvest(self.page.need_meeting())

    def hide_note(self) -> None:
        """Withdraw the chosen note (a typo, a note at the wrong table): it leaves every
        screen, the harvest, the protocol and the exports; the workspace keeps it, marked."""
        if self.hide_choice.value is not None:
            self.store.withdraw_table_note(self.hide_choice.value)

    def _set_host(self, table_id: int, change: dict) -> None:
        if not self._syncing:
            self.page.act(lambda: self.store.update_table(table_id, host_id=change["new"]))

    def _set_seat(self, participant_id: int, change: dict) -> None:
        if self._syncing or self.round_id is None:
            return
        round_id = self.round_id
        if change["new"] is None:
            self.page.act(lambda: self.store.unassign(round_id, participant_id))
        else:
            self.page.act(lambda: self.store.assign(round_id, change["new"], [participant_id]))

    # --- showing -------------------------------------------------------------------------

    def _refresh_choice(self, rounds: Sequence[TableRound] | None = None) -> None:
        if rounds is None:
            meeting_id = self.page.meeting_id
            rounds = self.store.table_rounds(meeting_id) if meeting_id else []
        options = [(_round_line(r, rounds), r.id) for r in rounds]
        running = [r.id for r in rounds if seating_rules.round_is_running(r)]
        set_options(self.choice, options, prefer=running[-1] if running else None)

    def refresh(self, live: LiveState) -> None:
        meeting_id = self.page.meeting_id
        people = self.store.participants(meeting_id)
        towns = {m.id: m.name for m in self.store.municipalities()}
        tables = self.store.tables(meeting_id)
        rounds = self.store.table_rounds(meeting_id) if meeting_id else []
        # Every note once, withdrawn ones too (to count them); the harvest shows the others.
        every_note = {t.id: self.store.table_notes(t.id, withdrawn=True) for t in tables}
        choices = [("", None)] + [(p.name, p.id) for p in people]
        self._syncing = True
        try:
            if list(self.host.options) != choices:
                self.host.options = choices
            self._tables(tables, choices)
            self._refresh_choice(rounds)
            self._round(live, tables, rounds, people, towns)
        finally:
            self._syncing = False
        harvest = ""
        if tables:
            shown = {
                table_id: [n for n in notes if n.withdrawn_at is None]
                for table_id, notes in every_note.items()
            }
            harvest = harvest_html(
                self.store, meeting_id, people=people, rounds=rounds, tables=tables, notes=shown
            )
        set_if_changed(self.notes, harvest)
        self._hide_options(tables, every_note)

    def _hide_options(
        self, tables: Sequence[ThemedTable], every_note: dict[int, list[TableNote]]
    ) -> None:
        """Every note still shown, to choose one to hide; how many are withdrawn."""
        options = []
        withdrawn = 0
        for table in tables:
            for note in every_note[table.id]:
                if note.withdrawn_at is not None:
                    withdrawn += 1
                else:
                    label = f"{note.id}: {short(table.theme, 30)} · {short(note.text, 60)}"
                    options.append((label, note.id))
        set_options(self.hide_choice, options)
        set_if_changed(self.hide, not options, "disabled")
        line = ""
        if withdrawn:
            text = _("Withdrawn notes: {n} (shown nowhere, kept in the data export)").format(
                n=withdrawn
            )
            line = f'<div class="fac-muted">{esc(text)}</div>'
        set_if_changed(self.hidden, line)

    def _tables(self, tables: Sequence[ThemedTable], choices: list[tuple[str, Any]]) -> None:
        for table in tables:
            box = self.host_boxes.get(table.id)
            if box is None:
                box = widgets.Dropdown(
                    description=_("Host"), options=choices, style={"description_width": "initial"}
                )
                box.observe(lambda change, t=table.id: self._set_host(t, change), "value")
                self.host_boxes[table.id] = box
            if list(box.options) != choices:
                box.options = choices
            set_if_changed(box, table.host_id)
            if table.id not in self.table_rows:
                self.table_rows[table.id] = self._table_row(table.id, box)
            set_if_changed(self.theme_boxes[table.id], table.theme)
            hidden = table.hidden_at is not None
            self.hidden_tables[table.id] = hidden
            button = self.hide_buttons[table.id]
            set_if_changed(
                button, _("Show in the protocol") if hidden else _("Hide from the protocol"),
                "description",
            )  # fmt: skip
            set_if_changed(button, "eye" if hidden else "eye-slash", "icon")
        set_if_changed(self.table_list, tuple(self.table_rows[t.id] for t in tables), "children")

    def _table_row(self, table_id: int, host: widgets.Dropdown) -> widgets.HBox:
        """A table's row: its theme to rename, its host, up and down, hide, delete."""
        theme = widgets.Text(continuous_update=False, layout={"width": "min(100%, 360px)"})
        theme.add_class("fac-table-theme")
        theme.observe(lambda change: self._rename(table_id, change), "value")
        self.theme_boxes[table_id] = theme
        tools = []
        for icon, tip, action in (
            ("arrow-up", _("Move up"), lambda: self._move(table_id, -1)),
            ("arrow-down", _("Move down"), lambda: self._move(table_id, 1)),
            ("eye-slash", "", lambda: self._toggle(table_id)),
            ("trash", _("Delete table"), lambda: self._delete(table_id)),
        ):
            button = widgets.Button(icon=icon, tooltip=tip, layout={"width": "auto"})
            button.on_click(lambda _b, run=action: run())
            tools.append(button)
        tools[-1].description = _("Delete table")
        self.hide_buttons[table_id] = tools[2]
        return widgets.HBox([theme, host, *tools], layout={"flex_flow": "row wrap"})

    def _round(
        self,
        live: LiveState,
        tables: Sequence[ThemedTable],
        rounds: Sequence[TableRound],
        people: Sequence[Participant],
        towns: dict[int, str],
    ) -> None:
        round_id = self.round_id
        shown = round_id is not None
        for each in (self.start, self.end, self.remix, self.drop_round, self.hide_round):
            set_if_changed(each, not shown, "disabled")
        if not shown:
            set_if_changed(self.state, "")
            set_if_changed(self.quality, "")
            set_if_changed(self.seats, (), "children")
            return
        meeting_id = self.page.meeting_id
        chosen = next(r for r in rounds if r.id == round_id)
        seatings = self.store.seatings(meeting_id)
        seating = seatings.get(round_id, {})
        on_screen = live.screen is Screen.TABLES and live.subject_id == round_id
        lines = [_round_line(chosen, rounds)]
        lines.append(_("on the screens") if on_screen else _("not on the screens"))
        seated = {p for group in seating.values() for p in group}
        hosts = {t.host_id for t in tables if t.host_id is not None}
        unseated = [p.name for p in people if p.id not in seated and p.id not in hosts]
        if unseated:
            lines.append(_("without a seat: {names}").format(names=", ".join(unseated)))
        set_if_changed(self.state, f'<div class="fac-card">{esc(" · ".join(lines))}</div>')
        running = seating_rules.round_is_running(chosen)
        set_if_changed(self.end, not running, "disabled")
        set_if_changed(self.drop_round, chosen.started_at is not None, "disabled")
        label = _("Show in the protocol") if chosen.hidden_at else _("Hide from the protocol")
        set_if_changed(self.hide_round, label, "description")
        history = [seatings[r.id] for r in rounds if r.number < chosen.number]
        if seating:
            q = seating_rules.quality(
                seating, people, history, hosts=hosts, network_of=self.store.city_networks()
            )
            text = _(
                "Same town at one table: {town} · back at a table already visited: {revisits} "
                "· pairs who sat together before: {met}"
            ).format(town=q.same_town, revisits=q.revisits, met=q.met_before)
            set_if_changed(self.quality, f'<div class="fac-muted">{esc(text)}</div>')
        else:
            set_if_changed(self.quality, "")
        options = [("–", None)] + [(t.theme, t.id) for t in tables]
        where = {p: t for t, group in seating.items() for p in group}
        rows = []
        for person in people:
            box = self.seat_boxes.get(person.id)
            if box is None:
                town = towns.get(person.municipality_id, "") if person.municipality_id else ""
                label = person.name + (f" ({town})" if town else "")
                box = widgets.Dropdown(
                    description=label, options=options,
                    style={"description_width": "300px"}, layout={"width": "min(100%, 600px)"},
                )  # fmt: skip
                box.observe(lambda change, p=person.id: self._set_seat(p, change), "value")
                self.seat_boxes[person.id] = box
            if list(box.options) != options:
                box.options = options
            set_if_changed(box, where.get(person.id))
            rows.append(box)
        set_if_changed(self.seats, tuple(rows), "children")


PART = Part(participant=TablesView, projector=TablesWall, facilitator=TablesTab)
