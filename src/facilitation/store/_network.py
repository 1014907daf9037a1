"""The cooperation network's part of the store, and what a researcher gets from it.

:class:`NetworkStore` is a base class of :class:`~facilitation.store.Store`.
Participants declare ties and take them back (the rules are checked in the
same transaction that writes); the facilitator puts the network on the wall
with a :class:`NetworkDisplay`. For research, every opened workspace gives
pandas tables and networkx graphs::

    import facilitation
    ws = facilitation.open_workspace("programm.db")
    ws.frame("ties")                        # one table per record kind
    ws.graph("cooperation", meeting=2)      # ties declared in meeting 2
    ws.graph("bipartite")                   # municipalities and topics
    ws.metrics(group="state")               # the metrics panel as a table

pandas, networkx and matplotlib are imported only when one of these is
called: a participant's page, which opens the same store, starts without them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from sqlalchemy import Connection, Date, delete, func, insert, select

from .._exceptions import (
    InvalidInput,
    NetworkClosed,
    NoHomeMunicipality,
    NotInMeeting,
    NotYourTie,
    TieAlreadyDeclared,
    word,
)
from ..i18n import N_
from ..models import LiveState, Screen, Tie, TieType
from . import _schema as s
from ._engine import read, write
from ._records import fetch, fetch_one, locking, now, record, text_field

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from ..models import Meeting

__all__ = ["GRAPH_KINDS", "STRENGTHS", "NetworkDisplay", "NetworkStore"]

STRENGTHS = (1, 2, 3)
"""The strengths a participant gives a tie: 1 now and then, 2 regular, 3 close."""


@dataclass(frozen=True, slots=True)
class NetworkDisplay:
    """How the wall shows the network: layout, colours, and which ties.

    ``scope``: ``meeting`` (ties declared in this meeting), ``series`` (the
    network as it stands at this meeting: ties of this and earlier meetings
    and those loaded from data) or ``all``. Kept as one small number in the
    meeting's live state (the subject of the network screen), so every page
    knows it.

    >>> NetworkDisplay("force", "community", "meeting").code
    11
    >>> NetworkDisplay.from_code(11)
    NetworkDisplay(layout='force', colour_by='community', scope='meeting')
    >>> NetworkDisplay.from_code(None) == NetworkDisplay()
    True
    """

    layout: str = "geo"
    colour_by: str = "state"
    scope: str = "series"

    LAYOUTS: ClassVar[tuple[str, ...]] = ("geo", "force")
    COLOURS: ClassVar[tuple[str, ...]] = ("state", "group", "community")
    SCOPES: ClassVar[tuple[str, ...]] = ("series", "meeting", "all")

    def __post_init__(self) -> None:
        for value, allowed in (
            (self.layout, self.LAYOUTS),
            (self.colour_by, self.COLOURS),
            (self.scope, self.SCOPES),
        ):
            if value not in allowed:
                raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")

    @property
    def code(self) -> int:
        return (
            self.LAYOUTS.index(self.layout)
            + 2 * self.COLOURS.index(self.colour_by)
            + 6 * self.SCOPES.index(self.scope)
        )

    @classmethod
    def from_code(cls, code: int | None) -> NetworkDisplay:
        code = code if code is not None and 0 <= code < 18 else 0
        return cls(cls.LAYOUTS[code % 2], cls.COLOURS[(code // 2) % 3], cls.SCOPES[code // 6])


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

# Columns that hold moments (UTC) and dates in the tables of facilitation.export: those
# the schema declares so, wherever they are.
_COLUMNS = [c for t in s.metadata.tables.values() for c in t.columns]
_MOMENTS = {c.name for c in _COLUMNS if isinstance(c.type, s.UTCDateTime)}
_DATES = {c.name for c in _COLUMNS if isinstance(c.type, Date)}


def _meeting_id(meeting: int | Meeting | None) -> int | None:
    return meeting if meeting is None or isinstance(meeting, int) else meeting.id


def _check_network_open(c: Connection, meeting_id: int | None) -> None:
    """Raise :class:`NetworkClosed` unless the meeting shows the network; the live state
    stays so (locked, on PostgreSQL) until the caller's transaction ends."""
    query = select(s.meeting_live.c.screen).where(s.meeting_live.c.meeting_id == meeting_id)
    live = c.execute(locking(c, query, share=True)).first()
    if live is None or live.screen != Screen.NETWORK.value:
        raise NetworkClosed()


class NetworkStore:
    """Declaring ties, the network on the wall, and tables and graphs for analysis."""

    # --- participants declare ties -----------------------------------------------------

    def show_network(self, meeting_id: int, display: NetworkDisplay | None = None) -> LiveState:
        """Show the cooperation network: participants enter ties, the wall shows it."""
        display = display or NetworkDisplay()
        return self._set_live(  # type: ignore[attr-defined]
            meeting_id, screen=Screen.NETWORK.value, subject_id=display.code
        )

    @staticmethod
    def network_display(live: LiveState) -> NetworkDisplay:
        """How the wall shows the network now (the default if another screen is shown)."""
        return NetworkDisplay.from_code(live.subject_id if live.screen is Screen.NETWORK else None)

    def declare_ties(
        self,
        meeting_id: int,
        participant_id: int,
        partner_id: int,
        *,
        type: TieType | str = TieType.COOPERATES,
        topics: Iterable[str] = (),
        weight: int = 2,
    ) -> list[Tie]:
        """A participant declares that her municipality cooperates with (learns from …) another.

        One tie per topic (one without a topic if none is given), directed
        for "learns from". Checked in the transaction that writes: the
        meeting shows the network, she is registered for it, her own
        municipality is known and is not the partner, the strength is 1, 2
        or 3, and she has not entered the same tie in this meeting before
        (then :class:`~facilitation.TieAlreadyDeclared`; topics already
        entered are left out, the others added).
        """
        from ._store import _enum, _is_registered

        kind = _enum(TieType, type, N_("Type"))
        if weight not in STRENGTHS:
            raise InvalidInput(
                field=word(N_("Strength")),
                problem=word(N_("must be 1, 2 or 3")),
            )
        wanted = list(
            dict.fromkeys(
                text_field(t, N_("Topic"), limit=200, required=False) for t in topics if t.strip()
            )
        ) or [""]
        with write(self.engine) as c:  # type: ignore[attr-defined]
            # Her row is locked: a double click, or two tabs, take turns (on PostgreSQL;
            # SQLite lets one writer in at a time anyway), so the second sees the first's tie.
            person = fetch_one(c, s.participant, participant_id, lock=True)
            _check_network_open(c, meeting_id)
            if not _is_registered(c, meeting_id, participant_id):
                raise NotInMeeting(name=person.name)
            home = person.municipality_id
            if home is None:
                raise NoHomeMunicipality()
            partner = fetch_one(c, s.municipality, partner_id)
            if partner_id == home:
                raise InvalidInput(
                    field=word(N_("Tie")),
                    problem=word(N_("a municipality cannot have a tie with itself")),
                )
            entered = {
                row.topic.casefold()
                for row in c.execute(
                    select(s.tie.c.topic).where(
                        s.tie.c.meeting_id == meeting_id,
                        s.tie.c.declared_by == participant_id,
                        s.tie.c.source_id == home,
                        s.tie.c.target_id == partner_id,
                        s.tie.c.type == kind.value,
                    )
                )
            }
            new = [t for t in wanted if t.casefold() not in entered]
            if not new:
                raise TieAlreadyDeclared(partner=partner.name)
            ids = [
                c.execute(
                    insert(s.tie).values(
                        source_id=home, target_id=partner_id, type=kind.value, topic=topic,
                        weight=float(weight), directed=kind is TieType.LEARNS_FROM,
                        meeting_id=meeting_id, declared_by=participant_id, source="",
                        created_at=now(),
                    )
                ).inserted_primary_key[0]
                for topic in new
            ]  # fmt: skip
            return [record(Tie, fetch_one(c, s.tie, tie_id)) for tie_id in ids]

    def withdraw_tie(self, tie_id: int, participant_id: int) -> None:
        """A participant takes back a tie she entered (while the network is open)."""
        with write(self.engine) as c:  # type: ignore[attr-defined]
            tie = fetch_one(c, s.tie, tie_id)
            if tie.declared_by != participant_id:
                raise NotYourTie()
            _check_network_open(c, tie.meeting_id)
            c.execute(delete(s.tie).where(s.tie.c.id == tie_id))

    def remove_tie(self, tie_id: int) -> None:
        """Remove a tie (the facilitator corrects a mistake)."""
        with write(self.engine) as c:  # type: ignore[attr-defined]
            fetch_one(c, s.tie, tie_id)
            c.execute(delete(s.tie).where(s.tie.c.id == tie_id))

    def ties_declared_by(self, participant_id: int, meeting_id: int | None = None) -> list[Tie]:
        """The ties a participant entered (in one meeting, or in all)."""
        with read(self.engine) as c:  # type: ignore[attr-defined]
            where = [s.tie.c.declared_by == participant_id]
            if meeting_id is not None:
                where.append(s.tie.c.meeting_id == meeting_id)
            return [record(Tie, row) for row in fetch(c, s.tie, *where)]

    def network_version(self) -> tuple[Any, ...]:
        """A cheap fingerprint of the ties and municipalities: it changes when they change."""
        with read(self.engine) as c:  # type: ignore[attr-defined]
            ties = c.execute(select(func.count(), func.max(s.tie.c.id), func.sum(s.tie.c.id))).one()
            towns = c.execute(
                select(func.count(), func.max(s.municipality.c.id), func.sum(s.municipality.c.id))
            ).one()
            groups = c.execute(select(func.count()).select_from(s.group_member)).scalar_one()
        return (*ties, *towns, groups)

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

        from ..export import tables

        out = {}
        for kind, rows in tables(self, names=names, confidential=confidential).items():  # type: ignore[arg-type]
            columns = list(dict.fromkeys(key for row in rows for key in row))
            frame = pd.DataFrame(rows, columns=columns)
            for column in frame.columns:
                if column in _MOMENTS:
                    frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
                elif column in _DATES:
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
        from .. import network

        if kind not in GRAPH_KINDS:
            raise ValueError(f"unknown graph kind {kind!r}; choose one of {', '.join(GRAPH_KINDS)}")
        meeting_id = _meeting_id(meeting)
        if kind in ("bipartite", "projection", "topics"):
            bipartite = network.topic_graph(
                self.municipalities(),  # type: ignore[attr-defined]
                self.challenges(),  # type: ignore[attr-defined]
                self.topics(),  # type: ignore[attr-defined]
                self.dot_events(),  # type: ignore[attr-defined]
                self.participants(),  # type: ignore[attr-defined]
                meeting_id=meeting_id,
            )
            if kind == "bipartite":
                return bipartite
            side = "municipality" if kind == "projection" else "topic"
            return network.projection(bipartite, side, method=method)
        graph = network.cooperation_graph(
            self.municipalities(),  # type: ignore[attr-defined]
            self.ties(),  # type: ignore[attr-defined]
            meeting_id=None if cumulative else meeting_id,
            until_meeting=meeting_id if cumulative else None,
            meetings=self.meetings(),  # type: ignore[attr-defined]
            groups=self.groups(),  # type: ignore[attr-defined]
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

        from .. import network

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
        from .. import network

        return network.summary(self.graph("cooperation", meeting, cumulative=cumulative))

    def growth(self) -> pd.DataFrame:
        """The key figures at the end of each meeting of the series, one row per meeting."""
        import pandas as pd

        from .. import network

        rows = network.growth(
            self.municipalities(),  # type: ignore[attr-defined]
            self.ties(),  # type: ignore[attr-defined]
            self.meetings(),  # type: ignore[attr-defined]
            groups=self.groups(),  # type: ignore[attr-defined]
        )
        return pd.DataFrame(rows)
