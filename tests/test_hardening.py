"""HTTP hardening (issue 11, defects 5 and 12), over real HTTP.

Before the fix: a body that is not UTF-8, or JSON nested 100,000 levels deep, answered HTTP 500
(a full traceback in development mode); any body size was read (Litestar's 10 MB); the app
served Litestar's ``/schema``, ``/schema/openapi.json`` and ``/schema/swagger``; production
validation errors suggested field names; a request with ``Host: attacker.example`` was answered
(DNS rebinding reaches a loopback server from a browser); responses carried no security
headers; GraphiQL loaded React and GraphiQL from unpkg.com, so it was blank without internet.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator

import httpx
import pytest
from conftest import GraphHandle, LiveServer, serving, token

from graph.settings import Settings
from rolegraph.hardening import CONTENT_SECURITY_POLICY

QUERY = {"query": '{ position(id: "P001") { title } }'}
JSON = {"content-type": "application/json"}


def bad_request(response: httpx.Response, status: int = 400, code: str = "BAD_REQUEST") -> str:
    """The GraphQL-style error body of an HTTP refusal; its message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert "data" not in body
    [err] = body["errors"]
    assert err["extensions"] == {"code": code}
    message: str = err["message"]
    assert "Traceback" not in message
    return message


# -- defect 5: bodies ---------------------------------------------------------------------------


def test_a_body_that_is_not_utf8_is_a_400(demo_server: LiveServer) -> None:
    response = demo_server.client.post("/graphql", content=b'{"query": "{__typename \xff\xfe}"}',
                                       headers=JSON)
    assert "UTF-8" in bad_request(response)


def test_json_nested_100000_levels_deep_is_a_400(demo_server: LiveServer) -> None:
    deep = '{"query": "{__typename}", "variables": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    response = demo_server.client.post("/graphql", content=deep.encode(), headers=JSON)
    assert "nested too deeply" in bad_request(response)


@pytest.mark.parametrize("body", [
    b"not json", b'"a string"', b"42", b"null", b'{"query": 5}',
    b'{"query": "{ __typename }", "variables": [1, 2]}',
    b'{"query": "{ __typename }", "operationName": 7}',
    b"[]", b'[{"query": "{ __typename }"}]',
])
def test_other_malformed_bodies_are_400s(demo_server: LiveServer, body: bytes) -> None:
    bad_request(demo_server.client.post("/graphql", content=body, headers=JSON))


def test_a_body_above_the_limit_is_a_413(demo_server: LiveServer) -> None:
    padding = "x" * 1_100_000  # the default limit is 1,000,000 bytes
    response = demo_server.client.post(
        "/graphql", json={"query": "{ __typename }", "variables": {"pad": padding}})
    assert "Too Large" in bad_request(response, 413, "PAYLOAD_TOO_LARGE")
    # a body streamed without a Content-Length is counted as it arrives
    chunks = (b'{"query": "{ __typename }", "variables": {"pad": "' + b"x" * 100_000
              for _ in range(12))
    response = demo_server.client.post("/graphql", content=chunks, headers=JSON)
    bad_request(response, 413, "PAYLOAD_TOO_LARGE")


def test_the_body_limit_is_a_setting(demo_graph: GraphHandle) -> None:
    with serving(demo_graph.connection, Settings(mode="development", max_body_bytes=200)) as s:
        assert s.client.post("/graphql", json=QUERY).status_code == 200
        response = s.client.post("/graphql", json={"query": "{ __typename }" + " " * 300})
        bad_request(response, 413, "PAYLOAD_TOO_LARGE")


# -- defect 12: production hardening ------------------------------------------------------------


@pytest.fixture(scope="module")
def production(demo_graph: GraphHandle) -> Iterator[LiveServer]:
    with serving(demo_graph.connection,
                 Settings(mode="production", allowed_hosts=["hr.example.com"])) as server:
        yield server


@pytest.mark.parametrize("path", ["/schema", "/schema/openapi.json", "/schema/swagger",
                                  "/schema/redoc"])
def test_no_openapi_pages(demo_server: LiveServer, production: LiveServer, path: str) -> None:
    """They describe nothing useful (the API is GraphQL: schema.graphql); gone in every mode,
    for callers with a token too."""
    for server in (demo_server, production):
        assert server.client.get(path).status_code == 404


def test_no_suggestions_in_production(demo_server: LiveServer, production: LiveServer) -> None:
    """Suggestions would show the schema that introspection hides: none in production, for
    field names in the document and for enum values in variables."""
    typo = {"query": "{ posiion(id: \"P001\") { title } }"}
    enum = {"query": 'query($d: SortDirection!) { positions(orderBy: [{field: "grade", '
                     "direction: $d}]) { totalCount } }", "variables": {"d": "DESCX"}}
    for request in (typo, enum):
        [err] = production.client.post("/graphql", json=request).json()["errors"]
        assert "Did you mean" not in err["message"], err
    [err] = production.client.post("/graphql", json=typo).json()["errors"]
    assert err["message"] == "Cannot query field 'posiion' on type 'Query'."
    # development keeps them: they help whoever writes the queries
    [err] = demo_server.client.post("/graphql", json=typo).json()["errors"]
    assert "Did you mean 'position'" in err["message"]


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8000",
                                  "127.0.0.1.attacker.example", "localhost.evil", ""])
def test_a_request_for_another_host_is_a_400(demo_server: LiveServer, host: str) -> None:
    """DNS rebinding: a page of attacker.example whose name now points at 127.0.0.1 reaches
    the loopback server, but its requests say ``Host: attacker.example``."""
    response = demo_server.client.post("/graphql", json=QUERY, headers={"host": host})
    assert "Host header" in bad_request(response, 400, "BAD_HOST")
    assert "data" not in response.text
    # before any authentication: without a token too
    response = httpx.post(demo_server.url + "/graphql", json=QUERY, headers={"host": host})
    bad_request(response, 400, "BAD_HOST")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST", "localhost.", "[::1]",
                                  "127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}"])
def test_loopback_names_are_allowed(demo_server: LiveServer, host: str) -> None:
    host = host.format(port=demo_server.port)
    response = demo_server.client.post("/graphql", json=QUERY, headers={"host": host})
    assert response.status_code == 200 and response.json()["data"]


def test_the_allowed_hosts_setting_adds_public_names(production: LiveServer) -> None:
    for host in ("hr.example.com", "HR.example.com:443", "localhost"):
        response = production.client.post("/graphql", json=QUERY, headers={"host": host})
        assert response.status_code == 200, host
    for host in ("example.com", "evil.hr.example.com", "hr.example.com.evil"):
        response = production.client.post("/graphql", json=QUERY, headers={"host": host})
        bad_request(response, 400, "BAD_HOST")


def test_settings_read_allowed_hosts_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLEGRAPH_ALLOWED_HOSTS", "hr.example.com, *.corp.example")
    assert Settings().allowed_hosts == ["hr.example.com", "*.corp.example"]


def test_wildcards_in_the_allowed_hosts() -> None:
    from rolegraph.hardening import HostGuard

    async def app(*_: object) -> None: ...

    guard = HostGuard(app, ["*.corp.example"])
    assert guard.allows("hr.corp.example:8443") and guard.allows("a.b.corp.example")
    assert not guard.allows("corp.example.evil") and not guard.allows("evilcorp.example")
    assert HostGuard(app, ["*"]).allows("anything.example")


SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
            "x-frame-options": "DENY", "content-security-policy": CONTENT_SECURITY_POLICY}


def test_security_headers_on_every_response(demo_server: LiveServer,
                                            production: LiveServer) -> None:
    anonymous = httpx.Client(base_url=demo_server.url)
    responses = {
        "data": demo_server.client.post("/graphql", json=QUERY),
        "health": anonymous.get("/health"),
        "401": anonymous.post("/graphql", json=QUERY),
        "404": demo_server.client.get("/no-such-page"),
        "bad body": demo_server.client.post("/graphql", content=b"{", headers=JSON),
        "raci.csv": demo_server.client.get("/raci.csv?department=D10"),
        "graphiql": anonymous.get("/graphql", headers={"accept": "text/html"}),
        "bad host": anonymous.get("/health", headers={"host": "attacker.example"}),
        "production": production.client.post("/graphql", json=QUERY),
    }
    anonymous.close()
    for what, response in responses.items():
        for name, value in SECURITY.items():
            assert response.headers.get(name) == value, (what, name)
        if what != "graphiql":
            assert response.headers["cache-control"] == "no-store", what
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY


# -- GraphiQL without internet ------------------------------------------------------------------


def _assets(page: str) -> list[tuple[str, str | None]]:
    """(src or href, integrity) of every script and stylesheet of the page."""
    found = []
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", page):
        url = re.search(r'\b(?:src|href)="([^"]+)"', tag)
        if url is None or ('rel="icon"' in tag):
            continue
        integrity = re.search(r'\bintegrity="([^"]+)"', tag)
        found.append((url.group(1), integrity.group(1) if integrity else None))
    return found


def test_graphiql_is_served_by_rolegraph_itself(demo_server: LiveServer) -> None:
    """The page names no other server; every script and stylesheet comes from the app, with
    no token (they hold no data), as the npm packages published them (the page's integrity
    hashes, which are also strawberry's CDN page's, match what the app serves)."""
    anonymous = httpx.Client(base_url=demo_server.url)
    page = anonymous.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    assets = _assets(page.text)
    names = {url.rsplit("/", 1)[-1] for url, _ in assets}
    assert {"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js",
            "graphiql.min.css", "rolegraph-graphiql.js"} <= names
    for url, integrity in assets:
        response = anonymous.get(httpx.URL(page.url).join(url))
        assert response.status_code == 200, url
        kind = "javascript" if url.endswith(".js") else "css"
        assert kind in response.headers["content-type"], url
        if integrity is not None:
            digest = base64.b64encode(hashlib.sha384(response.content).digest()).decode()
            assert integrity == f"sha384-{digest}", url
    anonymous.close()


def test_no_graphiql_files_in_production(production: LiveServer) -> None:
    assert production.client.get("/graphiql/graphiql.min.js").status_code == 404
    anonymous = httpx.get(production.url + "/graphql", headers={"accept": "text/html"})
    assert anonymous.status_code == 401
    with_token = httpx.get(production.url + "/graphql", headers={
        "accept": "text/html", "authorization": f"Bearer {token('admin')}"})
    assert with_token.status_code in (404, 405)
