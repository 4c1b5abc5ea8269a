"""Benchmark: fit and succession on the 50,000-employee organisation, end to end through GraphQL.

    python -m bench.fit_50k [--employees 50000] [--seed 1] [--data-dir DIR] [--repeat 200]

Generates the organisation (``rolegraph generate``'s generator), imports it into a fresh
embedded engine (or reuses ``--data-dir`` when it already holds a graph), serves the app
in-process (uvicorn in a thread, as the tests do) and measures over real HTTP, one request at a
time, p50 and p95 of:

* ``candidates`` (top 20) for a position          goal p50 < 50 ms
* ``careerMoves`` (top 20) for an employee         goal p50 < 100 ms
* ``successionPlan`` for a key position            goal p50 < 100 ms
* ``mismatches`` org-wide                          goal < 5 s
* ``benchStrength`` of every key position          goal < 5 s

The app builds the fit model at start-up, before ``/health`` says it is ready (the time is
printed); the first fit request after that is timed on its own (goal < 1 s: no cold start), as
is the first answer after a write through the API (a partial reload).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.common import client as bench_client
from bench.common import served
from graph.constraints import ensure_schema
from graph.db import Connection, Graph, graph_runtime
from graph.importer import import_directory
from graph.settings import Settings
from graph.stats import is_empty
from samples.generator import generate

CANDIDATES = """query($p: ID!) { candidates(position: $p, first: 20) {
    employee { id name } score eligible gaps { competency { id } required actual } } }"""
MOVES = """query($e: ID!) { careerMoves(employee: $e, first: 20) {
    position { id title grade } score eligible } }"""
PLAN = """query($p: ID!) { successionPlan(position: $p) {
    counts { readyNow ready1To2Years ready3PlusYears }
    candidates { employee { id name } readiness nominatedReadiness rating fit { score eligible } }
    nominations { employee { id } readiness nominatedReadiness fit { score } } } }"""
MISMATCHES = """{ mismatches { fit { employee { id } position { id } score eligible }
    reasons } }"""
BENCH = """{ benchStrength { position { id } covered readyNow
    computed { readyNow ready1To2Years ready3PlusYears }
    nominated { readyNow ready1To2Years ready3PlusYears } } }"""


def ask(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]  # type: ignore[no-any-return]


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def report(name: str, samples: list[float], goal: str) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"{name:<42} n={len(samples):<4} p50 {statistics.median(samples):8.1f} ms   "
          f"p95 {p95:8.1f} ms   ({goal})")


async def _prepare(conn: Connection, employees: int, seed: int, scratch: Path) -> None:
    graph = Graph.connect(conn)
    try:
        await ensure_schema(graph)
        if not await is_empty(graph):
            print("the graph is not empty: reusing it")
            return
        started = time.perf_counter()
        generate(scratch / "org", employees, seed, performance=False)
        report_ = await import_directory(graph, scratch / "org")
        print(f"generated and imported {report_.nodes:,} nodes, {report_.relationships:,} "
              f"relationships in {time.perf_counter() - started:.0f} s")
    finally:
        await graph.close()


async def _ids(conn: Connection) -> tuple[list[str], list[str], list[str]]:
    graph = Graph.connect(conn)
    try:
        c = graph.cy
        pid, is_key = c.key("Position"), c.prop("Position", "is_key")
        rows = await graph.read(f"MATCH {c.node('p', 'Position')} RETURN collect(p.{pid}) AS all, "
                                f"collect(CASE WHEN p.{is_key} THEN p.{pid} END) AS key")
        people = await graph.read(f"MATCH {c.node('e', 'Employee')} "
                                  f"RETURN collect(e.{c.key('Employee')}) AS ids")
        return sorted(rows[0]["all"]), sorted(rows[0]["key"]), sorted(people[0]["ids"])
    finally:
        await graph.close()


def measure(client: httpx.Client, positions: list[str], keys: list[str], employees: list[str],
            repeat: int, seed: int) -> None:
    rng = random.Random(seed)
    started = time.perf_counter()
    ask(client, CANDIDATES, p=positions[0])
    print(f"{'first request after ready (goal < 1 s)':<42} "
          f"{time.perf_counter() - started:8.2f} s")
    report("candidates (top 20)",
           [timed(lambda: ask(client, CANDIDATES, p=rng.choice(positions)))
            for _ in range(repeat)], "goal p50 < 50 ms")
    report("careerMoves (top 20, over all positions)",
           [timed(lambda: ask(client, MOVES, e=rng.choice(employees))) for _ in range(repeat)],
           "goal p50 < 100 ms")
    report("successionPlan (key position)",
           [timed(lambda: ask(client, PLAN, p=rng.choice(keys))) for _ in range(repeat)],
           "goal p50 < 100 ms")
    found = ask(client, MISMATCHES)["mismatches"]
    report(f"mismatches org-wide ({len(found):,} found)",
           [timed(lambda: ask(client, MISMATCHES)) for _ in range(5)], "goal < 5 s")
    report(f"benchStrength ({len(keys)} key positions)",
           [timed(lambda: ask(client, BENCH)) for _ in range(5)], "goal < 5 s")
    e = rng.choice(employees)
    after_write = []
    for level in (1, 2, 3, 4, 5):
        ask(client, """mutation($e: ID!, $l: Int!) { assessCompetency(input: {employeeId: $e,
            competencyId: "C0001", level: $l}) { id } }""", e=e, l=level)
        after_write.append(timed(lambda: ask(client, CANDIDATES, p=rng.choice(positions))))
    report("candidates right after a write", after_write, "partial reload of one employee")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=200, help="requests per latency figure")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="the engine's data directory (kept; reused when it holds a graph)")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(neo4j_uri=None, data_dir=args.data_dir or Path(tmp) / "engine")
        with graph_runtime(settings) as conn:
            asyncio.run(_prepare(conn, args.employees, args.seed, Path(tmp)))
            positions, keys, employees = asyncio.run(_ids(conn))
            print(f"{len(employees):,} employees, {len(positions):,} positions, "
                  f"{len(keys)} key positions")
            with served(conn) as url, bench_client(url) as http:  # once /health says ready
                measure(http, positions, keys, employees, args.repeat, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
