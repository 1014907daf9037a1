"""Challenge intake: participants submit challenges, the wall shows them as they come in,
the facilitator merges them into topics (a topic keeps its source challenges)."""

from __future__ import annotations

import ipywidgets as widgets

from .._exceptions import FacilitationError
from ..i18n import N_, _, ngettext
from ..models import LiveState, Meeting, Screen
from ._common import esc
from ._parts import FacilitatorTab, Part, ParticipantView, ProjectorView, set_if_changed
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
        self.widget.children = [
            self.state,
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

    def submit(self) -> None:
        """Submit the challenge typed into the form (checked again in the store)."""
        tags = [t for t in self.tags_input.value.split(",") if t.strip()]
        try:
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
        self.widget.children = [
            self.state,
            widgets.HBox([self.open_intake, self.close_intake]),
            self.challenge_boxes,
            self.topic_title,
            self.merge,
            self.topic_list,
        ]
        self.boxes: dict[int, widgets.Checkbox] = {}

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
        for challenge in challenges:
            if challenge.id not in self.boxes:
                self.boxes[challenge.id] = widgets.Checkbox(
                    description=challenge.title, indent=False, layout={"width": "100%"}
                )
            label = ("✓ " if challenge.id in in_topic else "") + challenge.title
            set_if_changed(self.boxes[challenge.id], label, "description")
        wanted = tuple(self.boxes[c.id] for c in challenges)
        set_if_changed(self.challenge_boxes, wanted, "children")
        titles = {c.id: c.title for c in challenges}
        items = "".join(
            f'<div class="fac-card"><b>{esc(t.title)}</b><div class="fac-muted">'
            + esc(" · ".join(titles.get(c, "") for c in t.challenge_ids))
            + "</div></div>"
            for t in topics
        )
        heading = esc(_("Topics"))
        set_if_changed(self.topic_list, f"<h2>{heading}</h2>{items}")


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
