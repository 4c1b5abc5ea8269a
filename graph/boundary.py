"""Boundary queries in Cypher: who owns which duty, where ownership overlaps or is missing,
what two departments share, the RACI matrix, spans of control, management layers and staffing.

Every query is scoped to the whole organisation (``department=None``) or to a department and
all departments below it. The terms (owner, layer, span ...) and the answers' records are
defined in :mod:`domain.boundary`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from domain.boundary import (
    OWNER_ROLES,
    DepartmentShape,
    DutyGap,
    Gaps,
    HeadcountStatus,
    Holder,
    Interface,
    InterfaceDuty,
    InterfaceSides,
    PlacedPosition,
    PositionLayer,
    PositionSpan,
    RaciColumn,
    RaciMatrix,
    RaciRow,
    ReportingLine,
    SharedDuty,
    SharedOrder,
    SharedPage,
    Staffing,
    owned_by,
    raci_key,
    shapes,
)
from domain.errors import InvalidInput, NotFound
from domain.records import Record
from graph.db import Graph, native_record
from graph.repository import Repository

# -- Cypher building blocks ---------------------------------------------------------------------


def _record(value: Any) -> Record | None:
    return None if value is None else native_record(value)


async def department_scope(graph: Graph, department: str | None,
                           field_name: str = "department") -> list[str] | None:
    """The ids of ``department`` and every department below it (None: the whole
    organisation); NotFound names ``field_name``."""
    if department is None:
        return None
    try:
        return await Repository(graph).department_subtree(department)
    except NotFound as exc:
        raise NotFound(exc.message, field=field_name) from None


async def _department(graph: Graph, key: str, field_name: str) -> Record:
    c = graph.cy
    rows = await graph.read(f"MATCH {c.node('d', 'Department', '$k')} RETURN properties(d) AS d",
                            k=key)
    if not rows:
        raise NotFound(f"no Department with id {key!r}", field=field_name)
    return native_record(rows[0]["d"])


async def holders(graph: Graph, ids: Sequence[str],
                  roles: Sequence[str] | None = None) -> dict[str, tuple[Record, list[Holder]]]:
    """For each responsibility id: its record and the positions holding it (in ``roles``, or
    any role), sorted by role (R, A, C, I) and position id."""
    if not ids:
        return {}
    c = graph.cy
    raci = c.rel_prop("HAS_RESPONSIBILITY", "raci")
    role_filter = f"WHERE h.{raci} IN $roles " if roles is not None else ""
    # one record holding a list: the driver's cost per record outweighs the query's
    rows = await graph.read(
        f"UNWIND $ids AS k MATCH (r:{c.L.Responsibility} {{{c.key('Responsibility')}: k}}) "
        f"OPTIONAL MATCH (r)<-[h:{c.T.HAS_RESPONSIBILITY}]-(p:{c.L.Position}) {role_filter}"
        f"OPTIONAL MATCH {c.department_of('Position', 'p', 'd')} "
        f"WITH k, r, collect([properties(p), properties(d), h.{raci}]) AS held "
        "RETURN collect([k, properties(r), held]) AS duties",
        ids=list(ids), roles=list(roles or ()))
    found: dict[str, tuple[Record, list[Holder]]] = {}
    for key, record, held in rows[0]["duties"] if rows else ():
        found[key] = (native_record(record), sorted(
            (Holder(native_record(p), _record(d), raci) for p, d, raci in held if p is not None),
            key=lambda h: (raci_key(h.raci), h.position["id"])))
    return found


# -- 1. shared responsibilities ----------------------------------------------------------------


async def shared_responsibilities(graph: Graph, department: str | None = None,
                                  min_owners: int = 2,
                                  order: SharedOrder = SharedOrder.OWNERS_DESC,
                                  offset: int = 0, limit: int = 100) -> SharedPage:
    """Responsibilities that at least ``min_owners`` positions hold in the same owning role
    (two or more R, or two or more A), with every owner; scoped to those owned by a position
    of the department's subtree. Sorted by owner count (distinct R/A positions) or id."""
    if min_owners < 2:
        raise InvalidInput(f"minOwners must be 2 or more, not {min_owners}", field="min_owners")
    c = graph.cy
    raci = c.rel_prop("HAS_RESPONSIBILITY", "raci")
    depts = await department_scope(graph, department)
    start = f"MATCH (r:{c.L.Responsibility}) "
    if depts is not None:
        start = (f"MATCH (p:{c.L.Position})-[s:{c.T.HAS_RESPONSIBILITY}]->(r:{c.L.Responsibility}) "
                 f"MATCH {c.department_of('Position', 'p', 'd')} "
                 f"WHERE d.{c.key('Department')} IN $depts "
                 f"AND s.{raci} IN $owner_roles "
                 "WITH DISTINCT r ")
    sort = {SharedOrder.OWNERS_DESC: "owners DESC, id", SharedOrder.OWNERS_ASC: "owners, id",
            SharedOrder.ID: "id"}[order]
    # HAS_RESPONSIBILITY always starts at a Position (ontology): the far end needs no label
    rows = await graph.read(
        f"{start}WITH r, [(r)<-[h:{c.T.HAS_RESPONSIBILITY}]-() | h.{raci}] AS roles "
        "WHERE size([x IN roles WHERE x = $r]) >= $min OR size([x IN roles WHERE x = $a]) >= $min "
        f"MATCH (r)<-[o:{c.T.HAS_RESPONSIBILITY}]-(p:{c.L.Position}) "
        f"WHERE o.{raci} IN $owner_roles "
        f"WITH r.{c.key('Responsibility')} AS id, count(DISTINCT p) AS owners "
        f"RETURN id, owners ORDER BY {sort}",
        depts=depts, min=min_owners, owner_roles=list(OWNER_ROLES), r="R", a="A")
    page = [row["id"] for row in rows[offset:offset + limit]]
    found = await holders(graph, page, OWNER_ROLES)
    items = []
    for key in page:
        record, owners = found[key]
        items.append(SharedDuty(record, owners,
                                responsible=sum(1 for h in owners if h.raci == "R"),
                                accountable=sum(1 for h in owners if h.raci == "A")))
    return SharedPage(total=len(rows), items=items)


# -- 2. accountability gaps --------------------------------------------------------------------


async def accountability_gaps(graph: Graph, department: str | None = None) -> Gaps:
    """Responsibilities with no A, with more than one A, with no R (each with all its holders),
    and positions holding no responsibility at all. Scoped to the responsibilities that a
    position of the department's subtree holds in any role, and to that subtree's positions;
    org-wide, responsibilities nobody holds count too."""
    c = graph.cy
    raci = c.rel_prop("HAS_RESPONSIBILITY", "raci")
    depts = await department_scope(graph, department)
    if depts is None:
        duties = f"MATCH (r:{c.L.Responsibility}) "
        positions = f"MATCH (p:{c.L.Position}) WHERE "
    else:
        duties = (f"MATCH (p:{c.L.Position})-[:{c.T.HAS_RESPONSIBILITY}]->"
                  f"(r:{c.L.Responsibility}) MATCH {c.department_of('Position', 'p', 'd')} "
                  f"WHERE d.{c.key('Department')} IN $depts WITH DISTINCT r ")
        positions = (f"MATCH (p:{c.L.Position}) MATCH {c.department_of('Position', 'p', 'd')} "
                     f"WHERE d.{c.key('Department')} IN $depts AND ")
    duty_rows, position_rows = await asyncio.gather(
        graph.read(
            f"{duties}WITH r, [(r)<-[h:{c.T.HAS_RESPONSIBILITY}]-() | h.{raci}] AS roles "
            "WITH r, size([x IN roles WHERE x = $a]) AS accountable, "
            "size([x IN roles WHERE x = $r]) AS responsible "
            "WHERE accountable <> 1 OR responsible = 0 "
            f"RETURN r.{c.key('Responsibility')} AS id, accountable, responsible ORDER BY id",
            depts=depts, a="A", r="R"),
        graph.read(
            f"{positions}NOT EXISTS {{ MATCH (p)-[:{c.T.HAS_RESPONSIBILITY}]->() }} "
            f"OPTIONAL MATCH {c.department_of('Position', 'p', 'pd')} "
            f"RETURN properties(p) AS p, properties(pd) AS d ORDER BY p.{c.key('Position')}",
            depts=depts))
    found = await holders(graph, [row["id"] for row in duty_rows])
    gaps = [DutyGap(found[row["id"]][0], found[row["id"]][1], int(row["accountable"]),
                    int(row["responsible"])) for row in duty_rows]
    return Gaps(
        no_accountable=[g for g in gaps if g.accountable == 0],
        multiple_accountable=[g for g in gaps if g.accountable > 1],
        no_responsible=[g for g in gaps if g.responsible == 0],
        without_responsibility=[PlacedPosition(native_record(row["p"]), _record(row["d"]))
                                for row in position_rows])


# -- 3. department interface -------------------------------------------------------------------


async def interface_sides(graph: Graph, a: str, b: str) -> InterfaceSides:
    """The department ids of each side. When one department contains the other, the outer
    side is its subtree without the inner one (研究所 and its 材料实验室: 研究所's own
    departments on one side, the lab on the other)."""
    if a == b:
        raise InvalidInput(f"an interface needs two different departments, not {a!r} twice",
                           field="b")
    c = graph.cy
    dept_key = c.key("Department")
    rows = await graph.read(
        f"MATCH (root:{c.L.Department}) WHERE root.{c.key('Department')} IN $keys "
        f"MATCH {c.subtree('root', 'd')} "
        f"RETURN root.{dept_key} AS k, properties(root) AS root, "
        f"collect(DISTINCT d.{dept_key}) AS ids",
        keys=[a, b])
    found = {row["k"]: row for row in rows}
    for key, field_name in ((a, "a"), (b, "b")):
        if key not in found:
            raise NotFound(f"no Department with id {key!r}", field=field_name)
    ids_a, ids_b = set(found[a]["ids"]), set(found[b]["ids"])
    if b in ids_a:
        ids_a -= ids_b
    elif a in ids_b:
        ids_b -= ids_a
    return InterfaceSides(native_record(found[a]["root"]), native_record(found[b]["root"]),
                          sorted(ids_a), sorted(ids_b))


async def _side_holdings(graph: Graph, depts: list[str]) -> dict[str, dict[str, set[str]]]:
    """Responsibility id -> RACI role -> the positions of these departments holding it."""
    c = graph.cy
    raci = c.rel_prop("HAS_RESPONSIBILITY", "raci")
    # a position's relationships: the far ends need no label (the ontology fixes them)
    # one record holding a list: the driver's cost per record outweighs the query's
    rows = await graph.read(
        f"MATCH (d:{c.L.Department}) WHERE d.{c.key('Department')} IN $depts "
        f"MATCH {c.department_of('Position', 'p', 'd')} "
        f"MATCH (p)-[h:{c.T.HAS_RESPONSIBILITY}]->(r) "
        f"RETURN collect([r.{c.key('Responsibility')}, p.{c.key('Position')}, h.{raci}]) "
        "AS held", depts=depts)
    held: dict[str, dict[str, set[str]]] = {}
    for duty, position, role in rows[0]["held"] if rows else ():
        held.setdefault(duty, {}).setdefault(role, set()).add(position)
    return held


async def department_interface(graph: Graph, sides: InterfaceSides) -> Interface:
    """The responsibilities positions on both sides hold (any role; each side's holders
    listed) and the reporting lines crossing between the sides (either direction)."""
    c = graph.cy
    key = c.key("Department")
    held_a, held_b, line_rows = await asyncio.gather(
        _side_holdings(graph, sides.a_ids), _side_holdings(graph, sides.b_ids),
        graph.read(
            f"MATCH (p:{c.L.Position})-[:{c.T.REPORTS_TO}]->(m:{c.L.Position}) "
            f"MATCH {c.department_of('Position', 'p', 'dp')} "
            f"MATCH {c.department_of('Position', 'm', 'dm')} "
            f"WHERE (dp.{key} IN $a AND dm.{key} IN $b) OR (dp.{key} IN $b AND dm.{key} IN $a) "
            "RETURN properties(p) AS p, properties(dp) AS dp, properties(m) AS m, "
            f"properties(dm) AS dm ORDER BY p.{c.key('Position')}",
            a=sides.a_ids, b=sides.b_ids))
    shared_ids = sorted(set(held_a) & set(held_b))
    found = await holders(graph, shared_ids)
    in_a, in_b = set(sides.a_ids), set(sides.b_ids)
    shared = []
    for key in shared_ids:
        record, held = found[key]
        shared.append(InterfaceDuty(
            record,
            [h for h in held if h.department and h.department["id"] in in_a],
            [h for h in held if h.department and h.department["id"] in in_b]))
    lines = [ReportingLine(native_record(r["p"]), native_record(r["dp"]), native_record(r["m"]),
                           native_record(r["dm"])) for r in line_rows]
    return Interface(sides, shared, lines, owned_by(held_a), owned_by(held_b))


# -- 5. RACI matrix ----------------------------------------------------------------------------


async def raci_matrix(graph: Graph, department: str | None = None,
                      process: str | None = None) -> RaciMatrix:
    """Responsibilities × positions with the roles in each cell, for exactly one of:

    * a department: rows are the responsibilities its subtree's positions hold in any role;
      columns are the subtree's positions (also those holding nothing, which shows a gap),
      then the positions elsewhere that hold a role in one of the rows;
    * a process: rows are the responsibilities of that process; columns the positions
      holding a role in one of them.

    Rows are sorted by responsibility id, columns in-scope first, then by position id.
    """
    if (department is None) == (process is None):
        raise InvalidInput("give either a department or a process", field="department")
    c = graph.cy
    dept_record: Record | None = None
    own: list[dict[str, Any]] = []
    if department is not None:
        dept_record = await _department(graph, department, "department")
        depts = await department_scope(graph, department)
        own = await graph.read(
            f"MATCH (p:{c.L.Position}) MATCH {c.department_of('Position', 'p', 'd')} "
            f"WHERE d.{c.key('Department')} IN $depts "
            "RETURN properties(p) AS p, properties(d) AS d", depts=depts)
        rows = await graph.read(
            f"MATCH (p:{c.L.Position})-[:{c.T.HAS_RESPONSIBILITY}]->(r:{c.L.Responsibility}) "
            f"MATCH {c.department_of('Position', 'p', 'd')} "
            f"WHERE d.{c.key('Department')} IN $depts "
            f"RETURN DISTINCT r.{c.key('Responsibility')} AS id", depts=depts)
    else:
        rows = await graph.read(
            f"MATCH (r:{c.L.Responsibility}) WHERE r.{c.prop('Responsibility', 'process')} = "
            f"$process RETURN r.{c.key('Responsibility')} AS id",
            process=process)
        if not rows:
            raise NotFound(f"no responsibility belongs to the process {process!r}",
                           field="process")
    found = await holders(graph, sorted(row["id"] for row in rows))
    columns: dict[str, RaciColumn] = {}
    for row in own:
        position = native_record(row["p"])
        columns[position["id"]] = RaciColumn(position, _record(row["d"]), True)
    for _, held in found.values():
        for h in held:
            if h.position["id"] not in columns:
                columns[h.position["id"]] = RaciColumn(h.position, h.department,
                                                       department is None)
    ordered = sorted(columns.values(), key=lambda c: (not c.in_scope, c.position["id"]))
    index = {c.position["id"]: i for i, c in enumerate(ordered)}
    matrix_rows = []
    for key in sorted(found):
        record, held = found[key]
        cells: dict[int, list[str]] = {}
        for h in held:  # sorted by role already
            cells.setdefault(index[h.position["id"]], []).append(h.raci)
        matrix_rows.append(RaciRow(record, dict(sorted(cells.items()))))
    return RaciMatrix(dept_record, process, ordered, matrix_rows)


# -- 6. spans, layers, department shapes, headcount ----------------------------------------------


async def position_spans(graph: Graph, department: str | None = None) -> list[PositionSpan]:
    """Every position with direct reports (of the department's subtree), widest span first
    (ties by id), with the positions reporting to it."""
    c = graph.cy
    depts = await department_scope(graph, department)
    scope = "" if depts is None else f"WHERE d.{c.key('Department')} IN $depts "
    rows = await graph.read(
        f"MATCH (m:{c.L.Position})<-[:{c.T.REPORTS_TO}]-(s:{c.L.Position}) "
        f"OPTIONAL MATCH {c.department_of('Position', 'm', 'd')} WITH m, d, s {scope}"
        "WITH m, d, collect(properties(s)) AS reports "
        f"RETURN properties(m) AS m, properties(d) AS d, reports "
        f"ORDER BY size(reports) DESC, m.{c.key('Position')}", depts=depts)
    return [PositionSpan(native_record(r["m"]), _record(r["d"]),
                         sorted((native_record(s) for s in r["reports"]),
                                key=lambda s: str(s["id"])))
            for r in rows]


async def position_layers(graph: Graph, department: str | None = None) -> list[PositionLayer]:
    """Every position (of the department's subtree) with its layer and its reporting chain
    from the top; deepest first (ties by id). (One record holding a list: the driver's cost
    per record outweighs the query's.)"""
    c = graph.cy
    depts = await department_scope(graph, department)
    scope = "" if depts is None else f"WHERE d.{c.key('Department')} IN $depts "
    rows = await graph.read(
        f"MATCH path = (p:{c.L.Position})-[:{c.T.REPORTS_TO}*0..]->(top:{c.L.Position}) "
        f"WHERE NOT EXISTS {{ MATCH (top)-[:{c.T.REPORTS_TO}]->(:{c.L.Position}) }} "
        f"OPTIONAL MATCH {c.department_of('Position', 'p', 'd')} WITH p, d, path {scope}"
        "RETURN collect([properties(p), properties(d), "
        "[x IN nodes(path) | properties(x)]]) AS layers", depts=depts)
    layers = [PositionLayer(native_record(p), _record(d),
                            [native_record(x) for x in reversed(chain)])
              for p, d, chain in (rows[0]["layers"] if rows else [])]
    return sorted(layers, key=lambda x: (-x.layer, str(x.position["id"])))


async def department_shapes(graph: Graph, department: str | None = None) -> list[DepartmentShape]:
    """Each department (of the subtree) that has positions: the layers its own positions
    span and its widest span of control, by department id (see :func:`shapes`)."""
    layers, spans = await asyncio.gather(position_layers(graph, department),
                                         position_spans(graph, department))
    return shapes(layers, spans)


async def headcount_status(graph: Graph, department: str | None = None) -> HeadcountStatus:
    """Positions (of the subtree) whose current incumbents exceed their headcount (编制溢出),
    and positions with fewer incumbents than headcount (vacancies), by position id."""
    c = graph.cy
    depts = await department_scope(graph, department)
    scope = "" if depts is None else f"AND d.{c.key('Department')} IN $depts "
    rows = await graph.read(
        f"MATCH (p:{c.L.Position}) OPTIONAL MATCH {c.department_of('Position', 'p', 'd')} "
        f"WITH p, d, COUNT {{ MATCH (p)<-[h:{c.T.HOLDS_POSITION}]-(:{c.L.Employee}) "
        f"WHERE {c.current('HOLDS_POSITION', 'h')} }} "
        f"AS incumbents WHERE incumbents <> p.{c.prop('Position', 'headcount')} {scope}"
        f"RETURN properties(p) AS p, properties(d) AS d, incumbents ORDER BY p.{c.key('Position')}",
        depts=depts)
    staffing = [Staffing(native_record(r["p"]), _record(r["d"]), int(r["incumbents"]))
                for r in rows]
    return HeadcountStatus(overflow=[s for s in staffing if s.difference > 0],
                           vacancies=[s for s in staffing if s.difference < 0])
