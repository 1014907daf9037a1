"""The facilitator's controls: run the meeting from one's own screen.

Tabs: the flow (what participants and the wall show, the timer), participants
(invited with personal links, or an open event with a join code), and one tab
per live part (:class:`~facilitation.ui._parts.FacilitatorTab`: challenges and
topics, dot-voting, ...). Every action goes through the store, which checks
its rules; a refusal becomes a message and changes nothing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from .._exceptions import NoMeetingChosen
from ..i18n import _, current_language
from ..serve import ServerLoad, server_load
from ..store import EVERYTHING, Changes, Store
from ..templates import TEMPLATES
from ._common import esc
from ._connection import Connection
from ._front import Countdown
from ._live import LiveLoop
from ._messages import MessageLine
from ._parts import FacilitatorTab, act, part_classes, set_if_changed, set_options, show
from ._style import header_row, style_sheet
from ._views import timer_ms
from .tables import TemplateTables

__all__ = ["FacilitatorApp", "load_text"]

LOAD_S = 10.0  # how often the line on the open pages is brought up to date


def load_text(load: list[ServerLoad]) -> str:
    """The line on the pages open and the memory they hold ("" without servers to report).

    >>> from facilitation.i18n import language
    >>> with language("en"):
    ...     text = load_text([ServerLoad("participant", 5, 7, 500 * 2**20, 24),
    ...                       ServerLoad("facilitator", 1, 1, 70 * 2**20, 10)])
    >>> text.removeprefix("Open pages: ")
    'participants 5 (at most 24), facilitator 1, projector 0; their kernels hold 570 MB.'
    """
    if not load:
        return ""
    participants = [entry for entry in load if entry.name.startswith("participant")]
    by_name = {entry.name: entry.pages for entry in load}
    return _(
        "Open pages: participants {participants} (at most {at_most}), facilitator "
        "{facilitator}, projector {projector}; their kernels hold {memory} MB."
    ).format(
        participants=sum(entry.pages for entry in participants),
        at_most=sum(entry.at_most for entry in participants),
        facilitator=by_name.get("facilitator", 0),
        projector=by_name.get("projector", 0),
        memory=round(sum(entry.memory for entry in load) / 2**20),
    )


class FacilitatorApp:
    """The facilitator's page. ``widget`` is what the notebook displays."""

    def __init__(self, store: Store, *, join_url: str | None = None, live: bool = True) -> None:
        self.store = store
        self.join_url = (
            join_url if join_url is not None else os.environ.get("FACILITATION_JOIN_URL", "")
        )
        self.message = MessageLine()
        self.connection = Connection(self.refresh)
        self.hint = widgets.HTML(
            '<div class="fac-card">'
            + esc(
                _(
                    "Add your first meeting: choose a template (it prepares the agenda and "
                    "the live parts), give it a title and a date if you like, and click "
                    "“Add meeting”. Then invite the participants on the tab Participants, "
                    "from the town hall's list."
                )
            )
            + "</div>"
        )
        self.countdown = Countdown()
        # One click gives the running countdown more time (and what runs on it: see add_time).
        self.more_time = [
            self.wire(
                widgets.Button(
                    description=_("+{n} min").format(n=n), tooltip=_("More time"),
                    layout={"width": "auto"},
                ),
                lambda n=n: self.store.add_time(self.need_meeting(), n * 60),
            )
            for n in (1, 5)
        ]  # fmt: skip
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
        self._quiet = False  # while the chooser's options change: no refresh of its own
        self.meeting.observe(lambda _c: None if self._quiet else self.refresh(), "value")
        self.new_meeting = self._build_new_meeting(bool(meetings))
        self.live_state = widgets.HTML()
        self.load = widgets.HTML()  # pages open and their memory, when served
        self.make_live = self.wire(
            widgets.Button(description=_("Put this meeting on the screens"), icon="television"),
            lambda: self.store.set_current_meeting(self.need_meeting()),
        )

        self.parts: list[FacilitatorTab] = [cls(self) for cls in part_classes("facilitator")]
        self.tabs = widgets.Tab(children=[t.widget for t in self.parts])
        for index, part in enumerate(self.parts):
            self.tabs.set_title(index, _(part.title))
        # The live loop refreshes the tab in view; another tab is brought up to date when chosen.
        self.tabs.observe(lambda _c: self.refresh(), "selected_index")
        clock = widgets.HBox([self.countdown, *self.more_time], layout={"align_items": "center"})
        header = header_row(widgets.HTML(f"<h1>{esc(store.info().title)}</h1>"), clock)
        self.widget = widgets.VBox(
            [
                style_sheet(),
                self.connection,
                header,
                widgets.HBox(
                    [self.meeting, self.live_state, self.make_live],
                    layout={"flex_flow": "row wrap", "align_items": "center"},
                ),
                self.hint,
                self.new_meeting,
                self.message,
                self.tabs,
                self.load,
            ]
        )
        self.widget.add_class("fac-root")
        self.widget.add_class("fac-controls")
        if current is None and self.meeting_id is not None:
            store.set_current_meeting(self.meeting_id)
        self.refresh()
        self._loop = LiveLoop(store, self.refresh_visible, keep_time=True).start() if live else None
        self._show_load()
        if live:
            threading.Thread(target=self._watch_load, name="facilitation-load", daemon=True).start()

    def _show_load(self) -> None:
        text = load_text(server_load())
        set_if_changed(self.load, f'<div class="fac-muted">{esc(text)}</div>' if text else "")

    def _watch_load(self) -> None:
        while not threading.Event().wait(LOAD_S):
            try:
                self._show_load()
            except Exception:  # the line must never stop the page
                continue

    def tab(self, cls: type[FacilitatorTab] | str) -> FacilitatorTab:
        """The tab of a live part, by class or by the name of its module (``"voting"``)."""
        for part in self.parts:
            module = part.__class__.__module__.removeprefix(f"{__package__}.").split(".")[0]
            if part.__class__ is cls or module == cls:
                return part
        raise KeyError(cls)

    def _build_new_meeting(self, any_meeting: bool) -> widgets.Accordion:
        """The form for a new meeting: a template, a title, a date, what to take over."""
        wide = {"description_width": "initial"}
        self.new_meeting_template = widgets.Dropdown(
            description=_("Template"),
            options=[(_("No template"), "")] + [(_(t.name), t.key) for t in TEMPLATES.values()],
            style=wide,
            layout={"width": "min(100%, 460px)"},
        )
        self.new_meeting_title = widgets.Text(
            description=_("Title"),
            placeholder=_("Title of a new meeting"),
            style=wide,
            layout={"width": "min(100%, 460px)"},
        )
        self.new_meeting_date = widgets.DatePicker(description=_("Date"), style=wide)
        self.new_meeting_place = widgets.Text(
            description=_("Place"), style=wide, layout={"width": "min(100%, 460px)"}
        )
        # The template's cases: their titles asked for, no "Case 1" placeholders.
        self.new_meeting_cases = widgets.VBox()
        self.new_meeting_copy = widgets.Dropdown(
            description=_("Take over from"),
            options=[(_("no earlier meeting"), 0)],
            style=wide,
            layout={"width": "min(100%, 560px)"},
        )
        self.new_meeting_copy_agenda = widgets.Checkbox(
            value=True, description=_("its agenda"), indent=False, layout={"width": "auto"}
        )
        self.new_meeting_copy_people = widgets.Checkbox(
            value=True, description=_("its participants"), indent=False, layout={"width": "auto"}
        )
        self.new_meeting_copy_note = widgets.HTML()
        for box in (self.new_meeting_copy, self.new_meeting_copy_agenda):
            box.observe(lambda _c: self._describe_copy(), "value")
        self.new_meeting_about = widgets.HTML()
        self.new_meeting_tables = TemplateTables()  # the themes the template asks for
        self.new_meeting_template.observe(lambda _c: self._describe_template(), "value")
        self.new_meeting_button = self.wire(
            widgets.Button(description=_("Add meeting"), icon="plus", button_style="primary"),
            self.add_meeting,
        )
        row = {"flex_flow": "row wrap", "align_items": "center"}
        form = widgets.VBox(
            [
                widgets.HBox([self.new_meeting_template, self.new_meeting_title], layout=row),
                self.new_meeting_about,
                self.new_meeting_tables.widget,
                self.new_meeting_cases,
                widgets.HBox([self.new_meeting_date, self.new_meeting_place], layout=row),
                widgets.HBox(
                    [
                        self.new_meeting_copy,
                        self.new_meeting_copy_agenda,
                        self.new_meeting_copy_people,
                    ],
                    layout=row,
                ),
                self.new_meeting_copy_note,
                self.new_meeting_button,
            ]
        )
        box = widgets.Accordion(children=[form], selected_index=None if any_meeting else 0)
        box.set_title(0, _("New meeting"))
        return box

    # --- helpers -----------------------------------------------------------------

    @staticmethod
    def _meeting_label(meeting: Any) -> str:
        date = meeting.date.strftime("%d.%m.%Y") + " · " if meeting.date else ""
        return f"{date}{meeting.title}"

    def act(self, action: Callable[[], Any], done: str | None = None) -> Any:
        """Run an action (see :func:`~facilitation.ui._parts.act`): a refusal becomes a
        message and changes nothing."""
        return act(self, action, done)

    def say_error(self, text: str) -> None:
        self.message.say_error(text)

    def say_ok(self, text: str) -> None:
        self.message.say_ok(text)

    def clear_message(self) -> None:
        self.message.clear()

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
        """Add a meeting, prepared from the chosen template and earlier meeting, and work on
        it (it goes on the screens only if none is there yet)."""
        key = self.new_meeting_template.value
        meeting = self.store.prepare_meeting(
            self.new_meeting_title.value,
            template=key or None,
            date=self.new_meeting_date.value,
            place=self.new_meeting_place.value,
            copy_from=self.new_meeting_copy.value or None,
            copy_agenda=self.new_meeting_copy_agenda.value,
            copy_participants=self.new_meeting_copy_people.value,
            case_titles=[box.value for box in self.new_meeting_cases.children] if key else None,
            lang=current_language(),
            **self.new_meeting_tables.values(),
        )
        self.new_meeting_tables.clear()
        self.new_meeting_title.value = self.new_meeting_place.value = ""
        self.new_meeting_date.value = None
        self.new_meeting_template.value = ""
        self.new_meeting_copy.value = 0
        self.new_meeting.selected_index = None  # folded away: the new meeting is in view
        self._set_meeting_options()
        self.meeting.value = meeting.id
        if self.store.current_meeting() is None:
            self.store.set_current_meeting(meeting.id)

    def _set_meeting_options(self) -> None:
        """The meetings in the chooser, keeping the one chosen (the newest if none was)."""
        options = [(self._meeting_label(m), m.id) for m in self.store.meetings()]
        self._quiet = True  # the caller refreshes for the meeting chosen in the end
        try:
            set_options(self.meeting, options, fallback="last")
        finally:
            self._quiet = False
        set_options(self.new_meeting_copy, [(_("no earlier meeting"), 0), *options])
        show(self.new_meeting_copy, bool(options))
        self._describe_copy()
        show(self.meeting, bool(options))

    def _describe_template(self) -> None:
        """The template's description, a field for each of its cases, and (as the
        template gives an agenda) the earlier meeting's agenda no longer ticked."""
        key = self.new_meeting_template.value
        text = _(TEMPLATES[key].description) if key else ""
        self.new_meeting_tables.show_for(TEMPLATES[key] if key else None)
        set_if_changed(self.new_meeting_about, f'<div class="fac-muted">{esc(text)}</div>')
        cases = TEMPLATES[key].consultations if key else ()
        self.new_meeting_cases.children = [
            widgets.Text(
                description=_("Case {number}").format(number=number) if len(cases) > 1
                else _("Case"),
                placeholder=_("Title of the case, e.g. Vacant inn on the market square"),
                style={"description_width": "initial"},
                layout={"width": "min(100%, 560px)"},
            )
            for number, _case in enumerate(cases, 1)
        ]  # fmt: skip
        if cases:
            hint = _(
                "Give each case its title if you know it; a case left empty is not prepared "
                "(add it later on the tab Collegial consultation)."
            )
            self.new_meeting_cases.children += (
                widgets.HTML(f'<div class="fac-muted">{esc(hint)}</div>'),
            )
        self.new_meeting_copy_agenda.value = not key
        self._describe_copy()

    def _describe_copy(self) -> None:
        """Say where the new meeting's agenda comes from."""
        key = self.new_meeting_template.value
        source = self.new_meeting_copy.value
        show(self.new_meeting_copy_agenda, bool(source))
        show(self.new_meeting_copy_people, bool(source))
        if source and self.new_meeting_copy_agenda.value:
            label = next(
                (lbl for lbl, value in self.new_meeting_copy.options if value == source), ""
            )
            text = (
                _("The agenda is taken over from {meeting}, instead of the template's.")
                if key
                else _("The agenda is taken over from {meeting}.")
            ).format(meeting=label)
        elif key:
            text = _("The agenda comes from the template.")
        else:
            text = ""
        set_if_changed(self.new_meeting_copy_note, f'<div class="fac-muted">{esc(text)}</div>')

    def _refresh_live_state(self) -> None:
        current = self.store.current_meeting()
        if current is None and self.meeting_id is None:  # nothing yet to put on the screens
            set_if_changed(self.live_state, "")
            show(self.make_live, False)
            return
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
        show(self.make_live, current is None or current.id != self.meeting_id)

    # --- everything -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Bring the page and every tab up to date with the store."""
        self._refresh(every_tab=True)

    def refresh_visible(self, _changes: Changes = EVERYTHING) -> None:
        """Bring the page and the tab in view up to date (what the live loop calls, after
        any change: the facilitator's page shows almost everything)."""
        self._refresh(every_tab=False)

    def _refresh(self, *, every_tab: bool) -> None:
        self._set_meeting_options()
        # A message belongs to the meeting and the tab it was said on.
        self.message.enter((self.meeting_id, self.tabs.selected_index or 0))
        self._refresh_live_state()
        show(self.hint, self.meeting_id is None)
        show(self.tabs, self.meeting_id is not None)
        if self.meeting_id is None:
            return
        live = self.store.live(self.meeting_id)
        self.countdown.ends_at = timer_ms(live.timer_ends_at)
        for button in self.more_time:
            show(button, live.timer_ends_at is not None)
        selected = self.tabs.selected_index or 0
        for index, part in enumerate(self.parts):
            if every_tab or selected == index:
                part.refresh(live)
