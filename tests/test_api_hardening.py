"""The API's guard rails: no N+1 queries, limits, masked errors, production mode, the
committed schema."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from api_client import data, error, gql
from conftest import LiveServer

from graph.db import Connection
from graph.engine import EngineInfo
from graph.settings import Settings
from resolvers.schema import MAX_ALIASES, MAX_DEPTH, sdl
from schema.gql.enums import ENUM_PROPERTIES
from schema.ontology import default_ontology

REPO = Path(__file__).resolve().parent.parent

PAGE = """query($first: Int!) { positions(first: $first) { edges { node { id title
    department { name }
    responsibilities { raci responsibility { name } }
    requirements { level weight mandatory competency { name } }
    incumbents { startDate employee { name } } } } } }"""


def test_a_page_costs_the_same_queries_for_10_or_60_positions(demo_server: LiveServer) -> None:
    """Listing positions with department, responsibilities, requirements and incumbents issues
    a fixed number of queries, not one per position. The first time a document is seen the
    general path answers: the page query fetches the selected relationships too (and the
    count would be a second query, were ``totalCount`` selected). Then the compiled path
    answers with one query."""
    costs = {}
    document = PAGE.replace("positions(first", "general: positions(first")
    for first in (10, 60):
        before = demo_server.queries
        got = data(demo_server.client, document, first=first)
        costs[first] = demo_server.queries - before
        assert len(got["general"]["edges"]) == first
    assert costs[10] == 1
    assert costs[60] == 1  # the same document again: compiled
    before = demo_server.queries  # with totalCount: the count is one more query
    got = data(demo_server.client, PAGE.replace("edges {", "totalCount edges {"), first=10)
    assert got["positions"]["totalCount"] == 62
    assert demo_server.queries - before == 2


def test_one_record_with_its_relationships_is_one_query(demo_server: LiveServer) -> None:
    before = demo_server.queries
    got = data(demo_server.client, """{ position(id: "P005") { title department { name }
        responsibilities { raci } requirements { level } incumbents { employee { id } }
        reportsTo { title } } }""")
    assert demo_server.queries - before == 1
    assert got["position"]["department"] == {"name": "市场部"}


def test_nested_relationships_still_batch(demo_server: LiveServer) -> None:
    """Below the first level the DataLoaders take over: one query per relationship kind."""
    before = demo_server.queries
    got = data(demo_server.client, """{ department(id: "D01") { children {
        positions { incumbents { employee { competencies { level } } } } } } }""")
    assert len(got["department"]["children"]) > 5
    assert demo_server.queries - before == 4
    before = demo_server.queries  # the same document again: compiled into one query
    assert data(demo_server.client, """{ department(id: "D01") { children {
        positions { incumbents { employee { competencies { level } } } } } } }""") == got
    assert demo_server.queries - before == 1


def test_query_depth_is_limited(demo_server: LiveServer) -> None:
    deep = "{ position(id: \"P001\") { " + "reportsTo { " * MAX_DEPTH + "id" + " }" * MAX_DEPTH \
        + " } }"
    err = error(demo_server.client, deep)
    assert "exceeds maximum operation depth" in err["message"]


def test_aliases_are_limited(demo_server: LiveServer) -> None:
    many = "{ " + " ".join(f'a{i}: position(id: "P001") {{ id }}'
                           for i in range(MAX_ALIASES + 1)) + " }"
    err = error(demo_server.client, many)
    assert "aliases found" in err["message"]


def test_graphiql_only_in_development(demo_server: LiveServer) -> None:
    page = demo_server.client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


@pytest.fixture(scope="module")
def production_server(engine_info: EngineInfo, demo_server: LiveServer) -> LiveServer:
    conn = demo_server.app.state.graph
    server = LiveServer(Connection(engine_info.uri, engine_info.user, engine_info.password,
                                   conn.database, True), Settings(mode="production"))
    yield server
    server.close()


def test_production_has_no_introspection_and_no_graphiql(production_server: LiveServer) -> None:
    body = gql(production_server.client, "{ __schema { types { name } } }")
    assert body["errors"]
    assert all("introspection has been disabled" in e["message"] for e in body["errors"])
    assert production_server.client.get(
        "/graphql", headers={"accept": "text/html"}).status_code in (404, 405)
    assert data(production_server.client, '{ position(id: "P001") { title } }') == {
        "position": {"title": "总经理"}}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_unexpected_errors_are_masked_and_health_degrades(engine_info: EngineInfo) -> None:
    """A failure that is not the client's fault (here: the engine refuses the credentials)
    reaches the client as "Unexpected error." with no driver text; the log keeps it."""
    logged = _Records()
    logging.getLogger("rolegraph.graphql").addHandler(logged)
    server = LiveServer(Connection(engine_info.uri, engine_info.user, "wrong-password",
                                   "rolegraph", True))
    try:
        response = server.client.post("/graphql",
                                      json={"query": '{ position(id: "P001") { title } }'})
        body = response.json()
        assert body["data"] == {"position": None}
        assert [e["message"] for e in body["errors"]] == ["Unexpected error."]
        # nothing of the failure, only the request id the log line carries
        assert body["errors"][0]["extensions"] == {
            "requestId": response.headers["x-request-id"]}
        health = server.client.get("/health")
        assert (health.status_code, health.json()["status"]) == (503, "unavailable")
        assert health.json()["engine"]["up"] is False
    finally:
        server.close()
        logging.getLogger("rolegraph.graphql").removeHandler(logged)
    errors = [r for r in logged.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["unexpected error in ['position']"]
    assert errors[0].request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]
    exc_info = errors[0].exc_info
    assert exc_info is not None and type(exc_info[1]).__name__ == "AuthError"


def test_committed_schema_matches_the_code() -> None:
    """Front ends generate their clients from schema.graphql; regenerate it with
    `rolegraph schema > schema.graphql` when the API changes."""
    assert (REPO / "schema.graphql").read_text(encoding="utf-8") == sdl()


def test_graphql_enums_match_the_ontology() -> None:
    o = default_ontology()
    for (owner, prop), enum_cls in ENUM_PROPERTIES.items():
        spec = (o.classes[owner].properties if owner in o.classes
                else o.relationships[owner].properties)[prop]
        assert spec.enum == tuple(m.value for m in enum_cls), (owner, prop)


def test_a_variable_of_the_wrong_type_is_reported_not_masked(demo_server: LiveServer) -> None:
    body = gql(demo_server.client, "query($n: Int!) { positions(first: $n) { totalCount } }",
               n=True)
    assert "Int cannot represent non-integer value: True" in body["errors"][0]["message"]
