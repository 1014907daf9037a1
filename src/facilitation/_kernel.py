"""The kernel of a page: IPython's kernel without what a Voila page can never use.

``facilitation serve`` gives its servers a kernel spec named ``python3`` that
starts ``python -m facilitation._kernel`` (see :func:`facilitation.serve.start`).
Standalone Voila passes no ``debug_request`` to a kernel, so the debugger
(debugpy, about 8 MB in every kernel) is never loaded; otherwise this is
``python -m ipykernel_launcher``.
"""

from __future__ import annotations

import sys


def main() -> None:
    sys.modules.setdefault("debugpy", None)  # type: ignore[assignment]  # import fails: no debugger
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
