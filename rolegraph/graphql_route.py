"""The ``/graphql`` route: strawberry's Litestar controller, with request bodies read safely and
GraphiQL served from Rolegraph's own files.

**Bodies.** A body that is not valid UTF-8, JSON nested deeper than Python's parser goes, a
body that is not a JSON object, a non-text ``operationName``, a body above
``ROLEGRAPH_MAX_BODY_BYTES`` (HTTP 413) ... is the client's mistake: an HTTP 4xx with a
GraphQL-style body (``{"errors": [{"message": ..., "extensions": {"code": "BAD_REQUEST"}}]}``),
logged at INFO, never a 500.

**GraphiQL** (development mode): the page is ``rolegraph/static/graphiql.html``; GraphiQL,
React and ReactDOM are the npm packages' files in ``rolegraph/static/graphiql/``, served under
``/graphiql/`` (see the README there for versions and hashes), so the page works without
internet access and under a Content-Security-Policy allowing this server's scripts only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from cross_web import HTTPException as StrawberryHTTPException
from litestar import Controller, MediaType, Request, Response, Router
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException
from litestar.static_files import create_static_files_router
from strawberry.litestar import make_graphql_controller
from strawberry.schema import BaseSchema

from rolegraph.hardening import error_body, http_code

log = logging.getLogger("rolegraph.http")

STATIC = Path(__file__).resolve().parent / "static"
GRAPHIQL_ASSETS = STATIC / "graphiql"
GRAPHIQL_PATH = "/graphiql"


@cache
def graphiql_page() -> str:
    return (STATIC / "graphiql.html").read_text(encoding="utf-8")


def graphiql_assets() -> list[str]:
    """The paths of GraphiQL's files (open routes: like the page, they hold no data)."""
    return sorted(f"{GRAPHIQL_PATH}/{p.name}" for p in GRAPHIQL_ASSETS.iterdir() if p.is_file())


def graphiql_router() -> Router:
    """GraphiQL's files, cached by browsers for a day."""
    return create_static_files_router(
        path=GRAPHIQL_PATH, directories=[GRAPHIQL_ASSETS], name="graphiql",
        cache_control=CacheControlHeader(max_age=86400), include_in_schema=False)


def _request_body(data: str | bytes) -> object:
    """The JSON of a request body, or an HTTP 400 saying what is wrong with it."""
    try:
        body = json.loads(data)
    except UnicodeDecodeError:
        raise StrawberryHTTPException(400, "The request body is not valid UTF-8.") from None
    except RecursionError:
        raise StrawberryHTTPException(400, "The request body's JSON is nested too deeply.") \
            from None
    if isinstance(body, list):
        return body  # a batch: strawberry refuses it (batching is off)
    if not isinstance(body, dict):
        raise StrawberryHTTPException(400, "The request body must be a JSON object holding "
                                           "the query.")
    if not isinstance(body.get("operationName"), str | None):
        raise StrawberryHTTPException(400, "The GraphQL operation's `operationName` must be a "
                                           "string or null, if provided.")
    return body


def _refusal(status: int, message: str, request: Request[Any, Any, Any]) -> Response[bytes]:
    request_id = request.scope.get("state", {}).get("request_id", "-")
    log.info("client error HTTP %s on %s %s", status, request.method, request.url.path,
             extra={"request_id": request_id})
    return Response(error_body(message, http_code(status)), status_code=status,
                    media_type=MediaType.JSON)


def graphql_controller(schema: BaseSchema, production: bool,
                       context_getter: Callable[..., Any]) -> type[Controller]:
    """The GraphQL route (no subscriptions, no queries over GET, GraphiQL in development)."""
    base = make_graphql_controller(
        schema,
        path="/graphql",
        graphql_ide=None if production else "graphiql",
        allow_queries_via_get=False,
        subscription_protocols=(),  # no subscriptions: no websocket endpoint at all
        context_getter=context_getter,
    )

    class GraphQLRoute(base):  # type: ignore[valid-type,misc]
        def decode_json(self, data: str | bytes) -> object:
            return _request_body(data)

        async def execute_request(self, request: Request[Any, Any, Any], context: Any,
                                  root_value: Any) -> Response[Any]:
            try:
                response: Response[Any] = await self.run(request, context=context,
                                                         root_value=root_value)
            except StrawberryHTTPException as exc:
                return _refusal(exc.status_code, exc.reason, request)
            except HTTPException as exc:  # Litestar's, reading the body (413)
                if exc.status_code >= 500:
                    raise
                return _refusal(exc.status_code, exc.detail, request)
            return response

        async def render_graphql_ide(self, request: Request[Any, Any, Any]) -> Response[str]:
            return Response(graphiql_page(), media_type=MediaType.HTML)

    return GraphQLRoute
