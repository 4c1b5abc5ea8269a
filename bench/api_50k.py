"""Benchmark: the GraphQL API on the 50,000-employee organisation, against hand-written Cypher.

    python -m bench.api_50k [--repeat 200] [--data-dir DIR] [--seconds 10]

(a) one position by id with department, responsibilities, requirements and incumbents;
(b) a page of 100 positions with the same fields. For each: p50/p95 end to end over HTTP
(request, GraphQL, DataLoaders, driver, engine, JSON), the same data fetched by one
hand-written Cypher query with the driver alone, and their ratio (goals: (a) 2x, (b) 1.5x);
and the hand-written query behind a plain HTTP route (the floor of any HTTP answer here:
the client, the server, the driver), with GraphQL's ratio to it.

Throughput: requests per second for (a) with 16 concurrent clients (``bench.load``, a process
of its own) over ``--seconds``, against the GraphQL route and against the hand-written query
behind a plain HTTP route (``GET /position/{id}``: one read transaction, the records as JSON)
served the same way (uvicorn in a thread); goal: a ratio of at most 2x.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from litestar import Litestar, Response, get
from neo4j import AsyncGraphDatabase, GraphDatabase, RoutingControl

from bench.common import BENCH_SECRET, describe, large_org, serve_app, served, timed
from bench.common import client as bench_client
from graph.db import Connection
from rolegraph.auth import issue_token

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


def plain_app(conn: Connection, page_ids: list[str]) -> Litestar:
    """``GET /position/{id}`` and ``GET /page`` (the positions ``page_ids``): the hand-written
    query in a read transaction, as JSON."""
    driver = AsyncGraphDatabase.driver(conn.uri, auth=(conn.user, conn.password))

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await driver.close()

    async def answer(ids: list[str]) -> Response[bytes]:
        records, _, _ = await driver.execute_query(
            HAND_WRITTEN, ids=ids, database_=conn.database, routing_=RoutingControl.READ)
        rows = [{**r.data(), "inc": [{**i, "start": str(i["start"])} for i in r["inc"]]}
                for r in records]
        return Response(orjson.dumps(rows), media_type="application/json")

    @get("/position/{key:str}")
    async def position(key: str) -> Response[bytes]:
        return await answer([key])

    @get("/page")
    async def page() -> Response[bytes]:
        return await answer(page_ids)

    return Litestar([position, page], lifespan=[lifespan])


def throughput(url: str, seconds: float, ids: list[str], token: str | None = None,
               concurrency: int = 16) -> float:
    """Requests per second of ``bench.load`` against ``url`` (the best of two runs)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(ids))
    found = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "bench.load", url, str(seconds), str(concurrency), f.name,
             *([token] if token else [])], capture_output=True, text=True, check=True)
        result = json.loads(done.stdout)
        assert result["errors"] == 0, result
        found.append(float(result["per_second"]))
    Path(f.name).unlink()
    return max(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep (or reuse) the engine's data here")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="length of each throughput run")
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
        with serve_app(plain_app(conn, page_ids)) as plain:
            plain_client = bench_client(plain, timeout=60)

            def one_plain() -> Any:
                return plain_client.get(f"/position/{rng.choice(ids)}").json()

            def page_plain() -> Any:
                return plain_client.get("/page").json()

            for name, run, repeat in [
                    ("(a) one position, GraphQL   ", one_gql, args.repeat),
                    ("(a) one position, Cypher    ", one_cypher, args.repeat),
                    ("(a) one position, plain HTTP", one_plain, args.repeat),
                    ("(b) 100 positions, GraphQL  ", page_gql, args.repeat // 5),
                    ("(b) 100 positions, Cypher   ", page_cypher, args.repeat // 5),
                    ("(b) 100 positions, plain HTTP", page_plain, args.repeat // 5)]:
                results[name] = timed(run, repeat)
                print(f"{name} {describe(results[name])}", flush=True)
        for label, gql, cypher, plain_name, goal in (
                ("(a)", "(a) one position, GraphQL   ", "(a) one position, Cypher    ",
                 "(a) one position, plain HTTP", 2),
                ("(b)", "(b) 100 positions, GraphQL  ", "(b) 100 positions, Cypher   ",
                 "(b) 100 positions, plain HTTP", 1.5)):
            ratio = statistics.median(results[gql]) / statistics.median(results[cypher])
            print(f"{label} GraphQL / hand-written Cypher, p50: {ratio:.1f}x (goal <= {goal}x)")
            over_http = statistics.median(results[gql]) / statistics.median(results[plain_name])
            print(f"{label} GraphQL / the same Cypher behind a plain HTTP route, p50: "
                  f"{over_http:.1f}x")
        driver.close()
        sample = [rng.choice(ids) for _ in range(1000)]
        token = issue_token(BENCH_SECRET, "bench", ["admin"], (), 3600)
        via_graphql = throughput(f"{url}/graphql", args.seconds, sample, token)
        with serve_app(plain_app(conn, page_ids)) as plain:
            via_plain = throughput(f"{plain}/position/{{id}}", args.seconds, sample)
        print(f"(a) throughput, 16 concurrent clients: GraphQL {via_graphql:,.0f} requests/s, "
              f"hand-written Cypher behind a plain route {via_plain:,.0f} requests/s: "
              f"{via_plain / via_graphql:.1f}x (goal <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
