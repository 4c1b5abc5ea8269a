"""Concurrent identical writes leave one relationship (issue 11, defect 2).

Fifty identical requests of each relationship-creating mutation, sent at once over real HTTP,
must leave exactly one relationship: the one the first of them created (the others update it
to the same values). Before the fix, the embedded engine let two concurrent MERGEs both see
no relationship and both create one (2 assignments in 2 of 5 rounds of 20 requests; here
4 of the 8 mutations doubled in one run). Now every write transaction starts by counting
itself on the change stamp, which serialises the writes (graph/changes.py says why the stamp
at the end of a write did not, and why locking the endpoints does not on this engine).
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import GraphHandle, LiveServer, LoopThread, bearer, new_database, serving

from graph.db import Graph
from graph.engine import EmbeddedEngine
from graph.exporter import export_directory
from graph.importer import import_directory

CLEAN_ORG = Path(__file__).parent / "data" / "clean_org"
REQUESTS = 50

#: mutation, its input (a pair without such a relationship in clean_org), the relationship
#: type with its two ends
CASES: list[tuple[str, str, str, str, str]] = [
    ("assignPosition", '{employeeId: "E4", positionId: "P4", startDate: "2026-04-01"}',
     "HOLDS_POSITION", "E4", "P4"),
    ("assignResponsibility", '{positionId: "P2", responsibilityId: "R2", raci: C}',
     "HAS_RESPONSIBILITY", "P2", "R2"),
    ("setRequirement", '{positionId: "P1", competencyId: "C1", level: 3, weight: 2}',
     "REQUIRES_COMPETENCY", "P1", "C1"),
    ("requireCertificate", '{positionId: "P1", certificateId: "CERT1"}',
     "REQUIRES_CERTIFICATE", "P1", "CERT1"),
    ("setKpiWeight", '{positionId: "P1", kpiId: "K1", weight: 10}', "MEASURED_BY", "P1", "K1"),
    ("assessCompetency", '{employeeId: "E1", competencyId: "C1", level: 2}',
     "HAS_COMPETENCY", "E1", "C1"),
    ("grantCertificate", '{employeeId: "E1", certificateId: "CERT1"}',
     "HAS_CERTIFICATE", "E1", "CERT1"),
    ("nominateSuccessor", '{employeeId: "E4", positionId: "P4", readiness: READY_NOW}',
     "NOMINATED_SUCCESSOR", "E4", "P4"),
]


@pytest.fixture(scope="module")
def org(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    handle = new_database(engine, loop_thread, prefix="race")
    handle.import_dir(CLEAN_ORG)
    yield handle
    handle.close()


@pytest.fixture(scope="module")
def server(org: GraphHandle) -> Iterator[LiveServer]:
    with serving(org.connection) as live:
        yield live


async def _burst(url: str, query: str, n: int = REQUESTS) -> list[dict[str, Any]]:
    """``n`` identical requests, sent at once on as many connections."""
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=url, timeout=120, headers=bearer("admin"),
                                 limits=limits) as client:
        responses = await asyncio.gather(*(
            client.post("/graphql", json={"query": query}) for _ in range(n)))
    return [r.json() for r in responses]


def _run_burst(server: LiveServer, query: str) -> tuple[list[dict[str, Any]], float]:
    started = time.perf_counter()
    bodies = asyncio.run(_burst(server.url, query))
    return bodies, time.perf_counter() - started


@pytest.mark.parametrize(("mutation", "args", "rel", "a", "b"), CASES,
                         ids=[c[0] for c in CASES])
def test_fifty_identical_requests_leave_one_relationship(
        server: LiveServer, org: GraphHandle, mutation: str, args: str, rel: str, a: str,
        b: str) -> None:
    """Every request succeeds; one relationship, and one audit event (the one that created
    it: the others changed nothing, and a write that changes nothing leaves no event)."""
    bodies, seconds = _run_burst(server, f"mutation {{ {mutation}(input: {args}) {{ id }} }}")
    errors = [b["errors"] for b in bodies if b.get("errors")]
    assert not errors, errors[:3]
    found = org.read(f"MATCH ({{id: $a}})-[r:{rel}]->({{id: $b}}) RETURN count(r) AS c",
                     a=a, b=b)
    assert found[0]["c"] == 1, f"{mutation}: duplicates after {seconds:.2f} s"
    events = org.read("MATCH (e:AuditEvent {class_name: $rel, record_id: $a}) "
                      "RETURN count(e) AS c", rel=rel, a=a)
    assert events[0]["c"] == 1


def test_fifty_identical_reference_changes_leave_one_relationship(
        server: LiveServer, org: GraphHandle) -> None:
    """A reference column (a position's department) is replaced, never doubled."""
    bodies, _ = _run_burst(
        server, 'mutation { updatePosition(id: "P5", input: {departmentId: "D2", '
                'reportsToId: "P2"}) { id } }')
    assert not [b["errors"] for b in bodies if b.get("errors")]
    rows = org.read("MATCH (:Position {id: 'P5'})-[r]->(m) WHERE type(r) IN "
                    "['IN_DEPARTMENT', 'REPORTS_TO'] RETURN type(r) AS t, m.id AS m")
    assert sorted((r["t"], r["m"]) for r in rows) == [("IN_DEPARTMENT", "D2"),
                                                       ("REPORTS_TO", "P2")]


def test_fifty_identical_creates_leave_one_record(server: LiveServer, org: GraphHandle) -> None:
    """Concurrent creates of one id: one succeeds, the others are CONFLICT, one record and
    one department relationship."""
    bodies, _ = _run_burst(
        server, 'mutation { createPosition(input: {id: "PRACE", title: "并发", grade: 3, '
                'category: SUPPORT, headcount: 1, departmentId: "D3"}) { id } }')
    ok = [b for b in bodies if not b.get("errors")]
    codes = {e["extensions"].get("code") for b in bodies for e in b.get("errors", [])}
    assert len(ok) == 1 and codes <= {"CONFLICT"}, codes
    assert org.read("MATCH (n:Position {id: 'PRACE'})-[r:IN_DEPARTMENT]->() "
                    "RETURN count(r) AS c")[0]["c"] == 1


def test_concurrent_imports_of_one_directory_write_it_once(
        engine: EmbeddedEngine, loop_thread: LoopThread, tmp_path: Path) -> None:
    """Three imports of one directory at once give what one import gives. The graph holds
    the records already but no nominations, so each import writes the nominations with
    CREATE (a first import of a relationship type does), having seen none: only
    serialised imports keep that right. (A guard: on the embedded engine creating the first
    relationship of a type changes its end nodes, so this conflicted before the fix too.)"""
    first = tmp_path / "first"
    first.mkdir()
    for path in CLEAN_ORG.glob("*.csv"):
        if path.name != "successor_nominations.csv":
            shutil.copy(path, first / path.name)
    handle = new_database(engine, loop_thread, prefix="raceimp")
    try:
        handle.import_dir(first)

        async def three(graph: Graph) -> None:
            await asyncio.gather(*(import_directory(graph, CLEAN_ORG) for _ in range(3)))

        handle.run(three)
        handle.run(lambda g: export_directory(g, tmp_path / "out"))
    finally:
        handle.close()
    for path in sorted(CLEAN_ORG.glob("*.csv")):
        ours = (tmp_path / "out" / path.name).read_text(encoding="utf-8").splitlines()
        theirs = path.read_text(encoding="utf-8").splitlines()
        assert sorted(ours) == sorted(theirs), path.name
