"""The web application: ``create_app(settings, connection) -> Litestar``.

Routes: ``/graphql`` (the GraphQL API; GraphiQL in development mode only) and ``/health``.

The app owns one async driver (opened at start-up, closed at shutdown); it does not own the
embedded engine, which the caller (``rolegraph serve``, the tests) starts and stops around it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, get
from litestar.datastructures import State
from strawberry.litestar import make_graphql_controller

from graph.constraints import ensure_schema
from graph.db import Connection, Graph
from graph.settings import Settings
from graph.stats import node_counts
from resolvers.context import Context, make_context
from resolvers.schema import build_schema

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

    @get("/health", sync_to_thread=False)
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
        route_handlers=[health, graphql],
        lifespan=[graph_lifespan],
        debug=settings.mode == "development",
    )
