"""Shared benchmark plumbing: a 50,000-employee graph on the embedded engine, the app served
over real HTTP in a thread, and latency statistics."""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from litestar.types import ASGIApp
from pydantic import SecretStr

from graph.constraints import ensure_schema
from graph.db import Connection, Graph, graph_runtime
from graph.engine_process import free_port
from graph.importer import import_directory
from graph.settings import Settings
from graph.stats import is_empty
from rolegraph.app import create_app
from rolegraph.auth import issue_token
from samples.generator import generate

# the benchmarks' own HTTP clients: one log line per request would drown the figures
logging.getLogger("httpx").setLevel(logging.WARNING)


@contextmanager
def large_org(employees: int, seed: int, data_dir: Path | None) -> Iterator[Connection]:
    """A running embedded engine holding the generated organisation.

    With ``data_dir`` the engine's data is kept there, and a later run reuses it instead of
    generating and importing again.
    """
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(neo4j_uri=None, data_dir=data_dir or Path(tmp) / "engine")
        with graph_runtime(settings) as conn:
            asyncio.run(_load_if_empty(conn, Path(tmp) / "org", employees, seed))
            yield conn


async def _load_if_empty(conn: Connection, org: Path, employees: int, seed: int) -> None:
    graph = Graph.connect(conn)
    try:
        await ensure_schema(graph)
        if not await is_empty(graph):
            print("reusing the graph in the data directory", file=sys.stderr)
            return
        generate(org, employees, seed, performance=False)
        report = await import_directory(graph, org)
        print(f"imported {report.nodes:,} nodes, {report.relationships:,} relationships "
              f"in {report.seconds:.1f} s", file=sys.stderr)
    finally:
        await graph.close()


#: the token secret of the benchmarks' servers
BENCH_SECRET = "rolegraph-benchmark-secret-of-32-bytes"


def bench_settings() -> Settings:
    """The served app's settings: production mode, the benchmark's token secret."""
    return Settings(mode="production", auth_secret=SecretStr(BENCH_SECRET))


def client(url: str, *roles: str, sub: str = "bench", departments: tuple[str, ...] = (),
           timeout: float = 600) -> httpx.Client:
    """An HTTP client of the app calling with a token of these roles (default admin)."""
    token = issue_token(BENCH_SECRET, sub, roles or ("admin",), departments, 24 * 3600)
    return httpx.Client(base_url=url, timeout=timeout,
                        headers={"Authorization": f"Bearer {token}"})


@contextmanager
def serve_app(app: ASGIApp) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def served(conn: Connection, settings: Settings | None = None) -> Iterator[str]:
    """The app on a free loopback port (``settings``: default :func:`bench_settings`), once
    ``/health`` says it is ready; yields its base URL."""
    with serve_app(create_app(settings or bench_settings(), conn)) as url:
        print(f"app ready {wait_until_ready(url):.1f} s after it started", file=sys.stderr)
        yield url


def wait_until_ready(url: str, timeout: float = 600) -> float:
    """Wait while ``/health`` says ``starting`` (the app preparing what the first requests
    need); returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if httpx.get(f"{url}/health", timeout=10).json().get("status") != "starting":
            break
        time.sleep(0.1)
    return time.perf_counter() - started


def timed(run: Callable[[], object], repeat: int, warmup: int = 3) -> list[float]:
    """Milliseconds of ``repeat`` calls of ``run`` after ``warmup`` calls."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def describe(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   (n={len(times)})"
