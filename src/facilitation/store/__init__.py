"""The store: the only part of facilitation that talks to the database.

:class:`Store` is one class made of one part per aggregate of the workspace
(``_people``, ``_meetings``, ``_intake``, ``_voting``, ``_consultation``,
``_tables``, ``_actions``, ``_ties``), each over :class:`~._base.StoreBase`, and
the meeting's clock (``_clock``: what closes at 0:00).
"""

from ._changes import EVERYTHING, Changes, query_count
from ._clock import DeadlineKeeper
from ._engine import sqlite_path
from ._open import HEAD, REVISIONS
from ._schema import DATE_COLUMNS, MOMENT_COLUMNS
from ._store import DEFAULT_PHASE_MINUTES, Store

__all__ = [
    "DATE_COLUMNS",
    "DEFAULT_PHASE_MINUTES",
    "EVERYTHING",
    "HEAD",
    "MOMENT_COLUMNS",
    "REVISIONS",
    "Changes",
    "DeadlineKeeper",
    "Store",
    "query_count",
    "sqlite_path",
]
