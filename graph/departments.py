"""Where records sit in the department tree, for reports that group by department: the tree's
order, and the departments a record belongs to.

Departments are organisation structure, which every caller sees; the records asked about are
those a report already holds (read with the caller's scope), so nothing here scopes again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.performance import subtree
from domain.records import Record
from graph.db import Graph, native_record
from schema.ontology import EdgeKind


@dataclass(frozen=True)
class Placed:
    """A department and the id of the department above it (None at the top)."""

    department: Record
    parent: str | None


async def departments_with_parents(graph: Graph
                                   ) -> tuple[dict[str, Record], dict[str, str | None]]:
    """Every department by id, and the id of the department above each (None at the top):
    one collected query."""
    cy = graph.cy
    dept = cy.o.department_class
    up = cy.step(EdgeKind(cy.o.department_tree.name, "out"), "", "up")
    rows = await graph.read(f"MATCH {cy.node('d', dept)} OPTIONAL MATCH (d){up} "
                            f"RETURN collect([properties(d), up.{cy.key(dept)}]) AS rows")
    found = rows[0]["rows"] if rows else []
    records = {str(d["id"]): native_record(d) for d, _ in found}
    parents = {str(d["id"]): None if parent is None else str(parent) for d, parent in found}
    return records, parents


async def department_tree(graph: Graph) -> list[Placed]:
    """Every department in tree order: a department, then the departments below it
    (pre-order, children by id), as :func:`domain.performance.subtree` orders them."""
    records, parents = await departments_with_parents(graph)
    return [Placed(records[key], parents[key]) for key in subtree(None, parents)]


async def departments_of(graph: Graph, class_name: str,
                         ids: Iterable[str]) -> dict[str, list[Record]]:
    """For each of ``ids`` (keys of ``class_name``): the departments it belongs to directly,
    as the ontology's ``department`` path of the class says (a position its department, a
    person the departments of the positions held now, a responsibility those of its
    holders ...), by id. Records of a class that belongs to no department, or that reach
    none, are left out."""
    keys = sorted(set(ids))
    cy = graph.cy
    found = cy.department_path(class_name, "n", "d")
    if found is None or not keys:
        return {}
    pattern, conditions = found
    if pattern == "(n)":  # a department belongs to itself
        pattern, conditions = "(d)", []
        match = f"UNWIND $ids AS id MATCH {cy.node('d', class_name, 'id')} "
    else:
        match = f"UNWIND $ids AS id MATCH {cy.node('n', class_name, 'id')} MATCH {pattern} "
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    rows = await graph.read(f"{match}{where}RETURN id, collect(DISTINCT properties(d)) AS ds",
                            ids=keys)
    return {str(row["id"]): sorted((native_record(d) for d in row["ds"]),
                                   key=lambda d: str(d["id"]))
            for row in rows if row["ds"]}
