"""Action items followed up across meetings: pure functions over actions and their updates.

Actions (Aufgaben, Vereinbarungen) come from a consultation's next steps, from
a themed table, from a vote, or are entered directly. At the next meeting the
facilitator goes through the open ones with the group — the "monitoring" the
forum asks for — and keeps each change of status with a note and the meeting
at which it was reported.

>>> import datetime as dt
>>> from facilitation.models import ActionItem, ActionStatus
>>> at = dt.datetime(2026, 3, 12, tzinfo=dt.UTC)
>>> late = ActionItem(id=1, title="Brief", due=dt.date(2026, 4, 1), created_at=at, updated_at=at)
>>> is_overdue(late, today=dt.date(2026, 4, 2)), is_overdue(late, today=dt.date(2026, 4, 1))
(True, False)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .models import ActionItem, ActionStatus, ActionUpdate, Meeting

__all__ = [
    "Review",
    "due_soon",
    "is_overdue",
    "review",
    "review_order",
    "reviewed_at",
    "summary",
]


def is_overdue(action: ActionItem, today: dt.date) -> bool:
    """Whether an action is still open after its due date."""
    return action.status.is_open and action.due is not None and action.due < today


def due_soon(action: ActionItem, today: dt.date, days: int = 14) -> bool:
    """Whether an open action falls due within ``days`` (and is not overdue yet).

    >>> import datetime as dt
    >>> from facilitation.models import ActionItem
    >>> at = dt.datetime(2026, 3, 12, tzinfo=dt.UTC)
    >>> soon = ActionItem(id=1, title="x", due=dt.date(2026, 3, 20), created_at=at, updated_at=at)
    >>> due_soon(soon, dt.date(2026, 3, 12)), due_soon(soon, dt.date(2026, 3, 1))
    (True, False)
    """
    if not action.status.is_open or action.due is None:
        return False
    return today <= action.due <= today + dt.timedelta(days=days)


def review_order(actions: Iterable[ActionItem], today: dt.date) -> list[ActionItem]:
    """Open actions first (overdue at the top, then by due date, undated last), then the rest.

    >>> import datetime as dt
    >>> from facilitation.models import ActionItem, ActionStatus
    >>> at = dt.datetime(2026, 3, 12, tzinfo=dt.UTC)
    >>> make = lambda i, due, status="open": ActionItem(
    ...     id=i, title=str(i), due=due, status=ActionStatus(status), created_at=at, updated_at=at)
    >>> items = [make(1, None), make(2, dt.date(2026, 5, 1)), make(3, dt.date(2026, 1, 1)),
    ...          make(4, dt.date(2026, 1, 1), "done")]
    >>> [a.id for a in review_order(items, dt.date(2026, 3, 12))]
    [3, 2, 1, 4]
    """

    def key(action: ActionItem) -> tuple[int, int, dt.date, int]:
        return (
            0 if action.status.is_open else 1,
            0 if is_overdue(action, today) else 1,
            action.due or dt.date.max,
            action.id,
        )

    return sorted(actions, key=key)


def reviewed_at(updates: Iterable[ActionUpdate], meeting_id: int) -> set[int]:
    """The actions whose state was reported at meeting ``meeting_id``."""
    return {u.action_id for u in updates if u.meeting_id == meeting_id}


@dataclass(frozen=True, slots=True)
class Review:
    """The monitoring at a meeting: what to go through, and how far it has come.

    ``due``: open actions agreed before this meeting (or at no meeting), in
    review order; ``reviewed``: those of them already reported on at this
    meeting; ``new``: actions agreed at this meeting.
    """

    due: tuple[ActionItem, ...]
    reviewed: frozenset[int]
    new: tuple[ActionItem, ...]

    @property
    def left(self) -> tuple[ActionItem, ...]:
        """Open actions not yet reported on at this meeting."""
        return tuple(a for a in self.due if a.id not in self.reviewed)


def review(
    actions: Sequence[ActionItem],
    updates: Sequence[ActionUpdate],
    meeting: Meeting,
    meetings: Sequence[Meeting],
    today: dt.date,
) -> Review:
    """What the facilitator goes through at ``meeting`` (see :class:`Review`).

    An action belongs to an earlier meeting when that meeting comes before
    this one in the series (by date, then by the order the meetings were
    made); an action of no meeting is always up for review. An action closed
    at this very meeting stays in the list, so that the round is complete.

    Parameters
    ----------
    actions
        Every action of the workspace.
    updates
        Every report on them (``Store.action_updates()``).
    meeting
        The meeting at which the actions are gone through.
    meetings
        The meetings of the series in their order (``Store.meetings()``).
    today
        For the order: overdue actions first.

    Returns
    -------
    Review
        The open actions from before, which of them were reported on at this
        meeting, and the actions agreed at it.

    Examples
    --------
    >>> import datetime as dt
    >>> from facilitation.models import ActionItem, Meeting
    >>> at = dt.datetime(2026, 3, 12, tzinfo=dt.UTC)
    >>> first, second = (Meeting(id=i, title=str(i), created_at=at) for i in (1, 2))
    >>> old = ActionItem(id=7, title="Brief", meeting_id=1, created_at=at, updated_at=at)
    >>> [a.id for a in review([old], [], second, [first, second], dt.date(2026, 6, 1)).due]
    [7]
    """
    order = {m.id: i for i, m in enumerate(meetings)}
    here = order.get(meeting.id, len(order))
    reviewed = reviewed_at(updates, meeting.id)

    def earlier(action: ActionItem) -> bool:
        if action.meeting_id is None:
            return True
        return order.get(action.meeting_id, here) < here

    due = [
        a
        for a in actions
        if earlier(a) and a.meeting_id != meeting.id and (a.status.is_open or a.id in reviewed)
    ]
    new = [a for a in actions if a.meeting_id == meeting.id]
    return Review(
        due=tuple(review_order(due, today)),
        reviewed=frozenset(a.id for a in due if a.id in reviewed),
        new=tuple(review_order(new, today)),
    )


def summary(actions: Iterable[ActionItem], today: dt.date) -> dict[str, int]:
    """How many actions are in each state, and how many of the open ones are overdue.

    >>> import datetime as dt
    >>> from facilitation.models import ActionItem, ActionStatus
    >>> at = dt.datetime(2026, 3, 12, tzinfo=dt.UTC)
    >>> items = [ActionItem(id=i, title="x", status=ActionStatus(s), due=dt.date(2026, 1, 1),
    ...                     created_at=at, updated_at=at) for i, s in enumerate(["open", "done"])]
    >>> summary(items, dt.date(2026, 3, 12))
    {'open': 1, 'in_progress': 0, 'done': 1, 'dropped': 0, 'overdue': 1}
    """
    counted: Counter[str] = Counter()
    for action in actions:
        counted[action.status.value] += 1
        if is_overdue(action, today):
            counted["overdue"] += 1
    return {
        **{status.value: counted[status.value] for status in ActionStatus},
        "overdue": counted["overdue"],
    }
