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
>>> next_phase(ConsultationPhase.CLOSING).value
'done'
>>> previous_phase(ConsultationPhase.CASTING) is None
True
>>> sorted(k.value for k in allowed_kinds(Role.CONSULTANT, Phase.CASE_ACCOUNT))
['question']
>>> sorted(k.value for k in allowed_kinds(Role.CONSULTANT, Phase.CONSULTATION, "kreuzverhoer"))
['question']
>>> allowed_kinds(Role.CASE_GIVER, Phase.CONSULTATION)  # the case giver only listens
frozenset()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ._exceptions import (
    ConsultationOver,
    EntryNotAllowed,
    InvalidInput,
    NotTakeable,
    NotYourEntry,
    NotYourStep,
    PhaseNotReady,
    RoleNotForVariant,
    RoleTaken,
    word,
)
from .i18n import N_
from .models import (
    Consultation,
    ConsultationEntry,
    ConsultationPhase,
    ConsultationRole,
    ConsultationVariant,
    EntryKind,
    Participant,
    PhaseChange,
    RoleAssignment,
)

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


# --- roles ---------------------------------------------------------------------------


def role_of(roles: Iterable[RoleAssignment], participant_id: int | None) -> ConsultationRole | None:
    """The role ``participant_id`` has in a consultation (``None``: none)."""
    for assignment in roles:
        if assignment.participant_id == participant_id:
            return assignment.role
    return None


def check_role(
    consultation: Consultation,
    roles: Iterable[RoleAssignment],
    person: Participant,
    role: ConsultationRole,
    *,
    names: Mapping[int, str] | None = None,
    town: str = "",
) -> None:
    """Raise why ``person`` may not take ``role``.

    One moderator; one case giver unless the variant lets a town's delegation
    bring the case; in a Fliegende Werkstatt the case givers come from the
    host town and the consultants from the partner towns.

    Parameters
    ----------
    consultation
        The consultation, with its variant and the case's town.
    roles
        The roles cast so far (hers, if any, is ignored).
    person
        The participant to cast.
    role
        The role she is to take.
    names
        Participant names by id, to name who holds a role already.
    town
        The name of the case's town, for the message.

    Raises
    ------
    RoleTaken
        The role is held by someone else and is held only once.
    RoleNotForVariant
        The variant's rule about towns forbids it.
    """
    others = [r for r in roles if r.participant_id != person.id]
    rules = variant(consultation.variant)
    single = {Role.MODERATOR} | (set() if rules.several_case_givers else {Role.CASE_GIVER})
    if role in single:
        for other in others:
            if other.role is role:
                name = (names or {}).get(other.participant_id, str(other.participant_id))
                raise RoleTaken(name=name, role=word(ROLE_WORDS[role]))
    home = consultation.municipality_id
    if rules.consultants_from_elsewhere and home is not None and person.municipality_id:
        if role is Role.CONSULTANT and person.municipality_id == home:
            raise RoleNotForVariant(
                name=person.name,
                role=word(ROLE_WORDS[role]),
                reason=word(
                    N_("the experts who consult come from the partner towns, not from {town}"),
                    town=town,
                ),
            )
        if role is Role.CASE_GIVER and person.municipality_id != home:
            raise RoleNotForVariant(
                name=person.name,
                role=word(ROLE_WORDS[role]),
                reason=word(N_("the case givers come from the host town {town}"), town=town),
            )


def casting_problems(consultation: Consultation, roles: Sequence[RoleAssignment]) -> list[str]:
    """Advice on the casting (marked messages): what is missing or unusual, not forbidden.

    >>> import datetime as dt
    >>> from facilitation.models import Consultation, RoleAssignment
    >>> case = Consultation(id=1, meeting_id=1, title="Fall", created_at=dt.datetime.now(dt.UTC))
    >>> casting_problems(case, [RoleAssignment(consultation_id=1, participant_id=1,
    ...                                        role=Role.CASE_GIVER)])
    ['no moderator is cast', 'no consultant is cast']
    """
    cast = [r.role for r in roles]
    problems = []
    if Role.CASE_GIVER not in cast:
        problems.append(N_("no case giver is cast"))
    if Role.MODERATOR not in cast:
        problems.append(N_("no moderator is cast"))
    consultants = cast.count(Role.CONSULTANT)
    if consultants == 0:
        problems.append(N_("no consultant is cast"))
    elif consultants < 3:
        problems.append(N_("fewer than three consultants: ideas may run short"))
    elif consultants > 8:
        problems.append(N_("more than eight consultants: consider two groups"))
    return problems


def suggest_casting(
    people: Sequence[Participant],
    consultation: Consultation,
    *,
    case_giver_ids: Iterable[int] = (),
) -> dict[int, ConsultationRole]:
    """A first casting for ``people`` (in their order), which the facilitator then adjusts.

    The case giver is the one named (or the first person); in a Fliegende
    Werkstatt everybody from the host town brings the case together. Then a
    moderator, a secretary from five people on, an observer from eight on,
    taken first from the case's own town (they know the case); everybody else
    consults, so that the consultants bring the view from outside.

    Parameters
    ----------
    people
        The participants to cast, in the order to consider them.
    consultation
        The consultation (its variant and the case's town count).
    case_giver_ids
        Who brings the case; by default the host town's people in a Fliegende
        Werkstatt, else the first person.

    Returns
    -------
    dict
        Participant id to role, for everyone in ``people``.

    >>> import datetime as dt
    >>> from facilitation.models import Consultation, Participant
    >>> now = dt.datetime.now(dt.UTC)
    >>> people = [Participant(id=i, name=f"P{i}", created_at=now) for i in range(1, 9)]
    >>> case = Consultation(id=1, meeting_id=1, title="Fall", created_at=now)
    >>> cast = suggest_casting(people, case, case_giver_ids=[3])
    >>> {p: r.value for p, r in cast.items()}  # doctest: +NORMALIZE_WHITESPACE
    {3: 'case_giver', 1: 'moderator', 2: 'secretary', 4: 'observer', 5: 'consultant',
     6: 'consultant', 7: 'consultant', 8: 'consultant'}
    """
    rules = variant(consultation.variant)
    chosen = list(dict.fromkeys(case_giver_ids))
    home = consultation.municipality_id
    if not chosen and rules.several_case_givers and home is not None:
        chosen = [p.id for p in people if p.municipality_id == home]
    if not chosen and people:
        chosen = [people[0].id]
    if not rules.several_case_givers:
        chosen = chosen[:1]
    cast: dict[int, ConsultationRole] = {pid: Role.CASE_GIVER for pid in chosen}
    case_towns = {p.municipality_id for p in people if p.id in cast} - {None}
    if home is not None:
        case_towns.add(home)
    rest = [p for p in people if p.id not in cast]
    # Helpers from the case's own town first (they know the case), the experts consult.
    rest.sort(key=lambda p: p.municipality_id not in case_towns)
    helpers = [Role.MODERATOR]
    if len(people) >= 5:
        helpers.append(Role.SECRETARY)
    if len(people) >= 8:
        helpers.append(Role.OBSERVER)
    for person, role in zip(rest, helpers, strict=False):
        cast[person.id] = role
    for person in rest[len(helpers) :]:
        cast[person.id] = Role.CONSULTANT
    return cast


# --- entries -------------------------------------------------------------------------

_WRITES: dict[tuple[ConsultationRole, ConsultationPhase], frozenset[EntryKind]] = {
    (Role.CONSULTANT, Phase.CASE_ACCOUNT): frozenset({Kind.QUESTION}),
    (Role.MODERATOR, Phase.CASE_ACCOUNT): frozenset({Kind.QUESTION}),
    (Role.SECRETARY, Phase.CASE_ACCOUNT): frozenset({Kind.NOTE, Kind.QUESTION}),
    (Role.SECRETARY, Phase.KEY_QUESTION): frozenset({Kind.NOTE}),
    (Role.SECRETARY, Phase.METHOD_CHOICE): frozenset({Kind.NOTE}),
    (Role.SECRETARY, Phase.CLOSING): frozenset({Kind.NOTE}),
    (Role.CASE_GIVER, Phase.CLOSING): frozenset({Kind.NOTE}),
    (Role.CONSULTANT, Phase.CLOSING): frozenset({Kind.NOTE}),
    (Role.MODERATOR, Phase.CLOSING): frozenset({Kind.NOTE}),
}
_OBSERVED = (
    Phase.CASE_ACCOUNT,
    Phase.KEY_QUESTION,
    Phase.METHOD_CHOICE,
    Phase.CONSULTATION,
    Phase.CLOSING,
)


def allowed_kinds(
    role: ConsultationRole | None, phase: ConsultationPhase, method_key: str | None = None
) -> frozenset[EntryKind]:
    """What a participant in ``role`` may write in ``phase`` (under the chosen method).

    Consultants ask questions in the case account and offer ideas (or what the
    method asks for) in the consultation; the case giver only listens then.
    The secretary notes and writes down what is said aloud; the observer
    writes observations from the case account to the closing. In the closing,
    case giver, moderator and consultants may note what they take along.

    Parameters
    ----------
    role
        The participant's role in the consultation (``None``: she has none).
    phase
        The consultation's current phase.
    method_key
        The chosen method (a key of :data:`METHODS`); brainstorming if none.

    Returns
    -------
    frozenset of EntryKind
        The kinds of entry she may add now; empty when she only listens.

    Examples
    --------
    >>> sorted(k.value for k in allowed_kinds(Role.SECRETARY, Phase.CONSULTATION))
    ['idea', 'note']
    >>> sorted(k.value for k in allowed_kinds(Role.OBSERVER, Phase.KEY_QUESTION))
    ['observation']
    """
    if role is None:
        return frozenset()
    if role is Role.OBSERVER:
        return frozenset({Kind.OBSERVATION}) if phase in _OBSERVED else frozenset()
    if phase is Phase.CONSULTATION:
        chosen = METHODS.get(method_key or DEFAULT_METHOD, METHODS[DEFAULT_METHOD])
        if role is Role.CONSULTANT:
            return frozenset({chosen.kind})
        if role is Role.SECRETARY:
            return frozenset({Kind.NOTE, chosen.kind})
        return frozenset()
    return _WRITES.get((role, phase), frozenset())


def check_entry(consultation: Consultation, role: ConsultationRole | None, kind: EntryKind) -> None:
    """Raise why a participant in ``role`` may not add an entry of ``kind`` now.

    Parameters
    ----------
    consultation
        The consultation as it is inside the writing transaction.
    role
        The participant's role in it (``None``: she has none).
    kind
        The kind of entry she wants to add.

    Raises
    ------
    ConsultationOver
        After the closing.
    EntryNotAllowed
        When her role adds no such entry in this phase; the message says what
        her role does instead.

    Examples
    --------
    >>> import datetime as dt
    >>> from facilitation.i18n import language
    >>> from facilitation.models import Consultation
    >>> case = Consultation(id=1, meeting_id=1, title="Fall", phase=Phase.CONSULTATION,
    ...                     method="brainstorming", created_at=dt.datetime.now(dt.UTC))
    >>> check_entry(case, Role.CONSULTANT, Kind.IDEA)  # allowed: nothing happens
    >>> try:
    ...     check_entry(case, Role.CASE_GIVER, Kind.IDEA)
    ... except EntryNotAllowed as refused:
    ...     with language("en"):
    ...         print(str(refused).split(". ")[0])
    As Case giver you add no ideas in the phase “Consultation”
    """
    if consultation.phase is Phase.DONE:
        raise ConsultationOver()
    if kind not in allowed_kinds(role, consultation.phase, consultation.method):
        raise EntryNotAllowed(
            role=word(ROLE_WORDS[role])
            if role is not None
            else word(N_("participant without role")),
            kinds=word(ENTRY_KIND_WORDS[kind]),
            phase=word(PHASE_WORDS[consultation.phase]),
            task=word(task(role, consultation.phase, consultation.variant, consultation.method)),
        )


def check_withdraw(
    consultation: Consultation, entry: ConsultationEntry, participant_id: int | None
) -> None:
    """Raise unless ``participant_id`` may withdraw ``entry`` (``None``: the facilitator may)."""
    if participant_id is None:
        return
    if entry.participant_id != participant_id or entry.phase is not consultation.phase:
        raise NotYourEntry()
    if consultation.phase is Phase.DONE:
        raise ConsultationOver()


def can_withdraw(
    consultation: Consultation, entry: ConsultationEntry, participant_id: int | None
) -> bool:
    """Whether :func:`check_withdraw` lets ``participant_id`` withdraw ``entry`` (a page
    offers the button only then; the store checks again when it is clicked)."""
    try:
        check_withdraw(consultation, entry, participant_id)
    except (NotYourEntry, ConsultationOver):
        return False
    return True


def visible_to(entry: ConsultationEntry, viewer_id: int, role: ConsultationRole | None) -> bool:
    """Whether a participant of the meeting sees ``entry`` on her page.

    Questions and ideas are the group's (they are projected anyway); notes and
    observations are their author's, the moderator's and the secretary's. A
    withdrawn entry is nobody's any more. The facilitator sees everything.
    """
    if entry.withdrawn_at is not None:
        return False
    if entry.kind in (Kind.QUESTION, Kind.IDEA):
        return True
    return entry.participant_id == viewer_id or role in (Role.MODERATOR, Role.SECRETARY)


# --- the case giver's steps ----------------------------------------------------------

_STEP_WORDS = {
    "key_question": (N_("Writing down the key question"), N_("the case giver or the moderator")),
    "method": (N_("Choosing the method"), N_("the case giver or the moderator")),
    "take": (N_("Taking ideas and making next steps of them"), N_("the case giver")),
}


# Who may take each of the case giver's steps, in which phase.
_STEP_RULES: dict[str, tuple[frozenset[ConsultationRole], ConsultationPhase]] = {
    "key_question": (frozenset({Role.CASE_GIVER, Role.MODERATOR}), Phase.KEY_QUESTION),
    "method": (frozenset({Role.CASE_GIVER, Role.MODERATOR}), Phase.METHOD_CHOICE),
    "take": (frozenset({Role.CASE_GIVER}), Phase.CLOSING),
}


def may_take_step(step: str, role: ConsultationRole | None, phase: ConsultationPhase) -> bool:
    """Whether a participant in ``role`` takes ``step`` (``key_question``, ``method``,
    ``take``: marking ideas and making next steps) in ``phase``.

    >>> may_take_step("key_question", Role.MODERATOR, Phase.KEY_QUESTION)
    True
    >>> may_take_step("take", Role.MODERATOR, Phase.CLOSING)
    False
    """
    roles, when = _STEP_RULES[step]
    return role in roles and phase is when


def _check_step(consultation: Consultation, role: ConsultationRole | None, step: str) -> None:
    if consultation.phase is Phase.DONE:
        raise ConsultationOver()
    if not may_take_step(step, role, consultation.phase):
        what, who = _STEP_WORDS[step]
        raise NotYourStep(
            step=word(what),
            who=word(who),
            phase=word(PHASE_WORDS[_STEP_RULES[step][1]]),
            task=word(task(role, consultation.phase, consultation.variant, consultation.method)),
        )


def check_key_question(consultation: Consultation, role: ConsultationRole | None) -> None:
    """Raise unless a participant in ``role`` may write down the key question now."""
    _check_step(consultation, role, "key_question")


def check_method_choice(consultation: Consultation, role: ConsultationRole | None) -> None:
    """Raise unless a participant in ``role`` may choose the method now."""
    _check_step(consultation, role, "method")


def can_take(role: ConsultationRole | None, phase: ConsultationPhase) -> bool:
    """Whether a participant in ``role`` marks ideas and makes next steps in ``phase``.

    >>> can_take(Role.CASE_GIVER, Phase.CLOSING), can_take(Role.CONSULTANT, Phase.CLOSING)
    (True, False)
    """
    return may_take_step("take", role, phase)


def check_take(consultation: Consultation, role: ConsultationRole | None) -> None:
    """Raise unless a participant in ``role`` may mark ideas as taken (and make next steps)."""
    _check_step(consultation, role, "take")


def takeable(entry: ConsultationEntry, consultation: Consultation) -> bool:
    """Whether the case giver can take ``entry`` along (mark it taken, make a next step of it).

    What the consultation contributed: every idea, and what the chosen method
    asks for when it is kept as another kind (the questions of a
    cross-examination), written in the consultation phase. Never a withdrawn
    entry, a question from the case account, a note or an observation. The
    store keeps to this for every click; the case giver's page and the
    protocol list the same entries (:func:`contributions`).

    >>> import datetime as dt
    >>> from facilitation.models import Consultation, ConsultationEntry
    >>> at = dt.datetime.now(dt.UTC)
    >>> case = Consultation(id=1, meeting_id=1, title="Fall", method="kreuzverhoer", created_at=at)
    >>> def entry(kind, phase):
    ...     return ConsultationEntry(id=1, consultation_id=1, participant_id=None, phase=phase,
    ...                              kind=kind, text="...", created_at=at)
    >>> takeable(entry(Kind.QUESTION, Phase.CONSULTATION), case)  # cross-examination
    True
    >>> takeable(entry(Kind.QUESTION, Phase.CASE_ACCOUNT), case)
    False
    >>> takeable(entry(Kind.NOTE, Phase.CONSULTATION), case)
    False
    >>> takeable(entry(Kind.IDEA, Phase.CLOSING), case)  # an idea, whenever it was written
    True
    """
    if entry.withdrawn_at is not None:
        return False
    if entry.kind is Kind.IDEA:
        return True
    chosen = METHODS.get(consultation.method or DEFAULT_METHOD, METHODS[DEFAULT_METHOD])
    return entry.kind is chosen.kind and entry.phase is Phase.CONSULTATION


def contributions(
    entries: Iterable[ConsultationEntry], consultation: Consultation
) -> list[ConsultationEntry]:
    """The entries the case giver can take along (:func:`takeable`), in their order."""
    return [entry for entry in entries if takeable(entry, consultation)]


def check_takeable(entry: ConsultationEntry, consultation: Consultation) -> None:
    """Raise unless ``entry`` can be taken along (see :func:`takeable`)."""
    if entry.withdrawn_at is not None:
        raise InvalidInput(
            field=word(N_("Idea")), problem=word(N_("was withdrawn and cannot be taken"))
        )
    if not takeable(entry, consultation):
        chosen = METHODS.get(consultation.method or DEFAULT_METHOD, METHODS[DEFAULT_METHOD])
        raise NotTakeable(contribution=word(contribution_word(chosen.kind, chosen.key)))


def released(consultation: Consultation, asked: bool | Collection[int] = False) -> bool:
    """Whether a consultation's content may leave the workspace: exports, the protocol,
    the research tables.

    One that is not confidential is released. A confidential one only if the
    facilitator included it in the export (``include_in_export``) or the caller
    asks for it: every one with ``asked=True``, or some by id.

    >>> import datetime as dt
    >>> from facilitation.models import Consultation
    >>> at = dt.datetime.now(dt.UTC)
    >>> secret = Consultation(id=7, meeting_id=1, title="Fall", created_at=at)
    >>> released(secret), released(secret, True), released(secret, [7]), released(secret, [8])
    (False, True, True, False)
    >>> open_case = Consultation(id=8, meeting_id=1, title="Fall", confidential=False,
    ...                          created_at=at)
    >>> released(open_case)
    True
    """
    if not consultation.confidential or consultation.include_in_export or asked is True:
        return True
    return bool(asked) and consultation.id in asked  # type: ignore[operator]


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
