"""Connected components of linked ids (duplicate clusters, split groups). Pure."""

from __future__ import annotations

from collections.abc import Iterable


def component_names(nodes: Iterable[str], links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Name every node by its connected component: the smallest node in it.

    The name depends only on the component's members, never on the order of nodes or links,
    so groups and cluster ids are stable across runs.

    Args:
        nodes: Nodes that belong even without a link.
        links: Pairs of nodes in the same component (nodes are added as needed).

    Returns:
        Component name of every node.
    """
    from scipy.cluster.hierarchy import DisjointSet

    sets: DisjointSet[str] = DisjointSet(nodes)
    for first, second in links:
        sets.add(first)
        sets.add(second)
        sets.merge(first, second)
    names: dict[str, str] = {}
    for subset in sets.subsets():
        name = min(subset)
        for node in subset:
            names[node] = name
    return names
