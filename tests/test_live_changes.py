"""Pages re-read only what changed: counted in queries, on SQLite and on PostgreSQL.

The pages run in-process; what changed comes from the store's change log
through a real watcher, as a page's live loop gets it.
"""

from __future__ import annotations

import time

import pytest

import facilitation
from facilitation.models import Visibility
from facilitation.store import EVERYTHING, Changes, query_count
from facilitation.ui.participant import ParticipantApp
from facilitation.ui.projector import ProjectorApp

JOIN = "http://192.168.0.5:8866/"


def _next_changes(watcher) -> Changes:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = watcher.changes()
        if found is not None:
            return found
        time.sleep(0.02)
    raise AssertionError("no change arrived")


def _queries(call) -> int:
    before = query_count()
    call()
    return query_count() - before


@pytest.fixture
def room(fresh_store):
    store = fresh_store
    meeting = store.add_meeting("Auftakt")
    store.set_current_meeting(meeting.id)
    people = [store.add_participant(f"Person {i}", meeting_id=meeting.id) for i in range(3)]
    topics = [store.add_topic(meeting.id, f"Thema {i}") for i in range(3)]
    pages = []
    for person in people:
        page = ParticipantApp(store, live=False)
        page.identify(store.create_link(person.id))
        pages.append(page)
    projector = ProjectorApp(store, join_url=JOIN, live=False)
    return {"store": store, "meeting": meeting, "people": people, "topics": topics,
            "pages": pages, "projector": projector}  # fmt: skip


@pytest.mark.parametrize("visibility", [Visibility.SECRET, Visibility.LIVE])
def test_a_dot_costs_each_page_at_most_two_queries(room, visibility) -> None:
    store, topics, people = room["store"], room["topics"], room["people"]
    vote_round = store.create_round(
        room["meeting"].id, [t.id for t in topics], visibility=visibility
    )
    watcher = store.watch()
    store.open_round(vote_round.id, show=True)
    opened = _next_changes(watcher)
    for page in [*room["pages"], room["projector"]]:
        page.refresh(opened)

    store.place_dot(vote_round.id, people[0].id, topics[0].id)
    dot = _next_changes(watcher)
    assert dot.tables() == {"dot_event"}
    others = [_queries(lambda p=page: p.refresh(dot)) for page in room["pages"][1:]]
    wall = _queries(lambda: room["projector"].refresh(dot))
    own = _queries(lambda: room["pages"][0].refresh(dot))  # her second tab
    if visibility is Visibility.SECRET:
        assert others == [0, 0]  # others' dots are none of her business while secret
    else:
        assert max(others) <= 2
    assert wall <= 2 and own <= 2
    assert "1 von 3" in room["projector"].view("vote").widget.value
    held = room["pages"][0].view("vote").rows[topics[0].id][0].value
    assert "●" in held
    watcher.close()


def test_nothing_changed_reads_nothing_and_everything_reads_again(room) -> None:
    page = room["pages"][0]
    assert _queries(lambda: page.refresh(Changes(frozenset()))) == 0
    assert _queries(lambda: room["projector"].refresh(Changes(frozenset()))) == 0
    assert _queries(lambda: page.refresh(EVERYTHING)) > 0


def test_a_revoked_link_still_stops_an_open_page(room) -> None:
    store, page = room["store"], room["pages"][1]
    watcher = store.watch()
    (token,) = store.links(room["people"][1].id)
    store.revoke_link(token)
    page.refresh(_next_changes(watcher))
    assert page.person is None
    watcher.close()


def test_a_change_the_feed_missed_reads_everything(tmp_path) -> None:
    """More change rows than a look can take: the page is told everything changed."""
    from facilitation.store import _watch

    store = facilitation.create_workspace(tmp_path / "w.db", "W")
    watcher = store.watch()
    limit, _watch._LIMIT = _watch._LIMIT, 5
    try:
        for i in range(8):
            store.add_meeting(f"Treffen {i}")
        assert _next_changes(watcher).everything
        store.add_meeting("Noch eins")
        found = _next_changes(watcher)
        assert not found.everything and found.any_of({"meeting"})
    finally:
        _watch._LIMIT = limit
        watcher.close()
        store.close()
