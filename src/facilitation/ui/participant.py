"""The participant's page: one link per person, following what the facilitator opened.

The kernel learns who is on the page from the browser (:class:`Identity`),
checks the personal link against the store, and from then on acts only as
that participant. What the page may do is checked again in the store; a
forged widget message gets the same refusal as a real click. While a vote is
secret the page holds only this participant's own dots, never the tally.
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import voting
from .._exceptions import FacilitationError
from ..i18n import LANGUAGES, _, current_language, set_language
from ..models import Participant, Screen, Visibility, VoteState
from ..store import Store
from ._common import esc
from ._front import Countdown, Identity
from ._live import LiveLoop
from ._style import header_row, style_sheet
from ._views import ranking_html, timer_ms

__all__ = ["ParticipantApp"]


class ParticipantApp:
    """The page of one participant. ``widget`` is what the notebook displays."""

    def __init__(self, store: Store, *, live: bool = True) -> None:
        self.store = store
        self.person: Participant | None = None
        self.meeting_id: int | None = None
        self._shown: tuple[object, ...] = ()
        self.identity = Identity()
        self.countdown = Countdown()
        self.header = widgets.HTML()
        self.body = widgets.VBox()
        self.message = widgets.HTML()
        self.waiting = widgets.HTML()
        self.results = widgets.HTML()
        self.round_id: int | None = None
        # Every screen is built once and then only shown or hidden: a phase switch
        # sends a few small updates instead of new widgets to every page.
        self.sections = {
            "waiting": widgets.VBox([self.waiting]),
            "intake": widgets.VBox(),
            "vote": widgets.VBox(),
            "results": widgets.VBox([self.results]),
            "join": widgets.VBox(),
        }
        self.language = widgets.ToggleButtons(
            options=[("DE", "de"), ("EN", "en")],
            value=current_language(),
            style={"button_width": "48px"},
        )
        self.language.observe(self._on_language, "value")
        self.widget = widgets.VBox(
            [
                style_sheet(),
                self.identity,
                header_row(self.header, self.countdown),
                self.message,
                self.body,
            ],
        )
        self.widget.add_class("fac-root")
        self._build_intake()
        self._build_waiting(_("Opening your page ..."))
        self.identity.observe(self._on_identity, "ready")
        self._loop = LiveLoop(store, self.refresh) if live else None

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
        meeting = self.store.current_meeting()
        self.meeting_id = meeting.id if meeting else None
        if self.person is None:
            self._build_join()
            return
        if self.meeting_id is not None:
            self.store.mark_seen(self.meeting_id, self.person.id)
        self._shown = ()
        self.refresh()
        if self._loop is not None and not self._loop._thread.is_alive():
            self._loop.start()

    def _show_error(self, text: str) -> None:
        self.header.value = ""
        self.message.value = f'<div class="fac-error">{esc(text)}</div>'
        self.body.children = []

    # --- joining an open event ---------------------------------------------------

    def _build_join(self) -> None:
        self.header.value = f"<h1>{esc(self.store.info().title)}</h1>"
        self.message.value = ""
        live = self.store.live(self.meeting_id) if self.meeting_id else None
        if live is None or not live.join_code:
            self.sections["join"].children = [
                widgets.HTML(
                    '<div class="fac-card">'
                    + esc(_("Please open the personal link you received from the facilitator."))
                    + "</div>"
                )
            ]
            self._show("join")
            return
        self.join_code = widgets.Text(description=_("Join code"), placeholder="ABC123")
        self.join_name = widgets.Text(description=_("Name"))
        self.join_role = widgets.Text(description=_("Role"), placeholder=_("e.g. mayor"))
        towns = [("", None)] + [(m.name, m.id) for m in self.store.municipalities()]
        self.join_town = widgets.Dropdown(description=_("Municipality"), options=towns)
        self.join_consent = widgets.Checkbox(
            description=_("I agree to be named in the protocol"), indent=False
        )
        self.join_button = widgets.Button(description=_("Join"), button_style="primary")
        self.join_button.on_click(lambda _b: self.join())
        intro = esc(_("Enter the code shown on the projector and your name."))
        self.sections["join"].children = [
            widgets.HTML(f"<p>{intro}</p>"),
            self.join_code,
            self.join_name,
            self.join_role,
            self.join_town,
            self.join_consent,
            self.join_button,
        ]
        self._show("join")

    def join(self) -> None:
        """Join with the code and details typed into the join form."""
        try:
            person, token = self.store.join(
                self.join_code.value,
                self.join_name.value,
                role=self.join_role.value,
                municipality_id=self.join_town.value,
                consent_named=self.join_consent.value,
            )
        except FacilitationError as error:
            self.message.value = f'<div class="fac-error">{esc(str(error))}</div>'
            return
        self.identity.token = token
        self.identify(token)
        self.message.value = (
            '<div class="fac-ok">'
            + esc(
                _("Welcome, {name}! This page is now your personal link: bookmark it.").format(
                    name=person.name
                )
            )
            + "</div>"
        )

    # --- what the facilitator opened -------------------------------------------

    def refresh(self) -> None:
        """Show what the facilitator has opened now (called whenever the workspace changes)."""
        if self.person is None:
            return
        meeting = self.store.current_meeting()
        self.meeting_id = meeting.id if meeting else None
        if meeting is None:
            self._set_header(None)
            self._build_waiting(_("The facilitator will open the next step shortly."))
            return
        live = self.store.live(meeting.id)
        self.countdown.ends_at = timer_ms(live.timer_ends_at)
        self._set_header(meeting.title)
        key: tuple[object, ...] = (meeting.id, live.screen, live.subject_id, current_language())
        if live.screen is Screen.INTAKE:
            self._update_intake(live.intake_open)
            self._show("intake")
        elif live.screen in (Screen.VOTE, Screen.RESULTS) and live.subject_id is not None:
            vote_round = self.store.vote_round(live.subject_id)
            if vote_round.state is VoteState.REVEALED:
                self._build_results(vote_round.id)
                key = (*key, "revealed")
            else:
                if vote_round.id != self.round_id:
                    self._build_vote(vote_round.id)
                self._update_vote(vote_round.id)
                self._show("vote")
        else:
            self._build_waiting(_("The facilitator will open the next step shortly."))
            self._prepare_vote(meeting.id)
        self._shown = key

    def _show(self, name: str) -> None:
        """Show one of the page's screens and hide the others."""
        children = (*self.sections.values(), self.language)
        if self.body.children != children:
            self.body.children = children
        for section_name, section in self.sections.items():
            display = "" if section_name == name else "none"
            if section.layout.display != display:
                section.layout.display = display

    def _prepare_vote(self, meeting_id: int) -> None:
        """Build a prepared round's screen ahead (hidden), so that opening it is quick."""
        pending = [
            r
            for r in self.store.vote_rounds(meeting_id)
            if r.state in (VoteState.DRAFT, VoteState.OPEN)
        ]
        if pending and pending[-1].id != self.round_id:
            self._build_vote(pending[-1].id)

    def _set_header(self, meeting_title: str | None) -> None:
        person = self.person
        town = ""
        if person is not None and person.municipality_id is not None:
            town = self.store.municipality(person.municipality_id).name
        who = esc(person.name if person else "") + (f" · {esc(town)}" if town else "")
        title = esc(meeting_title or self.store.info().title)
        html = f'<h1>{title}</h1><div class="fac-muted">{who}</div>'
        if self.header.value != html:
            self.header.value = html

    def _build_waiting(self, text: str) -> None:
        html = f'<div class="fac-card fac-big">{esc(text)}</div>'
        if self.waiting.value != html:
            self.waiting.value = html
        self._show("waiting")

    # intake

    def _build_intake(self) -> None:
        self.title_input = widgets.Text(
            placeholder=_("Your challenge in a few words"), layout={"width": "100%"}
        )
        self.description_input = widgets.Textarea(
            placeholder=_("What is it about? (optional)"),
            layout={"width": "100%", "height": "90px"},
        )
        self.tags_input = widgets.Text(
            placeholder=_("Keywords, separated by commas (optional)"), layout={"width": "100%"}
        )
        self.submit_button = widgets.Button(
            description=_("Submit challenge"), button_style="primary", icon="paper-plane"
        )
        self.submit_button.on_click(lambda _b: self.submit())
        self.intake_state = widgets.HTML()
        self.mine = widgets.HTML()
        self.sections["intake"].children = [
            self.intake_state,
            widgets.Label(_("Title")),
            self.title_input,
            widgets.Label(_("Description")),
            self.description_input,
            widgets.Label(_("Keywords")),
            self.tags_input,
            self.submit_button,
            self.mine,
        ]

    def _update_intake(self, open_: bool) -> None:
        state = (
            esc(_("Which challenges do you bring? Submit as many as you like."))
            if open_
            else esc(_("The collection of challenges is closed."))
        )
        self.intake_state.value = f'<div class="fac-card">{state}</div>'
        self.submit_button.disabled = not open_
        mine = [
            c for c in self.store.challenges(self.meeting_id) if c.participant_id == self.person.id
        ]
        heading = esc(_("Your challenges"))
        cards = "".join(
            f'<div class="fac-card"><b>{esc(c.title)}</b>'
            + (f"<div>{esc(c.description)}</div>" if c.description else "")
            + "".join(f'<span class="fac-tag">{esc(t)}</span>' for t in c.tags)
            + "</div>"
            for c in reversed(mine)
        )
        html = f"<h2>{heading}</h2>{cards}" if mine else ""
        if self.mine.value != html:
            self.mine.value = html

    def submit(self) -> None:
        """Submit the challenge typed into the form (checked again in the store)."""
        tags = [t for t in self.tags_input.value.split(",") if t.strip()]
        try:
            self.store.submit_challenge(
                self.meeting_id,
                self.person.id,
                self.title_input.value,
                description=self.description_input.value,
                tags=tags,
            )
        except FacilitationError as error:
            self.message.value = f'<div class="fac-error">{esc(str(error))}</div>'
            return
        thanks = esc(_("Thank you! Your challenge is on the wall."))
        self.message.value = f'<div class="fac-ok">{thanks}</div>'
        self.title_input.value = self.description_input.value = self.tags_input.value = ""
        self._update_intake(self.store.live(self.meeting_id).intake_open)

    # voting

    def _build_vote(self, round_id: int) -> None:
        vote_round = self.store.vote_round(round_id)
        topics = {t.id: t for t in self.store.topics(vote_round.meeting_id)}
        self.round_id = round_id
        self.vote_status = widgets.HTML()
        self.topic_rows: dict[int, tuple[widgets.HTML, widgets.Button, widgets.Button]] = {}
        rows = []
        for topic_id in vote_round.topic_ids:
            label = widgets.HTML(layout={"flex": "1 1 auto"})
            add = widgets.Button(
                description=_("+ dot"), button_style="primary", layout={"width": "auto"}
            )
            back = widgets.Button(description=_("take back"), layout={"width": "auto"})
            add.on_click(lambda _b, t=topic_id: self.place(t))
            back.on_click(lambda _b, t=topic_id: self.take_back(t))
            self.topic_rows[topic_id] = (label, add, back)
            row = widgets.HBox(
                [label, widgets.HBox([add, back])],
                layout={"align_items": "center", "flex_flow": "row wrap"},
            )
            row.add_class("fac-card")
            rows.append(row)
        self._topic_titles = {t: topics[t].title for t in vote_round.topic_ids if t in topics}
        title = esc(vote_round.title)
        self.sections["vote"].children = [
            widgets.HTML(f"<h2>{title}</h2>"),
            self.vote_status,
            *rows,
        ]

    def _update_vote(self, round_id: int) -> None:
        vote_round = self.store.vote_round(round_id)
        mine = self.store.my_dots(round_id, self.person.id)
        left = voting.dots_left(vote_round, mine)
        counted = self.store.tally(round_id) if vote_round.visibility is Visibility.LIVE else None
        if vote_round.state is VoteState.OPEN:
            status = _("You have {left} of {total} dots left.").format(
                left=left, total=vote_round.dots_per_person
            )
            if vote_round.max_per_topic < vote_round.dots_per_person:
                status += " " + _("At most {cap} on one topic.").format(
                    cap=vote_round.max_per_topic
                )
        elif vote_round.state is VoteState.DRAFT:
            status = _("The vote has not started yet.")
        else:
            status = _("The vote is closed. The result follows.")
        html = f'<div class="fac-card fac-big">{esc(status)}</div>'
        if self.vote_status.value != html:
            self.vote_status.value = html
        for topic_id, (label, add, back) in self.topic_rows.items():
            held = mine.get(topic_id, 0)
            dots = '<span class="fac-dot">' + "●" * held + "</span>" if held else ""
            others = ""
            if counted is not None:
                everyone = esc(_("all"))
                others = f' <span class="fac-muted">({everyone}: {counted.get(topic_id, 0)})</span>'
            html = f"<b>{esc(self._topic_titles.get(topic_id, ''))}</b> {dots}{others}"
            if label.value != html:
                label.value = html
            add.disabled = vote_round.state is not VoteState.OPEN or left == 0
            back.disabled = vote_round.state is not VoteState.OPEN or held == 0

    def place(self, topic_id: int) -> None:
        """Place a dot (checked in the store: open round, dots left, cap per topic)."""
        self._dot(self.store.place_dot, topic_id)

    def take_back(self, topic_id: int) -> None:
        """Take one of this participant's dots back from a topic."""
        self._dot(self.store.take_back_dot, topic_id)

    def _dot(self, action, topic_id: int) -> None:
        try:
            action(self.round_id, self.person.id, topic_id)
            self.message.value = ""
        except FacilitationError as error:
            self.message.value = f'<div class="fac-error">{esc(str(error))}</div>'
        self._update_vote(self.round_id)

    def _build_results(self, round_id: int) -> None:
        vote_round = self.store.vote_round(round_id)
        html = ranking_html(self.store, vote_round)
        if self.results.value != html:
            self.results.value = html
        self._show("results")

    # language

    def _on_language(self, change: dict) -> None:
        if change["new"] in LANGUAGES:
            set_language(change["new"])
            self._shown = ()
            self._build_intake()
            if self.round_id is not None:
                self._build_vote(self.round_id)
            if self.person is None:
                self._build_join()
            else:
                self.refresh()
