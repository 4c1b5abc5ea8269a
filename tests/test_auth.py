"""Authentication over real HTTP (issue 10, 1-3): every request for data needs a valid
``Authorization: Bearer <JWT>``; without one the answer is 401 with a GraphQL-style error body
(``extensions.code == "UNAUTHENTICATED"``, no ``data``).

HS256 tokens are checked against the shared secret; RS256 and ES256 tokens against the keys of
an identity provider's JWKS URL, here a real HTTP server on a loopback port started by the test,
which can rotate its keys. Only ``GET /health`` and, in development mode, the GraphiQL page are
open.
"""

from __future__ import annotations

import json
import os
import re
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from conftest import TEST_SECRET, GraphHandle, LiveServer, serving, token
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from pydantic import SecretStr

from graph.engine_process import free_port
from graph.settings import Settings
from rolegraph.app import create_app
from rolegraph.auth import (
    JWKS_REFETCH_SECONDS,
    LEEWAY_SECONDS,
    SECRET_FILE,
    Authenticator,
    shared_secret,
)
from schema.policy import default_policy

QUERY = {"query": "{ positions(first: 1) { totalCount } }"}
PEOPLE = {"query": "{ employees(first: 1) { totalCount } }"}
ISSUER = "https://idp.example.test/realms/hr"
AUDIENCE = "rolegraph"


def claims(sub: str = "tester", roles: tuple[str, ...] = ("admin",), ttl: int = 300,
           **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": sub, "roles": list(roles), "iat": now, "exp": now + ttl, **extra}


def hs256(payload: dict[str, Any], secret: str = TEST_SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def post(client: httpx.Client, token_text: str | None, body: dict[str, Any] = QUERY,
         header: str | None = None) -> httpx.Response:
    headers = {}
    if header is not None:
        headers["Authorization"] = header
    elif token_text is not None:
        headers["Authorization"] = f"Bearer {token_text}"
    return client.post("/graphql", json=body, headers=headers)


def assert_unauthenticated(response: httpx.Response, reason: str = "") -> None:
    """401, a GraphQL-style body with the UNAUTHENTICATED code and no data."""
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert re.search(reason, error["message"]), error["message"]


def assert_ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


@pytest.fixture(scope="module")
def anonymous(demo_server: LiveServer) -> Iterator[httpx.Client]:
    """A client sending no token of its own."""
    with httpx.Client(base_url=demo_server.url, timeout=60) as client:
        yield client


# -- the token's presence and form ---------------------------------------------------------


def test_no_token_is_401(anonymous: httpx.Client) -> None:
    assert_unauthenticated(post(anonymous, None), "Authorization: Bearer")


@pytest.mark.parametrize("header", ["Bearer", "Basic dXNlcjpwYXNz", "bearer-xyz",
                                    "Token abc.def.ghi", "Bearer not-a-jwt",
                                    "Bearer a.b.c"])
def test_malformed_header_is_401(anonymous: httpx.Client, header: str) -> None:
    assert_unauthenticated(post(anonymous, None, header=header))


def test_the_scheme_is_case_insensitive(anonymous: httpx.Client) -> None:
    """RFC 6750 via RFC 7235: the auth scheme is a case-insensitive token."""
    assert_ok(post(anonymous, None, header=f"bearer {token('admin')}"))


def test_expired_beyond_the_leeway_is_401(anonymous: httpx.Client) -> None:
    late = claims(ttl=-(LEEWAY_SECONDS + 30))
    assert_unauthenticated(post(anonymous, hs256(late)), "expired")


def test_expired_within_the_leeway_is_accepted(anonymous: httpx.Client) -> None:
    """Clocks drift: a token expired 10 s ago still passes (at most 30 s of leeway)."""
    assert LEEWAY_SECONDS == 30
    assert_ok(post(anonymous, hs256(claims(ttl=-10))))


@pytest.mark.parametrize("missing", ["exp", "sub"])
def test_a_token_without_exp_or_sub_is_401(anonymous: httpx.Client, missing: str) -> None:
    payload = claims()
    del payload[missing]
    assert_unauthenticated(post(anonymous, hs256(payload)), missing)


def test_wrong_signature_is_401(anonymous: httpx.Client) -> None:
    forged = hs256(claims(), secret="another-secret-of-at-least-32-bytes-long")
    assert_unauthenticated(post(anonymous, forged), "signature")


def test_a_tampered_payload_is_401(anonymous: httpx.Client) -> None:
    """An employee's token edited to say admin: the signature no longer matches."""
    header, _, signature = token("employee", sub="E0180").split(".")
    payload = jwt.utils.base64url_encode(json.dumps(claims(roles=("admin",))).encode())
    assert_unauthenticated(post(anonymous, f"{header}.{payload.decode()}.{signature}"))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # signing HS512
@pytest.mark.parametrize("algorithm", ["none", "HS512"])
def test_other_algorithms_are_401(anonymous: httpx.Client, algorithm: str) -> None:
    """``alg: none`` and algorithms the server was not set up for are refused, whatever the
    token's own header says."""
    key = "" if algorithm == "none" else TEST_SECRET  # PyJWT signs "none" with no key
    forged = jwt.encode(claims(), key, algorithm=algorithm)
    assert_unauthenticated(post(anonymous, forged), "not accepted")


def test_rs256_without_a_jwks_url_is_401(anonymous: httpx.Client) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert_unauthenticated(post(anonymous, jwt.encode(claims(), key, algorithm="RS256")),
                           "not accepted")


def test_an_unknown_role_is_401(anonymous: httpx.Client) -> None:
    assert_unauthenticated(post(anonymous, hs256(claims(roles=("employee", "superuser")))),
                           "unknown role 'superuser'")


@pytest.mark.parametrize("claim", [{"roles": "admin"}, {"roles": [1]},
                                   {"departments": "D01"}])
def test_malformed_claims_are_401(anonymous: httpx.Client, claim: dict[str, Any]) -> None:
    assert_unauthenticated(post(anonymous, hs256({**claims(), **claim})), "list of names")


def test_a_caller_without_roles_sees_structure_only(anonymous: httpx.Client) -> None:
    """A valid token with no role authenticates; it reads the organisation's structure and
    no one's file."""
    body = assert_ok(post(anonymous, hs256(claims(sub="monitoring", roles=())),
                          {"query": "{ positions(first: 1) { totalCount } "
                                    "employees(first: 1) { totalCount } }"}))
    assert body["data"]["positions"]["totalCount"] > 0
    assert body["data"]["employees"]["totalCount"] == 0


# -- open and closed routes ------------------------------------------------------------------


def test_health_is_open(anonymous: httpx.Client) -> None:
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_other_routes_answer_no_data(anonymous: httpx.Client) -> None:
    """Only GET /health is open; other methods and unknown paths answer no data (the router
    refuses them before any handler, hence 404 / 405 rather than 401)."""
    for response in (anonymous.post("/health"), anonymous.get("/no-such-route"),
                     anonymous.put("/graphql", json=QUERY)):
        assert response.status_code in (401, 404, 405), response.text
        assert "totalCount" not in response.text and "counts" not in response.text


def test_graphiql_page_is_open_in_development(anonymous: httpx.Client) -> None:
    page = anonymous.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def test_the_open_graphiql_route_runs_no_query(anonymous: httpx.Client) -> None:
    """GET /graphql is open for the page only: a query sent by GET answers no data."""
    response = anonymous.get("/graphql", params={"query": "{ positions(first: 1) { totalCount } }"},
                             headers={"Accept": "application/json"})
    assert "totalCount" not in response.text, response.text


def test_graphiql_needs_a_token_in_production(demo_graph: GraphHandle) -> None:
    with serving(demo_graph.connection, Settings(mode="production")) as live, \
            httpx.Client(base_url=live.url, timeout=60) as client:
        assert_unauthenticated(client.get("/graphql", headers={"Accept": "text/html"}))
        assert client.get("/health").status_code == 200
        assert_ok(live.client.post("/graphql", json=QUERY))


def test_raci_csv_needs_a_token(anonymous: httpx.Client, demo_server: LiveServer) -> None:
    response = anonymous.get("/raci.csv", params={"department": "D10"})
    assert_unauthenticated(response)
    assert "P041" not in response.text
    ok = demo_server.as_("employee", sub="E0180").get("/raci.csv", params={"department": "D10"})
    assert ok.status_code == 200
    assert "P041" in ok.text


def test_no_websocket_runs_queries(demo_graph: GraphHandle) -> None:
    """The schema has no subscriptions, so the GraphQL route offers no websocket protocol at
    all: a graphql-transport-ws handshake is refused, with a token or without (queries go
    over HTTP, through the token check). In process: the test environment's uvicorn has no
    websocket implementation installed, a deployment's may have one."""
    from litestar.exceptions import WebSocketDisconnect
    from litestar.testing import TestClient

    settings = Settings(mode="development", auth_secret=SecretStr(TEST_SECRET))
    with TestClient(create_app(settings, demo_graph.connection)) as client:
        for headers in ({}, {"Authorization": "Bearer " + token("admin")}):
            with pytest.raises(WebSocketDisconnect), client.websocket_connect(
                    "/graphql", subprotocols=["graphql-transport-ws"], headers=headers) as ws:
                ws.send_json({"type": "connection_init"})
                ws.receive_json()


# -- the request id --------------------------------------------------------------------------


def test_every_response_has_a_request_id(anonymous: httpx.Client,
                                         demo_server: LiveServer) -> None:
    responses = [anonymous.get("/health"), post(anonymous, None),
                 demo_server.client.post("/graphql", json=QUERY),
                 demo_server.client.post("/graphql", json=QUERY)]
    ids = [r.headers["x-request-id"] for r in responses]
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids), ids
    assert len(set(ids)) == len(ids)


def test_a_client_cannot_choose_its_request_id(demo_server: LiveServer) -> None:
    """The id is the server's (the audit trail records it): one sent by the client is not
    echoed."""
    response = demo_server.client.post("/graphql", json=QUERY,
                                       headers={"X-Request-Id": "forged-id"})
    assert response.headers.get_list("x-request-id") != ["forged-id"]
    assert "forged-id" not in response.headers.get_list("x-request-id")


# -- issuer and audience ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def strict_server(demo_graph: GraphHandle) -> Iterator[LiveServer]:
    """A server that checks ``iss`` and ``aud``."""
    settings = Settings(mode="development", auth_issuer=ISSUER, auth_audience=AUDIENCE)
    with serving(demo_graph.connection, settings) as live:
        yield live


@pytest.mark.parametrize(("extra", "reason"), [
    ({"iss": ISSUER}, "aud"),
    ({"iss": ISSUER, "aud": "another-service"}, r"aud"),
    ({"iss": ISSUER, "aud": ["payroll", "crm"]}, r"aud"),
    ({"aud": AUDIENCE}, "iss"),
    ({"iss": "https://evil.example.test", "aud": AUDIENCE}, r"iss"),
])
def test_wrong_audience_or_issuer_is_401(strict_server: LiveServer, extra: dict[str, Any],
                                         reason: str) -> None:
    with httpx.Client(base_url=strict_server.url, timeout=60) as client:
        assert_unauthenticated(post(client, hs256(claims(**extra))), reason)


def test_the_right_audience_and_issuer_pass(strict_server: LiveServer) -> None:
    with httpx.Client(base_url=strict_server.url, timeout=60) as client:
        assert_ok(post(client, hs256(claims(iss=ISSUER, aud=AUDIENCE))))
        assert_ok(post(client, hs256(claims(iss=ISSUER, aud=["crm", AUDIENCE]))))


# -- the generated secret --------------------------------------------------------------------


def test_with_nothing_configured_a_private_secret_is_made(tmp_path: Path) -> None:
    """Zero set-up: a secret generated in the data directory, readable by its owner only,
    and the same one on the next start."""
    settings = Settings(data_dir=tmp_path)
    first = shared_secret(settings)
    path = tmp_path / SECRET_FILE
    assert first and len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert shared_secret(settings) == first
    assert shared_secret(settings.model_copy(update={"auth_jwks_url": "https://idp/jwks"})) \
        is None
    assert shared_secret(settings.model_copy(update={"auth_secret": SecretStr("s" * 32)})) \
        == "s" * 32
    if os.name == "posix":
        assert path.stat().st_uid == os.getuid()


# -- JWKS: keys from an identity provider ----------------------------------------------------


@dataclass
class IdentityProvider:
    """A JWKS endpoint over real HTTP on a loopback port; its keys can be rotated."""

    keys: dict[str, Any] = field(default_factory=dict)  # kid -> private key
    published: list[str] = field(default_factory=list)  # the kids served
    fetches: int = 0

    def __post_init__(self) -> None:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches += 1
                body = json.dumps(provider.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"

    def add(self, kid: str, algorithm: str, publish: bool = True) -> None:
        if algorithm == "RS256":
            self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            self.keys[kid] = ec.generate_private_key(ec.SECP256R1())
        if publish:
            self.published.append(kid)

    def jwks(self) -> dict[str, Any]:
        found = []
        for kid in self.published:
            key = self.keys[kid]
            if isinstance(key, rsa.RSAPrivateKey):
                jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
                alg = "RS256"
            else:
                jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
                alg = "ES256"
            found.append({**jwk, "kid": kid, "alg": alg, "use": "sig"})
        return {"keys": found}

    def sign(self, kid: str, payload: dict[str, Any], signing_kid: str | None = None) -> str:
        """A token naming ``kid``, signed with the key of ``signing_kid`` (default: its own)."""
        key = self.keys[signing_kid or kid]
        algorithm = "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"
        return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def app_over_http(demo: GraphHandle, settings: Settings) -> Iterator[httpx.Client]:
    """The app with exactly these settings (no test secret added), served by uvicorn."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, demo.connection),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def provider() -> Iterator[IdentityProvider]:
    idp = IdentityProvider()
    idp.add("rsa-1", "RS256")
    idp.add("ec-1", "ES256")
    try:
        yield idp
    finally:
        idp.close()


@pytest.fixture
def jwks_client(provider: IdentityProvider, demo_graph: GraphHandle,
                tmp_path: Path) -> Iterator[httpx.Client]:
    """The app trusting only the provider's keys (no shared secret), checking iss and aud."""
    settings = Settings(mode="development", data_dir=tmp_path, auth_jwks_url=provider.url,
                        auth_issuer=ISSUER, auth_audience=AUDIENCE)
    with app_over_http(demo_graph, settings) as client:
        yield client


def idp_claims(**extra: Any) -> dict[str, Any]:
    return claims(iss=ISSUER, aud=AUDIENCE, **extra)


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1"])
def test_jwks_tokens_are_verified(provider: IdentityProvider, jwks_client: httpx.Client,
                                  kid: str) -> None:
    assert_ok(post(jwks_client, provider.sign(kid, idp_claims())))
    assert provider.fetches == 1


def test_jwks_keys_are_cached(provider: IdentityProvider, jwks_client: httpx.Client) -> None:
    for _ in range(5):
        assert_ok(post(jwks_client, provider.sign("rsa-1", idp_claims())))
        assert_ok(post(jwks_client, provider.sign("ec-1", idp_claims())))
    assert provider.fetches == 1


def test_jwks_checks_expiry_issuer_and_audience(provider: IdentityProvider,
                                                jwks_client: httpx.Client) -> None:
    assert_unauthenticated(post(jwks_client, provider.sign("rsa-1", idp_claims(ttl=-120))),
                           "expired")
    assert_unauthenticated(post(jwks_client, provider.sign("rsa-1", claims(aud=AUDIENCE))),
                           "iss")
    assert_unauthenticated(post(jwks_client, provider.sign("ec-1", claims(iss=ISSUER))), "aud")


def test_jwks_refuses_a_key_it_does_not_publish(provider: IdentityProvider,
                                                jwks_client: httpx.Client) -> None:
    """A token naming a published key but signed with another: bad signature; a token naming
    a key the provider does not publish: no key."""
    provider.add("rogue", "RS256", publish=False)
    assert_unauthenticated(post(jwks_client, provider.sign("rsa-1", idp_claims(), "rogue")),
                           "signature")
    assert_unauthenticated(post(jwks_client, provider.sign("rogue", idp_claims())), "no key")


def test_jwks_only_refuses_shared_secret_tokens(jwks_client: httpx.Client) -> None:
    """With only a JWKS URL set, no HS256 secret exists: such tokens are refused (so a
    public key can never serve as an HMAC secret)."""
    assert_unauthenticated(post(jwks_client, hs256(idp_claims())), "not accepted")


def test_jwks_key_rotation(provider: IdentityProvider, jwks_client: httpx.Client) -> None:
    """The provider publishes a new key and retires the old one: a token with the new
    ``kid`` makes the server fetch the keys again (once), and the old key stops working once
    fetched again."""
    assert_ok(post(jwks_client, provider.sign("rsa-1", idp_claims())))
    assert provider.fetches == 1
    provider.add("rsa-2", "RS256")
    provider.published.remove("rsa-1")
    time.sleep(JWKS_REFETCH_SECONDS + 0.1)  # past the cooldown that protects the provider
    assert_ok(post(jwks_client, provider.sign("rsa-2", idp_claims())))
    assert provider.fetches == 2
    assert_ok(post(jwks_client, provider.sign("rsa-2", idp_claims())))
    assert provider.fetches == 2


def test_a_rotated_key_right_after_a_fetch(provider: IdentityProvider,
                                           jwks_client: httpx.Client) -> None:
    """A new key published just after the server fetched the set (a rotation rarely waits
    for a cache to expire) is accepted within a second or so, not after minutes."""
    assert_ok(post(jwks_client, provider.sign("rsa-1", idp_claims())))
    provider.add("rsa-2", "RS256")
    started = time.monotonic()
    while time.monotonic() - started < 5:
        if post(jwks_client, provider.sign("rsa-2", idp_claims())).status_code == 200:
            break
        time.sleep(0.2)
    assert time.monotonic() - started < 2, "the new key was refused for too long"


def test_unknown_kids_do_not_hammer_the_provider(provider: IdentityProvider,
                                                 jwks_client: httpx.Client) -> None:
    """Tokens naming unknown keys (anyone can send them) cause at most one refetch per
    cooldown, not one per request."""
    provider.add("rogue", "RS256", publish=False)
    assert_ok(post(jwks_client, provider.sign("rsa-1", idp_claims())))
    started = time.monotonic()
    for _ in range(20):
        assert_unauthenticated(post(jwks_client, provider.sign("rogue", idp_claims())))
    seconds = time.monotonic() - started
    assert provider.fetches <= 2 + int(seconds / JWKS_REFETCH_SECONDS)
    assert provider.fetches < 10


def test_the_authenticator_refetches_for_a_new_kid(provider: IdentityProvider) -> None:
    """The same rotation without a server, to tell a client fault from a server one."""
    import asyncio

    auth = Authenticator(default_policy(), None, provider.url, ISSUER, AUDIENCE)
    first = asyncio.run(auth.verify(provider.sign("ec-1", idp_claims(sub="E0001"))))
    assert (first.sub, first.roles) == ("E0001", ("admin",))
    provider.add("ec-2", "ES256")
    time.sleep(JWKS_REFETCH_SECONDS + 0.1)
    second = asyncio.run(auth.verify(provider.sign("ec-2", idp_claims(sub="E0002"))))
    assert second.sub == "E0002"
