"""The kernel of a page: IPython's kernel without what a Voila page can never use.

``facilitation serve`` gives its servers a kernel spec named ``python3`` that
starts ``python -m facilitation._kernel`` (see :func:`facilitation.serve.start`).
Standalone Voila passes no ``debug_request`` to a kernel, so the debugger
(debugpy, about 8 MB in every kernel) is never loaded; and memory the page
freed is handed back to the system now and then (glibc keeps it otherwise:
2-3 MB a kernel). Otherwise this is ``python -m ipykernel_launcher``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
import time

TRIM_AFTER_S = (5.0, 20.0, 60.0)  # then every minute


def _trim_now_and_then() -> None:
    """Return freed heap memory to the system a few times, then once a minute."""
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    waited = 0.0
    step = 0
    while True:
        pause = TRIM_AFTER_S[step] - waited if step < len(TRIM_AFTER_S) else 60.0
        time.sleep(max(pause, 1.0))
        waited += max(pause, 1.0)
        step += 1
        trim(0)


def main() -> None:
    sys.modules.setdefault("debugpy", None)  # type: ignore[assignment]  # import fails: no debugger
    if sys.platform.startswith("linux"):
        threading.Thread(target=_trim_now_and_then, name="trim", daemon=True).start()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
