"""Exports after a meeting: the protocol (HTML, DOCX) and the data (XLSX, CSV).

:func:`export` is the one entry point the command line and the facilitator
page use. It writes into a folder and returns the files it wrote::

    from facilitation.export import export
    export(store, "all", "export/", meeting_id=2, lang="de")

Data exports (:func:`tables`, :func:`write_csv`, :func:`write_xlsx`) hold one
table per record kind, with every dot event and every tie for research.
Participants appear under stable pseudonyms (``P001`` for participant 1)
unless names are asked for, and even then only those who consented to be
named are named. Consultations that are confidential leave the workspace only
when the facilitator included them (or the caller asks for them: all with
``confidential=True``, or some by id); the rule is
:func:`facilitation.consultation.released`, which the protocol follows too.

The formats are listed in ``FORMATS``: ``PROTOCOL_FORMATS``, ``DATA_FORMATS``,
the cooperation network's ``NETWORK_FORMATS`` (written by
:func:`facilitation.network_io.export_network`), then ``"all"``.

CSV files keep every text exactly as typed (for pandas, R, Gephi). The XLSX
file is meant for Excel: a text that starts like a formula (``=``, ``+``,
``-``, ``@``) is stored as text and never computed.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Collection, Iterator
from enum import Enum
from pathlib import Path
from typing import Any

from . import findings, report, voting
from ._exceptions import MeetingNotFound, OutputNotWritable, UnknownFormat
from .consultation import released
from .i18n import N_, current_language, translate
from .models import DotEvent, PreparedKind
from .privacy import name_if_consented, pseudonym
from .report import clean_text
from .store import Store

__all__ = [
    "REPORT_FORMATS",
    "Progress",
    "export",
    "export_programme_report",
    "tables",
    "write_csv",
    "write_xlsx",
]

PROTOCOL_FORMATS = ("html", "docx")
DATA_FORMATS = ("xlsx", "csv")
NETWORK_FORMATS = ("graphml", "gexf", "pajek", "dl", "kumu")
"""The formats of :func:`facilitation.network_io.export_network` (the same list)."""
FORMATS = (*PROTOCOL_FORMATS, *DATA_FORMATS, *NETWORK_FORMATS, "all")
"""What :func:`export` can write; ``all`` is every one of them."""

Progress = Callable[[int, int, str], None]
"""Told ``(step, steps, what)`` before each step of a long export (step counts from 1)."""


# --- pseudonyms and tables ---------------------------------------------------------


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
    store: Store,
    *,
    names: bool = False,
    confidential: bool | Collection[int] = False,
    meeting_id: int | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Every record kind of the workspace as a list of rows (dicts of plain values).

    Parameters
    ----------
    store
        The open workspace.
    names
        Add a ``name`` column to ``participants``, filled only for those who
        consented to be named. Elsewhere participants are ids (``P007`` is id 7).
    confidential
        ``True``: every consultation's roles and entries; a collection of
        consultation ids: those too. By default only consultations that are not
        confidential or that the facilitator included in the export.
    meeting_id
        Only the records of this meeting (and its participants, vote rounds,
        dots, consultations, tables, actions and the ties declared there);
        municipalities and groups are always given whole.

    Returns
    -------
    dict
        Record kind (``"dot_events"``, ``"ties"``, ...) to its rows. A table note
        or consultation entry its author withdrew (or the facilitator hid) is not
        among them: it stays in the workspace only.

    >>> import tempfile, facilitation
    >>> from facilitation.shipped import load_demo
    >>> store = facilitation.create_workspace(tempfile.mkdtemp() + "/demo.db", "Demo")
    >>> load_demo(store)
    >>> data = tables(store, meeting_id=1)
    >>> len(data["challenges"]), len(data["dot_events"]) > 0
    (14, True)
    >>> data["vote_results"][0]["place"], data["participants"][0]["pseudonym"][0]
    (1, 'P')
    """
    meetings = store.meetings()
    if meeting_id is not None:
        meetings = [m for m in meetings if m.id == meeting_id]
        if not meetings:
            choices = ", ".join(f"{m.id} ({m.title})" for m in store.meetings())
            raise MeetingNotFound(id=meeting_id, choices=choices)
    people = store.participants(meeting_id)
    rounds = store.vote_rounds(meeting_id)
    actions = store.actions(meeting_id=meeting_id)
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
            **({"name": name_if_consented(p)} if names else {}),
            "role": p.role,
            "municipality_id": p.municipality_id,
            "consent_named": p.consent_named,
        }
        for p in people
    ]
    # One row per registration: present, excused or absent (facilitation.attendance), since
    # when, whether the facilitator said so, and her first page opening in the meeting.
    rolls = [store.attendance(m.id) for m in meetings]
    out["attendance"] = [
        {"meeting_id": roll.meeting_id, "participant_id": standing.participant_id,
         "status": standing.status.value, "at": _plain(standing.since),
         "by_facilitator": standing.by_hand, "first_seen_at": _plain(standing.opened_at)}
        for roll in rolls
        for standing in roll.standings
    ]  # fmt: skip
    out["attendance_events"] = _rows(
        [e for e in store.attendance_events() if e.meeting_id in {m.id for m in meetings}]
    )
    out["challenges"] = _rows(store.challenges(meeting_id))
    out["topics"] = _rows(store.topics(meeting_id))
    out["vote_rounds"] = _rows(rounds)
    if meeting_id is None:
        dot_events = store.dot_events()
    else:
        dot_events = [e for r in rounds for e in store.dot_events(r.id)]
    out["dot_events"] = _rows(dot_events)
    events_of: dict[int, list[DotEvent]] = {}
    for event in dot_events:
        events_of.setdefault(event.round_id, []).append(event)
    out["vote_results"] = [
        {"round_id": r.id, "place": rank.position, "topic_id": rank.topic_id,
         "dots": rank.dots, "tied": rank.tied}
        for r in rounds
        for rank in voting.ranking(voting.tally(events_of.get(r.id, []), r.topic_ids), r.topic_ids)
    ]  # fmt: skip
    shown = [c for c in store.consultations(meeting_id) if released(c, confidential)]
    out["consultations"] = _rows(shown)
    out["consultation_roles"] = [row for c in shown for row in _rows(store.roles(c.id))]
    out["consultation_entries"] = [row for c in shown for row in _rows(store.entries(c.id))]
    out["consultation_phases"] = [row for c in shown for row in _rows(store.phase_changes(c.id))]
    out["ties"] = _rows(store.ties(meeting_id))
    out["actions"] = _rows(actions)
    action_ids = {a.id for a in actions}
    out["action_updates"] = _rows(
        [
            u
            for u in store.action_updates()
            if meeting_id is None or u.action_id in action_ids or u.meeting_id == meeting_id
        ]
    )
    themed_tables = [t for m in meetings for t in store.tables(m.id)]
    out["tables"] = _rows(themed_tables)
    table_rounds = [r for m in meetings for r in store.table_rounds(m.id)]
    seatings = {r: seating for m in meetings for r, seating in store.seatings(m.id).items()}
    out["table_rounds"] = _rows(table_rounds)
    out["table_assignments"] = [
        {"round_id": r.id, "table_id": table_id, "participant_id": participant_id}
        for r in table_rounds
        for table_id, seated in seatings.get(r.id, {}).items()
        for participant_id in seated
    ]
    out["table_notes"] = [row for t in themed_tables for row in _rows(store.table_notes(t.id))]
    out["table_changes"] = _rows(store.table_changes(meeting_id))  # deleted, hidden, shown
    # What the series learned belongs to the programme, not to one meeting: with a meeting,
    # the answers and dots given there (and the findings they were given to).
    agreement_events = [
        e for e in store.agreement_events() if meeting_id is None or e.meeting_id == meeting_id
    ]
    priority_dots = [
        d for d in store.priority_dots() if meeting_id is None or d.meeting_id == meeting_id
    ]
    answered = {e.finding_id for e in agreement_events} | {d.finding_id for d in priority_dots}
    found = [f for f in store.findings() if meeting_id is None or f.id in answered]
    held = {c.id: c for c in store.consultations()}
    sources = findings.shown_sources(store.finding_sources(), held, confidential)
    finding_ids = {f.id for f in found}
    out["findings"] = _rows(found)
    out["finding_sources"] = _rows([x for x in sources if x.finding_id in finding_ids])
    out["agreement_events"] = _rows(agreement_events)
    out["priority_dots"] = _rows(priority_dots)
    out["prepared_events"] = _prepared_events(store, meeting_id, released_ids={c.id for c in shown})
    return out


def _prepared_events(
    store: Store, meeting_id: int | None, *, released_ids: set[int]
) -> list[dict[str, Any]]:
    """What was corrected, deleted or hidden, and challenges their authors changed or
    withdrew: when, by whom, of which record. What it said before stays in the workspace
    (a withdrawn challenge's text, an unreleased consultation's title) and is not exported."""
    rows = []
    for event in store.prepared_events(meeting_id):
        row = _rows([event])[0]
        row.pop("before", None)
        private = event.kind is PreparedKind.CHALLENGE or (
            event.kind is PreparedKind.CONSULTATION and event.record_id not in released_ids
        )
        if private:
            row["title"] = ""
        rows.append(row)
    return rows


# --- writing files ---------------------------------------------------------------------


def _folder(folder: str | Path) -> Path:
    """The output folder, created if need be; raise :class:`OutputNotWritable` if it cannot be."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputNotWritable(
            folder=str(folder), reason=translate(N_("a file of that name is in the way"))
        ) from None
    except OSError as error:
        raise OutputNotWritable(folder=str(folder), reason=_reason(error)) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputNotWritable(folder=str(folder), reason=translate(N_("permission denied")))
    return folder


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """Write to a temporary file beside ``path``, then put it in place in one step.

    A failed export never leaves half a file, and never destroys the last good one.
    """
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent
        )
        os.close(handle)
    except OSError as error:
        raise OutputNotWritable(folder=str(path.parent), reason=_reason(error)) from None
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        raise OutputNotWritable(folder=str(path), reason=_reason(error)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def write_csv(
    store: Store,
    folder: str | Path,
    *,
    names: bool = False,
    confidential: bool | Collection[int] = False,
    meeting_id: int | None = None,
    data: dict[str, list[dict[str, Any]]] | None = None,
) -> list[Path]:
    """Write one UTF-8 CSV file per record kind into ``folder``; return the files.

    Texts are written exactly as typed (see the module notes on Excel).
    ``data``: the rows :func:`tables` returned for these same options, if
    already built (else they are built here).
    """
    folder = _folder(folder)
    written = []
    if data is None:
        data = tables(store, names=names, confidential=confidential, meeting_id=meeting_id)
    for name, rows in data.items():
        path = folder / f"{name}.csv"
        columns = list(dict.fromkeys(key for row in rows for key in row))
        # utf-8-sig: Excel on German Windows reads umlauts correctly only with a BOM.
        with (
            _replacing(path) as temporary,
            temporary.open("w", encoding="utf-8-sig", newline="") as f,
        ):
            writer = csv.DictWriter(f, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _xlsx_value(cell: Any, value: Any) -> None:
    """Put a value into a cell; text always stays text, never a formula."""
    if value is None or value == "":
        return
    if isinstance(value, str):
        value = clean_text(value)
        cell.value = value
        cell.data_type = "s"  # openpyxl would make "=..." a formula
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return
    cell.value = value


def write_xlsx(
    store: Store,
    path: str | Path,
    *,
    names: bool = False,
    confidential: bool | Collection[int] = False,
    meeting_id: int | None = None,
    lang: str | None = None,
    data: dict[str, list[dict[str, Any]]] | None = None,
) -> Path:
    """Write one Excel workbook with a sheet per record kind; return its path.

    The first sheet (``info``) says what the workbook holds; every other sheet
    is named like the CSV file of the same records, with a bold, frozen header
    row, a filter, and columns as wide as their content (up to a limit).
    ``data``: the rows :func:`tables` returned for these same options, if
    already built (else they are built here).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    _folder(path.parent)
    lang = lang or current_language()
    if data is None:
        data = tables(store, names=names, confidential=confidential, meeting_id=meeting_id)
    workbook = Workbook()
    info = workbook.active
    info.title = "info"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8F0F4")
    exported = dt.datetime.now().astimezone().isoformat("T", "seconds")
    meeting = str(meeting_id) if meeting_id is not None else translate(N_("all"), lang)
    people = (
        N_("names of those who consented; others only as pseudonyms (P007 = id 7)")
        if names
        else N_("as pseudonyms: P007 is the participant with id 7")
    )
    about = [
        (translate(N_("Workspace"), lang), store.info().title),
        (translate(N_("Exported"), lang), exported),
        (translate(N_("Meeting"), lang), meeting),
        (translate(N_("Participants"), lang), translate(people, lang)),
    ]
    for row, (label, value) in enumerate(about, 1):
        info.cell(row, 1, label).font = bold
        _xlsx_value(info.cell(row, 2), value)
    start = len(about) + 2
    info.cell(start, 1, translate(N_("Sheet"), lang)).font = bold
    info.cell(start, 2, translate(N_("Rows"), lang)).font = bold
    for offset, (name, rows) in enumerate(data.items(), 1):
        info.cell(start + offset, 1, name)
        info.cell(start + offset, 2, len(rows))
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 80

    for name, rows in data.items():
        sheet = workbook.create_sheet(name[:31])
        columns = list(dict.fromkeys(key for row in rows for key in row))
        if not columns:
            columns = ["id"]
        widths = [len(column) for column in columns]
        for index, column in enumerate(columns, 1):
            cell = sheet.cell(1, index, column)
            cell.font = bold
            cell.fill = fill
            cell.alignment = Alignment(vertical="top")
        for r, row in enumerate(rows, 2):
            for index, column in enumerate(columns, 1):
                value = row.get(column)
                _xlsx_value(sheet.cell(r, index), value)
                if r < 500 and value is not None:
                    widths[index - 1] = max(widths[index - 1], len(str(value)))
        for index, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, width + 2))
        sheet.freeze_panes = "A2"
        if rows:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    with _replacing(path) as temporary:
        workbook.save(temporary)
    return path


# --- file names ----------------------------------------------------------------------


def _slug(text: str, limit: int = 60) -> str:
    """A file name part that every system accepts: ASCII letters, digits and dashes.

    >>> _slug("Zweites Treffen: Ortskerne, Daseinsvorsorge & Größe")
    'Zweites-Treffen-Ortskerne-Daseinsvorsorge-Groesse'
    """
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"),
                          ("Ü", "Ue"), ("ß", "ss")):  # fmt: skip
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    return text[:limit].rstrip("-") or "x"


def _protocol_name(protocol: report.Protocol, store: Store) -> str:
    meeting = store.meeting(protocol.meeting_id)
    when = meeting.date.isoformat() if meeting.date else f"{protocol.meeting_id}"
    return f"{_slug(protocol.label)}_{when}_{_slug(protocol.title, 50)}"


def _data_name(store: Store, meeting_id: int | None, lang: str) -> str:
    word = _slug(translate(N_("Data"), lang))
    if meeting_id is None:
        return f"{word}_{_slug(store.info().title, 50)}"
    meeting = store.meeting(meeting_id)
    when = meeting.date.isoformat() if meeting.date else str(meeting_id)
    return f"{word}_{when}_{_slug(meeting.title, 50)}"


# --- the one entry point ---------------------------------------------------------------


def export(
    store: Store,
    fmt: str,
    out_dir: str | Path,
    *,
    meeting_id: int | None = None,
    lang: str | None = None,
    names: bool = False,
    anonymous: bool = False,
    include_confidential: bool | Collection[int] = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> list[Path]:
    """Write the protocol and/or the data of a workspace into ``out_dir``.

    Parameters
    ----------
    store
        The open workspace.
    fmt
        ``"html"`` or ``"docx"`` (the protocol of one meeting), ``"xlsx"`` or
        ``"csv"`` (the data), ``"graphml"``, ``"gexf"``, ``"pajek"``, ``"dl"``
        or ``"kumu"`` (the cooperation network), or ``"all"`` (every one of
        them: CSV files go into the subfolder ``csv``, the network files into
        ``network``).
    out_dir
        The folder; created if it does not exist.
    meeting_id
        The meeting of the protocol (default: the current meeting, else the
        last one). With a meeting id the data and the network files cover
        that meeting only; without one they cover the whole workspace.
    lang
        ``"de"`` or ``"en"`` for the protocol and sheet labels; default: the
        current language (German unless set).
    names
        Put names into the data and the network files (only of those who
        consented); by default they hold pseudonyms. The protocol always names those who consented,
        and nobody else.
    anonymous
        A protocol that names nobody (for a publication).
    include_confidential
        ``True`` includes every consultation; a collection of consultation ids
        includes those. By default a confidential consultation leaves the
        workspace only if the facilitator included it in the export.
    progress
        Called with ``(step, steps, what)`` before each step.
    today
        The date the protocol gives as its date of making (default: today).

    Returns
    -------
    list of Path
        The files written, in the order they were written.

    Raises
    ------
    UnknownFormat
        ``fmt`` is not one of :data:`FORMATS`.
    MeetingNotFound, NoMeetingToReport
        No such meeting, or no meeting at all for a protocol.
    OutputNotWritable
        The folder cannot be created or written to.

    Examples
    --------
    >>> import tempfile, facilitation
    >>> from facilitation.shipped import load_demo
    >>> folder = tempfile.mkdtemp()
    >>> store = facilitation.create_workspace(folder + "/demo.db", "Demo")
    >>> load_demo(store)
    >>> [p.name for p in export(store, "html", folder, meeting_id=1)]
    ['Protokoll_2026-06-17_Auftaktveranstaltung-Peer-Learning-Ostsachsen.html']
    >>> [p.suffix for p in export(store, "xlsx", folder, lang="en")]
    ['.xlsx']
    """
    if fmt not in FORMATS:
        raise UnknownFormat(format=fmt, choices=", ".join(FORMATS))
    lang = lang or current_language()
    wanted = [f for f in FORMATS[:-1] if fmt in (f, "all")]
    protocol_wanted = any(f in PROTOCOL_FORMATS for f in wanted)
    if protocol_wanted and fmt == "all" and not store.meetings():
        wanted = [f for f in wanted if f not in PROTOCOL_FORMATS]  # data only, no protocol
        protocol_wanted = False
    chosen = meeting_id
    if protocol_wanted or meeting_id is not None:
        chosen = report.choose_meeting(store, meeting_id).id  # fails early, before any file
    folder = _folder(out_dir)

    steps: list[tuple[str, Callable[[], list[Path]]]] = []
    built: list[report.Protocol] = []

    def protocol() -> report.Protocol:
        if not built:
            built.append(
                report.build_protocol(
                    store, chosen, lang=lang, anonymous=anonymous,
                    include_confidential=include_confidential, today=today,
                )
            )  # fmt: skip
        return built[0]

    def html() -> list[Path]:
        path = folder / f"{_protocol_name(protocol(), store)}.html"
        with _replacing(path) as temporary:
            report.write_html(protocol(), temporary)
        return [path]

    def docx() -> list[Path]:
        path = folder / f"{_protocol_name(protocol(), store)}.docx"
        with _replacing(path) as temporary:
            report.write_docx(protocol(), temporary)
        return [path]

    data_options: dict[str, Any] = {
        "names": names, "confidential": include_confidential, "meeting_id": meeting_id,
    }  # fmt: skip
    rows: list[dict[str, list[dict[str, Any]]]] = []

    def data() -> dict[str, list[dict[str, Any]]]:
        """The data's rows, built once for Excel and CSV alike."""
        if not rows:
            rows.append(tables(store, **data_options))
        return rows[0]

    def xlsx() -> list[Path]:
        path = folder / f"{_data_name(store, meeting_id, lang)}.xlsx"
        return [write_xlsx(store, path, lang=lang, data=data(), **data_options)]

    def csv_files() -> list[Path]:
        target = folder / "csv" if fmt == "all" else folder
        return write_csv(store, target, data=data(), **data_options)

    def network_files(kind: str) -> Callable[[], list[Path]]:
        def write() -> list[Path]:
            from .network_io import export_network

            target = folder / "network" if fmt == "all" else folder
            try:
                return export_network(store, kind, target, names=names, meeting_id=meeting_id)
            except OSError as error:
                raise OutputNotWritable(folder=str(target), reason=_reason(error)) from None

        return write

    def read() -> list[Path]:
        protocol()
        return []

    if protocol_wanted:
        steps.append((translate(N_("Reading the meeting"), lang), read))
    labels = {
        "html": (N_("Writing the protocol (HTML)"), html),
        "docx": (N_("Writing the protocol (Word)"), docx),
        "xlsx": (N_("Writing the data (Excel)"), xlsx),
        "csv": (N_("Writing the data (CSV)"), csv_files),
    }
    for name in wanted:
        if name in NETWORK_FORMATS:
            label = translate(N_("Writing the network ({format})"), lang).format(format=name)
            steps.append((label, network_files(name)))
        else:
            label, step = labels[name]
            steps.append((translate(label, lang), step))

    written: list[Path] = []
    for number, (label, step) in enumerate(steps, 1):
        if progress is not None:
            progress(number, len(steps), label)
        written.extend(step())
    return written


REPORT_FORMATS = ("html", "docx", "xlsx", "all")
"""What :func:`export_programme_report` writes: one format, or all three."""


def export_programme_report(
    store: Store,
    fmt: str,
    folder: str | Path,
    *,
    lang: str | None = None,
    anonymous: bool = False,
    include_confidential: bool | Collection[int] = False,
    today: dt.date | None = None,
) -> list[Path]:
    """Write the report of the whole programme (:func:`report.build_programme_report`).

    ``fmt`` is ``"html"``, ``"docx"``, ``"xlsx"`` or ``"all"``; the files are
    named after the workspace (``Programmbericht-<Titel>.html``) and replace
    earlier ones only once written whole. Returns the paths written.
    """
    if fmt not in REPORT_FORMATS:
        raise UnknownFormat(format=fmt, choices=", ".join(REPORT_FORMATS))
    lang = lang or current_language()
    built = report.build_programme_report(
        store, lang=lang, anonymous=anonymous, include_confidential=include_confidential,
        today=today,
    )  # fmt: skip
    folder = _folder(folder)
    stem = f"{_slug(built.label)}-{_slug(store.info().title)}"
    if anonymous:
        stem += "-" + _slug(translate(N_("anonymous"), lang))
    writers = {
        "html": report.write_html,
        "docx": report.write_docx,
        "xlsx": report.write_report_xlsx,
    }
    written = []
    for kind in REPORT_FORMATS[:-1] if fmt == "all" else (fmt,):
        path = folder / f"{stem}.{kind}"
        with _replacing(path) as temporary:
            writers[kind](built, temporary)
        written.append(path)
    return written
