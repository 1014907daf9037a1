"""The protocol and the data, from the facilitator's page: the same export as
``facilitation export``, written next to the workspace and offered for download.

Confidential consultations stay inside unless the facilitator ticks them here
(or included them when preparing the consultation); names appear in the data
only when asked for, and then only of those who consented.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from .. import consultation as rules
from ..i18n import N_, _, current_language
from ..models import LiveState
from ._common import esc
from ._parts import FacilitatorTab, Part, set_if_changed, show
from ._views import download_link, export_folder

__all__ = ["PART"]


class ExportTab(FacilitatorTab):
    """Export the meeting's protocol (HTML, Word) and the data (Excel, CSV, network files)."""

    title = N_("Protocol and data")

    def build(self) -> None:
        self.format = widgets.Dropdown(
            description=_("Format"),
            options=[
                (_("Protocol for the web and print (HTML)"), "html"),
                (_("Protocol for Word (DOCX)"), "docx"),
                (_("Data for Excel (XLSX)"), "xlsx"),
                (_("Data as CSV files"), "csv"),
                (_("Network for Gephi (GEXF)"), "gexf"),
                (_("Network as GraphML"), "graphml"),
                (_("Everything"), "all"),
            ],
            value="html",
            style={"description_width": "initial"},
            layout={"width": "min(100%, 520px)"},
        )
        self.lang = widgets.ToggleButtons(
            options=[("Deutsch", "de"), ("English", "en")], value=current_language()
        )
        self.names = widgets.Checkbox(
            description=_("Names in the data (only of those who consented)"), indent=False
        )
        self.anonymous = widgets.Checkbox(
            description=_("Protocol without any names (for a publication)"), indent=False
        )
        self.confidential = widgets.SelectMultiple(
            description=_("Also include these confidential consultations"),
            rows=4,
            style={"description_width": "initial"},
            layout={"width": "min(100%, 520px)"},
        )
        self.run = self.page.wire(
            widgets.Button(description=_("Export"), button_style="primary", icon="download"),
            self.export,
        )
        self.programme = self.page.wire(
            widgets.Button(description=_("Programme report (HTML, Word, Excel)"), icon="book"),
            self.export_programme,
        )
        self.released = widgets.HTML()
        self.progress = widgets.HTML()
        self.result = widgets.HTML()
        hint = esc(
            _(
                "Confidential consultations leave the workspace only when ticked here "
                "(or included when they were prepared)."
            )
        )
        self.widget.children = [
            self.format,
            self.lang,
            self.names,
            self.anonymous,
            self.confidential,
            widgets.HTML(f'<div class="fac-muted">{hint}</div>'),
            self.released,
            widgets.HBox([self.run, self.programme], layout={"flex_flow": "row wrap"}),
            self.progress,
            self.result,
        ]

    def refresh(self, live: LiveState) -> None:
        consultations = self.store.consultations(self.page.meeting_id)
        released = [c.title for c in consultations if rules.released(c)]
        options = [(c.title, c.id) for c in consultations if not rules.released(c)]
        if list(self.confidential.options) != options:
            chosen = set(self.confidential.value)
            self.confidential.options = options
            self.confidential.value = tuple(i for _t, i in options if i in chosen)
        show(self.confidential, bool(options))
        text = (
            _("Included in every export: {titles}").format(titles=", ".join(released))
            if released
            else ""
        )
        set_if_changed(self.released, f'<div class="fac-muted">{esc(text)}</div>' if text else "")

    def _show_progress(self, step: int, steps: int, what: str) -> None:
        text = _("Step {step} of {steps}: {what}").format(step=step, steps=steps, what=what)
        self.progress.value = f'<div class="fac-muted">{esc(text)}</div>'

    def export(self) -> list[Path]:
        """Write the chosen export and offer its files (refusals become a message)."""
        from ..export import export

        folder = export_folder(self.store.location)
        self.result.value = ""
        try:
            written = export(
                self.store,
                self.format.value,
                folder,
                meeting_id=self.page.need_meeting(),
                lang=self.lang.value,
                names=self.names.value,
                anonymous=self.anonymous.value,
                include_confidential=tuple(self.confidential.value),
                progress=self._show_progress,
            )
        finally:
            set_if_changed(self.progress, "")
        self._offer(folder, written)
        return written

    def export_programme(self) -> list[Path]:
        """Write the report of the whole programme (every meeting, the agreed findings)."""
        from ..export import export_programme_report

        folder = export_folder(self.store.location)
        self.result.value = ""
        written = export_programme_report(
            self.store,
            "all",
            folder,
            lang=self.lang.value,
            anonymous=self.anonymous.value,
            include_confidential=tuple(self.confidential.value),
        )
        self._offer(folder, written)
        return written

    def _offer(self, folder: Path, written: list[Path]) -> None:
        heading = esc(_("Written to {folder}:").format(folder=folder))
        links = "".join(f"<li>{download_link(path)}</li>" for path in written)
        self.result.value = f'<div class="fac-ok">{heading}<ul>{links}</ul></div>'


PART = Part(facilitator=ExportTab)
