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

from ._common import SEED
from ._drawing import TIE_STYLES, draw
from ._graphs import (
    STATES,
    cooperation_graph,
    example_records,
    meeting_order,
    projection,
    simple_graph,
    topic_graph,
)
from ._layout import Kind as Kind
from ._layout import Position as Position
from ._layout import layout
from ._metrics import (
    BROKERAGE_ROLES,
    EXACT_LIMIT,
    SAMPLE_SOURCES,
    SUMMARY_LABELS,
    NodeMetrics,
    brokerage,
    communities,
    growth,
    metrics,
    path_measures,
    summary,
)
from ._metrics import ROLE_LABELS as ROLE_LABELS

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
