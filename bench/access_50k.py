"""Benchmark: the cost of access control, the queries of api_50k and fit_50k asked by three
callers on the 50,000-employee organisation.

    python -m bench.access_50k [--employees 50000] [--seed 1] [--repeat 100] [--data-dir DIR]

Callers (tokens of bench/common.py's ``client``): ``admin`` (sees everything: no scope at all),
``hr`` limited to one department (the second-level department with the most people, and the
departments below it) and ``manager`` (the head of that department: their reporting line).
Queries, each over real HTTP one request at a time:

* (a) one position by id with department, responsibilities, requirements and incumbents, and
  (b) a page of 100 positions with the same fields (bench/api_50k.py);
* ``candidates`` (top 20), ``careerMoves`` (top 20) of an employee of the department,
  ``successionPlan`` of a key position, ``mismatches`` org-wide and ``benchStrength`` of every
  key position (bench/fit_50k.py).

For each caller and query: p50 and p95, and the ratio of its p50 to the admin's (the goal of
issue 10: scoping under 15 % slower than unscoped at p50). The same random ids are asked by
every caller. The first fit request builds the fit model, so it is made before measuring.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.api_50k import ONE, PAGE
from bench.common import client, large_org, served, timed
from bench.fit_50k import BENCH, CANDIDATES, MISMATCHES, MOVES, PLAN
from graph.db import Connection, Graph
from schema.ontology import EdgeKind


@dataclass(frozen=True)
class Setup:
    """What the callers are: the hr caller's department, the manager, and ids to ask about."""

    department: str
    manager: str
    people: list[str]  # employees of the department (the manager's line, the hr scope)
    positions: list[str]
    key_positions: list[str]
    line_size: int
    department_size: int


async def _setup(conn: Connection) -> Setup:
    graph = Graph.connect(conn)
    try:
        cy, o = graph.cy, graph.ontology
        dept, pos, emp = o.department_class, "Position", "Employee"
        parent = cy.arrow(EdgeKind("SUB_DEPARTMENT_OF", "out"))
        people, people_where = cy.members(emp, "d", "e")
        where = f" WHERE {' AND '.join(people_where)}" if people_where else ""
        rows = await graph.read(
            f"MATCH {cy.node('root', dept)} WHERE NOT EXISTS {{ (root){parent}() }} "
            f"MATCH (top:{cy.label(dept)}){parent}(root) "
            f"CALL {{ WITH top MATCH {cy.subtree('top', 'd')} MATCH {people}{where} "
            "RETURN count(DISTINCT e) AS n } "
            f"RETURN top.{cy.key(dept)} AS id, n ORDER BY n DESC, id LIMIT 1")
        department, size = str(rows[0]["id"]), int(rows[0]["n"])
        holds = EdgeKind("HOLDS_POSITION", "out", current=True)
        held, current = cy.edge(holds, "h", "p")
        reports = cy.arrow(EdgeKind("REPORTS_TO", "out"))
        in_dept = cy.arrow(EdgeKind("IN_DEPARTMENT", "out"))
        rows = await graph.read(  # the department's head: its position reports outside it
            f"MATCH (p:{cy.label(pos)}){in_dept}{cy.node('d', dept, '$d')} "
            f"MATCH (p){reports}(boss:{cy.label(pos)}) WHERE NOT EXISTS {{ "
            f"MATCH (boss){in_dept}{cy.node('d2', dept, '$d')} }} "
            f"MATCH (e:{cy.label(emp)}){held} WHERE {current} "
            f"RETURN e.{cy.key(emp)} AS id ORDER BY id LIMIT 1", d=department)
        manager = str(rows[0]["id"])
        top, top_current = cy.edge(holds, "h", "top")
        below, below_current = cy.edge(EdgeKind("HOLDS_POSITION", "in", current=True), "n", "x")
        below_all = cy.arrow(EdgeKind("REPORTS_TO", "in"), hops="*1..")
        line = await graph.read(  # the manager's reporting line, as the policy defines it
            f"MATCH {cy.node('m', emp, '$m')}{top} WHERE {top_current} "
            f"MATCH (top){below_all}(q:{cy.label(pos)}){below} WHERE {below_current} "
            f"RETURN collect(DISTINCT x.{cy.key(emp)}) AS ids", m=manager)
        members = sorted(str(i) for i in line[0]["ids"])
        pid, is_key = cy.key(pos), cy.prop(pos, "is_key")
        rows = await graph.read(
            f"MATCH {cy.node('p', pos)} RETURN collect(p.{pid}) AS all, "
            f"collect(CASE WHEN p.{is_key} THEN p.{pid} END) AS key")
        return Setup(department, manager, members, sorted(rows[0]["all"]),
                     sorted(rows[0]["key"]), len(members) + 1, size)
    finally:
        await graph.close()


def ask(c: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = c.post("/graphql", json={"query": query, "variables": variables})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]  # type: ignore[no-any-return]


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1,
                                                   round(0.95 * (len(ordered) - 1)))]


def measure(callers: dict[str, httpx.Client], setup: Setup, repeat: int, seed: int) -> None:
    """Each query asked by each caller with the same random arguments; a table per query."""
    def cycle(values: list[str], n: int) -> Callable[[], str]:
        rng = random.Random(seed)
        picks = [rng.choice(values) for _ in range(n)]
        state = {"i": 0}

        def next_value() -> str:
            value = picks[state["i"] % len(picks)]
            state["i"] += 1
            return value
        return next_value

    slow = max(3, repeat // 20)
    queries: list[tuple[str, str, str | None, list[str], int]] = [
        ("(a) one position", ONE, "id", setup.positions, repeat),
        ("(b) 100 positions", PAGE, None, [], max(5, repeat // 5)),
        ("candidates (top 20)", CANDIDATES, "p", setup.positions, repeat),
        ("careerMoves (top 20)", MOVES, "e", setup.people, repeat),
        ("successionPlan (key position)", PLAN, "p", setup.key_positions, repeat),
        ("mismatches org-wide", MISMATCHES, None, [], slow),
        ("benchStrength (key positions)", BENCH, None, [], slow),
    ]
    for c in callers.values():  # builds the fit model, warms the caches
        ask(c, CANDIDATES, p=setup.positions[0])
    print(f"{'query':<32}{'caller':<9}{'p50 ms':>9}{'p95 ms':>9}{'p50 / admin':>13}")
    for name, query, arg, values, n in queries:
        admin_p50 = 0.0
        for who, c in callers.items():
            pick = cycle(values, n) if arg else None

            def run(c: httpx.Client = c, pick: Callable[[], str] | None = pick,
                    query: str = query, arg: str | None = arg) -> object:
                return ask(c, query, **({arg: pick()} if arg and pick else {}))

            p50, p95 = p50_p95(timed(run, n, warmup=min(3, n)))
            admin_p50 = p50 if who == "admin" else admin_p50
            ratio = f"{p50 / admin_p50:>12.2f}x" if admin_p50 else ""
            print(f"{name:<32}{who:<9}{p50:>9.1f}{p95:>9.1f}{ratio:>13}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=100, help="requests per fast query")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep (or reuse) the engine's data here")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with large_org(args.employees, args.seed, args.data_dir) as conn:
        setup = asyncio.run(_setup(conn))
        print(f"{len(setup.positions):,} positions, {len(setup.key_positions)} key; hr scoped "
              f"to {setup.department} ({setup.department_size:,} people with the departments "
              f"below it); manager {setup.manager} (a reporting line of {setup.line_size:,})")
        with served(conn) as url:
            callers = {
                "admin": client(url, "admin", sub="bench-admin"),
                "hr": client(url, "hr", sub="bench-hr", departments=(setup.department,)),
                "manager": client(url, "manager", sub=setup.manager),
            }
            try:
                measure(callers, setup, args.repeat, args.seed)
            finally:
                for c in callers.values():
                    c.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
