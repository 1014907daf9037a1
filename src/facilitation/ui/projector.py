"""The projector: a clean, large-type screen for the wall, no controls.

It shows how to join, the wall of challenges as they come in, a vote's
progress (never its tally while the vote is secret), the revealed ranking and
a countdown when a timer runs.
"""

from __future__ import annotations

import os

import ipywidgets as widgets

from ..i18n import _
from ..models import Screen, Visibility, VoteState
from ..store import Store
from ._common import esc
from ._front import Countdown
from ._live import LiveLoop
from ._style import header_row, style_sheet
from ._views import challenge_cards, qr_svg, ranking_html, timer_ms

__all__ = ["ProjectorApp"]


class ProjectorApp:
    """The wall. ``widget`` is what the notebook displays."""

    def __init__(self, store: Store, *, join_url: str | None = None, live: bool = True) -> None:
        self.store = store
        self.join_url = (
            join_url if join_url is not None else os.environ.get("FACILITATION_JOIN_URL", "")
        )
        self.countdown = Countdown()
        self.title = widgets.HTML()
        self.main = widgets.HTML()
        self.join = widgets.HTML()
        self.widget = widgets.VBox(
            [
                style_sheet(),
                header_row(self.title, self.countdown),
                self.main,
                self.join,
            ]
        )
        self.widget.add_class("fac-root")
        self.widget.add_class("fac-wall")
        self._qr: dict[str, str] = {}
        self.refresh()
        self._loop = LiveLoop(store, self.refresh).start() if live else None

    def _set(self, target: widgets.HTML, html: str) -> None:
        if target.value != html:
            target.value = html

    def refresh(self) -> None:
        """Show what the meeting shows now."""
        meeting = self.store.current_meeting()
        info = self.store.info()
        if meeting is None:
            self._set(self.title, f"<h1>{esc(info.title)}</h1>")
            self._set(self.main, "")
            self._set(self.join, self._join_html(None))
            self.countdown.ends_at = 0
            return
        live = self.store.live(meeting.id)
        self.countdown.ends_at = timer_ms(live.timer_ends_at)
        self._set(self.title, f"<h1>{esc(meeting.title)}</h1>")
        main = ""
        show_join = True
        if live.screen is Screen.INTAKE:
            main = self._wall(meeting.id, live.intake_open)
        elif live.screen in (Screen.VOTE, Screen.RESULTS) and live.subject_id is not None:
            main = self._vote(meeting.id, live.subject_id)
            show_join = False
        else:
            main = f'<div class="fac-muted">{esc(info.title)}</div>'
        self._set(self.main, main)
        self._set(self.join, self._join_html(live.join_code) if show_join else "")

    def _join_html(self, code: str | None) -> str:
        if not self.join_url:
            return ""
        if self.join_url not in self._qr:
            self._qr[self.join_url] = qr_svg(self.join_url)
        join_at = esc(_("Join at"))
        code_html = ""
        if code:
            code_label = esc(_("Join code"))
            code_html = f'<div>{code_label}: <span class="fac-big">{esc(code)}</span></div>'
        return (
            f'<div class="fac-join">{self._qr[self.join_url]}<div><div>{join_at}</div>'
            f'<div class="fac-big">{esc(self.join_url)}</div>{code_html}</div></div>'
        )

    def _wall(self, meeting_id: int, intake_open: bool) -> str:
        challenges = self.store.challenges(meeting_id)
        towns = {m.id: m.name for m in self.store.municipalities()}
        count = _("{n} challenges").format(n=len(challenges))
        state = _("Submit your challenges now!") if intake_open else _("The collection is closed.")
        return f'<div class="fac-muted">{esc(count)} · {esc(state)}</div>' + challenge_cards(
            challenges, towns
        )

    def _vote(self, meeting_id: int, round_id: int) -> str:
        vote_round = self.store.vote_round(round_id)
        if vote_round.state is VoteState.REVEALED:
            return ranking_html(self.store, vote_round)
        present = self.store.seen(meeting_id)
        people = {p.id for p in self.store.participants(meeting_id)}
        expected = len(people & set(present)) or len(people)
        holding = self.store.dots_per_participant(round_id)
        voted = len([p for p in holding if p in people])
        progress = _("{voted} of {expected} have placed dots").format(
            voted=voted, expected=expected
        )
        done = len(
            [p for p, n in holding.items() if n >= vote_round.dots_per_person and p in people]
        )
        progress += " · " + _("{done} have placed all").format(done=done)
        if vote_round.state is VoteState.OPEN:
            state = _("The vote is open.")
        elif vote_round.state is VoteState.CLOSED:
            state = _("The vote is closed. The result follows.")
        else:
            state = _("The vote has not started yet.")
        topics = {t.id: t for t in self.store.topics(meeting_id)}
        if vote_round.visibility is Visibility.LIVE:
            listing = ranking_html(self.store, vote_round)
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
