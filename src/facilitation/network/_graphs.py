"""Building the graphs: the cooperation network, its collapsed form, the municipality–topic
network and its projections; the tiny example network."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, Literal

import networkx as nx

from ..models import (
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
    relationships,
)
from ..privacy import pseudonym

__all__ = [
    "STATES",
    "cooperation_graph",
    "example_records",
    "meeting_order",
    "projection",
    "simple_graph",
    "topic_graph",
]

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

    A tie named with several topics is one edge (see :func:`~facilitation.models.relationships`):
    its ``topic`` holds them all, ``;``-separated.

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
        groups, source``. Edges (key = first tie id) carry ``tie_id, tie_ids, type, topic, weight,
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
    for relationship in relationships(chosen):
        tie = relationship.tie
        meeting = known.get(tie.meeting_id) if tie.meeting_id is not None else None
        graph.add_edge(
            tie.source_id,
            tie.target_id,
            key=tie.id,
            **_plain(
                {
                    "tie_id": tie.id,
                    "tie_ids": ";".join(str(i) for i in relationship.tie_ids),
                    "type": str(tie.type),
                    "topic": relationship.topic,
                    "weight": relationship.weight,
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
            topics=";".join(
                sorted({t.strip() for d in found for t in d.get("topic", "").split(";")} - {""})
            ),
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
