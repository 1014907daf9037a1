"""What the series learned: findings, the records they rest on, and the participants' agreement.

The formats end in transfer: the Ostsachsen peer learning passes its
"Erkenntnisse und Handlungsbedarfe" to the Freistaat *in Abstimmung mit den
Beteiligten*. The facilitator drafts a :class:`~facilitation.models.Finding`
(or a recommendation, for an addressee such as a state ministry) and links it
to its sources across the meetings. She puts findings up for review; on their
pages the participants agree, object or only comment, each finding, and give
priority dots. Every answer and every dot is kept as an event: the latest
answer of a person counts, and any moment can be recomputed.

Pure functions over records: the store checks the same rules in the
transaction that writes (only registered participants, while a meeting shows
the review, one current answer per person).

>>> import datetime as dt
>>> from facilitation.models import AgreementEvent, Stance
>>> at = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)
>>> def answer(id, person, stance, minutes=0, comment=""):
...     return AgreementEvent(id=id, finding_id=1, participant_id=person, meeting_id=3,
...                           stance=stance, comment=comment, at=at + dt.timedelta(minutes=minutes))
>>> events = [answer(1, 7, Stance.OBJECT), answer(2, 8, Stance.AGREE),
...           answer(3, 7, Stance.AGREE, 2, "Mit Blick auf den ÖPNV")]  # 7 changes her mind
>>> counted = agreement(events)[1]
>>> counted.agree, counted.object, counted.comments
(2, 0, 1)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from . import consultation as consultation_rules
from . import voting
from ._exceptions import (
    CommentNeeded,
    FindingNotInReview,
    NoPriorityDot,
    NoPriorityDotsLeft,
    PriorityCapReached,
    ReviewClosed,
)
from .models import (
    AgreementEvent,
    Consultation,
    DotAction,
    Finding,
    FindingSource,
    FindingStatus,
    LiveState,
    PriorityDot,
    Screen,
    SourceKind,
    Stance,
)

__all__ = [
    "Agreement",
    "agreement",
    "check_answer",
    "check_priority_dot",
    "current_answers",
    "priority_allowance",
    "priority_tally",
    "review_open",
    "shown_sources",
]


@dataclass(frozen=True)
class Agreement:
    """How the participants answered one finding, by their latest answers."""

    finding_id: int
    agree: int = 0
    object: int = 0
    comment_only: int = 0
    comments: int = 0  # answers (of any stance) that carry a comment
    answers: tuple[AgreementEvent, ...] = field(default_factory=tuple)

    @property
    def answered(self) -> int:
        return self.agree + self.object + self.comment_only


def current_answers(
    events: Iterable[AgreementEvent], *, at: dt.datetime | None = None
) -> dict[tuple[int, int], AgreementEvent]:
    """Each person's latest answer to each finding, by ``(finding_id, participant_id)``;
    with ``at`` as it stood at that moment."""
    latest: dict[tuple[int, int], AgreementEvent] = {}
    for event in sorted(events, key=lambda e: (e.at, e.id)):
        if at is not None and event.at > at:
            break
        latest[(event.finding_id, event.participant_id)] = event
    return latest


def agreement(
    events: Iterable[AgreementEvent],
    finding_ids: Iterable[int] = (),
    *,
    at: dt.datetime | None = None,
) -> dict[int, Agreement]:
    """The counts of each finding (every one of ``finding_ids`` included) from the events."""
    grouped: dict[int, list[AgreementEvent]] = {finding_id: [] for finding_id in finding_ids}
    for (finding_id, _person), answer in current_answers(events, at=at).items():
        grouped.setdefault(finding_id, []).append(answer)
    out = {}
    for finding_id, answers in grouped.items():
        answers.sort(key=lambda e: (e.at, e.id))
        out[finding_id] = Agreement(
            finding_id,
            agree=sum(a.stance is Stance.AGREE for a in answers),
            object=sum(a.stance is Stance.OBJECT for a in answers),
            comment_only=sum(a.stance is Stance.COMMENT for a in answers),
            comments=sum(bool(a.comment) for a in answers),
            answers=tuple(answers),
        )
    return out


def priority_tally(dots: Iterable[PriorityDot], finding_ids: Iterable[int] = ()) -> dict[int, int]:
    """Priority dots per finding (every one of ``finding_ids`` included, with 0)."""
    counted = dict.fromkeys(finding_ids, 0)
    for dot in dots:
        step = 1 if dot.action is DotAction.PLACE else -1
        counted[dot.finding_id] = counted.get(dot.finding_id, 0) + step
    return counted


def priority_allowance(in_review: int) -> tuple[int, int]:
    """Dots per person and the most on one finding, for ``in_review`` findings up for review:
    as in a dot-vote, a third of them (at least 1), at most 3 on one.

    >>> priority_allowance(5), priority_allowance(12)
    ((1, 1), (4, 3))
    """
    dots = voting.default_dots_per_person(in_review)
    return dots, voting.default_max_per_topic(dots)


def review_open(live: LiveState | None) -> bool:
    """Whether a meeting's pages show the review of the findings now."""
    return live is not None and live.screen is Screen.REVIEW


def check_answer(finding: Finding, live: LiveState | None, stance: Stance, comment: str) -> None:
    """Raise why an answer may not be given now (the registration is the store's check)."""
    if not review_open(live):
        raise ReviewClosed()
    if finding.status is not FindingStatus.REVIEW:
        raise FindingNotInReview()
    if stance is Stance.COMMENT and not comment.strip():
        raise CommentNeeded()


def check_priority_dot(
    finding: Finding,
    live: LiveState | None,
    action: DotAction,
    *,
    in_review: int,
    held: int,
    on_finding: int,
) -> None:
    """Raise why a priority dot may not be placed (or taken back) now.

    ``held``: her dots on findings in review; ``on_finding``: on this one.
    """
    if not review_open(live):
        raise ReviewClosed()
    if finding.status is not FindingStatus.REVIEW:
        raise FindingNotInReview()
    if action is DotAction.TAKE_BACK:
        if on_finding <= 0:
            raise NoPriorityDot()
        return
    dots, cap = priority_allowance(in_review)
    if held >= dots:
        raise NoPriorityDotsLeft(dots=dots)
    if on_finding >= cap:
        raise PriorityCapReached(cap=cap)


def shown_sources(
    sources: Sequence[FindingSource],
    consultations: Mapping[int, Consultation],
    include_confidential: bool | Collection[int] = False,
) -> list[FindingSource]:
    """The sources that may leave the workspace: a confidential consultation only if released
    (see :func:`facilitation.consultation.released`), never described otherwise."""
    out = []
    for source in sources:
        if source.kind is SourceKind.CONSULTATION:
            held = consultations.get(source.ref_id)
            if held is None or not consultation_rules.released(held, include_confidential):
                continue
        out.append(source)
    return out
