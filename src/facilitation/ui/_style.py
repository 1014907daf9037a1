"""The look of the pages: one style sheet, readable on a phone and from the back of a room."""

from __future__ import annotations

import ipywidgets as widgets

__all__ = ["CSS", "header_row", "style_sheet"]

CSS = """
<style>
.fac-root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif;
            color: #1d2733; max-width: 1100px; margin: 0 auto; padding: 8px;
            box-sizing: border-box; }
.fac-root .widget-label, .fac-root .widget-html-content { font-size: 16px; }
.fac-root h1 { font-size: 1.7em; margin: 0.2em 0; line-height: 1.2; }
.fac-root h2 { font-size: 1.25em; margin: 0.8em 0 0.3em; }
.fac-muted { color: #5b6b7c; }
.fac-card { border: 1px solid #dfe6ee; border-radius: 10px; padding: 10px 14px; margin: 6px 0;
            background: #fff; overflow-wrap: anywhere; }
.fac-card b { font-size: 1.05em; }
.fac-tag { display: inline-block; background: #eef3f8; border-radius: 10px; padding: 0 8px;
           margin: 2px 4px 0 0; font-size: 0.85em; }
.fac-dot { color: #d9480f; font-size: 1.2em; letter-spacing: 2px; }
.fac-tie { background: #fff3cd; border-radius: 4px; padding: 0 6px; font-size: 0.8em; }
.fac-error { background: #fdecea; color: #611a15; padding: 10px 14px; border-radius: 8px; }
.fac-ok { background: #e6f4ea; color: #1e4620; padding: 10px 14px; border-radius: 8px; }
.fac-bar { background: #1c7ed6; height: 1.1em; border-radius: 4px; min-width: 2px; }
.fac-table { border-collapse: collapse; width: 100%; }
.fac-table td, .fac-table th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef2f6;
                               vertical-align: top; }
.fac-countdown { font-size: 2.2em; font-weight: 700; font-variant-numeric: tabular-nums;
                 color: #1c7ed6; text-align: right; flex: 0 0 auto; min-width: 3.2em; }
.fac-root .fac-header > .widget-html { flex: 1 1 auto; min-width: 0; }
.fac-ranking td:first-child { width: 9em; white-space: nowrap; }
.fac-ranking td:last-child { width: 3em; text-align: right; }
.fac-wall .fac-ranking { font-size: 1.25em; }
.fac-wall h2 { font-size: 1.5em; }
.fac-countdown-over { color: #c92a2a; }
.fac-wall { font-size: 1.6em; }
.fac-wall .fac-card { font-size: 0.9em; }
.fac-wall h1 { font-size: 2.2em; }
.fac-big { font-size: 1.6em; font-weight: 700; }
.fac-join { display: flex; gap: 1.5em; align-items: center; flex-wrap: wrap; }
.fac-join svg { width: 220px; height: 220px; }
.fac-columns { column-width: 320px; column-gap: 14px; }
.fac-columns .fac-card { break-inside: avoid; }
.fac-root .widget-button, .fac-root .jupyter-button { width: auto; min-width: 110px; height: auto;
  min-height: 36px; padding: 4px 14px; white-space: normal; font-size: 15px; }
.fac-root .lm-TabBar-tab { flex: 0 0 auto !important; max-width: none !important;
  min-width: 120px; font-size: 15px; padding: 4px 14px !important; }
.fac-root .widget-tab > .lm-TabBar { overflow-x: auto; }
.fac-root .widget-text, .fac-root .widget-textarea, .fac-root .widget-dropdown {
  max-width: 100%; box-sizing: border-box; }
.fac-root .widget-text input, .fac-root .widget-textarea textarea { font-size: 16px;
  font-family: inherit; min-width: 0; }
.fac-root .widget-text, .fac-root .widget-textarea { margin-left: 0; margin-right: 0; }
.fac-controls .widget-vbox > .jupyter-button { align-self: flex-start; }
@media (max-width: 600px) {
  .fac-root { padding: 4px; }
  .fac-root h1 { font-size: 1.35em; }
  .fac-countdown { font-size: 1.6em; }
}
@media print {
  .fac-noprint { display: none !important; }
  .fac-sheet { page-break-inside: avoid; }
}
</style>
"""


def style_sheet() -> widgets.HTML:
    return widgets.HTML(CSS)


def header_row(title: widgets.Widget, countdown: widgets.Widget) -> widgets.HBox:
    """A page's title with the countdown on its right (the countdown never squeezed)."""
    row = widgets.HBox([title, countdown], layout={"justify_content": "space-between"})
    row.add_class("fac-header")
    return row
