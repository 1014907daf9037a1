"""The contract between the pages and the parts (facilitation.ui._parts)."""

from __future__ import annotations

import importlib
import typing

import pytest

from facilitation.ui import _parts
from facilitation.ui._parts import (
    PARTS,
    FacilitatorPage,
    FacilitatorTab,
    Part,
    ParticipantPage,
    ParticipantView,
    ProjectorPage,
    ProjectorView,
)
from facilitation.ui.facilitator import FacilitatorApp
from facilitation.ui.participant import ParticipantApp
from facilitation.ui.projector import ProjectorApp


@pytest.mark.parametrize("name", PARTS)
def test_every_part_declares_its_pieces(name: str) -> None:
    part = importlib.import_module(f"facilitation.ui.{name}").PART
    assert isinstance(part, Part)
    assert any((part.participant, part.projector, part.facilitator))
    for piece, base in (
        (part.participant, ParticipantView),
        (part.projector, ProjectorView),
        (part.facilitator, FacilitatorTab),
    ):
        assert piece is None or issubclass(piece, base)
    if part.facilitator is not None:
        assert part.facilitator.title  # its tab has a name
    if part.participant is not None:
        assert part.participant.screens  # and a participant view the screens it shows


def _members(protocol: type) -> set[str]:
    return {
        name
        for cls in protocol.__mro__
        if cls not in (object, typing.Protocol, typing.Generic)
        for name in vars(cls)
        if not name.startswith("_")
    }


@pytest.mark.parametrize(
    ("app", "protocol", "options"),
    [
        (FacilitatorApp, FacilitatorPage, {"live": False}),
        (ParticipantApp, ParticipantPage, {"live": False}),
        (ProjectorApp, ProjectorPage, {"live": False}),
    ],
)
def test_each_page_offers_what_its_protocol_names(sqlite_store, app, protocol, options) -> None:
    page = app(sqlite_store, **options)
    missing = {name for name in _members(protocol) if not hasattr(page, name)}
    assert missing == set()


def test_act_says_a_refusal_and_an_unexpected_error_and_returns_what_was_done(
    sqlite_store,
) -> None:
    page = FacilitatorApp(sqlite_store, live=False)
    assert _parts.act(page, lambda: sqlite_store.add_meeting("  ")) is None
    assert "fac-error" in page.message.value
    assert _parts.act(page, lambda: 1 / 0) is None
    assert "division by zero" in page.message.value
    meeting = _parts.act(page, lambda: sqlite_store.add_meeting("Auftakt"))
    assert meeting.title == "Auftakt" and page.message.value == ""
    assert _parts.act(page, lambda: None, done="Gespeichert") is True
    assert "Gespeichert" in page.message.value
