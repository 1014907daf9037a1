"""The vocabulary of a consultation: phases, roles, entry kinds, methods and variants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .._exceptions import InvalidInput, word
from ..i18n import N_
from ..models import ConsultationPhase, ConsultationRole, ConsultationVariant, EntryKind

Phase = ConsultationPhase
Role = ConsultationRole
Kind = EntryKind

PHASES: tuple[ConsultationPhase, ...] = (
    Phase.CASTING,
    Phase.CASE_ACCOUNT,
    Phase.KEY_QUESTION,
    Phase.METHOD_CHOICE,
    Phase.CONSULTATION,
    Phase.CLOSING,
)
"""Tietze's six phases in their order; :attr:`ConsultationPhase.DONE` follows the last."""

PHASE_WORDS = {
    Phase.CASTING: N_("Casting"),
    Phase.CASE_ACCOUNT: N_("Case account"),
    Phase.KEY_QUESTION: N_("Key question"),
    Phase.METHOD_CHOICE: N_("Method choice"),
    Phase.CONSULTATION: N_("Consultation"),
    Phase.CLOSING: N_("Closing"),
    Phase.DONE: N_("Finished"),
}

PHASE_PURPOSES = {
    Phase.CASTING: N_(
        "The roles are given: case giver, moderator, consultants, secretary, observer."
    ),
    Phase.CASE_ACCOUNT: N_(
        "The case giver tells the case; the consultants ask questions to understand it."
    ),
    Phase.KEY_QUESTION: N_(
        "The case giver puts into one question what she wants from the consultation."
    ),
    Phase.METHOD_CHOICE: N_("Case giver and moderator choose the method of the consultation."),
    Phase.CONSULTATION: N_(
        "The consultants offer their ideas after the chosen method; the case giver listens."
    ),
    Phase.CLOSING: N_(
        "The case giver says which ideas she takes and what she will do next; a last round."
    ),
    Phase.DONE: N_("The consultation has ended. Thank you all!"),
}

ROLE_WORDS = {
    Role.CASE_GIVER: N_("Case giver"),
    Role.MODERATOR: N_("Moderator"),
    Role.CONSULTANT: N_("Consultant"),
    Role.SECRETARY: N_("Secretary"),
    Role.OBSERVER: N_("Observer"),
}

# What each kind of entry is called where several are meant ("no questions").
ENTRY_KIND_WORDS = {
    Kind.QUESTION: N_("questions"),
    Kind.IDEA: N_("ideas"),
    Kind.NOTE: N_("notes"),
    Kind.OBSERVATION: N_("observations"),
}

_ENTRY_KIND_ONE = {
    Kind.QUESTION: N_("Question"),
    Kind.IDEA: N_("Idea"),
    Kind.NOTE: N_("Note"),
    Kind.OBSERVATION: N_("Observation"),
}


# --- methods -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Method:
    """A method of the consultation phase, with a one-line description.

    ``contribution`` names what a consultant writes under this method (an idea,
    a hypothesis, a question ...); ``kind`` is how it is kept.
    """

    key: str
    name: str
    description: str
    contribution: str = N_("Idea")
    kind: EntryKind = Kind.IDEA
    case_giver_task: str | None = None


METHODS: dict[str, Method] = {
    m.key: m
    for m in (
        Method(
            "brainstorming",
            N_("Brainstorming"),
            N_(
                "Everyone offers ideas freely and quickly: quantity first, no criticism, "
                "building on each other's ideas is welcome."
            ),
        ),
        Method(
            "kopfstand",
            N_("Head-stand (Kopfstand)"),
            N_(
                "First collect what would make the problem surely worse, then turn each "
                "answer around into a solution."
            ),
        ),
        Method(
            "resonanzrunde",
            N_("Round of resonance"),
            N_(
                "In turn, each consultant says what the case stirs in her: feelings, images, "
                "associations; no advice."
            ),
            contribution=N_("Resonance"),
        ),
        Method(
            "hypothesen",
            N_("Hypotheses"),
            N_(
                "Consultants offer possible explanations of the situation (“It could be "
                "that ...”); the case giver weighs them later."
            ),
            contribution=N_("Hypothesis"),
        ),
        Method(
            "actstorming",
            N_("Actstorming"),
            N_(
                "Consultants act out the situation or a solution as a short scene; the case "
                "giver watches from outside. Write down what the scene showed."
            ),
        ),
        Method(
            "gute_ratschlaege",
            N_("Good advice"),
            N_("Each consultant gives concrete advice: “In your place I would ...”."),
            contribution=N_("Advice"),
        ),
        Method(
            "erfolgsmeldungen",
            N_("Success reports"),
            N_(
                "Consultants imagine the problem solved and report, as news from the future, "
                "what made it work."
            ),
            contribution=N_("Success report"),
        ),
        Method(
            "kreuzverhoer",
            N_("Cross-examination"),
            N_(
                "Consultants ask pointed questions in quick succession to bring blind spots "
                "to light; the case giver answers briefly."
            ),
            contribution=N_("Question"),
            kind=Kind.QUESTION,
            case_giver_task=N_(
                "Answer each question briefly and honestly; do not justify yourself. Note "
                "for yourself which questions hit home."
            ),
        ),
        Method(
            "identifikation",
            N_("Identification"),
            N_(
                "Each consultant speaks as one of the people in the case (“As the head of the "
                "building office I feel ...”)."
            ),
            contribution=N_("Perspective"),
        ),
        Method(
            "schatzsuche",
            N_("Treasure hunt"),
            N_(
                "Consultants name the strengths and resources they heard in the account that "
                "can carry a solution."
            ),
            contribution=N_("Strength"),
        ),
    )
}
"""The usual methods (Tietze's "Methodenpool" and its common additions), by key."""

DEFAULT_METHOD = "brainstorming"


def method(key: str | None) -> Method | None:
    """The method of ``key`` (``None`` for none); :class:`InvalidInput` if there is no such.

    >>> method("kopfstand").name
    'Head-stand (Kopfstand)'
    >>> method(None) is None
    True
    """
    if key is None or key == "":
        return None
    found = METHODS.get(key)
    if found is None:
        raise InvalidInput(
            field=word(N_("Method")),
            problem=word(N_("choose one of: {allowed}"), allowed=", ".join(METHODS)),
        )
    return found


def contribution_word(kind: EntryKind, method_key: str | None = None) -> str:
    """What one entry of ``kind`` is called (marked for translation), after the method.

    >>> contribution_word(Kind.IDEA, "hypothesen"), contribution_word(Kind.NOTE, "hypothesen")
    ('Hypothesis', 'Note')
    """
    chosen = METHODS.get(method_key or "")
    if chosen is not None and kind is chosen.kind:
        return chosen.contribution
    return _ENTRY_KIND_ONE[kind]


# --- variants ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Variant:
    """How a consultation is run, with its default minutes per phase and its casting rules."""

    key: ConsultationVariant
    name: str
    description: str
    phase_minutes: Mapping[ConsultationPhase, int]
    several_case_givers: bool = False  # a town's delegation may bring the case together
    consultants_from_elsewhere: bool = False  # no consultant from the case's own town


DEFAULT_PHASE_MINUTES: dict[ConsultationPhase, int] = {
    Phase.CASTING: 5,
    Phase.CASE_ACCOUNT: 10,
    Phase.KEY_QUESTION: 5,
    Phase.METHOD_CHOICE: 5,
    Phase.CONSULTATION: 15,
    Phase.CLOSING: 5,
}
"""Tietze's minutes per phase (45 minutes a case in all)."""

VARIANTS: dict[ConsultationVariant, Variant] = {
    ConsultationVariant.STANDARD: Variant(
        ConsultationVariant.STANDARD,
        N_("Collegial consultation"),
        N_(
            "A participant brings a current problem from her town; the others consult her "
            "in six fixed phases (after Tietze)."
        ),
        DEFAULT_PHASE_MINUTES,
    ),
    ConsultationVariant.FLIEGENDE_WERKSTATT: Variant(
        ConsultationVariant.FLIEGENDE_WERKSTATT,
        N_("Fliegende Werkstatt"),
        N_(
            "The host town names a problem; experts from the partner towns develop ideas and "
            "solutions on site, without taboos."
        ),
        {
            Phase.CASTING: 5,
            Phase.CASE_ACCOUNT: 30,
            Phase.KEY_QUESTION: 10,
            Phase.METHOD_CHOICE: 5,
            Phase.CONSULTATION: 45,
            Phase.CLOSING: 15,
        },
        several_case_givers=True,
        consultants_from_elsewhere=True,
    ),
}


def variant(key: ConsultationVariant | str) -> Variant:
    """The variant of ``key``; :class:`InvalidInput` if there is no such.

    >>> variant("fliegende_werkstatt").phase_minutes[Phase.CONSULTATION]
    45
    """
    try:
        return VARIANTS[ConsultationVariant(key)]
    except ValueError:
        raise InvalidInput(
            field=word(N_("Variant")),
            problem=word(N_("must be standard or fliegende_werkstatt")),
        ) from None


# the phases in which the observers see what is written
_OBSERVED = (
    Phase.CASE_ACCOUNT,
    Phase.KEY_QUESTION,
    Phase.METHOD_CHOICE,
    Phase.CONSULTATION,
    Phase.CLOSING,
)
