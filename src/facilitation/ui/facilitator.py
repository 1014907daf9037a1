"""The facilitator's controls: run the meeting from one's own screen.

Tabs: the flow (what participants and the wall show, the timer), participants
(invited with personal links, or an open event with a join code), and one tab
per live part (:class:`~facilitation.ui._parts.FacilitatorTab`: challenges and
topics, dot-voting, ...). Every action goes through the store, which checks
its rules; a refusal becomes a message and changes nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from .. import voting
from .._exceptions import FacilitationError, NoMeetingChosen, NoParticipantChosen
from ..i18n import _
from ..models import SCREEN_WORDS, LiveState, Screen
from ..store import Store
from ._common import esc
from ._front import Countdown
from ._live import LiveLoop
from ._parts import FacilitatorTab, part_classes, set_if_changed, set_options
from ._style import header_row, style_sheet
from ._views import qr_svg, timer_ms

__all__ = ["FacilitatorApp"]

log = logging.getLogger(__name__)


class FacilitatorApp:
    """The facilitator's page. ``widget`` is what the notebook displays."""

    def __init__(self, store: Store, *, join_url: str | None = None, live: bool = True) -> None:
        self.store = store
        self.join_url = (
            join_url if join_url is not None else os.environ.get("FACILITATION_JOIN_URL", "")
        )
        self.message = widgets.HTML()
        self.countdown = Countdown()
        meetings = store.meetings()
        current = store.current_meeting()
        self.meeting = widgets.Dropdown(
            description=_("Meeting"),
            options=[(self._meeting_label(m), m.id) for m in meetings],
            value=current.id if current else (meetings[-1].id if meetings else None),
            layout={"width": "min(100%, 640px)"},
        )
        # The meeting this page works on; the participants and the wall follow the meeting
        # on the screens, which changes only with "make live" (preparing the next meeting
        # during a workshop must not take the room with it).
        self.meeting.observe(lambda _c: self.refresh(), "value")
        self.new_meeting_title = widgets.Text(placeholder=_("Title of a new meeting"))
        self.new_meeting_button = self.wire(
            widgets.Button(description=_("Add meeting")), self.add_meeting
        )
        self.live_state = widgets.HTML()
        self.make_live = self.wire(
            widgets.Button(description=_("Put this meeting on the screens"), icon="television"),
            lambda: self.store.set_current_meeting(self.need_meeting()),
        )

        self.flow = widgets.VBox()
        self.people = widgets.VBox()
        self._build_flow()
        self._build_people()
        self.parts: list[FacilitatorTab] = [cls(self) for cls in part_classes("FACILITATOR")]
        self.tabs = widgets.Tab(children=[self.flow, self.people, *(t.widget for t in self.parts)])
        titles = [_("Flow"), _("Participants"), *(_(t.title) for t in self.parts)]
        for index, title in enumerate(titles):
            self.tabs.set_title(index, title)
        # The live loop refreshes the tab in view; another tab is brought up to date when chosen.
        self.tabs.observe(lambda _c: self.refresh(), "selected_index")
        header = header_row(widgets.HTML(f"<h1>{esc(store.info().title)}</h1>"), self.countdown)
        self.widget = widgets.VBox(
            [
                style_sheet(),
                header,
                widgets.HBox(
                    [self.meeting, self.new_meeting_title, self.new_meeting_button],
                    layout={"flex_flow": "row wrap"},
                ),
                widgets.HBox(
                    [self.live_state, self.make_live],
                    layout={"flex_flow": "row wrap", "align_items": "center"},
                ),
                self.message,
                self.tabs,
            ]
        )
        self.widget.add_class("fac-root")
        self.widget.add_class("fac-controls")
        if current is None and self.meeting_id is not None:
            store.set_current_meeting(self.meeting_id)
        self.refresh()
        self._loop = LiveLoop(store, self.refresh_visible).start() if live else None

    def tab(self, cls: type[FacilitatorTab] | str) -> FacilitatorTab:
        """The tab of a live part, by class or by the name of its module (``"voting"``)."""
        for part in self.parts:
            if part.__class__ is cls or part.__class__.__module__.rsplit(".", 1)[-1] == cls:
                return part
        raise KeyError(cls)

    # --- helpers -----------------------------------------------------------------

    @staticmethod
    def _meeting_label(meeting: Any) -> str:
        date = meeting.date.strftime("%d.%m.%Y") + " · " if meeting.date else ""
        return f"{date}{meeting.title}"

    def act(self, action: Callable[[], Any]) -> Any:
        """Run an action; a refusal becomes a message, nothing else changes."""
        try:
            result = action()
        except FacilitationError as error:
            self.message.value = f'<div class="fac-error">{esc(str(error))}</div>'
            return None
        except Exception as error:  # the page must say so, not fail silently in a callback
            log.exception("an action on the facilitator's page failed")
            text = _("Something went wrong: {error}").format(error=error)
            self.message.value = f'<div class="fac-error">{esc(text)}</div>'
            return None
        self.message.value = ""
        self.refresh()
        return result

    def wire(self, button: widgets.Button, action: Callable[[], Any]) -> widgets.Button:
        """Run ``action`` through :meth:`act` when the button is clicked."""
        button.on_click(lambda _b: self.act(action))
        return button

    @property
    def meeting_id(self) -> int | None:
        return self.meeting.value

    def need_meeting(self) -> int:
        """The chosen meeting, or a clear refusal when there is none."""
        if self.meeting_id is None:
            raise NoMeetingChosen()
        return self.meeting_id

    def add_meeting(self) -> None:
        """Add a meeting and work on it (it goes on the screens only if none is there yet)."""
        meeting = self.store.add_meeting(self.new_meeting_title.value)
        self.new_meeting_title.value = ""
        self._set_meeting_options()
        self.meeting.value = meeting.id
        if self.store.current_meeting() is None:
            self.store.set_current_meeting(meeting.id)

    def _set_meeting_options(self) -> None:
        """The meetings in the chooser, keeping the one chosen (ipywidgets would reset it)."""
        options = [(self._meeting_label(m), m.id) for m in self.store.meetings()]
        if list(self.meeting.options) == options:
            return
        chosen = self.meeting.value
        with self.meeting.hold_trait_notifications():  # one change of meeting, not two
            self.meeting.options = options
            ids = [value for _label, value in options]
            self.meeting.value = chosen if chosen in ids else (ids[-1] if ids else None)

    def _refresh_live_state(self) -> None:
        current = self.store.current_meeting()
        if current is None:
            text, style = _("No meeting is on the screens."), "fac-error"
        elif current.id == self.meeting_id:
            text, style = _("On the screens: {title}").format(title=current.title), "fac-ok"
        else:
            text = _(
                "On the screens: {title}. This page works on another meeting: what you "
                "open here is seen only once you put it on the screens."
            ).format(title=current.title)
            style = "fac-error"
        set_if_changed(self.live_state, f'<div class="{style}">{esc(text)}</div>')
        shown = "none" if current is not None and current.id == self.meeting_id else ""
        set_if_changed(self.make_live.layout, shown, "display")

    # --- flow ------------------------------------------------------------------------

    def _build_flow(self) -> None:
        self.screen_state = widgets.HTML()
        self.show_waiting = self.wire(
            widgets.Button(description=_("Waiting screen"), icon="pause"),
            lambda: self.store.show(self.need_meeting(), Screen.WAITING),
        )
        self.show_intake = self.wire(
            widgets.Button(description=_("Collect challenges"), icon="pencil"),
            lambda: self.store.show(self.need_meeting(), Screen.INTAKE),
        )
        self.timer_minutes = widgets.BoundedIntText(
            value=5, min=1, max=240, description=_("Minutes"), layout={"width": "180px"}
        )
        self.start_timer = self.wire(
            widgets.Button(description=_("Start timer"), icon="clock-o"),
            lambda: self.store.start_timer(self.need_meeting(), self.timer_minutes.value * 60),
        )
        self.stop_timer = self.wire(
            widgets.Button(description=_("Stop timer"), icon="stop"),
            lambda: self.store.stop_timer(self.need_meeting()),
        )
        self.agenda = widgets.HTML()
        self.agenda_title = widgets.Text(
            placeholder=_("Agenda item, e.g. Dot-voting on the topics"),
            layout={"width": "min(100%, 420px)"},
        )
        self.agenda_start = widgets.TimePicker(description=_("Starts"), step=60)
        self.agenda_minutes = widgets.BoundedIntText(
            value=30, min=0, max=600, description=_("Minutes"), layout={"width": "180px"}
        )
        self.add_agenda = self.wire(
            widgets.Button(description=_("Add to the agenda"), icon="plus"), self.add_agenda_item
        )
        row = {"flex_flow": "row wrap", "align_items": "center"}
        self.flow.children = [
            self.screen_state,
            widgets.HBox([self.show_waiting, self.show_intake], layout=row),
            widgets.HBox([self.timer_minutes, self.start_timer, self.stop_timer], layout=row),
            self.agenda,
            widgets.HBox(
                [self.agenda_title, self.agenda_start, self.agenda_minutes, self.add_agenda],
                layout=row,
            ),
        ]

    def add_agenda_item(self) -> None:
        """Append the item typed into the form to the meeting's agenda."""
        self.store.add_agenda_item(
            self.need_meeting(),
            self.agenda_title.value,
            starts_at=self.agenda_start.value,
            minutes=self.agenda_minutes.value or None,
        )
        self.agenda_title.value = ""

    def _refresh_flow(self, live: LiveState) -> None:
        shown = _("Participants see: {screen}").format(screen=_(SCREEN_WORDS[live.screen]))
        set_if_changed(self.screen_state, f'<div class="fac-card">{esc(shown)}</div>')
        items = self.store.agenda(self.meeting_id)
        rows = "".join(
            "<tr><td>"
            + (item.starts_at.strftime("%H:%M") if item.starts_at else "")
            + "</td><td>"
            + esc(item.title)
            + "</td><td>"
            + (esc(_("{n} min").format(n=item.minutes)) if item.minutes else "")
            + "</td></tr>"
            for item in items
        )
        heading = esc(_("Agenda"))
        empty = esc(_("No agenda yet: add its items below."))
        table = (
            f'<table class="fac-table">{rows}</table>'
            if items
            else f'<p class="fac-muted">{empty}</p>'
        )
        set_if_changed(self.agenda, f"<h2>{heading}</h2>{table}")

    # --- participants -------------------------------------------------------------------

    def _build_people(self) -> None:
        label = {"description_width": "7.5em"}
        field = {"width": "min(100%, 420px)"}
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
        self.add_person = self.wire(
            widgets.Button(description=_("Register and create link"), button_style="primary"),
            self.register_participant,
        )
        self.join_state = widgets.HTML()
        self.open_join = self.wire(
            widgets.Button(description=_("Open event: show a join code")),
            lambda: self.store.open_join(self.need_meeting()),
        )
        self.close_join = self.wire(
            widgets.Button(description=_("Close joining")),
            lambda: self.store.close_join(self.need_meeting()),
        )
        self.people_table = widgets.HTML()
        self.sheet = widgets.HTML()
        self.make_sheet = self.wire(
            widgets.Button(description=_("Sheet of personal links (print)"), icon="print"),
            self.link_sheet,
        )
        wide = {"description_width": "initial"}
        self.known = widgets.SelectMultiple(
            description=_("From earlier meetings"),
            rows=6,
            style=wide,
            layout={"width": "min(100%, 560px)"},
        )
        self.register_known = self.wire(
            widgets.Button(description=_("Register the selected for this meeting")),
            self.register_selected,
        )
        self.person_choice = widgets.Dropdown(
            description=_("Participant"), style=wide, layout={"width": "min(100%, 420px)"}
        )
        self.new_link = self.wire(
            widgets.Button(description=_("New personal link (the old one stops working)")),
            self.renew_link,
        )
        self.remove_person = self.wire(
            widgets.Button(description=_("Remove from this meeting"), button_style="warning"),
            lambda: self.store.unregister(self.need_meeting(), self._chosen_person()),
        )
        invite = esc(_("Invite a participant"))
        again = esc(_("Participants of earlier meetings"))
        manage = esc(_("Links and registration"))
        row = {"flex_flow": "row wrap", "align_items": "center"}
        self.people.children = [
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
            self.join_state,
            widgets.HBox([self.open_join, self.close_join], layout=row),
            self.people_table,
            widgets.HTML(f"<h2>{manage}</h2>"),
            widgets.HBox([self.person_choice, self.new_link, self.remove_person], layout=row),
            self.make_sheet,
            self.sheet,
        ]

    @staticmethod
    def _person_label(person: Any, towns: dict[int, str]) -> str:
        town = towns.get(person.municipality_id, "")
        return f"{person.name} ({town})" if town else person.name

    def register_selected(self) -> None:
        """Register participants of earlier meetings for this one (their links stay valid)."""
        meeting_id = self.need_meeting()
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
        meeting_id = self.need_meeting()
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
        base = self.join_url or "/"
        return f"{base}?p={token}"

    def link_sheet(self) -> None:
        """A printable sheet: one personal link with its QR code per participant."""
        meeting_id = self.need_meeting()
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
        return voting.round_in_play(self.store.vote_rounds(self.meeting_id), shown)

    def _refresh_people(self, live: LiveState) -> None:
        round_id = self._round_in_play(live)
        towns = self.store.municipalities()
        options = [("", None)] + [(m.name, m.id) for m in towns]
        if list(self.person_town.options) != options:
            self.person_town.options = options
        names = {m.id: m.name for m in towns}
        meeting_id = self.meeting_id
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
        set_if_changed(self.known.layout, "" if known else "none", "display")
        set_if_changed(self.register_known.layout, "" if known else "none", "display")
        choices = [(self._person_label(p, names), p.id) for p in here]
        set_options(self.person_choice, choices)
        seen = self.store.seen(meeting_id)
        held = self.store.dots_per_participant(round_id) if round_id else {}
        total = self.store.vote_round(round_id).dots_per_person if round_id else 0
        links = self.store.personal_links(meeting_id)
        header = "".join(
            f"<th>{esc(h)}</th>"
            for h in (_("Name"), _("Municipality"), _("Joined"), _("Dots left"), _("Personal link"))
        )
        rows = []
        for person in here:
            joined = "✓" if person.id in seen else "–"
            left = str(total - held.get(person.id, 0)) if round_id else ""
            url = self.personal_url(links[person.id])
            town = names.get(person.municipality_id, "")
            rows.append(
                f"<tr><td>{esc(person.name)}</td><td>{esc(town)}</td>"
                f"<td>{joined}</td><td>{left}</td><td><code>{esc(url)}</code></td></tr>"
            )
        set_if_changed(
            self.people_table, f'<table class="fac-table"><tr>{header}</tr>{"".join(rows)}</table>'
        )

    # --- everything -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Bring the page and every tab up to date with the store."""
        self._refresh(every_tab=True)

    def refresh_visible(self) -> None:
        """Bring the page and the tab in view up to date (what the live loop calls)."""
        self._refresh(every_tab=False)

    def _refresh(self, *, every_tab: bool) -> None:
        self._set_meeting_options()
        self._refresh_live_state()
        if self.meeting_id is None:
            self.message.value = (
                '<div class="fac-card">' + esc(_("Choose or add a meeting to start.")) + "</div>"
            )
            return
        live = self.store.live(self.meeting_id)
        self.countdown.ends_at = timer_ms(live.timer_ends_at)
        selected = self.tabs.selected_index or 0
        if every_tab or selected == 0:
            self._refresh_flow(live)
        if every_tab or selected == 1:
            self._refresh_people(live)
        for index, part in enumerate(self.parts, start=2):
            if every_tab or selected == index:
                part.refresh(live)
