"""GraphQL types of performance management (README, *Performance management*).

They wrap the results of :mod:`domain.performance` and reuse the record types (Employee,
Position, Department, KPI, Objective, KeyResult, Competency), so a client can go on from an
answer. Every number comes with its terms and a one-line formula or explanation; the formulas
are stated in :mod:`domain.performance` and the README, not again here. The records come
from a :class:`Lookup` the resolver fills from what the graph layer loaded (people already
redacted for the caller).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

import strawberry

from domain import performance as pm
from domain.records import Record
from schema.gql.enums import FeedbackRelation
from schema.gql.types import (
    Competency,
    Department,
    Employee,
    KeyResult,
    Kpi,
    Objective,
    Position,
)

SEE = "see README, Performance management"


@strawberry.enum(description="An appraisal's rating (绩效等级), from the final score")
class AppraisalRating(Enum):
    EXCELLENT = "excellent"
    QUALIFIED = "qualified"
    NEEDS_IMPROVEMENT = "needs_improvement"


@strawberry.enum(description="Whether a KPI entered the KPI score")
class KpiStatus(Enum):
    SCORED = "scored"
    MISSING_RESULT = "missing_result"
    MISSING_TARGET = "missing_target"


def rating(value: str | None) -> AppraisalRating | None:
    return None if value is None else AppraisalRating(value)


@dataclass(frozen=True)
class Lookup:
    """The records an answer links to, by id (people as the caller may see them)."""

    employees: Mapping[str, Record] = field(default_factory=dict)
    positions: Mapping[str, Record] = field(default_factory=dict)
    departments: Mapping[str, Record] = field(default_factory=dict)
    kpis: Mapping[str, Record] = field(default_factory=dict)
    key_results: Mapping[str, Record] = field(default_factory=dict)
    objectives: Mapping[str, Record] = field(default_factory=dict)
    competencies: Mapping[str, Record] = field(default_factory=dict)

    def employee(self, key: str | None) -> Employee | None:
        r = None if key is None else self.employees.get(key)
        return None if r is None else Employee.of(r)

    def position(self, key: str | None) -> Position | None:
        r = None if key is None else self.positions.get(key)
        return None if r is None else Position.of(r)

    def department(self, key: str | None) -> Department | None:
        r = None if key is None else self.departments.get(key)
        return None if r is None else Department.of(r)

    def kpi(self, key: str | None) -> Kpi | None:
        r = None if key is None else self.kpis.get(key)
        return None if r is None else Kpi.of(r)

    def key_result(self, key: str | None) -> KeyResult | None:
        r = None if key is None else self.key_results.get(key)
        return None if r is None else KeyResult.of(r)

    def objective(self, key: str | None) -> Objective | None:
        r = None if key is None else self.objectives.get(key)
        return None if r is None else Objective.of(r)

    def competency(self, key: str) -> Competency | None:
        r = self.competencies.get(key)
        return None if r is None else Competency.of(r)


# -- appraisals ------------------------------------------------------------------------------


@strawberry.type(description=f"One KPI as the KPI score uses it ({SEE})")
class AppraisalKpi:
    kpi: Kpi | None
    position: Position | None = strawberry.field(description="the position it measures")
    weight: float = strawberry.field(description="the position's weight for it, percent")
    higher_is_better: bool
    target: float | None = strawberry.field(
        description="the target that applies: the employee's own for the period, else the KPI's")
    actual: float | None = strawberry.field(description="the period's result (null: none)")
    status: KpiStatus
    achievement: float | None = strawberry.field(
        description="actual / target (target / actual when lower is better), clamped to [0, cap]")
    points: float | None = strawberry.field(description="points_at_target × achievement")
    contribution: float | None = strawberry.field(
        description="what it adds to the KPI score: (100 / points_at_target) × w × points / Σw")
    alert: bool = strawberry.field(description="achievement below alert_threshold")

    @classmethod
    def of(cls, t: pm.KpiTerm, look: Lookup) -> AppraisalKpi:
        return cls(kpi=look.kpi(t.kpi), position=look.position(t.position), weight=t.weight,
                   higher_is_better=t.higher_is_better, target=t.target, actual=t.actual,
                   status=KpiStatus(t.status), achievement=t.achievement, points=t.points,
                   contribution=t.contribution, alert=t.alert)


@strawberry.type(description=f"One feedback relation's reviewers ({SEE})")
class FeedbackTerm:
    relation: FeedbackRelation
    mean: float = strawberry.field(description="the mean of their 1-5 scores")
    count: int = strawberry.field(description="how many reviewers")
    weight: float = strawberry.field(description="the relation's configured weight")
    normalised_weight: float = strawberry.field(
        description="the weight over the relations present (they add up to 1)")

    @classmethod
    def of(cls, t: pm.FeedbackTerm) -> FeedbackTerm:
        return cls(relation=FeedbackRelation(t.relation), mean=t.mean, count=t.count,
                   weight=t.weight, normalised_weight=t.normalised_weight)


@strawberry.type(description=f"A KPI result below the alert threshold ({SEE})")
class KpiAlert:
    employee: Employee | None
    period: str
    kpi: Kpi | None
    position: Position | None
    department: Department | None
    managers: list[Employee] = strawberry.field(
        description="whoever holds, in the period, the position the alerted one reports to (the "
                    "next one up with a holder when vacant), as far as you may see them")
    key_result: KeyResult | None = strawberry.field(description="the key result the KPI serves")
    objective: Objective | None = strawberry.field(description="that key result's objective")
    higher_is_better: bool
    target: float
    actual: float
    achievement: float
    threshold: float
    explanation: str

    @classmethod
    def of(cls, a: pm.KpiAlert, look: Lookup) -> KpiAlert:
        managers = [m for m in (look.employee(k) for k in (a.manager or "").split(", ") if k)
                    if m is not None]
        return cls(employee=look.employee(a.employee), period=a.period, kpi=look.kpi(a.kpi),
                   position=look.position(a.position), department=look.department(a.department),
                   managers=managers, key_result=look.key_result(a.key_result),
                   objective=look.objective(a.objective), higher_is_better=a.higher_is_better,
                   target=a.target, actual=a.actual, achievement=a.achievement,
                   threshold=a.threshold, explanation=a.explanation)


@strawberry.type(description=f"绩效考核: an employee's appraisal for a period, every term shown "
                             f"({SEE}). Incomplete (no KPI result with a target): no final "
                             "score, rating, multiplier or bonus")
class Appraisal:
    employee: Employee | None
    period: str
    position: Position | None = strawberry.field(
        description="the position of the period (of the assignment that started last)")
    department: Department | None
    kpis: list[AppraisalKpi] = strawberry.field(
        description="the KPIs of every position held in the period")
    total_weight: float = strawberry.field(description="Σ of the scored KPIs' weights")
    kpi_score: float | None
    feedback: list[FeedbackTerm]
    feedback_count: int
    feedback_score: float | None
    kpi_weight: float = strawberry.field(description="the KPI score's weight in the final score")
    feedback_weight: float = strawberry.field(
        description="the feedback score's weight in the final score")
    final_score: float | None
    rating: AppraisalRating | None
    multiplier: float | None = strawberry.field(description="the bonus multiplier of the rating")
    base_bonus: float | None
    bonus: float | None = strawberry.field(description="multiplier × baseBonus")
    complete: bool
    missing: list[AppraisalKpi] = strawberry.field(
        description="the KPIs not scored: no result, or no target")
    alerts: list[KpiAlert]
    formula: str
    explanation: str

    @classmethod
    def of(cls, a: pm.Appraisal, look: Lookup, position: str | None,
           department: str | None) -> Appraisal:
        return cls(
            employee=look.employee(a.employee), period=a.period,
            position=look.position(position), department=look.department(department),
            kpis=[AppraisalKpi.of(t, look) for t in a.kpis], total_weight=a.total_weight,
            kpi_score=a.kpi_score, feedback=[FeedbackTerm.of(t) for t in a.feedback],
            feedback_count=a.feedback_count, feedback_score=a.feedback_score,
            kpi_weight=a.kpi_weight, feedback_weight=a.feedback_weight,
            final_score=a.final_score, rating=rating(a.rating), multiplier=a.multiplier,
            base_bonus=a.base_bonus, bonus=a.bonus, complete=a.complete,
            missing=[AppraisalKpi.of(t, look) for t in a.missing],
            alerts=[KpiAlert.of(x, look) for x in a.alerts], formula=a.formula,
            explanation=a.explanation)


@strawberry.type(description="How many appraisals have each rating, and how many are "
                             "incomplete (over every page)")
class RatingDistribution:
    excellent: int
    qualified: int
    needs_improvement: int
    incomplete: int

    @classmethod
    def of(cls, appraisals: list[pm.Appraisal]) -> RatingDistribution:
        def n(r: str | None) -> int:
            return sum(a.rating == r for a in appraisals)

        return cls(excellent=n("excellent"), qualified=n("qualified"),
                   needs_improvement=n("needs_improvement"), incomplete=n(None))


# -- calibration -----------------------------------------------------------------------------


@strawberry.type(description=f"One rating in a calibration group against the guideline ({SEE})")
class RatingCount:
    rating: AppraisalRating
    count: int
    share: float
    guideline: float = strawberry.field(description="the guideline share")
    low: int = strawberry.field(description="⌈n(g − t)⌉: the fewest within the guideline")
    high: int = strawberry.field(description="⌊n(g + t)⌋: the most within the guideline")
    within: bool
    move_in: int = strawberry.field(description="how many to move into this rating")
    move_out: int = strawberry.field(description="how many to move out of it")

    @classmethod
    def of(cls, c: pm.RatingCount) -> RatingCount:
        return cls(rating=AppraisalRating(c.rating), count=c.count, share=c.share,
                   guideline=c.guideline, low=c.low, high=c.high, within=c.within,
                   move_in=c.move_in, move_out=c.move_out)


@strawberry.type(description="A rated employee in a calibration group")
class Placement:
    employee: Employee | None
    department: Department | None
    final_score: float
    rank: int = strawberry.field(description="by final score, high first, ties by employee id")
    rating: AppraisalRating = strawberry.field(description="the rating of the score")
    calibrated_rating: AppraisalRating = strawberry.field(
        description="by rank under forced ranking, else the same")
    multiplier: float = strawberry.field(description="the calibrated rating's multiplier")

    @classmethod
    def of(cls, p: pm.Placement, look: Lookup) -> Placement:
        return cls(employee=look.employee(p.employee), department=look.department(p.department),
                   final_score=p.final_score, rank=p.rank, rating=AppraisalRating(p.rating),
                   calibrated_rating=AppraisalRating(p.calibrated_rating),
                   multiplier=p.multiplier)


@strawberry.type(description=f"A calibration group: a department with the sub-departments "
                             f"merged into it (null: the organisation) ({SEE})")
class CalibrationGroup:
    department: Department | None
    departments: list[Department]
    size: int
    forced_ranking: bool
    within: bool = strawberry.field(description="every rating within the guideline")
    counts: list[RatingCount]
    placements: list[Placement]
    explanation: str

    @classmethod
    def of(cls, g: pm.CalibrationGroup, look: Lookup) -> CalibrationGroup:
        return cls(department=look.department(g.department),
                   departments=[d for d in map(look.department, g.departments) if d is not None],
                   size=g.size, forced_ranking=g.forced_ranking, within=g.within,
                   counts=[RatingCount.of(c) for c in g.counts],
                   placements=[Placement.of(p, look) for p in g.placements],
                   explanation=g.explanation)


# -- training needs --------------------------------------------------------------------------


@strawberry.type(description="A competency the current position requires at a higher level")
class TrainingGap:
    competency: Competency | None
    required: int
    held: int
    weight: float
    missing: int = strawberry.field(description="required − held")
    priority: float = strawberry.field(description="weight × missing levels")

    @classmethod
    def of(cls, g: pm.CompetencyGap, look: Lookup) -> TrainingGap:
        return cls(competency=look.competency(g.competency), required=g.required, held=g.held,
                   weight=g.weight, missing=g.missing, priority=g.priority)


@strawberry.type(description=f"Someone rated needs_improvement or with a KPI alert, and the "
                             f"gaps of their current position, highest priority first ({SEE})")
class TrainingNeed:
    employee: Employee | None
    period: str
    position: Position | None
    department: Department | None
    rating: AppraisalRating | None
    alerts: int
    gaps: list[TrainingGap]
    explanation: str

    @classmethod
    def of(cls, n: pm.TrainingNeed, look: Lookup) -> TrainingNeed:
        return cls(employee=look.employee(n.employee), period=n.period,
                   position=look.position(n.position), department=look.department(n.department),
                   rating=rating(n.rating), alerts=n.alerts,
                   gaps=[TrainingGap.of(g, look) for g in n.gaps], explanation=n.explanation)


@strawberry.type(description="A competency among a department's training needs")
class CompetencyDemand:
    competency: Competency | None
    employees: int = strawberry.field(description="how many of the needs lack it")
    total_priority: float

    @classmethod
    def of(cls, c: pm.CompetencyDemand, look: Lookup) -> CompetencyDemand:
        return cls(competency=look.competency(c.competency), employees=c.employees,
                   total_priority=c.total_priority)


@strawberry.type(description="The training needs of a department with those below it (null: "
                             "the organisation)")
class DepartmentTrainingNeeds:
    department: Department | None
    employees: int = strawberry.field(description="how many people need training")
    competencies: list[CompetencyDemand] = strawberry.field(
        description="most employees first, then total priority, then id")

    @classmethod
    def of(cls, d: pm.DepartmentTrainingNeeds, look: Lookup) -> DepartmentTrainingNeeds:
        return cls(department=look.department(d.department), employees=len(d.needs),
                   competencies=[CompetencyDemand.of(c, look) for c in d.competencies])


@strawberry.type(description=f"培训需求: the training needs of a period ({SEE})")
class TrainingNeeds:
    period: str
    needs: list[TrainingNeed] = strawberry.field(description="by employee id")
    departments: list[DepartmentTrainingNeeds] = strawberry.field(
        description="the department asked for (or the organisation) first, then those below "
                    "it")


# -- objectives ------------------------------------------------------------------------------


@strawberry.type(description=f"A key result's progress ({SEE})")
class KeyResultProgress:
    key_result: KeyResult | None
    progress: float = strawberry.field(
        description="clamp((current − start) / (target − start), 0, 1)")
    weight: float
    kpis: list[Kpi] = strawberry.field(description="the KPIs serving it")


@strawberry.type(description=f"An objective with its progress, key results and children ({SEE})")
class ObjectiveProgress:
    objective: Objective | None
    department: Department | None = strawberry.field(description="null: company-wide")
    weight: float
    progress: float | None = strawberry.field(
        description="Σ wᵢ·progressᵢ / Σ wᵢ over its key results and children with progress "
                    "(null: nothing to average)")
    percent: float | None = strawberry.field(description="100 × progress, one decimal")
    aligned: bool = strawberry.field(
        description="its parent is company-wide, of its own department or of one above it")
    explanation: str
    key_results: list[KeyResultProgress]
    children: list[ObjectiveProgress] = strawberry.field(
        description="the objectives supporting it, by id")


@strawberry.type(description="A department's progress: the weighted mean of its objectives "
                             "whose parent is not of the same department")
class DepartmentProgress:
    department: Department | None
    progress: float | None


@strawberry.type(description="A position's KPI that serves no key result")
class UnalignedKpi:
    position: Position | None
    kpi: Kpi | None
    explanation: str


@strawberry.type(description=f"目标 (OKR): the objectives of a period as a tree, with progress "
                             f"and alignment ({SEE})")
class ObjectiveTree:
    period: str
    department: Department | None
    progress: float | None = strawberry.field(
        description="the department's progress, or the company's without one")
    formula: str
    objectives: list[ObjectiveProgress] = strawberry.field(
        description="the top of the tree: the objectives whose parent is not shown, by id")
    all: list[ObjectiveProgress] = strawberry.field(
        description="every objective shown (of the department and below, or all), by id: the "
                    "tree flat")
    departments: list[DepartmentProgress]
    misaligned: list[ObjectiveProgress] = strawberry.field(
        description="objectives supporting one of another department that is not above theirs")
    unaligned_kpis: list[UnalignedKpi] = strawberry.field(
        description="the KPIs of the positions in scope that serve no key result")
