"""Collegial consultation (kollegiale Beratung after Tietze): pure rules over records.

One participant, the case giver, brings a current problem from her town; the
others consult her in six fixed phases, each with its time: casting of the
roles, case account (with the consultants' questions), key question, method
choice, consultation (ideas after the chosen method, the case giver only
listens) and closing (the case giver says which ideas she takes and turns them
into next steps). The variant "Fliegende Werkstatt" lets a host town name a
problem on which experts from the partner towns consult on site.

The store calls these functions inside the transaction that writes, so a rule
holds however many pages write at once; the pages call them to say what each
role does now and which form to offer.

>>> [phase.value for phase in PHASES]
['casting', 'case_account', 'key_question', 'method_choice', 'consultation', 'closing']
>>> next_phase(Phase.CLOSING).value
'done'
>>> previous_phase(Phase.CASTING) is None
True
>>> sorted(k.value for k in allowed_kinds(Role.CONSULTANT, Phase.CASE_ACCOUNT))
['question']
>>> sorted(k.value for k in allowed_kinds(Role.CONSULTANT, Phase.CONSULTATION, "kreuzverhoer"))
['question']
>>> allowed_kinds(Role.CASE_GIVER, Phase.CONSULTATION)  # the case giver only listens
frozenset()
"""

from __future__ import annotations

from ._entries import (
    allowed_kinds,
    can_take,
    can_withdraw,
    check_entry,
    check_key_question,
    check_method_choice,
    check_take,
    check_takeable,
    check_withdraw,
    contributions,
    may_take_step,
    released,
    takeable,
    visible_to,
)
from ._methods import (
    DEFAULT_METHOD,
    DEFAULT_PHASE_MINUTES,
    ENTRY_KIND_WORDS,
    METHODS,
    PHASE_PURPOSES,
    PHASE_WORDS,
    PHASES,
    ROLE_WORDS,
    VARIANTS,
    Method,
    Phase,
    Role,
    Variant,
    contribution_word,
    method,
    variant,
)
from ._phases import (
    actual_minutes,
    check_move,
    missing_for,
    next_phase,
    phase_ends_at,
    phase_number,
    previous_phase,
)
from ._roles import casting_problems, check_role, role_of, suggest_casting
from ._tasks import pick_consultation, task

__all__ = [
    "DEFAULT_METHOD",
    "DEFAULT_PHASE_MINUTES",
    "ENTRY_KIND_WORDS",
    "METHODS",
    "PHASES",
    "PHASE_PURPOSES",
    "PHASE_WORDS",
    "ROLE_WORDS",
    "VARIANTS",
    "Method",
    "Phase",
    "Role",
    "Variant",
    "actual_minutes",
    "allowed_kinds",
    "can_take",
    "can_withdraw",
    "casting_problems",
    "check_entry",
    "check_key_question",
    "check_method_choice",
    "check_move",
    "check_role",
    "check_take",
    "check_takeable",
    "check_withdraw",
    "contribution_word",
    "contributions",
    "may_take_step",
    "method",
    "missing_for",
    "next_phase",
    "phase_ends_at",
    "phase_number",
    "pick_consultation",
    "previous_phase",
    "released",
    "role_of",
    "suggest_casting",
    "takeable",
    "task",
    "variant",
    "visible_to",
]
