"""Benchmark: what the audit trail costs a mutation.

    python -m bench.audit_cost [--repeat 200] [--employees 5000] [--data-dir DIR]

The same mutations, over real HTTP (request, token, GraphQL, validation, the write
transaction), with the audit trail and without it, alternating in one run on one graph:
"without" replaces the event write (and the reads before a delete) by nothing, so a write
only bumps the change stamp, as before the trail existed. The read of the record before an
update stays in both: the change stamp takes the record's old references from it (it replaced
the read the stamp made before the trail). Mutations: (a) ``updatePosition``; (b)
``assessCompetency`` setting a relationship's level (its before-read is part of the MERGE
query). Prints p50/p95 of each and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import graph.repository as repository
from bench.common import client as bench_client
from bench.common import describe, large_org, served


@contextmanager
def audit_off() -> Iterator[None]:
    """The repository without its audit writes (only the change stamp is written)."""
    saved = repository.deleted, repository.write_events

    async def nothing_deleted(*args: Any) -> list[Any]:
        return []

    async def no_events(*args: Any) -> int:
        return 0

    repository.deleted, repository.write_events = nothing_deleted, no_events
    try:
        yield
    finally:
        repository.deleted, repository.write_events = saved


def alternate(run: Callable[[int], object], repeat: int, warmup: int = 5
              ) -> tuple[list[float], list[float]]:
    """Milliseconds of ``run(i)`` with the audit trail and without, alternating."""
    with_audit: list[float] = []
    without: list[float] = []
    for i in range(warmup + repeat):
        for times, off in ((with_audit, False), (without, True)):
            started = time.perf_counter()
            if off:
                with audit_off():
                    run(i)
            else:
                run(i)
            if i >= warmup:
                times.append((time.perf_counter() - started) * 1000)
    return with_audit, without


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep (or reuse) the engine's data here")
    args = parser.parse_args()
    with large_org(args.employees, args.seed, args.data_dir) as conn, served(conn) as url:
        client = bench_client(url, timeout=60)

        def post(query: str) -> None:
            body = client.post("/graphql", json={"query": query}).json()
            assert "errors" not in body, body

        first = client.post("/graphql", json={"query": """{
            positions(first: 1) { edges { node { id } } }
            employees(first: 1) { edges { node { id } } }
            competencies(first: 1) { edges { node { id } } } }"""}).json()["data"]
        position, employee, competency = (first[k]["edges"][0]["node"]["id"]
                                          for k in ("positions", "employees", "competencies"))

        def update(i: int) -> None:  # a new value each time: every call changes something
            post(f'mutation {{ updatePosition(id: "{position}", input: {{grade: {i % 20 + 1}, '
                 f'description: "rev {i}"}}) {{ id }} }}')

        def assess(i: int) -> None:
            post(f'mutation {{ assessCompetency(input: {{employeeId: "{employee}", '
                 f'competencyId: "{competency}", level: {i % 5 + 1}}}) {{ id }} }}')

        for name, run in (("(a) updatePosition   ", update), ("(b) assessCompetency ", assess)):
            with_audit, without = alternate(run, args.repeat)
            ratio = statistics.median(with_audit) / statistics.median(without)
            print(f"{name} with the audit trail     {describe(with_audit)}")
            print(f"{name} change stamp only        {describe(without)}")
            print(f"{name} audited / not: {ratio:.2f} ({(ratio - 1) * 100:+.0f} %)", flush=True)
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
