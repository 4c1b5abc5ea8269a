"""The embedded default engine, run as a child process and stopped with its parent.

When no Neo4j URI is configured, Rolegraph starts an ArcadeDB server with its Bolt plugin
(``graph.engine_process``) on loopback, on free ports, with its data in the data directory,
and talks to it with the official Neo4j driver like to any Bolt server.

The data directory is private: 0700, the engine's files 0600 (the engine runs with umask 077,
and :func:`secure_tree` fixes directories made before). An engine started with ``announce``
(the one ``rolegraph serve`` runs) writes how to reach it to ``engine.json`` there (0600; the
root password stays in ``engine-secret``), so that commands run beside the server use that
engine (:func:`running_engine`) instead of starting a second one.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
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
#: how to reach the engine ``rolegraph serve`` runs (written while it runs, mode 0600)
CONNECTION_FILE = "engine.json"
LOCK_FILE = "engine.lock"
#: the engine process's umask: its files are its owner's only
ENGINE_UMASK = 0o077


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


def secure_tree(root: Path) -> None:
    """Make ``root`` and everything below it private to its owner: directories 0700, files
    0600 (a data directory made by an older version, or with a loose umask, is fixed on
    start). Symbolic links are left alone."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(root, 0o700)
    for parent, dirs, files in os.walk(root):
        for name in dirs:
            path = os.path.join(parent, name)
            if not os.path.islink(path):
                os.chmod(path, 0o700)
        for name in files:
            path = os.path.join(parent, name)
            if not os.path.islink(path):
                with contextlib.suppress(FileNotFoundError):  # the engine's scratch files
                    os.chmod(path, 0o600)


def _locked(lock_path: Path) -> bool:
    """Whether an engine holds the data directory's lock right now."""
    try:
        fh = open(lock_path, encoding="utf-8")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return False
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def running_engine(data_dir: Path) -> EngineInfo | None:
    """The engine ``rolegraph serve`` runs on ``data_dir``, if one runs and says how to reach
    it (``engine.json``, checked against the directory's lock); else None. An engine that a
    command started for itself announces nothing: it stops with its command."""
    data_dir = data_dir.resolve()
    path = data_dir / CONNECTION_FILE
    if not path.exists() or not _locked(data_dir / LOCK_FILE):
        return None
    try:
        announced = json.loads(path.read_text(encoding="utf-8"))
        holder = (data_dir / LOCK_FILE).read_text(encoding="utf-8").strip()
        if holder != f"pid {announced['pid']}":  # left by an engine that is gone
            return None
        return EngineInfo(uri=str(announced["uri"]), user=ROOT_USER,
                          password=engine_password(data_dir),
                          bolt_port=int(announced["bolt_port"]),
                          http_port=int(announced["http_port"]), pid=int(announced["pid"]))
    except (OSError, ValueError, KeyError):
        return None


class EmbeddedEngine:
    """Start, use and stop the embedded engine; a context manager.

    >>> with EmbeddedEngine(Path("/tmp/rg"), databases=["rolegraph"]) as info:  # doctest: +SKIP
    ...     print(info.uri)
    """

    def __init__(self, data_dir: Path, heap: str = "2g", databases: list[str] | None = None,
                 start_timeout: float = 120.0, announce: bool = False) -> None:
        self.data_dir = data_dir.resolve()
        self.heap = heap
        self.databases = list(databases or [])
        self.start_timeout = start_timeout
        self.announce = announce
        self._proc: subprocess.Popen[str] | None = None
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.info: EngineInfo | None = None
        self._last: EngineInfo | None = None  # a restart asks for the same ports first

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def wait(self) -> int | None:
        """Block until the engine process ends; its exit status (None: none was running)."""
        proc = self._proc
        return None if proc is None else proc.wait()

    def start(self) -> EngineInfo:
        """Start the engine and wait until it listens; raises :class:`EngineError`."""
        if self.info is not None and self.running:
            return self.info
        secure_tree(self.data_dir)
        password = engine_password(self.data_dir)
        env = dict(os.environ, ROLEGRAPH_ENGINE_PASSWORD=password)
        cmd = [sys.executable, "-m", "graph.engine_process", "--data-dir", str(self.data_dir),
               "--heap", self.heap]
        for name in self.databases:
            cmd += ["--database", name]
        if self._last is not None:
            cmd += ["--bolt-port", str(self._last.bolt_port),
                    "--http-port", str(self._last.http_port)]
        self._events = queue.Queue()  # a restart must not see the previous process's events
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, text=True,
            env=env, start_new_session=True,  # Ctrl-C reaches the parent, which stops us in order
            cwd=str(Path(__file__).resolve().parent.parent), umask=ENGINE_UMASK,
        )
        assert self._proc.stdout is not None
        threading.Thread(target=self._read_events, args=(self._proc.stdout, self._events),
                         daemon=True).start()
        atexit.register(self.stop)
        event = self._wait_for("ready", self.start_timeout)
        self.info = EngineInfo(
            uri=f"bolt://127.0.0.1:{event['bolt_port']}", user=ROOT_USER, password=password,
            bolt_port=int(event["bolt_port"]), http_port=int(event["http_port"]),
            pid=int(event["pid"]),
        )
        self._last = self.info
        self._announce(self.info)
        return self.info

    def _announce(self, info: EngineInfo) -> None:
        """Write (or, for an engine that announces nothing, remove a stale) ``engine.json``."""
        path = self.data_dir / CONNECTION_FILE
        if not self.announce:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return
        text = json.dumps({"uri": info.uri, "bolt_port": info.bolt_port,
                           "http_port": info.http_port, "pid": info.pid,
                           "databases": self.databases, "server_pid": os.getpid()})
        scratch = path.with_name(f".{CONNECTION_FILE}.{os.getpid()}")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(scratch, path)

    def _withdraw(self, pid: int) -> None:
        """Remove ``engine.json`` if it still names the engine ``pid``."""
        path = self.data_dir / CONNECTION_FILE
        with contextlib.suppress(OSError, ValueError, KeyError):
            if self.announce and json.loads(path.read_text(encoding="utf-8"))["pid"] == pid:
                path.unlink()

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
        info, self.info = self.info, None
        if proc is None:
            return
        atexit.unregister(self.stop)
        if info is not None:
            self._withdraw(info.pid)
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

    @staticmethod
    def _read_events(stream: IO[str], events: queue.Queue[dict[str, Any]]) -> None:
        for line in stream:
            try:
                events.put(json.loads(line))
            except json.JSONDecodeError:
                continue
        events.put({"event": "exited"})

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
