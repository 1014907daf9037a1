"""A report's tables as an Excel workbook: one sheet per table, for further work."""

from __future__ import annotations

from pathlib import Path

from ._document import Protocol, Section, Table, _walk_sections

__all__ = ["write_report_xlsx"]


def write_report_xlsx(report: Protocol, path: str | Path) -> Path:
    """Write every table of ``report`` on a sheet of its own, the facts on the first.

    A sheet is named after the table's section (cut to Excel's 31 characters,
    numbered where two would be named alike); its first row holds the columns,
    frozen and filtered. Texts stay text: nothing a participant typed becomes a
    formula.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    path = Path(path)
    workbook = Workbook()
    info = workbook.active
    info.title = report.label[:31]
    info.append([report.title])
    info.append([report.series])
    for label, value in report.facts:
        info.append([label, value])
    info.append([])
    info.append([report.footer])
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 60
    used = {info.title}
    for section, table in _tables(report):
        name = _sheet_name(section.heading, used)
        sheet = workbook.create_sheet(name)
        sheet.append(list(table.columns))
        for row in table.rows:
            sheet.append([_value(cell.text) for cell in row])
        for index, column in enumerate(table.columns, 1):
            width = max([len(column), *(len(row[index - 1].text) for row in table.rows)])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, width + 2))
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = (
                f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
            )
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever it starts with
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _tables(report: Protocol) -> list[tuple[Section, Table]]:
    return [
        (section, block)
        for section in _walk_sections(report.sections)
        for block in section.blocks
        if isinstance(block, Table)
    ]


def _sheet_name(heading: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in heading).strip() or "Tabelle"
    name, number = base[:31], 2
    while name in used:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(name)
    return name


def _value(text: str) -> str | int:
    """A count as a number (so that it sums in Excel), anything else as text."""
    return int(text) if text.isdigit() and len(text) < 10 else text
