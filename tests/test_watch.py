"""The change signal: cheap to ask, and ``wait`` wakes up when another connection commits."""

from __future__ import annotations

import threading
import time

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
