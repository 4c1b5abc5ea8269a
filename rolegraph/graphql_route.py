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

import orjson
from cross_web import HTTPException as StrawberryHTTPException
from graphql import ExecutionResult, GraphQLError
from litestar import Controller, MediaType, Request, Response, Router
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException
from litestar.static_files import create_static_files_router
from strawberry.http import GraphQLRequestData
from strawberry.litestar import make_graphql_controller
from strawberry.schema import BaseSchema

from domain.documents import DOCUMENT_ID, NOT_FOUND, document_id, requested_id
from domain.errors import InvalidInput
from graph.db import Graph
from graph.documents import find_document
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
    return _with_document_id(body)


def _with_document_id(body: dict[str, Any]) -> dict[str, Any]:
    """``documentId`` (or Relay's ``doc_id``) of a body or URL moved into its extensions,
    where :func:`domain.documents.requested_id` reads it."""
    for name in ("documentId", "doc_id"):
        if body.get(name) is not None:
            extensions = body.get("extensions")
            if not isinstance(extensions, dict):
                extensions = {}
            body = {**body, "extensions": {**extensions, DOCUMENT_ID: body[name]}}
            break
    return body


def _refusal(status: int, message: str, request: Request[Any, Any, Any]) -> Response[bytes]:
    request_id = request.scope.get("state", {}).get("request_id", "-")
    log.info("client error HTTP %s on %s %s", status, request.method, request.url.path,
             extra={"request_id": request_id})
    return Response(error_body(message, http_code(status)), status_code=status,
                    media_type=MediaType.JSON)


def encode_json(data: object) -> bytes:
    """A response body: UTF-8 JSON, characters as themselves (Chinese text 3 bytes a
    character, not a 6-byte ``\\uXXXX`` escape), compact."""
    try:
        return orjson.dumps(data)
    except TypeError:  # what orjson does not take (an integer beyond 64 bits) json does
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def response_type(accept: str | None) -> str | None:
    """The media type of the response for an ``Accept`` header: ``application/json`` when
    there is none, ``*/*`` or ``application/*`` (what clients of the first GraphQL servers
    expect), ``application/graphql-response+json`` when it is accepted at least as much as
    ``application/json``; None when the client accepts neither (HTTP 406)."""
    if not accept:
        return JSON
    weights: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.lower()
        weights[media] = max(weights.get(media, 0.0), q)
    best = {t: weights.get(t, 0.0) for t in (GRAPHQL_RESPONSE, JSON)}
    wild = max(weights.get("*/*", 0.0), weights.get("application/*", 0.0))
    if best[GRAPHQL_RESPONSE] > 0 and best[GRAPHQL_RESPONSE] >= max(best[JSON], wild):
        return GRAPHQL_RESPONSE
    if best[JSON] > 0 or wild > 0:
        return JSON
    return None


JSON, GRAPHQL_RESPONSE = "application/json", "application/graphql-response+json"
#: set on a request whose answer is a request error (a document that does not parse or
#: validate, variables that do not fit, an unknown document id): no ``data`` entry, and HTTP
#: 400 under ``application/graphql-response+json``
REQUEST_ERROR = "graphql_request_error"


#: errors of an execution that began (no data: it was stopped), not of the request
_EXECUTION_CODES = frozenset({"TIMEOUT", "UNAVAILABLE"})


def _is_request_error(result: ExecutionResult) -> bool:
    """Refused before execution began: the document does not parse or validate, variables do
    not fit, the cost is over budget, an unknown document id. A stopped execution (a time
    limit, the engine gone, an unexpected error, which carries a request id) is not."""
    return result.data is None and bool(result.errors) and all(
        e.path is None and (e.extensions or {}).get("code") not in _EXECUTION_CODES
        and "requestId" not in (e.extensions or {}) for e in result.errors or ())


def _error_result(message: str, code: str) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


class TrustedDocuments:
    """The registered documents (graph/documents.py) a route runs by id, as it found them
    (a document once registered never changes; an unknown id is asked again next time)."""

    def __init__(self, only: bool) -> None:
        self.only = only
        self._known: dict[str, str] = {}

    async def text(self, graph: Graph, key: str) -> str | None:
        found = self._known.get(key)
        if found is None:
            found = await find_document(graph, key)
            if found is not None:
                self._known[key] = found
        return found

    async def resolve(self, graph: Graph, data: GraphQLRequestData) -> ExecutionResult | None:
        """Fill in ``data.query`` from the document id it names; an error result when the id
        is unknown, does not match the query sent, or (trusted documents only) the request
        names no registered document."""
        try:
            key = requested_id(data.extensions)
        except InvalidInput as exc:
            return _error_result(str(exc), "BAD_REQUEST")
        if key is None:
            if not self.only or data.query is None:
                return None
            key = document_id(data.query)
            if await self.text(graph, key) is None:
                return _error_result(
                    "This server runs registered documents only (ROLEGRAPH_TRUSTED_DOCUMENTS_"
                    "ONLY): send a registered document or its id (extensions.persistedQuery."
                    "sha256Hash, or documentId)", "PERSISTED_QUERY_REQUIRED")
            return None
        if data.query is not None:
            if document_id(data.query) != key:
                return _error_result("provided sha does not match query",
                                     "PERSISTED_QUERY_HASH_MISMATCH")
            if self.only and await self.text(graph, key) is None:
                return _error_result(NOT_FOUND, "PERSISTED_QUERY_NOT_FOUND")
            return None
        text = await self.text(graph, key)
        if text is None:
            return _error_result(NOT_FOUND, "PERSISTED_QUERY_NOT_FOUND")
        data.query = text
        return None


def graphql_controller(schema: BaseSchema, production: bool,
                       context_getter: Callable[..., Any],
                       trusted_documents_only: bool = False) -> type[Controller]:
    """The GraphQL route: queries over POST and GET (mutations over POST only, HTTP 405 over
    GET), documents by id (:class:`TrustedDocuments`), ``application/json`` or
    ``application/graphql-response+json`` responses (:func:`response_type`), no
    subscriptions, GraphiQL in development."""
    base = make_graphql_controller(
        schema,
        path="/graphql",
        graphql_ide=None if production else "graphiql",
        allow_queries_via_get=True,
        subscription_protocols=(),  # no subscriptions: no websocket endpoint at all
        context_getter=context_getter,
    )
    documents = TrustedDocuments(trusted_documents_only)

    class GraphQLRoute(base):  # type: ignore[valid-type,misc]
        def decode_json(self, data: str | bytes) -> object:
            return _request_body(data)

        def encode_json(self, data: object) -> bytes:
            return encode_json(data)

        def should_render_graphql_ide(self, request: Any) -> bool:
            """GraphiQL for a browser's bare ``GET /graphql`` (not for a document by id)."""
            params = request.query_params
            return request.method == "GET" and "text/html" in request.headers.get("accept", "") \
                and not any(params.get(name) for name in ("query", "extensions", "documentId",
                                                          "doc_id"))

        def parse_query_params(self, params: Any) -> dict[str, Any]:
            found: dict[str, Any] = super().parse_query_params(params)
            return _with_document_id(found)

        async def execute_operation(self, request: Request[Any, Any, Any],
                                    request_adapter: Any, request_data: Any, context: Any,
                                    root_value: Any, sub_response: Any) -> Any:
            if isinstance(request_data, GraphQLRequestData):
                refused = await documents.resolve(context.graph, request_data)
                if refused is not None:
                    return refused
            return await super().execute_operation(
                request=request, request_adapter=request_adapter, request_data=request_data,
                context=context, root_value=root_value, sub_response=sub_response)

        async def execute_single(self, request: Request[Any, Any, Any], request_adapter: Any,
                                 sub_response: Any, context: Any, root_value: Any,
                                 request_data: Any) -> Any:
            try:
                return await super().execute_single(
                    request=request, request_adapter=request_adapter,
                    sub_response=sub_response, context=context, root_value=root_value,
                    request_data=request_data)
            except StrawberryHTTPException as exc:
                if request_adapter.method == "GET" and exc.status_code == 400 \
                        and "GET" in exc.reason:  # a mutation over GET
                    raise StrawberryHTTPException(405, exc.reason) from None
                raise

        async def process_result(self, request: Request[Any, Any, Any],
                                 result: ExecutionResult) -> Any:
            body: dict[str, Any] = await super().process_result(request, result)
            if _is_request_error(result):
                body.pop("data", None)
                request.state[REQUEST_ERROR] = True
            return body

        async def execute_request(self, request: Request[Any, Any, Any], context: Any,
                                  root_value: Any) -> Response[Any]:
            accept = request.headers.get("accept")
            media = response_type(accept)
            if media is None and not (request.method == "GET" and "text/html" in (accept or "")
                                      and not request.query_params):  # GraphiQL's page
                return _refusal(406, f"Acceptable responses: {GRAPHQL_RESPONSE} or {JSON}.",
                                request)
            try:
                response: Response[Any] = await self.run(request, context=context,
                                                         root_value=root_value)
            except StrawberryHTTPException as exc:
                refused = _refusal(exc.status_code, exc.reason, request)
                if exc.status_code == 405:
                    refused.headers["Allow"] = "POST"
                return refused
            except HTTPException as exc:  # Litestar's, reading the body (413)
                if exc.status_code >= 500:
                    raise
                return _refusal(exc.status_code, exc.detail, request)
            if media is not None and response.media_type == MediaType.JSON:
                response.media_type = f"{media}; charset=utf-8"
                if media == GRAPHQL_RESPONSE and request.state.get(REQUEST_ERROR):
                    response.status_code = 400
            return response

        async def render_graphql_ide(self, request: Request[Any, Any, Any]) -> Response[str]:
            return Response(graphiql_page(), media_type=MediaType.HTML)

    return GraphQLRoute
