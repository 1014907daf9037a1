"""What each role may write, see, withdraw and take in each phase; when a consultation is out."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from .._exceptions import (
    ConsultationOver,
    EntryNotAllowed,
    InvalidInput,
    NotTakeable,
    NotYourEntry,
    NotYourStep,
    word,
)
from ..i18n import N_
from ..models import Consultation, ConsultationEntry, ConsultationPhase, ConsultationRole, EntryKind
from ._methods import (
    _OBSERVED,
    DEFAULT_METHOD,
    ENTRY_KIND_WORDS,
    METHODS,
    PHASE_WORDS,
    ROLE_WORDS,
    Kind,
    Phase,
    Role,
    contribution_word,
)
from ._tasks import task

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
