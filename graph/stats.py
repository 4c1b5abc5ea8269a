"""Counts of what the graph holds, per ontology class (for /health and the CLI)."""

from __future__ import annotations

from graph.db import Graph


async def node_counts(graph: Graph) -> dict[str, int]:
    """The number of nodes of each ontology class."""
    counts: dict[str, int] = {}
    for name in graph.ontology.classes:
        rows = await graph.read(f"MATCH {graph.cy.node('n', name)} RETURN count(n) AS c")
        counts[name] = int(rows[0]["c"]) if rows else 0
    return counts


async def is_empty(graph: Graph) -> bool:
    """True when the graph holds no node of any ontology class."""
    for name in graph.ontology.classes:
        if await graph.read(f"MATCH {graph.cy.node('n', name)} RETURN 1 AS one LIMIT 1"):
            return False
    return True
