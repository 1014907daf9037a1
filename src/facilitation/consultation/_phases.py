"""The phases in their order, their times and what a move to the next one needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from .._exceptions import PhaseNotReady, word
from ..i18n import N_
from ..models import Consultation, ConsultationPhase, PhaseChange, RoleAssignment
from ._methods import PHASE_WORDS, PHASES, Phase, Role

# --- phases --------------------------------------------------------------------------


def phase_number(phase: ConsultationPhase) -> int:
    """The phase's place, 1 to 6 (7 once the consultation has ended).

    >>> phase_number(Phase.CASTING), phase_number(Phase.CLOSING), phase_number(Phase.DONE)
    (1, 6, 7)
    """
    return PHASES.index(phase) + 1 if phase in PHASES else len(PHASES) + 1


def next_phase(phase: ConsultationPhase) -> ConsultationPhase | None:
    """The phase after ``phase`` (``DONE`` after the closing; ``None`` after that)."""
    order = (*PHASES, Phase.DONE)
    index = order.index(phase)
    return order[index + 1] if index + 1 < len(order) else None


def previous_phase(phase: ConsultationPhase) -> ConsultationPhase | None:
    """The phase before ``phase`` (``None`` for the casting)."""
    order = (*PHASES, Phase.DONE)
    index = order.index(phase)
    return order[index - 1] if index > 0 else None


def phase_ends_at(consultation: Consultation) -> dt.datetime | None:
    """When the current phase's time runs out (``None`` before the start, or without minutes).

    >>> import datetime as dt
    >>> from facilitation.models import Consultation
    >>> start = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)
    >>> case = Consultation(id=1, meeting_id=1, title="Fall", phase=Phase.CASE_ACCOUNT,
    ...                     phase_started_at=start, phase_minutes={"case_account": 12},
    ...                     created_at=start)
    >>> phase_ends_at(case).time()
    datetime.time(9, 12)
    """
    minutes = consultation.phase_minutes.get(consultation.phase.value, 0)
    if consultation.phase_started_at is None or not minutes:
        return None
    return consultation.phase_started_at + dt.timedelta(minutes=minutes)


def actual_minutes(
    changes: Sequence[PhaseChange], until: dt.datetime | None = None
) -> dict[ConsultationPhase, float]:
    """Minutes spent in each phase, from the consultation's log of phase changes.

    A phase visited twice (the facilitator went back) counts both visits; the
    phase in course counts until ``until`` (or not at all without it).

    >>> import datetime as dt
    >>> from facilitation.models import PhaseChange
    >>> at = lambda m: dt.datetime(2026, 3, 12, 9, m, tzinfo=dt.UTC)
    >>> log = [PhaseChange(id=1, consultation_id=1, phase=Phase.CASE_ACCOUNT, at=at(0)),
    ...        PhaseChange(id=2, consultation_id=1, phase=Phase.KEY_QUESTION, at=at(12)),
    ...        PhaseChange(id=3, consultation_id=1, phase=Phase.CASE_ACCOUNT, at=at(14)),
    ...        PhaseChange(id=4, consultation_id=1, phase=Phase.KEY_QUESTION, at=at(17))]
    >>> {p.value: m for p, m in actual_minutes(log, until=at(20)).items()}
    {'case_account': 15.0, 'key_question': 5.0}
    """
    spent: dict[ConsultationPhase, float] = {}
    ordered = sorted(changes, key=lambda c: (c.at, c.id))
    for change, following in zip(ordered, [*ordered[1:], None], strict=True):
        end = following.at if following is not None else until
        if end is None or change.phase is Phase.DONE:
            continue
        seconds = max(0.0, (end - change.at).total_seconds())
        spent[change.phase] = spent.get(change.phase, 0.0) + seconds / 60
    return spent


def missing_for(
    phase: ConsultationPhase, consultation: Consultation, roles: Iterable[RoleAssignment]
) -> list[str]:
    """What must be settled before ``phase`` may begin (marked messages; empty: ready).

    From the case account on, a case giver and a consultant are cast; from the
    method choice on, the key question is written down; from the consultation
    on, a method is chosen. Going back is always possible to a phase whose
    conditions hold.
    """
    cast = {r.role for r in roles}
    missing = []
    if phase_number(phase) >= phase_number(Phase.CASE_ACCOUNT):
        if Role.CASE_GIVER not in cast:
            missing.append(N_("no case giver is cast"))
        if Role.CONSULTANT not in cast:
            missing.append(N_("no consultant is cast"))
    if phase_number(phase) >= phase_number(Phase.METHOD_CHOICE) and not (
        consultation.key_question.strip()
    ):
        missing.append(N_("the key question is not written down yet"))
    if phase_number(phase) >= phase_number(Phase.CONSULTATION) and not consultation.method:
        missing.append(N_("no method is chosen yet"))
    return missing


def check_move(
    consultation: Consultation, roles: Iterable[RoleAssignment], phase: ConsultationPhase
) -> None:
    """Raise :class:`PhaseNotReady` unless ``phase`` may begin now."""
    missing = missing_for(phase, consultation, roles)
    if missing:
        raise PhaseNotReady(phase=word(PHASE_WORDS[phase]), reasons=_joined(missing))


def _joined(messages: Sequence[str]) -> str:
    """Several marked messages as one detail: each translated when shown, joined by "; "."""
    params = {f"m{i}": word(message) for i, message in enumerate(messages)}
    return word("; ".join(f"{{m{i}}}" for i in range(len(messages))), **params)
