"""Dot-voting: participants place and take back dots, the wall shows the progress (never a
secret tally) and then the ranking, the facilitator prepares, opens, closes and reveals rounds.

While a round is secret a participant's page holds only her own dots, never the tally.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import ipywidgets as widgets

from .. import voting
from .._exceptions import FacilitationError, NoRoundChosen, ResultNotFinal
from ..i18n import N_, _, ngettext
from ..models import (
    VOTE_STATE_WORDS,
    AtZero,
    ClosedBy,
    DotAction,
    LiveState,
    Meeting,
    PreparedKind,
    Screen,
    Visibility,
    VoteRound,
    VoteState,
)
from ..store import Changes
from ._common import at_zero_options, esc
from ._parts import (
    FacilitatorTab,
    Part,
    ParticipantView,
    ProjectorView,
    set_if_changed,
    set_options,
    show,
)
from ._prepared import Corrections
from ._views import ranking_html

__all__ = ["PART"]


def _closed_text(vote_round: VoteRound) -> str:
    """What the pages say of a closed round: whether the clock closed it at 0:00."""
    if vote_round.closed_by is ClosedBy.CLOCK:
        return _("Time is up: the vote closed at 0:00. The result follows.")
    return _("The vote is closed. The result follows.")


class VoteView(ParticipantView):
    """A round's topics with buttons to place and take back dots; the result once revealed."""

    screens = (Screen.VOTE, Screen.RESULTS)
    prepares = True
    # Others' dots matter only while the tally is live; her own always (her other tab).
    reads = frozenset({"vote_round", "round_topic", "topic"})
    own = frozenset({"dot_event"})
    prepare_reads = reads

    def build(self) -> None:
        self.round_id: int | None = None
        self._round: VoteRound | None = None
        self._tally_shown = False
        self.status = widgets.HTML()
        self.results = widgets.HTML()
        self.rows: dict[int, tuple[widgets.HTML, widgets.Button, widgets.Button]] = {}
        self.titles: dict[int, str] = {}
        self.ballot = widgets.VBox()
        self.widget.children = [self.ballot, self.results]

    def _build_round(self, round_id: int) -> None:
        vote_round = self.store.vote_round(round_id)
        topics = {t.id: t for t in self.store.topics(vote_round.meeting_id)}
        self.round_id = round_id
        self.rows = {}
        boxes = []
        for topic_id in vote_round.topic_ids:
            label = widgets.HTML(layout={"flex": "1 1 auto"})
            add = widgets.Button(
                description=_("+ dot"), button_style="primary", layout={"width": "auto"}
            )
            back = widgets.Button(description=_("take back"), layout={"width": "auto"})
            add.on_click(lambda _b, t=topic_id: self.place(t))
            back.on_click(lambda _b, t=topic_id: self.take_back(t))
            self.rows[topic_id] = (label, add, back)
            row = widgets.HBox(
                [label, widgets.HBox([add, back])],
                layout={"align_items": "center", "flex_flow": "row wrap"},
            )
            row.add_class("fac-card")
            boxes.append(row)
        self.titles = {t: topics[t].title for t in vote_round.topic_ids if t in topics}
        heading = widgets.HTML(f"<h2>{esc(vote_round.title)}</h2>")
        self.ballot.children = [heading, self.status, *boxes]

    def prepare(self, live: LiveState) -> None:
        """Build the next round's ballot while the page waits, so that opening it is quick."""
        pending = [
            r
            for r in self.store.vote_rounds(live.meeting_id)
            if r.state in (VoteState.DRAFT, VoteState.OPEN)
        ]
        if pending and pending[-1].id != self.round_id:
            self._build_round(pending[-1].id)

    def _vote_round(self, round_id: int) -> VoteRound:
        """The round, read again only when rounds or topics changed (see :meth:`wants`)."""
        if self._round is None or self._round.id != round_id:
            self._round = self.store.vote_round(round_id)
        return self._round

    def update(self, live: LiveState) -> None:
        vote_round = self._vote_round(live.subject_id)
        revealed = vote_round.state is VoteState.REVEALED
        show(self.ballot, not revealed)
        show(self.results, revealed)
        if revealed:
            set_if_changed(self.results, ranking_html(self.store, vote_round))
            return
        if vote_round.id != self.round_id:
            self._build_round(vote_round.id)
        self._update_ballot()

    def wants(self, changes: Changes) -> bool:
        if changes.any_of(self.reads):
            self._round = None
        return super().wants(changes) or (self._tally_shown and changes.any_of({"dot_event"}))

    def _update_ballot(self) -> None:
        vote_round = self._vote_round(self.round_id)
        self._tally_shown = vote_round.visibility is Visibility.LIVE
        counted = None
        if self._tally_shown:  # one read for the room's tally and her own dots
            events = self.store.dot_events(vote_round.id)
            counted = voting.tally(events, vote_round.topic_ids)
            me = self.page.person.id
            mine = dict(+Counter(voting.tally([e for e in events if e.participant_id == me])))
        else:
            mine = self.store.my_dots(vote_round.id, self.page.person.id)
        left = voting.dots_left(vote_round, mine)
        if vote_round.state is VoteState.OPEN:
            status = ngettext(
                "You have {left} of {total} dot left.",
                "You have {left} of {total} dots left.",
                vote_round.dots_per_person,
            ).format(left=left, total=vote_round.dots_per_person)
            if vote_round.max_per_topic < vote_round.dots_per_person:
                status += " " + _("At most {cap} on one topic.").format(
                    cap=vote_round.max_per_topic
                )
        elif vote_round.state is VoteState.DRAFT:
            status = _("The vote has not started yet.")
        else:
            status = _closed_text(vote_round)
        set_if_changed(self.status, f'<div class="fac-card fac-big">{esc(status)}</div>')
        is_open = vote_round.state is VoteState.OPEN
        for topic_id, (label, add, back) in self.rows.items():
            held = mine.get(topic_id, 0)
            dots = '<span class="fac-dot">' + "●" * held + "</span>" if held else ""
            others = ""
            if counted is not None:
                everyone = esc(_("all"))
                others = f' <span class="fac-muted">({everyone}: {counted.get(topic_id, 0)})</span>'
            set_if_changed(label, f"<b>{esc(self.titles.get(topic_id, ''))}</b> {dots}{others}")
            # A convenience only: the store refuses a forged click all the same.
            set_if_changed(add, not is_open or left == 0, "disabled")
            set_if_changed(back, not is_open or held == 0, "disabled")

    def place(self, topic_id: int) -> None:
        """Place a dot (checked in the store: open round, dots left, cap per topic)."""
        self._dot(self.store.place_dot, topic_id)

    def take_back(self, topic_id: int) -> None:
        """Take one of this participant's dots back from a topic."""
        self._dot(self.store.take_back_dot, topic_id)

    def _dot(self, action: Callable[[int, int, int], object], topic_id: int) -> None:
        if self.round_id is None:
            return
        try:
            action(self.round_id, self.page.person.id, topic_id)
            self.page.clear_message()
        except FacilitationError as error:
            self.page.say_error(str(error))
            self._round = None  # closed meanwhile, say: read it again
        self._update_ballot()


class VotingTab(FacilitatorTab):
    """Prepare, open, close and reveal rounds; further rounds over the leaders."""

    title = N_("Dot-voting")

    def build(self) -> None:
        page = self.page
        wide = {"description_width": "initial"}
        self.topics = widgets.SelectMultiple(
            description=_("Topics"), rows=8, layout={"width": "min(100%, 640px)"}
        )
        self.round_title = widgets.Text(
            description=_("Title"),
            placeholder=_("e.g. Which topics first?"),
            layout={"width": "min(100%, 640px)"},
        )
        self.editing = widgets.Dropdown(
            description=_("Edit round"),
            options=[(_("– a new round –"), 0)],
            value=0,
            layout={"width": "min(100%, 640px)"},
        )
        self.editing.observe(lambda _c: self._fill_form(), "value")
        self.dots = widgets.BoundedIntText(
            value=1, min=1, max=50, description=_("Dots per person"), style=wide
        )
        self.cap = widgets.BoundedIntText(
            value=1, min=1, max=50, description=_("Dots per topic"), style=wide
        )
        # The dots and cap the form last set itself: they follow the topics chosen until
        # the facilitator types her own (None: a round's own settings, left as they are).
        self._auto: tuple[int | None, int | None] = (1, 1)
        self.topics.observe(lambda _c: self._default_dots(), "value")
        self.secret = widgets.Checkbox(
            value=True, description=_("Secret until revealed"), indent=False
        )
        self.minutes = widgets.BoundedIntText(
            value=0, min=0, max=240, description=_("Minutes"), style=wide
        )
        self.at_zero = widgets.Dropdown(
            description=_("At 0:00"), options=at_zero_options(AtZero.CLOSE), style=wide
        )
        self.create = page.wire(
            widgets.Button(description=_("Prepare vote round"), button_style="primary"),
            self.create_round,
        )
        self.choice = widgets.Dropdown(
            description=_("Round"), options=[], layout={"width": "min(100%, 640px)"}
        )
        self.state = widgets.HTML()
        self.open_round = page.wire(
            widgets.Button(description=_("Open"), button_style="success"),
            lambda: self._round_action("open"),
        )
        self.close_round = page.wire(
            widgets.Button(description=_("Close"), button_style="warning"),
            lambda: self._round_action("close"),
        )
        self.reveal_round = page.wire(
            widgets.Button(description=_("Reveal"), button_style="info"),
            lambda: self._round_action("reveal"),
        )
        self.leaders = widgets.BoundedIntText(
            value=3, min=1, max=50, description=_("Leading topics"), style=wide
        )
        self.further = page.wire(
            widgets.Button(description=_("Further round over the leaders")),
            lambda: self._round_action("further"),
        )
        self.result = widgets.HTML()
        self.corrections = Corrections(
            page, PreparedKind.VOTE_ROUND, lambda: self.choice.value,
            rename=lambda rid, title: self.store.update_round(rid, title=title),
            delete=self.store.delete_round, what=_("round"),
        )  # fmt: skip
        defaults = esc(
            _(
                "Dots per person: a third of the chosen topics (at least 1), at most 3 on one "
                "topic. Change them as you like."
            )
        )
        row = {"flex_flow": "row wrap"}
        self.widget.children = [
            widgets.HTML("<h2>" + esc(_("Prepare a round")) + "</h2>"),
            self.editing,
            self.topics,
            self.round_title,
            widgets.HBox([self.dots, self.cap], layout=row),
            widgets.HBox([self.secret, self.minutes, self.at_zero], layout=row),
            widgets.HTML(f'<div class="fac-muted">{defaults}</div>'),
            self.create,
            widgets.HTML("<h2>" + esc(_("Run a round")) + "</h2>"),
            self.choice,
            self.state,
            widgets.HBox([self.open_round, self.close_round, self.reveal_round], layout=row),
            widgets.HBox([self.leaders, self.further], layout=row),
            self.corrections.widget,
            self.result,
        ]
        self.choice.observe(lambda _c: self.page.refresh(), "value")

    @property
    def round_id(self) -> int | None:
        """The round chosen in the tab."""
        return self.choice.value

    def create_round(self) -> None:
        """Prepare a new round as the form says, or save the round in preparation chosen."""
        settings = {
            "title": self.round_title.value,
            "dots_per_person": self.dots.value,
            "max_per_topic": self.cap.value,
            "visibility": Visibility.SECRET if self.secret.value else Visibility.LIVE,
            "timer_seconds": self.minutes.value * 60 or None,
            "at_zero": self.at_zero.value,
        }
        if self.editing.value:
            vote_round = self.store.update_round(
                self.editing.value, topic_ids=list(self.topics.value), **settings
            )
        else:
            vote_round = self.store.create_round(
                self.page.need_meeting(), list(self.topics.value), **settings
            )
        self.editing.value = 0
        self._select(vote_round.id)

    def _default_dots(self) -> None:
        """A third of the chosen topics (at least 1), at most 3 on one topic: set the moment
        topics are chosen, unless the facilitator typed her own."""
        dots = voting.default_dots_per_person(len(self.topics.value))
        cap = voting.default_max_per_topic(dots)
        auto_dots, auto_cap = self._auto
        if self.dots.value == auto_dots:
            self.dots.value = dots
            auto_dots = dots
        if self.cap.value == auto_cap:
            self.cap.value = cap
            auto_cap = cap
        self._auto = (auto_dots, auto_cap)

    def _fill_form(self) -> None:
        """The chosen round's settings in the form (a new round's defaults for none)."""
        rounds = {r.id: r for r in self.store.vote_rounds(self.page.meeting_id)}
        chosen = rounds.get(self.editing.value)
        if chosen is None:
            self.round_title.value = ""
            self._auto = (self.dots.value, self.cap.value)
            self.topics.value = tuple(value for _label, value in self.topics.options)
            self._default_dots()
        else:
            self._auto = (None, None)
            self.topics.value = tuple(
                t for t in chosen.topic_ids if t in dict((v, None) for _l, v in self.topics.options)
            )
            self.round_title.value = chosen.title
            self.dots.value = chosen.dots_per_person
            self.cap.value = chosen.max_per_topic
            self.secret.value = chosen.visibility is Visibility.SECRET
            self.minutes.value = (chosen.timer_seconds or 0) // 60
        label = _("Save the round") if chosen else _("Prepare vote round")
        set_if_changed(self.create, label, "description")

    def _select(self, round_id: int) -> None:
        self._refresh_choice()
        self.choice.value = round_id

    def _round_action(self, what: str) -> None:
        round_id = self.choice.value
        if round_id is None:
            raise NoRoundChosen()
        if what == "open":
            self.store.open_round(round_id, show=True, timer=True)
        elif what == "close":
            self.store.close_round(round_id, stop_timer=True)
        elif what == "reveal":
            self.store.reveal_round(round_id, show=True)
        elif what == "further":
            earlier = self.store.vote_round(round_id)
            vote_round = self.store.further_round(
                round_id, self.leaders.value, timer_seconds=earlier.timer_seconds,
                at_zero=earlier.at_zero,
            )  # fmt: skip
            self._select(vote_round.id)

    def _refresh_choice(self) -> None:
        meeting_id = self.page.meeting_id
        rounds = self.store.vote_rounds(meeting_id) if meeting_id else []
        options = [(r.title + " (" + _(VOTE_STATE_WORDS[r.state]) + ")", r.id) for r in rounds]
        set_options(self.choice, options, fallback="last")

    def refresh(self, live: LiveState) -> None:
        meeting_id = self.page.meeting_id
        topics = self.store.topics(meeting_id)
        options = [(t.title, t.id) for t in topics]
        if list(self.topics.options) != options:
            # New topics join the selection; topics the facilitator left out stay out.
            known = {value for _label, value in self.topics.options}
            selected = set(self.topics.value) | {t.id for t in topics if t.id not in known}
            self.topics.options = options
            self.topics.value = tuple(t.id for t in topics if t.id in selected)
        self._refresh_choice()
        round_id = self.choice.value
        rounds = {r.id: r for r in self.store.vote_rounds(meeting_id)}
        drafts = [(r.title, r.id) for r in rounds.values() if r.state is VoteState.DRAFT]
        set_options(self.editing, [(_("– a new round –"), 0), *drafts])
        hidden = self.store.hidden(meeting_id)[PreparedKind.VOTE_ROUND]
        chosen = rounds.get(round_id)
        self.corrections.update(chosen.title if chosen else None, hidden)
        if round_id is None:
            self.state.value = self.result.value = ""
            return
        vote_round = self.store.vote_round(round_id)
        held = self.store.dots_per_participant(round_id)
        room = voting.progress(vote_round, held, self.store.attendance(meeting_id))
        text = "; ".join(
            [
                ngettext(
                    "{voted} of {total} has placed dots",
                    "{voted} of {total} have placed dots",
                    room.voted,
                ).format(voted=room.voted, total=room.expected),
                ngettext("{n} dot each", "{n} dots each", vote_round.dots_per_person).format(
                    n=vote_round.dots_per_person
                ),
                _("at most {cap} per topic.").format(cap=vote_round.max_per_topic),
            ]
        )
        if vote_round.closed_by is ClosedBy.CLOCK:
            text += " " + _closed_text(vote_round)
        set_if_changed(self.state, f'<div class="fac-card">{esc(text)}</div>')
        set_if_changed(self.open_round, not vote_round.state.can_become(VoteState.OPEN), "disabled")
        set_if_changed(
            self.close_round, not vote_round.state.can_become(VoteState.CLOSED), "disabled"
        )
        set_if_changed(
            self.reveal_round, not vote_round.state.can_become(VoteState.REVEALED), "disabled"
        )
        try:  # a further round only over a result the room has seen
            voting.check_final(vote_round)
        except ResultNotFinal:
            final = False
        else:
            final = True
        set_if_changed(self.further, not final, "disabled")
        # The facilitator sees the tally at any time; the wall only after the reveal.
        set_if_changed(self.result, ranking_html(self.store, vote_round))


class VoteWall(ProjectorView):
    """A round's progress ("9 of 12 have placed dots"), never a secret tally; then the ranking."""

    screens = (Screen.VOTE, Screen.RESULTS)
    show_join = False
    reads = frozenset(
        {"vote_round", "round_topic", "topic", "dot_event", "meeting_participant", "presence",
         "attendance_event", "participant"}
    )  # fmt: skip

    def build(self) -> None:
        # What a dot does not change, read again only when its tables change: a dot
        # costs the wall one query (who holds how many dots).
        self._cached: dict[str, tuple[object, object]] = {}

    def _cache(self, name: str, key: object, read: Callable[[], object]) -> object:
        held = self._cached.get(name)
        if held is None or held[0] != key:
            held = (key, read())
            self._cached[name] = held
        return held[1]

    def wants(self, changes: Changes) -> bool:
        if changes.everything or changes.any_of(
            {"vote_round", "round_topic", "topic", "meeting_participant", "participant"}
        ):
            self._cached.clear()
        elif changes.any_of({"presence", "attendance_event"}):
            self._cached.pop("roll", None)
        return super().wants(changes)

    def update(self, meeting: Meeting, live: LiveState) -> None:
        set_if_changed(self.widget, self._html(meeting.id, live.subject_id))

    def _html(self, meeting_id: int, round_id: int) -> str:
        vote_round = self._cache("round", round_id, lambda: self.store.vote_round(round_id))
        if vote_round.state is VoteState.REVEALED:
            return ranking_html(self.store, vote_round)
        topics = self._cache(
            "topics", meeting_id, lambda: {t.id: t for t in self.store.topics(meeting_id)}
        )
        counted = None
        if vote_round.visibility is Visibility.LIVE:  # one read: the tally and who voted
            events = self.store.dot_events(round_id)
            counted = voting.tally(events, vote_round.topic_ids)
            held: dict[int, int] = {}
            for event in events:
                step = 1 if event.action is DotAction.PLACE else -1
                held[event.participant_id] = held.get(event.participant_id, 0) + step
            held = {person: n for person, n in held.items() if n}
        else:
            held = self.store.dots_per_participant(round_id)
        attendance = self._cache("roll", meeting_id, lambda: self.store.attendance(meeting_id))
        room = voting.progress(vote_round, held, attendance)  # type: ignore[arg-type]
        progress = ngettext(
            "{voted} of {expected} has placed dots",
            "{voted} of {expected} have placed dots",
            room.voted,
        ).format(voted=room.voted, expected=room.expected)
        progress += " · " + ngettext(
            "{done} has placed all", "{done} have placed all", room.done
        ).format(done=room.done)
        if vote_round.state is VoteState.OPEN:
            state = _("The vote is open.")
        elif vote_round.state is VoteState.CLOSED:
            state = _closed_text(vote_round)
        else:
            state = _("The vote has not started yet.")
        if counted is not None:
            listing = ranking_html(self.store, vote_round, topics=topics, counted=counted)
        else:
            listing = "".join(
                f'<div class="fac-card">{esc(topics[t].title)}</div>'
                for t in vote_round.topic_ids
                if t in topics
            )
        return (
            f"<h2>{esc(vote_round.title)}</h2>"
            f'<div class="fac-big">{esc(progress)}</div><div class="fac-muted">{esc(state)}</div>'
            f"{listing}"
        )


PART = Part(participant=VoteView, projector=VoteWall, facilitator=VotingTab)
