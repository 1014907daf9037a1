"""What the parts of the network package share: the seed and two small helpers."""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx

__all__ = ["SEED"]

SEED = 42
"""The seed of every random step (communities, force layout, sampled betweenness)."""


def _sort_key(node: Hashable) -> tuple[str, str]:
    return (type(node).__name__, f"{node:>12}" if isinstance(node, int) else str(node))


def _is_simple_undirected(graph: nx.Graph) -> bool:
    return not graph.is_directed() and not graph.is_multigraph()
