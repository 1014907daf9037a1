"""Correcting what was prepared, the same way on every tab: rename, delete (asked twice),
hide from the protocol or show it again.

The store decides what may be deleted (nothing participants gave is ever destroyed:
a round with dots, a consultation that began); its refusal is the page's message,
which says to rename or hide instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..i18n import _
from ..models import PreparedKind
from ._parts import FacilitatorPage, set_if_changed

__all__ = ["Corrections"]


class Corrections:
    """A row of controls for one chosen record: a title field with "Rename", "Delete"
    (a second click confirms) and "Hide from the protocol" / "Show in the protocol".

    ``chosen`` gives the record's id (None: nothing chosen); ``rename(id, title)``,
    ``delete(id)`` do the change through the store; hiding goes through
    ``store.set_hidden(kind, id, ...)``. :meth:`update` brings it up to date.
    """

    def __init__(
        self,
        page: FacilitatorPage,
        kind: PreparedKind,
        chosen: Callable[[], int | None],
        *,
        rename: Callable[[int, str], Any] | None,
        delete: Callable[[int], Any],
        what: str,
    ) -> None:
        self.page, self.kind, self.chosen = page, kind, chosen
        self._rename, self._delete = rename, delete
        self._armed: int | None = None  # the record a first click on "Delete" was for
        self._hidden = False
        self._shown_for: int | None = None
        self.title = widgets.Text(placeholder=_("New title"), layout={"width": "min(100%, 360px)"})
        self.title.add_class("fac-rename")
        self.rename = page.wire(
            widgets.Button(description=_("Rename"), icon="pencil"), self.do_rename
        )
        self.delete = widgets.Button(description=_("Delete {what}").format(what=what), icon="trash")
        self.delete.on_click(lambda _b: self.do_delete())
        self.hide = page.wire(widgets.Button(icon="eye-slash"), self.toggle_hidden)
        self.hide.layout.width = "auto"
        self._what = what
        items = [self.title, self.rename] if rename is not None else []
        self.widget = widgets.HBox(
            [*items, self.delete, self.hide],
            layout={"flex_flow": "row wrap", "align_items": "center"},
        )

    def do_rename(self) -> None:
        record_id = self.chosen()
        if record_id is not None and self._rename is not None:
            self._rename(record_id, self.title.value)

    def do_delete(self) -> None:
        """The first click asks; the second (for the same record) deletes."""
        record_id = self.chosen()
        if record_id is None:
            return
        if self._armed != record_id:
            self._armed = record_id
            set_if_changed(self.delete, "danger", "button_style")
            self.page.say_error(
                _("Click “{button}” once more to delete it for good.").format(
                    button=self.delete.description
                )
            )
            return
        self._armed = None
        self.page.act(
            lambda: self._delete(record_id),
            _("Deleted. The deletion is kept in the workspace's records."),
        )

    def toggle_hidden(self) -> None:
        record_id = self.chosen()
        if record_id is not None:
            self.page.store.set_hidden(self.kind, record_id, not self._hidden)

    def update(self, title: str | None, hidden: set[int]) -> None:
        """Show the chosen record's ``title`` (None: nothing chosen) and whether it is hidden."""
        record_id = self.chosen()
        self.widget.layout.display = "none" if record_id is None else ""
        if record_id is None:
            return
        if self._shown_for != record_id:  # another record: its own title, not a half-typed one
            set_if_changed(self.title, title or "")
            self._shown_for = record_id
        if self._armed != record_id:
            self._armed = None
        armed = self._armed is not None
        set_if_changed(self.delete, "danger" if armed else "", "button_style")
        self._hidden = record_id in hidden
        label = _("Show in the protocol") if self._hidden else _("Hide from the protocol")
        set_if_changed(self.hide, label, "description")
        set_if_changed(self.hide, "eye" if self._hidden else "eye-slash", "icon")
