"""Relationship fields of the GraphQL types, each declared once with the relationship it reads.

A field is written as a function from the relationships it reads to its value, under the
:func:`relation` decorator that names them::

    @relation("IN_DEPARTMENT", "out")
    def department(self, edges: list[Edge]) -> Department | None:
        return Department.of(edges[0].node) if edges else None

:func:`relation` turns it into a strawberry field whose resolver asks the request's DataLoaders
for those relationships (arguments of the function after ``edges`` become the field's
arguments), and records the relationship on it; :func:`edge_fields` derives from those records
the table the root fields use to fetch a record together with the relationships a request
selects (and to prime the loaders with them). So adding a relationship field is one function.
A value the loaders must fetch first is built in turn (:func:`take_turn`), so that a large
answer does not hold the event loop.

The types see the request context only through :class:`TypeContext` (what the resolvers'
context provides), so this layer does not depend on the resolvers.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar, cast
from weakref import WeakKeyDictionary

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.utils.str_converters import to_camel_case

from domain.records import Edge, Record
from schema.ontology import Direction, EdgeKind
from schema.policy import access_note

T = TypeVar("T")
_EDGE_KIND = "__edge_kind__"
_EDGE_BUILD = "__edge_build__"


class RelationLoaders(Protocol):
    """The DataLoaders the types use (the resolvers' ``Loaders`` provides them)."""

    def edges(self, kind: EdgeKind) -> DataLoader[str, list[Edge]]: ...

    @property
    def department_employees(self) -> DataLoader[tuple[str, int], list[Record]]: ...

    @property
    def department_employee_counts(self) -> DataLoader[str, int]: ...


class TypeContext(Protocol):
    """What the types need of ``info.context``."""

    @property
    def loaders(self) -> RelationLoaders: ...


Info = strawberry.Info[TypeContext, None]


def related(info: Info, kind: EdgeKind, key: str, build: Callable[[list[Edge]], T]) -> T:
    """A relationship field's value: built at once when the request already holds the
    relationships (the root field primed the DataLoader), else after the DataLoader fetched
    them. Returning the value itself, not a coroutine, spares graphql-core an await per field,
    which is most of the cost of a long page."""
    loader = info.context.loaders.edges(kind)
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() \
            and future.exception() is None:
        return build(future.result())

    async def later() -> T:
        edges = await loader.load(key)
        await take_turn()
        return build(edges)

    return cast(T, later())  # graphql-core awaits it


_turns: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()


async def take_turn() -> None:
    """Wait for a turn: one step of the event loop in which the caller runs alone among those
    taking turns (the turn passes on at the loop's next iteration, in the order asked).

    A DataLoader batch wakes every record waiting for it at once, and graphql-core completes
    each one's part of the answer (its whole subtree) in one go: without turns, completing
    them all (a competency's holders under each of hundreds of employees) would be one
    uninterrupted stretch of the loop, and every other request, ``/health`` included, would
    wait for it. With turns the loop reads its sockets between records. The loaders'
    dispatches take turns too (``resolvers.loaders.PacedLoader``), after the records already
    waiting, so that a batch still holds the keys of a whole level."""
    loop = asyncio.get_running_loop()
    turn = _turns.get(loop)
    if turn is None:
        turn = _turns[loop] = asyncio.Semaphore(1)
    await turn.acquire()
    loop.call_soon(turn.release)


def relation(rel: str, direction: Direction, current: bool = False, counted: bool = False,
             description: str | None = None) -> Callable[[Callable[..., Any]], Any]:
    """A field reading the ``rel`` relationships of a record from its ``direction`` end
    (``current``: only those that have not ended; ``counted``: a count that every caller
    sees, not limited to the records it may see); see the module docstring."""
    kind = EdgeKind(rel, direction, current, counted)

    def field(build: Callable[..., Any]) -> Any:
        signature = inspect.signature(build)
        this, edges, *arguments = signature.parameters.values()
        if edges.name != "edges":
            raise TypeError(f"{build.__qualname__}: the second parameter must be 'edges'")

        def resolve(self: Any, info: Info, **kwargs: Any) -> Any:
            return related(info, kind, self.id,
                           lambda found: build(self, found, **kwargs))

        info_parameter = inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                           annotation=Info)
        resolve.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[this, info_parameter, *arguments])
        resolve.__name__, resolve.__qualname__ = build.__name__, build.__qualname__
        resolve.__module__, resolve.__doc__ = build.__module__, build.__doc__
        setattr(resolve, _EDGE_KIND, kind)
        setattr(resolve, _EDGE_BUILD, build)
        note = access_note(rel)  # who reads a sensitive relationship, from the policy
        text = ". ".join(t for t in (description, note) if t) or None
        return strawberry.field(resolver=resolve, description=text)

    return field


def relation_of(f: Any) -> tuple[EdgeKind, Callable[..., Any]] | None:
    """The relationship a strawberry field reads and the function building its value from
    the relationships found (``build(record, edges, **arguments)``); None for other fields."""
    resolver = f.base_resolver
    func = resolver.wrapped_func if resolver else None
    kind = getattr(func, _EDGE_KIND, None)
    return None if kind is None else (kind, getattr(func, _EDGE_BUILD))


def edge_fields(types: Iterable[type]) -> dict[str, dict[str, EdgeKind]]:
    """GraphQL type name -> field name -> the relationship the field reads, for every
    :func:`relation` field of ``types``. The root fields use it to fetch a record with the
    relationships a request selects, in one query; a field missing here costs a query, never
    a wrong answer (a loader is primed only with what it would have loaded itself)."""
    table: dict[str, dict[str, EdgeKind]] = {}
    for cls in types:
        definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
        fields: dict[str, EdgeKind] = {}
        for f in definition.fields:
            found = relation_of(f)
            if found is not None:
                fields[f.graphql_name or to_camel_case(f.python_name)] = found[0]
        table[definition.name] = fields
    return table
