"""A report as an editable Word document."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ._charts import chart_image
from ._document import BarChart, Block, Bullets, Cell, Figure, Paragraph, Protocol, Section, Table
from ._html import _keep_together

# --- DOCX -----------------------------------------------------------------------------


def write_docx(protocol: Protocol, path: str | Path) -> Path:
    """Write the protocol as a Word document (A4) with real headings and tables.

    Headings use Word's built-in heading styles (the navigation pane and a
    table of contents work), tables are real tables whose header row repeats
    on every page, and charts are embedded pictures. Every text is written as
    plain text.
    """
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt, RGBColor

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    _docx_language(document, protocol.lang)
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    properties = document.core_properties
    properties.title = f"{protocol.label}: {protocol.title}"
    properties.subject = protocol.series
    properties.language = {"de": "de-DE", "en": "en-GB"}.get(protocol.lang, protocol.lang)
    properties.author = "facilitation"

    series = document.add_paragraph(f"{protocol.label} · {protocol.series}")
    series.runs[0].font.size = Pt(9)
    series.runs[0].font.color.rgb = RGBColor(0x2F, 0x6F, 0x8F)
    document.add_heading(protocol.title, level=0)
    facts = Table(
        columns=("", ""),
        rows=tuple((Cell(label, strong=True), Cell(value)) for label, value in protocol.facts),
        widths=(1, 3),
        header=False,
    )
    _docx_table(document, facts)
    for part in protocol.sections:
        _docx_section(document, part, 1)
    footer = document.add_paragraph(protocol.footer)
    for run in footer.runs:
        run.font.size = Pt(8.5)
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    _docx_page_numbers(section)
    path = Path(path)
    document.save(str(path))
    return path


def _docx_language(document: Any, lang: str) -> None:
    """Set the proofing language of the document's default run style."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tag = {"de": "de-DE", "en": "en-GB"}.get(lang, lang)
    rpr = document.styles["Normal"].element.get_or_add_rPr()
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:val"), tag)


def _docx_page_numbers(section: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _docx_section(document: Any, section: Section, level: int) -> None:
    document.add_heading(section.heading, level=min(level, 4))
    for block in section.blocks:
        if isinstance(block, Section):
            _docx_section(document, block, level + 1)
        else:
            _docx_block(document, block)


def _docx_block(document: Any, block: Block) -> None:
    from docx.shared import Cm, Pt, RGBColor

    if isinstance(block, Paragraph):
        paragraph = document.add_paragraph()
        run = paragraph.add_run(block.text)
        if block.style == "label":
            run.bold = True
            paragraph.paragraph_format.keep_with_next = True
            paragraph.paragraph_format.space_before = Pt(6)
        elif block.style == "note":
            run.font.size = Pt(9)
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    elif isinstance(block, Bullets):
        marked = block.marked or (False,) * len(block.items)
        for text, mark in zip(block.items, marked, strict=True):
            paragraph = document.add_paragraph(style="List Bullet")
            if mark:
                tick = paragraph.add_run("✓ ")
                tick.bold = True
                tick.font.color.rgb = RGBColor(0x1F, 0x7A, 0x3A)
            paragraph.add_run(text)
    elif isinstance(block, Table):
        _docx_table(document, block)
    elif isinstance(block, BarChart):
        document.add_picture(io.BytesIO(chart_image(block, "png")), width=Cm(16))
        _docx_describe_picture(document, block.alt)
    elif isinstance(block, Figure):
        document.add_picture(io.BytesIO(block.png), width=Cm(16))
        _docx_describe_picture(document, block.alt)
        if block.caption:
            document.add_paragraph(block.caption, style="Caption")
    else:  # pragma: no cover
        raise TypeError(f"unknown block {block!r}")


def _docx_describe_picture(document: Any, alt: str) -> None:
    """Give the last inserted picture its text alternative (read by screen readers)."""
    from docx.oxml.ns import qn

    pictures = document.element.body.findall(".//" + qn("wp:docPr"))
    if pictures:
        pictures[-1].set("descr", alt)


def _docx_table(document: Any, table: Table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    columns = len(table.columns)
    grid = document.add_table(rows=1 if table.header else 0, cols=columns)
    # Data tables get Word's grid; the facts under the title stay without lines.
    grid.style = document.styles["Table Grid" if table.header else "Normal Table"]
    grid.autofit = False
    _docx_table_layout(grid)
    total = sum(table.widths) if table.widths else columns
    widths = [Cm(17 * (w / total)) for w in (table.widths or (1,) * columns)]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width  # the grid: what Word and LibreOffice lay out by
    if table.header:
        header = grid.rows[0]
        _docx_row_flags(header, repeat=True)
        for cell, text in zip(header.cells, table.columns, strict=True):
            run = cell.paragraphs[0].add_run(text)
            run.bold = True
            run.font.size = Pt(9.5)
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:fill"), "E8F0F4")
            cell._tc.get_or_add_tcPr().append(shading)
    for row in table.rows:
        cells = grid.add_row()
        _docx_row_flags(cells)
        for target, cell in zip(cells.cells, row, strict=True):
            run = target.paragraphs[0].add_run(cell.text)
            run.bold = cell.strong
            run.font.size = Pt(9.5)
            if cell.detail:
                detail = target.add_paragraph().add_run(cell.detail)
                detail.font.size = Pt(8.5)
                detail.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    keep = _keep_together(table)
    last = len(grid.rows) - 1
    for number, row in enumerate(grid.rows):
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.space_after = Pt(1)
                # Word keeps a table together when every row keeps with the next.
                paragraph.paragraph_format.keep_with_next = keep and number < last
    document.add_paragraph()


def _docx_table_layout(grid: Any) -> None:
    """A fixed layout (the column widths hold) and some air inside the cells."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = grid._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 40), ("left", 90), ("bottom", 40), ("right", 90)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.append(margins)


def _docx_row_flags(row: Any, *, repeat: bool = False) -> None:
    """Rows never split across pages; the header row repeats on every page."""
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    properties.append(cant_split)
    if repeat:
        header = OxmlElement("w:tblHeader")
        properties.append(header)
