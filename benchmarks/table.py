"""The README's table of figures from the JSON lines of two runs.

Usage: ``python benchmarks/table.py BEFORE.jsonl LATEST.jsonl`` (either may be
``-`` for none). Prints Markdown rows: figure, before, latest, goal.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _read(name: str) -> dict[str, dict]:
    if name == "-":
        return {}
    lines = Path(name).read_text().splitlines()
    return {row["metric"]: row for row in map(json.loads, filter(str.strip, lines))}


def _shown(row: dict | None) -> str:
    if row is None:
        return "–"
    if row["value"] is None:
        return "not measured"
    unit = row["unit"] if row["unit"] not in ("ratio", "") else ""
    return f"{row['value']:g} {unit}".strip()


def main(argv: list[str]) -> int:
    before, latest = _read(argv[0]), _read(argv[1])
    for metric in latest or before:
        row = latest.get(metric) or before[metric]
        goal = row["goal"]
        goal = "report" if goal == "report" else ("–" if goal is None else f"{goal:g}")
        comparison = "≥" if metric.endswith("per_s") else ("" if goal == "report" else "≤")
        comparison = "=" if goal == "0" else comparison
        print(f"| `{metric}` | {_shown(before.get(metric))} | {_shown(latest.get(metric))} "
              f"| {comparison} {goal} |".replace("|  ", "| "))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
