"""Figures whose code lives elsewhere: network metrics and the protocol export.

Both are measured only where that code exists (``benchmarks/network_metrics.py``
with ``measure(quick) -> list[dict]``; ``facilitation.export.export(store, fmt,
out_dir, meeting_id=None)``); otherwise their lines say what is missing.
"""

from __future__ import annotations

import importlib
import time

from ._common import Result, log, temp_dir

GROUP_METRICS = {
    "network": ("network_metrics_s", "network_metrics_ratio_igraph"),
    "protocol": ("protocol_export_s",),
}
GOALS = {"network_metrics_s": 30, "network_metrics_ratio_igraph": "report", "protocol_export_s": 3}
UNITS = {
    "network_metrics_s": "s",
    "network_metrics_ratio_igraph": "ratio",
    "protocol_export_s": "s",
}


def measure(group: str, quick: bool = False) -> list[Result]:
    if group == "network":
        return _network(quick)
    return _protocol()


def _missing(group: str, why: str) -> list[Result]:
    return [Result(m, None, UNITS[m], GOALS[m], f"not measured: {why}")
            for m in GROUP_METRICS[group]]  # fmt: skip


def _network(quick: bool) -> list[Result]:
    try:
        module = importlib.import_module("benchmarks.network_metrics")
    except ModuleNotFoundError as error:
        if error.name not in ("benchmarks.network_metrics",):
            return _missing("network", f"benchmarks/network_metrics.py needs {error.name}")
        return _missing("network", "benchmarks/network_metrics.py (measure(quick)) is not "
                        "on this branch yet")  # fmt: skip
    log("network: metrics on the generated 11,000-node network")
    found = {row["metric"]: row for row in module.measure(quick=quick)}
    results = []
    for metric in GROUP_METRICS["network"]:
        row = found.get(metric)
        if row is None:
            why = f"not measured: network_metrics.measure() gave no {metric}"
            results.append(Result(metric, None, UNITS[metric], GOALS[metric], why))
            continue
        results.append(Result(metric, row.get("value"), row.get("unit", UNITS[metric]),
                              row.get("goal", GOALS[metric]), row.get("note", "")))  # fmt: skip
    return results


def _protocol() -> list[Result]:
    try:
        from facilitation import export as exports
    except ImportError as error:
        return _missing("protocol", f"facilitation.export does not import ({error})")
    if not hasattr(exports, "export"):
        return _missing("protocol", "the protocol export (facilitation.export.export for "
                        "html/docx/xlsx) is not on this branch yet")  # fmt: skip
    import facilitation
    from facilitation.shipped import load_demo

    folder = temp_dir("protocol")
    location = str(folder / "demo.db")
    with facilitation.create_workspace(location, "Demo") as store:
        load_demo(store)
    with facilitation.open_workspace(location) as store:
        meeting = store.current_meeting()
        meeting_id = meeting.id if meeting else None
        started = time.perf_counter()
        took = {}
        for fmt in ("html", "docx", "xlsx"):
            began = time.perf_counter()
            exports.export(store, fmt, folder / "out", meeting_id=meeting_id)
            took[fmt] = time.perf_counter() - began
        total = time.perf_counter() - started
    detail = ", ".join(f"{fmt} {seconds:.2f} s" for fmt, seconds in took.items())
    which = f"meeting {meeting_id}" if meeting_id else "the whole demo workspace"
    return [Result("protocol_export_s", total, "s", 3,
                   f"HTML + DOCX + XLSX protocol of {which} ({detail}), in this process "
                   "(imports included)")]  # fmt: skip
