"""A report as one self-contained HTML page that prints on A4."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from ._charts import chart_image
from ._document import BarChart, Block, Bullets, Figure, Paragraph, Protocol, Section, Table

# --- HTML -----------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 18mm;
  @bottom-right { content: counter(page) " / " counter(pages); font: 8pt sans-serif;
    color: #666; } }
* { box-sizing: border-box; }
html { font-family: "Source Sans 3", "Segoe UI", Calibri, "Liberation Sans", Arial, sans-serif;
  font-size: 10.5pt; line-height: 1.4; color: #1d1d1d; }
body { margin: 0 auto; max-width: 180mm; padding: 12mm 0; hyphens: auto; }
header { border-bottom: 2px solid #2f6f8f; padding-bottom: 4mm; margin-bottom: 6mm; }
.series { text-transform: uppercase; letter-spacing: .06em; font-size: 8.5pt; color: #2f6f8f;
  margin: 0 0 1.5mm; }
h1 { font-size: 19pt; line-height: 1.2; margin: 0 0 3mm; }
h2 { font-size: 13.5pt; color: #2f6f8f; margin: 7mm 0 2.5mm; padding-bottom: 1mm;
  border-bottom: 1px solid #c9d9e1; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm; }
h4 { font-size: 10.5pt; margin: 4mm 0 1.5mm; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 5mm; margin: 0; }
dl.facts dt { font-weight: 600; color: #555; }
dl.facts dd { margin: 0; }
p { margin: 0 0 2mm; white-space: pre-line; orphans: 3; widows: 3; }
p.note { font-size: 9pt; color: #555; }
p.label { font-weight: 600; margin: 3mm 0 1mm; break-after: avoid; page-break-after: avoid; }
ul { margin: 0 0 2mm; padding-left: 6mm; }
li { margin: 0 0 1mm; white-space: pre-line; break-inside: avoid; }
li.marked::marker { content: "✓  "; color: #1f7a3a; font-weight: 700; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 4mm; font-size: 9.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th { text-align: left; background: #e8f0f4; border-bottom: 1.5px solid #2f6f8f; }
th, td { padding: 1.4mm 2mm; vertical-align: top; }
td { border-bottom: 1px solid #dde3e6; white-space: pre-line; }
td .detail { display: block; font-size: 8.5pt; color: #555; margin-top: .6mm; }
td.strong > .text { font-weight: 600; }
table.keep { break-inside: avoid; page-break-inside: avoid; }
table.facts td:first-child { width: 28%; }
figure { margin: 2mm 0 4mm; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #555; margin-top: 1mm; }
footer { break-before: avoid; page-break-before: avoid; margin-top: 6mm; padding-top: 2mm;
  border-top: 1px solid #ccc; font-size: 8.5pt;
  color: #555; }
section { break-inside: auto; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; } }
"""

# Short tables never break across pages; longer ones break between rows (never inside one).
_KEEP_ROWS = 8
_KEEP_CHARS = 700


def _keep_together(table: Table) -> bool:
    """Whether a table is short enough never to break across pages (HTML and Word alike)."""
    # Without a header row to repeat, a split table loses its reader: keep more of it together.
    rows = _KEEP_ROWS if table.header else 2 * _KEEP_ROWS
    return len(table.rows) <= rows and sum(map(len, table.texts())) <= _KEEP_CHARS


def render_html(protocol: Protocol) -> str:
    """The protocol as one self-contained HTML page (CSS inline, charts as data URIs).

    Every text from the workspace is escaped: markup typed by a participant
    is shown as text, never run. A content security policy forbids scripts
    and any load from outside the file as a second line of defence.
    """
    e = _esc
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(protocol.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="facilitation">',
        f"<title>{e(protocol.label)}: {e(protocol.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<p class="series">{e(protocol.label)} · {e(protocol.series)}</p>',
        f"<h1>{e(protocol.title)}</h1>",
        '<dl class="facts">',
        *(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in protocol.facts),
        "</dl>",
        "</header>",
        "<main>",
    ]
    for section in protocol.sections:
        parts.extend(_html_section(section, 2))
    parts += ["</main>", f"<footer>{e(protocol.footer)}</footer>", "</body>", "</html>", ""]
    return "\n".join(parts)


def write_html(protocol: Protocol, path: str | Path) -> Path:
    """Write :func:`render_html` of the protocol to ``path`` (UTF-8); return the path."""
    path = Path(path)
    path.write_text(render_html(protocol), encoding="utf-8")
    return path


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_section(section: Section, level: int) -> list[str]:
    h = min(level, 4)
    out = [f'<section id="{_esc(section.key)}">', f"<h{h}>{_esc(section.heading)}</h{h}>"]
    for block in section.blocks:
        if isinstance(block, Section):
            out.extend(_html_section(block, level + 1))
        else:
            out.append(_html_block(block))
    out.append("</section>")
    return out


def _html_block(block: Block) -> str:
    e = _esc
    if isinstance(block, Paragraph):
        css = "" if block.style == "body" else f' class="{e(block.style)}"'
        return f"<p{css}>{e(block.text)}</p>"
    if isinstance(block, Bullets):
        marked = block.marked or (False,) * len(block.items)
        items = "".join(
            f'<li class="marked">{e(text)}</li>' if mark else f"<li>{e(text)}</li>"
            for text, mark in zip(block.items, marked, strict=True)
        )
        return f"<ul>{items}</ul>"
    if isinstance(block, Table):
        return _html_table(block)
    if isinstance(block, BarChart):
        svg = chart_image(block, "svg")
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
        return f'<figure><img src="{uri}" alt="{e(block.alt)}"></figure>'
    if isinstance(block, Figure):
        data = block.svg or block.png
        kind = "svg+xml" if block.svg else "png"
        uri = f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")
        caption = f"<figcaption>{e(block.caption)}</figcaption>" if block.caption else ""
        return f'<figure><img src="{uri}" alt="{e(block.alt)}">{caption}</figure>'
    raise TypeError(f"unknown block {block!r}")  # pragma: no cover


def _html_table(table: Table) -> str:
    e = _esc
    classes = []
    if _keep_together(table):
        classes.append("keep")
    if not table.header:
        classes.append("facts")
    css = f' class="{" ".join(classes)}"' if classes else ""
    out = [f"<table{css}>"]
    if table.widths:
        total = sum(table.widths)
        out.append(
            "<colgroup>"
            + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in table.widths)
            + "</colgroup>"
        )
    if table.caption:
        out.append(f"<caption>{e(table.caption)}</caption>")
    if table.header:
        out.append("<thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in table.columns))
        out.append("</tr></thead>")
    out.append("<tbody>")
    for row in table.rows:
        cells = []
        for cell in row:
            css = ' class="strong"' if cell.strong else ""
            detail = f'<span class="detail">{e(cell.detail)}</span>' if cell.detail else ""
            cells.append(f'<td{css}><span class="text">{e(cell.text)}</span>{detail}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)
