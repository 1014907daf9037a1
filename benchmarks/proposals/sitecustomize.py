"""Proposals for code the benchmarks do not own, patched into the page kernels to measure them.

``python benchmarks/run.py --proposal NAME`` puts this folder on the kernels'
``PYTHONPATH`` with ``FACILITATION_BENCH_PROPOSAL=NAME``; Python imports this
module at start-up. Nothing here is used by the product.

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

    log = logging.getLogger("facilitation.ui._live")
    gap = 0.1

    def _run(self) -> None:
        last = quiet_since = time.monotonic()
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
            except Exception:
                log.exception("refreshing the page failed")
                time.sleep(self._interval)

    _live.LiveLoop._run = _run


_PROPOSALS = {"live-wait": _live_wait}

_KERNEL = "ipykernel_launcher" in " ".join(getattr(sys, "orig_argv", []))
_WANTED = os.environ.get("FACILITATION_BENCH_PROPOSAL", "") if _KERNEL else ""
for _name in filter(None, _WANTED.split(",")):
    try:
        _PROPOSALS[_name]()
    except Exception as _error:  # a kernel must start anyway
        print(f"proposal {_name} not applied: {_error!r}", file=sys.stderr)
