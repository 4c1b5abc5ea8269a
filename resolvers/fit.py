"""Query fields for fit and succession: thin resolvers over :mod:`domain.fit` and
:mod:`domain.succession`.

Each field takes this process' fit model of the graph (:func:`graph.fit_loader.fit_model`: one
read of the change stamp, reloading what writes touched), so an answer reflects every write
that committed before the request, through this app or any other serving the same graph.
``asOf`` (default: today) is the date certificates must be valid on.
"""

# no `from __future__ import annotations`: strawberry reads the resolvers' annotations

from datetime import date
from typing import Annotated

import strawberry

from domain import fit as domain
from domain import succession
from domain.fit_model import LEVELS
from graph.fit_loader import fit_model_for
from resolvers.context import Info
from schema.gql import fit as gql
from schema.gql.enums import Level
from schema.gql.fit import (
    BandCounts,
    BenchStrength,
    CapableEmployee,
    CompetencyCoverage,
    FitScore,
    Mismatch,
    NineBox,
    ReadinessThresholds,
    SuccessionCandidate,
    SuccessionPlan,
    SuccessionRisk,
)

AsOf = Annotated[date | None, strawberry.argument(
    description="the date certificates must be valid on (default: today)")]


def _day(as_of: date | None) -> date:
    return as_of or date.today()


def _thresholds(thresholds: ReadinessThresholds | None) -> succession.Thresholds:
    return (thresholds or ReadinessThresholds()).to_domain()


async def resolve_fit(info: Info, employee: strawberry.ID, position: strawberry.ID,
                      as_of: AsOf = None) -> FitScore:
    m = await fit_model_for(info.context.graph, info.context.visibility)
    e = m.employee(str(employee))
    p = m.positions.get(str(position), "Position", "position")
    day = _day(as_of)
    ex = domain.explain(m, e, p, day)
    return FitScore.of(m, domain.Scored(e, p, ex.score, ex.eligible), day)


async def resolve_candidates(info: Info, position: strawberry.ID, first: int = 20,
                             eligible_only: bool = False, department: strawberry.ID | None = None,
                             min_fit: float | None = None, grade_min: int | None = None,
                             grade_max: int | None = None,
                             as_of: AsOf = None) -> list[FitScore]:
    m = await fit_model_for(info.context.graph, info.context.visibility)
    day = _day(as_of)
    found = domain.candidates(m, str(position), day, first=first, eligible_only=eligible_only,
                              department=None if department is None else str(department),
                              min_fit=min_fit, grade_min=grade_min, grade_max=grade_max)
    return [FitScore.of(m, s, day) for s in found]


async def resolve_career_moves(info: Info, employee: strawberry.ID, first: int = 20,
                               max_grade_step: int | None = None, eligible_only: bool = False,
                               as_of: AsOf = None) -> list[FitScore]:
    m = await fit_model_for(info.context.graph, info.context.visibility)
    day = _day(as_of)
    found = domain.career_moves(m, str(employee), day, first=first,
                                max_grade_step=max_grade_step, eligible_only=eligible_only)
    return [FitScore.of(m, s, day) for s in found]


async def resolve_mismatches(info: Info, department: strawberry.ID | None = None,
                             threshold: float = domain.DEFAULT_THRESHOLD,
                             as_of: AsOf = None) -> list[Mismatch]:
    m = await fit_model_for(info.context.graph, info.context.visibility)
    day = _day(as_of)
    found = domain.mismatches(m, day, department=None if department is None else str(department),
                              threshold=threshold)
    return [Mismatch(fit=FitScore.of(m, x.scored, day), reasons=list(x.reasons)) for x in found]


async def resolve_who_can(info: Info, competency: strawberry.ID, min_level: int = 1,
                          certificate: strawberry.ID | None = None,
                          department: strawberry.ID | None = None,
                          as_of: AsOf = None) -> list[CapableEmployee]:
    m = await fit_model_for(info.context.graph, info.context.visibility)
    found = domain.who_can(m, str(competency), _day(as_of), min_level=min_level,
                           certificate=None if certificate is None else str(certificate),
                           department=None if department is None else str(department))
    return [CapableEmployee(employee=gql.employee(m, c.employee), level=c.level,
                            certificate_expires_on=c.certificate_expires_on) for c in found]


async def resolve_team_coverage(info: Info, department: strawberry.ID) -> list[CompetencyCoverage]:
    m = await fit_model_for(info.context.graph, info.context.visibility)
    return [CompetencyCoverage.of(m, c) for c in domain.team_coverage(m, str(department))]


async def resolve_succession_plan(info: Info, position: strawberry.ID, first: int = 10,
                                  thresholds: ReadinessThresholds | None = None,
                                  as_of: AsOf = None) -> SuccessionPlan:
    m = await fit_model_for(info.context.graph, info.context.visibility)
    day = _day(as_of)
    plan = succession.succession_plan(m, str(position), day, _thresholds(thresholds), first)
    return SuccessionPlan(
        position=gql.position(m, plan.position), as_of=day, counts=BandCounts.of(plan.counts),
        candidates=[SuccessionCandidate.of(m, s, day) for s in plan.candidates],
        nominations=[SuccessionCandidate.of(m, s, day) for s in plan.nominations])


async def resolve_bench_strength(info: Info, positions: list[strawberry.ID] | None = None,
                                 uncovered_only: bool = False,
                                 thresholds: ReadinessThresholds | None = None,
                                 as_of: AsOf = None) -> list[BenchStrength]:
    m = await fit_model_for(info.context.graph, info.context.visibility)
    found = succession.bench_strength(
        m, _day(as_of), _thresholds(thresholds),
        None if positions is None else [str(p) for p in positions])
    return [BenchStrength.of(m, b) for b in found if not (uncovered_only and b.covered)]


async def resolve_succession_risks(info: Info, thresholds: ReadinessThresholds | None = None,
                                   as_of: AsOf = None) -> list[SuccessionRisk]:
    m = await fit_model_for(info.context.graph, info.context.visibility)
    found = succession.succession_risks(m, _day(as_of), _thresholds(thresholds))
    risk = m.per_employee.flight_risk
    return [SuccessionRisk(employee=gql.employee(m, r.employee),
                           position=gql.position(m, r.bench.position),
                           flight_risk=Level(LEVELS[int(risk[r.employee])]),
                           bench=BenchStrength.of(m, r.bench)) for r in found]


async def resolve_nine_box(info: Info, department: strawberry.ID | None = None) -> NineBox:
    m = await fit_model_for(info.context.graph, info.context.visibility)
    box = succession.nine_box(m, None if department is None else str(department))
    return NineBox.of(m, box)


class FitQueries:
    """The fields :func:`resolvers.schema.extra_query_types` merges into Query."""

    fit = strawberry.field(
        resolver=resolve_fit,
        description=f"人岗匹配: how well an employee fits a position, explained term by term "
                    f"({gql.SEE})")
    candidates = strawberry.field(
        resolver=resolve_candidates,
        description="The employees who fit a position best (ties by id), not counting its "
                    "incumbents; filters: eligibleOnly, department (holds a position in it or "
                    "below), minFit, gradeMin/gradeMax (current grade). first: 1-100")
    career_moves = strawberry.field(
        resolver=resolve_career_moves,
        description="The positions an employee fits best (ties by id), not counting those "
                    "held; maxGradeStep 1 = at most one grade above the current one")
    mismatches = strawberry.field(
        resolver=resolve_mismatches,
        description="人岗错位: current incumbents whose fit to their own position is below "
                    "threshold (default 75) or who are not eligible; lowest fit first")
    who_can = strawberry.field(
        resolver=resolve_who_can,
        description="Employees at or above a level of a competency (optionally holding a "
                    "certificate valid on asOf, and in a department); highest level first")
    team_coverage = strawberry.field(
        resolver=resolve_team_coverage,
        description="For each competency the department's positions require: how many of "
                    "their incumbents meet the level")
    succession_plan = strawberry.field(
        resolver=resolve_succession_plan,
        description="继任者计划: computed successors in readiness bands (the first of each "
                    "band) and every nomination with its computed band beside")
    bench_strength = strawberry.field(
        resolver=resolve_bench_strength,
        description="Successors per band, computed and nominated, for the given positions "
                    "(default: every key position); uncoveredOnly: those with nobody ready "
                    "now or in 1-2 years")
    succession_risks = strawberry.field(
        resolver=resolve_succession_risks,
        description="Incumbents of key positions with high flight risk whose position has "
                    "nobody ready now (computed or nominated)")
    nine_box = strawberry.field(
        resolver=resolve_nine_box,
        description="九宫格 of a department's people (or everyone): performance by latest "
                    "rating, potential from the personnel file")
