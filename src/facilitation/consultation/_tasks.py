"""What each role does now, in a sentence for its page; which consultation a page shows."""

from __future__ import annotations

from collections.abc import Mapping

from ..i18n import N_
from ..models import ConsultationPhase, ConsultationRole, ConsultationVariant
from ._methods import _OBSERVED, METHODS, Phase, Role

# --- what each role does -----------------------------------------------------------------

_TASKS: dict[tuple[ConsultationRole | None, ConsultationPhase], str] = {
    (Role.CASE_GIVER, Phase.CASTING): N_(
        "You bring the case. Think about what you want to tell in a few minutes."
    ),
    (Role.CASE_GIVER, Phase.CASE_ACCOUNT): N_(
        "Tell your case: the situation, who is involved, what you have tried. Then answer "
        "the consultants' questions."
    ),
    (Role.CASE_GIVER, Phase.KEY_QUESTION): N_(
        "Put into one question what you want to take from the consultation, and write it down here."
    ),
    (Role.CASE_GIVER, Phase.METHOD_CHOICE): N_(
        "Choose with the moderator the method that fits your key question."
    ),
    (Role.CASE_GIVER, Phase.CONSULTATION): N_(
        "Only listen now: do not answer or comment. Note for yourself what speaks to you."
    ),
    (Role.CASE_GIVER, Phase.CLOSING): N_(
        "Mark the ideas you take along and make next steps of them, with who does it and "
        "by when. Then thank the group."
    ),
    (Role.CASE_GIVER, Phase.DONE): N_("Thank you for bringing your case."),
    (Role.MODERATOR, Phase.CASTING): N_(
        "See that every role is taken and that everyone knows the sequence and the times."
    ),
    (Role.MODERATOR, Phase.CASE_ACCOUNT): N_(
        "Keep the time. See that the consultants ask questions to understand, not advice in "
        "disguise."
    ),
    (Role.MODERATOR, Phase.KEY_QUESTION): N_(
        "Help the case giver to put her concern into one clear key question."
    ),
    (Role.MODERATOR, Phase.METHOD_CHOICE): N_(
        "Propose two or three methods that fit; the case giver chooses."
    ),
    (Role.MODERATOR, Phase.CONSULTATION): N_(
        "Lead the method and keep the time; protect the case giver's listening."
    ),
    (Role.MODERATOR, Phase.CLOSING): N_(
        "Ask the case giver what she takes along, then a short round: what does everyone "
        "take for her own work?"
    ),
    (Role.MODERATOR, Phase.DONE): N_("Thank everyone for the consultation."),
    (Role.CONSULTANT, Phase.CASTING): N_(
        "You consult. Listen closely next: first you ask questions, later you offer ideas."
    ),
    (Role.CONSULTANT, Phase.CASE_ACCOUNT): N_(
        "Listen, then ask questions to understand the case. Type them here; no advice yet."
    ),
    (Role.CONSULTANT, Phase.KEY_QUESTION): N_(
        "Listen while the case giver puts her concern into a key question."
    ),
    (Role.CONSULTANT, Phase.METHOD_CHOICE): N_("Listen which method is chosen and how it works."),
    (Role.CONSULTANT, Phase.CONSULTATION): N_(
        "Offer your contributions after the chosen method, one at a time. Type each one "
        "here: it appears on the projector."
    ),
    (Role.CONSULTANT, Phase.CLOSING): N_(
        "Listen to what the case giver takes along. Then say what you take for your own "
        "town; you can note it here."
    ),
    (Role.CONSULTANT, Phase.DONE): N_("Thank you for your advice."),
    (Role.SECRETARY, Phase.CASTING): N_(
        "You keep the record: questions, key question, ideas and next steps."
    ),
    (Role.SECRETARY, Phase.CASE_ACCOUNT): N_(
        "Note the main facts of the case, and questions asked aloud that nobody typed."
    ),
    (Role.SECRETARY, Phase.KEY_QUESTION): N_("Note the key question word for word."),
    (Role.SECRETARY, Phase.METHOD_CHOICE): N_("Note which method is chosen, and why."),
    (Role.SECRETARY, Phase.CONSULTATION): N_(
        "Write down contributions said aloud that nobody typed, and what else should be kept."
    ),
    (Role.SECRETARY, Phase.CLOSING): N_(
        "Note what the case giver takes along and the next steps agreed."
    ),
    (Role.SECRETARY, Phase.DONE): N_("Thank you for keeping the record."),
    (Role.OBSERVER, Phase.CASTING): N_(
        "You watch how the group works together, not the content of the case."
    ),
    (Role.OBSERVER, Phase.CLOSING): N_(
        "Give the group a short feedback on the process; note your main observations here."
    ),
    (Role.OBSERVER, Phase.DONE): N_("Thank you for your observations."),
    (None, Phase.DONE): N_("The consultation has ended."),
}
_OBSERVING = N_(
    "Watch the process: time, roles, tone, who speaks how much. Note your observations here."
)
_WITHOUT_ROLE = N_(
    "You have no role in this consultation. Follow it on the projector; the facilitator can "
    "give you a role."
)
_FLYING: dict[tuple[ConsultationRole, ConsultationPhase], str] = {
    (Role.CASE_GIVER, Phase.CASE_ACCOUNT): N_(
        "Show the experts your town's problem on site: the place, the people involved, what "
        "has been tried. Then answer their questions."
    ),
    (Role.CONSULTANT, Phase.CASE_ACCOUNT): N_(
        "Look at the problem on site with the eyes of your own town, and ask what you need "
        "to understand it. Type your questions here."
    ),
    (Role.CONSULTANT, Phase.CONSULTATION): N_(
        "Develop ideas and solutions without taboos, from your own town's experience. Type "
        "each one here: it appears on the projector."
    ),
}


def task(
    role: ConsultationRole | None,
    phase: ConsultationPhase,
    variant_key: ConsultationVariant | str = ConsultationVariant.STANDARD,
    method_key: str | None = None,
) -> str:
    """What a participant in ``role`` does in ``phase`` (a marked message, in the second
    person: it is shown on her own page).

    Parameters
    ----------
    role
        Her role (``None``: she has none and follows on the projector).
    phase
        The consultation's phase.
    variant_key
        The variant: in a Fliegende Werkstatt the host town shows its problem on
        site and the experts develop ideas without taboos.
    method_key
        The chosen method: under cross-examination the case giver answers.

    Returns
    -------
    str
        The English message, marked for translation; translate it when shown.

    >>> task(Role.CASE_GIVER, Phase.CONSULTATION)
    'Only listen now: do not answer or comment. Note for yourself what speaks to you.'
    """
    if role is None:
        return _TASKS[None, Phase.DONE] if phase is Phase.DONE else _WITHOUT_ROLE
    if role is Role.CASE_GIVER and phase is Phase.CONSULTATION:
        chosen = METHODS.get(method_key or "")
        if chosen is not None and chosen.case_giver_task:
            return chosen.case_giver_task
    if ConsultationVariant(variant_key) is ConsultationVariant.FLIEGENDE_WERKSTATT:
        flying = _FLYING.get((role, phase))
        if flying is not None:
            return flying
    if role is Role.OBSERVER and phase in _OBSERVED and phase is not Phase.CLOSING:
        return _OBSERVING
    return _TASKS[role, phase]


# --- which consultation a page shows ----------------------------------------------------


def pick_consultation(subject_id: int | None, mine: Mapping[int, ConsultationPhase]) -> int | None:
    """The consultation a participant's page shows while consultations run.

    ``subject_id`` is the one on the screens; ``mine`` maps the consultations
    of the meeting in which she has a role to their phases. Groups may consult
    in parallel: each person sees the one she is cast in, the one on the
    screens when she is cast there or nowhere.

    >>> pick_consultation(1, {2: Phase.CONSULTATION})
    2
    >>> pick_consultation(1, {1: Phase.CASTING, 2: Phase.CONSULTATION})
    1
    >>> pick_consultation(1, {2: Phase.DONE})
    1
    """
    if subject_id in mine:
        return subject_id
    running = [cid for cid, phase in mine.items() if phase is not Phase.DONE]
    return max(running) if running else subject_id
