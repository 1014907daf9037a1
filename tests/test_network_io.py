"""Network exports: read back with networkx and igraph, GEXF 1.3 valid, every tie once."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import networkx as nx
import pytest

import facilitation
from facilitation import network
from facilitation.network_io import FORMATS, STATE_KEYS, export_network
from facilitation.privacy import pseudonym
from facilitation.shipped import load_demo

ig = pytest.importorskip("igraph")
etree = pytest.importorskip("lxml.etree")

SCHEMA_DIR = Path(__file__).parent / "data" / "gexf-1.3"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("network-io") / "demo.db"
    store = facilitation.create_workspace(path, "Demo")
    load_demo(store)
    # A tie declared by someone who did not consent to be named.
    shy = next(p for p in store.participants() if not p.consent_named)
    first = store.meetings()[0].id
    towns = store.municipalities()
    store.add_tie(towns[0].id, towns[1].id, topic="Wärmeplanung", meeting_id=first,
                  declared_by=shy.id, weight=2)  # fmt: skip
    yield store
    store.close()


@pytest.fixture(scope="module")
def exported(demo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    folder = tmp_path_factory.mktemp("exported")
    return {fmt: export_network(demo, fmt, folder / fmt) for fmt in FORMATS}


def _our_graph(store) -> nx.MultiDiGraph:
    return network.cooperation_graph(
        store.municipalities(), store.ties(), meetings=store.meetings(), groups=store.groups()
    )


# --- GraphML --------------------------------------------------------------------------------


def test_graphml_read_back_with_networkx_is_the_same_network(demo, exported) -> None:
    ours = _our_graph(demo)
    path = exported["graphml"][0]
    back = nx.read_graphml(path, node_type=int, force_multigraph=True)
    assert isinstance(back, nx.MultiDiGraph)
    assert set(back) == set(ours)
    assert back.number_of_edges() == ours.number_of_edges() == len(demo.ties())
    by_id = {d["tie_id"]: (u, v, d) for u, v, d in back.edges(data=True)}
    assert sorted(by_id) == sorted(t.id for t in demo.ties())  # every tie once
    for u, v, key, data in ours.edges(keys=True, data=True):
        bu, bv, bdata = by_id[key]
        assert (bu, bv) == (u, v)
        for name in ("type", "topic", "weight", "directed", "meeting_id", "declared_by",
                     "created_at", "meeting", "source"):  # fmt: skip
            assert bdata.get(name) == data.get(name), name
    for node, data in ours.nodes(data=True):
        for name in ("name", "ags", "state", "district", "latitude", "longitude", "population"):
            assert back.nodes[node].get(name) == data.get(name), (node, name)
    panel = network.metrics(ours)
    again = network.metrics(back)
    for node, measures in panel.items():
        assert again[node].degree == measures.degree == back.nodes[node]["degree"]
        assert again[node].betweenness == pytest.approx(measures.betweenness)
        assert back.nodes[node]["betweenness"] == pytest.approx(measures.betweenness)
        assert again[node].weighted_degree == pytest.approx(measures.weighted_degree)


def test_graphml_read_back_with_igraph_gives_the_same_measures(demo, exported) -> None:
    ours = _our_graph(demo)
    panel = network.metrics(ours)
    graph = ig.Graph.Read_GraphML(str(exported["graphml"][0]))
    assert graph.vcount() == ours.number_of_nodes()
    assert graph.ecount() == len(demo.ties())
    ids = [int(v) for v in graph.vs["id"]]
    assert set(ids) == set(ours)
    assert sorted(int(i) for i in graph.es["tie_id"]) == sorted(t.id for t in demo.ties())
    for vertex, node in zip(graph.vs, ids, strict=True):
        assert vertex["name"] == ours.nodes[node]["name"]
        assert vertex["ags"] == ours.nodes[node]["ags"]
        assert vertex["population"] == ours.nodes[node]["population"]
    for edge in graph.es:
        tie = next(t for t in demo.ties() if t.id == int(edge["tie_id"]))
        assert edge["type"] == tie.type.value and edge["weight"] == tie.weight
        assert bool(edge["directed"]) is tie.directed
    # The project's metrics are over the undirected network, one edge per pair.
    pairs = graph.copy()
    pairs.to_undirected(mode="collapse")
    n = pairs.vcount()
    raw = pairs.betweenness(directed=False)
    for vertex, node in zip(pairs.vs, ids, strict=True):
        assert pairs.degree(vertex.index) == panel[node].degree
        normalised = raw[vertex.index] / ((n - 1) * (n - 2) / 2)
        assert normalised == pytest.approx(panel[node].betweenness)


def test_the_topic_network_is_exported_too(demo, exported) -> None:
    back = nx.read_graphml(exported["graphml"][1])
    ours = network.topic_graph(demo.municipalities(), demo.challenges(), demo.topics(),
                               demo.dot_events(), demo.participants())  # fmt: skip
    assert set(back) == set(ours)
    assert back.number_of_edges() == ours.number_of_edges()
    assert nx.is_bipartite(back)


# --- GEXF ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gexf_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "gexf.xsd")))


def test_gexf_files_validate_against_the_gexf_1_3_schema(exported, gexf_schema) -> None:
    for path in exported["gexf"]:
        document = etree.parse(str(path))
        assert gexf_schema.validate(document), [str(e) for e in gexf_schema.error_log]


def test_the_schema_copy_keeps_the_published_files(gexf_schema) -> None:
    official = SCHEMA_DIR / "official"
    assert (SCHEMA_DIR / "dynamics.xsd").read_text() == (official / "dynamics.xsd").read_text()
    published = (official / "gexf.xsd").read_text().splitlines()
    completed = (SCHEMA_DIR / "gexf.xsd").read_text()
    # Every published line is kept; only additions (and the viz import) differ.
    changed = [line for line in published if line not in completed]
    assert changed == [
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified" '
        'targetNamespace="http://gexf.net/1.3" xmlns:ns1="http://gexf.net/1.3">',
        '  <xs:import schemaLocation="viz.xsd"/>',
    ]
    # The published schema does not compile (gephi/gexf#19): hence the completed copy.
    with pytest.raises(etree.XMLSchemaParseError):
        etree.XMLSchema(etree.parse(str(official / "gexf.xsd")))


def test_gexf_content_for_gephi(demo, exported) -> None:
    root = etree.parse(str(exported["gexf"][0])).getroot()
    ns = {"g": "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
    edges = root.findall(".//g:edge", ns)
    assert sorted(int(e.get("id")) for e in edges) == sorted(t.id for t in demo.ties())
    kinds = {e.get("kind") for e in edges}
    assert kinds == {t.type.value for t in demo.ties()}
    learns = [e for e in edges if e.get("kind") == "learns_from"]
    assert learns and all(e.get("type") == "directed" for e in learns)
    assert all(e.get("start") for e in edges)  # the timeline
    graph = root.find("g:graph", ns)
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "dateTime"
    nodes = root.findall(".//g:node", ns)
    assert len(nodes) == len(demo.municipalities())
    assert all(n.find("viz:position", ns) is not None for n in nodes)
    assert all(n.find("viz:color", ns) is not None for n in nodes)
    bautzen = next(n for n in nodes if n.get("label") == "Bautzen")
    görlitz = next(n for n in nodes if n.get("label") == "Görlitz")
    x = [float(n.find("viz:position", ns).get("x")) for n in (bautzen, görlitz)]
    assert x[0] < x[1]  # Görlitz lies east of Bautzen


# --- Pajek, UCINET DL, Kumu -------------------------------------------------------------------


def test_pajek_network_and_partition(demo, exported) -> None:
    net, clu = exported["pajek"]
    text = net.read_text(encoding="utf-8")
    assert f"*Vertices {len(demo.municipalities())}" in text
    ties = [line for line in text.splitlines() if re.match(r"^\d+ \d+ ", line)]
    assert len(ties) == len(demo.ties())
    arcs = text.split("*Arcs")[1].split("*Edges")[0]
    assert arcs.count('l "learns_from"') == sum(t.directed for t in demo.ties())
    back = ig.Graph.Read_Pajek(str(net))
    assert back.vcount() == len(demo.municipalities()) and back.ecount() == len(demo.ties())
    assert sorted(back.es["weight"]) == sorted(t.weight for t in demo.ties())
    partition = clu.read_text().splitlines()
    assert partition[1] == f"*Vertices {len(demo.municipalities())}"
    order = network.cooperation_graph(demo.municipalities(), []).nodes(data="state")
    assert [int(v) for v in partition[2:]] == [STATE_KEYS[state] for _, state in order]


def _read_dl(path: Path) -> tuple[list[str], list[tuple[int, int, float]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    n = int(re.match(r"dl n=(\d+)", lines[0]).group(1))
    start = lines.index("labels:") + 1
    labels = [line.strip('"') for line in lines[start : start + n]]
    data = lines.index("data:") + 1
    arcs = [(int(a), int(b), float(w)) for a, b, w in (row.split() for row in lines[data:])]
    return labels, arcs


def test_ucinet_dl_edge_lists(demo, exported) -> None:
    files = {p.name: p for p in exported["dl"]}
    assert set(files) >= {"cooperation.dl", "cooperation-state.dl", "cooperation-cooperates.dl"}
    labels, arcs = _read_dl(files["cooperation.dl"])
    assert len(labels) == len(set(labels)) == len(demo.municipalities())
    total = sum(w for *_, w in arcs)
    assert total == pytest.approx(sum(t.weight * (1 if t.directed else 2) for t in demo.ties()))
    _, learned = _read_dl(files["cooperation-learns_from.dl"])
    assert len(learned) == len({(t.source_id, t.target_id) for t in demo.ties() if t.directed})
    state = files["cooperation-state.dl"].read_text().splitlines()
    assert state[0] == f"dl nr={len(labels)} nc=1"


def test_kumu_elements_and_connections(demo, exported) -> None:
    elements, connections = exported["kumu"]
    with elements.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    labels = [row["Label"] for row in rows]
    assert len(labels) == len(set(labels)) == len(demo.municipalities())
    assert {row["Type"] for row in rows} >= {"Sachsen", "Brandenburg"}
    with connections.open(encoding="utf-8") as f:
        links = list(csv.DictReader(f))
    assert len(links) == len(demo.ties())
    assert sorted(int(link["Tie id"]) for link in links) == sorted(t.id for t in demo.ties())
    assert all(link["From"] in labels and link["To"] in labels for link in links)
    assert {link["Direction"] for link in links} == {"directed", "undirected"}
    assert {"From", "To", "Type", "Strength"} <= set(links[0])


# --- who is named, which meeting ------------------------------------------------------------


def _all_text(paths: list[Path]) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in paths)


def test_participants_are_pseudonyms_unless_names_are_asked_for(demo, tmp_path) -> None:
    declared = {t.declared_by for t in demo.ties() if t.declared_by is not None}
    people = [p for p in demo.participants() if p.id in declared]
    consented = [p for p in people if p.consent_named]
    shy = [p for p in people if not p.consent_named]
    assert consented and shy
    for fmt in FORMATS:
        plain = _all_text(export_network(demo, fmt, tmp_path / fmt))
        assert not any(p.name in plain for p in people), fmt
        named = _all_text(export_network(demo, fmt, tmp_path / f"{fmt}-named", names=True))
        assert not any(p.name in named for p in shy), fmt
        if fmt in ("graphml", "gexf", "kumu"):  # the formats that carry tie attributes
            assert all(pseudonym(p.id) in plain for p in people), fmt
            assert all(p.name in named for p in consented), fmt


def test_one_meeting_only(demo, tmp_path) -> None:
    first = demo.meetings()[0].id
    written = export_network(demo, "graphml", tmp_path, meeting_id=first)
    assert written[0].name == f"cooperation-meeting-{first}.graphml"
    back = nx.read_graphml(written[0], force_multigraph=True)
    assert back.number_of_edges() == len(demo.ties(first))


def test_unknown_format_is_refused(demo, tmp_path) -> None:
    with pytest.raises(ValueError, match="graphml"):
        export_network(demo, "xlsx", tmp_path)


def test_an_empty_workspace_exports_empty_files(tmp_path) -> None:
    with facilitation.create_workspace(tmp_path / "empty.db", "Leer") as store:
        for fmt in FORMATS:
            assert all(p.exists() for p in export_network(store, fmt, tmp_path / fmt))
    shutil.rmtree(tmp_path / "graphml")
