"""The official directory of every German municipality, and finding a municipality by name.

Shipped with facilitation: the municipalities of the Federal Statistical Office's
directory (Destatis, *Gemeindeverzeichnis-Informationssystem GV-ISys*, quarterly
extract, Gebietsstand 31.12.2020) with official key (AGS), name, state, district,
coordinates and population, in ``data/gemeindeverzeichnis.json.gz`` next to this
module (© Statistisches Bundesamt (Destatis), 2021; Datenlizenz Deutschland –
Namensnennung – Version 2.0). A facilitator loads a newer extract (Destatis' Excel
file ``AuszugGV…xlsx``, or the same as CSV) into a workspace without a new release
(:meth:`facilitation.store.Store.load_directory`).

Finding is by the beginning of a name, case and umlauts ignored (``ä`` is found as
``ä``, ``ae`` and ``a``; ``ß`` as ``ss``), over an index built once: the name as
people use it ("Görlitz", "Lutherstadt Eisleben"), the part after such a title
("Eisleben"), and a second official name ("Běła Woda"). Big towns come first.

Regenerate the shipped file from Destatis' extract with
``python -m facilitation.directory EXTRACT.csv|xlsx --stand 31.12.2020``.

>>> towns = shipped_directory()
>>> [p.name for p in towns.search("herrnh")]
['Herrnhut']
>>> place = towns.search("Dresden")[0]
>>> place.ags, place.state, place.district, place.latitude > 51
('14612000', 'SN', 'Dresden', True)
>>> [p.name for p in towns.search("goerl")], [p.name for p in towns.search("Eisleb")]
(['Görlitz'], ['Lutherstadt Eisleben'])
"""

from __future__ import annotations

import argparse
import bisect
import csv
import gzip
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from ._exceptions import NotAMunicipalityDirectory, UnreadableFile
from .models import STATE_KEYS

__all__ = [
    "ATTRIBUTION",
    "LICENCE",
    "Directory",
    "Place",
    "fold",
    "read_extract",
    "shipped_directory",
]

ATTRIBUTION = "© Statistisches Bundesamt (Destatis), 2021"
LICENCE = "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)"
SHIPPED_STAND = "31.12.2020"
SHIPPED_FILE = Path(__file__).parent / "data" / "gemeindeverzeichnis.json.gz"
FORMAT = "facilitation-gemeindeverzeichnis/1"

# The columns of Destatis' extract, in their order (the Excel file has them so, under a
# header of several rows; a CSV saved from it has these names in its first row).
COLUMNS = (
    "satzart", "textkennzeichen", "land", "rb", "kreis", "vb", "gemeinde", "gemeindename",
    "flaeche", "bevoelkerung", "maennlich", "weiblich", "jekm2", "postleitzahl",
    "laengengrad", "breitengrad", "schluessel", "bezeichnung", "verstaedterungschluessel",
    "verstaedterungbezeichnung",
)  # fmt: skip
_NEEDED = ("satzart", "land", "rb", "kreis", "gemeinde", "gemeindename")
_KEY_WIDTHS = {"land": 2, "rb": 1, "kreis": 2, "gemeinde": 3}
_MUNICIPALITY, _DISTRICT = "60", "40"
# Titles that come before the name as people say it ("Eisleben, Lutherstadt").
_TITLES_FIRST = ("Lutherstadt",)
# Titles a name may begin with; the rest is searchable alone ("Lutherstadt Wittenberg",
# "Bad Liebenwerda").
_TITLE = re.compile(
    r"^(lutherstadt|große kreisstadt|grosse kreisstadt|kreisstadt|landeshauptstadt|hansestadt|"
    r"universitätsstadt|stadt|gemeinde|markt|kurort|bad)\s+",
    re.IGNORECASE,
)
_SPELLED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ł": "l", "ø": "oe"})
_PLAIN = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "ł": "l", "ø": "o"})
_OTHER = re.compile(r"[^0-9a-z]+")
_STATES = {f"{key:02d}": state for state, key in STATE_KEYS.items()}
_STAND = re.compile(r"(?:gebietsstand|stand)\D{0,20}(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})", re.I)


@dataclass(frozen=True, slots=True)
class Place:
    """A municipality of the directory (``municipality_id``: its record in a workspace)."""

    name: str
    ags: str | None = None
    official: str = ""
    state: str | None = None
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    population: int | None = None
    municipality_id: int | None = None

    @property
    def label(self) -> str:
        """The name with district and state, as a list of choices shows it."""
        where = ", ".join(part for part in (self.district, self.state) if part)
        return f"{self.name} ({where})" if where else self.name


def common_name(official: str) -> tuple[str, tuple[str, ...]]:
    """The name people use for an official name, and the other names it can be found by.

    >>> common_name("Eisleben, Lutherstadt")
    ('Lutherstadt Eisleben', ('Eisleben',))
    >>> common_name("Weißwasser/O.L., Stadt / Běła Woda")
    ('Weißwasser/O.L.', ('Běła Woda',))
    >>> common_name("Herrnhut, Stadt"), common_name("Boitzenburger Land")
    (('Herrnhut', ()), ('Boitzenburger Land', ()))
    """
    official = " ".join(official.split())
    main, _slash, other = official.partition(" / ")
    base, _comma, title = main.partition(", ")
    others = [other] if other else []
    if title in _TITLES_FIRST:
        others.insert(0, base)
        base = f"{title} {base}"
    return base, tuple(others)


def fold(text: str) -> tuple[str, ...]:
    """The forms a name is compared in: lower case, ``ß`` as ``ss``, umlauts as ``ae`` and as
    ``a``, other accents dropped, punctuation as spaces.

    A text searched for is compared in its first form only: "gör" finds what begins
    with "goer" (spelled so or with "ö"), "gor" what begins with "gor" or "gör".

    >>> fold("Görlitz"), fold("goerlitz"), fold("Weißwasser/O.L.")
    (('goerlitz', 'gorlitz'), ('goerlitz',), ('weisswasser o l',))
    """
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    text = text.casefold()
    forms: list[str] = []
    for table in (_SPELLED, _PLAIN):
        shown = text.translate(table)
        if not shown.isascii():
            shown = "".join(
                c for c in unicodedata.normalize("NFKD", shown) if not unicodedata.combining(c)
            )
        shown = _OTHER.sub(" ", shown).strip()
        if shown and shown not in forms:
            forms.append(shown)
    return tuple(forms)


def search_keys(name: str, others: Iterable[str] = ()) -> set[str]:
    """Every folded form a place is found by: its names, and each without a leading title."""
    keys: set[str] = set()
    for text in (name, *others):
        keys.update(fold(text))
        bare = _TITLE.sub("", text)
        if bare != text:
            keys.update(fold(bare))
    return keys


class Directory:
    """Municipalities with an index for finding them by the beginning of a name."""

    def __init__(
        self, places: Sequence[Place], *, stand: str = "", source: str = "", others: Any = None
    ) -> None:
        self.places = tuple(places)
        self.stand = stand
        self.source = source
        self._by_ags = {p.ags: p for p in self.places if p.ags}
        others = others or {}
        pairs = [
            (key, index)
            for index, place in enumerate(self.places)
            for key in search_keys(place.name, others.get(index, ()))
        ]
        pairs.sort()
        self._keys = [key for key, _index in pairs]
        self._indexes = [index for _key, index in pairs]

    def __len__(self) -> int:
        return len(self.places)

    def by_ags(self, ags: str) -> Place | None:
        """The municipality with this official key, if the directory has it."""
        return self._by_ags.get(ags.strip())

    def _matches(self, text: str) -> dict[int, bool]:
        """Index of each place whose key begins with ``text``: whether a key is all of it."""
        found: dict[int, bool] = {}
        for wanted in fold(text)[:1]:  # "gör" is "goer"; "gor" finds "Görlitz" and "Gorleben"
            start = bisect.bisect_left(self._keys, wanted)
            for position in range(start, len(self._keys)):
                key = self._keys[position]
                if not key.startswith(wanted):
                    break
                index = self._indexes[position]
                found[index] = found.get(index, False) or key == wanted
        return found

    def search(self, text: str, limit: int = 10) -> list[Place]:
        """The places whose name begins with ``text``: exact names first, then by population.

        An 8-digit official key finds its place.
        """
        text = text.strip()
        if text.isdigit() and len(text) == 8:
            place = self.by_ags(text)
            return [place] if place else []
        found = self._matches(text)
        ranked = sorted(
            found,
            key=lambda i: (
                not found[i],
                -(self.places[i].population or 0),
                fold(self.places[i].name),
            ),
        )
        return [self.places[i] for i in ranked[:limit]]

    def named(self, text: str) -> list[Place]:
        """The places called exactly ``text`` (case, umlauts, a leading title ignored)."""
        found = self._matches(text)
        return [self.places[i] for i in sorted(i for i, whole in found.items() if whole)]

    # --- the compact file -----------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The directory as gzip'd JSON (official names; districts once each)."""
        districts: dict[str, str] = {}
        rows = []
        for place in self.places:
            kreis = (place.ags or "")[:5]
            if place.district and kreis:
                districts.setdefault(kreis, place.district)
            rows.append(
                [
                    place.ags,
                    place.official or place.name,
                    None if place.latitude is None else round(place.latitude, 5),
                    None if place.longitude is None else round(place.longitude, 5),
                    place.population,
                ]
            )
        document = {
            "format": FORMAT,
            "title": "Gemeindeverzeichnis-Informationssystem GV-ISys, Auszug",
            "attribution": ATTRIBUTION,
            "licence": LICENCE,
            "stand": self.stand,
            "source": self.source,
            "columns": ["ags", "official_name", "latitude", "longitude", "population"],
            "districts": districts,
            "rows": rows,
        }
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)

    @classmethod
    def from_bytes(cls, data: bytes) -> Directory:
        """Read what :meth:`to_bytes` wrote."""
        document = _document(data)
        districts = document["districts"]
        return _directory(
            (
                (ags, official, districts.get(ags[:5]), lat, lon, population)
                for ags, official, lat, lon, population in document["rows"]
            ),
            stand=document.get("stand", ""),
            source=document.get("source", ""),
        )


def _directory(
    rows: Iterable[tuple[str, str, str | None, float | None, float | None, int | None]],
    *,
    stand: str,
    source: str,
) -> Directory:
    places, others = [], {}
    for ags, official, district, lat, lon, population in rows:
        name, other_names = common_name(official)
        if other_names:
            others[len(places)] = other_names
        places.append(
            Place(
                name=name,
                ags=ags,
                official=official,
                state=_STATES.get(ags[:2]),
                district=common_name(district)[0] if district else None,
                latitude=lat,
                longitude=lon,
                population=population,
            )
        )
    return Directory(places, stand=stand, source=source, others=others)


def _document(data: bytes) -> dict[str, Any]:
    document = json.loads(gzip.decompress(data).decode("utf-8"))
    if document.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} file")
    return document


@cache
def shipped_summary() -> tuple[str, str, int]:
    """Gebietsstand, source and number of municipalities of the shipped directory (without
    building its index)."""
    document = _document(SHIPPED_FILE.read_bytes())
    return document.get("stand", ""), document.get("source", ""), len(document["rows"])


@cache
def shipped_directory() -> Directory:
    """The directory shipped with facilitation (read once per process)."""
    return Directory.from_bytes(SHIPPED_FILE.read_bytes())


def with_municipality(place: Place, municipality_id: int) -> Place:
    """The same place, known as a workspace's municipality."""
    return replace(place, municipality_id=municipality_id)


# --- reading Destatis' extract -------------------------------------------------------------


def read_extract(path: str | Path, *, name: str | None = None, stand: str = "") -> Directory:
    """The municipalities of an extract of Destatis' directory (``AuszugGV…xlsx`` or CSV).

    Refuses with :class:`~facilitation.NotAMunicipalityDirectory` a file that is no such
    extract. ``stand``: the Gebietsstand if the file does not say it.
    """
    path = Path(path)
    shown = name or path.name
    data = path.read_bytes()
    if data[:2] == b"PK":
        rows, header_text = _xlsx_rows(data, shown)
    elif data[:5] == b"%PDF-" or b"\x00" in data[:2048]:
        raise NotAMunicipalityDirectory(file=shown)
    else:
        rows, header_text = _csv_rows(data), ""
    found = list(_municipalities(rows))
    if not found:
        raise NotAMunicipalityDirectory(file=shown)
    match = _STAND.search(header_text)
    if match:
        day, month, year = match.groups()
        stand = f"{int(day):02d}.{int(month):02d}.{year}"
    return _directory(found, stand=stand, source=shown)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(data: bytes, shown: str) -> tuple[list[list[str]], str]:
    """The rows of the sheet that holds municipalities, and the text above its data."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(name=shown, reason=str(error)[:200]) from None
    try:
        best: tuple[int, list[list[str]], str] = (0, [], "")
        for sheet in book.worksheets:
            rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            count = sum(1 for _ in _municipalities(rows))
            if count > best[0]:
                above = []
                for row in rows[:12]:
                    above.extend(cell for cell in row if cell)
                best = (count, rows, " ".join(above))
        return best[1], best[2]
    finally:
        book.close()


def _columns(row: Sequence[str]) -> dict[str, int] | None:
    """The columns of a header row that names them, else None."""
    names = {re.sub(r"[^a-z0-9]", "", c.casefold().replace("ä", "ae").replace("ö", "oe")): i
             for i, c in enumerate(row)}  # fmt: skip
    if all(column in names for column in _NEEDED):
        return {column: names[column] for column in COLUMNS if column in names}
    return None


def _number(text: str) -> float | None:
    text = text.replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    return float(text.replace(",", "."))


def _municipalities(
    rows: Iterable[Sequence[str]],
) -> Iterator[tuple[str, str, str | None, float | None, float | None, int | None]]:
    """``(ags, official name, district, latitude, longitude, population)`` of each
    municipality row; district rows (Satzart 40) give the names of districts."""
    positions: dict[str, int] = {column: i for i, column in enumerate(COLUMNS)}
    districts: dict[str, str] = {}
    for row in rows:
        named = _columns(row)
        if named is not None:
            positions = named
            continue

        def cell(
            column: str, row: Sequence[str] = row, positions: dict[str, int] = positions
        ) -> str:
            index = positions.get(column)
            return row[index].strip() if index is not None and index < len(row) else ""

        kind = cell("satzart")
        if kind not in (_MUNICIPALITY, _DISTRICT):
            continue
        parts = {column: cell(column) for column in _KEY_WIDTHS}
        if not all(p.isdigit() and len(p) <= _KEY_WIDTHS[c] for c, p in parts.items()
                   if c != "gemeinde" or kind == _MUNICIPALITY):  # fmt: skip
            continue
        key = "".join(parts[c].zfill(w) for c, w in _KEY_WIDTHS.items())
        name = " ".join(cell("gemeindename").split())
        if not name:
            continue
        if kind == _DISTRICT:
            districts[key[:5]] = name
            continue
        try:
            lon, lat = _number(cell("laengengrad")), _number(cell("breitengrad"))
            population = _number(cell("bevoelkerung"))
        except ValueError:
            continue
        if (lat is not None and not -90 <= lat <= 90) or (
            lon is not None and not -180 <= lon <= 180
        ):
            lat = lon = None
        yield (key, name, districts.get(key[:5]), lat, lon,
               None if population is None else int(population))  # fmt: skip


# --- regenerating the shipped file -----------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m facilitation.directory EXTRACT [--stand D] [--output FILE]``."""
    parser = argparse.ArgumentParser(
        prog="python -m facilitation.directory",
        description="Convert Destatis' municipality directory (GV-ISys extract, CSV or XLSX) "
        "into the compact file facilitation ships.",
    )
    parser.add_argument("extract", type=Path)
    parser.add_argument("--stand", default=SHIPPED_STAND, help="Gebietsstand, e.g. 31.12.2020")
    parser.add_argument("--output", type=Path, default=SHIPPED_FILE)
    args = parser.parse_args(argv)
    directory = read_extract(args.extract, stand=args.stand)
    args.output.write_bytes(directory.to_bytes())
    print(f"{args.output}: {len(directory)} municipalities, Gebietsstand {directory.stand}")
    return 0


if __name__ == "__main__":  # pragma: no cover - a command
    raise SystemExit(main())
