"""The store: the only part of facilitation that talks to the database."""

from ._network import NetworkDisplay
from ._open import HEAD, REVISIONS
from ._store import DEFAULT_PHASE_MINUTES, Store

__all__ = ["DEFAULT_PHASE_MINUTES", "HEAD", "REVISIONS", "NetworkDisplay", "Store"]
