"""The projector: a clean, large-type screen for the wall, no controls.

It shows how to join (QR code, address, join code), a countdown when a timer
runs, and what the facilitator has opened: each live part adds its screen as a
:class:`~facilitation.ui._parts.ProjectorView` (the wall of challenges, a
vote's progress and then its ranking, ...).
"""

from __future__ import annotations

import os

import ipywidgets as widgets

from .._exceptions import RecordNotFound
from ..i18n import _
from ..models import LiveState, Meeting, Screen, Workspace
from ..store import EVERYTHING, Changes, Store
from ._common import esc
from ._connection import Connection
from ._front import Countdown
from ._live import LiveLoop
from ._parts import ProjectorView, part_classes, set_if_changed, show_only
from ._style import header_row, style_sheet
from ._views import qr_svg, timer_ms

__all__ = ["ProjectorApp"]

_MEETING = frozenset({"workspace", "meeting"})
_LIVE = frozenset({"meeting_live"})


class ProjectorApp:
    """The wall. ``widget`` is what the notebook displays."""

    def __init__(self, store: Store, *, join_url: str | None = None, live: bool = True) -> None:
        self.store = store
        self.join_url = (
            join_url if join_url is not None else os.environ.get("FACILITATION_JOIN_URL", "")
        )
        self.countdown = Countdown()
        # A small mark when the wall lost the server; it reloads itself once it is back.
        self.connection = Connection(self.refresh, compact=True, reload=True)
        self.title = widgets.HTML()
        self.idle = widgets.HTML()
        self.join = widgets.HTML()
        self.views: list[ProjectorView] = [cls(self) for cls in part_classes("projector")]
        self._by_screen = {screen: view for view in self.views for screen in view.screens}
        self.sections = [self.idle, *(v.widget for v in self.views)]
        self.main = widgets.VBox(self.sections)
        self.widget = widgets.VBox(
            [
                style_sheet(),
                self.connection,
                header_row(self.title, self.countdown),
                self.main,
                self.join,
            ]
        )
        self.widget.add_class("fac-root")
        self.widget.add_class("fac-wall")
        self._qr: dict[str, str] = {}
        # What the last refresh read, kept until a change touches it (see refresh()).
        self._read: tuple[Meeting | None, Workspace] | None = None
        self._live: LiveState | None = None
        self.refresh()
        self._loop = LiveLoop(store, self.refresh, keep_time=True).start() if live else None

    def view(self, screen: Screen | str) -> ProjectorView:
        """The view that shows ``screen``."""
        return self._by_screen[Screen(screen)]

    def refresh(self, changes: Changes = EVERYTHING) -> None:
        """Show what the meeting shows now, re-reading only what ``changes`` touch."""
        if self._read is None or changes.any_of(_MEETING):
            self._read = (self.store.current_meeting(), self.store.info())
            self._live = None
        meeting, info = self._read
        shown = self._live
        if meeting is not None and (shown is None or changes.any_of(_LIVE)):
            self._live = self.store.live(meeting.id)
        live = self._live if meeting is not None else None
        moved = shown is None or live != shown
        self.countdown.ends_at = timer_ms(live.timer_ends_at) if live else 0
        set_if_changed(self.title, f"<h1>{esc(meeting.title if meeting else info.title)}</h1>")
        view = self._by_screen.get(live.screen) if live else None
        if view is not None:
            try:
                wanted = view.wants(changes)  # first: a view may drop what it keeps
                if wanted or moved:
                    view.update(meeting, live)
            except RecordNotFound:
                view = None
        if view is None:
            set_if_changed(self.idle, f'<div class="fac-muted">{esc(info.title)}</div>')
        shown_widget = view.widget if view is not None else self.idle
        show_only(self.sections, shown_widget)
        show_join = view is None or view.show_join
        set_if_changed(
            self.join, self._join_html(live.join_code if live else None) if show_join else ""
        )

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
