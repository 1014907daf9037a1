"""The facilitator's flow tab: what participants and the wall show, the timer, the meeting's
title, date and place, and its agenda (added, changed, moved, deleted, hidden)."""

from __future__ import annotations

import ipywidgets as widgets

from ..i18n import N_, _
from ..models import SCREEN_WORDS, AgendaItem, LiveState, PreparedKind, Screen
from ._common import esc
from ._parts import FacilitatorTab, Part, set_if_changed, set_options
from ._prepared import Corrections

__all__ = ["PART", "FlowTab"]


class FlowTab(FacilitatorTab):
    """Waiting screen or intake on every page, the countdown, and the meeting's agenda."""

    title = N_("Flow")

    def build(self) -> None:
        page = self.page
        self.screen_state = widgets.HTML()
        self.show_waiting = page.wire(
            widgets.Button(description=_("Waiting screen"), icon="pause"),
            lambda: self.store.show(page.need_meeting(), Screen.WAITING),
        )
        self.show_intake = page.wire(
            widgets.Button(description=_("Collect challenges"), icon="pencil"),
            lambda: self.store.show(page.need_meeting(), Screen.INTAKE),
        )
        self.ahead = page.wire(
            widgets.Button(icon="inbox", layout={"width": "auto"}), self.toggle_intake_ahead
        )
        self.ahead_state = widgets.HTML()
        self.timer_minutes = widgets.BoundedIntText(
            value=5, min=1, max=240, description=_("Minutes"), layout={"width": "180px"}
        )
        self.start_timer = page.wire(
            widgets.Button(description=_("Start timer"), icon="clock-o"),
            lambda: self.store.start_timer(page.need_meeting(), self.timer_minutes.value * 60),
        )
        self.stop_timer = page.wire(
            widgets.Button(description=_("Stop timer"), icon="stop"),
            lambda: self.store.stop_timer(page.need_meeting()),
        )
        wide = {"description_width": "initial"}
        self.meeting_title = widgets.Text(
            description=_("Title"), style=wide, layout={"width": "min(100%, 420px)"}
        )
        self.meeting_date = widgets.DatePicker(description=_("Date"), style=wide)
        self.meeting_place = widgets.Text(
            description=_("Place"),
            placeholder=_("e.g. Town hall Zittau, council chamber"),
            style=wide,
            layout={"width": "min(100%, 420px)"},
        )
        self.save_meeting = page.wire(
            widgets.Button(description=_("Save the meeting's details"), icon="check"),
            self.update_meeting,
        )
        self._meeting_shown: int | None = None
        self._items: dict[int, AgendaItem] = {}
        self.agenda = widgets.HTML()
        self.agenda_choice = widgets.Dropdown(
            description=_("Agenda item"), options=[(_("– a new item –"), 0)], value=0,
            style=wide, layout={"width": "min(100%, 420px)"},
        )  # fmt: skip
        self.agenda_choice.observe(lambda _c: self._fill_agenda_form(), "value")
        self.agenda_up = page.wire(
            widgets.Button(icon="arrow-up", tooltip=_("Earlier"), layout={"width": "44px"}),
            lambda: self.move_agenda_item(-1),
        )
        self.agenda_down = page.wire(
            widgets.Button(icon="arrow-down", tooltip=_("Later"), layout={"width": "44px"}),
            lambda: self.move_agenda_item(1),
        )
        self.agenda_corrections = Corrections(
            page, PreparedKind.AGENDA_ITEM, lambda: self.agenda_choice.value or None,
            rename=None, delete=self.store.delete_agenda_item, what=_("agenda item"),
        )  # fmt: skip
        self.agenda_title = widgets.Text(
            placeholder=_("Agenda item, e.g. Dot-voting on the topics"),
            layout={"width": "min(100%, 420px)"},
        )
        self.agenda_start = widgets.TimePicker(description=_("Starts"), step=60)
        self.agenda_minutes = widgets.BoundedIntText(
            value=30, min=0, max=600, description=_("Minutes"), layout={"width": "180px"}
        )
        self.add_agenda = page.wire(
            widgets.Button(description=_("Add to the agenda"), icon="plus"), self.add_agenda_item
        )
        row = {"flex_flow": "row wrap", "align_items": "center"}
        self.widget.children = [
            self.screen_state,
            widgets.HBox([self.show_waiting, self.show_intake], layout=row),
            widgets.HBox([self.ahead, self.ahead_state], layout=row),
            widgets.HBox([self.timer_minutes, self.start_timer, self.stop_timer], layout=row),
            widgets.HTML("<h2>" + esc(_("The meeting")) + "</h2>"),
            widgets.HBox([self.meeting_title, self.meeting_date], layout=row),
            widgets.HBox([self.meeting_place, self.save_meeting], layout=row),
            self.agenda,
            widgets.HBox(
                [self.agenda_choice, self.agenda_up, self.agenda_down,
                 self.agenda_corrections.widget],
                layout=row,
            ),
            widgets.HBox(
                [self.agenda_title, self.agenda_start, self.agenda_minutes, self.add_agenda],
                layout=row,
            ),
        ]  # fmt: skip

    def toggle_intake_ahead(self) -> None:
        """Open the intake ahead of the meeting, or close it."""
        meeting_id = self.page.need_meeting()
        live = self.store.live(meeting_id)
        self.store.set_intake_ahead(meeting_id, not live.intake_ahead)

    def update_meeting(self) -> None:
        """Save the meeting's title, date and place as typed."""
        self.store.update_meeting(
            self.page.need_meeting(),
            title=self.meeting_title.value,
            date=self.meeting_date.value,
            place=self.meeting_place.value,
        )

    def add_agenda_item(self) -> None:
        """Append the item typed into the form to the meeting's agenda, or save the chosen
        item with what the form says."""
        values = {
            "starts_at": self.agenda_start.value,
            "minutes": self.agenda_minutes.value or None,
        }
        if self.agenda_choice.value:
            self.store.update_agenda_item(
                self.agenda_choice.value, title=self.agenda_title.value, **values
            )
            return
        self.store.add_agenda_item(self.page.need_meeting(), self.agenda_title.value, **values)
        self.agenda_title.value = ""

    def move_agenda_item(self, steps: int) -> None:
        if self.agenda_choice.value:
            self.store.move_agenda_item(self.agenda_choice.value, steps)

    def _fill_agenda_form(self) -> None:
        """The chosen item's title and times in the form (empty for a new item)."""
        chosen = self._items.get(self.agenda_choice.value)
        self.agenda_title.value = chosen.title if chosen else ""
        self.agenda_start.value = chosen.starts_at if chosen else None
        self.agenda_minutes.value = (chosen.minutes or 0) if chosen else 30
        label = _("Save the item") if chosen else _("Add to the agenda")
        set_if_changed(self.add_agenda, label, "description")
        for button in (self.agenda_up, self.agenda_down):
            set_if_changed(button, chosen is None, "disabled")

    def refresh(self, live: LiveState) -> None:
        shown = _("Participants see: {screen}").format(screen=_(SCREEN_WORDS[live.screen]))
        set_if_changed(self.screen_state, f'<div class="fac-card">{esc(shown)}</div>')
        if live.intake_ahead:
            label = _("Close the intake ahead")
            state = _("Participants submit challenges from their links while they wait.")
        else:
            label = _("Open the intake ahead of the meeting")
            state = _("For the 'Interessenbekundung': challenges from home, before the meeting.")
        set_if_changed(self.ahead, label, "description")
        set_if_changed(self.ahead_state, f'<span class="fac-muted">{esc(state)}</span>')
        self._refresh_meeting()
        items = self.store.agenda(self.page.meeting_id)
        hidden = self.store.hidden(self.page.meeting_id)[PreparedKind.AGENDA_ITEM]
        self._items = {item.id: item for item in items}
        set_options(
            self.agenda_choice,
            [(_("– a new item –"), 0)] + [(_label(item), item.id) for item in items],
        )
        chosen = self._items.get(self.agenda_choice.value)
        self.agenda_corrections.update(chosen.title if chosen else None, hidden)
        rows = "".join(
            "<tr><td>"
            + (item.starts_at.strftime("%H:%M") if item.starts_at else "")
            + "</td><td>"
            + esc(item.title)
            + "</td><td>"
            + (esc(_("{n} min").format(n=item.minutes)) if item.minutes else "")
            + "</td><td>"
            + (esc(_("hidden from the protocol")) if item.id in hidden else "")
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

    def _refresh_meeting(self) -> None:
        """The meeting's title, date and place in their fields when another meeting is
        chosen (never over what the facilitator is typing)."""
        meeting_id = self.page.meeting_id
        if meeting_id == self._meeting_shown:
            return
        meeting = self.store.meeting(meeting_id)
        self.meeting_title.value = meeting.title
        self.meeting_date.value = meeting.date
        self.meeting_place.value = meeting.place
        self._meeting_shown = meeting_id


def _label(item: AgendaItem) -> str:
    when = item.starts_at.strftime("%H:%M") + " " if item.starts_at else ""
    return when + item.title


PART = Part(facilitator=FlowTab)
