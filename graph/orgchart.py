"""The org chart's data: the positions of a department (with those below it) or of the whole
organisation, with their reporting lines, departments, headcounts, incumbents and the names
the caller may see.

The structure (positions, reporting lines, headcounts, how many hold each position now) is
public organisation structure, the same for every caller. The incumbents' names are personal:
they are read exactly as the GraphQL field ``Position.incumbents`` reads them
(:meth:`graph.repository.Repository.edges` with the caller's :class:`graph.access.Visibility`),
and the counts as ``Position.vacancies`` counts them (a ``counted`` relationship kind, not
limited by the scope). What to show is chosen in :mod:`domain.orgchart` first, so names are
read only for the boxes drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.boundary import Staffing
from domain.orgchart import ChartPosition, ShownTree, cut, reporting_forest
from domain.records import Record
from graph.access import Visibility
from graph.db import Graph, native_record
from graph.repository import Repository
from schema.ontology import EdgeKind


@dataclass(frozen=True)
class OrgChart:
    """What an org chart shows: the department chosen (None: the whole organisation), the
    shown tree and its positions by id."""

    department: Record | None
    tree: ShownTree
    positions: dict[str, ChartPosition]
    depth: int


async def org_chart(graph: Graph, visibility: Visibility | None, department: str | None,
                    depth: int, max_boxes: int) -> OrgChart:
    """The chart of ``department`` (and below; None: everything), ``depth`` levels from its
    top positions, at most ``max_boxes`` boxes, as ``visibility`` sees the names (None: all).
    An unknown department is :class:`domain.errors.NotFound` naming ``department``."""
    public = Repository(graph)  # organisation structure: the same for every caller
    depts = None if department is None else await public.department_subtree(department)
    structure = await _structure(graph, depts)
    tree = cut(reporting_forest({k: boss for k, (_, _, boss) in structure.items()}),
               depth, max_boxes)
    shown = tree.shown
    repo = Repository(graph, visibility)
    counted = await repo.edges(EdgeKind("HOLDS_POSITION", "in", current=True, counted=True),
                               shown)
    named = await repo.edges(EdgeKind("HOLDS_POSITION", "in", current=True), shown)
    positions = {}
    for key, everyone, seen in zip(shown, counted, named, strict=True):
        position, dept, boss = structure[key]
        names = tuple(str(e.node.get("name", "")) for e in
                      sorted(seen, key=lambda e: str(e.node.get("id"))))
        positions[key] = ChartPosition(Staffing(position, dept, len(everyone)), boss, names)
    dept_record = (None if department is None
                   else (await public.nodes("Department", [department]))[0])
    return OrgChart(dept_record, tree, positions, depth)


async def _structure(graph: Graph, depts: list[str] | None
                     ) -> dict[str, tuple[Record, Record | None, str | None]]:
    """Each position of the departments ``depts`` (None: all): its record, its department's
    and the id of the position it reports to. One record holding a list (the driver's cost
    per record outweighs the query's)."""
    c = graph.cy
    scope = "" if depts is None else f"WHERE d.{c.key('Department')} IN $depts "
    rows = await graph.read(
        f"MATCH (p:{c.L.Position}) OPTIONAL MATCH {c.department_of('Position', 'p', 'd')} "
        f"WITH p, d {scope}"
        f"OPTIONAL MATCH (p)-[:{c.T.REPORTS_TO}]->(m:{c.L.Position}) "
        f"RETURN collect([properties(p), properties(d), m.{c.key('Position')}]) AS positions",
        depts=depts)
    found: dict[str, tuple[Record, Record | None, str | None]] = {}
    for p, d, boss in rows[0]["positions"] if rows else ():
        record = native_record(p)
        found[str(record["id"])] = (record, None if d is None else native_record(d),
                                    None if boss is None else str(boss))
    return found
