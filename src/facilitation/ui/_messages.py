"""A page's message line: what it said belongs to the screen it was said on.

A message ("Added to the table's notes.", "Withdrawn.", a refusal) answers
something done on one screen. :class:`MessageLine` remembers the *scope* it
was said in (what the page showed then: the meeting, the screen, its subject;
on the facilitator's page the meeting worked on and the tab) and takes the
message away as soon as the page shows another scope, so that no message
outlives its moment: nothing from two meetings earlier above the findings,
no "Withdrawn." above "You are not registered for this meeting.".

The page says where it is with :meth:`MessageLine.enter` whenever it
refreshes; the pieces on it say things through the page's ``say_error``,
``say_ok`` and ``clear_message`` (see :mod:`facilitation.ui._parts`).
"""

from __future__ import annotations

from collections.abc import Hashable

import ipywidgets as widgets

from ._common import esc

__all__ = ["MessageLine"]

_NOWHERE = object()  # the scope before the page has shown anything


class MessageLine(widgets.HTML):
    """The message of a page, scoped to what the page shows (see the module's docstring)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._scope: Hashable = _NOWHERE
        self._said_in: Hashable = _NOWHERE

    @property
    def scope(self) -> Hashable:
        """What the page shows now, as last said with :meth:`enter`."""
        return self._scope

    def enter(self, scope: Hashable) -> None:
        """The page shows ``scope`` now; a message said in another scope goes away."""
        self._scope = scope
        if self._said_in != scope and self.value:
            self.value = ""

    def say_error(self, text: str) -> None:
        """A refusal or an error, for what the page shows now (read out at once)."""
        self._say(f'<div class="fac-error" role="alert">{esc(text)}</div>')

    def say_ok(self, text: str) -> None:
        """That something worked, for what the page shows now (read out politely)."""
        self._say(f'<div class="fac-ok" role="status">{esc(text)}</div>')

    def clear(self) -> None:
        """Take the message away."""
        if self.value:
            self.value = ""

    def _say(self, html: str) -> None:
        self._said_in = self._scope
        self.value = html
