"""The web application: ``create_app(settings, connection) -> Litestar``.

Routes: ``/graphql`` (the GraphQL API; GraphiQL in development mode only), ``/health`` and
``/raci.csv`` (the RACI matrix of a department or a process as a CSV download).

The app owns one async driver (opened at start-up, closed at shutdown); it does not own the
embedded engine, which the caller (``rolegraph serve``, the tests) starts and stops around it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, cast

from litestar import Litestar, Response, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.params import QueryParameter
from litestar.types import ASGIApp, Scope
from strawberry.litestar import make_graphql_controller

from domain.access import Policy, Principal
from domain.errors import DomainError
from graph.boundary import raci_matrix
from graph.constraints import ensure_schema
from graph.db import Connection, Graph
from graph.settings import Settings
from graph.stats import node_counts
from resolvers.context import Context, make_context
from resolvers.schema import build_schema
from rolegraph import raci_csv
from rolegraph.auth import Authenticator, AuthMiddleware, OpenRoute
from schema.policy import default_policy, load_policy

log = logging.getLogger("rolegraph")


def policy_of(settings: Settings) -> Policy:
    """The access policy the settings name (``ROLEGRAPH_POLICY``), else the shipped one."""
    return default_policy() if settings.policy is None else load_policy(settings.policy)


def create_app(settings: Settings, connection: Connection,
               policy: Policy | None = None) -> Litestar:
    """Build the Litestar app serving Rolegraph over the graph at ``connection``, with the
    access ``policy`` (default: the settings' policy file, else the shipped one)."""
    policy = policy or policy_of(settings)
    authenticator = Authenticator.of(settings, policy)

    @asynccontextmanager
    async def graph_lifespan(app: Litestar) -> AsyncIterator[None]:
        graph = Graph.connect(connection)
        try:
            await ensure_schema(graph)
        except Exception:  # serve anyway: /health says what is wrong, requests fail cleanly
            log.exception("could not reach the graph at %s to create the schema",
                          connection.uri)
        app.state.graph = graph
        try:
            yield
        finally:
            await graph.close()

    @get("/health")
    async def health(state: State) -> dict[str, Any]:
        """Whether the graph engine answers, and how many nodes of each class it holds."""
        graph: Graph = state.graph
        engine = {"kind": "embedded" if connection.embedded else "server",
                  "uri": connection.uri, "database": connection.database}
        try:
            counts = await node_counts(graph)
        except Exception as exc:  # the engine is down: say so, don't crash the probe
            log.exception("health check failed")
            return {"status": "degraded", "engine": {**engine, "up": False,
                                                      "error": type(exc).__name__}}
        return {"status": "ok", "engine": {**engine, "up": True}, "counts": counts}

    @get("/raci.csv")
    async def raci(state: State,
                   department: Annotated[str | None, QueryParameter(
                       description="a department id (with all departments below it)")] = None,
                   process: Annotated[str | None, QueryParameter(
                       description="a business process")] = None) -> Response[str]:
        """The RACI matrix of a department (with all below it) or of a process, as CSV."""
        department, process = department or None, process or None
        if (department is None) == (process is None):
            raise HTTPException(status_code=400, detail="give either ?department=<id> or "
                                                        "?process=<name>, not both")
        try:
            matrix = await raci_matrix(state.graph, department, process)
        except DomainError as exc:  # no such department or process
            raise HTTPException(status_code=400, detail=exc.message) from None
        return Response(
            raci_csv.render(matrix), media_type="text/csv",  # Litestar adds the charset
            headers={"Content-Disposition": raci_csv.content_disposition(
                raci_csv.filename(department, process))})

    async def graphql_context(state: State, scope: Scope) -> Context:
        return await make_context(state.graph, policy, principal_of(scope),
                                  rules_settings=settings.rules_settings)

    production = settings.mode == "production"
    graphql = make_graphql_controller(
        build_schema(production=production),
        path="/graphql",
        graphql_ide=None if production else "graphiql",
        allow_queries_via_get=False,
        subscription_protocols=(),  # no subscriptions: no websocket endpoint at all
        context_getter=graphql_context,
    )

    open_routes = [OpenRoute("GET", "/health")]
    if not production:
        open_routes.append(OpenRoute("GET", "/graphql"))  # the GraphiQL page holds no data

    def authentication(app: ASGIApp) -> ASGIApp:
        # plain ASGI both ways; Litestar's TypedDict view of it is narrower than the middleware's
        return cast(ASGIApp, AuthMiddleware(cast(Any, app), authenticator, open_routes))

    return Litestar(
        route_handlers=[health, raci, graphql],
        lifespan=[graph_lifespan],
        middleware=[authentication],
        debug=settings.mode == "development",
    )


#: the caller of an open route (the GraphiQL page, which runs no query): no rights at all
ANONYMOUS = Principal(sub="anonymous", roles=())


def principal_of(scope: Scope) -> Principal:
    """The caller the authentication middleware verified (only the open routes get here
    without one)."""
    user = scope.get("user")
    return user if isinstance(user, Principal) else ANONYMOUS
