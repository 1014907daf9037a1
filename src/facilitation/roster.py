"""A list of participants as a town hall keeps it, checked before anything is imported.

:func:`plan_roster` takes a :class:`~facilitation.tabular.Table` (read from a
CSV or Excel file) and the records of the workspace, and says for every row
what an import would do: add a new participant, register one the workspace
knows already (same e-mail address, or same name and municipality), or refuse
the row, with the reason. It reads nothing and writes nothing: the preview on
the facilitator's page and ``facilitation import --dry-run`` show it, and
:meth:`facilitation.store.Store.import_participants` carries it out in one
transaction, all or nothing.

Columns, by any of their usual names (German or English, any case):
``Name`` (or ``Vorname`` and ``Nachname``, with an optional ``Titel``),
``Funktion``, ``Kommune`` (a name or an official key, AGS), ``AGS``,
``E-Mail``, ``Einwilligung`` (may she be named in the protocol: ja/nein).
Other columns (``Anrede``, ``Telefon``, …) are left aside.

A municipality is found in the workspace or among the municipalities shipped
with facilitation (which an import adds to the workspace); by name, also
without "Stadt"/"Gemeinde" and by the start of its name when that is unique
("Saalfeld" for "Saalfeld/Saale"). A municipality known nowhere is taken from
the row when it gives the official key and a name; otherwise the row is refused.

>>> import datetime as dt
>>> from facilitation.tabular import Row, Table
>>> goerlitz = Municipality(id=1, name="Görlitz", ags="14626110", state="SN")
>>> table = Table("liste.csv", ("name", "municipality"), (
...     Row(2, {"name": "Anna Beispiel", "municipality": "Stadt Görlitz"}),
...     Row(3, {"name": "Bernd Muster", "municipality": "Atlantis"}),
... ))
>>> plan = plan_roster(table, [goerlitz], [])
>>> [(row.line, row.status.value) for row in plan.rows]
[(2, 'new'), (3, 'refused')]
>>> plan.rows[0].town.municipality_id
1
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ._exceptions import (
    FacilitationError,
    InvalidInput,
    RosterWithoutNames,
    TooManyRows,
    Word,
    word,
)
from .i18n import N_, translate
from .models import Municipality, Participant, state_of_ags
from .tabular import Table, column_key

__all__ = [
    "ALIASES",
    "COLUMNS",
    "MAX_ROWS",
    "RosterPlan",
    "RosterRow",
    "RowStatus",
    "Town",
    "email_address",
    "plan_roster",
]

MAX_ROWS = 5000
"""The most rows one list may have: a longer file is refused whole (is it the right file?)."""

COLUMNS = {
    "name": ("name", "vollstandigername", "teilnehmer", "teilnehmerin", "teilnehmende",
             "person", "fullname"),
    "first_name": ("vorname", "firstname", "givenname", "first"),
    "last_name": ("nachname", "familienname", "zuname", "lastname", "surname", "last"),
    "title": ("titel", "akademischergrad", "title"),
    "role": ("funktion", "amt", "position", "rolle", "role", "function", "amtsbezeichnung",
             "dienststellung", "stelle"),
    "municipality": ("kommune", "gemeinde", "stadt", "stadtgemeinde", "ort", "municipality",
                     "town", "city", "gebietskorperschaft", "verwaltung"),
    "ags": ("ags", "gemeindeschlussel", "amtlichergemeindeschlussel", "gkz",
            "gemeindekennziffer", "officialkey"),
    "email": ("email", "mail", "emailadresse", "mailadresse", "e-mail", "emailaddress"),
    "consent": ("einwilligung", "namensnennung", "consent", "zustimmung", "einverstandnis",
                "einverstandniserklarung", "darfgenanntwerden", "nameimprotokoll",
                "consentnamed"),
}  # fmt: skip
"""Each column an import reads, with the names it is found under (:func:`column_key` of them)."""

ALIASES = {column_key(alias): column for column, names in COLUMNS.items() for alias in names}
"""Column names as found in files (:func:`column_key`) to the columns of :data:`COLUMNS`."""

_YES = {"ja", "j", "yes", "y", "x", "1", "true", "wahr", "✓", "✔"}
_NO = {"nein", "n", "no", "0", "false", "falsch", "-", "–"}
_PREFIXES = re.compile(
    r"^(große kreisstadt|grosse kreisstadt|kreisstadt|landeshauptstadt|hansestadt|"
    r"universitätsstadt|stadt|gemeinde|markt|amt)\s+",
    re.IGNORECASE,
)


class RowStatus(StrEnum):
    NEW = "new"  # a new participant
    KNOWN = "known"  # in the workspace already: registered for the meeting, left as she is
    REFUSED = "refused"  # not imported; ``reason`` says why


@dataclass(frozen=True)
class Town:
    """A row's municipality: one of the workspace (``municipality_id``), or one to add."""

    name: str
    municipality_id: int | None = None
    values: Mapping[str, Any] = field(default_factory=dict)  # add_municipality's arguments

    @property
    def key(self) -> str:
        """The same for every row that names the same municipality."""
        if self.municipality_id is not None:
            return f"#{self.municipality_id}"
        return str(self.values.get("ags") or _fold(self.name))


@dataclass(frozen=True)
class RosterRow:
    """What an import does with one row of the list."""

    line: int
    status: RowStatus
    name: str = ""
    role: str = ""
    email: str | None = None
    consent_named: bool = False
    town: Town | None = None
    participant_id: int | None = None  # the participant she is, if KNOWN
    reason: FacilitationError | Word | None = None

    def reason_text(self, lang: str | None = None) -> str:
        if self.reason is None:
            return ""
        if isinstance(self.reason, FacilitationError):
            return self.reason.message(lang)
        return self.reason.shown(lang)


@dataclass(frozen=True)
class RosterPlan:
    """Every row of a list with what an import would do with it."""

    source: str
    rows: tuple[RosterRow, ...]

    def of(self, status: RowStatus) -> list[RosterRow]:
        return [row for row in self.rows if row.status is status]

    @property
    def new(self) -> list[RosterRow]:
        return self.of(RowStatus.NEW)

    @property
    def known(self) -> list[RosterRow]:
        return self.of(RowStatus.KNOWN)

    @property
    def refused(self) -> list[RosterRow]:
        return self.of(RowStatus.REFUSED)

    @property
    def towns_to_add(self) -> list[Town]:
        """The municipalities the import adds to the workspace (each once)."""
        found: dict[str, Town] = {}
        for row in self.rows:
            if (
                row.status is not RowStatus.REFUSED
                and row.town
                and row.town.municipality_id is None
            ):
                found.setdefault(row.town.key, row.town)
        return list(found.values())

    def summary(self, lang: str | None = None) -> str:
        """E.g. "12 neu, 2 schon im Arbeitsbereich, 1 abgelehnt"."""
        text = translate(N_("{new} new, {known} already in the workspace, {refused} refused"), lang)
        return text.format(new=len(self.new), known=len(self.known), refused=len(self.refused))

    def lines(self, lang: str | None = None) -> list[str]:
        """One line per refused row: "Zeile 4: …"."""
        template = translate(N_("Line {line}: {reason}"), lang)
        return [template.format(line=r.line, reason=r.reason_text(lang)) for r in self.refused]


def email_address(value: str | None) -> str | None:
    """An e-mail address as given (stripped), None if empty; :class:`InvalidInput` if it
    is not one.

    >>> email_address("  anna.beispiel@goerlitz.de "), email_address("")
    ('anna.beispiel@goerlitz.de', None)
    """
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    local, at, domain = cleaned.partition("@")
    if not (local and at and "." in domain and " " not in cleaned and len(cleaned) <= 320):
        raise InvalidInput(
            field=word(N_("E-mail")),
            problem=word(N_("{value} is not an e-mail address"), value=cleaned),
        )
    return cleaned


def plan_roster(
    table: Table,
    municipalities: Sequence[Municipality],
    participants: Sequence[Participant],
    shipped: Iterable[Mapping[str, Any]] = (),
) -> RosterPlan:
    """What importing ``table`` into a workspace with these records would do, row by row.

    ``shipped``: further municipalities an import may add (rows of the shipped
    ``municipalities.csv``: ``name, ags, state, …``). Raises
    :class:`~facilitation.RosterWithoutNames` if no column holds names and
    :class:`~facilitation.TooManyRows` for a list longer than :data:`MAX_ROWS`.
    """
    columns = set(table.columns)
    if "name" not in columns and not {"first_name", "last_name"} & columns:
        raise RosterWithoutNames(name=table.name, columns=", ".join(table.columns) or "–")
    if len(table.rows) > MAX_ROWS:
        raise TooManyRows(name=table.name, rows=len(table.rows), limit=MAX_ROWS)
    towns = _Towns(municipalities, shipped)
    by_email = {p.email.casefold(): p for p in participants if p.email}
    by_name = {(_fold(p.name), p.municipality_id): p for p in participants}
    seen: dict[tuple[Any, ...], int] = {}
    rows = []
    for row in table.rows:
        if row.problem is not None:
            rows.append(_refused(row.line, row.values, row.problem))
            continue
        try:
            planned = _plan_row(row.line, row.values, towns)
        except FacilitationError as error:
            rows.append(_refused(row.line, row.values, error))
            continue
        town_key = planned.town.key if planned.town else None
        key = ("email", planned.email.casefold()) if planned.email else (
            "name", _fold(planned.name), town_key
        )  # fmt: skip
        if key in seen:
            reason = word(N_("the same person as in line {line}"), line=seen[key])
            rows.append(_refused(row.line, row.values, reason))
            continue
        seen[key] = row.line
        municipality_id = planned.town.municipality_id if planned.town else None
        known = (by_email.get(planned.email.casefold()) if planned.email else None) or (
            by_name.get((_fold(planned.name), municipality_id))
            if planned.town is None or municipality_id is not None
            else None
        )
        if known is not None:
            planned = RosterRow(
                row.line, RowStatus.KNOWN, name=known.name, role=known.role, email=known.email,
                consent_named=known.consent_named, town=planned.town, participant_id=known.id,
            )  # fmt: skip
        rows.append(planned)
    return RosterPlan(table.name, tuple(rows))


def _refused(line: int, values: Mapping[str, str], reason: FacilitationError | Word) -> RosterRow:
    """A refused row, with what it says (for the preview), as far as it can be read."""
    name = " ".join(
        values.get(c, "") for c in ("title", "first_name", "last_name", "name") if values.get(c)
    )
    return RosterRow(
        line, RowStatus.REFUSED, name=name[:200], role=values.get("role", "")[:200],
        email=values.get("email") or None, reason=reason,
    )  # fmt: skip


def _plan_row(line: int, values: Mapping[str, str], towns: _Towns) -> RosterRow:
    name = values.get("name", "")
    first, last = values.get("first_name", ""), values.get("last_name", "")
    if first or last:
        # With a "Vorname" column, a "Name" column holds the family name.
        name = " ".join(part for part in (values.get("title", ""), first, last or name) if part)
    elif values.get("title") and name:
        name = f"{values['title']} {name}"
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(field=word(N_("Name")), problem=word(N_("must not be empty")))
    _check_length(name, N_("Name"), 200)
    role = " ".join(values.get("role", "").split())
    _check_length(role, N_("Role"), 200)
    email = email_address(values.get("email"))
    town = towns.find(values.get("municipality", ""), values.get("ags", ""))
    return RosterRow(
        line, RowStatus.NEW, name=name, role=role, email=email,
        consent_named=_consent(values.get("consent", "")), town=town,
    )  # fmt: skip


def _check_length(text: str, field_name: str, limit: int) -> None:
    if len(text) > limit:
        raise InvalidInput(
            field=word(field_name),
            problem=word(
                N_("is too long ({length} characters, at most {limit})"),
                length=len(text), limit=limit,
            ),
        )  # fmt: skip


def _consent(text: str) -> bool:
    value = text.strip().casefold()
    if value in _YES:
        return True
    if not value or value in _NO:
        return False
    raise InvalidInput(
        field=word(N_("Consent to be named")),
        problem=word(N_("{value!r} is neither yes nor no"), value=text),
    )


def _fold(text: str) -> str:
    return column_key(_PREFIXES.sub("", " ".join(text.split())))


class _Towns:
    """Municipalities by official key and by name: the workspace's first, then shipped ones."""

    def __init__(
        self, municipalities: Sequence[Municipality], shipped: Iterable[Mapping[str, Any]]
    ) -> None:
        self.by_ags: dict[str, Town] = {}
        self.by_name: dict[str, list[Town]] = {}
        for m in municipalities:
            self._add(Town(m.name, municipality_id=m.id), m.ags)
        known_ags = set(self.by_ags)
        known_names = set(self.by_name)
        for values in shipped:
            ags = values.get("ags") or None
            if (ags and ags in known_ags) or (not ags and _fold(values["name"]) in known_names):
                continue
            self._add(Town(values["name"], values=dict(values)), ags)

    def _add(self, town: Town, ags: str | None) -> None:
        if ags:
            self.by_ags.setdefault(ags, town)
        self.by_name.setdefault(_fold(town.name), []).append(town)

    def find(self, text: str, ags: str) -> Town | None:
        text, ags = " ".join(text.split()), ags.strip()
        if text.isdigit() and not ags:
            text, ags = "", text
        if ags:
            ags = ags.zfill(8) if ags.isdigit() and len(ags) == 7 else ags  # Excel drops a 0
            if not (ags.isdigit() and len(ags) == 8):
                raise InvalidInput(
                    field=word(N_("Official key (AGS)")),
                    problem=word(N_("must be 8 digits, for example 14625020 for Bautzen")),
                )
            if ags in self.by_ags:
                return self.by_ags[ags]
            if text:  # a municipality known nowhere, with its key and name: taken from the row
                return Town(text, values={"name": text, "ags": ags, "state": state_of_ags(ags),
                                          "source": "participant list"})  # fmt: skip
            raise InvalidInput(
                field=word(N_("Official key (AGS)")),
                problem=word(
                    N_("no municipality with the key {ags}; give its name in the column "
                       "Kommune too, and it is added"),
                    ags=ags,
                ),
            )  # fmt: skip
        if not text:
            return None
        key = _fold(text)
        found = self.by_name.get(key) or [
            town for name, towns in self.by_name.items() if name.startswith(key) for town in towns
        ]
        if len(found) == 1:
            return found[0]
        if not found:
            raise InvalidInput(
                field=word(N_("Municipality")),
                problem=word(
                    N_("no municipality named {name} is known; check the spelling, add it on "
                       "the participants tab, or give its official key (AGS)"),
                    name=text,
                ),
            )  # fmt: skip
        names = ", ".join(sorted({t.name for t in found}))
        raise InvalidInput(
            field=word(N_("Municipality")),
            problem=word(
                N_("{name} could be several municipalities ({names}); give the official key "
                   "(AGS) or the full name"),
                name=text, names=names,
            ),
        )  # fmt: skip
