"""The period books of :mod:`graph.performance` (everyone's results, feedback and appraisals of
a period, kept per graph and brought up to date for what each write touched) give the same
answers as books made afresh, after every kind of write that changes an appraisal.

One graph object keeps its books across the writes (made through the GraphQL API, so the change
stamp logs what each touched); after each write its appraisals, calibration and alerts are
compared with those of a new graph object, which reads everything again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_client import data
from conftest import GraphHandle, LiveServer, LoopThread, demo_copy, serving

from graph import performance as gp
from graph.access import everything
from graph.db import Graph
from graph.engine import EmbeddedEngine
from schema.appraisal import default_appraisal_settings
from schema.policy import default_policy

PERIODS = ("2026-Q1", "2026")


@pytest.fixture(scope="module")
def org(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    with demo_copy(engine, loop_thread, "books") as handle:
        yield handle


@pytest.fixture(scope="module")
def server(org: GraphHandle) -> Iterator[LiveServer]:
    with serving(org.connection) as live:
        yield live


async def _answers(graph: Graph) -> dict[str, Any]:
    settings, seen = default_appraisal_settings(), everything(graph, default_policy())
    found: dict[str, Any] = {}
    for period in PERIODS:
        found[period] = (
            await gp.appraisals_for(graph, period, None, seen, settings),
            await gp.calibration_for(graph, period, None, seen, settings),
            await gp.alerts_for(graph, period, None, seen, settings),
            await gp.appraisals_for(graph, period, "D07", seen, settings))
    return found


def _fresh(org: GraphHandle) -> dict[str, Any]:
    async def work(_: Graph) -> dict[str, Any]:
        graph = Graph.connect(org.connection)
        try:
            return await _answers(graph)
        finally:
            await graph.close()

    return org.run(work)


def _same(org: GraphHandle, what: str) -> dict[str, Any]:
    kept = org.run(_answers)
    assert kept == _fresh(org), f"after {what}"
    return kept


def _changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    assert after != before, "the write changed no answer: it tests nothing"
    return after


def _one(org: GraphHandle, query: str, **params: Any) -> dict[str, Any]:
    rows = org.read(query, **params)
    assert rows, query
    return rows[0]


def test_books_follow_every_write(org: GraphHandle, server: LiveServer) -> None:
    c = server.client
    before = first = org.run(_answers)  # the books of both periods are made here
    builds = gp._organisations.counts(org.graph)[0]

    result = _one(org, "MATCH (e:Employee)-[:HAS_KPI_RESULT]->(r:KpiResult {period: '2026-Q1'})"
                       "-[:RESULT_OF]->(x:KPI) WHERE coalesce(x.direction, 'higher_is_better') "
                       "= 'higher_is_better' AND r.actual > 1 RETURN r.id AS id, e.id AS e, "
                       "x.id AS x, r.actual AS actual ORDER BY r.id LIMIT 1")
    data(c, "mutation($id: ID!) { updateKpiResult(id: $id, input: {actual: 0.5}) { id } }",
         id=result["id"])
    before = _changed(before, _same(org, "a result's actual changed"))
    data(c, "mutation($id: ID!) { deleteKpiResult(id: $id) { id } }", id=result["id"])
    before = _changed(before, _same(org, "a result deleted"))
    data(c, """mutation($x: ID!, $e: ID!) { createKpiResult(input: {kpiId: $x, employeeId: $e,
        period: "2026-Q1", actual: 1000}) { id } }""", x=result["x"], e=result["e"])
    before = _changed(before, _same(org, "a result created"))

    feedback = _one(org, "MATCH (e:Employee)-[:RECEIVED_FEEDBACK]->(f:Feedback "
                         "{period: '2026-Q1'}) RETURN f.id AS id ORDER BY f.id LIMIT 1")
    data(c, "mutation($id: ID!) { updateFeedback(id: $id, input: {score: 1}) { id } }",
         id=feedback["id"])
    before = _changed(before, _same(org, "a feedback score changed"))
    data(c, "mutation($id: ID!) { deleteFeedback(id: $id) { id } }", id=feedback["id"])
    before = _changed(before, _same(org, "a feedback deleted"))

    data(c, "mutation($x: ID!) { updateKpi(id: $x, input: {target: 1}) { id } }",
         x=result["x"])
    before = _changed(before, _same(org, "a KPI's target changed"))
    data(c, 'mutation($e: ID!) { updateEmployee(id: $e, input: {name: "改名"}) { id } }',
         e=result["e"])
    _same(org, "an employee renamed")
    # so far every write was brought in without making the books anew
    assert gp._organisations.counts(org.graph)[0] == builds

    held = _one(org, "MATCH (e:Employee)-[h:HOLDS_POSITION]->(p:Position) WHERE h.end_date "
                     "IS NULL RETURN e.id AS e, p.id AS p, h.start_date AS start ORDER BY e, p "
                     "LIMIT 1")
    data(c, """mutation($e: ID!, $p: ID!) { unassignPosition(input: {employeeId: $e,
        positionId: $p}) { removed } }""", e=held["e"], p=held["p"])
    _same(org, "an assignment removed")
    assert org.run(_answers) != first


def test_prepare_makes_the_latest_period_ready(org: GraphHandle) -> None:
    """What ``serve`` does at start-up: the latest period's book and appraisals, ready."""
    async def work(_: Graph) -> tuple[str | None, Any, Any]:
        graph = Graph.connect(org.connection)
        try:
            settings = default_appraisal_settings()
            period = await gp.prepare(graph, settings)
            value = await gp._organisations.get(graph)
            assert period is not None
            return period, value.books[period].appraisals.get(settings), \
                await gp.latest_period(graph)
        finally:
            await graph.close()

    period, appraisals, latest = org.run(work)
    assert period == latest == "2026-Q4"
    assert appraisals  # everyone's, computed
