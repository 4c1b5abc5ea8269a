"""What every request and response goes through besides its route: the Host allow-list, the
security headers, GraphQL-style error bodies for refusals made over HTTP, and the logging of
exceptions that escape a route.

**Host allow-list** (:class:`HostGuard`, the outermost middleware). A page on another site can
make a browser send requests to a server on the user's own machine by pointing its own name at
127.0.0.1 (DNS rebinding); such requests still carry the other site's name in ``Host``. So the
app answers only requests whose ``Host`` (without its port) is a loopback name (``127.0.0.1``,
``localhost``, ``::1``) or one of ``ROLEGRAPH_ALLOWED_HOSTS`` (``*.example.com`` admits the
names below example.com, ``*`` every name); any other gets HTTP 400.

**Security headers** (:func:`add_security_headers`, on every response, also 401s and 404s):
``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``, ``X-Frame-Options: DENY``,
a ``Content-Security-Policy`` that lets the GraphiQL page run its scripts from this server only,
and ``Cache-Control: no-store`` unless the route chose otherwise (GraphiQL's assets).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import HTTPException
from litestar.types import Message
from litestar.types import Scope as LitestarScope

from domain.errors import DomainError
from rolegraph.auth import ASGIApp, Receive, Scope, Send

log = logging.getLogger("rolegraph.http")

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
#: GraphiQL's page: its scripts and styles come from this server (styles also inline, as
#: React and CodeMirror set them); fonts and icons are data: URIs; it posts to /graphql
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": CONTENT_SECURITY_POLICY,
}
#: codes of HTTP-level refusals in GraphQL-style bodies
HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
              413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE"}


def error_body(message: str, code: str) -> bytes:
    """A GraphQL-style error body, as the GraphQL route and the 401s answer."""
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]},
                      ensure_ascii=False).encode()


def http_code(status: int) -> str:
    return HTTP_CODES.get(status) or HTTPStatus(status).name


def host_name(header: str) -> str:
    """The name in a ``Host`` header, lower case, without its port or a final dot:
    ``LocalHost.:8000`` -> ``localhost``, ``[::1]:8000`` -> ``::1``."""
    value = header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[1:end] if end > 0 else ""
    if value.count(":") > 1:  # a bare IPv6 address (not valid in Host, but unambiguous)
        return value
    return value.partition(":")[0].rstrip(".")


class HostGuard:
    """ASGI middleware: HTTP 400 for a request whose Host is not allowed (module docstring)."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        names = {host_name(n) if not n.startswith("*") else n.lower()
                 for n in (*LOOPBACK_NAMES, *allowed)}
        self.any_host = "*" in names
        self.suffixes = tuple(n[1:] for n in names if n.startswith("*."))  # ".example.com"
        self.names = frozenset(n for n in names if not n.startswith("*"))

    def allows(self, header: str | None) -> bool:
        if self.any_host:
            return True
        if not header:
            return False
        name = host_name(header)
        return name in self.names or (bool(name) and name.endswith(self.suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = next((bytes(v).decode("latin-1") for k, v in scope.get("headers", [])
                       if k.lower() == b"host"), None)
        if self.allows(header):
            await self.app(scope, receive, send)
            return
        log.info("refused a request for host %r: not in the allowed hosts",
                 (header or "")[:100])
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = error_body("This server does not answer to the host name in the Host header "
                          "(the allowed names are set with ROLEGRAPH_ALLOWED_HOSTS).",
                          "BAD_HOST")
        await send({"type": "http.response.start", "status": 400, "headers": [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


async def add_security_headers(message: Message, scope: LitestarScope) -> None:
    """Litestar ``before_send`` hook: the security headers on every response."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    if "cache-control" not in headers:
        headers["cache-control"] = "no-store"


def log_exception(exc: Exception, scope: LitestarScope) -> None:
    """Litestar ``after_exception`` hook, for exceptions that escape a route: a refusal
    (HTTP 4xx) at INFO without a traceback, anything else at ERROR with it, each with the
    request id (never the request's values)."""
    state: dict[str, Any] = scope.get("state") or {}
    extra = {"request_id": state.get("request_id", "-")}
    where = f"{scope.get('method', scope['type'])} {scope.get('path', '')}"
    if isinstance(exc, DomainError):  # answered by its handler (the engine is down ...)
        level = logging.WARNING if exc.code == "UNAVAILABLE" else logging.INFO
        log.log(level, "client error %s on %s", exc.code, where, extra=extra)
    elif isinstance(exc, HTTPException) and exc.status_code < 500:
        log.info("client error HTTP %s on %s", exc.status_code, where, extra=extra)
    else:
        log.error("unexpected error on %s", where, exc_info=exc, extra=extra)
