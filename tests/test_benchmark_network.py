"""benchmarks/network_metrics.py gives its figures in the agreed form (no timing asserted)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from facilitation import network

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "network_metrics.py"


def _module():
    spec = importlib.util.spec_from_file_location("network_metrics", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_measure_gives_both_figures() -> None:
    lines = _module().measure(quick=True)
    by_metric = {line["metric"]: line for line in lines}
    assert set(by_metric) == {"network_metrics_s", "network_metrics_ratio_igraph"}
    seconds = by_metric["network_metrics_s"]
    assert seconds["unit"] == "s" and seconds["goal"] == 30 and seconds["value"] > 0
    assert "municipalities" in seconds["note"]
    ratio = by_metric["network_metrics_ratio_igraph"]
    assert ratio["goal"] is None and ratio["value"] > 0
    assert "betweenness" in ratio["note"]


def test_the_generated_network_looks_like_germany() -> None:
    towns, ties = _module().generate(scale=0.1, ties=4_000)
    assert len({t.state for t in towns}) == 16
    assert len(ties) == 4_000
    graph = network.simple_graph(network.cooperation_graph(towns, ties))
    assert nx.number_connected_components(graph) < len(towns) / 20
    local = sum(1 for u, v in graph.edges() if graph.nodes[u]["state"] == graph.nodes[v]["state"])
    assert local / graph.number_of_edges() > 0.8  # mostly within a state


def test_runs_as_a_script_printing_json_lines() -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, check=True
    ).stdout
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["metric"] for line in lines] == [
        "network_metrics_s",
        "network_metrics_ratio_igraph",
    ]
