"""Query fields of performance management (README, *Performance management*): thin resolvers
over :mod:`graph.performance`, which loads a period from the graph (inside the caller's scope)
and computes with :mod:`domain.performance`.

Every field takes a ``period`` (``YYYY``, ``YYYY-Qn``, ``YYYY-Hn`` or ``YYYY-MM``; BAD_INPUT
otherwise) and most an optional ``department`` (with every department below it; NOT_FOUND when
unknown). People the caller may not see, or whose KPI results and feedback it may not read,
are left out of every answer as if they did not exist.
"""

# no `from __future__ import annotations`: strawberry reads the annotations below

from collections.abc import Sequence
from typing import Annotated, Any

import strawberry

from domain import performance as pm
from domain.errors import InvalidInput, NotFound
from graph import performance as gp
from resolvers.context import Info
from resolvers.query import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ConnectionEdge,
    PageInfo,
    decode_cursor,
    encode_cursor,
)
from schema.gql.performance import (
    SEE,
    Appraisal,
    AppraisalRating,
    CalibrationGroup,
    DepartmentProgress,
    DepartmentTrainingNeeds,
    KeyResultProgress,
    KpiAlert,
    Lookup,
    ObjectiveProgress,
    ObjectiveTree,
    RatingDistribution,
    TrainingNeed,
    TrainingNeeds,
    UnalignedKpi,
)

Period = Annotated[str, strawberry.argument(
    description="YYYY, YYYY-Qn, YYYY-Hn or YYYY-MM (e.g. 2026-Q1)")]
Scope = Annotated[strawberry.ID | None, strawberry.argument(
    description="the department (with all below it) to ask about; the whole organisation if "
                "left out")]


def _id(value: strawberry.ID | None) -> str | None:
    return None if value is None else str(value)


def _settings(info: Info) -> pm.AppraisalSettings:
    return info.context.appraisal


def _lookup(data: gp.PeriodData) -> Lookup:
    return Lookup(employees=data.employees, positions=data.positions,
                  departments=data.departments, kpis=data.kpis, key_results=data.key_results,
                  objectives=data.objectives)


def _appraisal(a: pm.Appraisal, data: gp.PeriodData, look: Lookup) -> Appraisal:
    return Appraisal.of(a, look, data.position_of(a.employee), data.department_of(a.employee))


async def _shown(info: Info, data: gp.PeriodData,
                 appraisals: list[pm.Appraisal]) -> list[Appraisal]:
    """``appraisals`` as answered: managers named, people's records read (as the caller may
    see them)."""
    graph, visibility = info.context.graph, info.context.visibility
    named = await gp.name_managers(graph, data, appraisals, visibility)
    await gp.load_people(graph, data, (a.employee for a in named), visibility)
    look = _lookup(data)
    return [_appraisal(a, data, look) for a in named]


def _selects(selections: Sequence[Any], name: str) -> bool:
    """Whether a selection (fragments included) asks for the field ``name`` at any depth."""
    for s in selections:
        if getattr(s, "name", None) == name or _selects(getattr(s, "selections", ()), name):
            return True
    return False


@strawberry.type(description="A page of appraisals, Relay style, with the distribution of "
                             "ratings over every page")
class AppraisalConnection:
    edges: list[ConnectionEdge[Appraisal]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="appraisals matching, over all pages")
    distribution: RatingDistribution = strawberry.field(
        description="the ratings of every appraisal in scope (before the rating filter)")


def _objective(o: pm.ObjectiveProgress, found: gp.Objectives, look: Lookup,
               kids: dict[str, list[str]], by_id: dict[str, pm.ObjectiveProgress],
               seen: frozenset[str] = frozenset()) -> ObjectiveProgress:
    children = [_objective(by_id[c], found, look, kids, by_id, seen | {o.objective})
                for c in kids.get(o.objective, []) if c not in seen and c in by_id]
    return ObjectiveProgress(
        objective=look.objective(o.objective), department=look.department(o.department),
        weight=o.weight, progress=o.progress, percent=o.percent, aligned=o.aligned,
        explanation=o.explanation,
        key_results=[KeyResultProgress(
            key_result=look.key_result(k.key_result), progress=k.progress, weight=k.weight,
            kpis=[x for x in map(look.kpi, found.kpis_of.get(k.key_result, ())) if x is not None])
            for k in o.key_results],
        children=children)


def _tree(found: gp.Objectives) -> ObjectiveTree:
    look = Lookup(positions=found.positions, departments=found.departments, kpis=found.kpis,
                  key_results=found.key_results, objectives=found.records)
    by_id = {o.objective: o for o in found.report.objectives}
    kids: dict[str, list[str]] = {}
    for o in found.report.objectives:
        if o.parent is not None and o.parent in by_id:
            kids.setdefault(o.parent, []).append(o.objective)
    shown = set(found.shown)
    roots = [by_id[k] for k in found.shown if by_id[k].parent not in shown]
    return ObjectiveTree(
        period=found.period, department=look.department(found.department),
        progress=found.progress, formula=found.report.formula,
        objectives=[_objective(o, found, look, kids, by_id) for o in roots],
        all=[_objective(by_id[k], found, look, kids, by_id) for k in found.shown],
        departments=[DepartmentProgress(department=look.department(d), progress=p)
                     for d, p in found.report.departments
                     if found.department is None or d in {
                         by_id[k].department for k in found.shown}],
        misaligned=[_objective(by_id[k], found, look, kids, by_id) for k in found.shown
                    if not by_id[k].aligned],
        unaligned_kpis=[UnalignedKpi(position=look.position(u.position), kpi=look.kpi(u.kpi),
                                     explanation=u.explanation) for u in found.unaligned])


class PerformanceQueries:
    """Query fields merged into the root Query type (resolvers/schema.py)."""

    @strawberry.field(description=f"目标 (OKR): the objectives whose period overlaps this one "
                                  f"(a year's count in its quarters) as a tree, with key "
                                  f"results, the KPIs serving them, progress and alignment "
                                  f"({SEE})")
    async def objective_progress(self, info: Info, period: Period,
                         department: Scope = None) -> ObjectiveTree:
        found = await gp.objectives_for(info.context.graph, period, _id(department),
                                        info.context.visibility)
        return _tree(found)

    @strawberry.field(description=f"绩效考核: an employee's appraisal for a period, every term "
                                  f"shown ({SEE}). NOT_FOUND for someone you may not see or who "
                                  "held no position in the period")
    async def appraisal(
            self, info: Info, employee: strawberry.ID, period: Period,
            base_bonus: Annotated[float | None, strawberry.argument(
                description="the bonus at multiplier 1; bonus = multiplier × baseBonus")] = None,
    ) -> Appraisal:
        graph, visibility = info.context.graph, info.context.visibility
        data = await gp.load_period(graph, period, None, visibility, employees=[str(employee)])
        if str(employee) not in data.appraised:
            raise NotFound(f"no appraisal of employee {str(employee)!r} for {period}: no such "
                           "employee, or no position held in the period", field="employee")
        found = await gp.appraisals_loaded(data, _settings(info), base_bonus)
        return (await _shown(info, data, found))[0]

    @strawberry.field(description=f"Every appraisal of a period (everyone holding a position in "
                                  f"it, incomplete ones included), by employee id, paged "
                                  f"(first: 1-{MAX_PAGE_SIZE}); rating: only those rated so; "
                                  "distribution: the ratings over every page")
    async def appraisals(self, info: Info, period: Period, department: Scope = None,
                         rating: AppraisalRating | None = None,
                         base_bonus: float | None = None,
                         first: int = DEFAULT_PAGE_SIZE,
                         after: str | None = None) -> AppraisalConnection:
        if not 1 <= first <= MAX_PAGE_SIZE:
            raise InvalidInput(f"first must be between 1 and {MAX_PAGE_SIZE}, not {first}",
                               field="first")
        offset = decode_cursor(after) + 1 if after else 0
        data = await gp.load_period(info.context.graph, period, _id(department),
                                    info.context.visibility)
        everyone = await gp.appraisals_loaded(data, _settings(info))
        matching = [a for a in everyone if rating is None or a.rating == rating.value]
        window = matching[offset:offset + first]
        if base_bonus is not None:
            window = [pm.with_bonus(a, base_bonus, _settings(info)) for a in window]
        shown = await _shown(info, data, window)
        edges = [ConnectionEdge(cursor=encode_cursor(offset + i), node=a)
                 for i, a in enumerate(shown)]
        return AppraisalConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=offset + first < len(matching),
                               has_previous_page=offset > 0,
                               start_cursor=edges[0].cursor if edges else None,
                               end_cursor=edges[-1].cursor if edges else None),
            total_count=len(matching), distribution=RatingDistribution.of(everyone))

    @strawberry.field(description=f"绩效校准: the calibration groups of a department (or the "
                                  f"organisation) for a period, bottom-up, groups under "
                                  f"min_group_size merged into their parent's; the counts per "
                                  f"rating against the guideline ({SEE})")
    async def calibration(self, info: Info, period: Period,
                          department: Scope = None) -> list[CalibrationGroup]:
        graph, visibility = info.context.graph, info.context.visibility
        data = await gp.load_period(graph, period, _id(department), visibility)
        s = _settings(info)
        groups = gp.calibrate_loaded(data, await gp.appraisals_loaded(data, s), s)
        if _selects(info.selected_fields, "placements"):
            await gp.load_people(graph, data, (p.employee for g in groups
                                               for p in g.placements), visibility)
        look = _lookup(data)
        return [CalibrationGroup.of(g, look) for g in groups]

    @strawberry.field(description=f"KPI results below the alert threshold (70 % of target) in a "
                                  f"period, by employee then KPI, with the manager, key result "
                                  f"and objective ({SEE})")
    async def kpi_alerts(self, info: Info, period: Period,
                         department: Scope = None) -> list[KpiAlert]:
        graph, visibility = info.context.graph, info.context.visibility
        data = await gp.load_period(graph, period, _id(department), visibility)
        alerted = [a for a in await gp.appraisals_loaded(data, _settings(info)) if a.alerts]
        named = await gp.name_managers(graph, data, alerted, visibility)
        await gp.load_people(graph, data, (a.employee for a in named), visibility)
        look = _lookup(data)
        return [KpiAlert.of(x, look) for a in named for x in a.alerts]

    @strawberry.field(description=f"培训需求: everyone rated needs_improvement or with a KPI alert "
                                  f"in a period, with the competency gaps of their current "
                                  f"position ranked by weight × missing levels, and per "
                                  f"department the competencies most lack ({SEE})")
    async def training_needs(self, info: Info, period: Period,
                             department: Scope = None) -> TrainingNeeds:
        graph, visibility = info.context.graph, info.context.visibility
        data = await gp.load_period(graph, period, _id(department), visibility)
        found = await gp.training_needs_loaded(
            graph, data, await gp.appraisals_loaded(data, _settings(info)), visibility)
        await gp.load_people(graph, data, (n.employee for d in found.departments
                                           for n in d.needs), visibility)
        look = Lookup(employees=data.employees, positions=data.positions,
                      departments=data.departments, competencies=found.competencies)
        return TrainingNeeds(
            period=found.period, needs=[TrainingNeed.of(n, look) for n in found.needs],
            departments=[DepartmentTrainingNeeds.of(d, look) for d in found.departments])
