"""Cooperation networks of municipalities: graphs, metrics, layouts and pictures.

Pure logic over records (:class:`~facilitation.models.Municipality`,
:class:`~facilitation.models.Tie`, challenges, topics, dots): nothing here
opens the database. The graphs are networkx graphs whose attributes are plain
values (text, numbers, booleans), so they can be written to GraphML or GEXF
as they are; an attribute that is unknown is left out rather than set to None.

Graphs
------
:func:`cooperation_graph`
    A :class:`networkx.MultiDiGraph` with one node per municipality (id =
    municipality id) and one edge per declared tie (key = tie id). Several
    ties between two towns (on several topics, of several types: multiplex
    ties) stay separate edges. Every edge carries ``directed``: a "learns
    from" tie is directed from the learner to the town it learns from; an
    undirected tie ("cooperates", "partner network") is stored once, from the
    town that was named first.
:func:`simple_graph`
    The same network collapsed to one tie per pair for metrics: ``weight`` is
    the sum of the ties' strengths, ``ties`` their number (multiplexity).
:func:`topic_graph`, :func:`projection`
    The bipartite municipality–topic network from challenges and dots, and its
    weighted one-mode projections (towns that share topics, topics that share towns).

Metrics
-------
:func:`metrics` gives, per municipality, degree, weighted degree, betweenness,
closeness, community and the Gould–Fernandez brokerage roles; :func:`summary`
the key figures of the whole network. Brokerage needs directions: a directed
tie counts in its direction, an undirected tie counts as a tie in both
directions (as UCINET does with symmetric data). An open undirected path
a – b – c therefore counts twice for b (a→b→c and c→b→a), and in a network
without directed ties the representative and gatekeeper counts of a town are equal.

>>> from facilitation.network import example_records
>>> municipalities, ties = example_records()
>>> graph = cooperation_graph(municipalities, ties)
>>> graph.number_of_nodes(), graph.number_of_edges()
(5, 5)
>>> figures = summary(graph)
>>> figures["pairs"], figures["components"], round(figures["density"], 2)
(4, 1, 0.4)
>>> roles = metrics(graph)[3]
>>> roles.degree, roles.liaison, roles.representative
(3, 0, 2)
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from .i18n import N_, _, translate
from .models import (
    Challenge,
    DotAction,
    DotEvent,
    Group,
    Meeting,
    Municipality,
    Participant,
    Tie,
    TieType,
    Topic,
)
from .privacy import pseudonym

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "BROKERAGE_ROLES",
    "EXACT_LIMIT",
    "SAMPLE_SOURCES",
    "SEED",
    "STATES",
    "SUMMARY_LABELS",
    "TIE_STYLES",
    "NodeMetrics",
    "brokerage",
    "communities",
    "cooperation_graph",
    "draw",
    "example_records",
    "growth",
    "layout",
    "meeting_order",
    "metrics",
    "path_measures",
    "projection",
    "simple_graph",
    "summary",
    "topic_graph",
]

SEED = 42
"""The seed of every random step (communities, force layout, sampled betweenness)."""

# The German states (Länder) by their two-letter code, with fixed colours so a
# state keeps its colour from one picture to the next.
STATES: dict[str, tuple[str, str]] = {
    "BW": ("Baden-Württemberg", "#4e79a7"),
    "BY": ("Bayern", "#59a14f"),
    "BE": ("Berlin", "#e15759"),
    "BB": ("Brandenburg", "#f28e2b"),
    "HB": ("Bremen", "#76b7b2"),
    "HH": ("Hamburg", "#b07aa1"),
    "HE": ("Hessen", "#9c755f"),
    "MV": ("Mecklenburg-Vorpommern", "#17becf"),
    "NI": ("Niedersachsen", "#bcbd22"),
    "NW": ("Nordrhein-Westfalen", "#ff9da7"),
    "RP": ("Rheinland-Pfalz", "#8c564b"),
    "SL": ("Saarland", "#7f7f7f"),
    "SN": ("Sachsen", "#2f6fb0"),
    "ST": ("Sachsen-Anhalt", "#d4a017"),
    "SH": ("Schleswig-Holstein", "#1b9e77"),
    "TH": ("Thüringen", "#c2185b"),
}
_PALETTE = [
    "#2f6fb0", "#f28e2b", "#c2185b", "#1b9e77", "#d4a017", "#8c564b", "#59a14f", "#b07aa1",
    "#e15759", "#17becf", "#9c755f", "#bcbd22", "#4e79a7", "#ff9da7", "#76b7b2", "#7f7f7f",
]  # fmt: skip
_UNKNOWN_COLOUR = "#9e9e9e"

# How ties of each type are drawn: line style, colour, and whether they get an arrow.
TIE_STYLES: dict[str, dict[str, Any]] = {
    TieType.COOPERATES.value: {"linestyle": "solid", "color": "#37474f", "label": N_("cooperates")},
    TieType.LEARNS_FROM.value: {
        "linestyle": "dashed",
        "color": "#6a1b9a",
        "label": N_("learns from"),
    },
    TieType.PARTNER_NETWORK.value: {
        "linestyle": "dotted",
        "color": "#00796b",
        "label": N_("partner network"),
    },
}

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

Kind = Literal["geo", "force"]
Position = tuple[float, float]


# --- building the graphs ----------------------------------------------------------------


def meeting_order(meetings: Iterable[Meeting]) -> list[int]:
    """Meeting ids in the order the meetings took place (by date, then as added).

    >>> import datetime as dt
    >>> made = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> meetings = [
    ...     Meeting(id=1, title="B", date=dt.date(2026, 9, 1), created_at=made),
    ...     Meeting(id=2, title="A", date=dt.date(2026, 3, 1), created_at=made),
    ...     Meeting(id=3, title="C", created_at=made),
    ... ]
    >>> meeting_order(meetings)
    [2, 1, 3]
    """
    return [
        m.id for m in sorted(meetings, key=lambda m: (m.date is None, m.date or dt.date.min, m.id))
    ]


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes without the unknown ones (None or empty text)."""
    return {key: value for key, value in values.items() if value is not None and value != ""}


def _node_attributes(m: Municipality, groups: Sequence[Group]) -> dict[str, Any]:
    mine = [g for g in groups if m.id in g.municipality_ids]
    # The most specific group (fewest members) colours the node.
    mine.sort(key=lambda g: (len(g.municipality_ids), g.id))
    return _plain(
        {
            "kind": "municipality",
            "label": m.name,
            "name": m.name,
            "ags": m.ags,
            "state": m.state,
            "state_name": STATES[m.state][0] if m.state in STATES else None,
            "district": m.district,
            "latitude": m.latitude,
            "longitude": m.longitude,
            "population": m.population,
            "population_date": m.population_date.isoformat() if m.population_date else None,
            "group": mine[0].key if mine else None,
            "groups": ";".join(g.key for g in mine) or None,
            "source": m.source,
        }
    )


def cooperation_graph(
    municipalities: Iterable[Municipality],
    ties: Iterable[Tie],
    *,
    meeting_id: int | None = None,
    until_meeting: int | None = None,
    meetings: Iterable[Meeting] = (),
    groups: Iterable[Group] = (),
    isolates: bool | Iterable[int] = True,
) -> nx.MultiDiGraph:
    """The cooperation network: municipalities and every tie between them.

    Parameters
    ----------
    municipalities, ties
        The records, e.g. ``store.municipalities()`` and ``store.ties()``.
    meeting_id
        Only the ties declared in this meeting.
    until_meeting
        The network as it stood at the end of this meeting: ties of this
        meeting and of the meetings before it (see :func:`meeting_order`), and
        the ties known before the series (those without a meeting, e.g. loaded
        from data). Meetings are ordered by ``meetings`` if given, else by id.
    meetings
        The meetings of the workspace: their order, title and date.
    groups
        Groups of municipalities: a node gets ``groups`` (all keys, ``;``-joined)
        and ``group`` (the key of its smallest group).
    isolates
        True: every municipality given is a node, with ties or not. False:
        only municipalities with a tie. Ids: those with a tie and these.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes are municipality ids with ``name, label, ags, state, state_name,
        district, latitude, longitude, population, population_date, group,
        groups, source``. Edges (key = tie id) carry ``tie_id, type, topic, weight,
        directed, meeting_id, meeting, meeting_date, declared_by`` (the
        participant's pseudonym), ``source, created_at`` (ISO 8601, UTC).

    Examples
    --------
    >>> municipalities, ties = example_records()
    >>> graph = cooperation_graph(municipalities, ties, meeting_id=1)
    >>> sorted(graph.edges(keys=True))
    [(1, 2, 1), (2, 3, 2), (4, 3, 3)]
    >>> graph.edges[4, 3, 3]["type"], graph.edges[4, 3, 3]["directed"]
    ('learns_from', True)
    >>> graph.nodes[1]["ags"], graph.nodes[1]["state"]
    ('14625020', 'SN')
    >>> cooperation_graph(municipalities, ties, until_meeting=1).number_of_edges()
    3
    """
    if meeting_id is not None and until_meeting is not None:
        raise ValueError("give meeting_id or until_meeting, not both")
    meetings = list(meetings)
    groups = list(groups)
    towns = {m.id: m for m in municipalities}
    known = {m.id: m for m in meetings}
    chosen = list(ties)
    if meeting_id is not None:
        chosen = [t for t in chosen if t.meeting_id == meeting_id]
    elif until_meeting is not None:
        order = (
            meeting_order(meetings)
            if meetings
            else sorted(
                {t.meeting_id for t in chosen if t.meeting_id is not None} | {until_meeting}
            )
        )
        if until_meeting not in order:
            order.append(until_meeting)
        before = set(order[: order.index(until_meeting) + 1])
        chosen = [t for t in chosen if t.meeting_id is None or t.meeting_id in before]

    graph = nx.MultiDiGraph(
        kind="cooperation",
        **_plain({"meeting_id": meeting_id, "until_meeting": until_meeting}),
    )
    if isolates is True:
        wanted: set[int] = set(towns)
    elif isolates is False:
        wanted = set()
    else:
        wanted = set(isolates) & set(towns)
    wanted |= {t.source_id for t in chosen} | {t.target_id for t in chosen}
    for town_id in sorted(wanted, key=lambda i: (towns[i].name, i) if i in towns else ("", i)):
        if town_id in towns:
            graph.add_node(town_id, **_node_attributes(towns[town_id], groups))
        else:  # a tie to a municipality that was not given: keep the tie, mark the node
            graph.add_node(town_id, kind="municipality", label=f"#{town_id}", name=f"#{town_id}")
    for tie in sorted(chosen, key=lambda t: t.id):
        meeting = known.get(tie.meeting_id) if tie.meeting_id is not None else None
        graph.add_edge(
            tie.source_id,
            tie.target_id,
            key=tie.id,
            **_plain(
                {
                    "tie_id": tie.id,
                    "type": str(tie.type),
                    "topic": tie.topic,
                    "weight": float(tie.weight),
                    "directed": bool(tie.directed),
                    "meeting_id": tie.meeting_id,
                    "meeting": meeting.title if meeting else None,
                    "meeting_date": meeting.date.isoformat() if meeting and meeting.date else None,
                    "declared_by": pseudonym(tie.declared_by) or None,
                    "source": tie.source,
                    "created_at": tie.created_at.isoformat(),
                }
            ),
        )
    return graph


def simple_graph(graph: nx.MultiDiGraph, *, directed: bool = False) -> nx.Graph | nx.DiGraph:
    """Collapse the ties of each pair of municipalities into one, for metrics.

    Undirected (default): one edge per tied pair. Directed: a directed tie is
    an arc in its direction, an undirected tie an arc in both directions.
    Every collapsed edge has ``weight`` (sum of the strengths), ``ties`` (how
    many), ``types`` and ``topics`` (sorted, ``;``-joined). Node attributes are kept.

    >>> municipalities, ties = example_records()
    >>> simple = simple_graph(cooperation_graph(municipalities, ties))
    >>> simple.edges[2, 3]["ties"], simple.edges[2, 3]["weight"], simple.edges[2, 3]["types"]
    (2, 3.0, 'cooperates;partner_network')
    >>> sorted(simple_graph(cooperation_graph(municipalities, ties), directed=True).edges)
    [(1, 2), (2, 1), (2, 3), (3, 2), (3, 5), (4, 3), (5, 3)]
    """
    out: nx.Graph | nx.DiGraph = nx.DiGraph() if directed else nx.Graph()
    out.graph.update(graph.graph)
    out.add_nodes_from(graph.nodes(data=True))
    collected: dict[tuple[Hashable, Hashable], list[dict[str, Any]]] = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        if directed:
            collected[(u, v)].append(data)
            if not data.get("directed", False):
                collected[(v, u)].append(data)
        else:
            collected[(u, v) if (u, v) in collected or (v, u) not in collected else (v, u)].append(
                data
            )
    for (u, v), found in collected.items():
        out.add_edge(
            u,
            v,
            weight=float(sum(d.get("weight", 1.0) for d in found)),
            ties=len(found),
            types=";".join(sorted({d.get("type", "") for d in found} - {""})),
            topics=";".join(sorted({d.get("topic", "") for d in found} - {""})),
        )
    return out


def topic_graph(
    municipalities: Iterable[Municipality],
    challenges: Iterable[Challenge],
    topics: Iterable[Topic],
    dot_events: Iterable[DotEvent] = (),
    participants: Iterable[Participant] = (),
    *,
    meeting_id: int | None = None,
) -> nx.Graph:
    """The bipartite municipality–topic network.

    A municipality is tied to a topic when one of its challenges was merged
    into the topic (``challenges``: how many) or when its participants put
    dots on the topic (``dots``: placed minus taken back). ``weight`` is
    ``challenges + dots``. Municipality nodes are ``"m<id>"`` with
    ``bipartite=0``, topic nodes ``"t<id>"`` with ``bipartite=1``; both carry
    ``kind``, ``label`` and their record's id (``municipality_id``, ``topic_id``).

    Parameters
    ----------
    meeting_id
        Only the topics of this meeting (and the dots on them).

    Examples
    --------
    >>> import datetime as dt
    >>> made = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> towns = [Municipality(id=1, name="Bautzen"), Municipality(id=2, name="Görlitz")]
    >>> found = [Challenge(id=i, meeting_id=1, title="c", municipality_id=m, created_at=made)
    ...          for i, m in [(1, 1), (2, 2), (3, 2)]]
    >>> themes = [Topic(id=1, meeting_id=1, title="Leerstand", challenge_ids=(1, 2),
    ...                 created_at=made),
    ...           Topic(id=2, meeting_id=1, title="Schulen", challenge_ids=(3,), created_at=made)]
    >>> bipartite = topic_graph(towns, found, themes)
    >>> sorted(bipartite.edges(data="weight"))
    [('m1', 't1', 1.0), ('m2', 't1', 1.0), ('m2', 't2', 1.0)]
    """
    towns = {m.id: m for m in municipalities}
    by_challenge = {c.id: c for c in challenges}
    chosen = [t for t in topics if meeting_id is None or t.meeting_id == meeting_id]
    home = {p.id: p.municipality_id for p in participants}
    graph = nx.Graph(kind="bipartite", **_plain({"meeting_id": meeting_id}))

    counts: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    topic_ids = {t.id for t in chosen}
    for topic in chosen:
        for challenge_id in topic.challenge_ids:
            challenge = by_challenge.get(challenge_id)
            if challenge is not None and challenge.municipality_id is not None:
                counts[(challenge.municipality_id, topic.id)]["challenges"] += 1
    for event in dot_events:
        town_id = home.get(event.participant_id)
        if event.topic_id in topic_ids and town_id is not None:
            delta = 1 if event.action is DotAction.PLACE else -1
            counts[(town_id, event.topic_id)]["dots"] += delta
    tied = {
        pair: (count["challenges"], max(count["dots"], 0))
        for pair, count in sorted(counts.items())
        if count["challenges"] or count["dots"] > 0
    }
    # Municipalities first (those with a tie to a topic), then topics, then ties.
    for town_id in sorted(
        {m for m, _t in tied}, key=lambda i: (towns[i].name, i) if i in towns else ("", i)
    ):
        m = towns.get(town_id)
        attributes = _node_attributes(m, ()) if m else {"label": f"#{town_id}"}
        graph.add_node(f"m{town_id}", bipartite=0, municipality_id=town_id, **attributes)
    for topic in chosen:
        graph.add_node(
            f"t{topic.id}",
            bipartite=1,
            kind="topic",
            topic_id=topic.id,
            label=topic.title,
            name=topic.title,
            meeting_id=topic.meeting_id,
        )
    for (town_id, topic_id), (challenges_n, dots_n) in tied.items():
        graph.add_edge(
            f"m{town_id}",
            f"t{topic_id}",
            challenges=challenges_n,
            dots=dots_n,
            weight=float(challenges_n + dots_n),
        )
    return graph


def projection(
    bipartite: nx.Graph,
    side: Literal["municipality", "topic"] = "municipality",
    *,
    method: Literal["count", "newman", "jaccard"] = "count",
) -> nx.Graph:
    """The one-mode projection of the municipality–topic network.

    Two municipalities are tied when they share a topic (``side="municipality"``),
    two topics when a municipality is tied to both. Nodes are the records' ids
    (municipality or topic id) with the attributes of the bipartite network.
    Each edge has ``shared`` (how many topics or municipalities), ``via``
    (their labels, ``;``-joined) and ``weight``:

    ``count``
        the number shared;
    ``newman``
        Newman's collaboration weight, the sum of 1/(k−1) over the shared
        nodes of degree k (a topic many towns share counts less);
    ``jaccard``
        shared / size of the union of both neighbourhoods.

    >>> b = nx.Graph()
    >>> b.add_nodes_from(["m1", "m2", "m3"], bipartite=0, kind="municipality")
    >>> for node, number in [("m1", 1), ("m2", 2), ("m3", 3)]:
    ...     b.nodes[node]["municipality_id"] = number
    >>> b.add_nodes_from(["t1", "t2"], bipartite=1, kind="topic", label="T")
    >>> b.add_edges_from([("m1", "t1"), ("m2", "t1"), ("m3", "t1"), ("m1", "t2"), ("m2", "t2")])
    >>> sorted(projection(b).edges(data="weight"))
    [(1, 2, 2.0), (1, 3, 1.0), (2, 3, 1.0)]
    >>> round(projection(b, method="newman").edges[1, 2]["weight"], 2)
    1.5
    """
    if method not in ("count", "newman", "jaccard"):
        raise ValueError(f"unknown projection method {method!r}")
    part = 0 if side == "municipality" else 1
    if side not in ("municipality", "topic"):
        raise ValueError(f"unknown side {side!r}")
    key = "municipality_id" if part == 0 else "topic_id"
    ours = [n for n, d in bipartite.nodes(data=True) if d.get("bipartite") == part]
    ident = {n: bipartite.nodes[n].get(key, n) for n in ours}
    out = nx.Graph(kind="projection", side=side, method=method)
    out.graph.update(_plain({"meeting_id": bipartite.graph.get("meeting_id")}))
    for n in ours:
        out.add_node(ident[n], **bipartite.nodes[n])
    pairs: dict[tuple[Hashable, Hashable], list[Hashable]] = defaultdict(list)
    for middle in sorted(
        (n for n, d in bipartite.nodes(data=True) if d.get("bipartite") == 1 - part), key=str
    ):
        members = sorted(bipartite[middle], key=str)
        for i, u in enumerate(members):
            for v in members[i + 1 :]:
                pairs[(u, v)].append(middle)
    for (u, v), via in pairs.items():
        if method == "count":
            weight = float(len(via))
        elif method == "newman":
            weight = sum(1.0 / (bipartite.degree(w) - 1) for w in via)
        else:
            union = set(bipartite[u]) | set(bipartite[v])
            weight = len(via) / len(union)
        out.add_edge(
            ident[u],
            ident[v],
            weight=weight,
            shared=len(via),
            via=";".join(str(bipartite.nodes[w].get("label", w)) for w in via),
        )
    return out


# --- metrics -------------------------------------------------------------------------------


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


def _sort_key(node: Hashable) -> tuple[str, str]:
    return (type(node).__name__, f"{node:>12}" if isinstance(node, int) else str(node))


def _is_simple_undirected(graph: nx.Graph) -> bool:
    return not graph.is_directed() and not graph.is_multigraph()


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
    new = Counter(t.meeting_id for t in all_ties)
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


# --- layouts -----------------------------------------------------------------------------


def _projected(lat: float, lon: float, lat0: float) -> Position:
    """Equirectangular projection with true scale at ``lat0``, in degrees of latitude."""
    return (lon * math.cos(math.radians(lat0)), lat)


def layout(
    graph: nx.Graph,
    kind: Kind = "geo",
    *,
    previous: Mapping[Hashable, Position] | None = None,
    seed: int = SEED,
    declutter: float = 0.0,
) -> dict[Hashable, Position]:
    """Positions of the nodes for drawing.

    ``geo``: longitude and latitude in an equirectangular projection with
    true scale at the network's mean latitude (1 unit ≈ 111 km; north up).
    Towns without coordinates are placed by a force layout among the others.
    If no town has coordinates, the force layout is used. With ``declutter``,
    towns closer than that share of the map's extent are pushed apart just
    enough (networks up to 400 towns). :func:`draw` does this by itself for
    the size its nodes have in the picture.

    ``force``: a Fruchterman–Reingold layout of each component of the
    collapsed network (seeded, so the same network gives the same picture),
    the components packed side by side, towns without ties in a grid. ``previous``
    positions (e.g. of the picture before the last tie came in) are kept as
    the starting point, so the picture moves little when the network grows.

    >>> municipalities, ties = example_records()
    >>> graph = cooperation_graph(municipalities, ties)
    >>> x, y = layout(graph)[1]
    >>> round(x, 3), round(y, 3)
    (9.011, 51.181)
    >>> layout(graph, "force") == layout(graph, "force")
    True
    """
    if kind not in ("geo", "force"):
        raise ValueError(f"unknown layout {kind!r}: choose 'geo' or 'force'")
    simple = graph if _is_simple_undirected(graph) else simple_graph(graph)
    if simple.number_of_nodes() == 0:
        return {}
    if kind == "geo":
        located = {
            n: (d["latitude"], d["longitude"])
            for n, d in simple.nodes(data=True)
            if "latitude" in d and "longitude" in d
        }
        if located:
            lat0 = sum(lat for lat, _ in located.values()) / len(located)
            pos = {n: _projected(lat, lon, lat0) for n, (lat, lon) in located.items()}
            missing = [n for n in simple if n not in pos]
            if missing:
                pos = _place_missing(simple, pos, missing, seed)
            return _declutter(pos, declutter * _spread(pos)) if declutter else pos
    return _force(simple, previous, seed)


def _spread(pos: Mapping[Hashable, Position]) -> float:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    return max(max(xs) - min(xs), max(ys) - min(ys), 1e-3)


def _place_missing(
    simple: nx.Graph, pos: dict[Hashable, Position], missing: list[Hashable], seed: int
) -> dict[Hashable, Position]:
    span = _spread(pos)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    start = dict(pos)
    # Unplaced towns start at the mean of their placed partners, or below the map.
    for i, node in enumerate(missing):
        known = [pos[m] for m in simple[node] if m in pos]
        if known:
            start[node] = (
                sum(p[0] for p in known) / len(known),
                sum(p[1] for p in known) / len(known),
            )
        else:
            start[node] = (min(xs) + span * (i + 1) / (len(missing) + 1), min(ys) - 0.15 * span)
    placed = nx.spring_layout(
        simple, pos=start, fixed=list(pos), k=span / max(math.sqrt(len(simple)), 1), seed=seed
    )
    return {n: (float(p[0]), float(p[1])) for n, p in placed.items()}


def _force(
    simple: nx.Graph, previous: Mapping[Hashable, Position] | None, seed: int
) -> dict[Hashable, Position]:
    """Lay out each component on its own, then pack them like boxes on shelves.

    A single spring layout of a network of several components throws them far
    apart and squeezes each; packing keeps every component readable.
    """
    parts = sorted(
        (sorted(c, key=_sort_key) for c in nx.connected_components(simple)),
        key=lambda c: (-len(c), _sort_key(c[0])),
    )
    tied = [c for c in parts if len(c) > 1]
    alone = [c[0] for c in parts if len(c) == 1]
    boxes: list[tuple[float, dict[Hashable, Position]]] = []
    for members in tied:
        sub = simple.subgraph(members)
        start = _start(sub, previous)
        placed = nx.spring_layout(
            sub, pos=start, weight=None, seed=seed, iterations=40 if start else 100
        )
        side = math.sqrt(len(members))
        boxes.append((side, {n: (float(p[0]), float(p[1])) for n, p in placed.items()}))
    if alone:  # towns without ties: a tidy grid
        columns = math.ceil(math.sqrt(len(alone) * 16 / 9))
        grid = {
            n: (
                -1 + 2 * (i % columns + 0.5) / columns,
                1 - 2 * (i // columns + 0.5) / columns,
            )
            for i, n in enumerate(alone)
        }
        boxes.append((max(1.0, 0.6 * math.sqrt(len(alone))), grid))
    return _pack(boxes)


def _start(
    sub: nx.Graph, previous: Mapping[Hashable, Position] | None
) -> dict[Hashable, Position] | None:
    """Starting positions from the previous picture; new towns next to their partners."""
    kept = {n: previous[n] for n in sub if n in previous} if previous else {}
    if not kept:
        return None
    start = dict(kept)
    span = _spread(kept) if len(kept) > 1 else 1.0
    cx = sum(p[0] for p in kept.values()) / len(kept)
    cy = sum(p[1] for p in kept.values()) / len(kept)
    for i, node in enumerate(n for n in sub if n not in kept):
        near = [kept[m] for m in sub[node] if m in kept]
        angle = 2 * math.pi * (i % 12) / 12
        bx, by = (
            (sum(p[0] for p in near) / len(near), sum(p[1] for p in near) / len(near))
            if near
            else (cx, cy)
        )
        start[node] = (bx + 0.08 * span * math.cos(angle), by + 0.08 * span * math.sin(angle))
    return start


def _pack(boxes: list[tuple[float, dict[Hashable, Position]]]) -> dict[Hashable, Position]:
    """Place square boxes (side, positions in [-1, 1]²) in rows about 16:9 wide."""
    if not boxes:
        return {}
    area = sum((side * 1.15) ** 2 for side, _p in boxes)
    width = max(math.sqrt(area * 16 / 9), max(side for side, _p in boxes) * 1.15)
    out: dict[Hashable, Position] = {}
    x = y = row = 0.0
    for side, positions in boxes:
        cell = side * 1.15
        if x > 0 and x + cell > width + 1e-9:
            x, y, row = 0.0, y - row, 0.0
        xs = [p[0] for p in positions.values()]
        ys = [p[1] for p in positions.values()]
        mx, my = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        half = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) / 2
        for n, (px, py) in positions.items():
            scale = side / 2 / half if len(positions) > 1 else 0.0
            out[n] = (x + cell / 2 + (px - mx) * scale, y - cell / 2 + (py - my) * scale)
        x += cell
        row = max(row, cell)
    return out


def _declutter(
    pos: Mapping[Hashable, Position], distance: Any, rounds: int = 80
) -> dict[Hashable, Position]:
    """Push towns apart that would sit on each other, each as little as needed.

    ``distance`` is the least distance between two towns, or per town a
    radius (a sequence in the order of ``pos``): then two towns keep the sum
    of their radii apart. Every town is pulled back towards its true place
    each round, so a map stays a map. Only for networks up to 400 towns.
    """
    import numpy as np

    if len(pos) < 2 or len(pos) > 400:
        return dict(pos)
    nodes = list(pos)
    home = np.array([pos[n] for n in nodes], dtype=float)
    radius = np.broadcast_to(np.asarray(distance, dtype=float) / 1.0, (len(nodes),))
    if np.isscalar(distance) or np.ndim(distance) == 0:
        least = np.full((len(nodes), len(nodes)), float(distance))
    else:
        least = radius[:, None] + radius[None, :]
    if not least.max() > 0:
        return dict(pos)
    xy = home.copy()
    # Towns at the very same place get a small fixed offset, so they can part.
    angles = np.arange(len(nodes)) * 2.399963  # the golden angle
    xy += 1e-3 * least.mean() * np.column_stack([np.cos(angles), np.sin(angles)])
    for _round in range(rounds):
        delta = xy[:, None, :] - xy[None, :, :]
        gap = np.sqrt((delta**2).sum(axis=2))
        np.fill_diagonal(gap, np.inf)
        overlap = np.clip(least - gap, 0, None)
        np.fill_diagonal(overlap, 0)
        if not (overlap > 1e-9 * least.max()).any():
            break
        xy += (delta / gap[..., None] * overlap[..., None] * 0.55).sum(axis=1)
        xy += 0.02 * (home - xy)
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, xy, strict=True)}


# --- drawing -------------------------------------------------------------------------------


def _colours(
    graph: nx.Graph, colour_by: str, node_metrics: Mapping[Hashable, NodeMetrics] | None
) -> tuple[dict[Hashable, str], dict[str, str]]:
    """Colour of each node, and the legend: label → colour."""
    if colour_by == "community":
        panel = node_metrics or metrics(graph)
        values = {n: panel[n].community for n in graph if n in panel}
    else:
        values = {n: d.get(colour_by) for n, d in graph.nodes(data=True)}
    legend: dict[str, str] = {}
    colour: dict[Hashable, str] = {}
    if colour_by == "state":
        for node, value in values.items():
            colour[node] = STATES[value][1] if value in STATES else _UNKNOWN_COLOUR
        for value in sorted({v for v in values.values() if v}):
            legend[STATES[value][0] if value in STATES else value] = (
                STATES[value][1] if value in STATES else _UNKNOWN_COLOUR
            )
    else:
        seen = sorted({v for v in values.values() if v is not None}, key=str)
        palette = {v: _PALETTE[i % len(_PALETTE)] for i, v in enumerate(seen)}
        for node, value in values.items():
            colour[node] = palette.get(value, _UNKNOWN_COLOUR)
        community = _("Community")
        labels = {
            v: f"{community} {int(v) + 1}" if colour_by == "community" else str(v) for v in seen
        }
        if colour_by == "group":
            names = {
                d.get("group"): d.get("group_name")
                for _n, d in graph.nodes(data=True)
                if d.get("group_name")
            }
            labels = {v: names.get(v, labels[v]) for v in seen}
        legend = {labels[v]: palette[v] for v in seen}
    if any(c == _UNKNOWN_COLOUR for c in colour.values()) and colour_by != "community":
        legend[_("unknown")] = _UNKNOWN_COLOUR
    return colour, legend


def _nice_length(span_km: float) -> int:
    for length in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500):
        if length >= span_km / 5:
            return length
    return 1000


def _names_as_text(function: Callable[..., bytes]) -> Callable[..., bytes]:
    """Draw with matplotlib's math markup off: a "$" in a town's name is a dollar sign."""

    @functools.wraps(function)
    def drawing(*args: Any, **kwargs: Any) -> bytes:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            return function(*args, **kwargs)

    return drawing


@_names_as_text
def draw(
    graph: nx.Graph,
    *,
    positions: Mapping[Hashable, Position] | None = None,
    kind: Kind = "geo",
    colour_by: str = "state",
    node_metrics: Mapping[Hashable, NodeMetrics] | None = None,
    title: str | None = None,
    fmt: Literal["svg", "png"] = "svg",
    size: tuple[float, float] = (16, 9),
    dpi: int = 100,
    labels: int = 40,
    font_size: float = 18,
    legend: bool = True,
    named_first: Iterable[Hashable] = (),
) -> bytes:
    """Draw a network for the wall (SVG or PNG bytes).

    Node area grows with the degree (distinct partners); colour by ``state``
    (fixed colours per state), ``group``, ``community`` or any node attribute;
    tie style by type (see :data:`TIE_STYLES`: "learns from" dashed with an
    arrow to the town learned from), line width by strength, several ties of
    one pair side by side. Labels are large with a white halo, so they are
    legible from the back of a room; in a large network only the ``labels``
    towns with most partners are named, and where a name finds no free
    place it is left out; ``named_first`` (e.g. the towns of the people in
    the room) are named before all others. The bipartite municipality–topic
    network is drawn in two columns. The geographic picture has a scale bar.

    Parameters
    ----------
    positions
        Node positions, e.g. from a cached :func:`layout`; computed with
        ``kind`` if not given.

    Examples
    --------
    >>> municipalities, ties = example_records()
    >>> picture = draw(cooperation_graph(municipalities, ties), title="Netzwerk")
    >>> picture.startswith(b"<?xml") and b"Bautzen" in picture
    True
    >>> draw(cooperation_graph(municipalities, ties), fmt="png")[:4]
    b'\\x89PNG'
    """
    from matplotlib.figure import Figure

    if fmt not in ("svg", "png"):
        raise ValueError(f"unknown picture format {fmt!r}: choose 'svg' or 'png'")
    bipartite = graph.graph.get("kind") == "bipartite"
    if positions is None:
        positions = _two_columns(graph) if bipartite else layout(graph, kind)
    figure = Figure(figsize=size, dpi=dpi, facecolor="white")
    # The network on the left four fifths, the legends to its right.
    ax = figure.add_axes((0.01, 0.01, 0.8 if legend else 0.98, 0.9 if title else 0.98))
    ax.set_axis_off()
    if title:
        figure.suptitle(title, fontsize=font_size * 1.35, fontweight="bold", y=0.975)
    if graph.number_of_nodes() == 0:
        ax.text(
            0.5,
            0.5,
            _("No municipalities yet."),
            ha="center",
            va="center",
            fontsize=font_size * 1.2,
            color="#555555",
            transform=ax.transAxes,
        )
        return _save(figure, fmt)
    simple = graph if _is_simple_undirected(graph) else simple_graph(graph)
    degree = dict(simple.degree())
    top_degree = max(degree.values(), default=0) or 1
    n = simple.number_of_nodes()
    # Node area in points²: larger for small networks, growing with degree.
    base = 900 if n <= 30 else 400 if n <= 150 else 60 if n <= 1500 else 8
    sizes = {v: base * (0.35 + 1.65 * degree[v] / top_degree) for v in simple}
    geo = (
        kind == "geo" and not bipartite and any("latitude" in d for _, d in graph.nodes(data=True))
    )
    ax.set_aspect("equal" if geo else "auto")
    _frame(ax, positions)
    if not bipartite:
        sizes = _fit_sizes(ax, positions, sizes)
        positions = _apart_on_screen(ax, positions, sizes)
        _frame(ax, positions)
    _draw_ties(ax, graph, positions, sizes, bipartite)
    if bipartite:
        colour = {
            v: ("#546e7a" if d.get("bipartite") == 1 else "#2f6fb0")
            for v, d in graph.nodes(data=True)
        }
        shown: dict[str, str] = {_("Municipality"): "#2f6fb0", _("Topic"): "#546e7a"}
    else:
        colour, shown = _colours(graph, colour_by, node_metrics)
    nodes = [v for v in graph if v in positions]
    ax.scatter(
        [positions[v][0] for v in nodes],
        [positions[v][1] for v in nodes],
        s=[sizes.get(v, base) for v in nodes],
        c=[colour.get(v, _UNKNOWN_COLOUR) for v in nodes],
        marker="o",
        edgecolors="white",
        linewidths=1.5 if n <= 150 else 0.3,
        zorder=3,
    )
    if bipartite:  # room for the labels left and right of the two columns
        ax.set_xlim(-0.55, 1.55)
    taken = _scale_bar(ax, font_size) if geo else []
    first = set(named_first)
    _label(ax, graph, positions, degree, sizes, labels, font_size, bipartite, taken, first)
    if legend:
        _legends(ax, graph, shown, font_size, bipartite)
    return _save(figure, fmt)


def _fit_sizes(
    ax: Axes, positions: Mapping[Hashable, Position], sizes: Mapping[Hashable, float]
) -> dict[Hashable, float]:
    """Shrink the nodes where towns lie close together, so ties between them stay visible.

    The typical node gets at most 60 % of the median distance to the nearest
    other town, but never less than a quarter of its planned area.
    """
    import numpy as np

    nodes = list(positions)
    if not 2 < len(nodes) <= 400:
        return dict(sizes)
    ax.apply_aspect()
    pixels = ax.transData.transform(np.array([positions[v] for v in nodes], dtype=float))
    gap = np.sqrt(((pixels[:, None, :] - pixels[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(gap, np.inf)
    nearest = float(np.median(gap.min(axis=1))) * 72 / ax.figure.dpi  # in points
    typical = float(np.median([sizes.get(v, 100) for v in nodes]))
    wanted = (0.6 * nearest) ** 2
    factor = min(1.0, max(0.25, wanted / typical)) if typical > 0 else 1.0
    return {v: size * factor for v, size in sizes.items()}


def _apart_on_screen(
    ax: Axes, positions: Mapping[Hashable, Position], sizes: Mapping[Hashable, float]
) -> dict[Hashable, Position]:
    """Move drawn towns apart that would cover each other at this picture's size."""
    import numpy as np

    nodes = list(positions)
    if not 1 < len(nodes) <= 400:
        return dict(positions)
    ax.apply_aspect()
    to_pixels = ax.transData
    pixels = to_pixels.transform(np.array([positions[v] for v in nodes], dtype=float))
    scale = ax.figure.dpi / 72
    radii = np.array([math.sqrt(sizes.get(v, 100)) / 2 * scale for v in nodes])
    moved = _declutter(dict(zip(nodes, map(tuple, pixels), strict=True)), radii + 2)
    back = to_pixels.inverted().transform(np.array([moved[v] for v in nodes]))
    return {v: (float(x), float(y)) for v, (x, y) in zip(nodes, back, strict=True)}


def _save(figure: Any, fmt: str) -> bytes:
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "facilitation"}):
        figure.savefig(buffer, format=fmt, facecolor="white", metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> dict[str, Any]:
    # No creation date: the same network gives the same bytes.
    return {"Date": None} if fmt == "svg" else {"Software": None}


def _two_columns(graph: nx.Graph) -> dict[Hashable, Position]:
    left = sorted(
        (v for v, d in graph.nodes(data=True) if d.get("bipartite") == 0),
        key=lambda v: str(graph.nodes[v].get("label", v)),
    )
    right = sorted(
        (v for v, d in graph.nodes(data=True) if d.get("bipartite") == 1),
        key=lambda v: -graph.degree(v, weight="weight"),
    )
    pos: dict[Hashable, Position] = {}
    for column, x in ((left, 0.0), (right, 1.0)):
        for i, v in enumerate(column):
            pos[v] = (x, 1.0 - (i + 0.5) / max(len(column), 1))
    return pos


def _draw_ties(
    ax: Axes,
    graph: nx.Graph,
    positions: Mapping[Hashable, Position],
    sizes: Mapping[Hashable, float],
    bipartite: bool,
) -> None:
    from matplotlib.collections import LineCollection
    from matplotlib.patches import FancyArrowPatch

    # One line per pair and type; several types of one pair are bent apart.
    grouped: dict[tuple[Hashable, Hashable, str], dict[str, Any]] = {}
    for u, v, data in graph.edges(data=True):
        if u not in positions or v not in positions or u == v:
            continue
        kind = str(data.get("type", "cooperates"))
        directed = bool(data.get("directed", False))
        pair = (u, v) if directed or _sort_key(u) <= _sort_key(v) else (v, u)
        entry = grouped.setdefault((*pair, kind), {"weight": 0.0, "directed": directed, "count": 0})
        entry["weight"] += float(data.get("weight", 1.0))
        entry["count"] += 1
    if not grouped:
        return
    per_pair = Counter(frozenset((u, v)) for u, v, _k in grouped)
    heaviest = max(e["weight"] for e in grouped.values())
    many = len(grouped) > 600
    lines: dict[str, list[Any]] = defaultdict(list)
    widths: dict[str, list[float]] = defaultdict(list)
    slot: Counter[frozenset[Hashable]] = Counter()
    for (u, v, kind), entry in grouped.items():
        style = TIE_STYLES.get(kind, TIE_STYLES["cooperates"])
        width = 1.2 + 4.8 * entry["weight"] / heaviest if not many else 0.4
        if bipartite:
            style = {"linestyle": "solid", "color": "#90a4ae"}
        if many:
            lines[kind].append((positions[u], positions[v]))
            widths[kind].append(width)
            continue
        key = frozenset((u, v))
        index = slot[key]
        slot[key] += 1
        bend = 0.0 if per_pair[key] == 1 else 0.18 * (index - (per_pair[key] - 1) / 2)
        arrow = FancyArrowPatch(
            positions[u],
            positions[v],
            arrowstyle="-|>" if entry["directed"] else "-",
            mutation_scale=22 + 3 * width,
            connectionstyle=f"arc3,rad={bend}",
            linestyle=style["linestyle"],
            color=style["color"],
            linewidth=width,
            alpha=0.85,
            shrinkA=math.sqrt(sizes.get(u, 100)) / 2 + 1,
            shrinkB=math.sqrt(sizes.get(v, 100)) / 2 + 2,
            zorder=2,
        )
        ax.add_patch(arrow)
    for kind, segments in lines.items():
        style = TIE_STYLES.get(kind, TIE_STYLES["cooperates"])
        ax.add_collection(
            LineCollection(
                segments,
                linewidths=widths[kind],
                colors=style["color"],
                linestyles=style["linestyle"],
                alpha=0.35,
                zorder=1,
            )
        )


def _label(
    ax: Axes,
    graph: nx.Graph,
    positions: Mapping[Hashable, Position],
    degree: Mapping[Hashable, int],
    sizes: Mapping[Hashable, float],
    limit: int,
    font_size: float,
    bipartite: bool,
    taken: list[Any] | None = None,
    first: set[Hashable] | frozenset[Hashable] = frozenset(),
) -> None:
    """Name the most connected towns where a name covers neither a node nor another name.

    Each name tries eight places around its node (above first), then
    twenty-four farther out with a thin leader line, then all of these at
    smaller sizes; a name that finds no free place is left out. Towns in
    ``first`` are named before the others.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import Bbox

    ranked = sorted(
        (v for v in graph if v in positions),
        key=lambda v: (v not in first, -degree.get(v, 0), str(graph.nodes[v].get("label", v))),
    )
    # A light box rather than a stroked halo: the text stays text in the SVG.
    halo = {"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.75}
    figure = ax.figure
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[arg-type]
    ax.apply_aspect()
    to_pixels = ax.transData.transform
    scale = figure.dpi / 72
    discs = {}
    for v in positions:
        x, y = to_pixels(positions[v])
        r = math.sqrt(sizes.get(v, 100)) / 2 * scale
        discs[v] = Bbox.from_extents(x - r, y - r, x + r, y + r)
    frame = ax.get_window_extent(renderer)
    taken = list(taken or [])
    for v in ranked[:limit]:
        text = str(graph.nodes[v].get("label", v))
        if len(text) > 38:
            text = text[:36] + "…"
        gap = math.sqrt(sizes.get(v, 100)) / 2 + 3
        if bipartite:
            right = graph.nodes[v].get("bipartite") == 1
            ax.annotate(
                text,
                positions[v],
                xytext=(gap if right else -gap, 0),
                textcoords="offset points",
                ha="left" if right else "right",
                va="center",
                fontsize=font_size * 0.8,
                bbox=halo,
                zorder=4,
            )
            continue
        d = gap * 0.72
        places = [
            (0, gap, "center", "bottom"),
            (0, -gap, "center", "top"),
            (gap, 0, "left", "center"),
            (-gap, 0, "right", "center"),
            (d, d, "left", "bottom"),
            (-d, d, "right", "bottom"),
            (d, -d, "left", "top"),
            (-d, -d, "right", "top"),
        ]
        near = len(places)
        for far in (2.4 * gap + 10, 4 * gap + 24, 6 * gap + 40):
            places += [(dx / gap * far, dy / gap * far, ha, va) for dx, dy, ha, va in places[:8]]
        # In a large network the towns are dots: names may cover them, not each other.
        others = [box for w, box in discs.items() if w != v] if len(discs) <= 150 else []
        leader = {"arrowstyle": "-", "color": "#616161", "linewidth": 1.2, "shrinkB": gap - 2}
        x, y = to_pixels(positions[v])
        for size in (font_size, font_size * 0.8, font_size * 0.65):
            # Measure the name once; the boxes of its candidate places follow from that.
            probe = ax.text(0, 0, text, fontsize=size, fontweight="bold", bbox=halo)
            extent = probe.get_window_extent(renderer)
            probe.remove()
            width, height = extent.width, extent.height
            chosen = None
            for number, (dx, dy, ha, va) in enumerate(places):
                ax0 = x + dx * scale - {"left": 0, "center": width / 2, "right": width}[ha]
                ay0 = y + dy * scale - {"bottom": 0, "center": height / 2, "top": height}[va]
                box = Bbox.from_bounds(ax0, ay0, width, height)
                inside = frame.x0 <= box.x0 and box.x1 <= frame.x1
                inside = inside and frame.y0 <= box.y0 and box.y1 <= frame.y1
                if inside and not any(box.overlaps(o) for o in taken + others):
                    chosen = number, box
                    break
            if chosen is not None:
                number, box = chosen
                dx, dy, ha, va = places[number]
                ax.annotate(
                    text, positions[v], xytext=(dx, dy), textcoords="offset points", ha=ha,
                    va=va, fontsize=size, fontweight="bold", color="#212121", bbox=halo, zorder=4,
                    arrowprops=leader if number >= near else None,
                )  # fmt: skip
                taken.append(box)
                break


def _frame(ax: Axes, positions: Mapping[Hashable, Position]) -> None:
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    span_x = max(max(xs) - min(xs), 1e-3)
    span_y = max(max(ys) - min(ys), 1e-3)
    pad_x, pad_y = 0.12 * span_x + 0.02, 0.16 * span_y + 0.02
    ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
    ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)


def _scale_bar(ax: Axes, font_size: float) -> list[Any]:
    """A scale bar in the lower left corner; returns the screen boxes it covers."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_unit = 111.2  # one degree of latitude
    length = _nice_length((x1 - x0) * km_per_unit)
    units = length / km_per_unit
    left, bottom = x0 + 0.02 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    bar = ax.plot(
        [left, left + units],
        [bottom, bottom],
        color="#424242",
        linewidth=4,
        solid_capstyle="butt",
        zorder=5,
    )[0]
    above = ax.text(
        left + units / 2,
        bottom + 0.012 * (y1 - y0),
        f"{length} km",
        ha="center",
        va="bottom",
        fontsize=font_size * 0.75,
        color="#424242",
        zorder=5,
    )
    below = ax.text(
        left,
        bottom - 0.012 * (y1 - y0),
        _("North is up"),
        ha="left",
        va="top",
        fontsize=font_size * 0.55,
        color="#757575",
        zorder=5,
    )
    renderer = FigureCanvasAgg(ax.figure).get_renderer()  # type: ignore[arg-type]
    return [artist.get_window_extent(renderer) for artist in (bar, above, below)]


def _legends(
    ax: Axes, graph: nx.Graph, colours: Mapping[str, str], font_size: float, bipartite: bool
) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=font_size * 0.8, color=c, label=label)
        for label, c in list(colours.items())[:16]
    ]
    first = ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=font_size * 0.75,
        frameon=True,
        framealpha=0.9,
        borderpad=0.6,
    )
    if bipartite:
        return
    ax.add_artist(first)
    present = {str(t) for *_x, t in graph.edges(data="type") if t}
    ties = [
        Line2D(
            [],
            [],
            color=style["color"],
            linestyle=style["linestyle"],
            linewidth=3,
            label=translate(style["label"]),
        )
        for kind, style in TIE_STYLES.items()
        if kind in present
    ]
    if ties:
        ax.legend(
            handles=ties,
            loc="lower left",
            bbox_to_anchor=(1.01, 0.0),
            fontsize=font_size * 0.75,
            frameon=True,
            framealpha=0.9,
            borderpad=0.6,
            handlelength=3,
        )


# --- a tiny network for examples ---------------------------------------------------------


def example_records() -> tuple[list[Municipality], list[Tie]]:
    """Five municipalities and five ties of two meetings, for examples and tests.

    Görlitz and Hoyerswerda have two ties (cooperates, partner network);
    Weißwasser learns from Hoyerswerda; Elsterwerda (Brandenburg) cooperates with it.
    """
    made = dt.datetime(2026, 6, 17, 10, 0, tzinfo=dt.UTC)
    towns = [
        Municipality(id=1, name="Bautzen", ags="14625020", state="SN", district="Bautzen",
                     latitude=51.1809, longitude=14.4277, population=38084),
        Municipality(id=2, name="Görlitz", ags="14626110", state="SN", district="Görlitz",
                     latitude=51.1553, longitude=14.9880, population=54664),
        Municipality(id=3, name="Hoyerswerda", ags="14625240", state="SN", district="Bautzen",
                     latitude=51.4389, longitude=14.2440, population=31064),
        Municipality(id=4, name="Weißwasser/O.L.", ags="14626600", state="SN",
                     district="Görlitz", latitude=51.5066, longitude=14.6433, population=15348),
        Municipality(id=5, name="Elsterwerda", ags="12062124", state="BB",
                     district="Elbe-Elster", latitude=51.4608, longitude=13.5202,
                     population=7745),
    ]  # fmt: skip
    ties = [
        Tie(id=1, source_id=1, target_id=2, topic="Demografie", weight=3, meeting_id=1,
            declared_by=1, created_at=made),
        Tie(id=2, source_id=2, target_id=3, topic="Demografie", weight=2, meeting_id=1,
            declared_by=2, created_at=made),
        Tie(id=3, source_id=4, target_id=3, type=TieType.LEARNS_FROM, directed=True,
            topic="Fördermittel", meeting_id=1, declared_by=4, created_at=made),
        Tie(id=4, source_id=2, target_id=3, type=TieType.PARTNER_NETWORK, topic="Tourismus",
            meeting_id=2, created_at=made),
        Tie(id=5, source_id=3, target_id=5, topic="Daseinsvorsorge", meeting_id=2, declared_by=3,
            created_at=made + dt.timedelta(days=90)),
    ]  # fmt: skip
    return towns, ties
