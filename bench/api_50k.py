"""Benchmark: the GraphQL API on the 50,000-employee organisation, against hand-written Cypher.

    python -m bench.api_50k [--repeat 200] [--data-dir DIR]

(a) one position by id with department, responsibilities, requirements and incumbents;
(b) a page of 100 positions with the same fields. For each: p50/p95 end to end over HTTP
(request, GraphQL, DataLoaders, driver, engine, JSON), and the same data fetched by one
hand-written Cypher query with the driver alone.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

from neo4j import GraphDatabase, RoutingControl

from bench.common import client as bench_client
from bench.common import describe, large_org, served, timed

FIELDS = """id title department { name }
    responsibilities { raci responsibility { name } }
    requirements { level weight mandatory competency { name } }
    incumbents { startDate employee { name } }"""

ONE = f"query($id: ID!) {{ position(id: $id) {{ {FIELDS} }} }}"
PAGE = (f"query($after: String) {{ positions(first: 100, after: $after) {{ "
        f"edges {{ node {{ {FIELDS} }} }} }} }}")

HAND_WRITTEN = """
MATCH (p:Position) WHERE p.id IN $ids
RETURN p.id AS id, p.title AS title,
  [(p)-[:IN_DEPARTMENT]->(d:Department) | d.name] AS department,
  [(p)-[r:HAS_RESPONSIBILITY]->(x:Responsibility) | {raci: r.raci, name: x.name}] AS resp,
  [(p)-[q:REQUIRES_COMPETENCY]->(c:Competency) |
     {level: q.level, weight: q.weight, mandatory: q.mandatory, name: c.name}] AS req,
  [(p)<-[h:HOLDS_POSITION]-(e:Employee) WHERE h.end_date IS NULL |
     {start: h.start_date, name: e.name}] AS inc
ORDER BY id
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep (or reuse) the engine's data here")
    args = parser.parse_args()
    rng = random.Random(7)
    with large_org(args.employees, args.seed, args.data_dir) as conn, served(conn) as url:
        driver = GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password))
        ids = [r["id"] for r in driver.execute_query(
            "MATCH (p:Position) RETURN p.id AS id ORDER BY id", database_=conn.database,
            routing_=RoutingControl.READ).records]
        page_ids = ids[:100]
        client = bench_client(url, timeout=60)

        def one_gql() -> Any:
            body = client.post("/graphql", json={"query": ONE,
                                                 "variables": {"id": rng.choice(ids)}}).json()
            assert "errors" not in body, body
            return body

        def page_gql() -> Any:
            body = client.post("/graphql", json={"query": PAGE}).json()
            assert len(body["data"]["positions"]["edges"]) == 100
            return body

        def one_cypher() -> Any:
            return driver.execute_query(HAND_WRITTEN, ids=[rng.choice(ids)],
                                        database_=conn.database,
                                        routing_=RoutingControl.READ).records

        def page_cypher() -> Any:
            return driver.execute_query(HAND_WRITTEN, ids=page_ids, database_=conn.database,
                                        routing_=RoutingControl.READ).records

        print(f"positions in the graph: {len(ids):,}")
        results = {}
        for name, run, repeat in [("(a) one position, GraphQL   ", one_gql, args.repeat),
                                  ("(a) one position, Cypher    ", one_cypher, args.repeat),
                                  ("(b) 100 positions, GraphQL  ", page_gql, args.repeat // 5),
                                  ("(b) 100 positions, Cypher   ", page_cypher, args.repeat // 5)]:
            results[name] = timed(run, repeat)
            print(f"{name} {describe(results[name])}", flush=True)
        driver.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
