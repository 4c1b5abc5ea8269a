"""No cold start (issue 13): the app prepares what the first requests need before ``/health``
says it is ready, and after an import the old fit model answers until the new one is built."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_client import data
from conftest import GraphHandle, LoopThread, demo_copy, serving

from graph import fit_loader
from graph.db import Graph
from graph.engine import EmbeddedEngine
from graph.importer import import_directory

FIT = '{ fit(employee: "E0001", position: "P001") { score } }'


@pytest.fixture(scope="module")
def org(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    with demo_copy(engine, loop_thread, "cold") as handle:
        yield handle


def test_ready_means_prepared(org: GraphHandle) -> None:
    """Once ``/health`` says ok the fit model is built: the first fit request builds
    nothing (at 50,000 employees building it took 5 s)."""
    with serving(org.connection) as live:
        assert httpx.get(f"{live.url}/health").json()["status"] == "ok"
        graph = live.app.state.graph
        builds = fit_loader.load_counts(graph)[0]
        assert builds == 1
        assert data(live.client, FIT)["fit"]["score"] is not None
        assert fit_loader.load_counts(graph) == (1, 0)


def test_the_old_model_serves_while_the_new_one_is_built(org: GraphHandle,
                                                        tmp_path: Path) -> None:
    (tmp_path / "employees.csv").write_text(
        "id,name,hire_date\nE9901,新员工,2026-11-01\n", encoding="utf-8")

    async def work(_: Graph) -> tuple[bool, bool, bool]:
        graph = Graph.connect(org.connection)
        try:
            before = await fit_loader.fit_model(graph)
            await import_directory(graph, tmp_path)
            during = await fit_loader.fit_model(graph)  # answers at once, with the old model
            entry = fit_loader._models._entries[graph]
            assert entry.rebuilding is not None
            await asyncio.wait_for(entry.rebuilding, 60)
            after = await fit_loader.fit_model(graph)
            return (during is before, before.employees.find("E9901") is None,
                    after.employees.find("E9901") is not None)
        finally:
            await graph.close()

    assert org.run(work) == (True, True, True)
