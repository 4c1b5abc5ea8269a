"""Engine supervision: a dead engine is noticed at once, requests fail fast and clearly, and
``rolegraph serve`` starts its embedded engine again without losing an acknowledged write.

Regression tests for issue 11, defect 4 (with the engine killed, every request and
``/health`` waited about 60 s, ``/health`` then answered 200 "degraded", and nothing
restarted the engine)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import serving
from test_cli import rolegraph, start_serve, wait_for_health

from domain.errors import Unavailable
from graph.db import Connection, Graph
from graph.engine import CONNECTION_FILE
from graph.engine_process import free_port
from graph.settings import Settings


def dead_connection() -> Connection:
    """A connection to a loopback port nothing listens on: an engine that is gone."""
    return Connection(f"bolt://127.0.0.1:{free_port()}", "root", "x", "rolegraph", True)


def test_a_query_on_a_dead_engine_fails_fast_as_unavailable() -> None:
    """Before: the driver retried for 30 s, then raised its own ServiceUnavailable (masked
    as "Unexpected error.")."""

    async def attempt() -> tuple[BaseException | None, float]:
        graph = Graph.connect(dead_connection())
        started = time.monotonic()
        try:
            await graph.read("RETURN 1 AS one")
        except BaseException as exc:
            return exc, time.monotonic() - started
        finally:
            await graph.close()
        return None, time.monotonic() - started

    failure, seconds = asyncio.run(attempt())
    assert isinstance(failure, Unavailable)
    assert failure.extensions == {"code": "UNAVAILABLE"}
    assert seconds < 2


@pytest.mark.parametrize("mode", ["production", "development"])
def test_health_is_503_at_once_and_requests_fail_fast(mode: str) -> None:
    """With the engine gone: /health answers 503 within a second (no Bolt address in
    production); a GraphQL request fails within 2 s with UNAVAILABLE, for an admin (whose
    context needs no query) and for an hr caller (whose scope does)."""
    settings = Settings(mode=mode)  # type: ignore[arg-type]
    with serving(dead_connection(), settings) as server:
        started = time.monotonic()
        health = httpx.get(f"{server.url}/health", timeout=5)
        assert time.monotonic() - started < 1
        assert health.status_code == 503
        if mode == "production":
            assert health.json() == {"status": "unavailable"}
        else:
            assert health.json()["status"] == "unavailable"
            assert health.json()["engine"]["up"] is False
        for client in (server.client, server.as_("manager", sub="E0001")):
            started = time.monotonic()
            response = client.post("/graphql", json={"query": "{ positions { totalCount } }"})
            assert time.monotonic() - started < 2
            errors = response.json()["errors"]
            assert [e["extensions"]["code"] for e in errors] == ["UNAVAILABLE"], errors
            assert "bolt" not in response.text.lower()


class Writer(threading.Thread):
    """Creates competencies one after another through the API, remembering which the server
    acknowledged (and when the first failed)."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=url, timeout=30,
                                   headers={"Authorization": f"Bearer {token}"})
        self.acknowledged: list[str] = []
        self.refused: list[tuple[float, str]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            key = f"KW{n:05d}"
            try:
                body = self.client.post("/graphql", json={"query": (
                    f'mutation {{ createCompetency(input: {{id: "{key}", name: "写入 {n}"}}) '
                    "{ id } }")}).json()
            except httpx.HTTPError:
                continue
            if body.get("data") and body["data"].get("createCompetency"):
                self.acknowledged.append(key)
            else:
                code = body["errors"][0]["extensions"].get("code", "")
                self.refused.append((time.monotonic(), code))
                time.sleep(0.05)
        self.client.close()


def query(client: httpx.Client, text: str) -> dict[str, Any]:
    body: dict[str, Any] = client.post("/graphql", json={"query": text}).json()
    return body


def test_a_killed_engine_is_restarted_and_no_acknowledged_write_is_lost(tmp_path: Path) -> None:
    """The acceptance test of issue 11: kill the embedded engine under ``rolegraph serve``
    while a client writes. /health says 503 within 1 s, requests fail within 2 s with
    UNAVAILABLE, the supervisor starts the engine again (on another port: its old one is taken
    meanwhile) and requests answer within 30 s, with no restart of the app; no acknowledged
    write is lost, and the other commands find the new engine (``engine.json``)."""
    from rolegraph.auth import SECRET_FILE, issue_token

    data_dir = tmp_path / "data"
    port = free_port()
    proc = start_serve(data_dir, port)
    try:
        wait_for_health(port, proc)
        secret = (data_dir / SECRET_FILE).read_text(encoding="utf-8").strip()
        token = issue_token(secret, "writer", ["admin"], ttl_seconds=600)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                              headers={"Authorization": f"Bearer {token}"})
        writer = Writer(client.base_url.__str__(), token)
        writer.start()
        while len(writer.acknowledged) < 20:
            time.sleep(0.05)
        engine = json.loads((data_dir / CONNECTION_FILE).read_text(encoding="utf-8"))
        before_kill = list(writer.acknowledged)
        killed = time.monotonic()
        os.kill(engine["pid"], signal.SIGKILL)

        while httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code != 503:
            assert time.monotonic() - killed < 1, "/health did not notice within 1 s"
            time.sleep(0.02)
        noticed = time.monotonic() - killed
        # its port is taken meanwhile: the engine comes back on another, the app follows
        squatter = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        while True:  # until the killed process is gone (the new one takes seconds to bind)
            try:
                squatter.bind(("127.0.0.1", engine["bolt_port"]))
                break
            except OSError:
                assert time.monotonic() - killed < 1.5
                time.sleep(0.01)
        squatter.listen()
        started = time.monotonic()
        failed = query(client, "{ competencies(first: 1) { totalCount } }")
        refused_in = time.monotonic() - started
        assert refused_in < 2
        assert failed["errors"][0]["extensions"]["code"] == "UNAVAILABLE", failed

        while True:
            answer = query(client, "{ competencies(first: 1) { totalCount } }")
            if "errors" not in answer:
                break
            assert time.monotonic() - killed < 30, "the engine was not back within 30 s"
            time.sleep(0.2)
        back = time.monotonic() - killed
        squatter.close()
        moved = json.loads((data_dir / CONNECTION_FILE).read_text(encoding="utf-8"))
        assert moved["bolt_port"] != engine["bolt_port"] and moved["pid"] != engine["pid"]
        while len(writer.acknowledged) < len(before_kill) + 10:  # writes go on, too
            assert time.monotonic() - killed < 40
            time.sleep(0.05)
        writer.stop.set()
        writer.join(30)
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
        assert (health["status"], health["engine"]["restarts"]) == ("ok", 1)

        exported = rolegraph(data_dir, "export", str(tmp_path / "out"))  # beside the server
        assert exported.returncode == 0, exported.stderr
        client.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    kept = (tmp_path / "out" / "competencies.csv").read_text(encoding="utf-8")
    lost = [key for key in writer.acknowledged if f"\n{key}," not in kept]
    assert lost == [], f"acknowledged writes lost: {lost}"
    assert {code for _, code in writer.refused} <= {"UNAVAILABLE"}
    print(f"/health 503 {noticed * 1000:.0f} ms after the kill, a request refused in "
          f"{refused_in * 1000:.0f} ms, engine back and answering {back:.1f} s after the kill; "
          f"{len(writer.acknowledged)} writes acknowledged, {len(writer.refused)} refused")
