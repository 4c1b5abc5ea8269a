"""Boundary queries: who owns which duty, where ownership overlaps or is missing, what two
departments share, the RACI matrix, spans of control, management layers and staffing.

Every query is scoped to the whole organisation (``department=None``) or to a department and
all departments below it. Terms used throughout:

* **owner** of a responsibility: a position holding it as R (responsible) or A (accountable);
  C (consulted) and I (informed) are holders, not owners;
* **layer** of a position: the top position (one that reports to nobody) is at layer 1, and
  every position is one layer below the position it reports to:
  ``layer(p) = 1 + number of REPORTS_TO steps from p to the top``;
* **span of control** of a position: the number of positions reporting to it directly;
* **layers of a department**: ``max(layer) - min(layer) + 1`` over the department's own
  positions (not those of its sub-departments): how many management levels it stacks.

Labels, relationship types and property names come from the ontology; values are parameters.
Results are typed records holding plain property dicts (:data:`Record`) for the GraphQL layer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from graph.db import Graph
from graph.errors import InvalidInput, NotFound
from graph.repository import Record, Repository, native_record

#: RACI roles that own a duty
OWNER_ROLES: tuple[str, ...] = ("R", "A")
RACI_ORDER = "RACI"
#: spans of control above this are reported (positions reporting directly)
DEFAULT_MAX_SPAN = 10
#: positions below this layer are reported (the top position is layer 1)
DEFAULT_MAX_LAYERS = 4
#: departments stacking more layers of their own positions than this are reported
DEFAULT_MAX_DEPTH = 3


class SharedOrder(Enum):
    """How shared responsibilities are sorted (ties by responsibility id)."""

    OWNERS_DESC = "owners_desc"
    OWNERS_ASC = "owners_asc"
    ID = "id"


# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """A position holding a responsibility in one RACI role, with its department."""

    position: Record
    department: Record | None
    raci: str


@dataclass(frozen=True)
class SharedDuty:
    """A responsibility that two or more positions hold in the same owning role."""

    responsibility: Record
    owners: list[Holder]  # every R and A holder, wherever it sits
    responsible: int  # positions holding R
    accountable: int  # positions holding A

    @property
    def owner_count(self) -> int:
        return len({h.position["id"] for h in self.owners})

    @property
    def departments(self) -> list[Record]:
        """The owners' departments, by id."""
        found = {h.department["id"]: h.department for h in self.owners if h.department}
        return [found[k] for k in sorted(found)]

    @property
    def cross_department(self) -> bool:
        return len(self.departments) > 1


@dataclass(frozen=True)
class SharedPage:
    total: int
    items: list[SharedDuty]


@dataclass(frozen=True)
class DutyGap:
    """A responsibility with an ownership gap, and everyone who holds it in any role."""

    responsibility: Record
    holders: list[Holder]
    accountable: int
    responsible: int


@dataclass(frozen=True)
class PlacedPosition:
    """A position with its department."""

    position: Record
    department: Record | None


@dataclass(frozen=True)
class Gaps:
    no_accountable: list[DutyGap]
    multiple_accountable: list[DutyGap]
    no_responsible: list[DutyGap]
    without_responsibility: list[PlacedPosition]


@dataclass(frozen=True)
class InterfaceDuty:
    """A responsibility held on both sides of a department interface."""

    responsibility: Record
    side_a: list[Holder]
    side_b: list[Holder]

    @property
    def contested_roles(self) -> list[str]:
        """Owning roles (R, A) held on both sides: both think the duty is theirs."""
        a = {h.raci for h in self.side_a}
        b = {h.raci for h in self.side_b}
        return [role for role in OWNER_ROLES if role in a and role in b]


@dataclass(frozen=True)
class ReportingLine:
    """A position reporting to a position on the other side of an interface."""

    position: Record
    department: Record
    reports_to: Record
    reports_to_department: Record


@dataclass(frozen=True)
class InterfaceSides:
    """The two sides of an interface: department ids, each side without the other."""

    a: Record
    b: Record
    a_ids: list[str]
    b_ids: list[str]


@dataclass(frozen=True)
class Interface:
    sides: InterfaceSides
    shared: list[InterfaceDuty]
    reporting_lines: list[ReportingLine]
    owned_a: dict[str, frozenset[str]]  # duties owned on side a -> their owners on side a
    owned_b: dict[str, frozenset[str]]


@dataclass(frozen=True)
class RaciColumn:
    position: Record
    department: Record | None
    in_scope: bool  # in the department asked for (False: holds a role in one of its duties)


@dataclass(frozen=True)
class RaciRow:
    responsibility: Record
    cells: dict[int, list[str]]  # column index -> the roles held there (RACI order)


@dataclass(frozen=True)
class RaciMatrix:
    department: Record | None
    process: str | None
    columns: list[RaciColumn]
    rows: list[RaciRow]


@dataclass(frozen=True)
class PositionSpan:
    position: Record
    department: Record | None
    direct_reports: list[Record]

    @property
    def span(self) -> int:
        return len(self.direct_reports)


@dataclass(frozen=True)
class PositionLayer:
    position: Record
    department: Record | None
    chain: list[Record]  # from the top position down to this one

    @property
    def layer(self) -> int:
        return len(self.chain)


@dataclass(frozen=True)
class DepartmentShape:
    department: Record
    top_layer: int
    bottom_layer: int
    widest_span: int
    widest: list[Record] = field(default_factory=list)  # the positions with the widest span

    @property
    def layers(self) -> int:
        return self.bottom_layer - self.top_layer + 1


@dataclass(frozen=True)
class Staffing:
    position: Record
    department: Record | None
    incumbents: int

    @property
    def headcount(self) -> int:
        return int(self.position["headcount"])

    @property
    def difference(self) -> int:
        """Incumbents minus headcount: above 0 overflow (编制溢出), below 0 vacancies."""
        return self.incumbents - self.headcount


@dataclass(frozen=True)
class HeadcountStatus:
    overflow: list[Staffing]
    vacancies: list[Staffing]


# -- Cypher building blocks ---------------------------------------------------------------------


class CypherNames:
    """The ontology's identifiers used here, quoted and checked."""

    def __init__(self, graph: Graph) -> None:
        o = graph.ontology
        self.dept = o.label("Department")
        self.pos = o.label("Position")
        self.resp = o.label("Responsibility")
        self.emp = o.label("Employee")
        self.has = o.rel_type("HAS_RESPONSIBILITY")
        self.in_dept = o.rel_type("IN_DEPARTMENT")
        self.reports = o.rel_type("REPORTS_TO")
        self.sub = o.rel_type("SUB_DEPARTMENT_OF")
        self.holds = o.rel_type("HOLDS_POSITION")
        self.raci = o.rel_prop("HAS_RESPONSIBILITY", "raci")
        self.end = o.rel_prop("HOLDS_POSITION", "end_date")
        self.id = o.prop("Department", o.cls("Department").key)
        self.pid = o.prop("Position", o.cls("Position").key)
        self.rid = o.prop("Responsibility", o.cls("Responsibility").key)
        self.process = o.prop("Responsibility", "process")
        self.name = o.prop("Responsibility", "name")
        self.description = o.prop("Responsibility", "description")
        self.headcount = o.prop("Position", "headcount")


def _record(value: Any) -> Record | None:
    return None if value is None else native_record(value)


def _raci_key(role: str) -> int:
    return RACI_ORDER.index(role) if role in RACI_ORDER else len(RACI_ORDER)


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
    n = CypherNames(graph)
    rows = await graph.read(f"MATCH (d:{n.dept} {{{n.id}: $k}}) RETURN properties(d) AS d", k=key)
    if not rows:
        raise NotFound(f"no Department with id {key!r}", field=field_name)
    return native_record(rows[0]["d"])


async def holders(graph: Graph, ids: Sequence[str],
                  roles: Sequence[str] | None = None) -> dict[str, tuple[Record, list[Holder]]]:
    """For each responsibility id: its record and the positions holding it (in ``roles``, or
    any role), sorted by role (R, A, C, I) and position id."""
    if not ids:
        return {}
    n = CypherNames(graph)
    role_filter = f"WHERE h.{n.raci} IN $roles " if roles is not None else ""
    # one record holding a list: the driver's cost per record outweighs the query's
    rows = await graph.read(
        f"UNWIND $ids AS k MATCH (r:{n.resp} {{{n.rid}: k}}) "
        f"OPTIONAL MATCH (r)<-[h:{n.has}]-(p:{n.pos}) {role_filter}"
        f"OPTIONAL MATCH (p)-[:{n.in_dept}]->(d:{n.dept}) "
        f"WITH k, r, collect([properties(p), properties(d), h.{n.raci}]) AS held "
        "RETURN collect([k, properties(r), held]) AS duties",
        ids=list(ids), roles=list(roles or ()))
    found: dict[str, tuple[Record, list[Holder]]] = {}
    for key, record, held in rows[0]["duties"] if rows else ():
        found[key] = (native_record(record), sorted(
            (Holder(native_record(p), _record(d), raci) for p, d, raci in held if p is not None),
            key=lambda h: (_raci_key(h.raci), h.position["id"])))
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
    n = CypherNames(graph)
    depts = await department_scope(graph, department)
    start = f"MATCH (r:{n.resp}) "
    if depts is not None:
        start = (f"MATCH (d:{n.dept})<-[:{n.in_dept}]-(:{n.pos})-[s:{n.has}]->(r:{n.resp}) "
                 f"WHERE d.{n.id} IN $depts AND s.{n.raci} IN $owner_roles WITH DISTINCT r ")
    sort = {SharedOrder.OWNERS_DESC: "owners DESC, id", SharedOrder.OWNERS_ASC: "owners, id",
            SharedOrder.ID: "id"}[order]
    # HAS_RESPONSIBILITY always starts at a Position (ontology): the far end needs no label
    rows = await graph.read(
        f"{start}WITH r, [(r)<-[h:{n.has}]-() | h.{n.raci}] AS roles "
        "WHERE size([x IN roles WHERE x = $r]) >= $min OR size([x IN roles WHERE x = $a]) >= $min "
        f"MATCH (r)<-[o:{n.has}]-(p:{n.pos}) WHERE o.{n.raci} IN $owner_roles "
        f"WITH r.{n.rid} AS id, count(DISTINCT p) AS owners "
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
    n = CypherNames(graph)
    depts = await department_scope(graph, department)
    if depts is None:
        duties = f"MATCH (r:{n.resp}) "
        positions = f"MATCH (p:{n.pos}) WHERE "
    else:
        duties = (f"MATCH (d:{n.dept})<-[:{n.in_dept}]-(:{n.pos})-[:{n.has}]->(r:{n.resp}) "
                  f"WHERE d.{n.id} IN $depts WITH DISTINCT r ")
        positions = (f"MATCH (p:{n.pos})-[:{n.in_dept}]->(d:{n.dept}) "
                     f"WHERE d.{n.id} IN $depts AND ")
    duty_rows, position_rows = await asyncio.gather(
        graph.read(
            f"{duties}WITH r, [(r)<-[h:{n.has}]-() | h.{n.raci}] AS roles "
            "WITH r, size([x IN roles WHERE x = $a]) AS accountable, "
            "size([x IN roles WHERE x = $r]) AS responsible "
            "WHERE accountable <> 1 OR responsible = 0 "
            f"RETURN r.{n.rid} AS id, accountable, responsible ORDER BY id",
            depts=depts, a="A", r="R"),
        graph.read(
            f"{positions}NOT EXISTS {{ MATCH (p)-[:{n.has}]->() }} "
            f"OPTIONAL MATCH (p)-[:{n.in_dept}]->(pd:{n.dept}) "
            f"RETURN properties(p) AS p, properties(pd) AS d ORDER BY p.{n.pid}",
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
    n = CypherNames(graph)
    rows = await graph.read(
        f"MATCH (root:{n.dept}) WHERE root.{n.id} IN $keys "
        f"MATCH (root)<-[:{n.sub}*0..]-(d:{n.dept}) "
        f"RETURN root.{n.id} AS k, properties(root) AS root, collect(DISTINCT d.{n.id}) AS ids",
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
    n = CypherNames(graph)
    # a position's relationships: the far ends need no label (the ontology fixes them)
    # one record holding a list: the driver's cost per record outweighs the query's
    rows = await graph.read(
        f"MATCH (d:{n.dept}) WHERE d.{n.id} IN $depts "
        f"MATCH (d)<-[:{n.in_dept}]-(p:{n.pos})-[h:{n.has}]->(r) "
        f"RETURN collect([r.{n.rid}, p.{n.pid}, h.{n.raci}]) AS held", depts=depts)
    held: dict[str, dict[str, set[str]]] = {}
    for duty, position, role in rows[0]["held"] if rows else ():
        held.setdefault(duty, {}).setdefault(role, set()).add(position)
    return held


def _owned(held: dict[str, dict[str, set[str]]]) -> dict[str, frozenset[str]]:
    """Responsibility id -> its owners (R, A) among the holdings (owned duties only)."""
    owned = {k: frozenset(p for role in OWNER_ROLES for p in roles.get(role, ()))
             for k, roles in held.items()}
    return {k: v for k, v in owned.items() if v}


async def department_interface(graph: Graph, sides: InterfaceSides) -> Interface:
    """The responsibilities positions on both sides hold (any role; each side's holders
    listed) and the reporting lines crossing between the sides (either direction)."""
    n = CypherNames(graph)
    held_a, held_b, line_rows = await asyncio.gather(
        _side_holdings(graph, sides.a_ids), _side_holdings(graph, sides.b_ids),
        graph.read(
            f"MATCH (dp:{n.dept})<-[:{n.in_dept}]-(p:{n.pos})-[:{n.reports}]->(m:{n.pos})"
            f"-[:{n.in_dept}]->(dm:{n.dept}) "
            f"WHERE (dp.{n.id} IN $a AND dm.{n.id} IN $b) OR (dp.{n.id} IN $b AND dm.{n.id} IN $a) "
            "RETURN properties(p) AS p, properties(dp) AS dp, properties(m) AS m, "
            f"properties(dm) AS dm ORDER BY p.{n.pid}",
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
    return Interface(sides, shared, lines, _owned(held_a), _owned(held_b))


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
    n = CypherNames(graph)
    dept_record: Record | None = None
    own: list[dict[str, Any]] = []
    if department is not None:
        dept_record = await _department(graph, department, "department")
        depts = await department_scope(graph, department)
        own = await graph.read(
            f"MATCH (p:{n.pos})-[:{n.in_dept}]->(d:{n.dept}) WHERE d.{n.id} IN $depts "
            "RETURN properties(p) AS p, properties(d) AS d", depts=depts)
        rows = await graph.read(
            f"MATCH (d:{n.dept})<-[:{n.in_dept}]-(:{n.pos})-[:{n.has}]->(r:{n.resp}) "
            f"WHERE d.{n.id} IN $depts RETURN DISTINCT r.{n.rid} AS id", depts=depts)
    else:
        rows = await graph.read(
            f"MATCH (r:{n.resp}) WHERE r.{n.process} = $process RETURN r.{n.rid} AS id",
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
    n = CypherNames(graph)
    depts = await department_scope(graph, department)
    scope = "" if depts is None else f"WHERE d.{n.id} IN $depts "
    rows = await graph.read(
        f"MATCH (m:{n.pos})<-[:{n.reports}]-(s:{n.pos}) "
        f"OPTIONAL MATCH (m)-[:{n.in_dept}]->(d:{n.dept}) WITH m, d, s {scope}"
        "WITH m, d, collect(properties(s)) AS reports "
        f"RETURN properties(m) AS m, properties(d) AS d, reports "
        f"ORDER BY size(reports) DESC, m.{n.pid}", depts=depts)
    return [PositionSpan(native_record(r["m"]), _record(r["d"]),
                         sorted((native_record(s) for s in r["reports"]),
                                key=lambda s: str(s["id"])))
            for r in rows]


async def position_layers(graph: Graph, department: str | None = None) -> list[PositionLayer]:
    """Every position (of the department's subtree) with its layer and its reporting chain
    from the top; deepest first (ties by id). (One record holding a list: the driver's cost
    per record outweighs the query's.)"""
    n = CypherNames(graph)
    depts = await department_scope(graph, department)
    scope = "" if depts is None else f"WHERE d.{n.id} IN $depts "
    rows = await graph.read(
        f"MATCH path = (p:{n.pos})-[:{n.reports}*0..]->(top:{n.pos}) "
        f"WHERE NOT EXISTS {{ MATCH (top)-[:{n.reports}]->(:{n.pos}) }} "
        f"OPTIONAL MATCH (p)-[:{n.in_dept}]->(d:{n.dept}) WITH p, d, path {scope}"
        "RETURN collect([properties(p), properties(d), "
        "[x IN nodes(path) | properties(x)]]) AS layers", depts=depts)
    layers = [PositionLayer(native_record(p), _record(d),
                            [native_record(x) for x in reversed(chain)])
              for p, d, chain in (rows[0]["layers"] if rows else [])]
    return sorted(layers, key=lambda x: (-x.layer, str(x.position["id"])))


async def department_shapes(graph: Graph, department: str | None = None) -> list[DepartmentShape]:
    """Each department (of the subtree) that has positions: the layers its own positions
    span and its widest span of control, by department id."""
    layers, spans = await asyncio.gather(position_layers(graph, department),
                                         position_spans(graph, department))
    by_dept: dict[str, tuple[Record, list[int]]] = {}
    for pl in layers:
        if pl.department is not None:
            by_dept.setdefault(pl.department["id"], (pl.department, []))[1].append(pl.layer)
    widest: dict[str, list[PositionSpan]] = {}
    for ps in spans:
        if ps.department is not None:
            best = widest.setdefault(ps.department["id"], [])
            if not best or ps.span == best[0].span:
                best.append(ps)
            elif ps.span > best[0].span:
                best[:] = [ps]
    shapes = []
    for key in sorted(by_dept):
        record, found = by_dept[key]
        wide = widest.get(key, [])
        shapes.append(DepartmentShape(record, min(found), max(found),
                                      wide[0].span if wide else 0,
                                      [w.position for w in wide]))
    return shapes


async def headcount_status(graph: Graph, department: str | None = None) -> HeadcountStatus:
    """Positions (of the subtree) whose current incumbents exceed their headcount (编制溢出),
    and positions with fewer incumbents than headcount (vacancies), by position id."""
    n = CypherNames(graph)
    depts = await department_scope(graph, department)
    scope = "" if depts is None else f"AND d.{n.id} IN $depts "
    rows = await graph.read(
        f"MATCH (p:{n.pos}) OPTIONAL MATCH (p)-[:{n.in_dept}]->(d:{n.dept}) "
        f"WITH p, d, COUNT {{ MATCH (p)<-[h:{n.holds}]-(:{n.emp}) WHERE h.{n.end} IS NULL }} "
        f"AS incumbents WHERE incumbents <> p.{n.headcount} {scope}"
        f"RETURN properties(p) AS p, properties(d) AS d, incumbents ORDER BY p.{n.pid}",
        depts=depts)
    staffing = [Staffing(native_record(r["p"]), _record(r["d"]), int(r["incumbents"]))
                for r in rows]
    return HeadcountStatus(overflow=[s for s in staffing if s.difference > 0],
                           vacancies=[s for s in staffing if s.difference < 0])
