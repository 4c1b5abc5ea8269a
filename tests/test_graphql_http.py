"""GraphQL over HTTP as the specification and its clients expect (issue 13): UTF-8 JSON,
queries over GET, ``application/graphql-response+json`` with its status codes, and trusted
documents sent by id (Apollo's persisted queries, ``documentId``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import GraphHandle, LiveServer, bearer, serving

from domain.documents import document_id
from graph.audit import DOCUMENTS_ADD, AuditContext, AuditFilter, read_page
from graph.db import Graph
from graph.documents import Document, add_documents, list_documents
from graph.settings import Settings
from resolvers.schema import build_schema
from rolegraph.documents import read_documents
from rolegraph.graphql_route import GRAPHQL_RESPONSE, JSON, response_type

DEPARTMENT = '{ department(id: "D01") { id name } }'
RESPONSE = {"Accept": GRAPHQL_RESPONSE}


def test_utf8_json(demo_server: LiveServer) -> None:
    """Chinese text is written as its characters: 3 bytes each, no \\uXXXX escapes."""
    response = demo_server.client.post("/graphql", json={"query": DEPARTMENT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    name = response.json()["data"]["department"]["name"]
    assert any(ord(c) > 127 for c in name)
    assert name.encode() in response.content and b"\\u" not in response.content


def test_query_over_get(demo_server: LiveServer) -> None:
    c = demo_server.client
    got = c.get("/graphql", params={"query": "query($d: ID!) { department(id: $d) { id } }",
                                    "variables": json.dumps({"d": "D01"})})
    assert got.status_code == 200, got.text
    assert got.json() == {"data": {"department": {"id": "D01"}}}
    named = c.get("/graphql", params={"query": "query A { a: department(id: \"D01\") { id } } "
                                               "query B { b: department(id: \"D02\") { id } }",
                                      "operationName": "B"})
    assert named.json() == {"data": {"b": {"id": "D02"}}}


def test_no_mutation_over_get(demo_server: LiveServer) -> None:
    got = demo_server.client.get("/graphql", params={
        "query": 'mutation { updateDepartment(id: "D01", input: {name: "x"}) { id } }'})
    assert got.status_code == 405
    assert got.headers["allow"] == "POST"
    assert got.json()["errors"][0]["extensions"]["code"]
    assert demo_server.client.post("/graphql", json={"query": DEPARTMENT}).json()["data"][
        "department"]["name"] != "x"


def test_get_queries_need_a_token(demo_server: LiveServer) -> None:
    """GraphiQL's page is open in development; a query over GET is not."""
    with httpx.Client(base_url=demo_server.url) as anonymous:
        page = anonymous.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
        refused = anonymous.get("/graphql", params={"query": DEPARTMENT})
        assert refused.status_code == 401


@pytest.mark.parametrize(("body", "what"), [
    ({"query": "{ department(id: "}, "does not parse"),
    ({"query": "{ noSuchField }"}, "does not validate"),
    ({"query": "query($d: ID!) { department(id: $d) { id } }", "variables": {"d": [1]}},
     "variables of the wrong type"),
    ({"query": "query($d: ID!) { department(id: $d) { id } }"}, "a variable missing"),
])
def test_request_errors_are_400_with_graphql_response_json(demo_server: LiveServer,
                                                          body: dict[str, Any],
                                                          what: str) -> None:
    c = demo_server.client
    strict = c.post("/graphql", json=body, headers=RESPONSE)
    assert strict.status_code == 400, what
    assert strict.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert "data" not in strict.json() and strict.json()["errors"]
    legacy = c.post("/graphql", json=body)  # application/json: 200, as clients expect
    assert legacy.status_code == 200, what
    assert legacy.headers["content-type"] == "application/json; charset=utf-8"
    assert "data" not in legacy.json() and legacy.json()["errors"]


def test_field_errors_stay_200(demo_server: LiveServer) -> None:
    """A field's error is no request error: HTTP 200, with a data entry."""
    got = demo_server.client.post(
        "/graphql", json={"query": '{ department(id: "D01") { id } position(id: "nope") '
                                   '{ id } appraisal(employee: "nobody", period: "2026-Q1") '
                                   '{ finalScore } }'}, headers=RESPONSE)
    assert got.status_code == 200
    body = got.json()
    assert body["errors"][0]["path"] == ["appraisal"]
    # execution began: the data entry is there, null as the non-null field's error made it
    assert "data" in body and body["data"] is None


def test_accept_negotiation() -> None:
    assert response_type(None) == JSON
    assert response_type("*/*") == JSON
    assert response_type(f"{GRAPHQL_RESPONSE}, {JSON};q=0.9") == GRAPHQL_RESPONSE
    assert response_type(f"{JSON}, {GRAPHQL_RESPONSE};q=0.5") == JSON
    assert response_type("application/*") == JSON
    assert response_type("text/plain") is None
    assert response_type(f"{GRAPHQL_RESPONSE};q=0") is None


def test_unacceptable_accept_is_406(demo_server: LiveServer) -> None:
    got = demo_server.client.post("/graphql", json={"query": DEPARTMENT},
                                  headers={"Accept": "text/plain"})
    assert got.status_code == 406
    assert got.json()["errors"][0]["message"]


# -- trusted documents ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def registered(demo_graph: GraphHandle) -> str:
    """The id of the document :data:`DEPARTMENT`, registered in the demo graph."""
    key = document_id(DEPARTMENT)
    demo_graph.run(lambda g: add_documents(g, [Document(key, DEPARTMENT, ())],
                                           AuditContext.command_line(DOCUMENTS_ADD)))
    return key


@pytest.fixture(scope="module")
def trusted_only(demo_graph: GraphHandle) -> Iterator[LiveServer]:
    with serving(demo_graph.connection,
                 Settings(mode="development", trusted_documents_only=True)) as live:
        yield live


def _apq(key: str) -> dict[str, Any]:
    return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": key}}}


def test_run_by_id(demo_server: LiveServer, registered: str) -> None:
    c = demo_server.client
    expected = c.post("/graphql", json={"query": DEPARTMENT}).json()
    assert c.post("/graphql", json=_apq(registered)).json() == expected
    assert c.post("/graphql", json={"documentId": f"sha256:{registered}"}).json() == expected
    assert c.post("/graphql", json={"doc_id": registered}).json() == expected
    over_get = c.get("/graphql", params={"extensions": json.dumps(_apq(registered)[
        "extensions"])})
    assert over_get.json() == expected
    assert c.get("/graphql", params={"documentId": registered}).json() == expected


def test_unknown_and_mismatched_ids(demo_server: LiveServer, registered: str) -> None:
    c = demo_server.client
    unknown = c.post("/graphql", json=_apq("0" * 64)).json()
    assert unknown["errors"][0]["message"] == "PersistedQueryNotFound"
    assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    strict = c.post("/graphql", json=_apq("0" * 64), headers=RESPONSE)
    assert strict.status_code == 400
    wrong = c.post("/graphql", json={"query": "{ departments { totalCount } }",
                                     **_apq(registered)}).json()
    assert wrong["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    malformed = c.post("/graphql", json={"documentId": "md5:abc"}).json()
    assert "documentId" in malformed["errors"][0]["message"]


def test_trusted_documents_only(trusted_only: LiveServer, registered: str) -> None:
    c = trusted_only.client
    refused = c.post("/graphql", json={"query": "{ departments { totalCount } }"}).json()
    assert refused["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_REQUIRED"
    assert "data" not in refused
    assert c.post("/graphql", json=_apq(registered)).json()["data"]["department"]["id"] == "D01"
    assert c.post("/graphql", json={"query": DEPARTMENT}).json()["data"]["department"]["id"] \
        == "D01"
    unknown = c.post("/graphql", json={"query": "{ departments { totalCount } }",
                                       **_apq(document_id("{ departments { totalCount } }"))})
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    with httpx.Client(base_url=trusted_only.url, headers=bearer("admin")) as other:
        assert other.get("/graphql", params={"documentId": registered}).json()["data"]


def test_reading_documents_and_manifests(tmp_path: Path) -> None:
    schema = build_schema(production=True)._schema
    one = tmp_path / "department.graphql"
    one.write_text("query Department { department(id: \"D01\") { id } }", encoding="utf-8")
    body = "query Positions { positions(first: 5) { totalCount } }"
    apollo = tmp_path / "apollo.json"
    apollo.write_text(json.dumps({"format": "apollo-persisted-query-manifest", "version": 1,
                                  "operations": [{"id": document_id(body), "body": body,
                                                  "name": "Positions", "type": "query"}]}))
    relay = tmp_path / "relay.json"
    relay.write_text(json.dumps({document_id(DEPARTMENT): DEPARTMENT}))
    found, problems = read_documents([one, apollo, relay], schema)
    assert problems == []
    assert [d.operations for d in found] == sorted(
        [("Department",), ("Positions",), ()], key=lambda ops: document_id(
            {("Department",): one.read_text(), ("Positions",): body, (): DEPARTMENT}[ops]))
    bad = tmp_path / "bad.graphql"
    bad.write_text("{ department(id: \"D01\") { nope } }")
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"abc": DEPARTMENT}))
    found, problems = read_documents([bad, wrong], schema)
    assert found == []
    assert [str(p) for p in problems] == [
        f"{bad}:1:27: Cannot query field 'nope' on type 'Department'. Did you mean 'name'?",
        f"{wrong}: 'abc': the id 'abc' is not the SHA-256 of its document "
        f"({document_id(DEPARTMENT)})"]


def test_registered_documents_listed(demo_graph: GraphHandle, registered: str) -> None:
    async def ids(graph: Graph) -> list[str]:
        return [d.id for d in await list_documents(graph)]

    assert registered in demo_graph.run(ids)


def test_registering_leaves_an_audit_event(demo_graph: GraphHandle, registered: str) -> None:
    events = demo_graph.run(lambda g: read_page(g, AuditFilter(), 0, None)).events
    [event] = [e for e in events if e.operation == DOCUMENTS_ADD]
    assert event.details == {"documents": [registered]}
    assert event.actor.startswith("cli:")


@pytest.mark.parametrize("production", [False, True])
def test_validation_is_remembered_only_for_valid_documents(production: bool) -> None:
    """A document that passed is not validated again; one that failed fails every time, with
    the same errors (no suggestions in production), and so do the limits."""
    schema = build_schema(production=production)
    deep = "{ " + "department(id: \"D01\") { parent { " * 6 + "id" + " } }" * 6 + " }"
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
    typo = "{ posiion(id: \"P001\") { id } }"
    for _ in range(2):
        for document in (deep, aliases):
            result = schema.execute_sync(document)
            assert result.errors and result.data is None, document
        [error] = schema.execute_sync(typo).errors or []
        assert ("Did you mean" in error.message) is not production
        assert schema.execute_sync("{ __typename }").errors is None
