"""Per-request DataLoaders: every relationship field of a page of records costs one query.

Listing 100 positions with their departments, responsibilities, requirements and incumbents
issues one query per field kind, not one per position: each loader collects the keys asked
for in one tick of the event loop (and by the records taking their turns before its dispatch:
``schema/gql/relations.py``) and fetches them with a single ``UNWIND $keys`` query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from domain.records import Edge, Record
from graph.repository import Repository
from schema.gql.relations import take_turn
from schema.ontology import EdgeKind

K = TypeVar("K")
V = TypeVar("V")


class PacedLoader(DataLoader[K, V]):
    """strawberry's DataLoader (its cache, ``prime``), with the batch dispatched in turn
    (:func:`schema.gql.relations.take_turn`): after the records already waiting for their
    turns, whose own loads thus join the batch. Without it a batch would go out while most of
    a level's records still wait for their turns, and a level would cost a query per record."""

    def __init__(self, load_fn: Callable[[list[K]], Awaitable[Sequence[V]]]) -> None:
        super().__init__(load_fn=load_fn)
        self._waiting: list[tuple[K, asyncio.Future[V]]] | None = None
        self._dispatches: set[asyncio.Task[None]] = set()

    def load(self, key: K) -> Awaitable[V]:
        cached = self.cache_map.get(key)
        if cached is not None and not cached.cancelled():
            return cached
        future: asyncio.Future[V] = self.loop.create_future()
        self.cache_map.set(key, future)
        if self._waiting is None:
            self._waiting = []
            task = self.loop.create_task(self._dispatch())
            self._dispatches.add(task)  # the loop keeps only a weak reference
            task.add_done_callback(self._dispatches.discard)
        self._waiting.append((key, future))
        return future

    async def _dispatch(self) -> None:
        await asyncio.sleep(0)  # the loads of this tick and the next, as strawberry's
        await take_turn()
        batch = [(k, f) for k, f in self._waiting or () if not f.done()]  # not cancelled
        self._waiting = None
        if not batch:
            return
        try:
            values = list(await self.load_fn([k for k, _ in batch]))
            if len(values) != len(batch):
                raise ValueError(f"{len(batch)} keys but {len(values)} values")
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), value in zip(batch, values, strict=True):
            if future.done():
                continue
            if isinstance(value, BaseException):
                future.set_exception(value)
            else:
                future.set_result(value)


class Loaders:
    """The loaders of one request, made on first use."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self._nodes: dict[str, DataLoader[str, Record | None]] = {}
        self._edges: dict[EdgeKind, DataLoader[str, list[Edge]]] = {}
        self.department_employees: DataLoader[tuple[str, int], list[Record]] = self._loader(
            repo.department_employees)
        self.department_employee_counts: DataLoader[str, int] = self._loader(
            repo.department_employee_counts)

    @staticmethod
    def _loader(load: Callable[[list[K]], Awaitable[Sequence[V]]]) -> DataLoader[K, V]:
        return PacedLoader(load)

    def node(self, class_name: str) -> DataLoader[str, Record | None]:
        """Records of ``class_name`` by key."""
        loader = self._nodes.get(class_name)
        if loader is None:
            async def load(keys: list[str]) -> list[Record | None]:
                return await self.repo.nodes(class_name, keys)

            loader = self._nodes[class_name] = self._loader(load)
        return loader

    def edges(self, kind: EdgeKind) -> DataLoader[str, list[Edge]]:
        """Relationships of one kind at nodes, by the nodes' keys."""
        loader = self._edges.get(kind)
        if loader is None:
            async def load(keys: list[str]) -> list[list[Edge]]:
                return await self.repo.edges(kind, keys)

            loader = self._edges[kind] = self._loader(load)
        return loader
