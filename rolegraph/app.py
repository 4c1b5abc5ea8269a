"""The web application: ``create_app(settings, connection) -> Litestar``.

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

from graph.constraints import ensure_schema
from graph.db import Connection, Graph
from graph.settings import Settings
from graph.stats import node_counts

log = logging.getLogger("rolegraph")


def create_app(settings: Settings, connection: Connection) -> Litestar:
    """Build the Litestar app serving Rolegraph over the graph at ``connection``."""

    @asynccontextmanager
    async def graph_lifespan(app: Litestar) -> AsyncIterator[None]:
        graph = Graph.connect(connection)
        await ensure_schema(graph)
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

    return Litestar(
        route_handlers=[health],
        lifespan=[graph_lifespan],
        debug=settings.mode == "development",
    )
