"""Layouts: positions of the nodes on a map or by force, pushed apart where they crowd."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any, Literal

import networkx as nx

from ._common import SEED, _is_simple_undirected, _sort_key
from ._graphs import (
    cooperation_graph,  # noqa: F401  (the doctests use it)
    example_records,  # noqa: F401  (the doctests use it)
    simple_graph,
)

__all__ = ["Kind", "Position", "layout"]

Kind = Literal["geo", "force"]
Position = tuple[float, float]


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
