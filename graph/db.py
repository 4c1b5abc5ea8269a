"""The one connection to the graph: an async driver, read and write transactions, the runtime.

Reads run in read transactions (routed to followers in a Neo4j cluster) and writes in write
transactions. :class:`GraphRuntime` starts the embedded engine when no URI is configured.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from graph.cypher import Cypher, cypher_of
from graph.engine import EmbeddedEngine
from graph.settings import Settings
from schema.ontology import Ontology, default_ontology

log = logging.getLogger(__name__)
T = TypeVar("T")
EMBEDDED_DATABASE = "rolegraph"
_CONSTRAINT_RETRIES = 3


@dataclass(frozen=True)
class Connection:
    """Where the graph is: a Bolt URI, credentials and the database name (None = default)."""

    uri: str
    user: str
    password: str
    database: str | None
    embedded: bool


@contextmanager
def graph_runtime(settings: Settings) -> Iterator[Connection]:
    """Yield a :class:`Connection`, starting (and finally stopping) the embedded engine if
    no ``ROLEGRAPH_NEO4J_URI`` is set."""
    if settings.neo4j_uri:
        yield Connection(settings.neo4j_uri, settings.neo4j_user,
                         settings.neo4j_password.get_secret_value(), settings.neo4j_database,
                         embedded=False)
        return
    database = settings.neo4j_database or EMBEDDED_DATABASE
    engine = EmbeddedEngine(settings.data_dir, heap=settings.engine_heap, databases=[database],
                            start_timeout=settings.engine_start_timeout)
    info = engine.start()
    try:
        yield Connection(info.uri, info.user, info.password, database, embedded=True)
    finally:
        engine.stop()


class Graph:
    """The shared async driver plus the database name, the ontology and its Cypher vocabulary
    (``cy``, :mod:`graph.cypher`).

    ``queries`` counts every query sent, so tests and benchmarks can check how many a request
    costs.
    """

    def __init__(self, driver: AsyncDriver, database: str | None,
                 ontology: Ontology | None = None) -> None:
        self.driver = driver
        self.database = database
        self.ontology = ontology or default_ontology()
        self.cy: Cypher = cypher_of(self.ontology)
        self.queries = 0

    @classmethod
    def connect(cls, conn: Connection, ontology: Ontology | None = None) -> Graph:
        driver = AsyncGraphDatabase.driver(conn.uri, auth=(conn.user, conn.password))
        return cls(driver, conn.database, ontology)

    async def close(self) -> None:
        await self.driver.close()

    async def read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run one query in a read transaction and return its records as dicts."""
        async with self.driver.session(database=self.database) as session:
            return await session.execute_read(self._collect, query, params)

    async def write(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run one query in a write transaction and return its records as dicts."""
        return await self.write_tx(lambda tx: self._collect(tx, query, params))

    async def write_tx(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run ``work`` in one write transaction: all of it is written, or nothing.

        The embedded engine can raise ``ConstraintError`` on concurrent MERGEs of one key where
        Neo4j would not, so that error is retried a few times before it is reported.
        """
        for attempt in range(_CONSTRAINT_RETRIES):
            try:
                async with self.driver.session(database=self.database) as session:
                    return await session.execute_write(work)
            except ConstraintError:
                if attempt == _CONSTRAINT_RETRIES - 1:
                    raise
                await asyncio.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    async def _collect(self, tx: AsyncManagedTransaction, query: str,
                       params: dict[str, Any]) -> list[dict[str, Any]]:
        self.queries += 1
        result = await tx.run(query, params)
        keys = result.keys()
        # plain dicts from the raw values: record.data() converts recursively and costs more
        # than the query itself on large results
        return [dict(zip(keys, values, strict=True)) for values in await result.values()]

    async def run_in(self, tx: AsyncManagedTransaction, query: str,
                     **params: Any) -> list[dict[str, Any]]:
        """Run a query inside a transaction opened by :meth:`write_tx`."""
        return await self._collect(tx, query, params)
