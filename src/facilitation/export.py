"""Data exports: one table per record kind, for research and for protocols.

Participants appear under stable pseudonyms (``P001`` for participant 1) unless
names are asked for, and even then only those who consented to be named are
named. Consultations that are confidential leave the workspace only when the
facilitator included them (or asks for all with ``confidential=True``).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Any

from .store import Store

__all__ = ["pseudonym", "tables", "write_csv"]


def pseudonym(participant_id: int | None) -> str:
    """The stable pseudonym of a participant.

    >>> pseudonym(7)
    'P007'
    """
    return "" if participant_id is None else f"P{participant_id:03d}"


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return value


def _rows(records: list[Any], **extra: Any) -> list[dict[str, Any]]:
    rows = []
    for item in records:
        row = {k: _plain(v) for k, v in dataclasses.asdict(item).items()}
        for name, compute in extra.items():
            row[name] = compute(item)
        rows.append(row)
    return rows


def tables(
    store: Store, *, names: bool = False, confidential: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """Every record kind of the workspace as a list of rows (dicts of plain values)."""
    people = store.participants()
    meetings = store.meetings()
    out: dict[str, list[dict[str, Any]]] = {}
    out["workspace"] = _rows([store.info()])
    out["municipalities"] = _rows(store.municipalities())
    out["groups"] = [
        {"group_id": g.id, "key": g.key, "name": g.name, "kind": g.kind, "municipality_id": m}
        for g in store.groups()
        for m in g.municipality_ids
    ]
    out["meetings"] = _rows(meetings)
    out["agenda"] = [row for m in meetings for row in _rows(store.agenda(m.id))]
    out["participants"] = [
        {
            "id": p.id,
            "pseudonym": pseudonym(p.id),
            **({"name": p.name if p.consent_named else ""} if names else {}),
            "role": p.role,
            "municipality_id": p.municipality_id,
            "consent_named": p.consent_named,
        }
        for p in people
    ]
    out["attendance"] = [
        {"meeting_id": m.id, "participant_id": p.id}
        for m in meetings
        for p in store.participants(m.id)
    ]
    out["challenges"] = _rows(store.challenges())
    out["topics"] = _rows(store.topics())
    out["vote_rounds"] = _rows(store.vote_rounds())
    out["dot_events"] = _rows(store.dot_events())
    shown = [
        c
        for c in store.consultations()
        if confidential or not c.confidential or c.include_in_export
    ]
    out["consultations"] = _rows(shown)
    out["consultation_roles"] = [row for c in shown for row in _rows(store.roles(c.id))]
    out["consultation_entries"] = [row for c in shown for row in _rows(store.entries(c.id))]
    out["ties"] = _rows(store.ties())
    out["actions"] = _rows(store.actions())
    out["action_updates"] = _rows(store.action_updates())
    out["tables"] = [row for m in meetings for row in _rows(store.tables(m.id))]
    out["table_rounds"] = [row for m in meetings for row in _rows(store.table_rounds(m.id))]
    out["table_assignments"] = [
        row
        for m in meetings
        for r in store.table_rounds(m.id)
        for row in _rows(store.assignments(r.id))
    ]
    out["table_notes"] = [
        row for m in meetings for t in store.tables(m.id) for row in _rows(store.table_notes(t.id))
    ]
    return out


def write_csv(
    store: Store, folder: str | Path, *, names: bool = False, confidential: bool = False
) -> list[Path]:
    """Write one UTF-8 CSV file per record kind into ``folder``; return the files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables(store, names=names, confidential=confidential).items():
        path = folder / f"{name}.csv"
        columns = list(dict.fromkeys(key for row in rows for key in row))
        # utf-8-sig: Excel on German Windows reads umlauts correctly only with a BOM.
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written
