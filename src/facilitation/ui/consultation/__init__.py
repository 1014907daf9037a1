"""Collegial consultation (kollegiale Beratung): each participant's page shows what her role
does in the current phase and the form her role may use now; the wall shows the phase, the
key question, the method and the questions and ideas as they come in; the facilitator casts
the roles, sets key question, method and minutes, and moves the phases with their countdown.

Every rule is the store's (``facilitation.consultation`` decides, inside the transaction that
writes): a button is only disabled for convenience, a forged click gets the same refusal.
Participant text is always shown escaped.
"""

from __future__ import annotations

from .._parts import Part
from ._shared import phase_steps
from ._tab import ConsultationTab
from ._view import ConsultationView
from ._wall import ConsultationWall

__all__ = ["PART", "phase_steps"]

PART = Part(participant=ConsultationView, projector=ConsultationWall, facilitator=ConsultationTab)
