"""The benchmark runner runs (its figures are not tested: no timing asserts in tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_run_only_store_prints_its_metrics() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--only", "store", "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [line["metric"] for line in lines] == [
        "store_dots_per_s",
        "store_lost",
        "store_violations",
        "store_pg_dots_per_s",
    ]
    for line in lines:
        assert set(line) == {"metric", "value", "unit", "goal", "note"}
        assert line["value"] is not None or line["note"]
