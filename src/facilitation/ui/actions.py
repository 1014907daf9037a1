"""Actions followed up across meetings: the facilitator's tab for the "monitoring".

At the next meeting the facilitator goes through the actions still open from earlier
meetings — what, who, by when, where it came from — and keeps each report: a new status
and a note, with the meeting at which it was given. Actions agreed now (a consultation's
next steps, a table's agreements) are listed too, and actions can be entered directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ipywidgets as widgets

from .. import actions as follow_up
from ..i18n import N_, _, ngettext
from ..models import (
    ACTION_ORIGIN_WORDS,
    ACTION_STATUS_WORDS,
    ActionItem,
    ActionStatus,
    ActionUpdate,
    LiveState,
)
from ._common import esc
from ._parts import FacilitatorTab, Part, set_if_changed, set_options

__all__ = ["PART"]

_VIEWS = (
    ("review", N_("To go through at this meeting")),
    ("open", N_("All open")),
    ("all", N_("All")),
)


class _Row:
    """One action with the controls to report on it."""

    def __init__(self, tab: ActionsTab, action_id: int) -> None:
        self.action_id = action_id
        self.info = widgets.HTML(layout={"flex": "1 1 320px"})
        self.status = widgets.Dropdown(
            options=[(_(ACTION_STATUS_WORDS[s]), s.value) for s in ActionStatus],
            layout={"width": "150px"},
        )
        self.note = widgets.Text(
            placeholder=_("What was reported"), layout={"width": "min(100%, 300px)"}
        )
        self.save = tab.page.wire(
            widgets.Button(description=_("Keep report"), icon="check"),
            lambda: tab.report(self),
        )
        controls = widgets.HBox(
            [self.status, self.note, self.save], layout={"flex_flow": "row wrap"}
        )
        self.widget = widgets.HBox(
            [self.info, controls], layout={"flex_flow": "row wrap", "align_items": "center"}
        )
        self.widget.add_class("fac-card")
        self.shown_status: str | None = None


class ActionsTab(FacilitatorTab):
    """Open actions of every meeting with owner, due date and status; reports; new actions."""

    title = N_("Actions")

    def build(self) -> None:
        page = self.page
        wide = {"description_width": "initial"}
        row = {"flex_flow": "row wrap", "align_items": "center"}
        self.summary = widgets.HTML()
        self.view = widgets.ToggleButtons(
            options=[(_(label), key) for key, label in _VIEWS],
            value="review",
            style={"button_width": "auto"},
        )
        self.view.observe(lambda _c: self.page.refresh(), "value")
        self.rows: dict[int, _Row] = {}
        self.listing = widgets.VBox()
        self.empty = widgets.HTML()
        self.title_input = widgets.Text(
            placeholder=_("What is to be done?"), layout={"width": "min(100%, 560px)"}
        )
        self.owner = widgets.Dropdown(description=_("Who"), options=[("", None)], style=wide)
        self.due = widgets.DatePicker(description=_("By when"), style=wide)
        self.notes = widgets.Text(
            placeholder=_("Notes (optional)"), layout={"width": "min(100%, 560px)"}
        )
        self.add = page.wire(
            widgets.Button(description=_("Add action"), button_style="primary"), self.add_action
        )
        heading = esc(_("Enter an action directly"))
        self.widget.children = [
            self.summary,
            self.view,
            self.empty,
            self.listing,
            widgets.HTML(f"<h2>{heading}</h2>"),
            self.title_input,
            widgets.HBox([self.owner, self.due], layout=row),
            self.notes,
            self.add,
        ]

    def add_action(self) -> None:
        self.store.add_action(
            self.title_input.value,
            meeting_id=self.page.need_meeting(),
            owner_id=self.owner.value,
            due=self.due.value,
            notes=self.notes.value,
        )
        self.title_input.value = self.notes.value = ""
        self.due.value = None

    def report(self, row: _Row) -> None:
        """Keep what was reported on an action: its status and a note, at this meeting."""
        current = self.store.action(row.action_id)
        status = row.status.value if row.status.value != current.status.value else None
        self.store.update_action(
            row.action_id, status=status, note=row.note.value, meeting_id=self.page.need_meeting()
        )
        row.note.value = ""

    def refresh(self, live: LiveState) -> None:
        meeting_id = self.page.meeting_id
        meetings = self.store.meetings()
        meeting = next(m for m in meetings if m.id == meeting_id)
        actions = self.store.actions()
        updates = self.store.action_updates()
        today = dt.date.today()
        people = {p.id: p.name for p in self.store.participants()}
        owners = [("", None), *sorted(((n, i) for i, n in people.items()), key=lambda o: o[0])]
        set_options(self.owner, owners)
        review = follow_up.review(actions, updates, meeting, meetings, today)
        counts = follow_up.summary(actions, today)
        text = ngettext(
            "{total} action: {open} to do ({overdue} overdue), {in_progress} in progress, "
            "{done} done, {dropped} dropped. At this meeting {reviewed} of {due} open ones "
            "from earlier meetings have been gone through.",
            "{total} actions: {open} to do ({overdue} overdue), {in_progress} in progress, "
            "{done} done, {dropped} dropped. At this meeting {reviewed} of {due} open ones "
            "from earlier meetings have been gone through.",
            len(actions),
        ).format(total=len(actions), reviewed=len(review.reviewed), due=len(review.due), **counts)
        set_if_changed(self.summary, f'<div class="fac-card">{esc(text)}</div>')
        if self.view.value == "review":
            shown = [*review.due, *review.new]
        elif self.view.value == "open":
            shown = follow_up.review_order([a for a in actions if a.status.is_open], today)
        else:
            shown = follow_up.review_order(actions, today)
        titles = {m.id: m.title for m in meetings}
        history: dict[int, list[ActionUpdate]] = {}
        for update in updates:
            history.setdefault(update.action_id, []).append(update)
        for action in shown:
            row = self.rows.get(action.id)
            if row is None:
                row = self.rows[action.id] = _Row(self, action.id)
            self._fill(row, action, people, titles, history.get(action.id, []), today,
                       action.id in review.reviewed)  # fmt: skip
        wanted = tuple(self.rows[a.id].widget for a in shown)
        set_if_changed(self.listing, wanted, "children")
        none = esc(_("No actions here."))
        set_if_changed(self.empty, "" if shown else f'<div class="fac-muted">{none}</div>')

    @staticmethod
    def _fill(
        row: _Row,
        action: ActionItem,
        people: dict[int, str],
        titles: dict[int, str],
        history: Sequence[ActionUpdate],
        today: dt.date,
        reviewed: bool,
    ) -> None:
        owner = people.get(action.owner_id, "") if action.owner_id else ""
        facts = []
        if owner:
            facts.append(_("Who: {name}").format(name=owner))
        if action.due:
            due = _("by {date}").format(date=action.due.strftime("%d.%m.%Y"))
            facts.append(due)
        facts.append(_(ACTION_STATUS_WORDS[action.status]))
        origin = _(ACTION_ORIGIN_WORDS.get(action.origin, ACTION_ORIGIN_WORDS["direct"]))
        where = titles.get(action.meeting_id, "") if action.meeting_id else ""
        facts.append(origin + (" · " + where if where else ""))
        flags = ""
        if follow_up.is_overdue(action, today):
            late = esc(_("overdue"))
            flags += f' <span class="fac-overdue">{late}</span>'
        if reviewed:
            seen = esc(_("gone through at this meeting"))
            flags += f' <span class="fac-tag">{seen}</span>'
        reports = "".join(
            "<li>"
            + esc(
                update.at.astimezone().strftime("%d.%m.%Y")
                + " · "
                + _(ACTION_STATUS_WORDS[update.status])
                + (": " + update.note if update.note else "")
                + (" · " + titles[update.meeting_id] if update.meeting_id in titles else "")
            )
            + "</li>"
            for update in history
        )
        html = (
            f"<b>{esc(action.title)}</b>{flags}"
            f'<div class="fac-muted">{esc(" · ".join(facts))}</div>'
            + (f'<div class="fac-muted">{esc(action.notes)}</div>' if action.notes else "")
            + (f'<ul class="fac-history">{reports}</ul>' if reports else "")
        )
        set_if_changed(row.info, html)
        # Follow the store's status unless the facilitator is choosing a new one.
        if row.shown_status != action.status.value:
            row.status.value = action.status.value
            row.shown_status = action.status.value


PART = Part(facilitator=ActionsTab)
