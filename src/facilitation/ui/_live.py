"""Keeping a page up to date: a thread that asks the store's watcher a few times a second."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ..store import Store
from ._memory import release_memory

__all__ = ["LiveLoop"]

log = logging.getLogger(__name__)


class LiveLoop:
    """Calls ``refresh`` soon after anyone changed the workspace (and once a while anyway)."""

    def __init__(
        self, store: Store, refresh: Callable[[], None], *, interval: float = 0.15
    ) -> None:
        self._watcher = store.watch()
        self._refresh = refresh
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="facilitation-live", daemon=True)

    def start(self) -> LiveLoop:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._watcher.close()

    def _run(self) -> None:
        quiet = 0.0
        busy = False  # refreshed for changes since memory was last given back
        while not self._stop.wait(self._interval):
            quiet += self._interval
            try:
                if self._watcher.changed():
                    quiet = 0.0
                    busy = True
                    self._refresh()
                elif quiet >= 5.0:
                    quiet = 0.0
                    self._refresh()
                    if busy:  # the room has calmed down: give back what the refreshes freed
                        busy = False
                        release_memory()
            except Exception:  # a page must survive a failed refresh; the next one may work
                log.exception("refreshing the page failed")
