"""Proposals for code the benchmarks do not own, patched into the page kernels to measure them.

``python benchmarks/run.py --proposal NAME`` puts this folder on the kernels'
``PYTHONPATH`` with ``FACILITATION_BENCH_PROPOSAL=NAME``; Python imports this
module at start-up. Nothing here is used by the product.

- ``write-lock`` (store benchmark; patched in the voting processes, not here):
  SQLite write transactions take an ``fcntl`` lock on ``NAME.db-writelock``
  before ``BEGIN IMMEDIATE``, so a waiting writer is woken the moment the lock
  is free instead of sleeping in SQLite's busy handler (1, 2, 5, 10, ... ms);
  see :func:`write_lock`.
- ``prebuilt-vote`` (live benchmark, no patch): the facilitator prepares a round
  while the pages show the waiting screen, where the participant page already
  builds a prepared round's screen ahead, instead of the intake screen, where
  it does not; measures what building every prepared round ahead would gain.
- ``live-wait``: the page's live loop (``ui/_live.py``) sleeps in
  ``ChangeWatcher.wait()`` (woken by the commit itself) instead of asking
  every 0.15 s, and refreshes at most every 0.1 s (a burst of commits is one
  refresh).
"""

from __future__ import annotations

import os
import sys


def _live_wait() -> None:
    import logging
    import time

    from facilitation.ui import _live
    from facilitation.ui._memory import release_memory

    log = logging.getLogger("facilitation.ui._live")
    gap = 0.1

    def _run(self) -> None:
        last = quiet_since = time.monotonic()
        busy = False  # as in the product's loop: memory is given back once the room calms
        while not self._stop.is_set():
            try:
                changed = self._watcher.wait(self._interval)
                if self._stop.is_set():
                    return
                now = time.monotonic()
                if not changed and now - quiet_since < 5.0:
                    continue
                if now - last < gap:  # commits that come meanwhile are in this refresh
                    self._stop.wait(gap - (now - last))
                    self._watcher.changed()
                quiet_since = last = time.monotonic()
                self._refresh()
                if changed:
                    busy = True
                elif busy:
                    busy = False
                    release_memory()
            except Exception:
                log.exception("refreshing the page failed")
                time.sleep(self._interval)

    _live.LiveLoop._run = _run


def write_lock() -> None:
    """Serialise SQLite writers on an fcntl lock (a proposal for ``store/_engine.write``)."""
    import contextlib
    import fcntl

    from facilitation.store import _base, _engine

    original = _engine.write
    files: dict[str, int] = {}

    @contextlib.contextmanager
    def write(engine):
        path = _engine.sqlite_path(str(engine.url.database)) if engine.url.database else None
        if engine.dialect.name != "sqlite" or path is None:
            with original(engine) as connection:
                yield connection
            return
        lock = str(path) + "-writelock"
        if lock not in files:
            files[lock] = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.lockf(files[lock], fcntl.LOCK_EX)
        try:
            with original(engine) as connection:
                yield connection
        finally:
            fcntl.lockf(files[lock], fcntl.LOCK_UN)

    _engine.write = write
    _base.write = write


_PROPOSALS = {"live-wait": _live_wait}

_ARGV = " ".join(getattr(sys, "orig_argv", []))
_KERNEL = "ipykernel_launcher" in _ARGV or "facilitation._kernel" in _ARGV
_WANTED = os.environ.get("FACILITATION_BENCH_PROPOSAL", "") if _KERNEL else ""
for _name in filter(None, _WANTED.split(",")):
    try:
        if _name in _PROPOSALS:  # (others are not patches: the benchmarks act on them)
            _PROPOSALS[_name]()
    except Exception as _error:  # a kernel must start anyway
        print(f"proposal {_name} not applied: {_error!r}", file=sys.stderr)
