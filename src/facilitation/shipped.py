"""Data shipped with facilitation, and loading municipalities and ties from CSV.

``data/`` holds the municipalities named in the seed documents (with official
key, state, coordinates, population and source), their city networks as groups
and ties, and a demo workshop (German) built on them.

Loading reads a file row by row: rows that can be used are added, the others
are reported with their line number and the reason, and nothing else changes.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._exceptions import FacilitationError, InvalidInput, word
from ._paths import shared_folder
from .i18n import N_, translate
from .store import Store

__all__ = [
    "ImportReport",
    "data_dir",
    "load_demo",
    "load_groups",
    "load_municipalities",
    "load_ties",
]


def data_dir() -> Path:
    """The folder of shipped data."""
    return shared_folder("data", "municipalities.csv")


@dataclass
class ImportReport:
    """What a load added, and which rows it refused and why."""

    added: int = 0
    skipped: int = 0  # already there, left as it was
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    def summary(self, lang: str | None = None) -> str:
        text = translate(N_("{added} added, {skipped} already there, {refused} refused"), lang)
        return text.format(added=self.added, skipped=self.skipped, refused=len(self.refused))


def _each_row(path: str | Path, handle: Callable[[dict[str, str]], bool]) -> ImportReport:
    """Apply ``handle`` to every row; it returns False for a row already there."""
    report = ImportReport()
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        for row in reader:
            line = reader.line_num
            values = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
            try:
                if handle(values):
                    report.added += 1
                else:
                    report.skipped += 1
            except FacilitationError as error:
                report.refused.append((line, str(error)))
            except (KeyError, ValueError) as error:
                report.refused.append((line, _unreadable(error)))
    return report


def _unreadable(error: Exception) -> str:
    if isinstance(error, KeyError):
        return translate(N_("the column {column} is missing")).format(column=error.args[0])
    return translate(N_("a value cannot be read ({detail})")).format(detail=error)


def _number(text: str, kind: Callable[[str], Any]) -> Any:
    return kind(text.replace(",", ".") if kind is float else text) if text else None


def load_municipalities(store: Store, path: str | Path | None = None) -> ImportReport:
    """Add the municipalities of a CSV file (default: the shipped ones).

    Columns: ``name`` and optionally ``ags, state, district, latitude,
    longitude, population, population_date, source``. A row whose AGS is
    already in the workspace is left as it is.
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
            source=row.get("source", ""),
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


def load_ties(store: Store, path: str | Path | None = None) -> ImportReport:
    """Add ties between municipalities from a CSV file.

    Columns: ``source_ags, target_ags`` and optionally ``type, topic, weight,
    directed, source``.
    """
    path = Path(path) if path is not None else data_dir() / "ties.csv"

    def add(row: dict[str, str]) -> bool:
        directed = row.get("directed", "").lower()
        store.add_tie(
            _by_ags(store, row["source_ags"]),
            _by_ags(store, row["target_ags"]),
            type=row.get("type") or "cooperates",
            topic=row.get("topic", ""),
            weight=_number(row.get("weight", ""), float) or 1.0,
            directed={"true": True, "1": True, "false": False, "0": False}.get(directed),
            source=row.get("source", "") or path.name,
        )
        return True

    return _each_row(path, add)


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
