"""The facilitator's participants tab: who is invited, how they join, their personal links."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .. import voting
from .._exceptions import FacilitationError, NoParticipantChosen
from ..attendance import ATTENDANCE_WORDS, Attendance, Roll
from ..i18n import N_, _, ngettext
from ..links import personal_url, write_link_list
from ..models import STATE_NAMES, LiveState, Municipality, Screen
from ..roster import RosterPlan, RowStatus
from ..tabular import Table
from ._common import esc
from ._parts import FacilitatorTab, Part, set_if_changed, set_options, show
from ._views import download_link, export_folder, qr_svg

# Rows of an uploaded list shown in the preview (every refused row is listed besides).
PREVIEW_ROWS = 15

__all__ = ["PART", "PeopleTab"]


class PeopleTab(FacilitatorTab):
    """Invite participants (personal links) or open the event (a join code)."""

    title = N_("Participants")

    def build(self) -> None:
        page = self.page
        label = {"description_width": "7.5em"}
        field = {"width": "min(100%, 420px)"}
        self._build_import()
        self._build_town(label, field)
        self.person_name = widgets.Text(description=_("Name"), style=label, layout=field)
        self.person_role = widgets.Text(
            description=_("Role"), placeholder=_("e.g. mayor"), style=label, layout=field
        )
        self.person_town = widgets.Dropdown(
            description=_("Municipality"), options=[("", None)], style=label, layout=field
        )
        self.person_email = widgets.Text(description=_("E-mail"), style=label, layout=field)
        self.person_consent = widgets.Checkbox(
            description=_("May be named in the protocol"), indent=False
        )
        self.add_person = page.wire(
            widgets.Button(description=_("Register and create link"), button_style="primary"),
            self.register_participant,
        )
        self.join_state = widgets.HTML()
        self.open_join = page.wire(
            widgets.Button(description=_("Open event: show a join code")),
            lambda: self.store.open_join(page.need_meeting()),
        )
        self.close_join = page.wire(
            widgets.Button(description=_("Close joining")),
            lambda: self.store.close_join(page.need_meeting()),
        )
        self.people_table = widgets.HTML()
        self.roll_summary = widgets.HTML()
        self.roll_rows = widgets.VBox()
        self._roll_widgets: dict[int, tuple[widgets.HBox, widgets.HTML, widgets.ToggleButtons]] = {}
        self._syncing = False
        self.sheet = widgets.HTML()
        self.make_sheet = page.wire(
            widgets.Button(description=_("Sheet of personal links (print)"), icon="print"),
            self.link_sheet,
        )
        self.make_mail_list = page.wire(
            widgets.Button(description=_("List for a mail merge (CSV)"), icon="envelope"),
            self.mail_list,
        )
        self.mail_file = widgets.HTML()
        wide = {"description_width": "initial"}
        self.known = widgets.SelectMultiple(
            description=_("From earlier meetings"),
            rows=6,
            style=wide,
            layout={"width": "min(100%, 560px)"},
        )
        self.register_known = page.wire(
            widgets.Button(description=_("Register the selected for this meeting")),
            self.register_selected,
        )
        self.person_choice = widgets.Dropdown(
            description=_("Participant"), style=wide, layout={"width": "min(100%, 420px)"}
        )
        self.new_link = page.wire(
            widgets.Button(description=_("New personal link (the old one stops working)")),
            self.renew_link,
        )
        self.remove_person = page.wire(
            widgets.Button(description=_("Remove from this meeting"), button_style="warning"),
            lambda: self.store.unregister(page.need_meeting(), self._chosen_person()),
        )
        invite = esc(_("Invite a participant"))
        again = esc(_("Participants of earlier meetings"))
        by_code = esc(_("Joining with a code"))
        manage = esc(_("Links and registration"))
        present = esc(_("Who is here"))
        roll_hint = esc(
            _(
                "Present from the first opening of her page in this meeting. Check in who has "
                "no device, excuse or mark absent with one click; every change is kept with "
                "its time."
            )
        )
        row = {"flex_flow": "row wrap", "align_items": "center"}
        self.widget.children = [
            *self.import_section,
            widgets.HTML(f"<h2>{invite}</h2>"),
            self.person_name,
            self.person_role,
            self.person_town,
            self.person_email,
            self.person_consent,
            self.add_person,
            widgets.HTML(f"<h2>{again}</h2>"),
            self.known,
            self.register_known,
            widgets.HTML(f"<h2>{by_code}</h2>"),
            self.join_state,
            widgets.HBox([self.open_join, self.close_join], layout=row),
            widgets.HTML(f'<h2>{present}</h2><p class="fac-muted">{roll_hint}</p>'),
            self.roll_summary,
            self.roll_rows,
            self.people_table,
            widgets.HTML(f"<h2>{manage}</h2>"),
            widgets.HBox([self.person_choice, self.new_link, self.remove_person], layout=row),
            widgets.HBox([self.make_sheet, self.make_mail_list], layout=row),
            self.mail_file,
            self.sheet,
            *self.town_section,
        ]

    # --- a list of participants ------------------------------------------------------

    def _build_import(self) -> None:
        page = self.page
        heading = esc(_("Import a list of participants"))
        hint = esc(
            _(
                "A CSV or Excel file as the town hall keeps it, one person a row, with the "
                "columns Name (or Vorname and Nachname), Funktion, Kommune (name or official "
                "key), E-Mail and Einwilligung (may be named in the protocol: ja/nein). You see "
                "what would be imported before anything is."
            )
        )
        self.upload = widgets.FileUpload(
            accept=".csv,.txt,.xlsx", multiple=False, description=_("Choose a file")
        )
        self.upload.observe(lambda _c: page.act(self.preview_upload), "value")
        self.preview = widgets.HTML()
        self.import_all = page.wire(
            widgets.Button(description=_("Import"), button_style="primary", icon="upload"),
            lambda: self.import_list(skip_refused=False),
        )
        self.import_valid = page.wire(
            widgets.Button(description=_("Import only the rows that can be"), icon="upload"),
            lambda: self.import_list(skip_refused=True),
        )
        self.discard = page.wire(
            widgets.Button(description=_("Discard"), icon="times"), self.discard_list
        )
        self.import_buttons = widgets.HBox(
            [self.import_all, self.import_valid, self.discard],
            layout={"flex_flow": "row wrap", "display": "none"},
        )
        self._table: Table | None = None
        self.import_section = [
            widgets.HTML(f'<h2>{heading}</h2><p class="fac-muted">{hint}</p>'),
            self.upload,
            self.preview,
            self.import_buttons,
        ]

    def preview_upload(self) -> RosterPlan | None:
        """Read the uploaded list and show what importing it would do (nothing is written)."""
        from ..shipped import read_participants

        if not self.upload.value:
            return None
        item = self.upload.value[0]
        name = Path(str(item["name"])).name or "liste.csv"
        self.upload.value = ()  # the same file can be chosen again after a correction
        self._table = None
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(bytes(item["content"]))
            table = read_participants(path, name=name)
        self._table = table
        return self._show_plan()

    def _show_plan(self) -> RosterPlan | None:
        from ..shipped import shipped_municipalities

        if self._table is None:
            set_if_changed(self.preview, "")
            show(self.import_buttons, False)
            return None
        try:
            plan = self.store.plan_participants(
                self._table, shipped=shipped_municipalities(self.store)
            )
        except FacilitationError as error:
            self._table = None
            self.preview.value = f'<div class="fac-error">{esc(str(error))}</div>'
            show(self.import_buttons, False)
            return None
        self.preview.value = preview_html(plan, {m.id: m.name for m in self.store.municipalities()})
        count = len(plan.new) + len(plan.known)
        self.import_all.description = ngettext(
            "Import {n} participant", "Import {n} participants", count
        ).format(n=count)
        self.import_valid.description = ngettext(
            "Import only the {n} row that can be", "Import only the {n} rows that can be", count
        ).format(n=count)
        show(self.import_buttons)
        show(self.import_all, not plan.refused)
        show(self.import_valid, bool(plan.refused) and count > 0)
        return plan

    def import_list(self, *, skip_refused: bool) -> RosterPlan | None:
        """Import the previewed list (registered for the meeting the page works on)."""
        from ..shipped import shipped_municipalities

        if self._table is None:
            return None
        plan = self.store.import_participants(
            self._table,
            meeting_id=self.page.meeting_id,
            shipped=shipped_municipalities(self.store),
            skip_refused=skip_refused,
        )
        self._table = None
        self._show_plan()
        text = ngettext(
            "{name}: {new} participant added, {known} already known",
            "{name}: {new} participants added, {known} already known",
            len(plan.new),
        ).format(name=plan.source, new=len(plan.new), known=len(plan.known))
        if self.page.meeting_id is not None:
            text += " · " + _("everyone is registered for this meeting")
        self.preview.value = f'<div class="fac-ok">{esc(text)}</div>'
        return plan

    def discard_list(self) -> None:
        self._table = None
        self._show_plan()

    # --- a municipality by hand --------------------------------------------------------

    def _build_town(self, label: dict[str, str], field: dict[str, str]) -> None:
        heading = esc(_("Add a municipality"))
        hint = esc(
            _(
                "Every German municipality: type its name (or official key) and press Enter, "
                "and it is added with key, coordinates and population from the official "
                "directory. Another place by hand below: the official key (AGS, 8 digits) "
                "and the coordinates are optional; with coordinates the town has its place "
                "on the map of the network."
            )
        )
        self.town_name = widgets.Text(description=_("Name"), style=label, layout=field)
        self.town_state = widgets.Dropdown(
            description=_("State"),
            options=[("", None), *((name, code) for code, name in sorted(
                STATE_NAMES.items(), key=lambda item: item[1]))],
            style=label, layout=field,
        )  # fmt: skip
        self.town_ags = widgets.Text(
            description=_("Official key (AGS)"), placeholder="14625020", style=label, layout=field
        )
        small = {"width": "min(100%, 205px)"}
        self.town_latitude = widgets.Text(
            description=_("Latitude"), placeholder="51,18", style=label, layout=small
        )
        self.town_longitude = widgets.Text(
            description=_("Longitude"), placeholder="14,43", style=label, layout=small
        )
        self.add_town = widgets.Button(description=_("Add municipality"), icon="plus")
        self.add_town.on_click(
            lambda _b: self.page.act(
                self.add_municipality,
                _("{name} was added.").format(name=" ".join(self.town_name.value.split())),
            )
        )
        # Any German municipality, from the official directory (key, coordinates, population).
        self.directory_name = widgets.Text(
            description=_("From the directory"), placeholder="Herrnhut", style=label,
            layout=field,
        )  # fmt: skip
        self.add_from_directory = widgets.Button(
            description=_("Add from the directory"), icon="plus"
        )
        self.add_from_directory.on_click(lambda _b: self._add_named())
        with warnings.catch_warnings():  # on_submit is the one way to hear Enter while typing
            warnings.simplefilter("ignore", DeprecationWarning)
            self.directory_name.on_submit(lambda _t: self._add_named())
        self.town_section = [
            widgets.HTML(f'<h2>{heading}</h2><p class="fac-muted">{hint}</p>'),
            widgets.HBox(
                [self.directory_name, self.add_from_directory],
                layout={"flex_flow": "row wrap", "align_items": "center"},
            ),
            self.town_name,
            self.town_state,
            self.town_ags,
            widgets.HBox(
                [self.town_latitude, self.town_longitude], layout={"flex_flow": "row wrap"}
            ),
            self.add_town,
        ]

    def add_named_municipality(self) -> Municipality | None:
        """Add the German municipality of the name typed (or key), from the directory."""
        if not self.directory_name.value.strip():
            return None
        town = self.store.municipality_for(self.store.named_place(self.directory_name.value))
        self.directory_name.value = ""
        return town

    def _add_named(self) -> None:
        town = self.page.act(self.add_named_municipality)
        if isinstance(town, Municipality):
            self.page.say_ok(_("{name} is in this workspace.").format(name=town.name))

    def add_municipality(self) -> Municipality:
        """Add the municipality typed into the form (the store checks every field)."""
        made = self.store.add_municipality(
            self.town_name.value,
            ags=self.town_ags.value or None,
            state=self.town_state.value,
            latitude=_coordinate(self.town_latitude.value, N_("Latitude")),
            longitude=_coordinate(self.town_longitude.value, N_("Longitude")),
            source=_("added by hand"),
        )
        for box in (self.town_name, self.town_ags, self.town_latitude, self.town_longitude):
            box.value = ""
        self.town_state.value = None
        return made

    @staticmethod
    def _person_label(person: Any, towns: dict[int, str]) -> str:
        town = towns.get(person.municipality_id, "")
        return f"{person.name} ({town})" if town else person.name

    def register_selected(self) -> None:
        """Register participants of earlier meetings for this one (their links stay valid)."""
        meeting_id = self.page.need_meeting()
        for participant_id in self.known.value:
            self.store.register(meeting_id, participant_id)
        self.known.value = ()

    def _chosen_person(self) -> int:
        if self.person_choice.value is None:
            raise NoParticipantChosen()
        return self.person_choice.value

    def renew_link(self) -> str:
        """Revoke the chosen participant's links and make a new one (a lost or passed-on link)."""
        return self.store.renew_link(self._chosen_person())

    def register_participant(self) -> None:
        meeting_id = self.page.need_meeting()
        person = self.store.add_participant(
            self.person_name.value,
            role=self.person_role.value,
            municipality_id=self.person_town.value,
            email=self.person_email.value or None,
            consent_named=self.person_consent.value,
            meeting_id=meeting_id,
        )
        self.store.create_link(person.id)
        self.person_name.value = self.person_role.value = self.person_email.value = ""
        self.person_consent.value = False

    def personal_url(self, token: str) -> str:
        return personal_url(self.page.join_url, token)

    def mail_list(self) -> Path:
        """Write the meeting's personal links as a CSV file for a mail merge, and offer it."""
        meeting_id = self.page.need_meeting()
        folder = export_folder(self.store.location)
        path = write_link_list(
            self.store, meeting_id, self.page.join_url, folder / f"links-meeting-{meeting_id}.csv"
        )
        warning = esc(_("Whoever has a personal link acts as its participant: keep the file safe."))
        self.mail_file.value = (
            f'<div class="fac-ok">{download_link(path)}<br>'
            f'<span class="fac-muted">{warning}</span></div>'
        )
        return path

    def link_sheet(self) -> None:
        """A printable sheet: one personal link with its QR code per participant."""
        meeting_id = self.page.need_meeting()
        links = self.store.personal_links(meeting_id)
        cards = []
        for person in self.store.participants(meeting_id):
            url = self.personal_url(links[person.id])
            cards.append(
                f'<div class="fac-card fac-sheet fac-join">{qr_svg(url)}'
                f'<div><div class="fac-big">{esc(person.name)}</div>'
                f"<div>{esc(url)}</div></div></div>"
            )
        self.sheet.value = "".join(cards)

    def _round_in_play(self, live: LiveState) -> int | None:
        shown = live.subject_id if live.screen in (Screen.VOTE, Screen.RESULTS) else None
        return voting.round_in_play(self.store.vote_rounds(live.meeting_id), shown)

    def refresh(self, live: LiveState) -> None:
        round_id = self._round_in_play(live)
        towns = self.store.municipalities()
        set_options(self.person_town, [("", None)] + [(m.name, m.id) for m in towns])
        names = {m.id: m.name for m in towns}
        meeting_id = live.meeting_id
        if live.join_code:
            text = _("Open event: newcomers join with the code {code}").format(code=live.join_code)
        else:
            text = _("Joining with a code is closed: only personal links work.")
        set_if_changed(self.join_state, f'<div class="fac-card">{esc(text)}</div>')
        everyone = self.store.participants()
        here = self.store.participants(meeting_id)
        here_ids = {p.id for p in here}
        known = [(self._person_label(p, names), p.id) for p in everyone if p.id not in here_ids]
        if list(self.known.options) != known:
            self.known.options = known
        show(self.known, bool(known))
        show(self.register_known, bool(known))
        choices = [(self._person_label(p, names), p.id) for p in here]
        set_options(self.person_choice, choices)
        attendance = self.store.attendance(meeting_id)
        self._show_roll(attendance, here, names)
        held = self.store.dots_per_participant(round_id) if round_id else {}
        total = self.store.vote_round(round_id).dots_per_person if round_id else 0
        links = self.store.personal_links(meeting_id)
        header = "".join(
            f"<th>{esc(h)}</th>"
            for h in (
                _("Name"),
                _("Municipality"),
                _("Attendance"),
                _("Dots left"),
                _("Personal link"),
            )
        )
        rows = []
        for person in here:
            joined = _standing_text(attendance, person.id)
            left = str(total - held.get(person.id, 0)) if round_id else ""
            url = self.personal_url(links[person.id])
            town = names.get(person.municipality_id, "")
            rows.append(
                f"<tr><td>{esc(person.name)}</td><td>{esc(town)}</td>"
                f"<td>{esc(joined)}</td><td>{left}</td><td><code>{esc(url)}</code></td></tr>"
            )
        set_if_changed(
            self.people_table, f'<table class="fac-table"><tr>{header}</tr>{"".join(rows)}</table>'
        )

    # --- who is here -------------------------------------------------------------------

    def _show_roll(self, attendance: Roll, here: list[Any], towns: dict[int, str]) -> None:
        """The roll: how many are here, and one row per registered person with three buttons."""
        summary = _("Present: {present} of {registered} registered").format(
            present=len(attendance.present), registered=len(attendance.registered)
        )
        summary += " · " + _("excused: {n}").format(n=len(attendance.excused))
        summary += " · " + _("absent: {n}").format(n=len(attendance.absent))
        set_if_changed(self.roll_summary, f'<div class="fac-card fac-big">{esc(summary)}</div>')
        options = [(_(ATTENDANCE_WORDS[status]), status.value) for status in Attendance]
        rows = []
        self._syncing = True
        try:
            for person in here:
                held = self._roll_widgets.get(person.id)
                if held is None:
                    label = widgets.HTML(layout={"width": "min(100%, 360px)"})
                    choice = widgets.ToggleButtons(options=options, style={"button_width": "auto"})
                    choice.add_class("fac-attendance")
                    choice.observe(
                        lambda change, pid=person.id: self._on_attendance(pid, change), "value"
                    )
                    box = widgets.HBox(
                        [label, choice], layout={"flex_flow": "row wrap", "align_items": "center"}
                    )
                    held = (box, label, choice)
                    self._roll_widgets[person.id] = held
                box, label, choice = held
                said = esc(_standing_text(attendance, person.id))
                set_if_changed(
                    label,
                    f"<b>{esc(self._person_label(person, towns))}</b> "
                    f'<span class="fac-muted">{said}</span>',
                )
                if list(choice.options) != options:
                    choice.options = options
                standing = attendance.of(person.id)
                status = standing.status if standing else Attendance.ABSENT
                set_if_changed(choice, status.value)
                rows.append(box)
        finally:
            self._syncing = False
        if list(self.roll_rows.children) != rows:
            self.roll_rows.children = rows

    def _on_attendance(self, participant_id: int, change: dict) -> None:
        if self._syncing or change["new"] is None:
            return
        status = change["new"]
        self.page.act(
            lambda: self.store.set_attendance(self.page.need_meeting(), participant_id, status)
        )


def _standing_text(attendance: Roll, participant_id: int) -> str:
    """A person's attendance in words: "present since 09:12 (checked in by hand)"."""
    standing = attendance.of(participant_id)
    if standing is None:
        return ""
    text = _(ATTENDANCE_WORDS[standing.status])
    if standing.since is not None:
        text += " " + _("since {time}").format(time=standing.since.astimezone().strftime("%H:%M"))
    if standing.by_hand:
        text += " (" + _("by the facilitator") + ")"
    return text


PART = Part(facilitator=PeopleTab)


def _coordinate(text: str, field_name: str) -> float | None:
    """A coordinate as typed (a decimal comma too); None if empty."""
    from .._exceptions import InvalidInput, word

    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(
            field=word(field_name), problem=word(N_("{value!r} is not a number"), value=text)
        ) from None


def preview_html(plan: RosterPlan, towns: dict[int, str]) -> str:
    """What an import would do: a summary, the first rows, and every refused row."""
    status_words = {
        RowStatus.NEW: _("new"),
        RowStatus.KNOWN: _("already in the workspace"),
        RowStatus.REFUSED: _("refused"),
    }
    heads = (_("Line"), _("Name"), _("Role"), _("Municipality"), _("E-mail"),
             _("May be named"), _("Status"))  # fmt: skip
    rows = []
    for row in plan.rows[:PREVIEW_ROWS]:
        town = ""
        if row.town is not None:
            town = towns.get(row.town.municipality_id, "") if row.town.municipality_id else (
                row.town.name + " (" + _("is added") + ")"
            )  # fmt: skip
        cells = (row.line, row.name, row.role, town, row.email or "",
                 _("yes") if row.consent_named else _("no"), status_words[row.status])  # fmt: skip
        style = ' class="fac-refused"' if row.status is RowStatus.REFUSED else ""
        rows.append(f"<tr{style}>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    more = len(plan.rows) - PREVIEW_ROWS
    more_rows = ngettext("… and {n} row more", "… and {n} rows more", more).format(n=more)
    tail = f'<p class="fac-muted">{esc(more_rows)}</p>' if more > 0 else ""
    refusals = plan.lines()
    shown = refusals[:200]
    problems = "".join(f"<li>{esc(line)}</li>" for line in shown)
    if len(refusals) > len(shown):
        more_refused = _("… and {n} more").format(n=len(refusals) - len(shown))
        problems += f"<li>{esc(more_refused)}</li>"
    style = "fac-error" if refusals else "fac-ok"
    summary = f"{plan.source}: {plan.summary()}"
    head = "".join(f"<th>{esc(h)}</th>" for h in heads)
    table = f'<table class="fac-table"><tr>{head}</tr>{"".join(rows)}</table>'
    return (
        f'<div class="{style}"><b>{esc(summary)}</b>'
        + (f"<ul>{problems}</ul>" if problems else "")
        + f'</div><div class="fac-card fac-preview">{table}{tail}</div>'
    )
