"""GraphQL object types for the ontology's classes and the relationships between them.

Leaf fields are plain attributes filled from a record (no resolver overhead on long lists);
relationship fields, in both directions, are each declared once with the relationship they read
(:func:`schema.gql.relations.relation`): they ask the request's DataLoaders and carry the
relationship's properties (a RACI role, a requirement's level and weight, ...).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from domain.errors import InvalidInput
from domain.records import Edge, Record
from schema.gql.enums import (
    ContractType,
    FeedbackRelation,
    KpiDirection,
    Level,
    PositionCategory,
    Raci,
    Readiness,
    enum_value,
)
from schema.gql.relations import Info, edge_fields, relation
from schema.ontology import EdgeKind, default_ontology
from schema.policy import access_note

MAX_DEPARTMENT_EMPLOYEES = 1000
#: the property whose value means a position is no longer held (the ontology's ``ended_by``)
_ENDED_BY = default_ontology().rel("HOLDS_POSITION").ended_by or ""


def _current(edge: Edge) -> bool:
    return edge.props.get(_ENDED_BY) is None


@strawberry.type(description="部门: a unit of the organisation; departments form a tree")
class Department:
    id: strawberry.ID
    name: str
    description: str | None

    @classmethod
    def of(cls, r: Record) -> Department:
        return cls(id=strawberry.ID(r["id"]), name=r["name"], description=r.get("description"))

    @relation("SUB_DEPARTMENT_OF", "out",
              description="The department above this one (none for the top)")
    def parent(self, edges: list[Edge]) -> Department | None:
        return Department.of(edges[0].node) if edges else None

    @relation("SUB_DEPARTMENT_OF", "in", description="The departments directly below this one")
    def children(self, edges: list[Edge]) -> list[Department]:
        return sorted((Department.of(e.node) for e in edges), key=lambda d: d.id)

    @relation("IN_DEPARTMENT", "in",
              description="The positions of this department (not of sub-departments)")
    def positions(self, edges: list[Edge]) -> list[Position]:
        return sorted((Position.of(e.node) for e in edges), key=lambda p: p.id)

    @strawberry.field(description="Current holders of positions here or in any sub-department, "
                                  f"by id; first: 1-{MAX_DEPARTMENT_EMPLOYEES}")
    async def employees(self, info: Info, first: int = 100) -> list[Employee]:
        if not 1 <= first <= MAX_DEPARTMENT_EMPLOYEES:
            raise InvalidInput(f"first must be between 1 and {MAX_DEPARTMENT_EMPLOYEES}, "
                               f"not {first}", field="first")
        records = await info.context.loaders.department_employees.load((self.id, first))
        return [Employee.of(r) for r in records]

    @strawberry.field(description="How many people hold a position here or below now")
    async def employee_count(self, info: Info) -> int:
        count: int = await info.context.loaders.department_employee_counts.load(self.id)
        return count


@strawberry.type(description="岗位: a post in one department, reporting to another position")
class Position:
    id: strawberry.ID
    title: str
    grade: int
    category: PositionCategory
    headcount: int = strawberry.field(description="编制: how many people the position may have")
    is_key: bool = strawberry.field(description="核心岗位: a key position for succession")
    description: str | None

    @classmethod
    def of(cls, r: Record) -> Position:
        return cls(id=strawberry.ID(r["id"]), title=r["title"], grade=r["grade"],
                   category=PositionCategory(r["category"]), headcount=r["headcount"],
                   is_key=bool(r.get("is_key")), description=r.get("description"))

    @relation("IN_DEPARTMENT", "out")
    def department(self, edges: list[Edge]) -> Department | None:
        return Department.of(edges[0].node) if edges else None

    @relation("REPORTS_TO", "out", description="The position this one reports to")
    def reports_to(self, edges: list[Edge]) -> Position | None:
        return Position.of(edges[0].node) if edges else None

    @relation("REPORTS_TO", "in", description="The positions that report to this one")
    def direct_reports(self, edges: list[Edge]) -> list[Position]:
        return sorted((Position.of(e.node) for e in edges), key=lambda p: p.id)

    @relation("HAS_RESPONSIBILITY", "out", description="Responsibilities held, with the RACI role")
    def responsibilities(self, edges: list[Edge]) -> list[ResponsibilityRole]:
        return sorted((ResponsibilityRole(raci=Raci(e.props["raci"]), position=self,
                                          responsibility=Responsibility.of(e.node))
                       for e in edges), key=lambda x: (x.responsibility.id, x.raci.value))

    @relation("REQUIRES_COMPETENCY", "out",
              description="Competencies required, with level, weight and mandatory")
    def requirements(self, edges: list[Edge]) -> list[Requirement]:
        return sorted((Requirement.of(e.props, self, Competency.of(e.node)) for e in edges),
                      key=lambda x: x.competency.id)

    @relation("REQUIRES_CERTIFICATE", "out")
    def required_certificates(self, edges: list[Edge]) -> list[Certificate]:
        return sorted((Certificate.of(e.node) for e in edges), key=lambda c: c.id)

    @relation("MEASURED_BY", "out",
              description="KPIs measuring this position, with their weights (percent)")
    def kpis(self, edges: list[Edge]) -> list[PositionKpi]:
        return sorted((PositionKpi(weight=e.props["weight"], position=self, kpi=Kpi.of(e.node))
                       for e in edges), key=lambda x: x.kpi.id)

    @relation("HOLDS_POSITION", "in", current=True, description="Current holders of the position")
    def incumbents(self, edges: list[Edge]) -> list[Assignment]:
        return sorted((Assignment.of(e.props, Employee.of(e.node), self)
                       for e in edges if _current(e)), key=lambda a: a.employee.id)

    @relation("HOLDS_POSITION", "in",
              description="Everyone who held the position before (with end dates)")
    def past_holders(self, edges: list[Edge]) -> list[Assignment]:
        return sorted((Assignment.of(e.props, Employee.of(e.node), self)
                       for e in edges if not _current(e)),
                      key=lambda a: (a.start_date, a.employee.id))

    @relation("HOLDS_POSITION", "in", current=True, counted=True,
              description="headcount minus current incumbents, never below 0")
    def vacancies(self, edges: list[Edge]) -> int:
        return max(self.headcount - sum(1 for e in edges if _current(e)), 0)

    @relation("NOMINATED_SUCCESSOR", "in", description="Employees nominated as successors")
    def nominations(self, edges: list[Edge]) -> list[Nomination]:
        return sorted((Nomination(readiness=Readiness(e.props["readiness"]),
                                  employee=Employee.of(e.node), position=self) for e in edges),
                      key=lambda n: n.employee.id)


@strawberry.type(description="职责: a duty that positions hold in a RACI role")
class Responsibility:
    id: strawberry.ID
    name: str
    description: str | None
    process: str | None

    @classmethod
    def of(cls, r: Record) -> Responsibility:
        return cls(id=strawberry.ID(r["id"]), name=r["name"], description=r.get("description"),
                   process=r.get("process"))

    @relation("HAS_RESPONSIBILITY", "in",
              description="Positions holding this responsibility, optionally one role")
    def owners(self, edges: list[Edge], role: Raci | None = None) -> list[ResponsibilityRole]:
        return sorted((ResponsibilityRole(raci=Raci(e.props["raci"]),
                                          position=Position.of(e.node), responsibility=self)
                       for e in edges if role is None or e.props["raci"] == role.value),
                      key=lambda x: (x.raci.value, x.position.id))


@strawberry.type(description="能力: a skill, knowledge area or trait on a 1-5 scale")
class Competency:
    id: strawberry.ID
    name: str
    category: str | None
    description: str | None

    @classmethod
    def of(cls, r: Record) -> Competency:
        return cls(id=strawberry.ID(r["id"]), name=r["name"], category=r.get("category"),
                   description=r.get("description"))

    @relation("REQUIRES_COMPETENCY", "in", description="Positions requiring this competency")
    def required_by(self, edges: list[Edge]) -> list[Requirement]:
        return sorted((Requirement.of(e.props, Position.of(e.node), self) for e in edges),
                      key=lambda x: x.position.id)

    @relation("HAS_COMPETENCY", "in",
              description="Employees assessed in this competency, with their levels")
    def holders(self, edges: list[Edge], min_level: int = 1) -> list[CompetencyAssessment]:
        return sorted((CompetencyAssessment.of(e.props, Employee.of(e.node), self)
                       for e in edges if e.props["level"] >= min_level),
                      key=lambda x: (-x.level, x.employee.id))


@strawberry.type(description="证书: a qualification some positions require")
class Certificate:
    id: strawberry.ID
    name: str
    issuer: str | None

    @classmethod
    def of(cls, r: Record) -> Certificate:
        return cls(id=strawberry.ID(r["id"]), name=r["name"], issuer=r.get("issuer"))

    @relation("REQUIRES_CERTIFICATE", "in")
    def required_by(self, edges: list[Edge]) -> list[Position]:
        return sorted((Position.of(e.node) for e in edges), key=lambda p: p.id)

    @relation("HAS_CERTIFICATE", "in")
    def holders(self, edges: list[Edge]) -> list[CertificateHolding]:
        return sorted((CertificateHolding.of(e.props, Employee.of(e.node), self)
                       for e in edges), key=lambda x: x.employee.id)


@strawberry.type(description="员工: a person and their personnel file")
class Employee:
    id: strawberry.ID
    name: str
    hire_date: date | None
    education: str | None
    major: str | None
    years_experience: float | None
    potential: Level | None = strawberry.field(description=access_note("Employee", "potential"))
    flight_risk: Level | None = strawberry.field(
        description=access_note("Employee", "flight_risk"))

    @classmethod
    def of(cls, r: Record) -> Employee:
        return cls(id=strawberry.ID(r["id"]), name=r["name"], hire_date=r.get("hire_date"),
                   education=r.get("education"), major=r.get("major"),
                   years_experience=r.get("years_experience"),
                   potential=enum_value(Level, r.get("potential")),  # type: ignore[arg-type]
                   flight_risk=enum_value(Level, r.get("flight_risk")))  # type: ignore[arg-type]

    def _assignments(self, edges: list[Edge], current: bool) -> list[Assignment]:
        return sorted((Assignment.of(e.props, self, Position.of(e.node))
                       for e in edges if _current(e) == current),
                      key=lambda a: (a.start_date, a.position.id))

    @relation("HOLDS_POSITION", "out", description="Positions held now")
    def current_positions(self, edges: list[Edge]) -> list[Assignment]:
        return self._assignments(edges, current=True)

    @relation("HOLDS_POSITION", "out",
              description="Positions held before (career trajectory), oldest first")
    def past_positions(self, edges: list[Edge]) -> list[Assignment]:
        return self._assignments(edges, current=False)

    @relation("HAS_COMPETENCY", "out", description="Assessed competency levels")
    def competencies(self, edges: list[Edge]) -> list[CompetencyAssessment]:
        return sorted((CompetencyAssessment.of(e.props, self, Competency.of(e.node))
                       for e in edges), key=lambda x: x.competency.id)

    @relation("HAS_CERTIFICATE", "out")
    def certificates(self, edges: list[Edge]) -> list[CertificateHolding]:
        return sorted((CertificateHolding.of(e.props, self, Certificate.of(e.node))
                       for e in edges), key=lambda x: x.certificate.id)

    @relation("HAS_CONTRACT", "out")
    def contracts(self, edges: list[Edge]) -> list[Contract]:
        return sorted((Contract.of(e.node) for e in edges), key=lambda c: (c.start_date, c.id))

    @relation("HAS_REVIEW", "out", description="Performance reviews, oldest period first")
    def reviews(self, edges: list[Edge]) -> list[PerformanceReview]:
        return sorted((PerformanceReview.of(e.node) for e in edges), key=lambda r: r.period)

    @relation("NOMINATED_SUCCESSOR", "out",
              description="Positions this employee is nominated to succeed to")
    def nominations(self, edges: list[Edge]) -> list[Nomination]:
        return sorted((Nomination(readiness=Readiness(e.props["readiness"]), employee=self,
                                  position=Position.of(e.node)) for e in edges),
                      key=lambda n: n.position.id)

    @relation("HAS_KPI_RESULT", "out", description="KPI results, by period then KPI")
    def kpi_results(self, edges: list[Edge]) -> list[KpiResult]:
        return sorted((KpiResult.of(e.node) for e in edges), key=lambda r: (r.period, r.id))

    @relation("RECEIVED_FEEDBACK", "out", description="Feedback about this employee, by period")
    def feedback_received(self, edges: list[Edge]) -> list[Feedback]:
        return sorted((Feedback.of(e.node) for e in edges), key=lambda f: (f.period, f.id))

    @relation("GIVEN_BY", "in", description="Feedback this employee gave, by period")
    def feedback_given(self, edges: list[Edge]) -> list[Feedback]:
        return sorted((Feedback.of(e.node) for e in edges), key=lambda f: (f.period, f.id))


@strawberry.type(name="KPI", description="关键绩效指标: a measure with a target")
class Kpi:
    id: strawberry.ID
    name: str
    unit: str | None
    direction: KpiDirection
    target: float | None
    period: str | None

    @classmethod
    def of(cls, r: Record) -> Kpi:
        return cls(id=strawberry.ID(r["id"]), name=r["name"], unit=r.get("unit"),
                   direction=KpiDirection(r["direction"]), target=r.get("target"),
                   period=r.get("period"))

    @relation("MEASURED_BY", "in", description="Positions measured by this KPI, with weights")
    def positions(self, edges: list[Edge]) -> list[PositionKpi]:
        return sorted((PositionKpi(weight=e.props["weight"], position=Position.of(e.node),
                                   kpi=self) for e in edges), key=lambda x: x.position.id)

    @relation("SERVES", "out", description="The key results this KPI serves")
    def key_results(self, edges: list[Edge]) -> list[KeyResult]:
        return sorted((KeyResult.of(e.node) for e in edges), key=lambda k: k.id)

    @relation("RESULT_OF", "in", description="Employees' results on this KPI, by period")
    def results(self, edges: list[Edge]) -> list[KpiResult]:
        return sorted((KpiResult.of(e.node) for e in edges), key=lambda r: (r.period, r.id))


@strawberry.type(description="劳动合同: an employment contract. " + access_note("Contract"))
class Contract:
    id: strawberry.ID
    type: ContractType
    start_date: date
    end_date: date | None
    probation_months: int | None
    signed_on: date | None
    monthly_wage: float | None
    probation_wage: float | None
    social_insurance_registered_on: date | None

    @classmethod
    def of(cls, r: Record) -> Contract:
        return cls(id=strawberry.ID(r["id"]), type=ContractType(r["type"]),
                   start_date=r["start_date"], end_date=r.get("end_date"),
                   probation_months=r.get("probation_months"), signed_on=r.get("signed_on"),
                   monthly_wage=r.get("monthly_wage"), probation_wage=r.get("probation_wage"),
                   social_insurance_registered_on=r.get("social_insurance_registered_on"))

    @relation("HAS_CONTRACT", "in")
    def employee(self, edges: list[Edge]) -> Employee | None:
        return Employee.of(edges[0].node) if edges else None


@strawberry.type(description="绩效评估: a rating (1-5) for one period. "
                             + access_note("PerformanceReview"))
class PerformanceReview:
    id: strawberry.ID
    period: str
    rating: int

    @classmethod
    def of(cls, r: Record) -> PerformanceReview:
        return cls(id=strawberry.ID(r["id"]), period=r["period"], rating=r["rating"])

    @relation("HAS_REVIEW", "in")
    def employee(self, edges: list[Edge]) -> Employee | None:
        return Employee.of(edges[0].node) if edges else None


@strawberry.type(description="目标: an objective (OKR) of a department or of the company, for a "
                             "period (YYYY, YYYY-Qn, YYYY-Hn or YYYY-MM)")
class Objective:
    id: strawberry.ID
    title: str
    period: str
    weight: float = strawberry.field(description="its share among its siblings (> 0)")
    description: str | None

    @classmethod
    def of(cls, r: Record) -> Objective:
        return cls(id=strawberry.ID(r["id"]), title=r["title"], period=r["period"],
                   weight=float(r.get("weight") or 1.0), description=r.get("description"))

    @relation("FOR_DEPARTMENT", "out",
              description="The department owning the objective (none: company-wide)")
    def department(self, edges: list[Edge]) -> Department | None:
        return Department.of(edges[0].node) if edges else None

    @relation("SUPPORTS", "out", description="The objective this one supports")
    def parent(self, edges: list[Edge]) -> Objective | None:
        return Objective.of(edges[0].node) if edges else None

    @relation("SUPPORTS", "in", description="The objectives supporting this one")
    def children(self, edges: list[Edge]) -> list[Objective]:
        return sorted((Objective.of(e.node) for e in edges), key=lambda o: o.id)

    @relation("KEY_RESULT_OF", "in")
    def key_results(self, edges: list[Edge]) -> list[KeyResult]:
        return sorted((KeyResult.of(e.node) for e in edges), key=lambda k: k.id)


@strawberry.type(description="关键结果: a measurable result of an objective")
class KeyResult:
    id: strawberry.ID
    title: str
    unit: str | None
    direction: KpiDirection
    start: float | None = strawberry.field(description="the value when the objective was set")
    target: float
    current: float | None = strawberry.field(description="the value reached so far")
    weight: float = strawberry.field(description="its share in the objective (> 0)")

    @classmethod
    def of(cls, r: Record) -> KeyResult:
        return cls(id=strawberry.ID(r["id"]), title=r["title"], unit=r.get("unit"),
                   direction=KpiDirection(r["direction"]), start=r.get("start"),
                   target=r["target"], current=r.get("current"),
                   weight=float(r.get("weight") or 1.0))

    @relation("KEY_RESULT_OF", "out")
    def objective(self, edges: list[Edge]) -> Objective | None:
        return Objective.of(edges[0].node) if edges else None

    @relation("SERVES", "in", description="The KPIs serving this key result")
    def kpis(self, edges: list[Edge]) -> list[Kpi]:
        return sorted((Kpi.of(e.node) for e in edges), key=lambda k: k.id)


@strawberry.type(description="KPI 实际值: what an employee achieved on a KPI in a period. "
                             + access_note("KpiResult"))
class KpiResult:
    id: strawberry.ID
    period: str
    actual: float
    target: float | None = strawberry.field(
        description="overrides the KPI's target for this employee and period")

    @classmethod
    def of(cls, r: Record) -> KpiResult:
        return cls(id=strawberry.ID(r["id"]), period=r["period"], actual=r["actual"],
                   target=r.get("target"))

    @relation("RESULT_OF", "out")
    def kpi(self, edges: list[Edge]) -> Kpi | None:
        return Kpi.of(edges[0].node) if edges else None

    @relation("HAS_KPI_RESULT", "in")
    def employee(self, edges: list[Edge]) -> Employee | None:
        return Employee.of(edges[0].node) if edges else None


_relation = relation  # in Feedback, the name is its field "relation"


@strawberry.type(description="360度反馈: a reviewer's score (1-5) of an employee for a period. "
                             + access_note("Feedback"))
class Feedback:
    id: strawberry.ID
    relation: FeedbackRelation
    period: str
    score: int

    @classmethod
    def of(cls, r: Record) -> Feedback:
        return cls(id=strawberry.ID(r["id"]), relation=FeedbackRelation(r["relation"]),
                   period=r["period"], score=r["score"])

    @_relation("RECEIVED_FEEDBACK", "in", description="The employee the feedback is about")
    def employee(self, edges: list[Edge]) -> Employee | None:
        return Employee.of(edges[0].node) if edges else None

    @_relation("GIVEN_BY", "out")
    def reviewer(self, edges: list[Edge]) -> Employee | None:
        return Employee.of(edges[0].node) if edges else None


# -- relationships with properties --------------------------------------------------------------


@strawberry.type(description="A position's RACI role for a responsibility")
class ResponsibilityRole:
    raci: Raci
    position: Position
    responsibility: Responsibility


@strawberry.type(description="A competency a position requires")
class Requirement:
    level: int = strawberry.field(description="required level, 1-5")
    weight: float
    mandatory: bool
    position: Position
    competency: Competency

    @classmethod
    def of(cls, p: Record, position: Position, competency: Competency) -> Requirement:
        return cls(level=p["level"], weight=float(p.get("weight") or 1.0),
                   mandatory=bool(p.get("mandatory")), position=position, competency=competency)


@strawberry.type(description="A KPI measuring a position, with its weight in percent")
class PositionKpi:
    weight: float
    position: Position
    kpi: Kpi


@strawberry.type(description="An employee holding a position from a start date (to an end date)")
class Assignment:
    start_date: date
    end_date: date | None
    employee: Employee
    position: Position

    @classmethod
    def of(cls, p: Record, employee: Employee, position: Position) -> Assignment:
        return cls(start_date=p["start_date"], end_date=p.get("end_date"), employee=employee,
                   position=position)


@strawberry.type(description="An employee's assessed level in a competency")
class CompetencyAssessment:
    level: int
    assessed_on: date | None
    employee: Employee
    competency: Competency

    @classmethod
    def of(cls, p: Record, employee: Employee, competency: Competency) -> CompetencyAssessment:
        return cls(level=p["level"], assessed_on=p.get("assessed_on"), employee=employee,
                   competency=competency)


@strawberry.type(description="A certificate an employee holds")
class CertificateHolding:
    obtained_on: date | None
    expires_on: date | None
    employee: Employee
    certificate: Certificate

    @classmethod
    def of(cls, p: Record, employee: Employee, certificate: Certificate) -> CertificateHolding:
        return cls(obtained_on=p.get("obtained_on"), expires_on=p.get("expires_on"),
                   employee=employee, certificate=certificate)


@strawberry.type(description="An employee nominated to succeed to a position")
class Nomination:
    readiness: Readiness
    employee: Employee
    position: Position


NODE_TYPES: dict[str, Any] = {
    "Department": Department, "Position": Position, "Responsibility": Responsibility,
    "Competency": Competency, "Certificate": Certificate, "Employee": Employee, "KPI": Kpi,
    "Contract": Contract, "PerformanceReview": PerformanceReview, "Objective": Objective,
    "KeyResult": KeyResult, "KpiResult": KpiResult, "Feedback": Feedback,
}

#: GraphQL type -> field -> the relationship it reads (see :func:`edge_fields`)
EDGE_FIELDS: dict[str, dict[str, EdgeKind]] = edge_fields(NODE_TYPES.values())
