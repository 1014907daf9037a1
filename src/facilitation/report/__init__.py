"""Reports: the protocol of a meeting and the report of a programme, as HTML and DOCX.

:func:`build_protocol` reads one meeting's records and returns a
:class:`Protocol`: plain data (sections of paragraphs, lists, tables and
charts), with every word already in the protocol's language. The renderers
:func:`render_html` and :func:`write_docx` turn it into a self-contained HTML
page (prints on A4) and an editable Word document; neither reads the store.

Who is named: only participants who consented to be named. Anyone else is
"not named" wherever a person would appear (challenge, role, host, owner),
and the municipality of an unnamed author is not shown either, since a town
and a role often identify a person. Consultations appear as in the exports
(:func:`facilitation.consultation.released`): those not confidential, those
the facilitator included (``include_in_export``) and those the caller asks
for; the others are counted, never described.

>>> import tempfile, facilitation
>>> from facilitation.shipped import load_demo
>>> store = facilitation.create_workspace(tempfile.mkdtemp() + "/demo.db", "Demo")
>>> load_demo(store)
>>> protocol = build_protocol(store, lang="en")
>>> protocol.title
'Zweites Treffen: Ortskerne, Strukturwandel, Daseinsvorsorge'
>>> [section.key for section in protocol.sections]  # doctest: +NORMALIZE_WHITESPACE
['agenda', 'participants', 'tables', 'consultations', 'network', 'actions',
 'earlier_actions']
>>> "Frank Scholze" in protocol.plain_text()  # he did not consent to be named
False
>>> render_html(protocol).startswith("<!DOCTYPE html>")
True
"""

from __future__ import annotations

from ._charts import chart_image
from ._document import (
    BarChart,
    Bullets,
    Cell,
    Figure,
    Paragraph,
    Protocol,
    Section,
    Table,
    clean_text,
    format_date,
)
from ._docx import write_docx
from ._html import render_html, write_html
from ._programme import SourceLabel, build_programme_report, source_labels
from ._protocol import build_protocol, choose_meeting
from ._xlsx import write_report_xlsx

__all__ = [
    "BarChart",
    "Bullets",
    "Cell",
    "Figure",
    "Paragraph",
    "Protocol",
    "Section",
    "SourceLabel",
    "Table",
    "build_programme_report",
    "build_protocol",
    "chart_image",
    "choose_meeting",
    "clean_text",
    "format_date",
    "render_html",
    "source_labels",
    "write_docx",
    "write_html",
    "write_report_xlsx",
]
