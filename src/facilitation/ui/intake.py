"""Challenge intake: participants submit challenges, the wall shows them as they come in,
the facilitator merges them into topics (a topic keeps its source challenges)."""

from __future__ import annotations

import ipywidgets as widgets

from .._exceptions import FacilitationError
from ..i18n import N_, _, ngettext
from ..models import Challenge, LiveState, Meeting, Participant, PreparedKind, Screen
from ..privacy import may_be_named, pseudonym
from ._common import esc
from ._parts import (
    FacilitatorTab,
    Part,
    ParticipantView,
    ProjectorView,
    set_if_changed,
    set_options,
    short,
    show,
)
from ._prepared import Corrections
from ._views import challenge_cards

__all__ = ["PART"]


class IntakeView(ParticipantView):
    """The form for a new challenge, and the participant's own challenges."""

    screens = (Screen.INTAKE,)
    reads = frozenset({"challenge", "challenge_tag", "topic", "topic_challenge", "municipality"})

    def build(self) -> None:
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
        self.state = widgets.HTML()
        self.mine = widgets.HTML()
        self.own_choice = widgets.Dropdown(
            options=[(_("– a new challenge –"), 0)], value=0, layout={"width": "100%"}
        )
        self.own_choice.observe(lambda _c: self._fill_form(), "value")
        self.withdraw_button = widgets.Button(description=_("Withdraw it"), icon="undo")
        self.withdraw_button.on_click(lambda _b: self.withdraw())
        self._own: dict[int, Challenge] = {}
        self.widget.children = [
            self.state,
            widgets.HBox([self.own_choice, self.withdraw_button]),
            widgets.Label(_("Title")),
            self.title_input,
            widgets.Label(_("Description")),
            self.description_input,
            widgets.Label(_("Keywords")),
            self.tags_input,
            self.submit_button,
            self.mine,
        ]

    def update(self, live: LiveState) -> None:
        if not live.intake_open:
            text = _("The collection of challenges is closed.")
        elif live.screen is Screen.WAITING:  # ahead of the meeting
            text = _(
                "Before we meet: which challenges do you bring to the meeting? Submit as "
                "many as you like; they are collected for the meeting."
            )
        else:
            text = _("Which challenges do you bring? Submit as many as you like.")
        set_if_changed(self.state, f'<div class="fac-card">{esc(text)}</div>')
        set_if_changed(self.submit_button, not live.intake_open, "disabled")
        person_id = self.page.person.id
        mine = [
            c for c in self.store.challenges(self.page.meeting_id) if c.participant_id == person_id
        ]
        heading = esc(_("Your challenges"))
        html = f"<h2>{heading}</h2>" + challenge_cards(mine, {}) if mine else ""
        set_if_changed(self.mine, html)
        # Her own challenges, to correct or withdraw while the intake is open.
        self._own = {c.id: c for c in mine}
        options = [(_("– a new challenge –"), 0)]
        options += [(_("Change: {title}").format(title=short(c.title, 60)), c.id) for c in mine]
        set_options(self.own_choice, options)
        show(self.own_choice, bool(mine))
        show(self.withdraw_button, bool(self.own_choice.value))

    def _fill_form(self) -> None:
        chosen = self._own.get(self.own_choice.value)
        self.title_input.value = chosen.title if chosen else ""
        self.description_input.value = chosen.description if chosen else ""
        self.tags_input.value = ", ".join(chosen.tags) if chosen else ""
        label = _("Save the changes") if chosen else _("Submit challenge")
        set_if_changed(self.submit_button, label, "description")
        show(self.withdraw_button, chosen is not None)

    def withdraw(self) -> None:
        """Withdraw the chosen challenge of hers (checked again in the store)."""
        if not self.own_choice.value:
            return
        try:
            self.store.withdraw_challenge(self.own_choice.value, self.page.person.id)
        except FacilitationError as error:
            self.page.say_error(str(error))
            return
        self.page.say_ok(_("Your challenge is withdrawn."))
        self.own_choice.value = 0
        self.page.refresh()

    def submit(self) -> None:
        """Submit the challenge typed into the form (checked again in the store)."""
        tags = [t for t in self.tags_input.value.split(",") if t.strip()]
        editing = self.own_choice.value
        try:
            if editing:
                self.store.edit_challenge(
                    editing, self.page.person.id, self.title_input.value,
                    description=self.description_input.value, tags=tags,
                )  # fmt: skip
            else:
                self.store.submit_challenge(
                    self.page.meeting_id,
                    self.page.person.id,
                    self.title_input.value,
                    description=self.description_input.value,
                    tags=tags,
                )
        except FacilitationError as error:
            self.page.say_error(str(error))
            return
        if editing:
            self.page.say_ok(_("Your challenge is changed."))
            self.own_choice.value = 0
        else:
            self.page.say_ok(_("Thank you! Your challenge is on the wall."))
        self.title_input.value = self.description_input.value = self.tags_input.value = ""
        self.page.refresh()  # whatever the screens show now


class IntakeTab(FacilitatorTab):
    """Open and close the intake; merge challenges into topics."""

    title = N_("Challenges and topics")

    def build(self) -> None:
        page = self.page
        self.state = widgets.HTML()
        self.open_intake = page.wire(
            widgets.Button(description=_("Open intake"), button_style="success"),
            lambda: self.store.show(page.need_meeting(), Screen.INTAKE),
        )
        self.close_intake = page.wire(
            widgets.Button(description=_("Close intake"), button_style="warning"),
            lambda: self.store.set_intake(page.need_meeting(), False),
        )
        self.challenge_boxes = widgets.VBox()
        self.topic_title = widgets.Text(
            placeholder=_("Title of the topic"), layout={"width": "100%"}
        )
        self.merge = page.wire(
            widgets.Button(description=_("Merge selected into a topic"), button_style="primary"),
            self.merge_selected,
        )
        self.topic_list = widgets.HTML()
        self.topic_choice = widgets.Dropdown(
            description=_("Topic"), options=[], layout={"width": "min(100%, 560px)"}
        )
        self.topic_corrections = Corrections(
            page, PreparedKind.TOPIC, lambda: self.topic_choice.value,
            rename=lambda tid, title: self.store.update_topic(tid, title=title),
            delete=self.store.delete_topic, what=_("topic"),
        )  # fmt: skip
        self.split = page.wire(
            widgets.Button(description=_("Split it again"), icon="unlink"),
            lambda: self.topic_choice.value and self.store.split_topic(self.topic_choice.value),
        )
        self.widget.children = [
            self.state,
            widgets.HBox([self.open_intake, self.close_intake]),
            self.challenge_boxes,
            self.topic_title,
            self.merge,
            self.topic_list,
            widgets.HBox([self.topic_choice, self.split], layout={"flex_flow": "row wrap"}),
            self.topic_corrections.widget,
        ]
        self.boxes: dict[int, widgets.Checkbox] = {}
        self.rows: dict[int, widgets.VBox] = {}

    def merge_selected(self) -> None:
        """Make a topic of the ticked challenges (a single one gives its title by default)."""
        meeting_id = self.page.need_meeting()
        selected = [cid for cid, box in self.boxes.items() if box.value]
        title = self.topic_title.value
        if not title.strip() and len(selected) == 1:
            title = next(c.title for c in self.store.challenges(meeting_id) if c.id == selected[0])
        self.store.add_topic(meeting_id, title, challenge_ids=selected)
        self.topic_title.value = ""
        for box in self.boxes.values():
            box.value = False

    def refresh(self, live: LiveState) -> None:
        meeting_id = self.page.meeting_id
        state = _("Intake is open") if live.intake_open else _("Intake is closed")
        set_if_changed(self.state, f'<div class="fac-card">{esc(state)}</div>')
        challenges = self.store.challenges(meeting_id)
        topics = self.store.topics(meeting_id)
        in_topic = {cid for t in topics for cid in t.challenge_ids}
        towns = {m.id: m.name for m in self.store.municipalities()}
        people = {p.id: p for p in self.store.participants(meeting_id)}
        for challenge in challenges:
            if challenge.id not in self.boxes:
                self.boxes[challenge.id] = widgets.Checkbox(
                    description=challenge.title, indent=False, layout={"width": "100%"}
                )
                details = widgets.HTML()
                details.add_class("fac-challenge-details")
                self.rows[challenge.id] = widgets.VBox([self.boxes[challenge.id], details])
            label = ("✓ " if challenge.id in in_topic else "") + challenge.title
            set_if_changed(self.boxes[challenge.id], label, "description")
            set_if_changed(self.rows[challenge.id].children[1], _details(challenge, towns, people))
        wanted = tuple(self.rows[c.id] for c in challenges)
        set_if_changed(self.challenge_boxes, wanted, "children")
        titles = {c.id: c.title for c in challenges}
        hidden = self.store.hidden(meeting_id)[PreparedKind.TOPIC]
        note = esc(_("hidden from the protocol"))
        items = "".join(
            f'<div class="fac-card"><b>{esc(t.title)}</b>'
            + (f' <span class="fac-muted">({note})</span>' if t.id in hidden else "")
            + '<div class="fac-muted">'
            + esc(" · ".join(titles.get(c, "") for c in t.challenge_ids))
            + "</div></div>"
            for t in topics
        )
        heading = esc(_("Topics"))
        set_if_changed(self.topic_list, f"<h2>{heading}</h2>{items}")
        set_options(self.topic_choice, [(t.title, t.id) for t in topics])
        chosen = next((t for t in topics if t.id == self.topic_choice.value), None)
        self.topic_corrections.update(chosen.title if chosen else None, hidden)
        show(self.topic_choice, bool(topics))
        show(self.split, chosen is not None and bool(chosen.challenge_ids))


def _details(challenge: Challenge, towns: dict[int, str], people: dict[int, Participant]) -> str:
    """A challenge's description, town and author (named only if she consented, else her
    pseudonym) under its checkbox; all of it as text."""
    author = people.get(challenge.participant_id) if challenge.participant_id else None
    who = ""
    if author is not None:
        who = author.name if may_be_named(author) else pseudonym(author.id)
    town = towns.get(challenge.municipality_id, "") if challenge.municipality_id else ""
    facts = " · ".join(x for x in (town, who) if x)
    return (
        '<div class="fac-muted" style="margin:0 0 6px 22px">'
        + (f"{esc(short(challenge.description, 300))}<br>" if challenge.description else "")
        + esc(facts)
        + "</div>"
    )


class ChallengeWall(ProjectorView):
    """The wall of challenges as they come in."""

    screens = (Screen.INTAKE,)
    reads = frozenset(
        {"challenge", "challenge_tag", "topic", "topic_challenge", "municipality", "participant"}
    )

    def update(self, meeting: Meeting, live: LiveState) -> None:
        challenges = self.store.challenges(meeting.id)
        towns = {m.id: m.name for m in self.store.municipalities()}
        count = ngettext("{n} challenge", "{n} challenges", len(challenges)).format(
            n=len(challenges)
        )
        state = (
            _("Submit your challenges now!") if live.intake_open else _("The collection is closed.")
        )
        html = f'<div class="fac-muted">{esc(count)} · {esc(state)}</div>' + challenge_cards(
            challenges, towns
        )
        set_if_changed(self.widget, html)


PART = Part(participant=IntakeView, projector=ChallengeWall, facilitator=IntakeTab)
