"""The participant's page: one link per person, following what the facilitator opened.

The kernel learns who is on the page from the browser (:class:`Identity`),
checks the personal link against the store, and from then on acts only as
that participant. What the page may do is checked again in the store; a
forged widget message gets the same refusal as a real click. While a vote is
secret the page holds only this participant's own dots, never the tally.

The page owns what every screen shares (identity, header and countdown,
messages, joining, waiting, language); each live part adds its screen as a
:class:`~facilitation.ui._parts.ParticipantView`.
"""

from __future__ import annotations

import secrets

import ipywidgets as widgets

from .._exceptions import FacilitationError, RecordNotFound
from ..i18n import LANGUAGES, _, current_language, set_language
from ..models import LiveState, Meeting, Participant, Screen
from ..store import EVERYTHING, Changes, Store
from ._common import esc
from ._connection import Connection
from ._front import Countdown, Identity
from ._live import LiveLoop
from ._memory import release_memory
from ._messages import MessageLine
from ._parts import ParticipantView, part_classes, set_if_changed, set_options, show_only
from ._style import header_row, style_sheet
from ._views import timer_ms

__all__ = ["ParticipantApp"]

# The tables each thing the page shows comes from: re-read when one of them changed.
_PERSON = frozenset({"participant", "participant_link"})
_MEETING = frozenset({"workspace", "meeting"})
_HEADER = _PERSON | _MEETING | {"municipality"}
_REGISTERED = frozenset({"meeting_participant"})
_LIVE = frozenset({"meeting_live"})
_UNREAD = object()


class ParticipantApp:
    """The page of one participant. ``widget`` is what the notebook displays."""

    def __init__(self, store: Store, *, live: bool = True) -> None:
        self.store = store
        self.person: Participant | None = None
        self.token = ""
        self.meeting_id: int | None = None
        self._seen_in: int | None = None  # the meeting her presence was noted for
        # Who joins with a code from this page, for the store: it joins once (a double
        # click, or forged join messages, make one participant). Never sent to the browser.
        self._page_key = secrets.token_urlsafe(24)
        # What the last refresh read, kept until a change touches it (see refresh()).
        self._meeting: Meeting | object | None = _UNREAD
        self._header_for: int | object | None = _UNREAD
        self._registered: bool | None = None
        self._live: LiveState | None = None
        self.identity = Identity()
        self.countdown = Countdown()
        self.header = widgets.HTML()
        self.body = widgets.VBox()
        self.message = MessageLine()
        self.connection = Connection(self.refresh)
        self.waiting = widgets.HTML()
        self.join_form = widgets.VBox()
        self._make_join_form()
        self.views: list[ParticipantView] = [cls(self) for cls in part_classes("participant")]
        self._by_screen = {screen: view for view in self.views for screen in view.screens}
        self.language = widgets.ToggleButtons(
            options=[("DE", "de"), ("EN", "en")],
            value=current_language(),
            style={"button_width": "48px"},
        )
        self.language.observe(self._on_language, "value")
        # Every screen is built once and then only shown or hidden: a phase switch
        # sends a few small updates instead of new widgets to every page.
        self.sections = [self.waiting, self.join_form, *(v.widget for v in self.views)]
        self.body.children = [*self.sections, self.language]
        self.widget = widgets.VBox(
            [
                style_sheet(),
                self.connection,
                self.identity,
                header_row(self.header, self.countdown),
                self.message,
                self.body,
            ],
        )
        self.widget.add_class("fac-root")
        self._wait(_("Opening your page ..."))
        self.identity.observe(self._on_identity, "ready")
        # Thirty pages refreshing at once crowd the laptop: participants look twice a second.
        self._loop = LiveLoop(store, self.refresh, interval=0.5) if live else None

    def view(self, screen: Screen | str) -> ParticipantView:
        """The view that shows ``screen``."""
        return self._by_screen[Screen(screen)].ensure_built()

    # --- messages ------------------------------------------------------------------

    def say_error(self, text: str) -> None:
        self.message.say_error(text)

    def say_ok(self, text: str) -> None:
        self.message.say_ok(text)

    def clear_message(self) -> None:
        self.message.clear()

    # --- who is this -------------------------------------------------------------

    def _on_identity(self, change: dict) -> None:
        if change["new"]:
            self.identify(self.identity.token)

    def identify(self, token: str) -> None:
        """Take the page's personal link token; show the page of its participant, or say why not."""
        self.person = None
        if token:
            try:
                self.person = self.store.participant_for_link(token)
            except FacilitationError as error:
                self.identity.remember = "-"
                self._show_error(str(error))
                return
            self.identity.remember = token
        self.token = token
        self._seen_in = None
        self._meeting = self._header_for = _UNREAD
        meeting = self.store.current_meeting()
        self.meeting_id = meeting.id if meeting else None
        if self.person is None:
            self._build_join()
            return
        self.refresh()
        if self._loop is not None and not self._loop._thread.is_alive():
            self._loop.start()
            release_memory()  # starting and building the first screens freed a lot

    def _show_error(self, text: str) -> None:
        self.header.value = ""
        self.say_error(text)
        self.body.children = []

    # --- joining an open event ---------------------------------------------------

    def _make_join_form(self) -> None:
        """The join form's widgets, made with the page (hidden): a newcomer sees it at once."""
        label = {"description_width": "8em"}
        field = {"width": "min(100%, 460px)"}
        self.join_note = widgets.HTML()
        self.join_intro = widgets.HTML()
        self.join_code = widgets.Text(placeholder="ABC123", style=label, layout=field)
        self.join_name = widgets.Text(style=label, layout=field)
        self.join_role = widgets.Text(style=label, layout=field)
        self.join_town = widgets.Dropdown(options=self._towns(), style=label, layout=field)
        self.join_consent = widgets.Checkbox(indent=False)
        self.join_button = widgets.Button(button_style="primary")
        self.join_button.on_click(lambda _b: self.join())
        self._join_fields = [
            self.join_intro,
            self.join_code,
            self.join_name,
            self.join_role,
            self.join_town,
            self.join_consent,
            self.join_button,
        ]
        self._label_join_form()
        self.join_form.children = self._join_fields

    def _towns(self) -> list[tuple[str, int | None]]:
        return [("", None)] + [(m.name, m.id) for m in self.store.municipalities()]

    def _label_join_form(self) -> None:
        """The join form's words, in the page's language."""
        intro = esc(_("Enter the code shown on the projector and your name."))
        set_if_changed(self.join_intro, f"<p>{intro}</p>")
        set_if_changed(self.join_code, _("Join code"), "description")
        set_if_changed(self.join_name, _("Name"), "description")
        set_if_changed(self.join_role, _("Role"), "description")
        set_if_changed(self.join_role, _("e.g. mayor"), "placeholder")
        set_if_changed(self.join_town, _("Municipality"), "description")
        set_if_changed(self.join_consent, _("I agree to be named in the protocol"), "description")
        set_if_changed(self.join_button, _("Join"), "description")

    def _build_join(self) -> None:
        self.header.value = f"<h1>{esc(self.store.info().title)}</h1>"
        self.clear_message()
        live = self.store.live(self.meeting_id) if self.meeting_id else None
        if live is None or not live.join_code:
            text = _("Please open the personal link you received from the facilitator.")
            self.join_note.value = f'<div class="fac-card">{esc(text)}</div>'
            self.join_form.children = [self.join_note]
            self._show(self.join_form)
            return
        self._label_join_form()
        towns = self._towns()
        set_options(self.join_town, towns)
        if list(self.join_form.children) != self._join_fields:
            self.join_form.children = self._join_fields
        self._show(self.join_form)

    def join(self) -> None:
        """Join with the code and details typed into the join form.

        The button is off while the join is under way; a second click that arrives
        anyway (or a forged message) is the same join to the store, never a second person.
        """
        self.join_button.disabled = True
        try:
            person, token = self.store.join(
                self.join_code.value,
                self.join_name.value,
                role=self.join_role.value,
                municipality_id=self.join_town.value,
                consent_named=self.join_consent.value,
                page=self._page_key,
            )
        except FacilitationError as error:
            self.say_error(str(error))
            return
        finally:
            self.join_button.disabled = False
        self.identity.token = token
        self.identify(token)
        self.say_ok(
            _("Welcome, {name}! This page is now your personal link: bookmark it.").format(
                name=person.name
            )
        )

    # --- what the facilitator opened -------------------------------------------

    def refresh(self, changes: Changes = EVERYTHING) -> None:
        """Show what the facilitator has opened now, re-reading only what ``changes`` touch
        (the live loop passes what others changed; anything else refreshes it all)."""
        if self.person is None:
            return
        if changes.any_of(_PERSON):
            try:  # a link the facilitator revoked stops working on open pages too
                self.person = self.store.participant_for_link(self.token)
            except FacilitationError as error:
                self.person = None
                self.identity.remember = "-"
                self._show_error(str(error))
                return
        if changes.any_of(_MEETING) or self._meeting is _UNREAD:
            self._meeting = self.store.current_meeting()
            self._registered = self._live = None
        meeting = self._meeting
        self.meeting_id = meeting.id if meeting else None
        if changes.any_of(_HEADER) or self._header_for != self.meeting_id:
            self._set_header(meeting.title if meeting else None)
            self._header_for = self.meeting_id
        if meeting is None:
            self.message.enter(None)  # a message belongs to the screen it was said on
            self._wait(_("The facilitator will open the next step shortly."))
            return
        if self._registered is None or changes.any_of(_REGISTERED):
            self._registered = self.store.is_registered(meeting.id, self.person.id)
        if not self._registered:
            # Nothing of a meeting reaches someone who is not part of it.
            self.message.enter((meeting.id, None, None))
            self.countdown.ends_at = 0
            self._wait(
                _("You are not registered for this meeting. Please ask the facilitator to add you.")
            )
            return
        shown = self._live
        if shown is None or changes.any_of(_LIVE):
            self._live = self.store.live(meeting.id)
        live = self._live
        assert live is not None
        ahead = live.screen is Screen.WAITING and live.intake_ahead
        if self._seen_in != meeting.id and not ahead:
            # Present from her first page opening in the meeting (not from home, ahead of it).
            self.store.mark_seen(meeting.id, self.person.id)
            self._seen_in = meeting.id
        moved = shown is None or live != shown
        self.countdown.ends_at = timer_ms(live.timer_ends_at)
        screen = live.screen
        if screen is Screen.WAITING and live.intake_ahead:
            screen = Screen.INTAKE  # the intake ahead of the meeting, from home
        self.message.enter((meeting.id, screen, live.subject_id))
        view = self._by_screen.get(screen)
        if view is not None:
            try:
                wanted = not view.built or view.wants(changes)  # first: it may drop its cache
                if wanted or moved:
                    view.ensure_built().update(live)
            except RecordNotFound:
                view = None  # the subject was deleted under our feet: wait for the next step
            else:
                self._show(view.widget)
        if view is None:
            self._wait(_("The facilitator will open the next step shortly."))
        for each in self.views:
            if each is not view and each.prepares and (moved or changes.any_of(each.prepare_reads)):
                each.ensure_built().prepare(live)  # build ahead: the next switch is quick

    def _show(self, section: widgets.Widget) -> None:
        """Show one of the page's screens and hide the others."""
        if self.body.children[: len(self.sections)] != tuple(self.sections):
            self.body.children = [*self.sections, self.language]
        show_only(self.sections, section)

    def _set_header(self, meeting_title: str | None) -> None:
        person = self.person
        town = ""
        if person is not None and person.municipality_id is not None:
            town = self.store.municipality(person.municipality_id).name
        who = esc(person.name if person else "") + (f" · {esc(town)}" if town else "")
        title = esc(meeting_title or self.store.info().title)
        set_if_changed(self.header, f'<h1>{title}</h1><div class="fac-muted">{who}</div>')

    def _wait(self, text: str) -> None:
        set_if_changed(self.waiting, f'<div class="fac-card fac-big">{esc(text)}</div>')
        self._show(self.waiting)

    # --- language ------------------------------------------------------------------

    def _on_language(self, change: dict) -> None:
        if change["new"] in LANGUAGES:
            set_language(change["new"])
            self.connection.label()
            for view in self.views:
                if view.built:
                    view.build()
            if self.person is None:
                self._build_join()
            else:
                self.refresh()
