"""Where the files that ship beside the package are: shipped data and page notebooks."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["shared_folder"]


def shared_folder(name: str, marker: str) -> Path:
    """The folder ``name`` of the source tree, or where pip installed it (``share/facilitation``).

    ``marker`` is a file the folder must hold.
    """
    candidates = [
        Path(__file__).resolve().parents[2] / name,
        Path(sys.prefix) / "share" / "facilitation" / name,
    ]
    for candidate in candidates:
        if (candidate / marker).exists():
            return candidate
    raise FileNotFoundError(
        f"the {name} folder of facilitation is missing (looked in {candidates})"
    )
