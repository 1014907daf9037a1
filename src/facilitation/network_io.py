"""Cooperation networks written for the tools of network research.

:func:`export_network` writes the cooperation network of a workspace (all
meetings, or one) in one of these formats:

``graphml``
    ``cooperation.graphml``: every tie an edge with all its attributes,
    every municipality a node with all its attributes and the measures of
    the metrics panel (networkx, igraph, Gephi, yEd, R); plus
    ``municipalities-topics.graphml``, the municipality–topic network.
``gexf``
    ``cooperation.gexf`` in GEXF 1.3 for Gephi: attributes, geographic
    positions, colours by state, sizes by degree, tie types as edge
    ``kind`` and line shape, and the time each tie was declared (Gephi's
    timeline shows the network grow); plus ``municipalities-topics.gexf``.
``pajek``
    ``cooperation.net`` (vertices with geographic coordinates; one relation
    per tie type, directed ties as ``*Arcs``, the others as ``*Edges``) and
    ``cooperation-state.clu``, the state of each vertex as a partition
    (the official state key of the AGS: 12 Brandenburg, 14 Sachsen …).
``dl``
    UCINET DL edge lists: ``cooperation.dl`` (all ties, strengths summed)
    and ``cooperation-<type>.dl`` per tie type, undirected ties written in
    both directions; ``cooperation-state.dl``, the state partition vector.
``kumu``
    ``kumu-elements.csv`` and ``kumu-connections.csv`` for Kumu's
    spreadsheet import (Label, Type, Description, Tags and fields;
    From, To, Type, Direction, Strength, Tags …).

Participants appear only as who declared a tie, under their stable
pseudonym (``P007``); with ``names=True`` the names of those who consented
to be named are added.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._version import __version__
from .models import TieType
from .privacy import may_be_named, pseudonym

if TYPE_CHECKING:
    import networkx as nx

    from .store import Store

__all__ = [
    "FORMATS",
    "GEXF_NAMESPACE",
    "STATE_KEYS",
    "export_network",
    "write_dl",
    "write_gexf",
    "write_graphml",
    "write_kumu",
    "write_pajek",
]

FORMATS = ("graphml", "gexf", "pajek", "dl", "kumu")
Format = Literal["graphml", "gexf", "pajek", "dl", "kumu"]

GEXF_NAMESPACE = "http://gexf.net/1.3"
GEXF_VIZ = "http://gexf.net/1.3/viz"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"

# The state key (the first two digits of the AGS) of each German state.
STATE_KEYS = {
    "SH": 1, "HH": 2, "NI": 3, "HB": 4, "NW": 5, "HE": 6, "RP": 7, "BW": 8,
    "BY": 9, "SL": 10, "BE": 11, "BB": 12, "MV": 13, "SN": 14, "ST": 15, "TH": 16,
}  # fmt: skip

# How Pajek draws each tie type (line pattern).
_PAJEK_PATTERNS = {
    TieType.COOPERATES.value: "Solid",
    TieType.LEARNS_FROM.value: "Dash",
    TieType.PARTNER_NETWORK.value: "Dots",
}

# How Gephi draws each tie type (GEXF viz:shape of an edge).
_EDGE_SHAPES = {
    TieType.COOPERATES.value: "solid",
    TieType.LEARNS_FROM.value: "dashed",
    TieType.PARTNER_NETWORK.value: "dotted",
}


def export_network(
    store: Store,
    fmt: str,
    out_dir: str | Path,
    *,
    names: bool = False,
    meeting_id: int | None = None,
) -> list[Path]:
    """Write the workspace's cooperation network in ``fmt``; return the files written.

    Parameters
    ----------
    store
        The workspace.
    fmt
        One of :data:`FORMATS`: ``graphml``, ``gexf``, ``pajek``, ``dl``, ``kumu``.
    out_dir
        The folder (made if missing). Files of the same name are replaced.
    names
        Add the names of participants who declared ties, for those who
        consented to be named; everyone else stays a pseudonym.
    meeting_id
        Only the ties declared in this meeting (file names get ``-meeting-<id>``).

    Examples
    --------
    >>> import tempfile, facilitation
    >>> from facilitation.shipped import load_municipalities, load_ties
    >>> folder = Path(tempfile.mkdtemp())
    >>> with facilitation.create_workspace(folder / "ws.db", "Netz") as ws:
    ...     _ = load_municipalities(ws), load_ties(ws)
    ...     written = export_network(ws, "graphml", folder / "out")
    >>> [path.name for path in written]
    ['cooperation.graphml', 'municipalities-topics.graphml']
    """
    from . import network

    if fmt not in FORMATS:
        raise ValueError(f"unknown network format {fmt!r}; choose one of {', '.join(FORMATS)}")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = f"-meeting-{meeting_id}" if meeting_id is not None else ""
    graph = network.cooperation_graph(
        store.municipalities(),
        store.ties(),
        meeting_id=meeting_id,
        meetings=store.meetings(),
        groups=store.groups(),
        isolates=meeting_id is None,
    )
    if names:
        _add_names(graph, store)
    _add_metrics(graph)
    stem = folder / f"cooperation{suffix}"
    if fmt == "graphml":
        written = [write_graphml(graph, stem.with_suffix(".graphml"))]
        written.append(
            write_graphml(
                _topics(store, meeting_id), folder / f"municipalities-topics{suffix}.graphml"
            )
        )
        return written
    if fmt == "gexf":
        written = [write_gexf(graph, stem.with_suffix(".gexf"))]
        written.append(
            write_gexf(_topics(store, meeting_id), folder / f"municipalities-topics{suffix}.gexf")
        )
        return written
    if fmt == "pajek":
        return write_pajek(graph, stem)
    if fmt == "dl":
        return write_dl(graph, stem)
    return write_kumu(graph, folder, suffix=suffix)


def _topics(store: Store, meeting_id: int | None) -> nx.Graph:
    from . import network

    return network.topic_graph(
        store.municipalities(),
        store.challenges(),
        store.topics(),
        store.dot_events(),
        store.participants(),
        meeting_id=meeting_id,
    )


def _add_names(graph: nx.MultiDiGraph, store: Store) -> None:
    """Names of the declaring participants who consented to be named."""
    named = {pseudonym(p.id): p.name for p in store.participants() if may_be_named(p)}
    for *_, data in graph.edges(data=True):
        name = named.get(data.get("declared_by", ""))
        if name:
            data["declared_by_name"] = name


def _add_metrics(graph: nx.MultiDiGraph) -> None:
    """The metrics panel as node attributes (Gephi and Kumu users filter and size by them)."""
    from . import network

    for node, measures in network.metrics(graph).items():
        row = measures.row()
        for key in ("id", "name", "state", "group"):
            row.pop(key)
        graph.nodes[node].update(row)


# --- GraphML ------------------------------------------------------------------------------


def write_graphml(graph: nx.Graph, path: str | Path) -> Path:
    """Write ``graph`` as GraphML (UTF-8) with every node, edge and graph attribute.

    A multigraph keeps one edge per tie (the edge id is the tie id). GraphML
    has one direction for a whole graph, so the cooperation network is
    written as directed and every edge carries ``directed`` (true for
    "learns from" ties); readers collapse the undirected ones as they need.
    """
    import networkx as nx

    path = Path(path)
    nx.write_graphml(graph, path, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return path


# --- GEXF ---------------------------------------------------------------------------------


def _q(tag: str) -> str:
    """A tag of the GEXF namespace."""
    return f"{{{GEXF_NAMESPACE}}}{tag}"


def _gexf_type(values: list[Any]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "long"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "double"
    return "string"


def _gexf_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "0"
    return str(value)


def _declare(
    parent: ET.Element, kind: str, items: list[dict[str, Any]], skip: set[str]
) -> dict[str, str]:
    """Declare the attributes of nodes or edges; return name → GEXF type."""
    values: dict[str, list[Any]] = defaultdict(list)
    for data in items:
        for key, value in data.items():
            if key not in skip:
                values[key].append(value)
    types = {key: _gexf_type(found) for key, found in values.items()}
    if types:
        block = ET.SubElement(parent, _q("attributes"), {"class": kind})
        for key, kind_of in types.items():
            ET.SubElement(block, _q("attribute"), {"id": key, "title": key, "type": kind_of})
    return types


def _attvalues(parent: ET.Element, data: Mapping[str, Any], types: Mapping[str, str]) -> None:
    present = [(key, data[key]) for key in types if key in data]
    if present:
        block = ET.SubElement(parent, _q("attvalues"))
        for key, value in present:
            ET.SubElement(block, _q("attvalue"), {"for": key, "value": _gexf_value(value)})


def _rgb(colour: str) -> dict[str, str]:
    return {c: str(int(colour[i : i + 2], 16)) for c, i in (("r", 1), ("g", 3), ("b", 5))}


def write_gexf(graph: nx.Graph, path: str | Path) -> Path:
    """Write ``graph`` as GEXF 1.3 for Gephi.

    Nodes get their attributes, a geographic position (or a force layout if
    no town has coordinates), a colour (by state) and a size (by degree).
    Edges keep their own direction (``type`` directed or undirected), the
    tie type as ``kind`` (parallel ties of several types are allowed in GEXF
    1.3) and line shape, the strength as ``weight``, and in the cooperation
    network the moment they were declared as ``start``, so Gephi's timeline
    replays the growth of the network.
    """
    from . import network

    path = Path(path)
    ET.register_namespace("", GEXF_NAMESPACE)
    ET.register_namespace("viz", GEXF_VIZ)
    ET.register_namespace("xsi", _XSI)
    root = ET.Element(
        _q("gexf"),
        {
            "version": "1.3",
            f"{{{_XSI}}}schemaLocation": f"{GEXF_NAMESPACE} {GEXF_NAMESPACE}/gexf.xsd",
        },
    )
    meta = ET.SubElement(root, _q("meta"), {"lastmodifieddate": dt.date.today().isoformat()})
    ET.SubElement(meta, _q("creator")).text = f"facilitation {__version__}"
    ET.SubElement(meta, _q("description")).text = _describe(graph)
    cooperation = graph.graph.get("kind") == "cooperation"
    dynamic = cooperation and any("created_at" in d for *_, d in graph.edges(data=True))
    attrs = {"defaultedgetype": "directed" if graph.is_directed() else "undirected"}
    if dynamic:
        attrs |= {"mode": "dynamic", "timeformat": "dateTime", "timerepresentation": "interval"}
    else:
        attrs["mode"] = "static"
    body = ET.SubElement(root, _q("graph"), attrs)
    node_types = _declare(body, "node", [d for _, d in graph.nodes(data=True)], {"label"})
    edge_list = list(
        graph.edges(keys=True, data=True) if graph.is_multigraph() else graph.edges(data=True)
    )
    # The edge's own weight and id are attributes of the edge element already.
    edge_types = _declare(body, "edge", [e[-1] for e in edge_list], {"weight", "tie_id"})

    positions = _positions(graph)
    simple = network.simple_graph(graph) if graph.is_multigraph() else graph.to_undirected()
    degree = dict(simple.degree())
    top = max(degree.values(), default=0) or 1
    nodes = ET.SubElement(body, _q("nodes"), {"count": str(graph.number_of_nodes())})
    for node, data in graph.nodes(data=True):
        element = ET.SubElement(
            nodes, _q("node"), {"id": str(node), "label": str(data.get("label", node))}
        )
        _attvalues(element, data, node_types)
        colour = _node_colour(data)
        ET.SubElement(element, f"{{{GEXF_VIZ}}}color", _rgb(colour))
        if node in positions:
            x, y = positions[node]
            ET.SubElement(
                element,
                f"{{{GEXF_VIZ}}}position",
                {"x": f"{x:.4f}", "y": f"{y:.4f}", "z": "0.0"},
            )
        size = 5 + 15 * degree.get(node, 0) / top
        ET.SubElement(element, f"{{{GEXF_VIZ}}}size", {"value": f"{size:.2f}"})

    edges = ET.SubElement(body, _q("edges"), {"count": str(len(edge_list))})
    for number, edge in enumerate(edge_list):
        u, v, data = edge[0], edge[1], edge[-1]
        ident = edge[2] if graph.is_multigraph() else number
        attributes = {"id": str(ident), "source": str(u), "target": str(v)}
        if "directed" in data:
            attributes["type"] = "directed" if data["directed"] else "undirected"
        if "weight" in data:
            attributes["weight"] = _gexf_value(float(data["weight"]))
        kind = data.get("type")
        if kind:
            attributes["kind"] = str(kind)
            attributes["label"] = str(kind)
        if dynamic and "created_at" in data:
            attributes["start"] = data["created_at"]
        element = ET.SubElement(edges, _q("edge"), attributes)
        _attvalues(element, data, edge_types)
        if kind in _EDGE_SHAPES:
            style = network.TIE_STYLES[kind]
            ET.SubElement(element, f"{{{GEXF_VIZ}}}color", _rgb(style["color"]))
            ET.SubElement(element, f"{{{GEXF_VIZ}}}shape", {"value": _EDGE_SHAPES[kind]})
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _describe(graph: nx.Graph) -> str:
    kind = graph.graph.get("kind", "network")
    meeting = graph.graph.get("meeting_id")
    text = {
        "cooperation": "Cooperation network of municipalities (facilitation)",
        "bipartite": "Municipalities and topics: challenges and dots (facilitation)",
        "projection": "Projection of the municipality-topic network (facilitation)",
    }.get(kind, "Network (facilitation)")
    return f"{text}; meeting {meeting}" if meeting is not None else text


def _node_colour(data: Mapping[str, Any]) -> str:
    from . import network

    if data.get("kind") == "topic":
        return "#546e7a"
    state = data.get("state")
    return network.STATES[state][1] if state in network.STATES else "#9e9e9e"


def _positions(graph: nx.Graph) -> dict[Hashable, tuple[float, float]]:
    """Positions for Gephi: geographic in kilometres (north up), else a force layout."""
    from . import network
    from .network._layout import _two_columns

    if graph.graph.get("kind") == "bipartite":
        placed = _two_columns(graph)
        return {n: (x * 400.0, y * 400.0) for n, (x, y) in placed.items()}
    if graph.number_of_nodes() == 0:
        return {}
    placed = network.layout(graph, "geo")
    located = any("latitude" in d for _, d in graph.nodes(data=True))
    scale = 111.2 if located else 300.0  # one degree of latitude in km; force layout in [-1, 1]
    return {n: (x * scale, y * scale) for n, (x, y) in placed.items()}


# --- Pajek --------------------------------------------------------------------------------


def _quoted(text: str) -> str:
    return '"' + str(text).replace('"', "'") + '"'


def _unit_positions(graph: nx.Graph) -> dict[Hashable, tuple[float, float]]:
    """Positions in Pajek's unit square (y grows downwards)."""
    placed = _positions(graph)
    if not placed:
        return {}
    xs = [p[0] for p in placed.values()]
    ys = [p[1] for p in placed.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    return {
        n: (0.05 + 0.9 * (x - min(xs)) / span, 0.05 + 0.9 * (max(ys) - y) / span)
        for n, (x, y) in placed.items()
    }


def _types_in(graph: nx.Graph) -> list[str]:
    present = {str(d.get("type", "cooperates")) for *_, d in graph.edges(data=True)}
    known = [t.value for t in TieType if t.value in present]
    return known + sorted(present - set(known))


def write_pajek(graph: nx.MultiDiGraph, stem: str | Path) -> list[Path]:
    """Write a Pajek network (``.net``) and the state partition (``-state.clu``).

    Vertices are numbered 1…n in the order of the graph, with their
    geographic position in Pajek's unit square. Directed ties are
    ``*Arcs``, the others ``*Edges``; each line is one tie (multiplex ties
    stay separate lines) with its strength as value, its type as label
    (``l "learns_from"``) and a line pattern by type (``p Dash``). Readers
    that know no mixed networks (igraph) read the arcs as edges.
    """
    stem = Path(stem)
    net, clu = stem.with_suffix(".net"), stem.parent / f"{stem.name}-state.clu"
    number = {node: i for i, node in enumerate(graph.nodes, start=1)}
    where = _unit_positions(graph)
    lines = [f"% {_describe(graph)}; facilitation {__version__}"]
    lines.append(f"*Vertices {len(number)}")
    for node, i in number.items():
        data = graph.nodes[node]
        x, y = where.get(node, (0.5, 0.5))
        lines.append(f"{i} {_quoted(data.get('label', node))} {x:.4f} {y:.4f} 0.5000")
    for directed, header in ((True, "*Arcs"), (False, "*Edges")):
        chosen = [
            (u, v, d) for u, v, d in graph.edges(data=True) if bool(d.get("directed")) is directed
        ]
        if chosen:
            lines.append(header)
            for u, v, d in chosen:
                kind = str(d.get("type", "cooperates"))
                weight = _gexf_value(float(d.get("weight", 1.0)))
                pattern = _PAJEK_PATTERNS.get(kind, "Solid")
                lines.append(f"{number[u]} {number[v]} {weight} l {_quoted(kind)} p {pattern}")
    net.write_text("\n".join(lines) + "\n", encoding="utf-8")
    partition = [f"% state key of the AGS (0 = unknown); facilitation {__version__}"]
    partition.append(f"*Vertices {len(number)}")
    partition += [str(STATE_KEYS.get(graph.nodes[n].get("state"), 0)) for n in number]
    clu.write_text("\n".join(partition) + "\n", encoding="utf-8")
    return [net, clu]


# --- UCINET DL -----------------------------------------------------------------------------


def _unique_labels(graph: nx.Graph) -> dict[Hashable, str]:
    """Labels that tell every node apart: a repeated name gets its state or AGS."""
    names = {n: str(d.get("label", n)) for n, d in graph.nodes(data=True)}
    repeated = {name for name, k in Counter(names.values()).items() if k > 1}
    out: dict[Hashable, str] = {}
    for node, name in names.items():
        if name in repeated:
            data = graph.nodes[node]
            extra = data.get("ags") or data.get("state") or node
            name = f"{name} ({extra})"
        out[node] = name
    counts = Counter(out.values())
    return {n: (f"{name} #{n}" if counts[name] > 1 else name) for n, name in out.items()}


def _dl_lines(
    graph: nx.Graph, labels: Mapping[Hashable, str], arcs: Mapping[tuple[Any, Any], float]
) -> list[str]:
    lines = [f"dl n={len(labels)}", "format = edgelist1", "labels:"]
    lines += [_quoted(labels[n]) for n in graph.nodes]
    lines.append("data:")
    number = {node: i for i, node in enumerate(graph.nodes, start=1)}
    lines += [f"{number[u]} {number[v]} {_gexf_value(w)}" for (u, v), w in arcs.items()]
    return lines


def write_dl(graph: nx.MultiDiGraph, stem: str | Path) -> list[Path]:
    """Write UCINET DL edge lists: all ties, one file per tie type, and the state partition.

    Every file lists all municipalities as labels (so the matrices match),
    ties as ``edgelist1`` lines with their strength. An undirected tie is
    written in both directions (UCINET matrices are directed); ties of one
    pair in one direction are summed.
    """
    stem = Path(stem)
    labels = _unique_labels(graph)

    def arcs(kind: str | None) -> dict[tuple[Any, Any], float]:
        out: dict[tuple[Any, Any], float] = defaultdict(float)
        for u, v, d in graph.edges(data=True):
            if kind is not None and str(d.get("type", "cooperates")) != kind:
                continue
            w = float(d.get("weight", 1.0))
            out[(u, v)] += w
            if not d.get("directed"):
                out[(v, u)] += w
        return dict(sorted(out.items(), key=lambda item: (str(item[0][0]), str(item[0][1]))))

    written = []
    for kind in [None, *_types_in(graph)]:
        path = stem.with_suffix(".dl") if kind is None else stem.parent / f"{stem.name}-{kind}.dl"
        path.write_text("\n".join(_dl_lines(graph, labels, arcs(kind))) + "\n", encoding="utf-8")
        written.append(path)
    partition = [f"dl nr={len(labels)} nc=1", "format = fullmatrix", "row labels:"]
    partition += [_quoted(labels[n]) for n in graph.nodes]
    partition += ["column labels:", "state", "data:"]
    partition += [str(STATE_KEYS.get(graph.nodes[n].get("state"), 0)) for n in graph.nodes]
    state = stem.parent / f"{stem.name}-state.dl"
    state.write_text("\n".join(partition) + "\n", encoding="utf-8")
    written.append(state)
    return written


# --- Kumu ---------------------------------------------------------------------------------

_ELEMENT_FIELDS = [
    ("ags", "AGS"),
    ("state", "State"),
    ("district", "District"),
    ("population", "Population"),
    ("latitude", "Latitude"),
    ("longitude", "Longitude"),
    ("groups", "Groups"),
    ("degree", "Degree"),
    ("ties", "Ties"),
    ("weighted_degree", "Weighted degree"),
    ("betweenness", "Betweenness"),
    ("closeness", "Closeness"),
    ("community", "Community"),
    ("brokerage", "Brokerage"),
]


def _tags(text: str) -> str:
    return "|".join(part.strip() for part in re.split(r"[;|]", text) if part.strip())


def write_kumu(graph: nx.MultiDiGraph, folder: str | Path, *, suffix: str = "") -> list[Path]:
    """Write Kumu's spreadsheet import: an Elements and a Connections CSV (UTF-8).

    Elements are matched by their Label, so labels are made unique. An
    element's Type is its state (Kumu colours by type); a connection's Type
    is the tie type, its Direction ``directed`` or ``undirected``, its
    Strength the tie's strength and its Tags the topic.
    """
    from . import network

    folder = Path(folder)
    labels = _unique_labels(graph)
    elements = folder / f"kumu-elements{suffix}.csv"
    connections = folder / f"kumu-connections{suffix}.csv"
    with elements.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Label", "Type", "Description", "Tags", *(t for _, t in _ELEMENT_FIELDS)])
        for node, data in graph.nodes(data=True):
            state = data.get("state")
            kind = network.STATES[state][0] if state in network.STATES else ""
            description = ", ".join(
                part for part in (data.get("district"), data.get("state_name")) if part
            )
            writer.writerow(
                [labels[node], kind, description, _tags(data.get("groups", ""))]
                + [_kumu_value(data.get(key)) for key, _ in _ELEMENT_FIELDS]
            )
    with connections.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        columns = ["From", "To", "Type", "Direction", "Strength", "Label", "Tags", "Topic",
                   "Meeting", "Meeting date", "Declared by", "Declared by name", "Declared at",
                   "Source", "Tie id"]  # fmt: skip
        writer.writerow(columns)
        for u, v, data in graph.edges(data=True):
            kind = str(data.get("type", "cooperates"))
            writer.writerow(
                [
                    labels[u],
                    labels[v],
                    kind,
                    "directed" if data.get("directed") else "undirected",
                    _kumu_value(data.get("weight", 1.0)),
                    data.get("topic", ""),
                    _tags(data.get("topic", "")),
                    data.get("topic", ""),
                    data.get("meeting", ""),
                    data.get("meeting_date", ""),
                    data.get("declared_by", ""),
                    data.get("declared_by_name", ""),
                    data.get("created_at", ""),
                    data.get("source", ""),
                    data.get("tie_id", ""),
                ]
            )
    return [elements, connections]


def _kumu_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
