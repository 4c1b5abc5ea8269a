"""Authentication: every request for data carries ``Authorization: Bearer <JWT>``.

Tokens are verified with PyJWT: HS256 with the shared secret (``ROLEGRAPH_AUTH_SECRET``, or one
generated in the data directory, mode 0600, when neither a secret nor a JWKS URL is set), and
RS256/ES256 against an identity provider's JWKS URL (``ROLEGRAPH_AUTH_JWKS_URL``; keys cached
and refetched when a token names an unknown key). ``exp`` is required (30 s of clock-skew
leeway); ``iss`` and ``aud`` are checked when configured. The claims become a
:class:`domain.access.Principal`: ``sub``, ``roles`` (each must be a role of the policy) and the
optional ``departments`` of an ``hr`` caller.

:class:`AuthMiddleware` answers 401, with a GraphQL-style error body, to a request without a
valid token, except for the open routes (``GET /health``; in development mode the GraphiQL
page, which holds no data); a websocket handshake (the GraphQL route accepts them) without a
valid token in its headers is refused. Each request gets an id (``X-Request-Id``) that the
audit trail and error messages carry.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from domain.access import Policy, Principal
from graph.engine import private_secret
from graph.settings import Settings
from rolegraph.logs import REQUEST_ID

log = logging.getLogger("rolegraph.auth")
LEEWAY_SECONDS = 30
#: at most one refetch of the JWKS per this many seconds for tokens naming an unknown key:
#: enough to spare the identity provider from anyone sending made-up key ids, short enough
#: that a key published just after a fetch is accepted at once (PyJWT's default is 30 s)
JWKS_REFETCH_SECONDS = 1.0
#: how many verified tokens are remembered, and for how long at most (a key withdrawn from
#: the identity provider's JWKS stops a remembered token within this time)
VERIFIED_TOKENS = 1024
VERIFIED_SECONDS = 60.0
HS_ALGORITHMS = ["HS256"]
JWKS_ALGORITHMS = ["RS256", "ES256"]
SECRET_FILE = "auth-secret"
REQUEST_ID_HEADER = "x-request-id"
# plain ASGI (the middleware only reads the path, the method and the headers)
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
_TTL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class AuthError(Exception):
    """A request without a valid token; the message says why (never echoing the token)."""


def shared_secret(settings: Settings) -> str | None:
    """The HS256 secret: the configured one, or the data directory's (made on first use)
    when no JWKS URL is configured either; None when only JWKS tokens are accepted."""
    if settings.auth_secret is not None:
        return settings.auth_secret.get_secret_value()
    if settings.auth_jwks_url:
        return None
    return private_secret(Path(settings.data_dir) / SECRET_FILE, nbytes=32)


def parse_ttl(text: str) -> int:
    """``90s``, ``30m``, ``8h``, ``7d`` as seconds; ValueError otherwise."""
    match = _TTL.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a lifetime such as 30m, 8h or 7d")
    return int(match.group(1)) * _UNITS[match.group(2)]


def issue_token(secret: str, subject: str, roles: Sequence[str],
                departments: Sequence[str] = (), ttl_seconds: int = 8 * 3600,
                issuer: str | None = None, audience: str | None = None) -> str:
    """A signed HS256 token for ``subject`` with these roles (``rolegraph token``)."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": subject, "roles": list(roles), "iat": now,
                              "exp": now + ttl_seconds}
    if departments:
        claims["departments"] = list(departments)
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")


@dataclass
class Authenticator:
    """Verifies tokens as the settings say (see the module docstring)."""

    policy: Policy
    secret: str | None
    jwks_url: str | None = None
    issuer: str | None = None
    audience: str | None = None

    def __post_init__(self) -> None:
        self._jwks = (jwt.PyJWKClient(self.jwks_url, cache_keys=True, lifespan=300,
                                      cooldown_duration=JWKS_REFETCH_SECONDS)
                      if self.jwks_url else None)
        #: tokens verified lately, with their claims: a client sends the same token with
        #: every request, and checking its signature again gives the same answer until it
        #: expires (which is checked each time)
        self._verified: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    @classmethod
    def of(cls, settings: Settings, policy: Policy) -> Authenticator:
        return cls(policy, shared_secret(settings), settings.auth_jwks_url,
                   settings.auth_issuer, settings.auth_audience)

    async def verify(self, token: str, request_id: str = "") -> Principal:
        """The principal of a valid token; :class:`AuthError` saying why it is not valid."""
        now = time.time()
        kept = self._verified.get(token)
        if kept is not None and now - kept[0] <= VERIFIED_SECONDS \
                and now <= kept[1]["exp"] + LEEWAY_SECONDS:
            self._verified.move_to_end(token)
            return self._principal(kept[1], request_id)
        claims = await self._decode(token)
        principal = self._principal(claims, request_id)
        if isinstance(claims.get("exp"), int | float):
            self._verified[token] = (now, claims)
            if len(self._verified) > VERIFIED_TOKENS:
                self._verified.popitem(last=False)
        return principal

    async def _decode(self, token: str) -> dict[str, Any]:
        """The claims of a token whose signature, expiry, issuer and audience are valid."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("the token is not a JWT") from None
        algorithm = header.get("alg")
        if algorithm in HS_ALGORITHMS and self.secret is not None:
            key: Any = self.secret
        elif algorithm in JWKS_ALGORITHMS and self._jwks is not None:
            try:  # the JWKS client fetches over HTTP: off the event loop
                key = (await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)).key
            except jwt.PyJWKClientError as exc:
                raise AuthError(f"no key to verify the token: {exc}") from None
        else:
            raise AuthError(f"tokens signed with {algorithm!r} are not accepted here")
        options: Any = {"require": ["exp", "sub"], "verify_aud": self.audience is not None}
        try:
            claims = jwt.decode(token, key, algorithms=[str(algorithm)], leeway=LEEWAY_SECONDS,
                                audience=self.audience, issuer=self.issuer, options=options)
        except jwt.ExpiredSignatureError:
            raise AuthError("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise AuthError("the token is not meant for this service (aud)") from None
        except jwt.InvalidIssuerError:
            raise AuthError("the token comes from another issuer (iss)") from None
        except jwt.InvalidSignatureError:
            raise AuthError("the token's signature is not valid") from None
        except jwt.PyJWTError as exc:
            raise AuthError(f"the token is not valid: {exc}") from None
        return dict(claims)

    def _principal(self, claims: dict[str, Any], request_id: str) -> Principal:
        roles = _strings(claims.get("roles", []), "roles")
        unknown = self.policy.unknown_roles(roles)
        if unknown:
            raise AuthError(f"unknown role {unknown[0]!r} (the policy knows "
                            f"{', '.join(self.policy.roles)})")
        return Principal(sub=str(claims["sub"]), roles=tuple(roles),
                         departments=None if "departments" not in claims else tuple(
                             _strings(claims["departments"], "departments")),
                         request_id=request_id)


def _strings(value: Any, claim: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AuthError(f"the {claim} claim must be a list of names")
    return value


@dataclass(frozen=True)
class OpenRoute:
    method: str
    path: str
    #: open only to requests without a query string (GraphiQL's page at ``GET /graphql``, while
    #: ``GET /graphql?query=...`` is a query and needs a token)
    bare: bool = False


class AuthMiddleware:
    """ASGI middleware: a verified :class:`Principal` in ``scope["user"]`` or a 401."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator,
                 open_routes: Iterable[OpenRoute]) -> None:
        self.app = app
        self.authenticator = authenticator
        self.open_routes = frozenset(open_routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):  # lifespan
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        REQUEST_ID.set(request_id)  # for every log line of this request (rolegraph/logs.py)
        if scope["type"] == "websocket":  # the GraphQL route takes websockets too
            await self._websocket(scope, receive, send, request_id)
            return

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        if OpenRoute(scope["method"], scope["path"]) in self.open_routes or (
                not scope.get("query_string")
                and OpenRoute(scope["method"], scope["path"], bare=True) in self.open_routes):
            await self.app(scope, receive, send_with_id)
            return
        try:
            token = _bearer(scope)
            principal = await self.authenticator.verify(token, request_id)
        except AuthError as exc:
            # the reason never quotes the token
            log.info("client error UNAUTHENTICATED on %s %s: %s", scope["method"],
                     scope["path"], exc)
            await _unauthorised(send_with_id, exc)
            return
        scope["user"] = principal
        await self.app(scope, receive, send_with_id)


    async def _websocket(self, scope: Scope, receive: Receive, send: Send,
                         request_id: str) -> None:
        """A websocket needs the same token, in its handshake's headers; without a valid one
        the handshake is refused (ASGI: a close before the accept answers HTTP 403)."""
        try:
            principal = await self.authenticator.verify(_bearer(scope), request_id)
        except AuthError as exc:
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.close", "code": 4401,
                            "reason": f"Unauthenticated: {exc}"[:120]})
            return
        scope["user"] = principal
        await self.app(scope, receive, send)


def _bearer(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            kind, _, token = bytes(value).decode("latin-1").partition(" ")
            if kind.lower() != "bearer" or not token.strip():
                raise AuthError("the Authorization header must be 'Bearer <token>'")
            return token.strip()
    raise AuthError("this request needs an Authorization: Bearer <token> header")


async def _unauthorised(send: Send, exc: AuthError) -> None:
    body = json.dumps({"errors": [{"message": f"Unauthenticated: {exc}",
                                   "extensions": {"code": "UNAUTHENTICATED"}}]},
                      ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 401, "headers": [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"www-authenticate", b'Bearer realm="rolegraph"'),
        (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
