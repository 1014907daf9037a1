"""Cooperation networks: graphs from records, metrics, brokerage, layouts, pictures."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

import facilitation
from facilitation import network
from facilitation.models import (
    Challenge,
    DotAction,
    DotEvent,
    Meeting,
    Municipality,
    Participant,
    Tie,
    TieType,
    Topic,
    relationships,
)
from facilitation.network import (
    BROKERAGE_ROLES,
    SUMMARY_LABELS,
    brokerage,
    cooperation_graph,
    draw,
    example_records,
    growth,
    layout,
    metrics,
    projection,
    simple_graph,
    summary,
    topic_graph,
)
from facilitation.privacy import pseudonym
from facilitation.shipped import load_demo

MADE = dt.datetime(2026, 6, 17, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> facilitation.Store:
    store = facilitation.create_workspace(tmp_path_factory.mktemp("demo") / "demo.db", "Demo")
    load_demo(store)
    return store


def _demo_graph(store: facilitation.Store, **options) -> nx.MultiDiGraph:
    return cooperation_graph(
        store.municipalities(),
        store.ties(),
        meetings=store.meetings(),
        groups=store.groups(),
        **options,
    )


def _tie(i: int, u: int, v: int, **values) -> Tie:
    return Tie(id=i, source_id=u, target_id=v, created_at=MADE, **values)


# --- the cooperation graph --------------------------------------------------------------


def test_every_tie_is_an_edge_with_all_its_attributes(demo) -> None:
    graph = _demo_graph(demo)
    ties = demo.ties()
    assert graph.number_of_edges() == len(ties)
    assert graph.number_of_nodes() == len(demo.municipalities())
    declared = next(t for t in ties if t.declared_by is not None)
    data = graph.edges[declared.source_id, declared.target_id, declared.id]
    assert data["type"] == declared.type.value
    assert data["topic"] == declared.topic
    assert data["weight"] == declared.weight
    assert data["directed"] is declared.directed
    assert data["meeting_id"] == declared.meeting_id
    assert data["meeting"] == demo.meeting(declared.meeting_id).title
    assert data["meeting_date"] == demo.meeting(declared.meeting_id).date.isoformat()
    assert data["declared_by"] == pseudonym(declared.declared_by)
    assert dt.datetime.fromisoformat(data["created_at"]) == declared.created_at
    loaded = next(t for t in ties if t.meeting_id is None)
    data = graph.edges[loaded.source_id, loaded.target_id, loaded.id]
    assert "meeting_id" not in data and "declared_by" not in data
    assert data["source"] == loaded.source


def test_nodes_carry_the_municipality_and_its_groups(demo) -> None:
    graph = _demo_graph(demo)
    bautzen = demo.municipality_by_ags("14625020")
    data = graph.nodes[bautzen.id]
    assert data["name"] == data["label"] == "Bautzen"
    assert data["ags"] == "14625020"
    assert data["state"] == "SN" and data["state_name"] == "Sachsen"
    assert data["district"] == "Bautzen"
    assert data["latitude"] == pytest.approx(51.1809)
    assert data["longitude"] == pytest.approx(14.4277)
    assert data["population"] == bautzen.population
    assert data["population_date"] == "2022-05-15"
    assert {"sv_bgh", "snd_md"} <= set(data["groups"].split(";"))
    assert data["group"] == "sv_bgh"  # the smaller group
    assert all(value is not None for _, attrs in graph.nodes(data=True) for value in attrs.values())


def test_multiplex_ties_stay_apart_and_collapse_for_metrics() -> None:
    towns, ties = example_records()
    graph = cooperation_graph(towns, ties)
    assert graph.number_of_edges(2, 3) == 2
    simple = simple_graph(graph)
    assert simple.number_of_edges() == 4
    assert simple.edges[2, 3] == {
        "weight": 3.0,
        "ties": 2,
        "types": "cooperates;partner_network",
        "topics": "Demografie;Tourismus",
    }
    arcs = simple_graph(graph, directed=True)
    assert arcs.has_edge(4, 3) and not arcs.has_edge(3, 4)  # 4 learns from 3
    assert arcs.has_edge(3, 2) and arcs.has_edge(2, 3)  # undirected: both ways


def test_per_meeting_and_cumulative_networks(demo) -> None:
    first, second = (m.id for m in demo.meetings())
    ties = demo.ties()
    background = [t for t in ties if t.meeting_id is None]
    in_first = [t for t in ties if t.meeting_id == first]
    in_second = [t for t in ties if t.meeting_id == second]
    assert in_first and in_second and background
    assert _demo_graph(demo, meeting_id=first).number_of_edges() == len(in_first)
    assert _demo_graph(demo, meeting_id=second).number_of_edges() == len(in_second)
    assert _demo_graph(demo, until_meeting=first).number_of_edges() == len(background) + len(
        in_first
    )
    assert _demo_graph(demo, until_meeting=second).number_of_edges() == len(ties)
    with pytest.raises(ValueError):
        _demo_graph(demo, meeting_id=first, until_meeting=second)


def test_cumulative_network_follows_the_dates_not_the_ids() -> None:
    towns, ties = example_records()
    later_first = [
        Meeting(id=1, title="Zweites", date=dt.date(2026, 9, 1), created_at=MADE),
        Meeting(id=2, title="Erstes", date=dt.date(2026, 3, 1), created_at=MADE),
    ]
    graph = cooperation_graph(towns, ties, until_meeting=2, meetings=later_first)
    assert {k for *_, k in graph.edges(keys=True)} == {4, 5}
    rows = growth(towns, ties, later_first)
    assert [(r["meeting_id"], r["new_ties"], r["ties"]) for r in rows] == [(2, 2, 2), (1, 3, 5)]


def test_isolates_can_be_left_out_or_chosen() -> None:
    towns, ties = example_records()
    only_first = [t for t in ties if t.meeting_id == 2]
    assert set(cooperation_graph(towns, only_first, isolates=False)) == {2, 3, 5}
    assert set(cooperation_graph(towns, only_first, isolates=[1])) == {1, 2, 3, 5}
    assert set(cooperation_graph(towns, only_first)) == {1, 2, 3, 4, 5}


def test_growth_over_the_demo_series(demo) -> None:
    rows = growth(demo.municipalities(), demo.ties(), demo.meetings(), groups=demo.groups())
    assert [r["title"] for r in rows] == [m.title for m in demo.meetings()]
    assert rows[-1]["ties"] == len(demo.ties())
    assert rows[0]["ties"] < rows[1]["ties"]
    assert sum(r["new_ties"] for r in rows) == len([t for t in demo.ties() if t.meeting_id])


# --- metrics ----------------------------------------------------------------------------


def _random_records(n: int, m: int, seed: int) -> tuple[list[Municipality], list[Tie]]:
    rng = random.Random(seed)
    states = ["SN", "BB", "ST", "TH"]
    towns = [
        Municipality(id=i, name=f"Ort {i:03d}", state=rng.choice(states)) for i in range(1, n + 1)
    ]
    ties = []
    for i in range(1, m + 1):
        u, v = rng.sample(range(1, n + 1), 2)
        kind = rng.choice(list(TieType))
        ties.append(
            _tie(
                i,
                u,
                v,
                type=kind,
                directed=kind is TieType.LEARNS_FROM,
                weight=rng.randint(1, 3),
            )
        )
    return towns, ties


def test_metrics_agree_with_networkx_on_the_collapsed_network() -> None:
    towns, ties = _random_records(60, 150, seed=1)
    graph = cooperation_graph(towns, ties)
    simple = simple_graph(graph)
    panel = metrics(graph)
    between = nx.betweenness_centrality(simple)
    close = nx.closeness_centrality(simple)
    for node, m in panel.items():
        assert m.degree == simple.degree(node)
        assert m.weighted_degree == pytest.approx(simple.degree(node, weight="weight"))
        # One tie per pair, type, meeting and declarer, whatever its topics (issue 19).
        assert m.ties == sum(
            1 for r in relationships(ties) if node in (r.tie.source_id, r.tie.target_id)
        )
        assert m.betweenness == pytest.approx(between[node])
        assert m.closeness == pytest.approx(close[node])
    assert set(panel) == set(graph)


def test_sampled_betweenness_is_close_to_the_exact_one() -> None:
    towns, ties = _random_records(300, 900, seed=2)
    graph = cooperation_graph(towns, ties)
    exact = metrics(graph)
    sampled = metrics(graph, samples=150)
    error = max(abs(exact[n].betweenness - sampled[n].betweenness) for n in exact)
    assert error < 0.05
    assert metrics(graph, samples=150) == sampled  # seeded


def test_above_the_exact_limit_betweenness_is_sampled(monkeypatch) -> None:
    towns, ties = _random_records(300, 900, seed=2)
    graph = cooperation_graph(towns, ties)
    monkeypatch.setattr(network._metrics, "SAMPLE_SOURCES", 150)
    monkeypatch.setattr(network._metrics, "EXACT_LIMIT", 1000)
    assert metrics(graph) == metrics(graph, samples=None)  # below the limit: exact
    monkeypatch.setattr(network._metrics, "EXACT_LIMIT", 100)
    assert metrics(graph) == metrics(graph, samples=150) != metrics(graph, samples=None)


def test_communities_are_reproducible_and_numbered_by_size() -> None:
    towns, ties = _random_records(80, 120, seed=3)
    graph = cooperation_graph(towns, ties)
    first = network.communities(graph)
    assert first == network.communities(graph)
    sizes = [list(first.values()).count(i) for i in range(max(first.values()) + 1)]
    assert sizes == sorted(sizes, reverse=True)


def _brute_force_brokerage(arcs: nx.DiGraph, group: dict) -> dict:
    roles = {n: dict.fromkeys(BROKERAGE_ROLES, 0) for n in arcs}
    for a, b, c in itertools.permutations(arcs, 3):
        if not (arcs.has_edge(a, b) and arcs.has_edge(b, c)) or arcs.has_edge(a, c):
            continue
        ga, gb, gc = group[a], group[b], group[c]
        if ga == gb == gc:
            role = "coordinator"
        elif ga == gc:
            role = "itinerant"
        elif ga == gb:
            role = "representative"
        elif gb == gc:
            role = "gatekeeper"
        else:
            role = "liaison"
        roles[b][role] += 1
    return roles


def test_brokerage_matches_the_definition_on_random_networks() -> None:
    towns, ties = _random_records(25, 60, seed=4)
    graph = cooperation_graph(towns, ties)
    group = {t.id: t.state for t in towns}
    expected = _brute_force_brokerage(simple_graph(graph, directed=True), group)
    assert brokerage(graph) == expected
    panel = metrics(graph)
    for node, roles in expected.items():
        assert {role: getattr(panel[node], role) for role in BROKERAGE_ROLES} == roles
        assert panel[node].brokerage == sum(roles.values())


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ("AAA", "coordinator"),
        ("ABA", "itinerant"),
        ("AAB", "representative"),
        ("ABB", "gatekeeper"),
        ("ABC", "liaison"),
    ],
)
def test_each_brokerage_role(groups: str, role: str) -> None:
    towns = [Municipality(id=i + 1, name=str(i), state=s * 2) for i, s in enumerate(groups)]
    ties = [
        _tie(1, 1, 2, type=TieType.LEARNS_FROM, directed=True),
        _tie(2, 2, 3, type=TieType.LEARNS_FROM, directed=True),
    ]
    counts = brokerage(cooperation_graph(towns, ties))
    assert counts[2] == {r: int(r == role) for r in BROKERAGE_ROLES}
    assert sum(counts[1].values()) == sum(counts[3].values()) == 0


def test_undirected_ties_broker_both_ways_and_closed_triads_do_not() -> None:
    towns = [Municipality(id=i, name=str(i), state=s) for i, s in [(1, "SN"), (2, "SN"), (3, "BB")]]
    open_path = [_tie(1, 1, 2), _tie(2, 2, 3)]
    counts = brokerage(cooperation_graph(towns, open_path))[2]
    assert counts["representative"] == counts["gatekeeper"] == 1  # 1→2→3 and 3→2→1
    closed = [*open_path, _tie(3, 1, 3)]
    assert sum(brokerage(cooperation_graph(towns, closed))[2].values()) == 0
    # A directed tie 3 → 1 does not close the path 1 → 2 → 3.
    half = [*open_path, _tie(3, 3, 1, type=TieType.LEARNS_FROM, directed=True)]
    assert brokerage(cooperation_graph(towns, half))[2]["representative"] == 1


def test_brokerage_skips_towns_of_unknown_group_and_takes_other_groupings() -> None:
    towns = [
        Municipality(id=1, name="a", state="SN", district="X"),
        Municipality(id=2, name="b", state="SN", district="Y"),
        Municipality(id=3, name="c", district="X"),
    ]
    ties = [_tie(1, 1, 2), _tie(2, 2, 3)]
    graph = cooperation_graph(towns, ties)
    assert sum(brokerage(graph)[2].values()) == 0
    assert brokerage(graph, "district")[2]["itinerant"] == 2
    assert brokerage(graph, {1: "a", 2: "b", 3: "c"})[2]["liaison"] == 2


def test_summary_gives_every_key_figure_with_a_label(demo) -> None:
    graph = _demo_graph(demo)
    figures = summary(graph)
    assert set(figures) == set(SUMMARY_LABELS)
    simple = simple_graph(graph)
    assert figures["municipalities"] == graph.number_of_nodes()
    assert figures["ties"] == len(demo.ties())
    assert figures["pairs"] == simple.number_of_edges()
    assert figures["density"] == pytest.approx(nx.density(simple))
    assert figures["components"] == nx.number_connected_components(simple)
    assert figures["isolates"] == nx.number_of_isolates(simple)
    assert sum(figures["by_type"].values()) == figures["ties"]
    assert figures["states"] == len({m.state for m in demo.municipalities()})
    assert 0 < figures["modularity"] < 1
    assert summary(graph, node_metrics=metrics(graph)) == figures
    empty = summary(cooperation_graph([], []))
    assert empty["municipalities"] == 0 and empty["density"] == 0.0


def test_metrics_work_on_projections_too() -> None:
    bipartite = nx.Graph(kind="bipartite")
    bipartite.add_nodes_from(
        [
            ("m1", {"bipartite": 0, "municipality_id": 1, "state": "SN", "name": "A"}),
            ("m2", {"bipartite": 0, "municipality_id": 2, "state": "BB", "name": "B"}),
            ("t1", {"bipartite": 1, "topic_id": 1, "label": "T"}),
        ]
    )
    bipartite.add_edges_from([("m1", "t1"), ("m2", "t1")])
    shared = projection(bipartite)
    panel = metrics(shared)
    assert panel[1].degree == panel[2].degree == 1
    assert shared.edges[1, 2]["via"] == "T"


# --- the municipality–topic network ---------------------------------------------------


def test_topic_network_from_challenges_and_dots() -> None:
    towns = [Municipality(id=1, name="A"), Municipality(id=2, name="B")]
    people = [
        Participant(id=7, name="x", municipality_id=1, created_at=MADE),
        Participant(id=8, name="y", municipality_id=2, created_at=MADE),
    ]
    challenges = [Challenge(id=1, meeting_id=1, title="c", municipality_id=1, created_at=MADE)]
    topics = [
        Topic(id=1, meeting_id=1, title="Leerstand", challenge_ids=(1,), created_at=MADE),
        Topic(id=2, meeting_id=2, title="Schule", created_at=MADE),
    ]

    def dot(i: int, who: int, topic: int, action: DotAction = DotAction.PLACE) -> DotEvent:
        return DotEvent(
            id=i, round_id=1, participant_id=who, topic_id=topic, action=action, at=MADE
        )

    dots = [
        dot(1, 8, 1),
        dot(2, 8, 1),
        dot(3, 8, 1, DotAction.TAKE_BACK),
        dot(4, 7, 1),
        dot(5, 7, 2),
        dot(6, 7, 2, DotAction.TAKE_BACK),
    ]
    graph = topic_graph(towns, challenges, topics, dots, people)
    assert dict(graph.edges[("m1", "t1")]) == {"challenges": 1, "dots": 1, "weight": 2.0}
    assert dict(graph.edges[("m2", "t1")]) == {"challenges": 0, "dots": 1, "weight": 1.0}
    assert not graph.has_edge("m1", "t2")  # the dot was taken back
    assert graph.nodes["t2"]["label"] == "Schule" and graph.nodes["t2"]["bipartite"] == 1
    assert graph.nodes["m1"]["bipartite"] == 0 and graph.nodes["m1"]["municipality_id"] == 1
    assert nx.is_bipartite(graph)
    only_second = topic_graph(towns, challenges, topics, dots, people, meeting_id=2)
    assert set(only_second) == {"t2"}


def test_projections_of_the_demo(demo) -> None:
    graph = topic_graph(
        demo.municipalities(),
        demo.challenges(),
        demo.topics(),
        demo.dot_events(),
        demo.participants(),
    )
    assert graph.number_of_edges() > 0
    towns = projection(graph)
    expected = nx.bipartite.weighted_projected_graph(
        graph, [n for n, d in graph.nodes(data=True) if d["bipartite"] == 0]
    )
    assert towns.number_of_edges() == expected.number_of_edges()
    for u, v, w in expected.edges(data="weight"):
        mu, mv = graph.nodes[u]["municipality_id"], graph.nodes[v]["municipality_id"]
        assert towns.edges[mu, mv]["shared"] == w == towns.edges[mu, mv]["weight"]
    themes = projection(graph, "topic", method="jaccard")
    assert all(0 < w <= 1 for *_, w in themes.edges(data="weight"))
    newman = projection(graph, method="newman")
    assert all(d["weight"] <= d["shared"] for *_, d in newman.edges(data=True))
    with pytest.raises(ValueError):
        projection(graph, method="cosine")  # type: ignore[arg-type]


# --- layouts and pictures ---------------------------------------------------------------


def test_geographic_layout_keeps_north_up_and_places_towns_without_coordinates() -> None:
    towns, ties = example_records()
    towns.append(Municipality(id=6, name="Ohne Koordinaten", state="SN"))
    ties.append(_tie(6, 6, 1))
    pos = layout(cooperation_graph(towns, ties), "geo")
    assert pos[4][1] > pos[1][1]  # Weißwasser lies north of Bautzen
    assert pos[2][0] > pos[1][0]  # Görlitz east of Bautzen
    assert 6 in pos and all(map(lambda value: value == value, pos[6]))  # not NaN


def test_force_layout_is_seeded_and_grows_smoothly() -> None:
    towns, ties = _random_records(30, 40, seed=5)
    before = cooperation_graph(towns, ties[:-1])
    after = cooperation_graph(towns, ties)
    first = layout(before, "force")
    assert first == layout(before, "force")
    grown = layout(after, "force", previous=first)
    moved = sum(abs(grown[n][0] - first[n][0]) + abs(grown[n][1] - first[n][1]) for n in first)
    fresh = layout(after, "force", seed=7)
    jumped = sum(abs(fresh[n][0] - first[n][0]) + abs(fresh[n][1] - first[n][1]) for n in first)
    assert moved < jumped
    with pytest.raises(ValueError):
        layout(before, "circle")  # type: ignore[arg-type]


def test_pictures_are_svg_and_png(demo, tmp_path: Path) -> None:
    graph = _demo_graph(demo, isolates=False)
    svg = draw(graph, title="Kooperationsnetz")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    text = svg.decode()
    assert "Bautzen" in text and "Kooperationsnetz" in text
    assert draw(graph, title="Kooperationsnetz") == svg  # reproducible bytes
    assert draw(graph, fmt="png", kind="force", colour_by="community").startswith(b"\x89PNG")
    assert draw(graph, colour_by="group").startswith(b"<?xml")
    bipartite = topic_graph(
        demo.municipalities(),
        demo.challenges(),
        demo.topics(),
        demo.dot_events(),
        demo.participants(),
    )
    assert b"<svg" in draw(bipartite)
    assert b"<svg" in draw(projection(bipartite))
    assert b"<svg" in draw(cooperation_graph([], []))
    with pytest.raises(ValueError):
        draw(graph, fmt="gif")  # type: ignore[arg-type]


def test_legend_follows_the_language(demo) -> None:
    graph = _demo_graph(demo, isolates=False)
    with facilitation.i18n.language("de"):
        german = draw(graph).decode()
    with facilitation.i18n.language("en"):
        english = draw(graph).decode()
    assert "lernt von" in german and "learns from" in english


def test_a_large_network_is_drawn_without_arrows_per_tie() -> None:
    towns, ties = _random_records(800, 2000, seed=6)
    for i, town in enumerate(towns):
        towns[i] = Municipality(
            id=town.id,
            name=town.name,
            state=town.state,
            latitude=50 + (i % 40) / 10,
            longitude=10 + (i // 40) / 5,
        )
    svg = draw(cooperation_graph(towns, ties), labels=10).decode()
    assert 0 < svg.count("Ort ") <= 10  # only the best connected, where there is room


@pytest.mark.parametrize(
    "graph",
    [
        nx.karate_club_graph(),
        nx.disjoint_union(nx.barbell_graph(5, 3), nx.star_graph(4)),
        nx.gnm_random_graph(120, 180, seed=8),
        nx.empty_graph(3),
        nx.path_graph(2),
    ],
    ids=["karate", "two-components", "random-sparse", "isolates", "one-edge"],
)
def test_path_measures_equal_networkx(graph: nx.Graph) -> None:
    for batch in (7, 256):  # searches from several batches of sources add up the same
        between, close = network.path_measures(graph, batch=batch)
        expected_between = nx.betweenness_centrality(graph)
        expected_close = nx.closeness_centrality(graph)
        for node in graph:
            assert between[node] == pytest.approx(expected_between[node], abs=1e-12)
            assert close[node] == pytest.approx(expected_close[node], abs=1e-12)


def test_a_dollar_in_a_name_is_drawn_as_text_not_as_math() -> None:
    import dataclasses

    municipalities, ties = network.example_records()
    odd = dataclasses.replace(municipalities[0], name="$\\foo{ x$ & <b>")
    picture = network.draw(network.cooperation_graph([odd, *municipalities[1:]], ties))
    assert b"foo" in picture and b"<b>" not in picture
