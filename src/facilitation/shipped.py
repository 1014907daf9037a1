"""Data shipped with facilitation, and loading municipalities and ties from CSV.

``data/`` holds the municipalities named in the seed documents (with official
key, state, coordinates, population and source), their city networks as groups
and ties, and a demo workshop (German) built on them.

Loading reads a file row by row: rows that can be used are added, the others
are reported with their line number and the reason, and nothing else changes.
Files as spreadsheet programs save them are read: UTF-8 (with or without
BOM) or Windows-1252, separated by commas, semicolons or tabs, decimal
commas, German column names (``Gemeinde``, ``Einwohner``, ``von``, ``Thema``…).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._exceptions import FacilitationError, InvalidInput, word
from ._paths import shared_folder
from .i18n import N_
from .models import Municipality, TieType
from .roster import ALIASES as ROSTER_ALIASES
from .store import Store
from .tabular import ImportReport, Refusal, Table, read_table
from .tabular import column_key as _key

__all__ = [
    "ImportReport",
    "Refusal",
    "data_dir",
    "load_demo",
    "load_groups",
    "load_municipalities",
    "load_ties",
    "read_participants",
    "shipped_municipalities",
]


def data_dir() -> Path:
    """The folder of shipped data."""
    return shared_folder("data", "municipalities.csv")


# --- reading the file ------------------------------------------------------------------


# Other names a column may have in a file (German spreadsheets, other tools).
_COLUMNS = {
    "name": ("name", "gemeinde", "gemeindename", "kommune", "stadt", "municipality", "ort"),
    "ags": ("ags", "gemeindeschlussel", "amtlichergemeindeschlussel", "gkz", "gemeindekennziffer"),
    "state": ("state", "land", "bundesland"),
    "district": ("district", "kreis", "landkreis"),
    "latitude": ("latitude", "lat", "breitengrad", "breite"),
    "longitude": ("longitude", "lon", "lng", "long", "langengrad", "lange"),
    "population": ("population", "einwohner", "einwohnerzahl", "bevolkerung"),
    "population_date": ("population_date", "stichtag"),
    "source": ("source", "quelle"),
    "source_ags": ("source_ags", "from", "von", "from_ags", "von_ags", "kommune1"),
    "target_ags": ("target_ags", "to", "nach", "zu", "mit", "to_ags", "kommune2"),
    "type": ("type", "art", "beziehung", "tietype"),
    "topic": ("topic", "thema", "themen"),
    "weight": ("weight", "strength", "starke", "gewicht"),
    "directed": ("directed", "gerichtet"),
    "group_key": ("group_key",),
    "group_name": ("group_name",),
    "kind": ("kind",),
}
_ALIASES = {_key(alias): column for column, aliases in _COLUMNS.items() for alias in aliases}


def _each_row(path: str | Path, handle: Callable[[dict[str, str]], bool]) -> ImportReport:
    """Apply ``handle`` to every row; it returns False for a row already there."""
    report = ImportReport()
    for row in read_table(path, _ALIASES).rows:
        line, values = row.line, row.values
        if row.problem is not None:
            report.refusals.append(Refusal(line, row.problem))
            continue
        try:
            if handle(values):
                report.added += 1
            else:
                report.skipped += 1
        except FacilitationError as error:
            report.refusals.append(Refusal(line, error))
        except KeyError as error:
            column = error.args[0]
            report.refusals.append(
                Refusal(line, word(N_("the column {column} is missing"), column=column))
            )
        except ValueError as error:
            report.refusals.append(
                Refusal(line, word(N_("a value cannot be read ({detail})"), detail=str(error)))
            )
    return report


def _number(text: str, kind: Callable[[str], Any]) -> Any:
    """A number as people write it: decimal comma, thousands with dots for whole numbers."""
    if not text:
        return None
    if kind is int and re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    return kind(text.replace(",", ".") if kind is float else text)


# --- municipalities ----------------------------------------------------------------------


def shipped_municipalities(store: Store | None = None) -> list[dict[str, Any]]:
    """The municipalities shipped with facilitation, as rows (``name, ags, state, …``):
    those of the seed documents (``data/municipalities.csv``), then every other of the
    official directory (:mod:`facilitation.directory`; the workspace's, if ``store``).

    An import of participants finds their towns here too, and adds those it uses.

    >>> rows = shipped_municipalities()
    >>> [row["name"] for row in rows][:2], len(rows) > 11000
    (['Bautzen', 'Görlitz'], True)
    """
    from .directory import ATTRIBUTION, shipped_directory

    rows: list[dict[str, Any]] = [
        dict(row.values) for row in read_table(data_dir() / "municipalities.csv", _ALIASES).rows
    ]
    directory = store.directory() if store is not None else shipped_directory()
    stand = directory.stand.split(".")
    date = "-".join(reversed(stand)) if len(stand) == 3 else ""
    source = f"Destatis GV-ISys, Gebietsstand {directory.stand}; {ATTRIBUTION}"
    known = {row.get("ags") for row in rows}
    for place in directory.places:
        if place.ags in known:
            continue
        rows.append({
            "name": place.name, "ags": place.ags, "state": place.state or "",
            "district": place.district or "", "latitude": place.latitude,
            "longitude": place.longitude, "population": place.population,
            "population_date": date if place.population is not None else "", "source": source,
        })  # fmt: skip
    return rows


def read_participants(path: str | Path, *, name: str | None = None) -> Table:
    """A list of participants from a CSV or Excel file, its columns by their usual names
    (see :mod:`facilitation.roster`); plan its import with
    :meth:`~facilitation.store.Store.plan_participants`."""
    return read_table(path, ROSTER_ALIASES, name=name)


def load_municipalities(store: Store, path: str | Path | None = None) -> ImportReport:
    """Add the municipalities of a CSV file (default: the shipped ones).

    Columns: ``name`` and optionally ``ags, state, district, latitude,
    longitude, population, population_date, source`` (or their German names).
    A row whose AGS is already in the workspace is left as it is.
    """
    path = Path(path) if path is not None else data_dir() / "municipalities.csv"

    def add(row: dict[str, str]) -> bool:
        ags = row.get("ags") or None
        if ags and store.municipality_by_ags(ags) is not None:
            return False
        date = row.get("population_date")
        store.add_municipality(
            row["name"],
            ags=ags,
            state=row.get("state") or None,
            district=row.get("district") or None,
            latitude=_number(row.get("latitude", ""), float),
            longitude=_number(row.get("longitude", ""), float),
            population=_number(row.get("population", ""), int),
            population_date=dt.date.fromisoformat(date) if date else None,
            source=row.get("source", "") or path.name,
        )
        return True

    return _each_row(path, add)


def _by_ags(store: Store, ags: str) -> int:
    municipality = store.municipality_by_ags(ags)
    if municipality is None:
        raise InvalidInput(
            field=word(N_("Official key (AGS)")),
            problem=word(N_("no municipality with the key {ags} in this workspace"), ags=ags),
        )
    return municipality.id


class _Towns:
    """Find a municipality of the workspace by its AGS or by its name."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.by_name: dict[str, list[Municipality]] = {}
        for m in store.municipalities():
            self.by_name.setdefault(_key(m.name), []).append(m)

    def find(self, text: str, label: str) -> int:
        text = text.strip()
        if not text:
            raise InvalidInput(field=word(label), problem=word(N_("must not be empty")))
        if text.isdigit() and len(text) == 8:
            return _by_ags(self.store, text)
        found = self.by_name.get(_key(text), [])
        if len(found) == 1:
            return found[0].id
        if not found:
            raise InvalidInput(
                field=word(label),
                problem=word(
                    N_("no municipality named {name} or with this key in this workspace; "
                       "load the municipalities first or check the spelling"),
                    name=text,
                ),
            )  # fmt: skip
        keys = ", ".join(m.ags or f"#{m.id}" for m in found)
        raise InvalidInput(
            field=word(label),
            problem=word(
                N_("several municipalities are called {name} ({keys}); give the official key"),
                name=text,
                keys=keys,
            ),
        )


def load_groups(store: Store, path: str | Path | None = None) -> ImportReport:
    """Add groups of municipalities from a CSV file (``group_key, group_name, kind, ags``)."""
    path = Path(path) if path is not None else data_dir() / "groups.csv"
    members: dict[str, list[int]] = {}
    names: dict[str, tuple[str, str]] = {}

    def collect(row: dict[str, str]) -> bool:
        members.setdefault(row["group_key"], []).append(_by_ags(store, row["ags"]))
        names[row["group_key"]] = (row["group_name"], row.get("kind") or "city_network")
        return True

    report = _each_row(path, collect)
    known = {group.key for group in store.groups()}
    for key, municipality_ids in members.items():
        if key not in known:
            name, kind = names[key]
            store.add_group(key, name, kind=kind, municipality_ids=municipality_ids)
    return report


# --- ties -------------------------------------------------------------------------------

_TIE_WORDS = {
    TieType.COOPERATES: ("cooperates", "cooperation", "cooperates with", "kooperiert",
                         "kooperiert mit", "kooperation", "zusammenarbeit"),
    TieType.LEARNS_FROM: ("learns_from", "learns from", "lernt von", "lernen von", "lernt"),
    TieType.PARTNER_NETWORK: ("partner_network", "partner network", "partnernetzwerk",
                              "netzwerk", "partnerschaft"),
}  # fmt: skip
_TIE_TYPES = {_key(w): kind for kind, words in _TIE_WORDS.items() for w in words}
_YES = {"true", "1", "ja", "yes", "wahr", "j", "x"}
_NO = {"false", "0", "nein", "no", "falsch", "n"}


def _tie_type(text: str) -> TieType:
    if not text:
        return TieType.COOPERATES
    kind = _TIE_TYPES.get(_key(text))
    if kind is None:
        allowed = ", ".join(t.value for t in TieType)
        raise InvalidInput(
            field=word(N_("Type")),
            problem=word(N_("{value!r} is not one of: {allowed}"), value=text, allowed=allowed),
        )
    return kind


def _directed(text: str) -> bool | None:
    value = text.strip().casefold()
    if not value:
        return None
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise InvalidInput(
        field=word(N_("Directed")),
        problem=word(N_("{value!r} is neither yes nor no"), value=text),
    )


def load_ties(
    store: Store, path: str | Path | None = None, *, meeting_id: int | None = None
) -> ImportReport:
    """Add ties between municipalities from a CSV file.

    Columns: ``source_ags, target_ags`` (or ``von, nach``; an 8-digit AGS or
    a municipality's name) and optionally ``type`` (``cooperates``,
    ``learns_from``, ``partner_network``, or in words: "kooperiert mit",
    "lernt von", "Partnernetzwerk"), ``topic, weight`` (the strength),
    ``directed, source``. A tie that is already in the workspace (same
    towns, type, topic and meeting; either way round if undirected) is left
    as it is, so a file can be loaded twice. ``meeting_id``: the meeting the
    ties belong to (none: known before the series).
    """
    path = Path(path) if path is not None else data_dir() / "ties.csv"
    towns = _Towns(store)
    known = {_tie_key(t.source_id, t.target_id, t.type, t.topic, t.directed, t.meeting_id)
             for t in store.ties()}  # fmt: skip

    def add(row: dict[str, str]) -> bool:
        source = towns.find(row["source_ags"], N_("From"))
        target = towns.find(row["target_ags"], N_("To"))
        kind = _tie_type(row.get("type", ""))
        directed = _directed(row.get("directed", ""))
        topic = row.get("topic", "")
        is_directed = kind is TieType.LEARNS_FROM if directed is None else directed
        key = _tie_key(source, target, kind, topic, is_directed, meeting_id)
        if key in known:
            return False
        store.add_tie(
            source,
            target,
            type=kind,
            topic=topic,
            weight=_number(row.get("weight", ""), float) or 1.0,
            directed=directed,
            meeting_id=meeting_id,
            source=row.get("source", "") or path.name,
        )
        known.add(key)
        return True

    return _each_row(path, add)


def _tie_key(
    source: int, target: int, kind: TieType | str, topic: str, directed: bool, meeting: int | None
) -> tuple[Any, ...]:
    ends = (source, target) if directed else tuple(sorted((source, target)))
    return (*ends, str(TieType(kind).value), _key(topic), meeting)


def load_demo(store: Store, path: str | Path | None = None) -> None:
    """Fill a workspace with the shipped demo programme (German).

    The recorded moments of the demo (dots, entries) get the time of loading;
    dates of meetings and actions are those of the demo.
    """
    path = Path(path) if path is not None else data_dir() / "demo_workshop.json"
    demo = json.loads(path.read_text(encoding="utf-8"))
    load_municipalities(store)
    load_groups(store)
    load_ties(store)
    store.update_info(
        title=demo["workspace"]["title"], description=demo["workspace"]["description"]
    )

    people: dict[str, int] = {}
    for person in demo["participants"]:
        people[person["key"]] = store.add_participant(
            person["name"],
            role=person.get("role", ""),
            municipality_id=_by_ags(store, person["municipality_ags"]),
            email=person.get("email"),
            consent_named=person.get("consent_named", False),
        ).id
    meeting_id = None
    for plan in demo["meetings"]:
        meeting_id = _load_meeting(store, plan, people)
    store.set_current_meeting(meeting_id)


def _load_meeting(store: Store, plan: dict[str, Any], people: dict[str, int]) -> int:
    meeting = store.add_meeting(
        plan["title"],
        date=dt.date.fromisoformat(plan["date"]) if plan.get("date") else None,
        place=plan.get("place", ""),
        format=plan.get("format", "peer_learning"),
        host_municipality_id=_by_ags(store, plan["host_ags"]) if plan.get("host_ags") else None,
    )
    for item in plan.get("agenda", []):
        store.add_agenda_item(
            meeting.id,
            item["title"],
            starts_at=dt.time.fromisoformat(item["time"]) if item.get("time") else None,
            minutes=item.get("minutes"),
            kind=item.get("kind", "other"),
        )
    for key in plan.get("attendees", []):
        store.register(meeting.id, people[key])
        store.set_attendance(meeting.id, people[key], "present")  # they came

    challenges = {
        item["key"]: store.add_challenge(
            meeting.id,
            item["title"],
            description=item.get("description", ""),
            participant_id=people.get(item.get("participant", "")),
            tags=item.get("tags", []),
        ).id
        for item in plan.get("challenges", [])
    }
    topics = {
        item["key"]: store.add_topic(
            meeting.id,
            item["title"],
            description=item.get("description", ""),
            challenge_ids=[challenges[key] for key in item.get("challenges", [])],
        ).id
        for item in plan.get("topics", [])
    }
    for item in plan.get("vote_rounds", []):
        _load_round(store, meeting.id, item, topics, people)

    consultations: dict[str, int] = {}
    for item in plan.get("consultations", []):
        consultations[item["key"]] = _load_consultation(store, meeting.id, item, people)

    tables = {
        item["key"]: store.add_table(
            meeting.id, item["theme"], host_id=people.get(item.get("host", ""))
        ).id
        for item in plan.get("tables", [])
    }
    for item in plan.get("table_rounds", []):
        table_round = store.add_table_round(meeting.id, minutes=item.get("minutes", 30))
        for table_key, seated in item.get("assignments", {}).items():
            store.assign(table_round.id, tables[table_key], [people[key] for key in seated])
        for note in item.get("notes", []):
            store.add_table_note(
                tables[note["table"]],
                note["text"],
                participant_id=people.get(note.get("author", "")),
                round_id=table_round.id,
            )

    for item in plan.get("actions", []):
        origin = item.get("origin", "direct")
        origin_id = (
            consultations.get(item.get("origin_key") or "") if origin == "consultation" else None
        )
        store.add_action(
            item["title"],
            meeting_id=meeting.id,
            owner_id=people.get(item.get("owner", "")),
            due=dt.date.fromisoformat(item["due"]) if item.get("due") else None,
            status=item.get("status", "open"),
            origin=origin,
            origin_id=origin_id,
        )
    for item in plan.get("ties", []):
        store.add_tie(
            _by_ags(store, item["source_ags"]),
            _by_ags(store, item["target_ags"]),
            type=item.get("type", "cooperates"),
            topic=item.get("topic", ""),
            weight=item.get("weight", 1),
            meeting_id=meeting.id,
            declared_by=people.get(item.get("declared_by", "")),
        )
    return meeting.id


def _load_round(
    store: Store,
    meeting_id: int,
    item: dict[str, Any],
    topics: dict[str, int],
    people: dict[str, int],
) -> None:
    vote_round = store.create_round(
        meeting_id,
        [topics[key] for key in item["topics"]],
        title=item.get("title", ""),
        dots_per_person=item.get("dots_per_person"),
        max_per_topic=item.get("max_per_topic"),
        visibility=item.get("visibility", "secret"),
    )
    state = item.get("state", "draft")
    if state == "draft":
        return
    store.open_round(vote_round.id)
    for event in sorted(item.get("events", []), key=lambda e: e.get("minute", 0)):
        dot = store.place_dot if event["action"] == "place" else store.take_back_dot
        dot(vote_round.id, people[event["participant"]], topics[event["topic"]])
    if state in ("closed", "revealed"):
        store.close_round(vote_round.id)
    if state == "revealed":
        store.reveal_round(vote_round.id)


def _load_consultation(
    store: Store, meeting_id: int, item: dict[str, Any], people: dict[str, int]
) -> int:
    consultation = store.add_consultation(
        meeting_id,
        item["title"],
        variant=item.get("variant", "standard"),
        key_question=item.get("key_question", ""),
        method=item.get("method"),
        confidential=item.get("confidential", True),
        include_in_export=item.get("include_in_export", False),
    )
    roles = [
        (item.get(role), role) for role in ("case_giver", "moderator", "secretary", "observer")
    ]
    roles += [(key, "consultant") for key in item.get("consultants", [])]
    for key, role in roles:
        if key:
            store.set_role(consultation.id, people[key], role)
    for entry in item.get("entries", []):
        added = store.add_entry(
            consultation.id,
            entry["text"],
            kind=entry.get("kind", "idea"),
            participant_id=people.get(entry.get("participant", "")),
            phase=entry.get("phase"),
        )
        if entry.get("taken"):
            store.mark_taken(added.id)
    store.set_phase(consultation.id, item.get("phase", "casting"))
    return consultation.id
