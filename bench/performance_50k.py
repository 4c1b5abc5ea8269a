"""Benchmark: performance management on the 50,000-employee organisation.

    python -m bench.performance_50k [--employees 50000] [--seed 1] [--repeat 50] [--data-dir DIR]
                                    [--period 2025-Q4] [--cold-period 2025-Q2]

Generates the organisation (``rolegraph generate``'s generator: four quarters of 2025 KPI
results, about 3 reviewers' feedback per employee and quarter, objectives and key results),
imports everything but the performance files, then the performance files on their own, timed
(goal: at least 15,000 rows/s), and, for the ratio, the same KPI results and feedback written by
hand-written Cypher (one ``UNWIND ... MATCH ... CREATE`` statement a batch, one transaction, no
validation) into a database of their own on the same engine holding just the employees and KPIs
they point at. With ``--data-dir`` holding a graph already, the imports are skipped. Then serves
the app (production mode, an admin token) and measures over real HTTP:

* ``appraisal`` of one employee (random, the same ids every run)  goal p50 < 20 ms
* the whole organisation's appraisals and calibration of a period: ``appraisals(first: 1)``
  with its distribution (every appraisal of the period computed) plus ``calibration``
                                                                  goal < 5 s
* ``kpiAlerts`` of the period, org-wide                            goal < 2 s
* ``trainingNeeds`` of the period, org-wide                        (no goal: reported)
* a KPI result changed through the API, then the whole organisation's appraisals and
  calibration again (the period's book brought up to date for the one employee)

and the same computations called directly on the graph layer (graph/performance.py), to show
what the HTTP and GraphQL layers add.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from neo4j import AsyncManagedTransaction

from bench.common import bench_settings, client, describe, served, timed
from graph.access import everything
from graph.constraints import ensure_schema
from graph.db import EMBEDDED_DATABASE, Connection, Graph
from graph.engine import EmbeddedEngine
from graph.importer import import_directory
from graph.interchange import read_directory
from graph.performance import alerts_for, appraisals_for, calibration_for
from graph.stats import is_empty
from samples.generator import generate
from schema.appraisal import default_appraisal_settings
from schema.ontology import Ontology
from schema.policy import default_policy

#: the files issue 12 added: imported on their own, timed
#: the database of the hand-written baseline, beside the organisation's
BASELINE = "baseline"
PERFORMANCE_FILES = ("objectives.csv", "key_results.csv", "kpi_key_results.csv",
                     "kpi_results.csv", "feedback.csv")

ONE = """query($e: ID!, $p: String!) { appraisal(employee: $e, period: $p) {
    kpiScore feedbackScore finalScore rating multiplier complete explanation
    kpis { kpi { id } target actual achievement points weight status }
    feedback { relation mean count weight } } }"""
WHOLE = """query($p: String!) {
    appraisals(period: $p, first: 1) { totalCount
      distribution { excellent qualified needsImprovement incomplete } }
    calibration(period: $p) { size within counts { rating count moveIn moveOut } } }"""
ALERTS = """query($p: String!) { kpiAlerts(period: $p) {
    employee { id } kpi { id } achievement managers { id } } }"""
NEEDS = """query($p: String!) { trainingNeeds(period: $p) { needs { employee { id } } } }"""


CHANGE = """mutation($id: ID!) { updateKpiResult(id: $id, input: {actual: 1}) { id } }"""


async def _results(conn: Connection, period: str, n: int) -> list[str]:
    """``n`` KPI results of ``period``, by id."""
    graph = Graph.connect(conn)
    try:
        rows = await graph.read("MATCH (r:KpiResult {period: $p}) RETURN r.id AS id "
                                "ORDER BY id LIMIT $n", p=period, n=n + 1)
        return [str(r["id"]) for r in rows]
    finally:
        await graph.close()


def ask(http: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = http.post("/graphql", json={"query": query, "variables": variables})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]  # type: ignore[no-any-return]


async def _load(conn: Connection, baseline: Connection, employees: int, seed: int) -> None:
    graph = Graph.connect(conn)
    try:
        await ensure_schema(graph)
        if not await is_empty(graph):
            print("reusing the graph in the data directory (no import measured)",
                  file=sys.stderr)
            return
        with tempfile.TemporaryDirectory() as tmp:
            org, perf = Path(tmp) / "org", Path(tmp) / "performance"
            started = time.perf_counter()
            generate(org, employees, seed)
            print(f"generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            perf.mkdir()
            for name in PERFORMANCE_FILES:
                shutil.move(org / name, perf / name)
            base = await import_directory(graph, org)
            print(f"organisation: {base.nodes:,} nodes, {base.relationships:,} relationships "
                  f"in {base.seconds:.1f} s", file=sys.stderr)
            hand = await _hand_written(baseline, graph.ontology, perf)
            report = await import_directory(graph, perf)
            rows = sum(report.files.values())
            print(f"performance files: {rows:,} rows ({report.nodes:,} nodes, "
                  f"{report.relationships:,} relationships) in {report.seconds:.1f} s = "
                  f"{rows / report.seconds:,.0f} rows/s (goal >= 15,000)")
            print(f"  hand-written Cypher, KPI results and feedback only "
                  f"({hand[0]:,} rows): {hand[1]:.1f} s = {hand[0] / hand[1]:,.0f} rows/s; "
                  f"the import {report.seconds / hand[1]:.2f}x its time")
    finally:
        await graph.close()


async def _hand_written(conn: Connection, ontology: Ontology, perf: Path) -> tuple[int, float]:
    """Write the KPI results and feedback of ``perf`` with the plainest Cypher, in one
    transaction, into the empty database ``conn`` (constraints made first, then just the
    employees and KPIs the rows point at, untimed). Returns (rows, seconds)."""
    parsed = read_directory(perf, ontology)
    graph = Graph.connect(conn)
    try:
        await ensure_schema(graph)
        people = sorted({r["from"] for r in parsed.rels["HAS_KPI_RESULT"].rows}
                        | {r["from"] for r in parsed.rels["RECEIVED_FEEDBACK"].rows}
                        | {r["to"] for r in parsed.rels["GIVEN_BY"].rows})
        kpis = sorted({r["to"] for r in parsed.rels["RESULT_OF"].rows})
        await graph.write("UNWIND $ids AS i CREATE (:Employee {id: i})", ids=people)
        await graph.write("UNWIND $ids AS i CREATE (:KPI {id: i})", ids=kpis)
        statements = []
        for cls, owner, other, of_owner, to_other in (
                ("KpiResult", "HAS_KPI_RESULT", "RESULT_OF", "Employee", "KPI"),
                ("Feedback", "RECEIVED_FEEDBACK", "GIVEN_BY", "Employee", "Employee")):
            whose = {r["to"]: r["from"] for r in parsed.rels[owner].rows}
            what = {r["from"]: r["to"] for r in parsed.rels[other].rows}
            rows = [{"a": whose[r["key"]], "b": what[r["key"]],
                     "p": {k: v for k, v in r["props"].items() if v is not None}}
                    for r in parsed.nodes[cls].rows]
            statements.append((f"UNWIND $rows AS row MATCH (a:{of_owner} {{id: row.a}}) "
                               f"MATCH (b:{to_other} {{id: row.b}}) "
                               f"CREATE (a)-[:{owner}]->(n:{cls})-[:{other}]->(b) SET n = row.p",
                               rows))

        async def work(tx: AsyncManagedTransaction) -> None:
            for query, rows in statements:
                for start in range(0, len(rows), 5000):
                    await (await tx.run(query, rows=rows[start:start + 5000])).consume()

        started = time.perf_counter()
        await graph.write_tx(work)
        return sum(len(rows) for _, rows in statements), time.perf_counter() - started
    finally:
        await graph.close()


async def _employees(conn: Connection, period: str) -> list[str]:
    graph = Graph.connect(conn)
    try:
        found = await appraisals_for(graph, period, None, everything(graph, default_policy()),
                                     default_appraisal_settings())
        return [a.employee for a in found if a.complete]
    finally:
        await graph.close()


async def _direct(conn: Connection, period: str, repeat: int) -> None:
    """The same computations without HTTP and GraphQL: the graph layer's own time."""
    graph = Graph.connect(conn)
    settings, scope = default_appraisal_settings(), everything(graph, default_policy())
    try:
        for name, call in (("appraisals", appraisals_for), ("calibration", calibration_for),
                           ("alerts", alerts_for)):
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                await call(graph, period, None, scope, settings)
                times.append((time.perf_counter() - started) * 1000)
            print(f"  direct {name:<12} {describe(times)}")
    finally:
        await graph.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--period", default="2025-Q4",
                        help="the period asked about (2025-Q4, the latest, is prepared at "
                             "start-up)")
    parser.add_argument("--cold-period", default="2025-Q2",
                        help="a period asked about once at the end: its first request")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--heap", default="8g",
                        help="the embedded engine's heap: the performance files (~1.25 million "
                             "rows at 50,000 employees) are one transaction")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        engine = EmbeddedEngine(args.data_dir or Path(tmp) / "engine", heap=args.heap,
                                databases=[EMBEDDED_DATABASE, BASELINE])
        info = engine.start()
        try:
            conn, baseline = (Connection(info.uri, info.user, info.password, name, embedded=True)
                              for name in (EMBEDDED_DATABASE, BASELINE))
            asyncio.run(_load(conn, baseline, args.employees, args.seed))
            people = asyncio.run(_employees(conn, args.period))
            print(f"{len(people):,} complete appraisals in {args.period}")
            asked = random.Random(args.seed).sample(people, min(len(people), args.repeat))
            # a time limit of 10 minutes: the whole organisation's answers are measured, not cut
            app_settings = bench_settings().model_copy(update={"time_limit": 600.0})
            with served(conn, app_settings) as url, client(url) as http:
                started = time.perf_counter()
                ask(http, WHOLE, p=args.period)
                print(f"first whole-organisation request after ready: "
                      f"{time.perf_counter() - started:.2f} s")
                turn = iter(asked * 10)
                one = timed(lambda: ask(http, ONE, e=next(turn), p=args.period), len(asked))
                print(f"appraisal (one employee)      {describe(one)}   goal p50 < 20 ms")
                rounds = max(3, args.repeat // 10)
                print(f"appraisals + calibration      "
                      f"{describe(timed(lambda: ask(http, WHOLE, p=args.period), rounds, 1))}"
                      "   goal < 5 s")
                print(f"kpiAlerts (org-wide)          "
                      f"{describe(timed(lambda: ask(http, ALERTS, p=args.period), rounds, 1))}"
                      "   goal < 2 s")
                print(f"trainingNeeds (org-wide)      "
                      f"{describe(timed(lambda: ask(http, NEEDS, p=args.period), rounds, 1))}")
                results = iter(asyncio.run(_results(conn, args.period, rounds)))

                def after_a_write() -> None:
                    ask(http, CHANGE, id=next(results))
                    ask(http, WHOLE, p=args.period)

                print(f"a KPI result changed, then appraisals + calibration "
                      f"{describe(timed(after_a_write, rounds, 1))}")
                started = time.perf_counter()
                ask(http, WHOLE, p=args.cold_period)
                print(f"first whole-organisation request for {args.cold_period} (not "
                      f"prepared): {time.perf_counter() - started:.2f} s")
            asyncio.run(_direct(conn, args.period, max(3, args.repeat // 10)))
        finally:
            engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
