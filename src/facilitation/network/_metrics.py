"""Metrics: the measures of every municipality, brokerage roles, the key figures of a
network and how it grew over a series."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import networkx as nx

from ..i18n import N_
from ..models import Group, Meeting, Municipality, Tie, relationships
from ._common import SEED, _is_simple_undirected, _sort_key
from ._graphs import (
    cooperation_graph,
    example_records,  # noqa: F401  (the doctests use it)
    meeting_order,
    simple_graph,
)

__all__ = [
    "BROKERAGE_ROLES",
    "EXACT_LIMIT",
    "ROLE_LABELS",
    "SAMPLE_SOURCES",
    "SUMMARY_LABELS",
    "NodeMetrics",
    "brokerage",
    "communities",
    "growth",
    "metrics",
    "path_measures",
    "summary",
]

EXACT_LIMIT = 5000
"""Up to this many municipalities the metrics panel computes betweenness exactly."""

SAMPLE_SOURCES = 2500
"""Above :data:`EXACT_LIMIT`, betweenness is estimated from this many sampled sources."""

BROKERAGE_ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")
"""Gould–Fernandez roles of a broker b on a path a → b → c, by the groups of a, b and c.

coordinator: all three in one group; itinerant (consultant): a and c in one
group, b in another; representative: a and b in one group, c in another;
gatekeeper: b and c in one group, a in another; liaison: three groups.
"""

ROLE_LABELS = {
    "coordinator": N_("coordinator"),
    "itinerant": N_("itinerant (consultant)"),
    "representative": N_("representative"),
    "gatekeeper": N_("gatekeeper"),
    "liaison": N_("liaison"),
}

# Labels of the key figures of :func:`summary`, for pages and protocols.
SUMMARY_LABELS = {
    "municipalities": N_("Municipalities"),
    "ties": N_("Ties"),
    "pairs": N_("Tied pairs"),
    "multiplex_pairs": N_("Pairs with several ties"),
    "isolates": N_("Municipalities without ties"),
    "density": N_("Density"),
    "mean_degree": N_("Mean degree"),
    "components": N_("Components"),
    "largest_component": N_("Largest component"),
    "communities": N_("Communities"),
    "modularity": N_("Modularity"),
    "states": N_("States"),
    "cross_state_ties": N_("Ties across state borders"),
    "cross_state_share": N_("Share of ties across state borders"),
    "total_weight": N_("Total strength"),
    "by_type": N_("Ties by type"),
    "top_degree": N_("Most ties"),
    "top_betweenness": N_("Most between others"),
    "top_brokerage": N_("Strongest brokers"),
}


@dataclass(frozen=True, slots=True)
class NodeMetrics:
    """The measures of one municipality in a network.

    ``degree``: distinct partners; ``ties``: ties of any type (multiplex
    ties each count); ``weighted_degree``: the sum of their strengths;
    ``betweenness`` and ``closeness``: normalised, over the undirected,
    unweighted network (closeness after Wasserman and Faust, fit for
    networks of several components); ``community``: number of the community
    (0 = the largest); the brokerage roles count the paths a → b → c the
    town b brokers (see :data:`BROKERAGE_ROLES`); ``brokerage`` is their sum.
    """

    id: Hashable
    name: str
    state: str | None
    group: str | None
    degree: int
    ties: int
    weighted_degree: float
    betweenness: float
    closeness: float
    community: int
    coordinator: int = 0
    itinerant: int = 0
    representative: int = 0
    gatekeeper: int = 0
    liaison: int = 0

    @property
    def brokerage(self) -> int:
        return (
            self.coordinator + self.itinerant + self.representative + self.gatekeeper + self.liaison
        )

    def row(self) -> dict[str, Any]:
        """The measures as a flat dict (one row of a table)."""
        return {**asdict(self), "brokerage": self.brokerage}


def communities(graph: nx.Graph | nx.MultiDiGraph, *, seed: int = SEED) -> dict[Hashable, int]:
    """Louvain communities (weighted, fixed seed), numbered from the largest.

    Municipalities without ties are each a community of their own.

    >>> municipalities, ties = example_records()
    >>> communities(cooperation_graph(municipalities, ties))
    {1: 1, 2: 1, 3: 0, 4: 0, 5: 0}
    """
    simple = graph if _is_simple_undirected(graph) else simple_graph(graph)
    found = nx.community.louvain_communities(simple, weight="weight", seed=seed)
    found = sorted(found, key=lambda c: (-len(c), min(map(_sort_key, c))))
    return dict(
        sorted(((n, i) for i, c in enumerate(found) for n in c), key=lambda x: _sort_key(x[0]))
    )


def brokerage(
    graph: nx.MultiDiGraph | nx.DiGraph, group: str | Mapping[Hashable, Hashable] = "state"
) -> dict[Hashable, dict[str, int]]:
    """Gould–Fernandez brokerage roles of every node.

    For each path a → b → c with a ≠ c and no tie a → c, the broker b gets one
    count of the role given by the groups of a, b and c (see
    :data:`BROKERAGE_ROLES`). ``group`` is a node attribute (default the
    state) or a mapping node → group. Paths through a node whose group is
    unknown are not counted. Undirected ties count in both directions.

    >>> g = nx.MultiDiGraph()
    >>> g.add_nodes_from([(1, {"state": "SN"}), (2, {"state": "SN"}), (3, {"state": "BB"})])
    >>> _ = g.add_edge(1, 2, directed=True)
    >>> _ = g.add_edge(2, 3, directed=True)
    >>> brokerage(g)[2]
    {'coordinator': 0, 'itinerant': 0, 'representative': 1, 'gatekeeper': 0, 'liaison': 0}
    """
    arcs = graph if isinstance(graph, nx.DiGraph) and not graph.is_multigraph() else None
    if arcs is None:
        arcs = simple_graph(graph, directed=True)  # type: ignore[arg-type]
    if isinstance(group, str):
        member = {n: d.get(group) for n, d in arcs.nodes(data=True)}
    else:
        member = {n: group.get(n) for n in arcs}
    roles = {n: dict.fromkeys(BROKERAGE_ROLES, 0) for n in arcs}
    for b in arcs:
        gb = member.get(b)
        if gb is None:
            continue
        counts = roles[b]
        outgoing = set(arcs.successors(b))
        for a in arcs.predecessors(b):
            ga = member.get(a)
            if ga is None:
                continue
            reach = arcs._succ[a]
            for c in outgoing:
                if c == a or c in reach:
                    continue
                gc = member.get(c)
                if gc is None:
                    continue
                if ga == gb == gc:
                    counts["coordinator"] += 1
                elif ga == gc:
                    counts["itinerant"] += 1
                elif ga == gb:
                    counts["representative"] += 1
                elif gb == gc:
                    counts["gatekeeper"] += 1
                else:
                    counts["liaison"] += 1
    return roles


def path_measures(
    graph: nx.Graph, *, samples: int | None = None, seed: int = SEED, batch: int = 256
) -> tuple[dict[Hashable, float], dict[Hashable, float]]:
    """Betweenness and closeness of every node of an undirected graph (unweighted).

    The same values as networkx's ``betweenness_centrality`` (normalised)
    and ``closeness_centrality`` (Wasserman–Faust), computed with Brandes'
    algorithm for many sources at once: breadth-first searches from a batch
    of sources advance together as products of the sparse adjacency matrix
    with a matrix of path counts (one column per source), and dependencies
    flow back level by level the same way. Exact and in the time of a
    compiled library for networks of ten thousand municipalities.

    With ``samples``, betweenness is estimated from that many source nodes
    drawn with ``seed`` and scaled by n/samples (Brandes and Pich, 2007);
    closeness stays exact (from the searches of all sources, which need no
    path counts).

    >>> g = nx.path_graph(4)
    >>> between, close = path_measures(g)
    >>> [round(between[v], 3) for v in g], [round(close[v], 3) for v in g]
    ([0.0, 0.667, 0.667, 0.0], [0.5, 0.75, 0.75, 0.5])
    """
    import numpy as np

    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}, {}
    index = {v: i for i, v in enumerate(nodes)}
    rows, cols = [], []
    for u, v in graph.edges():
        if u != v:
            rows += [index[u], index[v]]
            cols += [index[v], index[u]]
    from scipy import sparse

    adjacency = sparse.csr_array(
        (np.ones(len(rows)), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
        shape=(n, n),
    )
    adjacency.sum_duplicates()
    adjacency.data[:] = 1.0
    between = np.zeros(n)
    distance_sum = np.zeros(n)
    reached = np.zeros(n)
    if samples is not None and samples < n:
        rng = np.random.default_rng(seed)
        chosen = np.sort(rng.choice(n, size=samples, replace=False))
    else:
        chosen = None
    counted = np.arange(n) if chosen is None else chosen
    counted_set = np.zeros(n, dtype=bool)
    counted_set[counted] = True
    for start in range(0, n, batch):
        sources = np.arange(start, min(n, start + batch))
        with_paths = counted_set[sources]
        sums, reach, dependency = _searches(adjacency, sources, with_paths)
        distance_sum[sources] = sums
        reached[sources] = reach
        between += dependency
    if chosen is not None:
        between *= n / len(chosen)
    scale = 1 / ((n - 1) * (n - 2)) if n > 2 else 0.0
    close = np.where(distance_sum > 0, reached / np.maximum(distance_sum, 1), 0.0)
    close = close * (reached / (n - 1) if n > 1 else 0.0)
    return (
        {v: float(between[i] * scale) for v, i in index.items()},
        {v: float(close[i]) for v, i in index.items()},
    )


def _searches(adjacency: Any, sources: Any, with_paths: Any) -> tuple[Any, Any, Any]:
    """Breadth-first searches from ``sources`` at once: distance sums, nodes reached, and the
    dependencies (Brandes) accumulated from the sources marked in ``with_paths``."""
    import numpy as np

    n = adjacency.shape[0]
    b = len(sources)
    columns = np.arange(b)
    sigma = np.zeros((n, b))
    sigma[sources, columns] = 1.0
    level = np.full((n, b), -1, dtype=np.int32)
    level[sources, columns] = 0
    frontier = sigma.copy()
    depth = 0
    while True:
        following = adjacency @ frontier
        following[level >= 0] = 0.0
        found = following > 0
        if not found.any():
            break
        depth += 1
        level[found] = depth
        sigma += following
        frontier = following
    seen = level > 0
    sums = np.where(seen, level, 0).sum(axis=0)
    reach = seen.sum(axis=0)
    dependency = np.zeros(n)
    if with_paths.any():
        keep = np.flatnonzero(with_paths)
        sigma, level = sigma[:, keep], level[:, keep]
        delta = np.zeros_like(sigma)
        inverse = np.divide(1.0, sigma, out=np.zeros_like(sigma), where=sigma > 0)
        for d in range(depth, 0, -1):
            at = level == d
            share = np.where(at, (1.0 + delta) * inverse, 0.0)
            back = adjacency @ share
            delta += np.where(level == d - 1, sigma * back, 0.0)
        delta[sources[keep], np.arange(len(keep))] = 0.0
        dependency = delta.sum(axis=1)
    return sums, reach, dependency


def metrics(
    graph: nx.MultiDiGraph | nx.Graph,
    group: str = "state",
    *,
    samples: int | Literal["auto"] | None = "auto",
    seed: int = SEED,
) -> dict[Hashable, NodeMetrics]:
    """The metrics panel: the measures of every municipality (see :class:`NodeMetrics`).

    Parameters
    ----------
    graph
        A cooperation graph (:func:`cooperation_graph`) or any networkx graph
        with ``weight`` on its edges (e.g. a :func:`projection`).
    group
        The node attribute whose values are the groups of the brokerage roles:
        ``state`` (default), ``district``, ``group`` …
    samples
        Betweenness estimated from this many sampled source nodes (Brandes
        and Pich, 2007) instead of all; ``None``: always exact; ``"auto"``
        (default): exact up to :data:`EXACT_LIMIT` municipalities, above
        from :data:`SAMPLE_SOURCES` sources (for all German municipalities
        the estimate is within about 0.002 of the exact normalised value;
        see ``benchmarks/network_metrics.py``). Closeness is always exact.
    seed
        Seed of the communities and of the samples.

    Examples
    --------
    >>> municipalities, ties = example_records()
    >>> panel = metrics(cooperation_graph(municipalities, ties))
    >>> [(m.name, m.degree, m.ties, m.weighted_degree) for m in panel.values()][:3]
    [('Bautzen', 1, 1, 3.0), ('Görlitz', 2, 3, 6.0), ('Hoyerswerda', 3, 4, 5.0)]
    >>> round(panel[3].betweenness, 3), round(panel[3].closeness, 3)
    (0.833, 0.8)
    """
    multi = graph.is_multigraph() or graph.is_directed()
    undirected = simple_graph(graph) if multi else graph  # type: ignore[arg-type]
    arcs = simple_graph(graph, directed=True) if multi else undirected.to_directed()
    n = undirected.number_of_nodes()
    if samples == "auto":
        samples = SAMPLE_SOURCES if n > EXACT_LIMIT else None
    between, close = path_measures(undirected, samples=samples, seed=seed)
    community = communities(undirected, seed=seed)
    roles = brokerage(arcs, group)
    ties = Counter[Hashable]()
    for u, v in graph.edges():
        if u != v:
            ties[u] += 1
            ties[v] += 1
    out = {}
    for node, data in sorted(undirected.nodes(data=True), key=lambda x: _sort_key(x[0])):
        out[node] = NodeMetrics(
            id=node,
            name=str(data.get("name", data.get("label", node))),
            state=data.get("state"),
            group=data.get(group) if group != "state" else data.get("group"),
            degree=undirected.degree(node),
            ties=ties[node] if multi else undirected.degree(node),
            weighted_degree=float(undirected.degree(node, weight="weight")),
            betweenness=between[node],
            closeness=close[node],
            community=community[node],
            **roles[node],
        )
    return out


def summary(
    graph: nx.MultiDiGraph | nx.Graph,
    *,
    node_metrics: Mapping[Hashable, NodeMetrics] | None = None,
    top: int = 3,
) -> dict[str, Any]:
    """The key figures of a network, as plain values (see :data:`SUMMARY_LABELS`).

    ``top_*`` list the names of the ``top`` municipalities by degree,
    betweenness and brokerage (only those above zero). ``node_metrics``
    reuses metrics already computed for this graph.

    >>> municipalities, ties = example_records()
    >>> figures = summary(cooperation_graph(municipalities, ties))
    >>> figures["ties"], figures["multiplex_pairs"], figures["by_type"]
    (5, 1, {'cooperates': 3, 'learns_from': 1, 'partner_network': 1})
    >>> figures["cross_state_ties"], figures["top_degree"]
    (1, ['Hoyerswerda', 'Görlitz', 'Bautzen'])
    """
    panel = dict(node_metrics) if node_metrics is not None else metrics(graph)
    multi = graph.is_multigraph() or graph.is_directed()
    undirected = simple_graph(graph) if multi else graph
    n = undirected.number_of_nodes()
    parts = list(nx.connected_components(undirected)) if n else []
    state = nx.get_node_attributes(graph, "state")
    cross = sum(
        1
        for u, v in graph.edges()
        if state.get(u) is not None and state.get(v) is not None and state[u] != state[v]
    )
    types = Counter(t for _, _, t in graph.edges(data="type") if t)
    community_of = {node: m.community for node, m in panel.items()}
    grouped: dict[int, set[Hashable]] = defaultdict(set)
    for node, number in community_of.items():
        grouped[number].add(node)
    modularity = (
        nx.community.modularity(undirected, grouped.values(), weight="weight")
        if undirected.number_of_edges()
        else 0.0
    )

    def best(measure: str) -> list[str]:
        ranked = sorted(panel.values(), key=lambda m: (-getattr(m, measure), m.name))
        return [m.name for m in ranked if getattr(m, measure) > 0][:top]

    number_of_ties = graph.number_of_edges()
    return {
        "municipalities": n,
        "ties": number_of_ties,
        "pairs": undirected.number_of_edges(),
        "multiplex_pairs": sum(1 for *_, k in undirected.edges(data="ties") if (k or 1) > 1),
        "isolates": nx.number_of_isolates(undirected),
        "density": nx.density(undirected) if n > 1 else 0.0,
        "mean_degree": 2 * undirected.number_of_edges() / n if n else 0.0,
        "components": len(parts),
        "largest_component": max((len(p) for p in parts), default=0),
        "communities": len(grouped),
        "modularity": modularity,
        "states": len({s for s in state.values() if s}),
        "cross_state_ties": cross,
        "cross_state_share": cross / number_of_ties if number_of_ties else 0.0,
        "total_weight": float(sum(w for *_, w in graph.edges(data="weight", default=1.0))),
        "by_type": dict(sorted(types.items())),
        "top_degree": best("degree"),
        "top_betweenness": best("betweenness"),
        "top_brokerage": best("brokerage"),
    }


def growth(
    municipalities: Iterable[Municipality],
    ties: Iterable[Tie],
    meetings: Iterable[Meeting],
    *,
    groups: Iterable[Group] = (),
) -> list[dict[str, Any]]:
    """How the network grew over a series: the key figures at the end of each meeting.

    One row per meeting in order (see :func:`meeting_order`), with
    ``meeting_id, title, date, new_ties`` and the figures of :func:`summary`
    over the network as it stood then (:func:`cooperation_graph` with
    ``until_meeting``; municipalities without ties left out).

    >>> import datetime as dt
    >>> municipalities, ties = example_records()
    >>> made = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> series = [Meeting(id=1, title="Auftakt", created_at=made),
    ...           Meeting(id=2, title="Zweites Treffen", created_at=made)]
    >>> rows = growth(municipalities, ties, series)
    >>> [(row["title"], row["new_ties"], row["ties"]) for row in rows]
    [('Auftakt', 3, 3), ('Zweites Treffen', 2, 5)]
    """
    towns, all_ties, series, groups = list(municipalities), list(ties), list(meetings), list(groups)
    by_id = {m.id: m for m in series}
    new = Counter(r.tie.meeting_id for r in relationships(all_ties))
    rows = []
    for meeting_id in meeting_order(series):
        graph = cooperation_graph(
            towns,
            all_ties,
            until_meeting=meeting_id,
            meetings=series,
            groups=groups,
            isolates=False,
        )
        meeting = by_id[meeting_id]
        rows.append(
            {
                "meeting_id": meeting_id,
                "title": meeting.title,
                "date": meeting.date.isoformat() if meeting.date else None,
                "new_ties": new[meeting_id],
                **summary(graph),
            }
        )
    return rows
