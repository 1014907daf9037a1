"""The facilitator's flow tab: what participants and the wall show, the timer, the agenda."""

from __future__ import annotations

import ipywidgets as widgets

from ..i18n import N_, _
from ..models import SCREEN_WORDS, LiveState, Screen
from ._common import esc
from ._parts import FacilitatorTab, Part, set_if_changed

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
        self.agenda = widgets.HTML()
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
            self.agenda,
            widgets.HBox(
                [self.agenda_title, self.agenda_start, self.agenda_minutes, self.add_agenda],
                layout=row,
            ),
        ]

    def toggle_intake_ahead(self) -> None:
        """Open the intake ahead of the meeting, or close it."""
        meeting_id = self.page.need_meeting()
        live = self.store.live(meeting_id)
        self.store.set_intake_ahead(meeting_id, not live.intake_ahead)

    def add_agenda_item(self) -> None:
        """Append the item typed into the form to the meeting's agenda."""
        self.store.add_agenda_item(
            self.page.need_meeting(),
            self.agenda_title.value,
            starts_at=self.agenda_start.value,
            minutes=self.agenda_minutes.value or None,
        )
        self.agenda_title.value = ""

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
        items = self.store.agenda(live.meeting_id)
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


PART = Part(facilitator=FlowTab)
