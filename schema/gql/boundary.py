"""GraphQL result types of the boundary queries (domain/boundary.py, domain/similarity.py).

They wrap the records of the answers and reuse :class:`Position`, :class:`Department` and
:class:`Responsibility`, so a client can go on from any answer (a shared duty's owner's
incumbents, a similar pair's responsibility's process ...). Every answer carries what
explains it: the owners and their departments, the counts, the score and the shared terms.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from domain import boundary as gb
from domain import similarity as gs
from domain.records import Record
from schema.gql.enums import Raci
from schema.gql.types import Department, Position, Responsibility


def _department(record: Record | None) -> Department | None:
    return None if record is None else Department.of(record)


@strawberry.enum(description="How shared responsibilities are sorted (ties by id)")
class SharedOrder(Enum):
    OWNERS_DESC = gb.SharedOrder.OWNERS_DESC.value
    OWNERS_ASC = gb.SharedOrder.OWNERS_ASC.value
    ID = gb.SharedOrder.ID.value


@strawberry.type(description="A position holding a responsibility in one RACI role")
class RaciHolder:
    raci: Raci
    position: Position
    department: Department | None

    @classmethod
    def of(cls, h: gb.Holder) -> RaciHolder:
        return cls(raci=Raci(h.raci), position=Position.of(h.position),
                   department=_department(h.department))


def _holders(found: list[gb.Holder]) -> list[RaciHolder]:
    return [RaciHolder.of(h) for h in found]


# -- 1. shared responsibilities ------------------------------------------------------------------


@strawberry.type(description="A responsibility two or more positions hold in the same owning "
                             "role (two R, or two A)")
class SharedResponsibility:
    responsibility: Responsibility
    owners: list[RaciHolder] = strawberry.field(
        description="every position holding it R or A, with its department")
    owner_count: int = strawberry.field(description="distinct positions holding it R or A")
    responsible_count: int = strawberry.field(description="positions holding it R")
    accountable_count: int = strawberry.field(description="positions holding it A")
    cross_department: bool = strawberry.field(
        description="true when the owners sit in more than one department")
    departments: list[Department] = strawberry.field(description="the owners' departments")

    @classmethod
    def of(cls, d: gb.SharedDuty) -> SharedResponsibility:
        return cls(responsibility=Responsibility.of(d.responsibility), owners=_holders(d.owners),
                   owner_count=d.owner_count, responsible_count=d.responsible,
                   accountable_count=d.accountable, cross_department=d.cross_department,
                   departments=[Department.of(r) for r in d.departments])


@strawberry.type(description="Shared responsibilities: the total and one window of them")
class SharedResponsibilities:
    total_count: int
    items: list[SharedResponsibility]


# -- 2. accountability gaps ----------------------------------------------------------------------


@strawberry.type(description="A responsibility with an ownership gap, and all its holders")
class ResponsibilityGap:
    responsibility: Responsibility
    accountable_count: int
    responsible_count: int
    holders: list[RaciHolder] = strawberry.field(description="positions holding it, any role")

    @classmethod
    def of(cls, g: gb.DutyGap) -> ResponsibilityGap:
        return cls(responsibility=Responsibility.of(g.responsibility),
                   accountable_count=g.accountable, responsible_count=g.responsible,
                   holders=_holders(g.holders))


@strawberry.type(description="A position and the department it belongs to")
class PlacedPosition:
    position: Position
    department: Department | None

    @classmethod
    def of(cls, p: gb.PlacedPosition) -> PlacedPosition:
        return cls(position=Position.of(p.position), department=_department(p.department))


@strawberry.type(description="Where ownership is missing or doubled (every responsibility has "
                             "exactly one A and at least one R; every position has duties)")
class AccountabilityGaps:
    no_accountable: list[ResponsibilityGap] = strawberry.field(description="no A at all")
    multiple_accountable: list[ResponsibilityGap] = strawberry.field(description="two A or more")
    no_responsible: list[ResponsibilityGap] = strawberry.field(description="no R at all")
    positions_without_responsibilities: list[PlacedPosition] = strawberry.field(
        description="positions holding no responsibility in any role")

    @classmethod
    def of(cls, g: gb.Gaps) -> AccountabilityGaps:
        return cls(no_accountable=[ResponsibilityGap.of(x) for x in g.no_accountable],
                   multiple_accountable=[ResponsibilityGap.of(x) for x in g.multiple_accountable],
                   no_responsible=[ResponsibilityGap.of(x) for x in g.no_responsible],
                   positions_without_responsibilities=[PlacedPosition.of(p)
                                                       for p in g.without_responsibility])


# -- 4. similar responsibilities ----------------------------------------------------------------


@strawberry.type(description="One duty of a similar pair, with its owners (R and A)")
class SimilarDuty:
    responsibility: Responsibility
    owners: list[RaciHolder]

    @classmethod
    def of(cls, d: gs.SimilarDuty) -> SimilarDuty:
        return cls(responsibility=Responsibility.of(d.responsibility), owners=_holders(d.owners))


@strawberry.type(description="Two differently named duties, owned by different positions, "
                             "whose texts say nearly the same thing")
class SimilarPair:
    score: float = strawberry.field(
        description="cosine of the TF-IDF vectors of the character 2-3-grams of name and "
                    "description, 0 to 1 (see README, Boundary queries)")
    shared_terms: list[str] = strawberry.field(
        description="the pieces of text both duties contain that weigh most in the score")
    a: SimilarDuty
    b: SimilarDuty

    @classmethod
    def of(cls, p: gs.SimilarPair) -> SimilarPair:
        return cls(score=p.score, shared_terms=p.shared_terms, a=SimilarDuty.of(p.a),
                   b=SimilarDuty.of(p.b))


@strawberry.type(description="Similar pairs at or above the threshold, best first")
class SimilarResponsibilities:
    threshold: float
    total_count: int = strawberry.field(description="pairs at or above the threshold")
    pairs: list[SimilarPair] = strawberry.field(description="the best `limit` pairs")

    @classmethod
    def of(cls, page: gs.SimilarPage) -> SimilarResponsibilities:
        return cls(threshold=page.threshold, total_count=page.total,
                   pairs=[SimilarPair.of(p) for p in page.pairs])


# -- 3. department interface --------------------------------------------------------------------


@strawberry.type(description="A responsibility held on both sides of a department interface")
class InterfaceResponsibility:
    responsibility: Responsibility
    holders_a: list[RaciHolder] = strawberry.field(description="its holders on side a")
    holders_b: list[RaciHolder] = strawberry.field(description="its holders on side b")
    contested_roles: list[Raci] = strawberry.field(
        description="owning roles (R, A) held on both sides: both think the duty is theirs")
    contested: bool

    @classmethod
    def of(cls, d: gb.InterfaceDuty) -> InterfaceResponsibility:
        return cls(responsibility=Responsibility.of(d.responsibility),
                   holders_a=_holders(d.side_a), holders_b=_holders(d.side_b),
                   contested_roles=[Raci(r) for r in d.contested_roles],
                   contested=bool(d.contested_roles))


@strawberry.type(description="A position reporting to a position on the other side")
class ReportingLine:
    position: Position
    department: Department
    reports_to: Position
    reports_to_department: Department

    @classmethod
    def of(cls, line: gb.ReportingLine) -> ReportingLine:
        return cls(position=Position.of(line.position),
                   department=Department.of(line.department),
                   reports_to=Position.of(line.reports_to),
                   reports_to_department=Department.of(line.reports_to_department))


@strawberry.type(description="What two departments (with their sub-departments) share")
class DepartmentInterface:
    a: Department
    b: Department
    a_departments: list[strawberry.ID] = strawberry.field(
        description="the departments on side a (a's subtree, less b's when b is inside a)")
    b_departments: list[strawberry.ID]
    shared: list[InterfaceResponsibility] = strawberry.field(
        description="responsibilities positions on both sides hold, in any role")
    similar: SimilarResponsibilities = strawberry.field(
        description="similar pairs of a duty owned on side a and one owned on side b")
    reporting_lines: list[ReportingLine] = strawberry.field(
        description="reporting lines crossing between the sides, either way")

    @classmethod
    def of(cls, found: gb.Interface, similar: gs.SimilarPage) -> DepartmentInterface:
        sides = found.sides
        return cls(a=Department.of(sides.a), b=Department.of(sides.b),
                   a_departments=[strawberry.ID(k) for k in sides.a_ids],
                   b_departments=[strawberry.ID(k) for k in sides.b_ids],
                   shared=[InterfaceResponsibility.of(d) for d in found.shared],
                   similar=SimilarResponsibilities.of(similar),
                   reporting_lines=[ReportingLine.of(x) for x in found.reporting_lines])


# -- 5. RACI matrix -----------------------------------------------------------------------------


@strawberry.type(description="A column of the RACI matrix")
class RaciColumn:
    position: Position
    department: Department | None
    in_scope: bool = strawberry.field(
        description="in the department asked for (false: elsewhere, holding a role in a row)")


@strawberry.type(description="A filled cell of the RACI matrix")
class RaciCell:
    column: int = strawberry.field(description="index into the matrix's columns (from 0)")
    roles: list[Raci] = strawberry.field(description="the roles held, in RACI order")


@strawberry.type(description="A row of the RACI matrix")
class RaciRow:
    responsibility: Responsibility
    cells: list[RaciCell] = strawberry.field(
        description="the filled cells, by column (empty cells are left out: a large "
                    "department's matrix is mostly empty)")


@strawberry.type(description="Responsibilities × positions, the RACI roles in the cells")
class RaciMatrix:
    department: Department | None
    process: str | None
    columns: list[RaciColumn]
    rows: list[RaciRow]

    @classmethod
    def of(cls, m: gb.RaciMatrix) -> RaciMatrix:
        return cls(department=_department(m.department), process=m.process,
                   columns=[RaciColumn(position=Position.of(c.position),
                                       department=_department(c.department),
                                       in_scope=c.in_scope) for c in m.columns],
                   rows=[RaciRow(responsibility=Responsibility.of(r.responsibility),
                                 cells=[RaciCell(column=i, roles=[Raci(x) for x in cell])
                                        for i, cell in r.cells.items()])
                         for r in m.rows])


# -- 6. spans, layers, shapes, headcount ----------------------------------------------------------


@strawberry.type(description="A manager position's span of control")
class PositionSpan:
    position: Position
    department: Department | None
    span: int = strawberry.field(description="positions reporting to it directly")
    direct_reports: list[Position]
    over_limit: bool = strawberry.field(description="span above maxSpan")


@strawberry.type(description="A position's management layer (the top position is layer 1)")
class PositionLayer:
    position: Position
    department: Department | None
    layer: int
    chain: list[Position] = strawberry.field(description="from the top position down to this")
    over_limit: bool = strawberry.field(description="layer above maxLayers")


@strawberry.type(description="How many layers a department stacks and its widest span")
class DepartmentShape:
    department: Department
    layers: int = strawberry.field(
        description="layers its own positions span: bottom layer - top layer + 1")
    top_layer: int
    bottom_layer: int
    widest_span: int
    widest_positions: list[Position] = strawberry.field(
        description="its positions with the widest span")
    too_deep: bool = strawberry.field(description="layers above maxDepth")
    too_wide: bool = strawberry.field(description="widest span above maxSpan")


@strawberry.type(description="A position whose incumbents differ from its headcount")
class PositionStaffing:
    position: Position
    department: Department | None
    headcount: int = strawberry.field(description="编制")
    incumbents: int = strawberry.field(description="current holders")
    difference: int = strawberry.field(
        description="incumbents - headcount: above 0 overflow, below 0 vacancies")

    @classmethod
    def of(cls, x: gb.Staffing) -> PositionStaffing:
        return cls(position=Position.of(x.position), department=_department(x.department),
                   headcount=x.headcount, incumbents=x.incumbents, difference=x.difference)


@strawberry.type(description="Positions over headcount (编制溢出) and positions with vacancies")
class HeadcountStatus:
    overflow: list[PositionStaffing]
    vacancies: list[PositionStaffing]

    @classmethod
    def of(cls, h: gb.HeadcountStatus) -> HeadcountStatus:
        return cls(overflow=[PositionStaffing.of(x) for x in h.overflow],
                   vacancies=[PositionStaffing.of(x) for x in h.vacancies])
