"""Root query fields: one record of each class by id, and each class as a paginated list.

Lists are Relay-style connections (``edges { cursor node }``, ``pageInfo``, ``totalCount``)
with filters, ordering and a maximum page size.
"""

# no `from __future__ import annotations`: the factories below hand strawberry real types

import base64
import re
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types.nodes import SelectedField

from domain.access import AccessDenied
from domain.errors import Conflict, InvalidInput
from domain.records import Edge, Record
from graph.repository import ListQuery
from resolvers.context import Context, Info
from schema.gql.enums import SortDirection
from schema.gql.inputs import ListFilter, OrderBy
from schema.gql.names import DEPARTMENT_FILTERED, QUERY_FIELDS
from schema.gql.types import EDGE_FIELDS, NODE_TYPES
from schema.ontology import EdgeKind

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
#: the largest offset a cursor may hold (a 32-bit count, beyond any list of this API)
MAX_CURSOR_OFFSET = 2**31 - 2
_OFFSET = re.compile(r"0|[1-9][0-9]{0,9}")
T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class ConnectionEdge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of records, Relay style")
class Connection(Generic[T]):
    edges: list[ConnectionEdge[T]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="records matching, over all pages")


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The offset a cursor of :func:`encode_cursor` holds: plain ASCII digits, at most
    :data:`MAX_CURSOR_OFFSET` (a negative, huge or non-integer offset is BAD_INPUT naming
    ``after``, never a query the engine fails on)."""
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, UnicodeError):
        kind, number = "", ""
    if kind != "offset" or not _OFFSET.fullmatch(number) or int(number) > MAX_CURSOR_OFFSET:
        raise InvalidInput(f"{cursor[:100]!r} is not a cursor from this API", field="after")
    return int(number)


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def list_query(context: Context, class_name: str, filter: ListFilter | None,
               order_by: list[OrderBy] | None, first: int, after: str | None) -> ListQuery:
    """The list a root list field asks for; BAD_INPUT naming the argument at fault."""
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE_SIZE}, not {first}",
                           field="first")
    spec = context.graph.ontology.cls(class_name)
    order: list[tuple[str, bool]] = []
    for item in order_by or []:
        prop = _snake(item.field)
        if prop not in spec.properties:
            raise InvalidInput(f"{class_name} has no property {item.field!r} to sort by "
                               f"(one of {', '.join(sorted(spec.properties))})",
                               field="orderBy.field")
        if not context.repo.readable(class_name, prop):
            raise AccessDenied(f"{class_name}.{item.field} is not readable with your roles, so "
                               "it cannot order a list either")
        order.append((prop, item.direction == SortDirection.DESC))
    f = filter or ListFilter()
    if f.department is not None and class_name not in DEPARTMENT_FILTERED:
        raise Conflict(f"{class_name} records cannot be filtered by department",
                       field="filter.department")
    return ListQuery(text=f.text, department=f.department, category=f.category,
                     order_by=tuple(order), offset=decode_cursor(after) + 1 if after else 0,
                     limit=first)


def connection_of(q: ListQuery, records: list[Record], total: int, has_next: bool,
                  gql_type: Any) -> Connection[Any]:
    """A page of ``records`` (the window ``q`` asked for) as the list fields answer it."""
    edges = [ConnectionEdge(cursor=encode_cursor(q.offset + i), node=gql_type.of(r))
             for i, r in enumerate(records)]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=has_next, has_previous_page=q.offset > 0,
                           start_cursor=edges[0].cursor if edges else None,
                           end_cursor=edges[-1].cursor if edges else None),
        total_count=total)


def _subfields(field: Any, *path: str) -> list[Any]:
    """The selections below ``field`` along ``path`` (e.g. edges -> node)."""
    selections = list(getattr(field, "selections", []))
    for name in path:
        selections = [s for f in selections if isinstance(f, SelectedField) and f.name == name
                      for s in f.selections]
    return selections


def wanted_edges(class_name: str, selections: list[Any]) -> list[EdgeKind]:
    """The relationships a request selects on records of ``class_name`` (fragments are left
    to the DataLoaders)."""
    table = EDGE_FIELDS.get(class_name, {})
    wanted: list[EdgeKind] = []
    for f in selections:
        if isinstance(f, SelectedField) and f.name in table and table[f.name] not in wanted:
            wanted.append(table[f.name])
    return wanted


def prime_edges(info: Info, key: str, edges: dict[EdgeKind, list[Edge]]) -> None:
    for kind, found in edges.items():
        info.context.loaders.edges(kind).prime(key, found)


def _by_id_field(class_name: str) -> Any:
    gql_type = NODE_TYPES[class_name]

    async def resolve(info: Info, id: strawberry.ID) -> Any:
        wanted = wanted_edges(class_name, _subfields(info.selected_fields[0]))
        if not wanted:
            record = await info.context.loaders.node(class_name).load(str(id))
            return None if record is None else gql_type.of(record)
        record, edges = await info.context.repo.node_with_edges(class_name, str(id), wanted)
        if record is None:
            return None
        prime_edges(info, str(id), edges)
        return gql_type.of(record)

    resolve.__annotations__["return"] = gql_type | None
    return strawberry.field(resolver=resolve, description=f"One {class_name} by id")


def _list_field(class_name: str) -> Any:
    gql_type = NODE_TYPES[class_name]

    async def resolve(info: Info, filter: ListFilter | None = None,
                      order_by: list[OrderBy] | None = None, first: int = DEFAULT_PAGE_SIZE,
                      after: str | None = None) -> Any:
        q = list_query(info.context, class_name, filter, order_by, first, after)
        wanted = wanted_edges(class_name, _subfields(info.selected_fields[0], "edges", "node"))
        selected = _subfields(info.selected_fields[0])
        count = not all(isinstance(f, SelectedField) and f.name != "totalCount"
                        for f in selected)  # counted when selected (or maybe, in a fragment)
        page = await info.context.repo.page(class_name, q, wanted, count)
        for record, found in zip(page.records, page.edges, strict=True):
            prime_edges(info, str(record["id"]), found)
        return connection_of(q, page.records, page.total, page.has_next, gql_type)

    resolve.__annotations__["return"] = Connection[gql_type]  # type: ignore[valid-type]
    return strawberry.field(
        resolver=resolve,
        description=f"{class_name} records, filtered, ordered (default: by id) and paginated "
                    f"(first: 1-{MAX_PAGE_SIZE}, after: a cursor)")


def _query_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for class_name, (single, plural) in QUERY_FIELDS.items():
        fields[single] = _by_id_field(class_name)
        fields[plural] = _list_field(class_name)
    return fields


def build_query_type(extra: list[type] | None = None) -> type:
    """The root Query type: the generated fields plus those of ``extra`` classes."""
    namespace: dict[str, Any] = dict(_query_fields())
    for cls in extra or []:
        for name, value in vars(cls).items():
            if not name.startswith("_"):
                namespace[name] = value
    query = type("Query", (), namespace)
    return strawberry.type(query)
