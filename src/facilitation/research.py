"""What a researcher gets from a workspace: pandas tables and networkx graphs.

:func:`facilitation.open_workspace` returns a :class:`Research`: the store
with, on top, every record kind as a DataFrame and the workspace's networks as
graphs with every attribute::

    import facilitation
    ws = facilitation.open_workspace("programm.db")
    ws.frame("ties")                        # one table per record kind
    ws.graph("cooperation", meeting=2)      # ties declared in meeting 2
    ws.graph("bipartite")                   # municipalities and topics
    ws.metrics(group="state")               # the metrics panel as a table

pandas, networkx and matplotlib are imported only when one of these is
called: a participant's page, which opens the same workspace, starts without them.
The store knows nothing of this module; it sits above the store and the exports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from .models import Meeting
from .store import DATE_COLUMNS, MOMENT_COLUMNS, Store

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

__all__ = ["GRAPH_KINDS", "GraphKind", "Research"]

GRAPH_KINDS = ("cooperation", "collapsed", "directed", "bipartite", "projection", "topics")
"""The graphs :meth:`Research.graph` returns.

``cooperation``
    :class:`networkx.MultiDiGraph`, one edge per tie (see
    :func:`facilitation.network.cooperation_graph`).
``collapsed``
    :class:`networkx.Graph`, one edge per tied pair, strengths summed.
``directed``
    :class:`networkx.DiGraph`, undirected ties as arcs both ways.
``bipartite``
    :class:`networkx.Graph` of municipalities and topics, from challenges and dots.
``projection``
    municipalities tied by the topics they share.
``topics``
    topics tied by the municipalities they share.
"""

GraphKind = Literal["cooperation", "collapsed", "directed", "bipartite", "projection", "topics"]


def _meeting_id(meeting: int | Meeting | None) -> int | None:
    return meeting if meeting is None or isinstance(meeting, int) else meeting.id


class Research(Store):
    """A workspace opened for analysis: the store, plus tables and graphs."""

    # --- tables ----------------------------------------------------------------

    def frames(self, *, names: bool = False, confidential: bool = False) -> dict[str, pd.DataFrame]:
        """Every record kind as a pandas DataFrame, as :func:`facilitation.export.tables` has it.

        The same tables and columns as the CSV export: participants under their
        pseudonyms (``P007``) unless ``names`` (and then only those who
        consented), confidential consultations only if included or if
        ``confidential``. Moments are parsed as UTC timestamps, dates as dates,
        ids as nullable integers.
        """
        import pandas as pd

        from .export import tables

        out = {}
        for kind, rows in tables(self, names=names, confidential=confidential).items():
            columns = list(dict.fromkeys(key for row in rows for key in row))
            frame = pd.DataFrame(rows, columns=columns)
            for column in frame.columns:
                if column in MOMENT_COLUMNS:
                    frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
                elif column in DATE_COLUMNS:
                    frame[column] = pd.to_datetime(frame[column], format="ISO8601")
                elif column == "id" or column.endswith("_id") or column == "declared_by":
                    values = [row.get(column) for row in rows]
                    if all(v is None or (isinstance(v, int) and not isinstance(v, bool))
                           for v in values):  # fmt: skip
                        frame[column] = pd.array(values, dtype="Int64")
            out[kind] = frame
        return out

    def frame(self, kind: str, *, names: bool = False, confidential: bool = False) -> pd.DataFrame:
        """One record kind as a DataFrame (see :meth:`frames`), e.g. ``"ties"``."""
        found = self.frames(names=names, confidential=confidential)
        if kind not in found:
            raise KeyError(f"no table {kind!r}; there are: {', '.join(found)}")
        return found[kind]

    # --- graphs ------------------------------------------------------------------

    def graph(
        self,
        kind: GraphKind = "cooperation",
        meeting: int | Meeting | None = None,
        *,
        cumulative: bool = False,
        isolates: bool = True,
        method: Literal["count", "newman", "jaccard"] = "count",
    ) -> nx.Graph:
        """A network of the workspace as a networkx graph with every attribute.

        Parameters
        ----------
        kind
            One of :data:`GRAPH_KINDS`.
        meeting
            Only what was declared in this meeting (an id or a Meeting); all if None.
        cumulative
            With ``meeting``: the cooperation network as it stood at the end of
            that meeting (ties of this and earlier meetings, and those loaded
            from data).
        isolates
            Keep municipalities without ties in the cooperation network.
        method
            The weight of the projections (see :func:`facilitation.network.projection`).
        """
        from . import network

        if kind not in GRAPH_KINDS:
            raise ValueError(f"unknown graph kind {kind!r}; choose one of {', '.join(GRAPH_KINDS)}")
        meeting_id = _meeting_id(meeting)
        if kind in ("bipartite", "projection", "topics"):
            bipartite = network.topic_graph(
                self.municipalities(),
                self.challenges(),
                self.topics(),
                self.dot_events(),
                self.participants(),
                meeting_id=meeting_id,
            )
            if kind == "bipartite":
                return bipartite
            side = "municipality" if kind == "projection" else "topic"
            return network.projection(bipartite, side, method=method)
        graph = network.cooperation_graph(
            self.municipalities(),
            self.ties(),
            meeting_id=None if cumulative else meeting_id,
            until_meeting=meeting_id if cumulative else None,
            meetings=self.meetings(),
            groups=self.groups(),
            isolates=isolates,
        )
        if kind == "collapsed":
            return network.simple_graph(graph)
        if kind == "directed":
            return network.simple_graph(graph, directed=True)
        return graph

    def metrics(
        self,
        meeting: int | Meeting | None = None,
        *,
        cumulative: bool = False,
        group: str = "state",
        isolates: bool = True,
    ) -> pd.DataFrame:
        """The metrics panel of the cooperation network, one row per municipality.

        Columns: ``name, ags, state, district, group`` and the measures of
        :class:`facilitation.network.NodeMetrics`; indexed by municipality id.
        """
        import pandas as pd

        from . import network

        graph = self.graph("cooperation", meeting, cumulative=cumulative, isolates=isolates)
        panel = network.metrics(graph, group)
        rows = []
        for node, measures in panel.items():
            data = graph.nodes[node]
            row = measures.row()
            row["municipality_id"] = row.pop("id")
            row["ags"] = data.get("ags")
            row["district"] = data.get("district")
            rows.append(row)
        columns = ["municipality_id", "name", "ags", "state", "district", "group", "degree",
                   "ties", "weighted_degree", "betweenness", "closeness", "community",
                   *network.BROKERAGE_ROLES, "brokerage"]  # fmt: skip
        return pd.DataFrame(rows, columns=columns).set_index("municipality_id")

    def summary(
        self, meeting: int | Meeting | None = None, *, cumulative: bool = False
    ) -> dict[str, Any]:
        """The key figures of the cooperation network (see :func:`facilitation.network.summary`)."""
        from . import network

        return network.summary(self.graph("cooperation", meeting, cumulative=cumulative))

    def growth(self) -> pd.DataFrame:
        """The key figures at the end of each meeting of the series, one row per meeting."""
        import pandas as pd

        from . import network

        rows = network.growth(
            self.municipalities(),
            self.ties(),
            self.meetings(),
            groups=self.groups(),
        )
        return pd.DataFrame(rows)
