"""The facilitator's controls: run the meeting from one's own screen.

Tabs: the flow (what participants and the wall show, the timer), participants
(invited with personal links, or an open event with a join code), challenges
and topics (open/close the intake, merge challenges into topics), and
dot-voting (prepare, open, close, reveal, further rounds, who has voted).
Every action goes through the store, which checks its rules.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from .._exceptions import FacilitationError, NoMeetingChosen, NoRoundChosen
from ..i18n import _
from ..models import VOTE_STATE_WORDS, Screen, Visibility, VoteState
from ..store import Store
from ._common import esc
from ._front import Countdown
from ._live import LiveLoop
from ._style import header_row, style_sheet
from ._views import qr_svg, ranking_html, timer_ms

__all__ = ["FacilitatorApp"]


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
        self.meeting.observe(lambda _c: self._act(self._choose_meeting), "value")
        self.new_meeting_title = widgets.Text(placeholder=_("Title of a new meeting"))
        self.new_meeting_button = self._wire(
            widgets.Button(description=_("Add meeting")), self.add_meeting
        )

        self.flow = widgets.VBox()
        self.people = widgets.VBox()
        self.intake = widgets.VBox()
        self.vote = widgets.VBox()
        self.tabs = widgets.Tab(children=[self.flow, self.people, self.intake, self.vote])
        for index, title in enumerate(
            [_("Flow"), _("Participants"), _("Challenges and topics"), _("Dot-voting")]
        ):
            self.tabs.set_title(index, title)
        self._build_flow()
        self._build_people()
        self._build_intake()
        self._build_vote()
        header = header_row(widgets.HTML(f"<h1>{esc(store.info().title)}</h1>"), self.countdown)
        self.widget = widgets.VBox(
            [
                style_sheet(),
                header,
                widgets.HBox(
                    [self.meeting, self.new_meeting_title, self.new_meeting_button],
                    layout={"flex_flow": "row wrap"},
                ),
                self.message,
                self.tabs,
            ]
        )
        self.widget.add_class("fac-root")
        if current is None and self.meeting_id is not None:
            store.set_current_meeting(self.meeting_id)
        self.refresh()
        self._loop = LiveLoop(store, self.refresh).start() if live else None

    # --- helpers -----------------------------------------------------------------

    @staticmethod
    def _meeting_label(meeting: Any) -> str:
        date = meeting.date.strftime("%d.%m.%Y") + " · " if meeting.date else ""
        return f"{date}{meeting.title}"

    def _act(self, action: Callable[[], Any]) -> Any:
        """Run an action; a refusal becomes a message, nothing else changes."""
        try:
            result = action()
        except FacilitationError as error:
            self.message.value = f'<div class="fac-error">{esc(str(error))}</div>'
            return None
        self.message.value = ""
        self.refresh()
        return result

    def _wire(self, button: widgets.Button, action: Callable[[], Any]) -> widgets.Button:
        button._facilitation_action = action
        button.on_click(lambda _b: self._act(action))
        return button

    @property
    def meeting_id(self) -> int | None:
        return self.meeting.value

    def _need_meeting(self) -> int:
        if self.meeting_id is None:
            raise NoMeetingChosen()
        return self.meeting_id

    def _choose_meeting(self) -> None:
        self.store.set_current_meeting(self.meeting_id)

    def add_meeting(self) -> None:
        meeting = self.store.add_meeting(self.new_meeting_title.value)
        self.new_meeting_title.value = ""
        self.meeting.options = [(self._meeting_label(m), m.id) for m in self.store.meetings()]
        self.meeting.value = meeting.id
        self.store.set_current_meeting(meeting.id)

    # --- flow ------------------------------------------------------------------------

    def _build_flow(self) -> None:
        self.screen_state = widgets.HTML()
        self.show_waiting = self._wire(
            widgets.Button(description=_("Waiting screen"), icon="pause"),
            lambda: self.store.show(self._need_meeting(), Screen.WAITING),
        )
        self.show_intake = self._wire(
            widgets.Button(description=_("Collect challenges"), icon="pencil"),
            lambda: self.store.show(self._need_meeting(), Screen.INTAKE),
        )
        self.timer_minutes = widgets.BoundedIntText(
            value=5, min=1, max=240, description=_("Minutes"), layout={"width": "180px"}
        )
        self.start_timer = self._wire(
            widgets.Button(description=_("Start timer"), icon="clock-o"),
            lambda: self.store.start_timer(self._need_meeting(), self.timer_minutes.value * 60),
        )
        self.stop_timer = self._wire(
            widgets.Button(description=_("Stop timer"), icon="stop"),
            lambda: self.store.stop_timer(self._need_meeting()),
        )
        self.flow.children = [
            self.screen_state,
            widgets.HBox([self.show_waiting, self.show_intake]),
            widgets.HBox([self.timer_minutes, self.start_timer, self.stop_timer]),
        ]

    def _refresh_flow(self, live: Any) -> None:
        names = {
            Screen.WAITING: _("Waiting screen"),
            Screen.INTAKE: _("Collect challenges"),
            Screen.VOTE: _("Dot-voting"),
            Screen.RESULTS: _("Result"),
        }
        shown = _("Participants see: {screen}").format(screen=names[live.screen])
        self.screen_state.value = f'<div class="fac-card">{esc(shown)}</div>'

    # --- participants -------------------------------------------------------------------

    def _build_people(self) -> None:
        self.person_name = widgets.Text(description=_("Name"))
        self.person_role = widgets.Text(description=_("Role"), placeholder=_("e.g. mayor"))
        self.person_town = widgets.Dropdown(description=_("Municipality"), options=[("", None)])
        self.person_email = widgets.Text(description=_("E-mail"))
        self.person_consent = widgets.Checkbox(
            description=_("May be named in the protocol"), indent=False
        )
        self.add_person = self._wire(
            widgets.Button(description=_("Register and create link"), button_style="primary"),
            self.register_participant,
        )
        self.join_state = widgets.HTML()
        self.open_join = self._wire(
            widgets.Button(description=_("Open event: show a join code")),
            lambda: self.store.open_join(self._need_meeting()),
        )
        self.close_join = self._wire(
            widgets.Button(description=_("Close joining")),
            lambda: self.store.close_join(self._need_meeting()),
        )
        self.people_table = widgets.HTML()
        self.sheet = widgets.HTML()
        self.make_sheet = self._wire(
            widgets.Button(description=_("Sheet of personal links (print)"), icon="print"),
            self.link_sheet,
        )
        invite = esc(_("Invite a participant"))
        self.people.children = [
            widgets.HTML(f"<h2>{invite}</h2>"),
            self.person_name,
            self.person_role,
            self.person_town,
            self.person_email,
            self.person_consent,
            self.add_person,
            self.join_state,
            widgets.HBox([self.open_join, self.close_join]),
            self.people_table,
            self.make_sheet,
            self.sheet,
        ]

    def register_participant(self) -> None:
        meeting_id = self._need_meeting()
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

    def _links(self, meeting_id: int) -> dict[int, str]:
        links = {}
        for person in self.store.participants(meeting_id):
            tokens = self.store.links(person.id) or [self.store.create_link(person.id)]
            links[person.id] = tokens[0]
        return links

    def link_sheet(self) -> None:
        """A printable sheet: one personal link with its QR code per participant."""
        meeting_id = self._need_meeting()
        links = self._links(meeting_id)
        cards = []
        for person in self.store.participants(meeting_id):
            url = self.personal_url(links[person.id])
            cards.append(
                f'<div class="fac-card fac-sheet fac-join">{qr_svg(url)}'
                f'<div><div class="fac-big">{esc(person.name)}</div>'
                f"<div>{esc(url)}</div></div></div>"
            )
        self.sheet.value = "".join(cards)

    def _refresh_people(self, live: Any, round_id: int | None) -> None:
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
        self.join_state.value = f'<div class="fac-card">{esc(text)}</div>'
        seen = self.store.seen(meeting_id)
        held = self.store.dots_per_participant(round_id) if round_id else {}
        total = self.store.vote_round(round_id).dots_per_person if round_id else 0
        links = self._links(meeting_id)
        header = "".join(
            f"<th>{esc(h)}</th>"
            for h in (_("Name"), _("Municipality"), _("Joined"), _("Dots left"), _("Personal link"))
        )
        rows = []
        for person in self.store.participants(meeting_id):
            joined = "✓" if person.id in seen else "–"
            left = str(total - held.get(person.id, 0)) if round_id else ""
            url = self.personal_url(links[person.id])
            town = names.get(person.municipality_id, "")
            rows.append(
                f"<tr><td>{esc(person.name)}</td><td>{esc(town)}</td>"
                f"<td>{joined}</td><td>{left}</td><td><code>{esc(url)}</code></td></tr>"
            )
        self.people_table.value = (
            f'<table class="fac-table"><tr>{header}</tr>{"".join(rows)}</table>'
        )

    # --- challenges and topics -----------------------------------------------------------

    def _build_intake(self) -> None:
        self.intake_state = widgets.HTML()
        self.open_intake = self._wire(
            widgets.Button(description=_("Open intake"), button_style="success"),
            lambda: self.store.show(self._need_meeting(), Screen.INTAKE),
        )
        self.close_intake = self._wire(
            widgets.Button(description=_("Close intake"), button_style="warning"),
            lambda: self.store.set_intake(self._need_meeting(), False),
        )
        self.challenge_boxes = widgets.VBox()
        self.topic_title = widgets.Text(
            placeholder=_("Title of the topic"), layout={"width": "100%"}
        )
        self.merge = self._wire(
            widgets.Button(description=_("Merge selected into a topic"), button_style="primary"),
            self.merge_selected,
        )
        self.topic_list = widgets.HTML()
        self.intake.children = [
            self.intake_state,
            widgets.HBox([self.open_intake, self.close_intake]),
            self.challenge_boxes,
            self.topic_title,
            self.merge,
            self.topic_list,
        ]
        self._boxes: dict[int, widgets.Checkbox] = {}

    def merge_selected(self) -> None:
        selected = [cid for cid, box in self._boxes.items() if box.value]
        title = self.topic_title.value
        if not title.strip() and len(selected) == 1:
            title = next(
                c.title for c in self.store.challenges(self.meeting_id) if c.id == selected[0]
            )
        self.store.add_topic(self._need_meeting(), title, challenge_ids=selected)
        self.topic_title.value = ""
        for box in self._boxes.values():
            box.value = False

    def _refresh_intake(self, live: Any) -> None:
        meeting_id = self.meeting_id
        state = _("Intake is open") if live.intake_open else _("Intake is closed")
        self.intake_state.value = f'<div class="fac-card">{esc(state)}</div>'
        challenges = self.store.challenges(meeting_id)
        topics = self.store.topics(meeting_id)
        in_topic = {cid for t in topics for cid in t.challenge_ids}
        for challenge in challenges:
            if challenge.id not in self._boxes:
                self._boxes[challenge.id] = widgets.Checkbox(
                    description=challenge.title, indent=False, layout={"width": "100%"}
                )
            box = self._boxes[challenge.id]
            box.description = ("✓ " if challenge.id in in_topic else "") + challenge.title
        wanted = [self._boxes[c.id] for c in challenges]
        if list(self.challenge_boxes.children) != wanted:
            self.challenge_boxes.children = wanted
        titles = {c.id: c.title for c in challenges}
        items = "".join(
            f'<div class="fac-card"><b>{esc(t.title)}</b><div class="fac-muted">'
            + esc(" · ".join(titles.get(c, "") for c in t.challenge_ids))
            + "</div></div>"
            for t in topics
        )
        heading = esc(_("Topics"))
        self.topic_list.value = f"<h2>{heading}</h2>{items}"

    # --- dot-voting ---------------------------------------------------------------------

    def _build_vote(self) -> None:
        self.round_topics = widgets.SelectMultiple(
            description=_("Topics"), rows=8, layout={"width": "min(100%, 640px)"}
        )
        self.round_title = widgets.Text(
            description=_("Title"), placeholder=_("e.g. Which topics first?")
        )
        self.round_dots = widgets.BoundedIntText(
            value=0,
            min=0,
            max=50,
            description=_("Dots per person"),
            style={"description_width": "initial"},
        )
        self.round_cap = widgets.BoundedIntText(
            value=0,
            min=0,
            max=50,
            description=_("Dots per topic"),
            style={"description_width": "initial"},
        )
        self.round_secret = widgets.Checkbox(
            value=True, description=_("Secret until revealed"), indent=False
        )
        self.round_timer = widgets.BoundedIntText(
            value=0,
            min=0,
            max=240,
            description=_("Minutes"),
            style={"description_width": "initial"},
        )
        self.create = self._wire(
            widgets.Button(description=_("Prepare vote round"), button_style="primary"),
            self.create_round,
        )
        self.round_choice = widgets.Dropdown(description=_("Round"), options=[])
        self.round_state = widgets.HTML()
        self.open_round = self._wire(
            widgets.Button(description=_("Open"), button_style="success"),
            lambda: self._round_action("open"),
        )
        self.close_round = self._wire(
            widgets.Button(description=_("Close"), button_style="warning"),
            lambda: self._round_action("close"),
        )
        self.reveal_round = self._wire(
            widgets.Button(description=_("Reveal"), button_style="info"),
            lambda: self._round_action("reveal"),
        )
        self.leaders = widgets.BoundedIntText(
            value=3,
            min=1,
            max=50,
            description=_("Leading topics"),
            style={"description_width": "initial"},
        )
        self.further = self._wire(
            widgets.Button(description=_("Further round over the leaders")),
            lambda: self._round_action("further"),
        )
        self.round_result = widgets.HTML()
        defaults = esc(_("0 dots per person: a third of the topics. 0 per topic: at most 3."))
        self.vote.children = [
            self.round_topics,
            self.round_title,
            widgets.HBox([self.round_dots, self.round_cap], layout={"flex_flow": "row wrap"}),
            widgets.HBox([self.round_secret, self.round_timer], layout={"flex_flow": "row wrap"}),
            widgets.HTML(f'<div class="fac-muted">{defaults}</div>'),
            self.create,
            self.round_choice,
            self.round_state,
            widgets.HBox(
                [self.open_round, self.close_round, self.reveal_round],
                layout={"flex_flow": "row wrap"},
            ),
            widgets.HBox([self.leaders, self.further], layout={"flex_flow": "row wrap"}),
            self.round_result,
        ]
        self.round_choice.observe(lambda _c: self.refresh(), "value")

    def create_round(self) -> None:
        vote_round = self.store.create_round(
            self._need_meeting(),
            list(self.round_topics.value),
            title=self.round_title.value,
            dots_per_person=self.round_dots.value or None,
            max_per_topic=self.round_cap.value or None,
            visibility=Visibility.SECRET if self.round_secret.value else Visibility.LIVE,
            timer_seconds=self.round_timer.value * 60 or None,
        )
        self.round_title.value = ""
        self._select_round(vote_round.id)

    def _select_round(self, round_id: int) -> None:
        self._refresh_round_choice()
        self.round_choice.value = round_id

    def _round_action(self, what: str) -> None:
        round_id = self.round_choice.value
        if round_id is None:
            raise NoRoundChosen()
        meeting_id = self._need_meeting()
        if what == "open":
            vote_round = self.store.open_round(round_id)
            self.store.show(meeting_id, Screen.VOTE, round_id)
            if vote_round.timer_seconds:
                self.store.start_timer(meeting_id, vote_round.timer_seconds)
        elif what == "close":
            self.store.close_round(round_id)
            self.store.stop_timer(meeting_id)
        elif what == "reveal":
            self.store.reveal_round(round_id)
            self.store.show(meeting_id, Screen.RESULTS, round_id)
        elif what == "further":
            vote_round = self.store.further_round(round_id, self.leaders.value)
            self._select_round(vote_round.id)

    def _refresh_round_choice(self) -> None:
        rounds = self.store.vote_rounds(self.meeting_id) if self.meeting_id else []
        options = [(r.title + " (" + _(VOTE_STATE_WORDS[r.state]) + ")", r.id) for r in rounds]
        if list(self.round_choice.options) != options:
            current = self.round_choice.value
            self.round_choice.options = options
            ids = [r.id for r in rounds]
            self.round_choice.value = current if current in ids else (ids[-1] if ids else None)

    def _refresh_vote(self) -> None:
        meeting_id = self.meeting_id
        topics = self.store.topics(meeting_id)
        options = [(t.title, t.id) for t in topics]
        if list(self.round_topics.options) != options:
            # New topics join the selection; topics the facilitator left out stay out.
            known = {value for _label, value in self.round_topics.options}
            selected = set(self.round_topics.value) | {t.id for t in topics if t.id not in known}
            self.round_topics.options = options
            self.round_topics.value = tuple(t.id for t in topics if t.id in selected)
        self._refresh_round_choice()
        round_id = self.round_choice.value
        if round_id is None:
            self.round_state.value = self.round_result.value = ""
            return
        vote_round = self.store.vote_round(round_id)
        people = self.store.participants(meeting_id)
        held = self.store.dots_per_participant(round_id)
        voted = len([p for p in people if held.get(p.id)])
        text = _(
            "{voted} of {total} have placed dots; {dots} dots each, at most {cap} per topic."
        ).format(
            voted=voted,
            total=len(people),
            dots=vote_round.dots_per_person,
            cap=vote_round.max_per_topic,
        )
        self.round_state.value = f'<div class="fac-card">{esc(text)}</div>'
        self.open_round.disabled = not vote_round.state.can_become(VoteState.OPEN)
        self.close_round.disabled = not vote_round.state.can_become(VoteState.CLOSED)
        self.reveal_round.disabled = not vote_round.state.can_become(VoteState.REVEALED)
        # The facilitator sees the tally at any time; the wall only after the reveal.
        self.round_result.value = ranking_html(self.store, vote_round)

    # --- everything -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Bring every tab up to date with the store."""
        meetings = self.store.meetings()
        options = [(self._meeting_label(m), m.id) for m in meetings]
        if list(self.meeting.options) != options:
            self.meeting.options = options
        if self.meeting_id is None:
            self.message.value = (
                '<div class="fac-card">' + esc(_("Choose or add a meeting to start.")) + "</div>"
            )
            return
        live = self.store.live(self.meeting_id)
        self.countdown.ends_at = timer_ms(live.timer_ends_at)
        self._refresh_flow(live)
        self._refresh_intake(live)
        self._refresh_vote()
        self._refresh_people(live, self.round_choice.value)
