"""The change signal: cheap to ask, and ``wait`` wakes up when another connection commits."""

from __future__ import annotations

import threading
import time

import pytest

import facilitation
from facilitation import Store


def _commit_later(location: str, delay: float) -> threading.Thread:
    def commit() -> None:
        time.sleep(delay)
        with facilitation.open_workspace(location) as other:
            other.add_meeting("Später")

    thread = threading.Thread(target=commit)
    thread.start()
    return thread


def test_changed_and_wait(location: str, fresh_store: Store) -> None:
    watcher = fresh_store.watch()
    try:
        assert watcher.changed() is False
        started = time.monotonic()
        assert watcher.wait(0.2) is False
        assert time.monotonic() - started >= 0.15

        thread = _commit_later(location, 0.2)
        assert watcher.wait(30) is True  # woken by the commit, long before the timeout
        thread.join()
        while watcher.wait(0.3):  # (PostgreSQL delivers notifications a moment later)
            pass
        assert watcher.changed() is False  # each change is reported once

        fresh_store.add_meeting("Jetzt")
        assert watcher.wait(30) is True
    finally:
        watcher.close()


def test_wait_after_close_returns(sqlite_store: Store) -> None:
    watcher = sqlite_store.watch()
    watcher.wait(0.01)
    watcher.close()
    watcher.close()


def _changes_within(watcher, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = watcher.changes()
        if found is not None:
            return found
        time.sleep(0.02)
    return None


def test_changes_name_the_tables_and_whose_rows(location: str, fresh_store: Store) -> None:
    """Each write says what it wrote: a dot is the voter's, the live state anyone's."""
    store = fresh_store
    meeting = store.add_meeting("Auftakt")
    person = store.add_participant("Anna", meeting_id=meeting.id)
    topic = store.add_topic(meeting.id, "Ortskerne")
    vote_round = store.create_round(meeting.id, [topic.id])
    watcher = store.watch()
    try:
        assert watcher.changes() is None
        store.open_round(vote_round.id, show=True)  # one transaction
        found = _changes_within(watcher)
        assert found is not None and not found.everything
        assert found.any_of({"vote_round"}) and found.any_of({"meeting_live"})
        assert not found.any_of({"dot_event", "tie"})
        while _changes_within(watcher, 0.3) is not None:
            pass
        store.place_dot(vote_round.id, person.id, topic.id)
        found = _changes_within(watcher)
        assert found.mine("dot_event", person.id) and not found.mine("dot_event", person.id + 1)
        assert found.tables() == {"dot_event"}
        with pytest.raises(facilitation.NoDotsLeft):
            for _ in range(10):
                store.place_dot(vote_round.id, person.id, topic.id)
        assert watcher.changes() is None or not watcher.changes().any_of({"tie"})
    finally:
        watcher.close()


def test_a_relay_feeds_the_pages_of_a_server(location: str, fresh_store: Store, tmp_path) -> None:
    """One watcher on the database writes a feed; pages read the feed, not the database."""
    from facilitation.store._watch import ChangeWatcher, relay

    feed = tmp_path / "changes.json"
    stop = threading.Event()
    thread = threading.Thread(target=relay, args=(location, feed), kwargs={"stop": stop})
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not feed.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        pages = [ChangeWatcher(fresh_store.engine, feed=feed) for _ in range(3)]
        assert not any(page.listening for page in pages)
        meeting = fresh_store.add_meeting("Auftakt")
        fresh_store.show(meeting.id, "intake")
        for page in pages:
            found = _changes_within(page)
            assert found is not None and found.any_of({"meeting"}), found
        for page in pages:
            page.close()
    finally:
        stop.set()
        thread.join(timeout=30)


def test_a_page_watches_alone_when_its_relay_is_gone(
    sqlite_store: Store, tmp_path, monkeypatch
) -> None:
    """A feed nobody writes any more: the page notices and watches the database itself."""
    from facilitation.store import _watch

    feed = tmp_path / "changes.log"
    feed.write_text("")
    monkeypatch.setattr(_watch, "_SILENT_S", 0.3)
    page = _watch.ChangeWatcher(sqlite_store.engine, feed=feed)
    try:
        assert not page.listening
        time.sleep(0.5)
        assert page.changes().everything  # re-read everything once, then watch alone
        assert page.listening
        sqlite_store.add_meeting("Danach")
        found = _changes_within(page)
        assert found is not None and found.any_of({"meeting"})
    finally:
        page.close()
