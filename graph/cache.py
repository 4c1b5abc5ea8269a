"""One value per graph, kept in step with the graph's change stamp.

Some answers need a structure built from much of the graph (the fit model, the text index of
the duties). Each process keeps one of each per :class:`Graph` in a :class:`StampedCache`:

* every :meth:`StampedCache.get` reads the change stamp (:mod:`graph.changes`, one small
  query); when no write happened since the value was made, the value is returned as it is;
* otherwise, under a lock of its own per graph (one rebuild at a time), the cache asks
  ``update`` to bring the value up to date with what the writes touched, and when that cannot
  be told (an import, another epoch, more writes than the stamp's log holds) or ``update``
  declines (returns None), ``build`` makes it anew, given the old value to reuse what it can.

So an answer reflects every write committed before the request, through this process or any
other serving the same graph; except, for a cache made with ``stale_while_rebuilding`` (the fit
model: a rebuild at 50,000 employees takes seconds), when the value must be made anew: the old
value then answers while the new one is built in the background. Values must be immutable: a
request keeps the one it got.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from graph.changes import Stamp, Touched, read_stamp
from graph.db import Graph

T = TypeVar("T")
log = logging.getLogger("rolegraph.cache")

#: Makes the value anew; gets the previous value (None the first time) to reuse parts of it.
Build = Callable[[Graph, T | None], Awaitable[T]]
#: The value brought up to date with the records writes touched, or None: build it anew.
Update = Callable[[Graph, T, list[Touched]], Awaitable[T | None]]


@dataclass
class _Entry(Generic[T]):
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    value: T | None = None
    epoch: str | None = None
    version: int = 0
    builds: int = 0
    updates: int = 0
    #: the rebuild serving stale values waits for (``stale_while_rebuilding``)
    rebuilding: asyncio.Task[T] | None = None

    def fresh(self, stamp: Stamp) -> bool:
        return self.value is not None and self.epoch == stamp.epoch \
            and self.version >= stamp.version


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("rebuilding a cached value failed (the next request tries again): %s",
                    type(task.exception()).__name__)


class StampedCache(Generic[T]):
    """This process' value of each graph, made by ``build`` and refreshed by ``update``."""

    def __init__(self, build: Build[T], update: Update[T],
                 stale_while_rebuilding: bool = False) -> None:
        self._build = build
        self._update = update
        self._stale = stale_while_rebuilding
        self._entries: weakref.WeakKeyDictionary[Graph, _Entry[T]] = \
            weakref.WeakKeyDictionary()

    async def get(self, graph: Graph, stamp: Stamp | None = None) -> T:
        """The value for ``graph``, brought up to date with the change stamp first (``stamp``:
        one this request has just read, so it is not read twice)."""
        entry = self._entries.get(graph)
        if entry is None:
            entry = self._entries.setdefault(graph, _Entry())
        if stamp is None:
            stamp = await read_stamp(graph)
        if entry.fresh(stamp):
            assert entry.value is not None
            return entry.value
        if self._stale and entry.value is not None and entry.epoch == stamp.epoch \
                and stamp.changes_since(entry.epoch, entry.version) is None:
            # made anew after an import (not after a reset: another epoch): the old value
            # serves until the new one is ready
            if entry.rebuilding is None or entry.rebuilding.done():
                entry.rebuilding = asyncio.create_task(self._refresh(graph, entry, stamp))
                entry.rebuilding.add_done_callback(_log_failure)
            return entry.value
        return await self._refresh(graph, entry, stamp)

    async def _refresh(self, graph: Graph, entry: _Entry[T], stamp: Stamp) -> T:
        async with entry.lock:
            if entry.fresh(stamp):  # another request refreshed it while this one waited
                assert entry.value is not None
                return entry.value
            value: T | None = None
            if entry.value is not None:
                touched = stamp.changes_since(entry.epoch, entry.version)
                if touched is not None:
                    value = await self._update(graph, entry.value, touched)
            if value is None:
                value = await self._build(graph, entry.value)
                entry.builds += 1
            else:
                entry.updates += 1
            entry.value, entry.epoch, entry.version = value, stamp.epoch, stamp.version
            return value

    def counts(self, graph: Graph) -> tuple[int, int]:
        """(builds, updates) of the value of ``graph`` so far in this process."""
        entry = self._entries.get(graph)
        return (0, 0) if entry is None else (entry.builds, entry.updates)
