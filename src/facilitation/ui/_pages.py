"""The three pages as the notebooks show them: participant, facilitator controls, projector."""

from __future__ import annotations

import ipywidgets as widgets

from .._exceptions import FacilitationError
from ..i18n import _
from ..store import Store
from ._common import esc, key_from_query, key_matches, workspace_from_environment
from ._style import style_sheet

__all__ = ["facilitator_app", "participant_app", "projector_app"]


def _error(message: str) -> widgets.Widget:
    shown = widgets.HTML(f'<div class="fac-error">{esc(message)}</div>')
    box = widgets.VBox([style_sheet(), shown])
    box.add_class("fac-root")
    return box


def _open(*, facilitator: bool) -> Store | widgets.Widget:
    """The page's workspace; for the facilitator's pages only with the facilitator's key."""
    try:
        store = workspace_from_environment()
    except FacilitationError as error:
        return _error(str(error))
    if facilitator and not key_matches(key_from_query(), store.facilitator_key()):
        store.close()
        return _error(
            _(
                "This page is for the facilitator only. Open it with the address that "
                "'facilitation serve' printed."
            )
        )
    return store


def _made(page: widgets.Widget) -> widgets.Widget:
    """A page just made; what making it freed goes back to the laptop (a preheated
    kernel may wait a long time for its participant)."""
    from ._memory import release_memory

    release_memory()
    return page


def facilitator_app() -> widgets.Widget:
    """The facilitator's controls."""
    from .facilitator import FacilitatorApp

    store = _open(facilitator=True)
    return store if isinstance(store, widgets.Widget) else _made(FacilitatorApp(store).widget)


def projector_app() -> widgets.Widget:
    """The wall."""
    from .projector import ProjectorApp

    store = _open(facilitator=True)
    return store if isinstance(store, widgets.Widget) else _made(ProjectorApp(store).widget)


def participant_app() -> widgets.Widget:
    """A participant's page (who she is comes from the browser: pages are preheated)."""
    from .participant import ParticipantApp

    store = _open(facilitator=False)
    return store if isinstance(store, widgets.Widget) else _made(ParticipantApp(store).widget)
