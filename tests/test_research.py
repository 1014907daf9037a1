"""The research API: pandas tables and networkx graphs of a workspace, imported lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import facilitation
from facilitation import network
from facilitation.export import tables
from facilitation.research import GRAPH_KINDS
from facilitation.shipped import load_demo

HEAVY = ("pandas", "networkx", "matplotlib", "scipy", "numpy")


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("research") / "demo.db"
    with facilitation.create_workspace(path, "Demo") as store:
        load_demo(store)
    return path


@pytest.fixture
def ws(demo_path: Path):
    with facilitation.open_workspace(demo_path) as store:
        yield store


def test_a_frame_per_record_kind_like_the_export(ws) -> None:
    frames = ws.frames()
    rows = tables(ws)
    assert list(frames) == list(rows)
    for kind, frame in frames.items():
        assert isinstance(frame, pd.DataFrame)
        assert len(frame) == len(rows[kind]), kind
        if rows[kind]:
            assert list(frame.columns) == list(dict.fromkeys(k for r in rows[kind] for k in r))
    ties = ws.frame("ties")
    assert str(ties["created_at"].dtype).startswith("datetime64") and ties["created_at"].dt.tz
    assert str(ties["meeting_id"].dtype) == "Int64" and ties["meeting_id"].isna().any()
    assert str(ws.frame("meetings")["date"].dtype).startswith("datetime64")
    people = ws.frame("participants")
    assert "name" not in people.columns and people["pseudonym"].str.match(r"P\d{3}").all()
    named = ws.frame("participants", names=True)
    consented = {p.id for p in ws.participants() if p.consent_named}
    assert set(named.loc[named["name"] != "", "id"]) == consented
    with pytest.raises(KeyError, match="ties"):
        ws.frame("nonsense")


def test_graphs_of_every_kind(ws) -> None:
    first, second = (m.id for m in ws.meetings())
    for kind in GRAPH_KINDS:
        assert isinstance(ws.graph(kind), nx.Graph), kind
    cooperation = ws.graph()
    assert isinstance(cooperation, nx.MultiDiGraph)
    assert cooperation.number_of_edges() == len(ws.ties())
    node = next(iter(cooperation.nodes(data=True)))[1]
    assert {"ags", "state", "latitude", "longitude", "population"} <= set(node)
    edge = next(d for *_, d in cooperation.edges(data=True) if "meeting_id" in d)
    assert {"type", "topic", "weight", "meeting_id", "created_at", "declared_by"} <= set(edge)
    in_first = ws.graph(meeting=first)
    assert in_first.number_of_edges() == len(ws.ties(first))
    assert ws.graph(meeting=ws.meeting(first)).number_of_edges() == len(ws.ties(first))
    until = ws.graph(meeting=first, cumulative=True).number_of_edges()
    assert until == len([t for t in ws.ties() if t.meeting_id in (None, first)])
    assert ws.graph(meeting=second, cumulative=True).number_of_edges() == len(ws.ties())
    assert isinstance(ws.graph("collapsed"), nx.Graph)
    assert isinstance(ws.graph("directed"), nx.DiGraph)
    assert nx.is_bipartite(ws.graph("bipartite"))
    assert ws.graph("projection").graph["side"] == "municipality"
    assert ws.graph("topics", method="jaccard").graph["method"] == "jaccard"
    assert ws.graph(isolates=False).number_of_nodes() < cooperation.number_of_nodes()
    with pytest.raises(ValueError, match="cooperation"):
        ws.graph("hairball")  # type: ignore[arg-type]


def test_metrics_table_matches_the_network_module(ws) -> None:
    table = ws.metrics()
    panel = network.metrics(ws.graph())
    assert list(table.index) == list(panel)
    for node, measures in panel.items():
        row = table.loc[node]
        assert row["degree"] == measures.degree
        assert row["betweenness"] == pytest.approx(measures.betweenness)
        assert row["brokerage"] == measures.brokerage
    bautzen = ws.municipality_by_ags("14625020").id
    assert table.loc[bautzen, "ags"] == "14625020"
    assert ws.summary() == network.summary(ws.graph())
    growth = ws.growth()
    assert list(growth["meeting_id"]) == [m.id for m in ws.meetings()]
    assert growth["ties"].is_monotonic_increasing


def test_opening_a_workspace_imports_no_analysis_libraries(demo_path: Path) -> None:
    code = (
        "import sys, facilitation\n"
        f"ws = facilitation.open_workspace({str(demo_path)!r})\n"
        "ws.ties(); ws.municipalities(); ws.find_municipalities('Bau')\n"
        "import facilitation.ui.participant\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
