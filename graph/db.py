"""The one connection to the graph: an async driver, read and write transactions, the runtime.

Reads run in read transactions (routed to followers in a Neo4j cluster) and writes in write
transactions. :func:`graph_runtime` starts the embedded engine when no URI is configured (or
uses the one ``rolegraph serve`` runs on the same data directory).

**When the engine is down** a transaction fails fast with :class:`domain.errors.Unavailable`
(``UNAVAILABLE``): at once while the connection's :class:`EngineStatus` says so, else after at
most :data:`CONNECT_GRACE` seconds of refused connections (the driver itself would retry for
30 s). Transient conflicts (two writes on one record) are retried with a short back-off for
up to :data:`TRANSIENT_RETRY_TIME`. A write made while a backup holds writes
(:func:`graph.changes.hold_writes`) waits for it, for up to :data:`HELD_WAIT`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import neo4j.time
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction
from neo4j.exceptions import (
    ConstraintError,
    DriverError,
    IncompleteCommit,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from domain.errors import Unavailable
from domain.records import Record
from graph.cypher import Cypher, cypher_of
from graph.engine import EmbeddedEngine, running_engine
from graph.settings import Settings
from graph.supervisor import EngineStatus, Supervisor
from schema.ontology import Ontology, default_ontology

#: the driver's own value types, which become Python's (``neo4j.time.Date`` ->
#: ``datetime.date``); every other value the driver returns is Python's already
_DRIVER_TYPES = frozenset({neo4j.time.Date, neo4j.time.DateTime, neo4j.time.Time})


def native(value: Any) -> Any:
    """A driver value as a plain Python value (neo4j dates become ``datetime.date``)."""
    return value.to_native() if type(value) in _DRIVER_TYPES else value


def native_record(props: dict[str, Any]) -> Record:
    """A record's values as Python values (the driver's dict itself when none needs it: a
    read makes a new dict per row)."""
    for value in props.values():
        if type(value) in _DRIVER_TYPES:
            return {k: native(v) for k, v in props.items()}
    return props


log = logging.getLogger(__name__)
T = TypeVar("T")
EMBEDDED_DATABASE = "rolegraph"
_CONSTRAINT_RETRIES = 3
#: seconds to open a connection (TCP and Bolt handshake); loopback or a LAN needs far less
CONNECT_TIMEOUT = 1.0
#: seconds a transaction keeps trying an engine that refuses connections before UNAVAILABLE
CONNECT_GRACE = 0.75
#: seconds a transaction is retried on transient errors (conflicting concurrent writes)
TRANSIENT_RETRY_TIME = 30.0
#: seconds a write waits while a backup holds writes, before UNAVAILABLE
HELD_WAIT = 60.0
#: the message of UNAVAILABLE: nothing of the engine's address or state (logs have that)
UNAVAILABLE = "the graph database is not available right now; try again in a moment"


class WritesHeld(Exception):
    """A backup holds writes (:func:`graph.changes.hold_writes`): the write was rolled back
    and is retried when the hold ends."""


@dataclass(frozen=True)
class Connection:
    """Where the graph is: a Bolt URI, credentials and the database name (None = default).

    ``status``, when set, is the engine's live status (:mod:`graph.supervisor`): a Graph
    connected through it fails fast while the engine is down and follows it to its new
    address when it is restarted."""

    uri: str
    user: str
    password: str
    database: str | None
    embedded: bool
    status: EngineStatus | None = field(default=None, compare=False, repr=False)


@contextmanager
def graph_runtime(settings: Settings, supervise: bool = False) -> Iterator[Connection]:
    """Yield a :class:`Connection`. With no ``ROLEGRAPH_NEO4J_URI``: the embedded engine that
    ``rolegraph serve`` runs on the data directory if there is one, else one started for the
    block (and stopped after it). ``supervise`` (``rolegraph serve``): always start the
    engine, announce it to other commands, and restart it whenever it dies; the connection
    then carries its status."""
    if settings.neo4j_uri:
        yield Connection(settings.neo4j_uri, settings.neo4j_user,
                         settings.neo4j_password.get_secret_value(), settings.neo4j_database,
                         embedded=False)
        return
    database = settings.neo4j_database or EMBEDDED_DATABASE
    if not supervise:
        running = running_engine(settings.data_dir)
        if running is not None:
            log.info("using the graph engine of the server running on %s (pid %d)",
                     settings.data_dir, running.pid)
            yield Connection(running.uri, running.user, running.password, database,
                             embedded=True)
            return
    engine = EmbeddedEngine(settings.data_dir, heap=settings.engine_heap, databases=[database],
                            start_timeout=settings.engine_start_timeout, announce=supervise)
    if not supervise:
        info = engine.start()
        try:
            yield Connection(info.uri, info.user, info.password, database, embedded=True)
        finally:
            engine.stop()
        return
    supervisor = Supervisor(engine)
    info = supervisor.start()
    try:
        yield Connection(info.uri, info.user, info.password, database, embedded=True,
                         status=supervisor.status)
    finally:
        supervisor.stop()


def open_driver(uri: str, user: str, password: str, **config: Any) -> AsyncDriver:
    """A driver with Rolegraph's timeouts (see the module docstring)."""
    return AsyncGraphDatabase.driver(uri, auth=(user, password),
                                     connection_timeout=CONNECT_TIMEOUT, **config)


class Graph:
    """The shared async driver plus the database name, the ontology and its Cypher vocabulary
    (``cy``, :mod:`graph.cypher`).

    ``queries`` counts every query sent, so tests and benchmarks can check how many a request
    costs.
    """

    def __init__(self, driver: AsyncDriver, database: str | None,
                 ontology: Ontology | None = None, connection: Connection | None = None,
                 connect_grace: float = CONNECT_GRACE) -> None:
        self.driver = driver
        self.connect_grace = connect_grace
        self.database = database
        self.ontology = ontology or default_ontology()
        self.cy: Cypher = cypher_of(self.ontology)
        self.queries = 0
        self._connection = connection
        self._generation = 0 if connection is None or connection.status is None \
            else connection.status.generation
        self._retired: list[AsyncDriver] = []

    @classmethod
    def connect(cls, conn: Connection, ontology: Ontology | None = None) -> Graph:
        uri = conn.uri if conn.status is None else conn.status.uri
        return cls(open_driver(uri, conn.user, conn.password), conn.database, ontology, conn)

    async def close(self) -> None:
        for driver in [*self._retired, self.driver]:
            await driver.close()
        self._retired.clear()

    def _current_driver(self) -> AsyncDriver:
        """The driver to use now: refused at once while the engine is known to be down; a
        new one when the engine was restarted (on other ports, maybe)."""
        status = None if self._connection is None else self._connection.status
        if status is None:
            return self.driver
        view = status.view()
        if not view.up:
            raise Unavailable(UNAVAILABLE)
        if view.generation != self._generation:
            assert self._connection is not None
            self._retired.append(self.driver)  # closed with the graph: its pool is dead anyway
            self.driver = open_driver(view.uri, self._connection.user, self._connection.password)
            self._generation = view.generation
        return self.driver

    async def _run(self, write: bool, work: Callable[[AsyncManagedTransaction], Awaitable[T]]
                   ) -> T:
        """Run ``work`` in a managed transaction, with Rolegraph's retry policy: refused
        connections for up to :data:`CONNECT_GRACE` s, transient errors for up to
        :data:`TRANSIENT_RETRY_TIME` s, a hold by a backup for up to :data:`HELD_WAIT` s."""
        started = time.monotonic()
        delay = 0.02
        while True:
            driver = self._current_driver()
            try:
                # no retries in the driver: its loop would wait 30 s on a dead engine
                async with driver.session(database=self.database,
                                          max_transaction_retry_time=-1.0) as session:
                    if write:
                        return await session.execute_write(work)
                    return await session.execute_read(work)
            except IncompleteCommit as exc:
                log.error("the connection to the graph engine broke during a commit: %s", exc)
                raise Unavailable("the graph database went away while saving the change; it "
                                  "may or may not have been saved") from exc
            except (ServiceUnavailable, SessionExpired) as exc:
                if time.monotonic() - started >= self.connect_grace:
                    log.warning("the graph engine cannot be reached: %s", exc)
                    raise Unavailable(UNAVAILABLE) from exc
            except WritesHeld as exc:
                if time.monotonic() - started >= HELD_WAIT:
                    raise Unavailable("writes are paused while a backup is taken; try again "
                                      "in a moment") from exc
                delay = 0.1
            except (Neo4jError, DriverError) as exc:
                if not exc.is_retryable() or time.monotonic() - started >= TRANSIENT_RETRY_TIME:
                    raise
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, 0.5)

    async def read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run one query in a read transaction and return its records as dicts."""
        return await self._run(False, lambda tx: self._collect(tx, query, params))

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
                return await self._run(True, work)
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
