"""Engine supervision: what is known about the graph engine now, and restarting the embedded
one when it dies.

:class:`EngineStatus` is shared by everything that talks to one engine in a process: the
:class:`Supervisor` (a thread; embedded engine only) and the health monitor
(:mod:`graph.health`; any engine) write it, every :class:`graph.db.Graph` connected through it
reads it before each transaction. While it says the engine is down a request fails at once
with ``UNAVAILABLE`` instead of waiting on connection attempts; when the engine comes back,
possibly on other ports, ``generation`` moves on and each Graph opens a new driver to ``uri``.

The supervisor waits on the engine process. When it ends without being asked to (killed, out
of memory, a crash), the status says so at once and the engine is started again after a
back-off: 0.5 s, then doubling up to 30 s while restarts keep failing or the engine keeps
dying within a minute of its start. A restarted engine asks for its previous ports first.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from graph.engine import EmbeddedEngine, EngineError, EngineInfo

log = logging.getLogger(__name__)

#: seconds to wait before each restart attempt, the last one repeated
BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
#: an engine that ran this long before dying restarts with the first back-off again
STABLE_AFTER = 60.0


@dataclass(frozen=True)
class StatusView:
    """One consistent reading of an :class:`EngineStatus`."""

    uri: str
    generation: int
    up: bool
    reason: str
    since: float
    restarts: int


class EngineStatus:
    """Where the engine is now (``uri``, changing with ``generation``) and whether it answers.

    Thread-safe: the supervisor's thread and the event loop's tasks both update it.
    """

    def __init__(self, uri: str) -> None:
        self._lock = threading.Lock()
        self._view = StatusView(uri=uri, generation=0, up=True, reason="", since=time.time(),
                                restarts=0)

    def view(self) -> StatusView:
        return self._view

    @property
    def up(self) -> bool:
        return self._view.up

    @property
    def generation(self) -> int:
        return self._view.generation

    @property
    def uri(self) -> str:
        return self._view.uri

    def mark_down(self, reason: str, generation: int | None = None) -> None:
        """The engine does not answer (``reason`` is for the log and development /health).
        With ``generation``: only if the engine has not moved since that reading."""
        with self._lock:
            v = self._view
            if (generation is not None and generation != v.generation) or not v.up:
                return
            self._view = StatusView(v.uri, v.generation, False, reason, time.time(), v.restarts)
        log.warning("the graph engine is down: %s", reason)

    def mark_up(self, seen: StatusView) -> None:
        """The engine answered a probe that began when the status was ``seen``: it is up,
        unless the status changed meanwhile (the process died while the probe ran)."""
        with self._lock:
            v = self._view
            if v is not seen or v.up:
                return
            self._view = StatusView(v.uri, v.generation, True, "", time.time(), v.restarts)
        log.warning("the graph engine answers again")

    def moved(self, uri: str) -> None:
        """The engine was started again and listens at ``uri``: connections to the old one
        are dropped (a new generation)."""
        with self._lock:
            v = self._view
            self._view = StatusView(uri, v.generation + 1, True, "", time.time(),
                                    v.restarts + 1)
        log.warning("the graph engine was restarted (restart %d)", v.restarts + 1)


class Supervisor:
    """Run an :class:`EmbeddedEngine` and start it again whenever it dies, until stopped."""

    def __init__(self, engine: EmbeddedEngine, backoff: tuple[float, ...] = BACKOFF) -> None:
        self.engine = engine
        self.backoff = backoff
        self.status: EngineStatus | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # start and stop of the engine, never both at once
        self._thread: threading.Thread | None = None

    def start(self) -> EngineInfo:
        """Start the engine (raises :class:`EngineError`) and watch it from now on."""
        info = self.engine.start()
        self.status = EngineStatus(info.uri)
        self._thread = threading.Thread(target=self._watch, name="engine-supervisor",
                                        daemon=True)
        self._thread.start()
        return info

    def stop(self) -> None:
        """Stop watching, then stop the engine cleanly."""
        self._stopping.set()
        with self._lock:
            self.engine.stop()
        if self._thread is not None:
            self._thread.join(10)

    def _watch(self) -> None:
        assert self.status is not None
        started = time.monotonic()
        failures = 0
        while not self._stopping.is_set():
            code = self.engine.wait()
            if self._stopping.is_set():
                return
            self.status.mark_down(f"the engine process ended (exit status {code})")
            if time.monotonic() - started >= STABLE_AFTER:
                failures = 0
            while not self._stopping.is_set():
                delay = self.backoff[min(failures, len(self.backoff) - 1)]
                failures += 1
                if self._stopping.wait(delay):
                    return
                info = self._restart()
                if info is not None:
                    started = time.monotonic()
                    self.status.moved(info.uri)
                    break

    def _restart(self) -> EngineInfo | None:
        with self._lock:
            if self._stopping.is_set():
                return None
            self.engine.stop()  # reap what is left of the dead one
            try:
                return self.engine.start()
            except EngineError as exc:
                log.error("the graph engine did not start again: %s", exc)
                return None
