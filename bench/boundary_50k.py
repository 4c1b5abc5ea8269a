"""Benchmark: the boundary queries on the 50,000-employee organisation, over real HTTP.

    python -m bench.boundary_50k [--repeat 20] [--similar-repeat 5] [--data-dir DIR]

Generates the organisation (seed 1: 20,000 responsibilities, ~3,000 positions), imports it
into a fresh embedded engine (or reuses the one in ``--data-dir``), serves the app in a
thread and times, end to end (HTTP, GraphQL, driver, engine, JSON):

* shared responsibilities, org-wide (goal: p50 under 500 ms);
* accountability gaps, org-wide (goal: p50 under 500 ms);
* department interface of the first two departments below the top, with similar duties
  between them (goal: p50 under 200 ms);
* similar responsibilities, org-wide (goal: under 10 s), the first run (which builds the
  text index) reported on its own;

and, without a goal, the RACI matrix of the first department, spans, layers, department
shapes and headcount status, org-wide.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

from neo4j import GraphDatabase, RoutingControl

from bench.common import client as bench_client
from bench.common import describe, large_org, served, timed

HOLDER = "raci position { id title } department { id name }"
SHARED = f"""{{ sharedResponsibilities {{ totalCount items {{ responsibility {{ id name }}
    ownerCount responsibleCount accountableCount crossDepartment departments {{ id }}
    owners {{ {HOLDER} }} }} }} }}"""
GAP = f"responsibility {{ id name }} accountableCount responsibleCount holders {{ {HOLDER} }}"
GAPS = f"""{{ accountabilityGaps {{ noAccountable {{ {GAP} }} multipleAccountable {{ {GAP} }}
    noResponsible {{ {GAP} }} positionsWithoutResponsibilities {{ position {{ id title }}
    department {{ id }} }} }} }}"""
PAIRS = f"""totalCount pairs {{ score sharedTerms a {{ responsibility {{ id name }}
    owners {{ {HOLDER} }} }} b {{ responsibility {{ id name }} owners {{ {HOLDER} }} }} }}"""
INTERFACE = f"""query($a: ID!, $b: ID!) {{ departmentInterface(a: $a, b: $b) {{
    a {{ name }} b {{ name }}
    shared {{ responsibility {{ id name }} contested contestedRoles holdersA {{ {HOLDER} }}
              holdersB {{ {HOLDER} }} }}
    similar {{ {PAIRS} }}
    reportingLines {{ position {{ id }} reportsTo {{ id }} }} }} }}"""
SIMILAR = f"{{ similarResponsibilities {{ {PAIRS} }} }}"
RACI = """query($d: ID!) { raciMatrix(department: $d) { columns { position { id title }
    department { name } inScope } rows { responsibility { id name } cells { column roles } } } }"""
SPANS = "{ positionSpans { position { id title } span directReports { id } overLimit } }"
LAYERS = "{ positionLayers { position { id title } layer chain { id } overLimit } }"
SHAPES = """{ departmentShapes { department { id name } layers widestSpan
    widestPositions { id } tooDeep tooWide } }"""
HEADCOUNT = """{ headcountStatus { overflow { position { id } headcount incumbents }
    vacancies { position { id } headcount incumbents difference } } }"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--similar-repeat", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep (or reuse) the engine's data here")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    with large_org(args.employees, args.seed, args.data_dir) as conn, served(conn) as url:
        driver = GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password))
        counts = driver.execute_query(
            "MATCH (r:Responsibility) WITH count(r) AS r MATCH (p:Position) "
            "RETURN r, count(p) AS p", database_=conn.database,
            routing_=RoutingControl.READ).records[0]
        a, b = [r["id"] for r in driver.execute_query(
            "MATCH (d:Department)-[:SUB_DEPARTMENT_OF]->(top:Department) "
            "WHERE NOT EXISTS { MATCH (top)-[:SUB_DEPARTMENT_OF]->(:Department) } "
            "RETURN d.id AS id ORDER BY id LIMIT 2", database_=conn.database,
            routing_=RoutingControl.READ).records]
        driver.close()
        client = bench_client(url, timeout=120)

        def ask(query: str, **variables: Any) -> dict[str, Any]:
            body: dict[str, Any] = client.post(
                "/graphql", json={"query": query, "variables": variables}).json()
            assert "errors" not in body, body
            return body

        print(f"responsibilities: {counts['r']:,}, positions: {counts['p']:,}")
        started = time.perf_counter()
        first = ask(SIMILAR)["data"]["similarResponsibilities"]
        print(f"similar responsibilities, first run (builds the text index): "
              f"{(time.perf_counter() - started) * 1000:7.1f} ms; "
              f"{first['totalCount']:,} pairs at or above the threshold", flush=True)
        shared = ask(SHARED)["data"]["sharedResponsibilities"]["totalCount"]
        interface = ask(INTERFACE, a=a, b=b)["data"]["departmentInterface"]
        print(f"shared responsibilities: {shared}; interface {interface['a']['name']} / "
              f"{interface['b']['name']}: {len(interface['shared'])} shared, "
              f"{interface['similar']['totalCount']} similar pairs, "
              f"{len(interface['reportingLines'])} reporting lines", flush=True)
        for name, run, repeat in [
                ("shared responsibilities, org-wide ", lambda: ask(SHARED), args.repeat),
                ("accountability gaps, org-wide    ", lambda: ask(GAPS), args.repeat),
                ("department interface             ", lambda: ask(INTERFACE, a=a, b=b),
                 args.repeat),
                ("similar responsibilities, org-wide", lambda: ask(SIMILAR),
                 args.similar_repeat),
                ("RACI matrix of a department       ", lambda: ask(RACI, d=a),
                 args.similar_repeat),
                ("spans of control, org-wide        ", lambda: ask(SPANS), args.similar_repeat),
                ("management layers, org-wide       ", lambda: ask(LAYERS), args.similar_repeat),
                ("department shapes, org-wide       ", lambda: ask(SHAPES), args.similar_repeat),
                ("headcount status, org-wide        ", lambda: ask(HEADCOUNT),
                 args.similar_repeat)]:
            print(f"{name} {describe(timed(run, repeat, warmup=2))}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
