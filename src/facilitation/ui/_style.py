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
.fac-preview { overflow-x: auto; overflow-wrap: normal; }
.fac-preview td { white-space: nowrap; }
.fac-preview tr.fac-refused td { color: #611a15; }
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
.fac-root .widget-tab > .lm-TabBar { overflow: visible; height: auto; min-height: 0; }
.fac-root .widget-tab > .lm-TabBar .lm-TabBar-content { flex-wrap: wrap; }
.fac-root .widget-text, .fac-root .widget-textarea, .fac-root .widget-dropdown {
  max-width: 100%; box-sizing: border-box; }
.fac-root .widget-text input, .fac-root .widget-textarea textarea { font-size: 16px;
  font-family: inherit; min-width: 0; }
.fac-root .widget-text, .fac-root .widget-textarea, .fac-root .widget-dropdown {
  margin-left: 0; margin-right: 0; }
.fac-controls .widget-vbox > .jupyter-button { align-self: flex-start; }
.fac-root .widget-checkbox { width: auto; max-width: 100%; height: auto; }
/* A consent is read whole, also on a phone: its words wrap instead of ending in "...". */
.fac-root .widget-checkbox label { white-space: normal; overflow: visible; text-overflow: clip;
  height: auto; line-height: 1.35; align-items: flex-start; }
.fac-steps { display: flex; flex-wrap: wrap; gap: 4px; margin: 6px 0 8px; padding: 0;
             list-style: none; }
.fac-steps li { flex: 1 1 0; min-width: 6.5em; background: #eef3f8; color: #5b6b7c;
                border-radius: 6px; padding: 3px 6px; font-size: 0.8em; text-align: center; }
.fac-steps li.fac-past { background: #d0e2f5; color: #1d2733; }
.fac-steps li.fac-now { background: #1c7ed6; color: #fff; font-weight: 700; }
.fac-role { display: inline-block; background: #fff3bf; border-radius: 12px; padding: 1px 10px;
            font-weight: 600; }
.fac-task { border-left: 5px solid #1c7ed6; }
.fac-label { display: block; font-size: 0.75em; color: #5b6b7c; text-transform: uppercase;
             letter-spacing: 0.04em; }
.fac-card .fac-label { display: inline; }
.fac-keyq { font-size: 1.15em; font-weight: 600; background: #e7f1fb; border-radius: 10px;
            padding: 10px 14px; margin: 8px 0; overflow-wrap: anywhere; }
.fac-keyq .fac-label { display: block; font-weight: 400; }
.fac-num { display: inline-block; min-width: 1.6em; color: #1c7ed6; font-weight: 700; }
.fac-entry.fac-taken, .fac-taken { border-color: #2b8a3e; background: #ebfbee; }
.fac-tick { color: #2b8a3e; font-weight: 700; }
.fac-form { background: #f8fafc; border: 1px solid #dfe6ee; border-radius: 10px; padding: 8px;
            margin: 6px 0; }
.fac-mine { border-bottom: 1px dashed #dfe6ee; padding: 2px 0; }
.fac-warn { background: #fff3cd; color: #664d03; padding: 6px 10px; border-radius: 8px; }
.fac-overdue { color: #c92a2a; font-weight: 700; }
.fac-history { margin: 2px 0 0 1em; padding: 0; font-size: 0.9em; color: #5b6b7c; }
.fac-tables { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
              gap: 12px; }
.fac-table-block { border: 1px solid #dfe6ee; border-radius: 10px; padding: 6px 12px;
                   background: #fff; overflow-wrap: anywhere; }
.fac-table-block h2 { margin-top: 0.3em; }
.fac-names { margin: 0; padding-left: 1.1em; }
.fac-casting td:first-child { width: 12em; font-weight: 600; }
.fac-wall .fac-keyq { font-size: 1.2em; }
.fac-wall .fac-steps li { font-size: 0.6em; }
.fac-wall .fac-tables { grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); }
@media (max-width: 600px) {
  .fac-steps li { min-width: 2em; font-size: 0.8em; padding: 3px 2px; }
  .fac-steps li .fac-step-name { display: none; }
  .fac-steps li.fac-now { flex: 4 1 auto; }
  .fac-steps li.fac-now .fac-step-name { display: inline; }
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
