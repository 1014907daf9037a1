"""Giving memory a page no longer uses back to the laptop.

A page's kernel allocates a lot while it starts and builds its screens (compiled
statements, widget states, the notebook) and frees most of it again; glibc keeps
freed memory in its heap, so each of thirty kernels would hold a few MB it does
not use. :func:`release_memory` asks glibc to return it (``malloc_trim``). On a
system without glibc it only collects garbage.
"""

from __future__ import annotations

import gc
import sys

__all__ = ["release_memory"]

_trim: object = None  # None: not looked up yet; False: not available


def release_memory() -> None:
    """Collect garbage and give the heap's free memory back to the system."""
    global _trim
    gc.collect()
    if _trim is None:
        _trim = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes  # only here: a page that never gets this far does not load it

                _trim = ctypes.CDLL(None).malloc_trim  # glibc; musl has none
            except (OSError, AttributeError):
                pass
    if _trim:
        _trim(0)  # type: ignore[operator]
