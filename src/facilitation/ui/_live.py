"""Keeping a page up to date: a thread that asks the store what changed, a few times a second.

The page's ``refresh`` gets the :class:`~facilitation.store.Changes` since the
last call and re-reads only what they touch; with nothing new it is not
called at all. Once a minute it is called with everything, in case a change
was missed. With ``FACILITATION_QUERY_COUNT`` set to a folder, the page writes
how many queries its kernel ran to a file there after each refresh (for the
benchmarks: queries per change).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from ..store import EVERYTHING, Changes, DeadlineKeeper, Store, query_count
from ._memory import release_memory

__all__ = ["LiveLoop"]

log = logging.getLogger(__name__)

FULL_S = 60.0  # at the latest, everything is read again
CALM_S = 5.0  # this long without changes: memory the refreshes freed is given back


class LiveLoop:
    """Calls ``refresh(changes)`` soon after anyone changed what the page may show."""

    def __init__(
        self,
        store: Store,
        refresh: Callable[[Changes], None],
        *,
        interval: float = 0.15,
        keep_time: bool = False,
    ) -> None:
        self._watcher = store.watch()
        # The facilitator's page and the wall close what the clock closes (as the relay of
        # a server does): a vote closes at 0:00 even where nothing else is running.
        self._keeper = DeadlineKeeper(store) if keep_time else None
        self._refresh = refresh
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="facilitation-live", daemon=True)
        folder = os.environ.get("FACILITATION_QUERY_COUNT")
        self._count_file = Path(folder) / f"{os.getpid()}.txt" if folder else None

    def start(self) -> LiveLoop:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._watcher.close()

    def _run(self) -> None:
        quiet = 0.0
        since_full = 0.0
        busy = False  # refreshed for changes since memory was last given back
        while not self._stop.wait(self._interval):
            quiet += self._interval
            since_full += self._interval
            try:
                changes = self._watcher.changes()
                if since_full >= FULL_S:
                    changes, since_full = EVERYTHING, 0.0
                if self._keeper is not None:
                    self._keeper.changed(changes if changes is not None else Changes(frozenset()))
                    self._keeper.tick()
                if changes is not None:
                    quiet = 0.0
                    busy = True
                    self._refresh(changes)
                    self._write_count()
                elif busy and quiet >= CALM_S:
                    busy = False  # the room has calmed down: give back what refreshes freed
                    release_memory()
            except Exception:  # a page must survive a failed refresh; the next one may work
                log.exception("refreshing the page failed")

    def _write_count(self) -> None:
        if self._count_file is None:
            return
        aside = self._count_file.with_suffix(".tmp")
        aside.write_text(str(query_count()))
        os.replace(aside, self._count_file)
