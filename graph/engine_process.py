"""The embedded engine's own process: an ArcadeDB server with its Bolt plugin on loopback.

Started by :class:`graph.engine.EmbeddedEngine` as ``python -m graph.engine_process``; not meant
to be run by hand. It talks to its parent through two pipes:

* stdout carries one JSON object per line: ``{"event": "ready", ...}`` once listening,
  ``{"event": "database", "name": ...}`` after each database is opened, ``{"event": "error",
  "message": ...}`` when it cannot start, ``{"event": "stopped"}`` at the end. The engine's own
  logs go to ``<data dir>/engine.log`` instead, so they never mix with these lines.
* stdin carries commands, one per line: ``database NAME`` opens (or creates) a database. End of
  input, SIGTERM or SIGINT stop the server cleanly: a parent that dies, even by SIGKILL, closes
  the pipe, so no engine outlives its parent.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

_BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
_START_ATTEMPTS = 3


def free_port() -> int:
    """A TCP port on loopback that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Protocol:
    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()

    def send(self, event: str, **fields: Any) -> None:
        with self._lock:
            self._out.write(json.dumps({"event": event, **fields}) + "\n")
            self._out.flush()


def _redirect_output(log_path: Path) -> TextIO:
    """Keep the original stdout for the protocol; send fd 1 and 2 (Java's too) to the log."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    sys.stdout = os.fdopen(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = os.fdopen(2, "w", encoding="utf-8", closefd=False)
    return proto


def _lock_data_dir(data_dir: Path) -> Any:
    lock = open(data_dir / "engine.lock", "a+", encoding="utf-8")  # noqa: SIM115 - held for life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.seek(0)
        owner = lock.read().strip() or "another process"
        raise RuntimeError(
            f"the data directory {data_dir} is in use by another Rolegraph engine ({owner}); "
            "stop it or set ROLEGRAPH_DATA_DIR to another directory"
        ) from None
    lock.seek(0)
    lock.truncate()
    lock.write(f"pid {os.getpid()}")
    lock.flush()
    return lock


def _start_server(data_dir: Path, password: str,
                  preferred: tuple[int, int] | None = None) -> tuple[Any, int, int]:
    """Start the server on the ``preferred`` (bolt, http) ports if given (a restart keeps its
    address when it can), else, or when they are taken, on free ones."""
    from arcadedb_embedded.server import ArcadeDBServer

    last_error: Exception | None = None
    for attempt in range(_START_ATTEMPTS + (preferred is not None)):
        if preferred is not None and attempt == 0:
            bolt_port, http_port = preferred
        else:
            bolt_port, http_port = free_port(), free_port()
        server = ArcadeDBServer(
            root_path=str(data_dir / "databases"),
            root_password=password,
            config={
                "http_port": http_port,
                "host": "127.0.0.1",
                "server_plugins": _BOLT_PLUGIN,
                "bolt_port": bolt_port,
                "server_httpsIncomingPort": free_port(),
            },
        )
        try:
            server.start()
            return server, bolt_port, http_port
        except Exception as exc:  # a port taken between choosing and binding: try others
            last_error = exc
    raise RuntimeError(f"the engine did not start: {last_error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph.engine_process")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--database", action="append", default=[])
    parser.add_argument("--bolt-port", type=int, default=None)
    parser.add_argument("--http-port", type=int, default=None)
    args = parser.parse_args(argv)
    data_dir: Path = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chdir(data_dir)  # the engine writes ./log into its working directory
    proto = _Protocol(_redirect_output(data_dir / "engine.log"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    password = os.environ.get("ROLEGRAPH_ENGINE_PASSWORD", "")
    try:
        lock = _lock_data_dir(data_dir)
        # -Xrs: the JVM leaves SIGTERM/SIGINT to Python, which stops the server cleanly.
        from arcadedb_embedded.jvm import start_jvm

        start_jvm(heap_size=args.heap, jvm_args=["-Xrs"])
        preferred = (args.bolt_port, args.http_port) if args.bolt_port and args.http_port \
            else None
        server, bolt_port, http_port = _start_server(data_dir, password, preferred)
    except Exception as exc:
        proto.send("error", message=str(exc))
        return 1
    try:
        for name in args.database:
            server.create_database(name)
            proto.send("database", name=name)
        proto.send("ready", bolt_port=bolt_port, http_port=http_port, pid=os.getpid())
        threading.Thread(target=_serve_commands, args=(server, proto, stop), daemon=True).start()
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        lock.close()
        proto.send("stopped")
    return 0


def _serve_commands(server: Any, proto: _Protocol, stop: threading.Event) -> None:
    for line in sys.stdin:
        verb, _, arg = line.strip().partition(" ")
        try:
            if verb == "database" and arg:
                server.create_database(arg)
                proto.send("database", name=arg)
            else:
                proto.send("error", message=f"unknown command {line.strip()!r}")
        except Exception as exc:
            proto.send("error", message=str(exc))
    stop.set()


if __name__ == "__main__":
    sys.exit(main())
