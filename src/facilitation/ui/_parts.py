"""How a live part plugs into the three pages: the contract.

Each live part of a workshop (challenge intake, dot-voting, collegial
consultation, themed tables, the cooperation network, ...) is one module in
``facilitation.ui`` listed in :data:`PARTS`, which declares what it adds to
each page with one :class:`Part`::

    PART = Part(participant=VoteView, projector=VoteWall, facilitator=VotingTab)

``participant``
    a :class:`ParticipantView`: what a participant's page shows while the
    facilitator has one of the part's screens open;
``projector``
    a :class:`ProjectorView`: what the wall shows then;
``facilitator``
    a :class:`FacilitatorTab`: the part's tab on the facilitator's page (the
    flow and the participants are tabs too, the first two).

A piece may use of its page only what the page's Protocol names
(:class:`ParticipantPage`, :class:`ProjectorPage`, :class:`FacilitatorPage`);
the pages (``participant.py``, ``projector.py``, ``facilitator.py``) own what
every screen shares: who is on the page, the meeting, the header with its
countdown, messages, the language, joining, the waiting screen. They build
each view of a part once, when it is first needed (a participant's next vote
screen ahead, while she waits), and from then on only show, hide
(:func:`show`) and update it: a phase switch sends a few small changes to
each browser, not new widgets.

Rules live in the store and the logic modules. A piece calls them through
:func:`act`, which turns a :class:`~facilitation.FacilitationError` into a
message; it never decides what is allowed by disabling a button: a page can
send forged widget messages.

A page re-reads only what changed (see :class:`~facilitation.store.Changes`):
a view names the tables it reads (``reads``; for a participant's view also
``own``, the tables of which only her own rows matter, and ``prepare_reads``)
and is updated when one of them changed, when what the meeting shows changed,
or when the page acts; a view that names none is updated after every change.

A part's module is imported when a page opens, so it must stay light:
heavy libraries (pandas, networkx, matplotlib) are imported inside the
functions that need them, never at the top of the module.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

import ipywidgets as widgets

from .._exceptions import FacilitationError
from ..i18n import _
from ..models import LiveState, Meeting, Participant, Screen
from ..store import Changes, Store
from ._common import esc

__all__ = [
    "PARTS",
    "ActingPage",
    "FacilitatorPage",
    "FacilitatorTab",
    "Page",
    "Part",
    "ParticipantPage",
    "ParticipantView",
    "ProjectorPage",
    "ProjectorView",
    "act",
    "part_classes",
    "set_if_changed",
    "set_options",
    "short",
    "show",
    "show_only",
    "show_own",
]

log = logging.getLogger(__name__)

# The parts, in the order of their tabs on the facilitator's page.
PARTS = (
    "flow", "people", "intake", "voting", "consultation", "tables", "network", "actions",
    "findings", "protocol",
)  # fmt: skip


# --- what a page offers its pieces ---------------------------------------------------


class Page(Protocol):
    """What every page offers the pieces on it."""

    @property
    def store(self) -> Store: ...

    def refresh(self) -> None:
        """Bring the page up to date with the store."""


class ActingPage(Page, Protocol):
    """A page whose pieces change the workspace, and say how that went."""

    def say_error(self, text: str) -> None:
        """Show a refusal or an error (as text)."""

    def say_ok(self, text: str) -> None:
        """Show that something worked."""

    def clear_message(self) -> None:
        """Take the message away."""


class ParticipantPage(ActingPage, Protocol):
    """A participant's page: who she is (known before any view updates) and the meeting."""

    @property
    def person(self) -> Participant | None: ...

    @property
    def meeting_id(self) -> int | None: ...


class ProjectorPage(Page, Protocol):
    """The wall; ``join_url`` is the address participants open."""

    @property
    def join_url(self) -> str: ...


class FacilitatorPage(ActingPage, Protocol):
    """The facilitator's page: the meeting it works on, and how its buttons act."""

    @property
    def meeting_id(self) -> int | None: ...

    @property
    def join_url(self) -> str: ...

    def need_meeting(self) -> int:
        """The chosen meeting, or a clear refusal (:class:`~facilitation.NoMeetingChosen`)."""
        ...

    def act(self, action: Callable[[], Any], done: str | None = None) -> Any:
        """:func:`act` on this page."""

    def wire(self, button: widgets.Button, action: Callable[[], Any]) -> widgets.Button:
        """Run ``action`` through :meth:`act` when ``button`` is clicked."""
        ...


# --- a part and its pieces -------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """What one part's module adds to each page (``PART``, see the module's docstring)."""

    participant: type[ParticipantView] | None = None
    projector: type[ProjectorView] | None = None
    facilitator: type[FacilitatorTab] | None = None


def part_classes(kind: Literal["participant", "projector", "facilitator"]) -> list[type[Any]]:
    """The pieces of one kind of every part, in the order of :data:`PARTS`."""
    found = []
    for name in PARTS:
        part = importlib.import_module(f"{__package__}.{name}").PART
        if not isinstance(part, Part):
            raise TypeError(f"facilitation.ui.{name}.PART is not a Part")
        piece = getattr(part, kind)
        if piece is not None:
            found.append(piece)
    return found


def act(page: ActingPage, action: Callable[[], Any], done: str | None = None) -> Any:
    """Run a change in the store from a page, and say how it went.

    A refusal (:class:`~facilitation.FacilitationError`) becomes its message;
    an unexpected error is logged and said too, never lost in a callback; on
    success ``done`` is said (or the message cleared). The page is refreshed
    either way. Returns what ``action`` returned (``True`` if that was nothing),
    ``None`` if it failed.
    """
    try:
        result = action()
    except FacilitationError as error:
        page.say_error(str(error))
        result = None
    except Exception as error:
        log.exception("an action on a page failed")
        page.say_error(_("Something went wrong: {error}").format(error=error))
        result = None
    else:
        if done:
            page.say_ok(done)
        else:
            page.clear_message()
        result = True if result is None else result
    page.refresh()  # whatever the screens show now
    return result


def show(widget: widgets.Widget, visible: bool = True) -> None:
    """Show or hide ``widget`` (only a change is sent to the browser)."""
    set_if_changed(widget.layout, "" if visible else "none", "display")


def show_only(widgets_: Sequence[widgets.Widget], shown: widgets.Widget | None) -> None:
    """Show ``shown`` and hide the others of ``widgets_``."""
    for each in widgets_:
        show(each, each is shown)


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

    page: Page

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
    page: ParticipantPage
    # Build ahead while another screen shows (for a view whose opening must be quick).
    prepares: ClassVar[bool] = False
    # The tables ``update`` reads (None: it is updated after any change), those of which
    # only her own rows matter, and the tables ``prepare`` reads.
    reads: ClassVar[frozenset[str] | None] = None
    own: ClassVar[frozenset[str]] = frozenset()
    prepare_reads: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, page: ParticipantPage) -> None:
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

    def wants(self, changes: Changes) -> bool:
        """Whether ``changes`` touch what the view shows (else it is not updated)."""
        if self.reads is None or changes.any_of(self.reads):
            return True
        person = self.page.person
        return any(changes.mine(table, person.id if person else None) for table in self.own)

    def prepare(self, live: LiveState) -> None:
        """Build ahead while another screen shows (only if ``prepares``)."""

    def act(self, action: Callable[[], Any], done: str | None = None) -> Any:
        """:func:`act` on the view's page."""
        return act(self.page, action, done)


class ProjectorView(_Piece):
    """One part's screen on the wall. ``show_join``: the join panel stays under it."""

    screens: ClassVar[tuple[Screen, ...]] = ()
    show_join: ClassVar[bool] = True
    page: ProjectorPage
    reads: ClassVar[frozenset[str] | None] = None  # the tables ``update`` reads (None: any)

    @staticmethod
    def _container() -> widgets.Widget:
        return widgets.HTML()

    def update(self, meeting: Meeting, live: LiveState) -> None:
        """Bring the view up to date with the store."""
        raise NotImplementedError

    def wants(self, changes: Changes) -> bool:
        """Whether ``changes`` touch what the view shows (else it is not updated)."""
        return self.reads is None or changes.any_of(self.reads)


class FacilitatorTab(_Piece):
    """One part's tab on the facilitator's page; ``title`` is marked for translation."""

    title: ClassVar[str] = ""
    page: FacilitatorPage

    def refresh(self, live: LiveState) -> None:
        """Bring the tab up to date with the store (the page has a meeting chosen)."""
        raise NotImplementedError
