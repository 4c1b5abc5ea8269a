"""The health monitor: whether the engine answers, and what the graph holds, known in advance.

``/health`` must answer within a second whatever the engine does, so it never asks the engine
itself: it reads what this monitor found last. The monitor runs as a task of the app's event
loop, with a driver of its own (never waiting behind the requests' connections), and every
:data:`INTERVAL` seconds reads the change stamp with a :data:`PROBE_TIMEOUT`:

* an answer: the engine is up (and after an outage, ``on_recovery`` runs: the schema is made
  again on an engine that started empty); the counts per class are read again when the stamp
  moved, or every :data:`COUNTS_EVERY` seconds;
* a refused connection: the engine is down, at once;
* no answer in time: the engine is busy; after :data:`HUNG_AFTER` seconds without any answer
  it counts as down (hung);
* any other failure (the engine refuses the credentials, has no such database): ``/health``
  says unavailable, but requests are not stopped: they fail with the real error, logged.

The embedded engine's supervisor (:mod:`graph.supervisor`) marks it down even sooner: when its
process ends. Both write the same :class:`graph.supervisor.EngineStatus`, which every
:class:`graph.db.Graph` of the app reads before each transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from domain.errors import Unavailable
from graph.changes import read_stamp
from graph.db import Connection, Graph, open_driver
from graph.stats import node_counts
from graph.supervisor import EngineStatus

log = logging.getLogger(__name__)

INTERVAL = 0.5
PROBE_TIMEOUT = 1.0
HUNG_AFTER = 10.0
COUNTS_EVERY = 30.0


@dataclass(frozen=True)
class Health:
    """What ``/health`` says: the status, and the counts per class last read (None: not yet)."""

    up: bool
    reason: str
    since: float
    restarts: int
    counts: dict[str, int] | None


class HealthMonitor:
    """Probe the engine of ``connection`` in the background (see the module docstring)."""

    def __init__(self, connection: Connection,
                 on_recovery: Callable[[], Awaitable[None]] | None = None) -> None:
        self.status = connection.status or EngineStatus(connection.uri)
        self.connection = replace(connection, status=self.status)
        self.on_recovery = on_recovery
        self.counts: dict[str, int] | None = None
        self._counted: tuple[str | None, int] | None = None
        self._counted_at = 0.0
        self._answered = time.monotonic()
        self._graph: Graph | None = None
        self._generation = -1
        self._task: asyncio.Task[None] | None = None
        self._was_down = False
        self.failure: str | None = None  # the last probe's error other than an outage

    def health(self) -> Health:
        view = self.status.view()
        if view.up and self.failure is not None:
            return Health(False, self.failure, view.since, view.restarts, self.counts)
        return Health(view.up, view.reason, view.since, view.restarts, self.counts)

    async def start(self) -> None:
        """Probe once (so the first ``/health`` has counts), then keep probing."""
        await self.probe()
        self._task = asyncio.create_task(self._loop(), name="engine-health")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._graph is not None:
            await self._graph.close()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(INTERVAL)
            try:
                await self.probe()
            except Exception:  # never let the monitor die
                log.exception("the health probe failed")

    async def _probe_graph(self) -> Graph:
        """A graph on a driver of the monitor's own, following the engine when it moves."""
        view = self.status.view()
        if self._graph is None or view.generation != self._generation:
            if self._graph is not None:
                await self._graph.close()
            conn = self.connection
            driver = open_driver(view.uri, conn.user, conn.password, max_connection_pool_size=2)
            # not gated by the status it decides, and no grace: a refusal is an answer
            self._graph = Graph(driver, conn.database, connect_grace=0.0)
            self._generation = view.generation
        return self._graph

    async def probe(self) -> None:
        """One probe: update the status and, when due, the counts."""
        graph = await self._probe_graph()
        generation = self._generation
        seen = self.status.view()
        try:
            stamp = await asyncio.wait_for(read_stamp(graph), PROBE_TIMEOUT)
        except TimeoutError:
            if time.monotonic() - self._answered >= HUNG_AFTER:
                self.status.mark_down(f"no answer for {HUNG_AFTER:.0f} s", generation)
                self._was_down = True
            return
        except Unavailable as exc:
            self.status.mark_down(str(exc.__cause__ or exc), generation)
            self._was_down = True
            return
        except Exception as exc:  # the engine answers, but not as it should
            self._answered = time.monotonic()
            self.failure = f"{type(exc).__name__}: {exc}"
            return
        self._answered = time.monotonic()
        self.failure = None
        self.status.mark_up(seen)
        if self._was_down and self.on_recovery is not None:
            self._was_down = False
            with contextlib.suppress(Exception):
                await self.on_recovery()
        key = (stamp.epoch, stamp.version)
        if key != self._counted or time.monotonic() - self._counted_at >= COUNTS_EVERY:
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError, Unavailable):
                self.counts = await asyncio.wait_for(node_counts(graph), 5 * PROBE_TIMEOUT)
                self._counted, self._counted_at = key, time.monotonic()
