"""The kernel of a page: IPython's kernel without what a Voila page can never use.

``facilitation serve`` gives its servers a kernel spec named ``python3`` that
starts ``python -m facilitation._kernel`` (see :func:`facilitation.serve.start`).
Standalone Voila passes no ``debug_request`` to a kernel, so the debugger
(debugpy, about 8 MB in every kernel) is never loaded; otherwise this is
``python -m ipykernel_launcher``.

A kernel ends with its server: jupyter_client starts it in a session of its
own, so a server that is killed (not stopped) would leave it running, holding
memory and the workspace. IPython's own watch only notices a parent replaced
by process 1, which a service manager or a desktop session (subreapers) never
is; here a thread notices any change of parent within a second.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

CHECK_S = 1.0  # how often the kernel looks whether its server is still there


def _watch_parent(parent: int, connection_file: str | None) -> None:
    """End this process (and its connection file) once ``parent`` is no longer its parent."""
    while os.getppid() == parent:
        threading.Event().wait(CHECK_S)
    if connection_file:
        with contextlib.suppress(OSError):
            os.remove(connection_file)
    os._exit(0)  # nothing to save: every write went to the store in its own transaction


def _connection_file(argv: list[str]) -> str | None:
    for index, arg in enumerate(argv):
        if arg == "-f" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--f="):
            return arg.removeprefix("--f=")
    return None


def main() -> None:
    parent = os.getppid()
    expected = os.environ.get("JPY_PARENT_PID", "")
    if expected.isdigit() and int(expected) != parent:  # the server died as it started us
        sys.exit(0)
    watch = threading.Thread(
        target=_watch_parent, args=(parent, _connection_file(sys.argv)), daemon=True,
        name="facilitation-parent",
    )  # fmt: skip
    watch.start()
    sys.modules.setdefault("debugpy", None)  # type: ignore[assignment]  # import fails: no debugger
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
