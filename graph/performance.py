"""Performance management from the graph: what the appraisal formulas of
:mod:`domain.performance` need for one period, loaded with a few Cypher queries, and the entry
points that combine them (README, *Performance management*).

For a period (:func:`domain.periods.parse_period`) the loader reads the department tree, every
position with its department, the position it reports to and its KPIs (weight, direction,
default target), the KPIs' key results and objectives, every assignment (``HOLDS_POSITION``,
start and end date; one overlapping the period counts) and, for the people the caller may
appraise, their KPI results and feedback recorded for that period.

**Who is appraised.** Everyone holding a position on some day of the period; their *position
of the period* is the one of the overlapping assignment that started last (ties by position
id), and its department is theirs for the department filter (a department with all below it)
and for calibration. Their KPIs are those of every position held in the period (a KPI measuring
two of them counts once, for the position of the later assignment).

**Access.** KPI results and feedback are ``sensitive`` (the ontology): a caller gets the
appraisal of someone only when it sees that person (:meth:`graph.access.Visibility.person`,
the same scope as every other read) and reads values of that level about them, as for
performance reviews: managers their reporting line, ``hr`` its departments, everyone their own.
The predicate is applied inside the Cypher, so nobody else's results are read. A manager
named in an alert (whoever holds, during the period, the position the alerted one reports to,
or the next one up with a holder) is shown only when the caller sees that person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.errors import InvalidInput
from domain.fit import explain
from domain.performance import (
    Appraisal,
    AppraisalSettings,
    CalibrationGroup,
    CompetencyGap,
    DepartmentTrainingNeeds,
    Feedback,
    KeyResultInput,
    KpiAlert,
    KpiResult,
    ObjectiveInput,
    ObjectiveReport,
    TrainingNeed,
    UnalignedKpi,
    appraise,
    calibration,
    department_training_needs,
    objective_progress,
    training_need,
    unaligned_kpis,
)
from domain.periods import BadPeriod, Period, parse_period
from domain.records import Record
from graph.access import Visibility
from graph.boundary import department_scope
from graph.cache import StampedCache
from graph.changes import Touched
from graph.db import Graph
from graph.fit_loader import fit_model_for
from graph.repository import native, native_record
from schema.ontology import EdgeKind

#: what an appraisal reads about a person: a caller reading less sees appraisals of itself only
APPRAISAL_INPUTS: tuple[str, ...] = (
    "KpiResult", "Feedback", "HAS_KPI_RESULT", "RESULT_OF", "RECEIVED_FEEDBACK", "GIVEN_BY")
HOLDS, REPORTS_TO, MEASURED_BY = "HOLDS_POSITION", "REPORTS_TO", "MEASURED_BY"


def period_of(text: str, field_name: str = "period") -> Period:
    """The period, or BAD_INPUT naming the argument."""
    try:
        return parse_period(text)
    except BadPeriod as exc:
        raise InvalidInput(str(exc), field=field_name) from None


def appraisal_predicate(visibility: Visibility, var: str) -> str:
    """A Cypher predicate on an employee ``var``: the caller may see their appraisal (sees the
    person and reads KPI results and feedback about them)."""
    grant = visibility.grant
    needs = max(visibility.level(owner) for owner in APPRAISAL_INPUTS)
    if grant.may_read(needs):
        found = visibility.person(var)
    elif grant.may_read(needs, own=True):
        found = visibility.person(var, own_only=True)
    else:
        found = "false"
    return found or "true"


@dataclass(frozen=True)
class Held:
    """One assignment overlapping the period."""

    employee: str
    position: str
    start: date
    end: date | None


async def _rows(graph: Graph, query: str, **params: Any) -> list[Any]:
    found = await graph.read(query, **params)
    return list(found[0]["rows"]) if found else []


@dataclass
class Structure:
    """The organisation structure a period's answers use (public records)."""

    departments: dict[str, Record]
    parents: dict[str, str | None]
    positions: dict[str, Record]
    position_department: dict[str, str | None]
    reports_to: dict[str, str | None]
    measured: dict[str, list[tuple[str, float]]]
    kpis: dict[str, Record]
    #: KPI -> (key result, its objective), by key result
    serves: dict[str, list[tuple[str, str]]]
    key_results: dict[str, Record]
    objectives: dict[str, Record]


@dataclass
class PeriodData(Structure):
    """Everything the formulas need for one period (see the module docstring): the structure,
    and the period's assignments and people."""

    period: Period
    department: str | None
    #: employee -> assignments overlapping the period, the latest start first
    held: dict[str, list[Held]]
    #: the people appraised: in scope and appraisable by the caller, by id
    appraised: list[str] = field(default_factory=list)
    #: employee records (redacted for the caller) of the appraised and the managers shown
    employees: dict[str, Record] = field(default_factory=dict)
    results: dict[str, dict[str, tuple[float, float | None]]] = field(default_factory=dict)
    feedback: dict[str, list[Feedback]] = field(default_factory=dict)
    #: position -> the managers shown for it (ids the caller sees)
    managers: dict[str, list[str]] = field(default_factory=dict)

    def position_of(self, employee: str) -> str | None:
        """The employee's position of the period (the assignment that started last)."""
        held = self.held.get(employee)
        return held[0].position if held else None

    def department_of(self, employee: str) -> str | None:
        p = self.position_of(employee)
        return None if p is None else self.position_department.get(p)


async def _structure(graph: Graph) -> Structure:
    """The organisation structure: departments, positions, KPIs, what they serve."""
    cy = graph.cy
    dept = cy.o.department_class
    up = cy.step(EdgeKind(cy.o.department_tree.name, "out"), "", "up")
    drows = await _rows(graph, f"MATCH {cy.node('d', dept)} OPTIONAL MATCH (d){up} "
                               f"RETURN collect([properties(d), up.{cy.key(dept)}]) AS rows")
    departments = {str(r[0]["id"]): native_record(r[0]) for r in drows}
    parents = {str(r[0]["id"]): (None if r[1] is None else str(r[1])) for r in drows}
    weight = cy.rel_prop(MEASURED_BY, "weight")
    boss = cy.step(EdgeKind(REPORTS_TO, "out"), "", "b")
    prows = await _rows(
        graph, f"MATCH {cy.node('p', 'Position')} "
               f"OPTIONAL MATCH {cy.department_of('Position', 'p', 'd')} "
               f"OPTIONAL MATCH (p){boss} "
               f"RETURN collect([properties(p), d.{cy.key(dept)}, b.{cy.key('Position')}, "
               f"[(p)-[m:{cy.rel(MEASURED_BY)}]->(x:{cy.label('KPI')}) | "
               f"[x.{cy.key('KPI')}, m.{weight}]]]) AS rows")
    positions: dict[str, Record] = {}
    pdept: dict[str, str | None] = {}
    reports: dict[str, str | None] = {}
    measured: dict[str, list[tuple[str, float]]] = {}
    for p, d, b, kpis in prows:
        key = str(p["id"])
        positions[key] = native_record(p)
        pdept[key] = None if d is None else str(d)
        reports[key] = None if b is None else str(b)
        measured[key] = sorted((str(k), float(w or 0)) for k, w in kpis if k is not None)
    krows = await _rows(
        graph, f"MATCH {cy.node('x', 'KPI')} RETURN collect([properties(x), "
               f"[(x)-[:{cy.rel('SERVES')}]->(k:{cy.label('KeyResult')})"
               f"-[:{cy.rel('KEY_RESULT_OF')}]->(o:{cy.label('Objective')}) | "
               f"[properties(k), properties(o)]]]) AS rows")
    kpis_ = {str(r[0]["id"]): native_record(r[0]) for r in krows}
    key_results = {str(k["id"]): native_record(k) for r in krows for k, _ in r[1]}
    objectives = {str(o["id"]): native_record(o) for r in krows for _, o in r[1]}
    serves = {str(r[0]["id"]): sorted((str(k["id"]), str(o["id"])) for k, o in r[1])
              for r in krows}
    return Structure(departments, parents, positions, pdept, reports, measured, kpis_, serves,
                     key_results, objectives)


async def _all_assignments(graph: Graph) -> tuple[Held, ...]:
    """Every assignment (``HOLDS_POSITION``) with a start date."""
    cy = graph.cy
    start, end = cy.rel_prop(HOLDS, "start_date"), cy.rel_prop(HOLDS, "end_date")
    rows = await _rows(
        graph, f"MATCH {cy.node('e', 'Employee')}-[h:{cy.rel(HOLDS)}]->{cy.node('p', 'Position')} "
               f"RETURN collect([e.{cy.key('Employee')}, p.{cy.key('Position')}, h.{start}, "
               f"h.{end}]) AS rows")
    found = []
    for e, p, s, x in rows:
        s, x = native(s), native(x)
        if s is not None:
            found.append(Held(str(e), str(p), s, x))
    return tuple(found)


def _assignments(all_held: Sequence[Held], period: Period) -> dict[str, list[Held]]:
    """Every assignment overlapping the period, per employee, the latest start first."""
    held: dict[str, list[Held]] = {}
    for h in all_held:
        if period.overlaps(h.start, h.end):
            held.setdefault(h.employee, []).append(h)
    for items in held.values():
        items.sort(key=lambda h: (-h.start.toordinal(), h.position))
    return held


@dataclass(frozen=True)
class _Organisation:
    """The public structure and every assignment: what every period's answers start from,
    kept per graph in step with the change stamp (:mod:`graph.cache`)."""

    structure: Structure
    assignments: tuple[Held, ...]


async def _build_organisation(graph: Graph, _old: _Organisation | None) -> _Organisation:
    return _Organisation(await _structure(graph), await _all_assignments(graph))


#: writes to records of these classes leave the structure and the assignments as they were
#: (results and feedback are read for each request, for the people it appraises)
_NOT_STRUCTURE = frozenset({"KpiResult", "Feedback", "PerformanceReview", "Contract"})


async def _update_organisation(graph: Graph, old: _Organisation,
                               touched: list[Touched]) -> _Organisation | None:
    return old if all(class_name in _NOT_STRUCTURE for class_name, _ in touched) else None


_organisations: StampedCache[_Organisation] = StampedCache(_build_organisation,
                                                           _update_organisation)


async def _visible(graph: Graph, keys: Sequence[str], predicate: str,
                   visibility: Visibility) -> set[str]:
    if not keys:
        return set()
    cy = graph.cy
    rows = await _rows(graph, f"UNWIND $keys AS k MATCH {cy.node('e', 'Employee', 'k')} "
                              f"WHERE {predicate} RETURN collect(k) AS rows",
                       keys=list(keys), **visibility.params)
    return {str(k) for k in rows}


async def _people(graph: Graph, keys: Sequence[str], period: Period, visibility: Visibility,
                  ) -> tuple[dict[str, Record], dict[str, dict[str, tuple[float, float | None]]],
                             dict[str, list[Feedback]]]:
    """The records, the period's KPI results and feedback of people the caller appraises
    (checked again inside the query)."""
    cy = graph.cy
    if not keys:
        return {}, {}, {}
    kr, fb = "KpiResult", "Feedback"
    rows = await graph.read(
        f"UNWIND $keys AS k MATCH {cy.node('e', 'Employee', 'k')} "
        f"WHERE {appraisal_predicate(visibility, 'e')} "
        f"RETURN k, properties(e) AS e, "
        f"[(e)-[:{cy.rel('HAS_KPI_RESULT')}]->(r:{cy.label(kr)})-[:{cy.rel('RESULT_OF')}]->"
        f"(x:{cy.label('KPI')}) WHERE r.{cy.prop(kr, 'period')} = $period | "
        f"[x.{cy.key('KPI')}, r.{cy.prop(kr, 'actual')}, r.{cy.prop(kr, 'target')}]] AS results, "
        f"[(e)-[:{cy.rel('RECEIVED_FEEDBACK')}]->(f:{cy.label(fb)})-[:{cy.rel('GIVEN_BY')}]->"
        f"(g:{cy.label('Employee')}) WHERE f.{cy.prop(fb, 'period')} = $period | "
        f"[g.{cy.key('Employee')}, f.{cy.prop(fb, 'relation')}, f.{cy.prop(fb, 'score')}]] "
        "AS feedback",
        keys=list(keys), period=period.text, **visibility.params)
    records: dict[str, Record] = {}
    results: dict[str, dict[str, tuple[float, float | None]]] = {}
    feedback: dict[str, list[Feedback]] = {}
    for row in rows:
        k = str(row["k"])
        records[k] = visibility.redact("Employee", native_record(row["e"]))
        results[k] = {str(x): (float(a), None if t is None else float(t))
                      for x, a, t in row["results"] if a is not None}
        feedback[k] = sorted((Feedback(str(g), rel, float(s)) for g, rel, s in row["feedback"]
                              if rel is not None and s is not None),
                             key=lambda f: (f.relation, f.reviewer))
    return records, results, feedback


async def _records(graph: Graph, keys: Sequence[str], visibility: Visibility
                   ) -> dict[str, Record]:
    if not keys:
        return {}
    cy = graph.cy
    rows = await _rows(graph, f"UNWIND $keys AS k MATCH {cy.node('e', 'Employee', 'k')} "
                              f"WHERE {visibility.person('e') or 'true'} "
                              "RETURN collect(properties(e)) AS rows",
                       keys=list(keys), **visibility.params)
    return {str(r["id"]): visibility.redact("Employee", native_record(r)) for r in rows}


def _holders_up(position: str, reports_to: Mapping[str, str | None],
                holders: Mapping[str, list[str]]) -> list[str]:
    """Whoever holds, in the period, the position ``position`` reports to; the next one up
    with a holder when it is vacant."""
    seen = {position}
    up = reports_to.get(position)
    while up is not None and up not in seen:
        if holders.get(up):
            return sorted(holders[up])
        seen.add(up)
        up = reports_to.get(up)
    return []


async def load_period(graph: Graph, period: str, department: str | None,
                      visibility: Visibility, employees: Sequence[str] | None = None,
                      ) -> PeriodData:
    """What the formulas need for ``period`` and ``department`` (see the module docstring);
    ``employees`` limits who is appraised. BAD_INPUT for a malformed period, NOT_FOUND for an
    unknown department, each naming its argument."""
    span = period_of(period)
    scope = await department_scope(graph, department)
    org = await _organisations.get(graph, visibility.stamp)
    t = org.structure
    held = _assignments(org.assignments, span)
    data = PeriodData(**vars(t), period=span, department=department, held=held)
    wanted = set(scope) if scope is not None else None
    candidates = sorted(e for e in held if (wanted is None or data.department_of(e) in wanted)
                        and (employees is None or e in employees))
    records, results, feedback = await _people(graph, candidates, span, visibility)
    data.appraised = sorted(records)
    data.employees, data.results, data.feedback = dict(records), results, feedback
    # managers of the positions the appraised hold
    holders: dict[str, list[str]] = {}
    for e, items in held.items():
        for h in items:
            holders.setdefault(h.position, []).append(e)
    wanted_positions = {h.position for e in data.appraised for h in held[e]}
    found = {p: _holders_up(p, t.reports_to, holders) for p in sorted(wanted_positions)}
    named = sorted({m for ms in found.values() for m in ms})
    seen = await _visible(graph, named, visibility.person("e") or "true", visibility)
    extra = [m for m in named if m in seen and m not in data.employees]
    data.employees.update(await _records(graph, extra, visibility))
    data.managers = {p: [m for m in ms if m in data.employees] for p, ms in found.items()}
    return data


def kpi_inputs(data: PeriodData, employee: str) -> list[KpiResult]:
    """The KPIs of every position ``employee`` held in the period, each with the period's
    result and the target that applies (their own when the result carries one)."""
    done: set[str] = set()
    out: list[KpiResult] = []
    results = data.results.get(employee, {})
    for h in data.held.get(employee, []):
        for kpi, weight in data.measured.get(h.position, []):
            if kpi in done:
                continue
            done.add(kpi)
            record = data.kpis.get(kpi, {})
            actual, own = results.get(kpi, (None, None))
            target = own if own is not None else record.get("target")
            served = data.serves.get(kpi, [])
            managers = data.managers.get(h.position, [])
            out.append(KpiResult(
                kpi=kpi, position=h.position, weight=weight,
                target=None if target is None else float(target), actual=actual,
                higher_is_better=record.get("direction") != "lower_is_better",
                name=str(record.get("name", "")),
                department=data.position_department.get(h.position),
                manager=", ".join(managers) or None,
                key_result=served[0][0] if served else None,
                objective=served[0][1] if served else None))
    return out


def appraise_loaded(data: PeriodData, settings: AppraisalSettings,
                    base_bonus: float | None = None) -> list[Appraisal]:
    """The appraisal of everyone :func:`load_period` loaded, by employee id."""
    return [appraise(e, data.period.text, kpi_inputs(data, e), data.feedback.get(e, []),
                     settings, base_bonus) for e in data.appraised]


def calibrate_loaded(data: PeriodData, appraisals: Sequence[Appraisal],
                     settings: AppraisalSettings) -> list[CalibrationGroup]:
    rated: dict[str, list[Appraisal]] = {}
    for a in appraisals:
        d = data.department_of(a.employee)
        if d is not None:
            rated.setdefault(d, []).append(a)
    return calibration(data.department, data.parents, rated, settings)


# -- the entry points ------------------------------------------------------------------------


async def appraisals_for(graph: Graph, period: str, department: str | None,
                         visibility: Visibility, settings: AppraisalSettings,
                         base_bonus: float | None = None) -> list[Appraisal]:
    """Every appraisal of ``period`` the caller may see (everyone holding a position on a day
    of it, in ``department`` and below when given; incomplete ones included), by employee."""
    data = await load_period(graph, period, department, visibility)
    return appraise_loaded(data, settings, base_bonus)


async def calibration_for(graph: Graph, period: str, department: str | None,
                          visibility: Visibility, settings: AppraisalSettings,
                          ) -> list[CalibrationGroup]:
    """The calibration groups of ``department`` (None: the organisation) for ``period``, over
    the people the caller may see."""
    data = await load_period(graph, period, department, visibility)
    return calibrate_loaded(data, appraise_loaded(data, settings), settings)


async def alerts_for(graph: Graph, period: str, department: str | None,
                     visibility: Visibility, settings: AppraisalSettings) -> list[KpiAlert]:
    """The KPI alerts of ``period`` (achievement below ``alert_threshold``), by employee then
    KPI; ``manager``: the ids of the managers shown, joined with ", "."""
    data = await load_period(graph, period, department, visibility)
    return [x for a in appraise_loaded(data, settings) for x in a.alerts]


@dataclass(frozen=True)
class TrainingNeeds:
    """The training needs of a period: per department (the asked one first, then those below
    it, pre-order; None = the organisation); ``competencies``: the records of the gaps'."""

    period: str
    departments: tuple[DepartmentTrainingNeeds, ...]
    competencies: dict[str, Record]

    @property
    def needs(self) -> tuple[TrainingNeed, ...]:
        return self.departments[0].needs if self.departments else ()


async def training_needs_loaded(graph: Graph, data: PeriodData,
                                appraisals: Sequence[Appraisal], visibility: Visibility,
                                as_of: date | None = None) -> TrainingNeeds:
    """Formula 10 over appraisals of :func:`load_period`: everyone rated needs_improvement or
    with a KPI alert, with the competency gaps of their current position (the fit model:
    required and assessed level, weight; ranked weight × missing levels)."""
    m = await fit_model_for(graph, visibility)
    day = as_of or date.today()
    needs: dict[str, list[TrainingNeed]] = {}
    competencies: dict[str, Record] = {}
    for a in appraisals:
        if a.rating != "needs_improvement" and not a.alerts:
            continue
        e = m.employees.find(a.employee)
        gaps: list[CompetencyGap] = []
        position = data.position_of(a.employee)
        if e is not None:
            current = sorted(str(m.positions.record(int(p))["id"]) for p in m.held_positions(e))
            if current and position not in current:
                position = current[0]
            p = m.positions.find(position) if position is not None and current else None
            if p is not None:
                for t in explain(m, e, p, day).terms:
                    record = m.competencies.record(t.competency)
                    key = str(record["id"])
                    competencies[key] = record
                    gaps.append(CompetencyGap(key, str(record.get("name", "")), t.required,
                                              t.actual, t.weight))
        need = training_need(a, gaps, position, data.position_department.get(position or ""))
        if need is not None and need.department is not None:
            needs.setdefault(need.department, []).append(need)
    return TrainingNeeds(data.period.text, tuple(
        department_training_needs(data.department, data.parents, needs)), competencies)


async def training_needs_for(graph: Graph, period: str, department: str | None,
                             visibility: Visibility, settings: AppraisalSettings,
                             as_of: date | None = None) -> TrainingNeeds:
    """The training needs of ``period`` (:func:`training_needs_loaded`), grouped by
    department."""
    data = await load_period(graph, period, department, visibility)
    return await training_needs_loaded(graph, data, appraise_loaded(data, settings),
                                       visibility, as_of)


@dataclass(frozen=True)
class Objectives:
    """The objectives of a period with their progress, and the KPIs that serve no key result.
    ``shown``: the objectives of the department asked for and below (all when none);
    ``records``, ``key_results``, ``kpis``: the records, ``kpis_of``: key result -> the KPIs
    serving it."""

    period: str
    department: str | None
    report: ObjectiveReport
    unaligned: tuple[UnalignedKpi, ...]
    shown: tuple[str, ...]
    records: dict[str, Record]
    key_results: dict[str, Record]
    kpis: dict[str, Record]
    kpis_of: dict[str, tuple[str, ...]]
    progress: float | None
    departments: dict[str, Record]
    positions: dict[str, Record]


async def objectives_for(graph: Graph, period: str, department: str | None,
                         visibility: Visibility) -> Objectives:
    """The objectives whose period overlaps ``period`` (a year's objectives count in its
    quarters), their key results' and their own progress, the alignment flags, and the KPIs
    of the positions in scope that serve no key result. Organisation structure only: the
    same for every caller (``visibility`` is not needed to read it)."""
    span = period_of(period)
    scope = await department_scope(graph, department)
    cy = graph.cy
    o_, k_ = "Objective", "KeyResult"
    dept = cy.o.department_class
    orows = await _rows(
        graph, f"MATCH {cy.node('o', o_)} "
               f"OPTIONAL MATCH (o)-[:{cy.rel('FOR_DEPARTMENT')}]->(d:{cy.label(dept)}) "
               f"OPTIONAL MATCH (o)-[:{cy.rel('SUPPORTS')}]->(up:{cy.label(o_)}) "
               f"RETURN collect([properties(o), d.{cy.key(dept)}, up.{cy.key(o_)}]) AS rows")
    objectives: dict[str, tuple[Record, str | None, str | None]] = {}
    for o, d, up in orows:
        record = native_record(o)
        try:
            their = parse_period(str(record.get("period")))
        except BadPeriod:
            continue
        if their.start <= span.end and their.end >= span.start:
            objectives[str(record["id"])] = (record, None if d is None else str(d),
                                             None if up is None else str(up))
    krows = await _rows(
        graph, f"MATCH {cy.node('k', k_)}-[:{cy.rel('KEY_RESULT_OF')}]->{cy.node('o', o_)} "
               "WHERE o." + cy.key(o_) + " IN $objectives "
               f"RETURN collect([properties(k), o.{cy.key(o_)}, "
               f"[(x:{cy.label('KPI')})-[:{cy.rel('SERVES')}]->(k) | properties(x)]]) AS rows",
        objectives=sorted(objectives))
    key_results: dict[str, Record] = {}
    kpis: dict[str, Record] = {}
    kpis_of: dict[str, tuple[str, ...]] = {}
    inputs: list[KeyResultInput] = []
    for k, o, xs in krows:
        record = native_record(k)
        key = str(record["id"])
        key_results[key] = record
        for x in xs:
            kpis[str(x["id"])] = native_record(x)
        kpis_of[key] = tuple(sorted(str(x["id"]) for x in xs))
        inputs.append(KeyResultInput(
            key, str(o), float(record.get("start") or 0), float(record["target"]),
            None if record.get("current") is None else float(record["current"]),
            float(record.get("weight") or 1), str(record.get("title", "")),
            record.get("direction") != "lower_is_better"))
    t = await _structure(graph)
    report = objective_progress(
        [ObjectiveInput(k, d, up, float(r.get("weight") or 1), str(r.get("title", "")))
         for k, (r, d, up) in sorted(objectives.items())], inputs, t.parents)
    wanted = set(scope) if scope is not None else None
    shown = tuple(k for k, (_, d, _) in sorted(objectives.items())
                  if wanted is None or d in wanted)
    in_scope = [(p, k) for p, ks in t.measured.items() for k, _ in ks
                if wanted is None or t.position_department.get(p) in wanted]
    unaligned = unaligned_kpis(in_scope, {k: [kr for kr, _ in v] for k, v in t.serves.items()})
    kpis.update({k: t.kpis[k] for _, k in in_scope if k in t.kpis})
    progress = report.company if department is None else dict(report.departments).get(department)
    return Objectives(span.text, department, report, tuple(unaligned), shown,
                      {k: r for k, (r, _, _) in objectives.items()}, key_results, kpis, kpis_of,
                      progress, t.departments, t.positions)
