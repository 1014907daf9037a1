"""What every page needs: the workspace it serves, the facilitator's key, safe text, the
choice of what happens at 0:00."""

from __future__ import annotations

import hmac
import html
import os
from urllib.parse import parse_qs

from .. import open_workspace
from ..i18n import _
from ..models import AtZero
from ..store import Store

__all__ = [
    "at_zero_options",
    "esc",
    "key_from_query",
    "key_matches",
    "workspace_from_environment",
]


def esc(text: object) -> str:
    """Text for inclusion in HTML: participant text is always shown as text."""
    return html.escape(str(text), quote=True)


def workspace_from_environment() -> Store:
    """The workspace the page server was started for (``FACILITATION_WORKSPACE``)."""
    location = os.environ.get("FACILITATION_WORKSPACE")
    if not location:
        raise RuntimeError(
            "FACILITATION_WORKSPACE is not set: start the pages with 'facilitation serve'"
        )
    return open_workspace(location)


def key_from_query() -> str:
    """The ``key`` of the page's URL as the server saw it (pages without preheating only)."""
    values = parse_qs(os.environ.get("QUERY_STRING", "")).get("key", [""])
    return values[0]


def key_matches(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def at_zero_options(default: AtZero) -> list[tuple[str, str]]:
    """The choices of what happens when a countdown reaches 0:00, ``default`` first."""
    options = [(_("close by itself"), AtZero.CLOSE.value), (_("only signal"), AtZero.SIGNAL.value)]
    return sorted(options, key=lambda option: option[1] != default.value)
