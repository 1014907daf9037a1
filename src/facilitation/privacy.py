"""Who may be named, and the pseudonyms of everyone else (a leaf: records in, words out).

A participant is named in a protocol, an export or a network file only if she
consented (``consent_named``), and nobody is named in an anonymous one. Everyone
else is a stable pseudonym: ``P007`` is the participant with id 7, in every
file of every export of a workspace.
"""

from __future__ import annotations

from .models import Participant

__all__ = ["may_be_named", "name_if_consented", "pseudonym"]


def pseudonym(participant_id: int | None) -> str:
    """The stable pseudonym of a participant ("" for nobody).

    >>> pseudonym(7)
    'P007'
    >>> pseudonym(None)
    ''
    """
    return "" if participant_id is None else f"P{participant_id:03d}"


def may_be_named(person: Participant | None, *, anonymous: bool = False) -> bool:
    """Whether ``person`` may be named: she consented, and the output is not anonymous.

    >>> import datetime as dt
    >>> made = dt.datetime.now()
    >>> anna = Participant(id=1, name="Anna Beispiel", consent_named=True, created_at=made)
    >>> bernd = Participant(id=2, name="Bernd Muster", created_at=made)
    >>> may_be_named(anna), may_be_named(anna, anonymous=True), may_be_named(bernd)
    (True, False, False)
    """
    return person is not None and person.consent_named and not anonymous


def name_if_consented(person: Participant, *, anonymous: bool = False) -> str:
    """Her name if she may be named, else "" (a column of names in the research data).

    >>> import datetime as dt
    >>> name_if_consented(Participant(id=2, name="Bernd Muster", created_at=dt.datetime.now()))
    ''
    """
    return person.name if may_be_named(person, anonymous=anonymous) else ""
