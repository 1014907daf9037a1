"""Reading tables as people keep them: CSV files from any spreadsheet program, and Excel files.

A town hall's list of participants, a table of municipalities, a file of ties:
each is read into a :class:`Table` whose columns carry canonical names (a
German ``Gemeinde`` or ``E-Mail-Adresse`` column is found as ``municipality``
or ``email`` through the caller's aliases) and whose rows keep the line they
came from, for messages such as "Zeile 7: …".

What is read:

- CSV as UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"),
  or Windows-1252 (Excel on German Windows); separated by commas, semicolons,
  tabs or vertical bars, whichever the header line uses;
- XLSX (Excel 2007 and later): the first sheet that holds data, its first
  non-empty row as the header; numbers that are whole come as whole numbers.

A file that is no table at all (a PDF, a Word file, an old ``.xls``, an empty
file, one without recognisable columns) raises
:class:`~facilitation.UnreadableFile` with a reason; a row that cannot be read
(more fields than the header, characters of another encoding) is kept with
its problem, so that the caller reports it with its line and goes on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ._exceptions import FacilitationError, UnreadableFile, Word, word
from .i18n import N_, translate

__all__ = ["ImportReport", "Refusal", "Row", "Table", "column_key", "read_table"]

# Characters that mean a row was written in another encoding than the rest of the file:
# UTF-8 read as Windows-1252 ("GÃ¶rlitz"), or bytes no encoding of the file explains.
_MOJIBAKE = re.compile("[\ufffd]|Ã[\u0080-\u00bf]|â€|Â[\u00a0-\u00bf]")
_DELIMITERS = (";", ",", "\t", "|")


def column_key(text: str) -> str:
    """A column name or a word as compared: lower case, no accents, no spaces or dashes.

    >>> column_key("E-Mail-Adresse"), column_key("Gemeindeschlüssel")
    ('emailadresse', 'gemeindeschlussel')
    """
    folded = unicodedata.normalize("NFKD", text.strip().casefold().replace("ß", "ss"))
    return re.sub(r"[\s_\-./()]+", "", "".join(c for c in folded if not unicodedata.combining(c)))


@dataclass(frozen=True)
class Row:
    """One row of a table: its line in the file, its values by column, what is wrong with it."""

    line: int
    values: dict[str, str]
    problem: Word | None = None


@dataclass(frozen=True)
class Table:
    """A table read from a file: canonical column names and the rows that hold anything."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Refusal:
    """A row that was not loaded: its line in the file and why."""

    line: int
    reason: FacilitationError | Word

    def text(self, lang: str | None = None) -> str:
        """The reason in ``lang`` (default: the current language)."""
        if isinstance(self.reason, FacilitationError):
            return self.reason.message(lang)
        return self.reason.shown(lang)


@dataclass
class ImportReport:
    """What a load added, and which rows it refused and why."""

    added: int = 0
    skipped: int = 0  # already there, left as it was
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def refused(self) -> list[tuple[int, str]]:
        """The refused rows as (line, reason in the current language)."""
        return [(r.line, r.text()) for r in self.refusals]

    def summary(self, lang: str | None = None) -> str:
        text = translate(N_("{added} added, {skipped} already there, {refused} refused"), lang)
        return text.format(added=self.added, skipped=self.skipped, refused=len(self.refusals))

    def lines(self, lang: str | None = None) -> list[str]:
        """One line per refused row, e.g. "Zeile 4: Amtlicher Gemeindeschlüssel: …".

        >>> report = ImportReport(refusals=[Refusal(4, word(N_("must not be negative")))])
        >>> report.lines("en")
        ['Line 4: must not be negative']
        """
        template = translate(N_("Line {line}: {reason}"), lang)
        return [template.format(line=r.line, reason=r.text(lang)) for r in self.refusals]


def read_table(path: str | Path, aliases: Mapping[str, str], *, name: str | None = None) -> Table:
    """Read a CSV or XLSX file; ``aliases`` maps :func:`column_key` of a column's name to
    its canonical name (columns without an alias keep their name, stripped).

    ``name``: the file's name in messages (an upload's name, say; default: the path's).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> text = "Name;Gemeinde\\nAnna Beispiel;Görlitz\\n"
    >>> _ = (folder / "liste.csv").write_bytes(text.encode("cp1252"))
    >>> table = read_table(folder / "liste.csv", {"gemeinde": "municipality"})
    >>> table.columns, table.rows[0].line, table.rows[0].values["municipality"]
    (('Name', 'municipality'), 2, 'Görlitz')
    """
    path = Path(path)
    shown = name or path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(name=shown, reason=error.strerror or str(error)) from None
    if not data.strip():
        raise UnreadableFile(name=shown, reason=word(N_("the file is empty")))
    if data[:4] == b"PK\x03\x04":
        header, rows = _xlsx_rows(data, shown)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or data[:5] == b"%PDF-":
        raise UnreadableFile(
            name=shown,
            reason=word(N_("it is an old Excel file (.xls), a Word file or a PDF, not a table")),
        )
    else:
        header, rows = _csv_rows(data, shown)
    names = [aliases.get(column_key(h), h.strip()) for h in header]
    if not any(names):
        raise UnreadableFile(name=shown, reason=word(N_("its first line names no columns")))
    read = []
    for line, cells, problem in rows:
        values = {n: c.strip() for n, c in zip(names, cells, strict=False) if n}
        if not any(values.values()) and problem is None:
            continue  # blank lines in a spreadsheet are no rows
        if problem is None and any(_MOJIBAKE.search(v) for v in values.values()):
            problem = word(
                N_("holds characters of another encoding than the rest of the file (such as "
                   "“Ã¶” for “ö”); save the list again as “CSV UTF-8”")
            )  # fmt: skip
        read.append(Row(line, values, problem))
    return Table(shown, tuple(n for n in names if n), tuple(read))


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel on German Windows


def _csv_rows(
    data: bytes, shown: str
) -> tuple[list[str], list[tuple[int, list[str], Word | None]]]:
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(name=shown, reason=word(N_("it is not a text file")))
    text = _decode(data)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = max(_DELIMITERS, key=first.count)
    if first.count(delimiter) == 0 and len([line for line in lines if line.strip()]) > 1:
        raise UnreadableFile(
            name=shown,
            reason=word(
                N_("its columns cannot be told apart: the first line holds no semicolon, "
                   "comma or tab")
            ),
        )  # fmt: skip
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str], Word | None]] = []
    try:
        for cells in reader:
            if header is None:
                if any(c.strip() for c in cells):
                    header = cells
                continue
            problem = None
            extra = [c for c in cells[len(header) :] if c.strip()]
            if extra:
                problem = word(
                    N_("has {fields} fields where the first line names {columns} columns; "
                       "is there a “{delimiter}” inside a value? Put such a value in quotes"),
                    fields=len(cells), columns=len(header), delimiter=delimiter,
                )  # fmt: skip
            rows.append((reader.line_num, cells, problem))
    except csv.Error as error:
        raise UnreadableFile(name=shown, reason=str(error)) from None
    return header or [], rows


def _xlsx_rows(
    data: bytes, shown: str
) -> tuple[list[str], list[tuple[int, list[str], Word | None]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile(
            name=shown, reason=word(N_("it is not an Excel workbook ({detail})"), detail=error)
        ) from None
    try:
        for sheet in workbook.worksheets:
            header: list[str] | None = None
            rows: list[tuple[int, list[str], Word | None]] = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell(v) for v in values]
                if header is None:
                    if any(c.strip() for c in cells):
                        header = cells
                    continue
                rows.append((number, cells, None))
            if header is not None:
                return header, rows
    finally:
        workbook.close()
    raise UnreadableFile(name=shown, reason=word(N_("the file is empty")))


def _cell(value: object) -> str:
    """A cell as text: whole numbers without ".0", dates as ISO dates, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
