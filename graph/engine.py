"""The embedded default engine, run as a child process and stopped with its parent.

When no Neo4j URI is configured, Rolegraph starts an ArcadeDB server with its Bolt plugin
(``graph.engine_process``) on loopback, on free ports, with its data in the data directory,
and talks to it with the official Neo4j driver like to any Bolt server.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

ROOT_USER = "root"


class EngineError(RuntimeError):
    """The embedded engine could not start, or stopped unexpectedly."""


@dataclass(frozen=True)
class EngineInfo:
    """How to reach a running embedded engine."""

    uri: str
    user: str
    password: str
    bolt_port: int
    http_port: int
    pid: int


def private_secret(path: Path, nbytes: int = 24) -> str:
    """A random secret made once and kept in ``path``, readable by its owner only (0600)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(secrets.token_urlsafe(nbytes))
    return path.read_text(encoding="utf-8").strip()


def engine_password(data_dir: Path) -> str:
    """The engine's root password, made once per data directory and kept there (mode 0600)."""
    return private_secret(data_dir / "engine-secret")


class EmbeddedEngine:
    """Start, use and stop the embedded engine; a context manager.

    >>> with EmbeddedEngine(Path("/tmp/rg"), databases=["rolegraph"]) as info:  # doctest: +SKIP
    ...     print(info.uri)
    """

    def __init__(self, data_dir: Path, heap: str = "2g", databases: list[str] | None = None,
                 start_timeout: float = 120.0) -> None:
        self.data_dir = data_dir.resolve()
        self.heap = heap
        self.databases = list(databases or [])
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[str] | None = None
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.info: EngineInfo | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> EngineInfo:
        """Start the engine and wait until it listens; raises :class:`EngineError`."""
        if self.info is not None and self.running:
            return self.info
        password = engine_password(self.data_dir)
        env = dict(os.environ, ROLEGRAPH_ENGINE_PASSWORD=password)
        cmd = [sys.executable, "-m", "graph.engine_process", "--data-dir", str(self.data_dir),
               "--heap", self.heap]
        for name in self.databases:
            cmd += ["--database", name]
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, text=True,
            env=env, start_new_session=True,  # Ctrl-C reaches the parent, which stops us in order
            cwd=str(Path(__file__).resolve().parent.parent),
        )
        assert self._proc.stdout is not None
        threading.Thread(target=self._read_events, args=(self._proc.stdout,), daemon=True).start()
        atexit.register(self.stop)
        event = self._wait_for("ready", self.start_timeout)
        self.info = EngineInfo(
            uri=f"bolt://127.0.0.1:{event['bolt_port']}", user=ROOT_USER, password=password,
            bolt_port=int(event["bolt_port"]), http_port=int(event["http_port"]),
            pid=int(event["pid"]),
        )
        return self.info

    def create_database(self, name: str, timeout: float = 60.0) -> None:
        """Open (creating if needed) a database on the running engine."""
        if self._proc is None or self._proc.stdin is None:
            raise EngineError("the engine is not running")
        self._proc.stdin.write(f"database {name}\n")
        self._proc.stdin.flush()
        self._wait_for("database", timeout)

    def stop(self, timeout: float = 60.0) -> None:
        """Stop the engine cleanly (closing its database files); kill it only if it hangs."""
        proc, self._proc = self._proc, None
        self.info = None
        if proc is None:
            return
        atexit.unregister(self.stop)
        if proc.poll() is None:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # end of input: the engine stops itself
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)

    def __enter__(self) -> EngineInfo:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _read_events(self, stream: IO[str]) -> None:
        for line in stream:
            try:
                self._events.put(json.loads(line))
            except json.JSONDecodeError:
                continue
        self._events.put({"event": "exited"})

    def _wait_for(self, wanted: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                raise EngineError(f"the engine did not answer within {timeout:.0f} s; see "
                                  f"{self.data_dir / 'engine.log'}")
            try:
                event = self._events.get(timeout=remaining)
            except queue.Empty:
                continue
            if event["event"] == wanted:
                return event
            if event["event"] == "error":
                self.stop()
                raise EngineError(str(event["message"]))
            if event["event"] == "exited":
                self._proc = None
                raise EngineError("the engine exited while starting; see "
                                  f"{self.data_dir / 'engine.log'}")
