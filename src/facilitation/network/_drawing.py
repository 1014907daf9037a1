"""Drawing: the picture of a network for the wall (SVG or PNG), with legends, scale bar and
names that find a free place. matplotlib is imported only when a picture is drawn."""

from __future__ import annotations

import functools
import io
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from ..i18n import N_, _, translate
from ..models import TieType
from ._common import _is_simple_undirected, _sort_key
from ._graphs import (
    STATES,
    cooperation_graph,  # noqa: F401  (the doctests use it)
    example_records,  # noqa: F401  (the doctests use it)
    simple_graph,
)
from ._layout import Kind, Position, _declutter, _two_columns, layout
from ._metrics import NodeMetrics, metrics

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["TIE_STYLES", "draw"]

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
