"""How a live part plugs into the three pages.

Each live part of a workshop (challenge intake, dot-voting, collegial
consultation, themed tables, the cooperation network) is one module in
``facilitation.ui`` that may define three classes:

``PARTICIPANT``
    a :class:`ParticipantView`: what a participant's page shows while the
    facilitator has one of the part's screens open;
``PROJECTOR``
    a :class:`ProjectorView`: what the wall shows then;
``FACILITATOR``
    a :class:`FacilitatorTab`: the part's tab on the facilitator's page.

The pages (``participant.py``, ``projector.py``, ``facilitator.py``) own what
every screen shares: who is on the page, the meeting, the header with its
countdown, messages, the language, joining, the waiting screen. They build
each view of a part once, when it is first needed (a participant's next vote
screen ahead, while she waits), and from then on only show, hide and update
it: a phase switch sends a few small changes to each browser, not new widgets.

Rules live in the store and the logic modules. A view or tab calls them and
turns a :class:`~facilitation.FacilitationError` into a message
(``page.say_error``); it never decides what is allowed by disabling a
button: a page can send forged widget messages.

A part's module is imported when a page opens, so it must stay light:
heavy libraries (pandas, networkx, matplotlib) are imported inside the
functions that need them, never at the top of the module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import ipywidgets as widgets

from .._exceptions import FacilitationError
from ..i18n import _
from ..models import LiveState, Meeting, Screen
from ._common import esc

if TYPE_CHECKING:
    from ..store import Store
    from .facilitator import FacilitatorApp
    from .participant import ParticipantApp
    from .projector import ProjectorApp

__all__ = [
    "PARTS",
    "FacilitatorTab",
    "ParticipantView",
    "ProjectorView",
    "part_classes",
    "set_if_changed",
    "set_options",
    "short",
    "show_own",
]

# The live parts, in the order of their tabs on the facilitator's page.
PARTS = ("intake", "voting", "consultation", "tables", "network", "actions", "protocol")


def part_classes(kind: str) -> list[type[Any]]:
    """The classes of one kind (``PARTICIPANT``, ``PROJECTOR``, ``FACILITATOR``) of every part."""
    found = []
    for name in PARTS:
        module = importlib.import_module(f"{__package__}.{name}")
        cls = getattr(module, kind, None)
        if cls is not None:
            found.append(cls)
    return found


def set_if_changed(target: widgets.Widget, value: Any, name: str = "value") -> None:
    """Set a widget's trait only when it differs (each change is a message to the browser)."""
    if getattr(target, name) != value:
        setattr(target, name, value)


def short(text: str, limit: int) -> str:
    """``text`` on one line, cut to at most ``limit`` characters (an ellipsis ends a cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def set_options(
    choice: widgets.Dropdown,
    options: Sequence[tuple[str, Any]],
    *,
    fallback: Literal["first", "last"] = "first",
    prefer: Any = None,
) -> None:
    """Give a dropdown new options, only when they differ (each change is a message).

    What was chosen stays chosen while it is offered (ipywidgets would reset it);
    otherwise ``prefer`` if offered, else the first or last option (``fallback``).
    """
    options = list(options)
    if list(choice.options) == options:
        return
    chosen = choice.value
    values = [value for _label, value in options]
    choice.options = options
    if chosen in values:
        set_if_changed(choice, chosen)
    elif prefer is not None and prefer in values:
        set_if_changed(choice, prefer)
    elif values:
        set_if_changed(choice, values[0] if fallback == "first" else values[-1])


def show_own(
    box: widgets.Box,
    rows: dict[int, widgets.Widget],
    own: Sequence[Any],
    withdraw: Callable[[int], None],
) -> None:
    """Show in ``box`` what she wrote herself (records with ``id`` and ``text``), each with a
    button that calls ``withdraw(id)``. A record's row is made once and kept in ``rows``."""
    wrote = esc(_("You wrote"))
    for item in own:
        if item.id not in rows:
            button = widgets.Button(
                description=_("Withdraw"), icon="undo", layout={"flex": "0 0 auto"}
            )
            button.on_click(lambda _b, i=item.id: withdraw(i))
            label = widgets.HTML(
                f'<span class="fac-muted">{wrote}:</span> {esc(item.text)}',
                layout={"flex": "1 1 0", "min_width": "0"},
            )
            row = widgets.HBox([label, button], layout={"align_items": "center"})
            row.add_class("fac-mine")
            rows[item.id] = row
    set_if_changed(box, tuple(rows[item.id] for item in own), "children")


class _Piece:
    """What views and tabs share: their page, their widget, the store."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.widget: widgets.Widget = self._container()
        self.build()

    @staticmethod
    def _container() -> widgets.Widget:
        return widgets.VBox()

    @property
    def store(self) -> Store:
        return self.page.store

    def build(self) -> None:
        """Make the widgets (called once; a participant view again after a change of language)."""


class ParticipantView(_Piece):
    """One part's screen on a participant's page.

    ``build`` makes the widgets (again when the language changes), ``update``
    brings them up to date while one of ``screens`` is shown, ``prepare``
    may build ahead while the page waits, so that opening is quick.
    """

    screens: ClassVar[tuple[Screen, ...]] = ()
    page: ParticipantApp
    # Build ahead while another screen shows (for a view whose opening must be quick).
    prepares: ClassVar[bool] = False

    def __init__(self, page: ParticipantApp) -> None:
        # Built when first needed: thirty kernels need not hold the widgets of screens
        # that a workshop never opens.
        self.page = page
        self.widget = self._container()
        self.built = False

    def ensure_built(self) -> ParticipantView:
        """Build the widgets if that has not happened yet; the view itself."""
        if not self.built:
            self.build()
            self.built = True
        return self

    def update(self, live: LiveState) -> None:
        """Bring the view up to date with the store; ``page.person`` is known here."""
        raise NotImplementedError

    def prepare(self, live: LiveState) -> None:
        """Build ahead while another screen shows (only if ``prepares``)."""

    def act(self, action: Callable[[], Any], done: str | None = None) -> bool:
        """Run a change in the store; a refusal becomes a message, success says ``done`` (or
        clears the message). The page is refreshed either way; True if the change was made."""
        try:
            action()
        except FacilitationError as error:
            self.page.say_error(str(error))
            ok = False
        else:
            if done:
                self.page.say_ok(done)
            else:
                self.page.clear_message()
            ok = True
        self.page.refresh()  # whatever the screens show now
        return ok


class ProjectorView(_Piece):
    """One part's screen on the wall. ``show_join``: the join panel stays under it."""

    screens: ClassVar[tuple[Screen, ...]] = ()
    show_join: ClassVar[bool] = True
    page: ProjectorApp

    @staticmethod
    def _container() -> widgets.Widget:
        return widgets.HTML()

    def update(self, meeting: Meeting, live: LiveState) -> None:
        """Bring the view up to date with the store."""
        raise NotImplementedError


class FacilitatorTab(_Piece):
    """One part's tab on the facilitator's page; ``title`` is marked for translation."""

    title: ClassVar[str] = ""
    page: FacilitatorApp

    def refresh(self, live: LiveState) -> None:
        """Bring the tab up to date with the store (the page has a meeting chosen)."""
        raise NotImplementedError
