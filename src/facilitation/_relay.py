"""The one watcher of the workspace for a group of page servers.

``facilitation serve`` runs ``python -m facilitation._relay WORKSPACE FEED``
next to its Voila servers: it watches the database (PostgreSQL: one
``LISTEN``; SQLite: the file's changes) and keeps ``FEED`` up to date with
the latest change rows (see :func:`facilitation.store._watch.relay`). Every
kernel of those servers reads the feed instead of the database, so a hundred
pages cost the database one listener. If the relay dies, the pages notice
within seconds and watch the database themselves.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    from .store._watch import relay

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m facilitation._relay WORKSPACE FEED", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    relay(args[0], args[1], stop=stop)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
