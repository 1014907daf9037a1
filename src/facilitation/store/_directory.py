"""Every German municipality: the official directory a workspace searches, and naming a
municipality that is not yet in the workspace.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`)."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from .._exceptions import MunicipalityNotFound, SeveralMunicipalities
from ..directory import (
    ATTRIBUTION,
    Directory,
    Place,
    fold,
    search_keys,
    shipped_directory,
    shipped_summary,
    with_municipality,
)
from ..models import Municipality
from . import _schema as s
from ._base import StoreBase
from ._records import fetch_one, now, record

__all__ = ["DirectoryInfo", "DirectoryStore"]

# Directories read from workspaces, by database and row (a few hundred KB each).
_LOADED: dict[tuple[str, int], Directory] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class DirectoryInfo:
    """Which directory a workspace searches: Gebietsstand, file, size; ``loaded_at`` None:
    the one shipped with facilitation."""

    stand: str
    source: str
    places: int
    loaded_at: Any = None


class DirectoryStore(StoreBase):
    """The official directory of municipalities a workspace searches (the shipped one, or a
    newer extract a facilitator loaded), and finding and adding municipalities from it."""

    def load_directory(self, directory: Directory) -> DirectoryInfo:
        """Use a newer official extract (read by :func:`facilitation.directory.read_extract`)
        instead of the shipped directory; earlier ones are kept."""
        with self._write() as c:
            c.execute(
                insert(s.municipality_directory).values(
                    source=directory.source[:500], stand=directory.stand[:40],
                    places=len(directory), content=directory.to_bytes(), created_at=now(),
                )
            )  # fmt: skip
            return _info(c)

    def directory_info(self) -> DirectoryInfo:
        """Which directory the workspace searches."""
        with self._read() as c:
            return _info(c)

    def directory(self) -> Directory:
        """The directory the workspace searches (read once per process and extract)."""
        with self._read() as c:
            newest = c.execute(
                select(s.municipality_directory.c.id)
                .order_by(s.municipality_directory.c.id.desc())
                .limit(1)
            ).scalar()
            if newest is None:
                return shipped_directory()
            key = (self.location, newest)
            with _LOCK:
                if key not in _LOADED:
                    content = c.execute(
                        select(s.municipality_directory.c.content).where(
                            s.municipality_directory.c.id == newest
                        )
                    ).scalar_one()
                    _LOADED[key] = Directory.from_bytes(content)
                return _LOADED[key]

    def find_places(self, text: str, limit: int = 10) -> list[Place]:
        """Municipalities whose name begins with ``text`` (case and umlauts ignored): those of
        the workspace (``municipality_id`` set) and every other of the directory.

        Whole names first, then the workspace's, then by population.
        """
        wanted = text.strip()
        if not wanted:
            return []
        towns = self._workspace_places()
        directory = self.directory()
        by_ags = {p.ags: p for p in towns if p.ags}
        queries = fold(wanted)[:1]
        ranked: dict[tuple[str | None, int | None], tuple[tuple[Any, ...], Place]] = {}
        for place in towns:
            keys = search_keys(place.name)
            hits = [k for k in keys if any(k.startswith(q) for q in queries)]
            if hits or place.ags == wanted:
                whole = any(k in queries for k in hits) or place.ags == wanted
                ranked[(place.ags, place.municipality_id)] = ((not whole, 0), place)
        for place in directory.search(wanted, limit=limit + len(by_ags)):
            known = by_ags.get(place.ags)
            if known is not None:
                if (known.ags, known.municipality_id) not in ranked:
                    ranked[(known.ags, known.municipality_id)] = ((True, 0), known)
                continue
            whole = bool(set(search_keys(place.name, _other_names(place))) & set(queries))
            ranked[(place.ags, None)] = ((not whole, 1, -(place.population or 0)), place)
        ordered = sorted(ranked.values(), key=lambda pair: (*pair[0], fold(pair[1].name)))
        return [place for _key, place in ordered[:limit]]

    def named_place(self, text: str) -> Place:
        """The one municipality called ``text`` (a whole name, or the only one beginning so).

        Raises :class:`~facilitation.MunicipalityNotFound` or
        :class:`~facilitation.SeveralMunicipalities` (choose from the list then).
        """
        found = self.find_places(text, limit=30)
        wanted = text.strip()
        queries = set(fold(wanted)[:1])
        whole = [
            p for p in found
            if set(search_keys(p.name, _other_names(p))) & queries or p.ags == wanted
        ]  # fmt: skip
        if len(whole) == 1:
            return whole[0]
        if not whole and len(found) == 1:
            return found[0]
        if not whole and not found:
            raise MunicipalityNotFound(name=text.strip())
        several = whole or found
        raise SeveralMunicipalities(
            name=text.strip(), places="; ".join(p.label for p in several[:6])
        )

    def municipality_for(self, place: Place) -> Municipality:
        """The workspace's municipality for a place found: added from the directory (with key,
        state, district, coordinates, population and source) if it is not there yet."""
        if place.municipality_id is not None:
            with self._read() as c:
                return record(Municipality, fetch_one(c, s.municipality, place.municipality_id))
        if not place.ags:
            raise MunicipalityNotFound(name=place.name)
        info = self.directory_info()
        stand = f", Gebietsstand {info.stand}" if info.stand else ""
        source = f"Destatis GV-ISys{stand}; {ATTRIBUTION}"
        try:
            with self._write() as c:
                known = _by_ags(c, place.ags)
                if known is not None:
                    return known
                new_id = c.execute(
                    insert(s.municipality).values(
                        name=place.name[:200], ags=place.ags, state=place.state,
                        district=place.district, latitude=place.latitude,
                        longitude=place.longitude, population=place.population,
                        population_date=_date(info.stand) if place.population else None,
                        source=source,
                    )
                ).inserted_primary_key[0]  # fmt: skip
                return record(Municipality, fetch_one(c, s.municipality, new_id))
        except IntegrityError:  # another page added it meanwhile (PostgreSQL)
            with self._read() as c:
                known = _by_ags(c, place.ags)
            if known is None:
                raise
            return known

    def _workspace_places(self) -> list[Place]:
        with self._read() as c:
            rows = c.execute(
                select(
                    s.municipality.c.id, s.municipality.c.name, s.municipality.c.ags,
                    s.municipality.c.state, s.municipality.c.district,
                    s.municipality.c.latitude, s.municipality.c.longitude,
                    s.municipality.c.population,
                )
            ).all()  # fmt: skip
        return [
            with_municipality(
                Place(name=row.name, ags=row.ags, state=row.state, district=row.district,
                      latitude=row.latitude, longitude=row.longitude,
                      population=row.population),
                row.id,
            )
            for row in rows
        ]  # fmt: skip


def _other_names(place: Place) -> tuple[str, ...]:
    from ..directory import common_name

    return common_name(place.official)[1] if place.official else ()


def _date(stand: str) -> dt.date | None:
    """The day of a Gebietsstand such as ``31.12.2020``."""
    try:
        day, month, year = (int(part) for part in stand.split("."))
        return dt.date(year, month, day)
    except ValueError:
        return None


def _by_ags(c: Connection, ags: str) -> Municipality | None:
    row = c.execute(select(s.municipality).where(s.municipality.c.ags == ags)).first()
    return record(Municipality, row) if row is not None else None


def _info(c: Connection) -> DirectoryInfo:
    row = c.execute(
        select(
            s.municipality_directory.c.stand,
            s.municipality_directory.c.source,
            s.municipality_directory.c.places,
            s.municipality_directory.c.created_at,
        )
        .order_by(s.municipality_directory.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return DirectoryInfo(*shipped_summary())
    return DirectoryInfo(row.stand, row.source, row.places, row.created_at)
