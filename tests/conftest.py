"""Shared fixtures: one embedded engine per test run, real databases, a real HTTP server.

The engine is started once (session scope) in a temporary data directory; each test that
needs an empty graph gets a database of its own on it, and the demo organisation is loaded
once into a database the read-only tests share.

Two tiers: a test that needs no engine (it uses no fixture built on ``engine`` and is not in
a module that starts one itself) is marked ``unit``, every other one ``engine``. So
``pytest -m unit`` checks the pure code (domain, ontology, rule loading and compiling, text
similarity, the generator ...) in seconds; plain ``pytest`` runs everything.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from graph.constraints import ensure_schema
from graph.db import Connection, Graph
from graph.engine import EmbeddedEngine, EngineInfo
from graph.importer import import_directory
from graph.settings import Settings
from rolegraph.app import create_app
from rolegraph.auth import issue_token

T = TypeVar("T")
_db_names = itertools.count(1)
#: test modules that start an engine (or the ``rolegraph`` command) themselves
STARTS_ITS_OWN_ENGINE = frozenset({"test_cli", "test_engine", "test_rules_cli"})
#: the BDD scenarios (``test_*_features``) all run on the engine; their steps ask for its
#: fixtures while they run, which collection cannot see
FEATURES_SUFFIX = "_features"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test ``unit`` or ``engine`` (see the module docstring)."""
    for item in items:
        module = getattr(item, "module", None)
        name = "" if module is None else module.__name__
        own_engine = name in STARTS_ITS_OWN_ENGINE or name.endswith(FEATURES_SUFFIX)
        needs_engine = own_engine or "engine" in getattr(item, "fixturenames", ())
        item.add_marker(pytest.mark.engine if needs_engine else pytest.mark.unit)


class LoopThread:
    """An event loop in a thread of its own, so sync tests (and pytest-bdd steps) can await."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout=600)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class GraphHandle:
    """A database on the test engine, with a sync face over the async :class:`Graph`."""

    def __init__(self, loop: LoopThread, connection: Connection) -> None:
        self.loop = loop
        self.connection = connection
        self.graph = Graph.connect(connection)

    def run(self, work: Callable[[Graph], Awaitable[T]]) -> T:
        async def call() -> T:
            return await work(self.graph)

        return self.loop.run(call())

    def read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self.loop.run(self.graph.read(query, **params))

    def count(self, label: str) -> int:
        return int(self.read(f"MATCH (n:{label}) RETURN count(n) AS c")[0]["c"])

    def import_dir(self, directory: Path) -> Any:
        return self.loop.run(import_directory(self.graph, directory))

    def close(self) -> None:
        self.loop.run(self.graph.close())


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[LoopThread]:
    loop = LoopThread()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedEngine]:
    """The embedded engine, started once per test run."""
    engine = EmbeddedEngine(tmp_path_factory.mktemp("engine"), heap="2g")
    engine.start()
    yield engine
    engine.stop()


@pytest.fixture(scope="session")
def engine_info(engine: EmbeddedEngine) -> EngineInfo:
    assert engine.info is not None
    return engine.info


def new_database(engine: EmbeddedEngine, loop: LoopThread, prefix: str = "t") -> GraphHandle:
    """A fresh, empty database on the test engine, with the ontology's constraints."""
    assert engine.info is not None
    name = f"{prefix}{next(_db_names)}"
    engine.create_database(name)
    info = engine.info
    handle = GraphHandle(loop, Connection(info.uri, info.user, info.password, name, True))
    handle.run(ensure_schema)
    return handle


@pytest.fixture
def empty_graph(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    """A new empty database for one test."""
    handle = new_database(engine, loop_thread)
    yield handle
    handle.close()


@contextmanager
def demo_copy(engine: EmbeddedEngine, loop: LoopThread, prefix: str) -> Iterator[GraphHandle]:
    """A database of its own holding the demo organisation (for tests that change it)."""
    from samples.demo import DEMO_DIR

    handle = new_database(engine, loop, prefix=prefix)
    handle.import_dir(DEMO_DIR)
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture(scope="session")
def demo_graph(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    """The demo organisation, loaded once; tests must not change it."""
    with demo_copy(engine, loop_thread, "demo") as handle:
        yield handle


#: the HS256 secret of the test servers' tokens
TEST_SECRET = "rolegraph-test-secret-of-at-least-32-bytes"


def token(*roles: str, sub: str = "tester", departments: tuple[str, ...] = (),
          ttl_seconds: int = 3600) -> str:
    """A token the test servers accept."""
    return issue_token(TEST_SECRET, sub, roles, departments, ttl_seconds)


def bearer(*roles: str, sub: str = "tester", departments: tuple[str, ...] = ()) -> dict[str, str]:
    """The Authorization header of such a token."""
    return {"Authorization": f"Bearer {token(*roles, sub=sub, departments=departments)}"}


class LiveServer:
    """The real app served by uvicorn on a free loopback port, in a thread. Its ``client``
    sends an ``admin`` token; :meth:`as_` gives a client with other roles."""

    def __init__(self, connection: Connection, settings: Settings | None = None) -> None:
        from graph.engine_process import free_port

        self.port = free_port()
        settings = (settings or Settings(mode="development")).model_copy(
            update={"auth_secret": SecretStr(TEST_SECRET)})
        app = create_app(settings, connection)
        self.app = app
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}"
        self.client = httpx.Client(base_url=self.url, timeout=60, headers=bearer("admin"))
        self._clients: list[httpx.Client] = []
        for _ in range(200):
            if self.server.started:
                break
            threading.Event().wait(0.05)
        else:
            raise RuntimeError("the test server did not start")
        for _ in range(1200):  # what the first requests need is prepared in the background
            if httpx.get(f"{self.url}/health", timeout=10).json().get("status") != "starting":
                break
            threading.Event().wait(0.05)

    @property
    def queries(self) -> int:
        """How many Cypher queries the app has sent so far."""
        return int(self.app.state.graph.queries)

    def as_(self, *roles: str, sub: str = "tester",
            departments: tuple[str, ...] = ()) -> httpx.Client:
        """A client calling with a token of these roles (closed with the server)."""
        client = httpx.Client(base_url=self.url, timeout=60,
                              headers=bearer(*roles, sub=sub, departments=departments))
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.client.close()
        self.server.should_exit = True
        self.thread.join(10)


@contextmanager
def serving(connection: Connection, settings: Settings | None = None) -> Iterator[LiveServer]:
    """The app over ``connection``, served over real HTTP until the block ends."""
    server = LiveServer(connection, settings)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def demo_server(demo_graph: GraphHandle) -> Iterator[LiveServer]:
    """The app over the demo organisation, reached over real HTTP."""
    with serving(demo_graph.connection) as server:
        yield server
