"""Who takes which role, and a casting the facilitator can take over."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .._exceptions import RoleNotForVariant, RoleTaken, word
from ..i18n import N_
from ..models import Consultation, ConsultationRole, Participant, RoleAssignment
from ._methods import ROLE_WORDS, Role, variant

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
