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
from typing import Annotated, Any

from litestar import Litestar, Response, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.params import QueryParameter
from strawberry.litestar import make_graphql_controller

from domain.errors import DomainError
from graph.boundary import raci_matrix
from graph.constraints import ensure_schema
from graph.db import Connection, Graph
from graph.settings import Settings
from graph.stats import node_counts
from resolvers.context import Context, make_context
from resolvers.schema import build_schema
from rolegraph import raci_csv

log = logging.getLogger("rolegraph")


def create_app(settings: Settings, connection: Connection) -> Litestar:
    """Build the Litestar app serving Rolegraph over the graph at ``connection``."""

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

    async def graphql_context(state: State) -> Context:
        return make_context(state.graph, rules_settings=settings.rules_settings)

    production = settings.mode == "production"
    graphql = make_graphql_controller(
        build_schema(production=production),
        path="/graphql",
        graphql_ide=None if production else "graphiql",
        allow_queries_via_get=False,
        context_getter=graphql_context,
    )

    return Litestar(
        route_handlers=[health, raci, graphql],
        lifespan=[graph_lifespan],
        debug=settings.mode == "development",
    )
