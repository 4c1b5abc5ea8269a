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

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from domain.bulk import gc_paused
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
    with_bonus,
)
from domain.periods import BadPeriod, Period, parse_period
from domain.records import Record
from graph.access import Visibility
from graph.assignments import Held, assignments_of
from graph.boundary import department_scope
from graph.cache import StampedCache
from graph.changes import Touched
from graph.db import Graph, native_record
from graph.departments import departments_with_parents
from graph.fit_loader import fit_model_for
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
    #: position -> the managers shown for it (ids the caller sees), of :func:`load_managers`
    managers: dict[str, list[str]] = field(default_factory=dict)
    #: the period's book when everyone's answers are asked for (not a caller's: its scope is
    #: ``appraised``), and the organisation value the data comes from
    book: _Book | None = None
    org: _Organisation | None = None

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
    departments, parents = await departments_with_parents(graph)
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
    empty = Structure(departments, parents, positions, pdept, reports, measured, {}, {}, {},
                      {})
    return _with_kpis(empty, await _kpi_rows(graph))


async def _kpi_rows(graph: Graph, keys: Sequence[str] | None = None) -> list[Any]:
    """The KPIs (those of ``keys``; all when None), each with the key results it serves and
    their objectives."""
    cy = graph.cy
    head = "" if keys is None else "UNWIND $keys AS k "
    x = cy.node("x", "KPI") if keys is None else cy.node("x", "KPI", "k")
    return await _rows(
        graph, f"{head}MATCH {x} RETURN collect([properties(x), "
               f"[(x)-[:{cy.rel('SERVES')}]->(k:{cy.label('KeyResult')})"
               f"-[:{cy.rel('KEY_RESULT_OF')}]->(o:{cy.label('Objective')}) | "
               f"[properties(k), properties(o)]]]) AS rows", keys=list(keys or ()))


def _with_kpis(t: Structure, krows: Sequence[Any]) -> Structure:
    """``t`` with the KPIs of ``krows`` (:func:`_kpi_rows`) put in, replacing their old
    records and key results."""
    kpis_ = dict(t.kpis) | {str(r[0]["id"]): native_record(r[0]) for r in krows}
    key_results = dict(t.key_results) | {str(k["id"]): native_record(k)
                                         for r in krows for k, _ in r[1]}
    objectives = dict(t.objectives) | {str(o["id"]): native_record(o)
                                       for r in krows for _, o in r[1]}
    serves = dict(t.serves) | {str(r[0]["id"]): sorted((str(k["id"]), str(o["id"]))
                                                       for k, o in r[1]) for r in krows}
    return replace(t, kpis=kpis_, serves=serves, key_results=key_results,
                   objectives=objectives)


def _latest_first(items: list[Held]) -> list[Held]:
    return sorted(items, key=lambda h: (-h.start.toordinal(), h.position))


#: one period's KPI results of a person: KPI -> (actual, own target or None)
Results = dict[str, tuple[float, float | None]]


@dataclass
class _Book:
    """One period of the organisation, for everyone (no caller's scope): who held what, the
    KPI results and feedback recorded for it, and (per appraisal settings, computed on first
    use) everyone's appraisal with no manager named (managers depend on who may see them).
    Made once per period and value of :data:`_organisations`; a later value's book is brought
    up to date for the people a write touched (:func:`_update_book`)."""

    period: Period
    held: dict[str, list[Held]]
    holders: dict[str, list[str]]
    results: dict[str, Results]
    feedback: dict[str, list[Feedback]]
    #: KPI result and feedback ids -> their employee (whose appraisal a write of them changes)
    owners: dict[str, str]
    appraisals: dict[AppraisalSettings, dict[str, Appraisal]] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(frozen=True)
class _Organisation:
    """The public structure and every assignment (by employee and by position): what every
    period's answers start from, kept per graph in step with the change stamp
    (:mod:`graph.cache`); ``books``: the periods asked for so far."""

    structure: Structure
    by_employee: dict[str, list[Held]]
    by_position: dict[str, list[Held]]
    books: dict[str, _Book] = field(default_factory=dict, compare=False)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, compare=False)

    @classmethod
    def of(cls, structure: Structure, assignments: Sequence[Held]) -> _Organisation:
        by_employee: dict[str, list[Held]] = {}
        by_position: dict[str, list[Held]] = {}
        for h in assignments:
            by_employee.setdefault(h.employee, []).append(h)
            by_position.setdefault(h.position, []).append(h)
        return cls(structure, {e: _latest_first(items) for e, items in by_employee.items()},
                   by_position)

    def held(self, period: Period, employees: Iterable[str] | None = None,
             ) -> dict[str, list[Held]]:
        """The assignments overlapping ``period`` (of ``employees``; all when None), per
        employee, the latest start first."""
        keys = self.by_employee if employees is None else employees
        found: dict[str, list[Held]] = {}
        for e in keys:
            items = [h for h in self.by_employee.get(e, ()) if period.overlaps(h.start, h.end)]
            if items:
                found[e] = items
        return found

    def holders(self, period: Period, position: str) -> list[str]:
        """Who holds ``position`` on some day of ``period``, by id."""
        return sorted({h.employee for h in self.by_position.get(position, ())
                       if period.overlaps(h.start, h.end)})

    async def book(self, graph: Graph, period: Period) -> _Book:
        """The period's book, read on first use (two queries, everyone's results and
        feedback of the period)."""
        found = self.books.get(period.text)
        if found is not None:
            return found
        async with self.lock:
            found = self.books.get(period.text)
            if found is None:
                held = self.held(period)
                holders: dict[str, list[str]] = {}
                for e, items in held.items():
                    for h in items:
                        holders.setdefault(h.position, []).append(e)
                results, feedback, owners = await _inputs(graph, period)
                found = _Book(period, held, {p: sorted(es) for p, es in holders.items()},
                              results, feedback, owners)
                self.books[period.text] = found
        return found


async def _inputs(graph: Graph, period: Period, employees: Sequence[str] | None = None,
                  predicate: str = "true", params: Mapping[str, Any] | None = None,
                  ) -> tuple[dict[str, Results], dict[str, list[Feedback]], dict[str, str]]:
    """The KPI results and feedback recorded for ``period`` (of ``employees``, all when None,
    of those meeting ``predicate`` on ``e``), per employee, and their ids' employees. One
    collected list per query: the engine's rows cost far more one by one."""
    cy = graph.cy
    kr, fb = "KpiResult", "Feedback"
    head = "" if employees is None else "UNWIND $keys AS k "
    e = cy.node("e", "Employee") if employees is None else cy.node("e", "Employee", "k")
    args = {"keys": list(employees or ()), "period": period.text, **(params or {})}
    # the two queries run side by side (each read has a session of its own)
    rrows, frows = await asyncio.gather(_rows(
        graph, f"{head}MATCH {e}-[:{cy.rel('HAS_KPI_RESULT')}]->(r:{cy.label(kr)})"
               f"-[:{cy.rel('RESULT_OF')}]->(x:{cy.label('KPI')}) "
               f"WHERE r.{cy.prop(kr, 'period')} = $period AND {predicate} "
               f"RETURN collect([e.{cy.key('Employee')}, r.{cy.key(kr)}, x.{cy.key('KPI')}, "
               f"r.{cy.prop(kr, 'actual')}, r.{cy.prop(kr, 'target')}]) AS rows", **args),
        _rows(
        graph, f"{head}MATCH {e}-[:{cy.rel('RECEIVED_FEEDBACK')}]->(f:{cy.label(fb)})"
               f"-[:{cy.rel('GIVEN_BY')}]->(g:{cy.label('Employee')}) "
               f"WHERE f.{cy.prop(fb, 'period')} = $period AND {predicate} "
               f"RETURN collect([e.{cy.key('Employee')}, f.{cy.key(fb)}, g.{cy.key('Employee')}, "
               f"f.{cy.prop(fb, 'relation')}, f.{cy.prop(fb, 'score')}]) AS rows", **args))
    results: dict[str, Results] = {}
    feedback: dict[str, list[Feedback]] = {}
    owners: dict[str, str] = {}
    for emp, key, kpi, actual, target in rrows:
        owners[str(key)] = str(emp)
        if actual is not None:
            results.setdefault(str(emp), {})[str(kpi)] = (
                float(actual), None if target is None else float(target))
    for emp, key, reviewer, relation, score in frows:
        owners[str(key)] = str(emp)
        if relation is not None and score is not None:
            feedback.setdefault(str(emp), []).append(
                Feedback(str(reviewer), relation, float(score)))
    for items in feedback.values():
        items.sort(key=lambda f: (f.relation, f.reviewer))
    return results, feedback, owners


async def _build_organisation(graph: Graph, _old: _Organisation | None) -> _Organisation:
    structure, assignments = await asyncio.gather(_structure(graph), assignments_of(graph))
    return _Organisation.of(structure, assignments)


#: writes touching only records of these classes leave the structure as it was: the
#: assignments of the people touched are read again, so are the KPIs touched, and each period
#: read so far is brought up to date for the people whose appraisal may have changed
_PATCHABLE = frozenset({"KpiResult", "Feedback", "PerformanceReview", "Contract", "Employee",
                        "KPI"})


async def _update_organisation(graph: Graph, old: _Organisation,
                               touched: list[Touched]) -> _Organisation | None:
    if any(class_name not in _PATCHABLE for class_name, _ in touched):
        return None
    people = sorted({k for c, k in touched if c == "Employee"})
    kpis = sorted({k for c, k in touched if c == "KPI"})
    structure = old.structure
    if kpis:
        rows = await _kpi_rows(graph, kpis)
        if len(rows) != len(kpis):
            return None  # a KPI was deleted: positions' KPIs changed
        structure = _with_kpis(structure, rows)
    by_employee = dict(old.by_employee)
    by_position = dict(old.by_position)
    if people:
        fresh = await assignments_of(graph, people)
        for e in people:
            for h in old.by_employee.get(e, ()):
                by_position[h.position] = [x for x in by_position[h.position] if x != h]
            by_employee.pop(e, None)
        for h in fresh:
            by_employee.setdefault(h.employee, []).append(h)
            by_position[h.position] = [*by_position.get(h.position, ()), h]
        for e in people:
            if e in by_employee:
                by_employee[e] = _latest_first(by_employee[e])
    new = _Organisation(structure, by_employee, by_position)
    ids = {k for c, k in touched if c in ("KpiResult", "Feedback")}
    for text, book in old.books.items():
        new.books[text] = await _update_book(graph, old, new, book, people, kpis, ids)
    return new


async def _update_book(graph: Graph, old: _Organisation, new: _Organisation, book: _Book,
                       people: Sequence[str], kpis: Sequence[str], ids: set[str]) -> _Book:
    """``book`` for the new organisation value: the touched people's assignments, results and
    feedback read again, and the appraisals of everyone who may have changed computed again
    (the people touched, the owners of the results and feedback touched, and whoever held a
    position measured by a touched KPI in the period)."""
    span = book.period
    readers = set(people) | {book.owners[k] for k in ids if k in book.owners}
    held, holders = dict(book.held), dict(book.holders)
    changed_positions: set[str] = set()
    for e in people:
        for org in (old, new):
            changed_positions.update(h.position for h in org.by_employee.get(e, ()))
        held.pop(e, None)
    held.update(new.held(span, people))
    for p in changed_positions:
        found = new.holders(span, p)
        if found:
            holders[p] = found
        else:
            holders.pop(p, None)
    results, feedback, owners = dict(book.results), dict(book.feedback), dict(book.owners)
    for k in ids:
        owners.pop(k, None)
    for e in readers:
        results.pop(e, None)
        feedback.pop(e, None)
    if readers:
        r, f, o = await _inputs(graph, span, sorted(readers))
        results.update(r)
        feedback.update(f)
        owners.update(o)
    recompute = set(readers)
    measured_by = set(kpis)
    if measured_by:
        for org in (old, new):
            for p, items in org.structure.measured.items():
                if any(k in measured_by for k, _ in items):
                    recompute.update(org.holders(span, p))
    fresh = _Book(span, held, holders, results, feedback, owners)
    for settings, everyone in book.appraisals.items():
        data = _period_data(new, span, None, held, fresh)
        updated = {e: a for e, a in everyone.items() if e not in recompute}
        for e in sorted(recompute):
            if e in held:
                updated[e] = _appraise(data, e, settings)
        fresh.appraisals[settings] = dict(sorted(updated.items()))
    return fresh


_organisations: StampedCache[_Organisation] = StampedCache(_build_organisation,
                                                           _update_organisation)


async def _visible(graph: Graph, keys: Sequence[str] | None, predicate: str,
                   visibility: Visibility) -> set[str] | None:
    """The employees of ``keys`` (all when None) meeting ``predicate``; None: everyone (the
    predicate is ``true``)."""
    if predicate == "true":
        return None
    if keys is not None and not keys:
        return set()
    cy = graph.cy
    if keys is None:
        rows = await _rows(graph, f"MATCH {cy.node('e', 'Employee')} WHERE {predicate} "
                                  f"RETURN collect(e.{cy.key('Employee')}) AS rows",
                           **visibility.params)
    else:
        rows = await _rows(graph, f"UNWIND $keys AS k MATCH {cy.node('e', 'Employee', 'k')} "
                                  f"WHERE {predicate} RETURN collect(k) AS rows",
                           keys=list(keys), **visibility.params)
    return {str(k) for k in rows}


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
                holders: Callable[[str], list[str]]) -> list[str]:
    """Whoever holds, in the period, the position ``position`` reports to; the next one up
    with a holder when it is vacant."""
    seen = {position}
    up = reports_to.get(position)
    while up is not None and up not in seen:
        found = holders(up)
        if found:
            return found
        seen.add(up)
        up = reports_to.get(up)
    return []


def _period_data(org: _Organisation, period: Period, department: str | None,
                 held: dict[str, list[Held]], book: _Book | None = None) -> PeriodData:
    data = PeriodData(**vars(org.structure), period=period, department=department, held=held,
                      book=book, org=org)
    if book is not None:
        data.results, data.feedback = book.results, book.feedback
    return data


async def load_period(graph: Graph, period: str, department: str | None,
                      visibility: Visibility, employees: Sequence[str] | None = None,
                      ) -> PeriodData:
    """What the formulas need for ``period`` and ``department`` (see the module docstring);
    ``employees`` limits who is appraised (their results and feedback are then read for the
    request; otherwise the period's book serves, read once for everyone). BAD_INPUT for a
    malformed period, NOT_FOUND for an unknown department, each naming its argument. No
    employee record is read: :func:`load_people` reads those an answer shows."""
    span = period_of(period)
    scope = await department_scope(graph, department)
    org = await _organisations.get(graph, visibility.stamp)
    predicate = appraisal_predicate(visibility, "e")
    wanted = set(scope) if scope is not None else None
    if employees is not None:
        held = org.held(span, employees)
        data = _period_data(org, span, department, held)
        candidates = sorted(e for e in held
                            if wanted is None or data.department_of(e) in wanted)
        results, feedback, _ = await _inputs(graph, span, candidates, predicate,
                                             visibility.params)
        seen = await _visible(graph, candidates, predicate, visibility)
        data.results, data.feedback = results, feedback
        data.appraised = [e for e in candidates if seen is None or e in seen]
    else:
        book = await org.book(graph, span)
        data = _period_data(org, span, department, book.held, book)
        seen = await _visible(graph, None, predicate, visibility)
        data.appraised = [e for e in sorted(book.held)
                          if (wanted is None or data.department_of(e) in wanted)
                          and (seen is None or e in seen)]
    return data


async def load_people(graph: Graph, data: PeriodData, keys: Iterable[str],
                      visibility: Visibility) -> None:
    """Add to ``data.employees`` the records (as the caller sees them) of ``keys``."""
    wanted = sorted({k for k in keys if k not in data.employees})
    data.employees.update(await _records(graph, wanted, visibility))


async def load_managers(graph: Graph, data: PeriodData, positions: Iterable[str],
                        visibility: Visibility) -> None:
    """``data.managers`` of ``positions`` (whoever holds, in the period, the position each
    reports to, or the next one up with a holder), as far as the caller sees them, with their
    records in ``data.employees``."""
    org = data.org
    assert org is not None
    found = {p: _holders_up(p, data.reports_to, lambda up: org.holders(data.period, up))
             for p in sorted(set(positions)) if p not in data.managers}
    named = sorted({m for ms in found.values() for m in ms})
    await load_people(graph, data, named, visibility)
    data.managers.update({p: [m for m in ms if m in data.employees] for p, ms in found.items()})


def kpi_inputs(data: PeriodData, employee: str, managers: bool = True) -> list[KpiResult]:
    """The KPIs of every position ``employee`` held in the period, each with the period's
    result and the target that applies (their own when the result carries one); with the
    managers of :func:`load_managers` unless ``managers`` is False."""
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
            named = data.managers.get(h.position, []) if managers else []
            out.append(KpiResult(
                kpi=kpi, position=h.position, weight=weight,
                target=None if target is None else float(target), actual=actual,
                higher_is_better=record.get("direction") != "lower_is_better",
                name=str(record.get("name", "")),
                department=data.position_department.get(h.position),
                manager=", ".join(named) or None,
                key_result=served[0][0] if served else None,
                objective=served[0][1] if served else None))
    return out


def _appraise(data: PeriodData, employee: str, settings: AppraisalSettings,
              base_bonus: float | None = None, managers: bool = False) -> Appraisal:
    return appraise(employee, data.period.text, kpi_inputs(data, employee, managers),
                    data.feedback.get(employee, []), settings, base_bonus)


def _everyone(data: PeriodData, book: _Book, settings: AppraisalSettings) -> dict[str, Appraisal]:
    with gc_paused():
        return {e: _appraise(data, e, settings) for e in sorted(book.held)}


async def appraisals_loaded(data: PeriodData, settings: AppraisalSettings,
                            base_bonus: float | None = None) -> list[Appraisal]:
    """The appraisal of everyone :func:`load_period` loaded, by employee id, their alerts
    naming no manager yet (:func:`name_managers`). Over a period's book, everyone's appraisals
    are computed once per settings, off the event loop."""
    book = data.book
    if book is None:
        return [_appraise(data, e, settings, base_bonus) for e in data.appraised]
    everyone = book.appraisals.get(settings)
    if everyone is None:
        async with book.lock:
            everyone = book.appraisals.get(settings)
            if everyone is None:
                everyone = await asyncio.to_thread(_everyone, data, book, settings)
                book.appraisals[settings] = everyone
    found = [everyone[e] for e in data.appraised]
    return found if base_bonus is None else [with_bonus(a, base_bonus, settings) for a in found]


async def name_managers(graph: Graph, data: PeriodData, appraisals: Sequence[Appraisal],
                        visibility: Visibility) -> list[Appraisal]:
    """``appraisals`` with their alerts naming the managers the caller sees
    (:func:`load_managers`; ``manager``: their ids joined with ", ")."""
    alerted = {x.position for a in appraisals for x in a.alerts}
    if not alerted:
        return list(appraisals)
    await load_managers(graph, data, alerted, visibility)
    return [a if not a.alerts else replace(a, alerts=tuple(
        replace(x, manager=", ".join(data.managers.get(x.position, [])) or None)
        for x in a.alerts)) for a in appraisals]


def calibrate_loaded(data: PeriodData, appraisals: Sequence[Appraisal],
                     settings: AppraisalSettings) -> list[CalibrationGroup]:
    rated: dict[str, list[Appraisal]] = {}
    for a in appraisals:
        d = data.department_of(a.employee)
        if d is not None:
            rated.setdefault(d, []).append(a)
    return calibration(data.department, data.parents, rated, settings)


async def latest_period(graph: Graph) -> str | None:
    """The latest period holding KPI results: the one ending last, then starting last (a
    quarter before the half and the year ending with it); None without any result."""
    cy = graph.cy
    rows = await _rows(graph, f"MATCH {cy.node('r', 'KpiResult')} "
                              f"RETURN collect(DISTINCT r.{cy.prop('KpiResult', 'period')}) "
                              "AS rows")
    periods = []
    for text in rows:
        try:
            periods.append(parse_period(str(text)))
        except BadPeriod:
            continue  # the value rules report a malformed period
    if not periods:
        return None
    return max(periods, key=lambda p: (p.end, p.start)).text


async def prepare(graph: Graph, settings: AppraisalSettings) -> str | None:
    """Make the book of the latest period holding KPI results and everyone's appraisals in it
    (``serve`` does it in the background at start-up), so that the first answers about many
    people come from memory; returns that period (None: no result in the graph)."""
    period = await latest_period(graph)
    if period is None:
        return None
    org = await _organisations.get(graph)
    book = await org.book(graph, parse_period(period))
    await appraisals_loaded(_period_data(org, book.period, None, book.held, book), settings)
    return period


# -- the entry points ------------------------------------------------------------------------


async def appraisals_for(graph: Graph, period: str, department: str | None,
                         visibility: Visibility, settings: AppraisalSettings,
                         base_bonus: float | None = None) -> list[Appraisal]:
    """Every appraisal of ``period`` the caller may see (everyone holding a position on a day
    of it, in ``department`` and below when given; incomplete ones included), by employee."""
    data = await load_period(graph, period, department, visibility)
    return await name_managers(graph, data, await appraisals_loaded(data, settings, base_bonus),
                               visibility)


async def calibration_for(graph: Graph, period: str, department: str | None,
                          visibility: Visibility, settings: AppraisalSettings,
                          ) -> list[CalibrationGroup]:
    """The calibration groups of ``department`` (None: the organisation) for ``period``, over
    the people the caller may see."""
    data = await load_period(graph, period, department, visibility)
    return calibrate_loaded(data, await appraisals_loaded(data, settings), settings)


async def alerts_for(graph: Graph, period: str, department: str | None,
                     visibility: Visibility, settings: AppraisalSettings) -> list[KpiAlert]:
    """The KPI alerts of ``period`` (achievement below ``alert_threshold``), by employee then
    KPI; ``manager``: the ids of the managers shown, joined with ", "."""
    data = await load_period(graph, period, department, visibility)
    alerted = [a for a in await appraisals_loaded(data, settings) if a.alerts]
    return [x for a in await name_managers(graph, data, alerted, visibility) for x in a.alerts]


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
    found = await appraisals_loaded(data, settings)
    return await training_needs_loaded(graph, data, found, visibility, as_of)


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
    same for every caller (``visibility`` gives the change stamp of the cached structure)."""
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
    t = (await _organisations.get(graph, visibility.stamp)).structure
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
