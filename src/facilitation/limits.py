"""How much one action may send: the bounds the store holds every input to.

One place for all of them. A text longer than its bound is refused with
:class:`~facilitation.TextTooLong`, a list longer than its bound with
:class:`~facilitation.TooManyItems`; both name the limit, and nothing is saved.
The bounds fit the real use with room to spare (a challenge's title is a line,
its description a few paragraphs) and keep every click of a participant to a
few milliseconds of work: no forged widget message makes the kernel write
thousands of rows or the wall show a megabyte.

>>> from facilitation import limits
>>> limits.TITLE, limits.TEXT, limits.TAGS, limits.TAG, limits.TIES_PER_ACTION
(300, 5000, 20, 60, 20)
"""

from __future__ import annotations

__all__ = [
    "ADDRESSEE",
    "COMMENT",
    "GROUP_KEY",
    "IDS",
    "JOIN_WINDOW_SECONDS",
    "KEY_QUESTION",
    "LONG_TEXT",
    "LONG_TITLE",
    "MUNICIPALITIES",
    "NAME",
    "NOTE",
    "PLACE",
    "ROLE",
    "SHORT_TEXT",
    "TAG",
    "TAGS",
    "TEXT",
    "THEME",
    "TIES_PER_ACTION",
    "TIE_TOPIC",
    "TITLE",
]

# --- texts (characters, after surrounding spaces are removed) ----------------------------

NAME = 200
"""A person's or a municipality's name; the workspace's title."""
ROLE = 200
"""A person's role ("Bürgermeisterin")."""
TITLE = 300
"""The title of a challenge, topic, meeting, consultation or vote round; a group's name."""
LONG_TITLE = 500
"""The title of an action or a finding (a short sentence)."""
PLACE = 300
"""A meeting's place."""
THEME = 300
"""The theme of a themed table or of a finding."""
ADDRESSEE = 300
"""Whom a finding addresses."""
SHORT_TEXT = 200
"""A tie's topic and other one-line texts."""
GROUP_KEY = 80
"""The short key of a group of municipalities."""
NOTE = 1000
"""A note on the source of a finding."""
COMMENT = 2000
"""A comment on a finding in the review."""
KEY_QUESTION = 2000
"""The key question of a consultation."""
TEXT = 5000
"""Free text: a challenge's description, a consultation entry, a table note, an action's
notes, a meeting's description (a few paragraphs)."""
LONG_TEXT = 10000
"""The text of a finding (the facilitator's summary)."""

# --- lists (items in one action) -----------------------------------------------------------

TAGS = 20
"""Keywords of one challenge."""
TAG = 60
"""Characters of one keyword."""
TIE_TOPIC = SHORT_TEXT
"""Characters of one topic of a tie."""
TIES_PER_ACTION = 20
"""Ties one click enters (one per topic)."""
IDS = 1000
"""Records one action of the facilitator names at once: topics of a vote round, challenges
merged into a topic, findings shown, participants planned or seated, municipalities of a
group, roles given. More than any meeting has, far less than a forged message may send."""

MUNICIPALITIES = 11000
"""Municipalities of one group (every municipality of Germany fits)."""

# --- joining --------------------------------------------------------------------------------

JOIN_WINDOW_SECONDS = 120
"""Someone who joins again with the same name and municipality within this time after her
first join (a second device, a reload before the page kept her link) is the same participant."""
