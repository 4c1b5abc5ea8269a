"""A KPI result needs a position held (issue 12): a result of KPI ``k`` for employee ``e`` in
period ``p`` is recorded only when ``k`` measures (``MEASURED_BY``) a position that ``e`` held
(``HOLDS_POSITION``, from ``start_date`` to ``end_date``) on at least one day of ``p``
(:meth:`domain.periods.Period.overlaps`).

The import checks every row of ``kpi_results.csv`` against the assignments and KPI weights of
the files together with those already in the graph, as the import will leave them
(:func:`import_problems`); the API checks a created or changed result inside its own write
transaction (:func:`check_result`). Both name the row or the field at fault (``kpi_id``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from neo4j import AsyncManagedTransaction

from domain.errors import InvalidInput
from domain.periods import BadPeriod, parse_period
from graph.assignments import assignments_of
from graph.db import Graph, native
from graph.interchange import ParsedDirectory, Problem

#: the ontology's names this rule reads
RESULT, EMPLOYEE, KPI, POSITION = "KpiResult", "Employee", "KPI", "Position"
OF_EMPLOYEE, OF_KPI = "HAS_KPI_RESULT", "RESULT_OF"
HOLDS, MEASURED_BY = "HOLDS_POSITION", "MEASURED_BY"
#: the column (and API field) named when a result breaks the rule
FIELD = "kpi_id"
_BATCH = 5000  # keys per query (one collected list each)

#: one assignment: (position, start, end or None while held)
Held = tuple[str, date, date | None]


def held_in(period: str, held: Iterable[Held], measured: set[str]) -> bool:
    """Some position of ``measured`` was held on a day of ``period``."""
    try:
        span = parse_period(period)
    except BadPeriod:
        return False  # the value rules report the period itself
    return any(position in measured and span.overlaps(start, end)
               for position, start, end in held)


def _reason(kpi: str, employee: str, period: str) -> str:
    return (f"KPI {kpi!r} measures no position that employee {employee!r} held in {period} "
            "(position_kpis.csv, employee_positions.csv)")


async def check_result(graph: Graph, tx: AsyncManagedTransaction, key: str) -> None:
    """BAD_INPUT naming ``kpiId`` unless the result ``key``, as written in ``tx``, has a
    position held in its period that its KPI measures."""
    cy = graph.cy
    rows = await graph.run_in(
        tx, f"MATCH {cy.node('r', RESULT, '$k')}<-[:{cy.rel(OF_EMPLOYEE)}]-"
            f"{cy.node('e', EMPLOYEE)} MATCH (r)-[:{cy.rel(OF_KPI)}]->{cy.node('x', KPI)} "
            f"RETURN r.{cy.prop(RESULT, 'period')} AS period, e.{cy.key(EMPLOYEE)} AS employee, "
            f"x.{cy.key(KPI)} AS kpi", k=key)
    if not rows:
        return  # no employee or KPI: the required references are checked elsewhere
    period, employee, kpi = str(rows[0]["period"]), str(rows[0]["employee"]), str(rows[0]["kpi"])
    start, end = cy.rel_prop(HOLDS, "start_date"), cy.rel_prop(HOLDS, "end_date")
    held = await graph.run_in(
        tx, f"MATCH {cy.node('e', EMPLOYEE, '$e')}-[h:{cy.rel(HOLDS)}]->{cy.node('p', POSITION)}"
            f"-[:{cy.rel(MEASURED_BY)}]->{cy.node('x', KPI, '$x')} "
            f"RETURN p.{cy.key(POSITION)} AS position, h.{start} AS started, h.{end} AS ended",
        e=employee, x=kpi)
    found = [(str(r["position"]), native(r["started"]), native(r["ended"])) for r in held]
    if not held_in(period, found, {p for p, _, _ in found}):
        raise InvalidInput(f"{FIELD}: {_reason(kpi, employee, period)}", field=FIELD)


async def import_problems(graph: Graph, parsed: ParsedDirectory,
                          missing: set[tuple[str, str]]) -> list[Problem]:
    """A problem for each good row of ``kpi_results.csv`` whose KPI measures no position its
    employee held in its period, by the files and the graph together (a file's assignment
    replaces the graph's with the same employee, position and start date, as the import
    does). Rows naming an employee or KPI that exists nowhere (``missing``) are reported as
    such already."""
    batch = parsed.nodes.get(RESULT)
    if batch is None or not batch.rows:
        return []
    employee_of = {r["to"]: r["from"] for r in _rows(parsed, OF_EMPLOYEE)}
    kpi_of = {r["from"]: r["to"] for r in _rows(parsed, OF_KPI) if r["to"] is not None}
    results: list[tuple[str, str, str, str]] = []
    for r in batch.rows:
        employee, kpi = employee_of.get(r["key"]), kpi_of.get(r["key"])
        if employee is not None and kpi is not None and (EMPLOYEE, employee) not in missing \
                and (KPI, kpi) not in missing:
            results.append((str(r["key"]), str(employee), str(kpi), str(r["props"]["period"])))
    held: dict[str, dict[tuple[str, date], date | None]] = {}
    measured: dict[str, set[str]] = {}
    for r in _rows(parsed, MEASURED_BY):
        measured.setdefault(r["to"], set()).add(r["from"])
    file_held: dict[str, dict[tuple[str, date], date | None]] = {}
    for r in _rows(parsed, HOLDS):
        file_held.setdefault(r["from"], {})[(r["to"], r["props"]["start_date"])] = \
            r["props"].get("end_date")
    pending = [x for x in results
               if not held_in(x[3], _flat(file_held.get(x[1], {})), measured.get(x[2], set()))
               ] if file_held or measured else results
    if not pending:
        return []
    await _from_graph(graph, sorted({e for _, e, _, _ in pending}),
                      sorted({x for _, _, x, _ in pending}), held, measured)
    for employee, assignments in file_held.items():
        held.setdefault(employee, {}).update(assignments)
    file = batch.spec.file
    lines = parsed.lines.get(file, {})
    flat = {employee: _flat(assignments) for employee, assignments in held.items()}
    return [Problem(file, lines.get(key, 0), FIELD, _reason(kpi, employee, period))
            for key, employee, kpi, period in pending
            if not held_in(period, flat.get(employee, []), measured.get(kpi, set()))]


def _rows(parsed: ParsedDirectory, rel: str) -> list[dict[str, Any]]:
    batch = parsed.rels.get(rel)
    return [] if batch is None else batch.rows


def _flat(assignments: dict[tuple[str, date], date | None]) -> list[Held]:
    return [(position, start, end) for (position, start), end in assignments.items()]


async def _from_graph(graph: Graph, employees: list[str], kpis: list[str],
                      held: dict[str, dict[tuple[str, date], date | None]],
                      measured: dict[str, set[str]]) -> None:
    """Add the graph's assignments of ``employees`` and positions measured by ``kpis``."""
    cy = graph.cy
    wanted = set(employees)
    # many people: one scan of every assignment costs less than looking each one up
    for h in await assignments_of(graph, None if len(employees) > _BATCH else employees):
        if h.employee in wanted:
            held.setdefault(h.employee, {})[(h.position, h.start)] = h.end
    for i in range(0, len(kpis), _BATCH):
        found = await graph.read(
            f"UNWIND $keys AS k MATCH {cy.node('x', KPI, 'k')}<-[:{cy.rel(MEASURED_BY)}]-"
            f"{cy.node('p', POSITION)} RETURN collect([k, p.{cy.key(POSITION)}]) AS rows",
            keys=kpis[i:i + _BATCH])
        for k, position in found[0]["rows"] if found else ():
            measured.setdefault(str(k), set()).add(str(position))
