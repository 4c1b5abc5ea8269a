"""Reading and writing records of the ontology's classes and relationships.

One generic repository serves every class: labels, relationship types and property names come
from the ontology, values are parameters. Reads return plain dicts (:data:`Record`) with Python
values (``datetime.date``, not the driver's date type); writes run in one write transaction each,
so a mutation is all or nothing, and each bumps the graph's change stamp (:mod:`graph.changes`)
and writes its audit events (:mod:`graph.audit`, with the values before and after) in that
transaction.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncManagedTransaction

from domain.access import AccessDenied
from domain.errors import Conflict, InvalidInput, NotFound
from domain.records import Edge, Record
from graph import kpi_results
from graph.access import Visibility
from graph.audit import AuditContext, deleted, edge_change, node_change, read_record, write_events
from graph.changes import Touched, begin_write, record_change
from graph.db import Graph, native_record
from schema.ontology import EdgeKind, Ontology, RelationshipSpec
from schema.values import ValueProblem, check_span


@dataclass(frozen=True)
class ListQuery:
    """Filters, order and window of a list of one class."""

    text: str | None = None
    department: str | None = None
    category: str | None = None
    order_by: tuple[tuple[str, bool], ...] = ()  # (property, descending)
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class Page:
    records: list[Record]
    total: int
    has_next: bool
    edges: list[dict[EdgeKind, list[Edge]]] = field(default_factory=list)


#: how long the records of a page are built before other requests get a turn
TURN_SECONDS = 0.005


@dataclass(frozen=True)
class Shape:
    """What a request reads of the records of one class (the compiled GraphQL path,
    :mod:`resolvers.compiled`): the required properties (a record always has them: they
    identify it and order lists), the ``optional`` ones it selects, and the relationships it
    follows (all their properties), each with the shape of the records at their far end. One
    query reads a record and all of it."""

    optional: tuple[str, ...] = ()
    edges: tuple[tuple[EdgeKind, Shape], ...] = ()


@dataclass(frozen=True)
class Tree:
    """A record read by a :class:`Shape`: its values, and for each of the shape's
    relationships the relationships found, each with the tree of its far record (values the
    caller may not read left out, as for :meth:`Repository.nodes`)."""

    record: Record
    edges: tuple[list[tuple[Edge, Tree]], ...] = ()


@dataclass(frozen=True)
class DeleteOutcome:
    """What a delete removed: the node, and the owned nodes it took with it."""

    key: str
    cascaded: list[str] = field(default_factory=list)


class Repository:
    """Records of the ontology's classes and relationships, over one :class:`Graph`."""

    def __init__(self, graph: Graph, visibility: Visibility | None = None) -> None:
        self.graph = graph
        self.o: Ontology = graph.ontology
        self.cy = graph.cy
        #: what the caller may see; None: everything (the command line, internal work)
        self.visibility = visibility

    # -- reads ---------------------------------------------------------------------------------

    def _match(self, class_name: str, var: str = "n", key_param: str = "k") -> str:
        return self.cy.node(var, class_name, key_param)

    def _visible(self, class_name: str, var: str = "n") -> str | None:
        """The predicate keeping the records of ``class_name`` the caller may see."""
        return None if self.visibility is None else self.visibility.record(class_name, var)

    def _where_visible(self, class_name: str, var: str = "n") -> str:
        predicate = self._visible(class_name, var)
        return "" if predicate is None else f" WHERE {predicate}"

    def _read(self, query: str, **params: Any) -> Any:
        """A read with the caller's scope parameters."""
        scope = {} if self.visibility is None else self.visibility.params
        return self.graph.read(query, **scope, **params)

    def _node(self, class_name: str, props: dict[str, Any]) -> Record:
        """A record as the caller may see it (values above its level left out)."""
        record = native_record(props)
        return record if self.visibility is None else self.visibility.redact(class_name, record)

    def _edge(self, kind: EdgeKind, props: dict[str, Any], node: dict[str, Any]) -> Edge:
        far = self.o.rel(kind.rel).ends(kind)[1]
        if kind.counted or self.visibility is None:
            return Edge(native_record(props), native_record(node))
        return Edge(self.visibility.redact(kind.rel, native_record(props)), self._node(far, node))

    def readable(self, class_name: str, prop: str) -> bool:
        """Whether the caller reads this property (sorting by it would show it otherwise)."""
        return self.visibility is None or self.visibility.grant.may_read(
            self.visibility.level(class_name, prop))

    async def nodes(self, class_name: str, keys: Sequence[str]) -> list[Record | None]:
        """The records with these keys the caller may see, in key order (None where there is
        none, or it may not see it)."""
        rows = await self._read(
            f"UNWIND $keys AS k MATCH {self._match(class_name)}{self._where_visible(class_name)} "
            "RETURN k, properties(n) AS p", keys=list(keys))
        found = {row["k"]: self._node(class_name, row["p"]) for row in rows}
        return [found.get(k) for k in keys]

    def _edge_pattern(self, kind: EdgeKind, near: str = "n", rel: str = "r", far: str = "m"
                      ) -> tuple[str, str, str]:
        """``-[r:T]->(m:Other)`` from ``n`` for one kind of relationship, the conditions on
        it (current ones only; those the caller may see) and the class at ``n``'s end."""
        pattern, condition = self.cy.edge(kind, rel, far)
        conditions = [] if condition is None else [condition]
        if self.visibility is not None and not kind.counted:
            visible = self.visibility.edge(kind, near, far)
            if visible is not None:
                conditions.append(visible)
        return pattern, " AND ".join(conditions), self.o.rel(kind.rel).ends(kind)[0]

    def _edge_columns(self, wanted: Sequence[EdgeKind]) -> str:
        """Pattern comprehensions returning, per wanted kind, [props(r), props(m)]."""
        columns = []
        for i, kind in enumerate(wanted):
            pattern, condition, _ = self._edge_pattern(kind)
            where = f" WHERE {condition}" if condition else ""
            columns.append(f", [(n){pattern}{where} | [properties(r), properties(m)]] AS e{i}")
        return "".join(columns)

    def _edges_of(self, row: dict[str, Any], wanted: Sequence[EdgeKind]
                  ) -> dict[EdgeKind, list[Edge]]:
        return {w: [self._edge(w, r, m) for r, m in row[f"e{i}"]] for i, w in enumerate(wanted)}

    async def edges(self, kind: EdgeKind, keys: Sequence[str]) -> list[list[Edge]]:
        """For each key, the relationships of one kind at that node, with the node at the
        other end; in key order."""
        pattern, condition, here = self._edge_pattern(kind)
        where = f" WHERE {condition}" if condition else ""
        rows = await self._read(
            f"UNWIND $keys AS k MATCH {self._match(here)}{pattern}{where} "
            "RETURN k, properties(r) AS r, properties(m) AS m",
            keys=list(keys))
        grouped: dict[str, list[Edge]] = {k: [] for k in keys}
        for row in rows:
            grouped[row["k"]].append(self._edge(kind, row["r"], row["m"]))
        return [grouped[k] for k in keys]

    async def node_with_edges(self, class_name: str, key: str, wanted: Sequence[EdgeKind]
                              ) -> tuple[Record | None, dict[EdgeKind, list[Edge]]]:
        """One record and the relationships ``wanted``, in one query."""
        rows = await self._read(
            f"MATCH {self._match(class_name, key_param='$k')}{self._where_visible(class_name)} "
            f"RETURN properties(n) AS p{self._edge_columns(wanted)}", k=key)
        if not rows:
            return None, {}
        return self._node(class_name, rows[0]["p"]), self._edges_of(rows[0], wanted)

    def _projection(self, class_name: str, var: str, shape: Shape) -> str:
        """What ``shape`` reads of the record ``var``: a map of its values or, when the shape
        follows relationships, a list of that map and per relationship a list of
        ``[the relationship's values, the far record's projection]`` (nested pattern
        comprehensions: one query however deep). Map projections, not ``properties()``: the
        engine builds them faster, and only the values needed travel."""
        spec = self.o.cls(class_name)
        props = [p for p, ps in spec.properties.items() if ps.required or p in shape.optional]
        own = f"{var} {{{', '.join('.' + self.cy.prop(class_name, p) for p in props)}}}"
        if not shape.edges:
            return own
        parts = [own]
        for i, (kind, far_shape) in enumerate(shape.edges):
            rel, far = f"{var}_r{i}", f"{var}_{i}"
            pattern, condition, _ = self._edge_pattern(kind, var, rel, far)
            where = f" WHERE {condition}" if condition else ""
            far_class = self.o.rel(kind.rel).ends(kind)[1]
            names = [self.cy.rel_prop(kind.rel, p) for p in self.o.rel(kind.rel).properties]
            values = f"{rel} {{{', '.join('.' + n for n in names)}}}" if names else "{}"
            parts.append(f"[({var}){pattern}{where} | [{values}, "
                         f"{self._projection(far_class, far, far_shape)}]]")
        return f"[{', '.join(parts)}]"

    def _tree(self, class_name: str, shape: Shape, row: Any) -> Tree:
        """The tree of one row of :meth:`_projection` (values redacted as :meth:`_node` and
        :meth:`_edge` do)."""
        if not shape.edges:
            return Tree(self._node(class_name, row))
        o, visibility = self.o, self.visibility
        edges = []
        for (kind, far_shape), found in zip(shape.edges, row[1:], strict=True):
            far_class = o.rel(kind.rel).ends(kind)[1]
            if kind.counted or visibility is None:
                edges.append([(Edge(native_record(props), native_record(
                    far if not far_shape.edges else far[0])),
                               self._tree(far_class, far_shape, far)) for props, far in found])
                continue
            these = []
            for props, far in found:
                tree = self._tree(far_class, far_shape, far)
                these.append((Edge(visibility.redact(kind.rel, native_record(props)),
                                   tree.record), tree))
            edges.append(these)
        return Tree(self._node(class_name, row[0]), tuple(edges))

    async def tree(self, class_name: str, key: str, shape: Shape) -> Tree | None:
        """The record with this key, read by ``shape`` in one query (None: there is none,
        or the caller may not see it)."""
        rows = await self._read(
            f"MATCH {self._match(class_name, key_param='$k')}{self._where_visible(class_name)} "
            f"RETURN {self._projection(class_name, 'n', shape)} AS t", k=key)
        return self._tree(class_name, shape, rows[0]["t"]) if rows else None

    def _department_people(self, visible_only: bool = False) -> str:
        """From department ``root``: the people ``e`` belonging to it or a department below
        (``visible_only``: those the caller may see)."""
        cy = self.cy
        pattern, conditions = cy.members("Employee", "d", "e")
        visible = self._visible("Employee", "e") if visible_only else None
        if visible is not None:
            conditions = [*conditions, visible]
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return f"MATCH {cy.subtree('root', 'd')} MATCH {pattern}{where}"

    async def department_employees(self, keys: Sequence[tuple[str, int]]
                                   ) -> list[list[Record]]:
        """For each (department, limit): the first ``limit`` current holders (by id) of
        positions in the department or its sub-departments."""
        key = self.cy.key("Employee")
        found: dict[tuple[str, int], list[Record]] = {}
        for limit in sorted({limit for _, limit in keys}):
            depts = sorted({d for d, lim in keys if lim == limit})
            rows = await self._read(
                f"UNWIND $keys AS k MATCH {self._match(self.o.department_class, 'root')} "
                f"CALL {{ WITH root {self._department_people(visible_only=True)} "
                f"WITH DISTINCT e ORDER BY e.{key} LIMIT $limit "
                "RETURN collect(properties(e)) AS people } RETURN k, people",
                keys=depts, limit=limit)
            for row in rows:
                found[(row["k"], limit)] = [self._node("Employee", p) for p in row["people"]]
        return [found.get(k, []) for k in keys]

    async def department_employee_counts(self, keys: Sequence[str]) -> list[int]:
        """For each department, how many people hold a position in it or below now (a count
        every caller sees)."""
        rows = await self.graph.read(
            f"UNWIND $keys AS k MATCH {self._match(self.o.department_class, 'root')} "
            f"RETURN k, COUNT {{ {self._department_people()} RETURN DISTINCT e }} AS n",
            keys=list(keys))
        counts = {row["k"]: int(row["n"]) for row in rows}
        return [counts.get(k, 0) for k in keys]

    async def department_subtree(self, key: str) -> list[str]:
        """The ids of a department and all departments below it."""
        dept = self.o.department_class
        rows = await self.graph.read(
            f"MATCH {self._match(dept, 'root', '$k')} MATCH {self.cy.subtree('root', 'd')} "
            f"RETURN collect(DISTINCT d.{self.cy.key(dept)}) AS ids", k=key)
        ids: list[str] = rows[0]["ids"] if rows else []
        if not ids:
            raise NotFound(f"no {dept} with id {key!r}", field="department")
        return ids

    def _in_departments(self, class_name: str) -> str:
        """A predicate: the record ``n`` belongs to one of the departments ``$depts``."""
        try:
            return self.cy.in_departments(class_name, "n")
        except KeyError:
            raise Conflict(f"{class_name} records cannot be filtered by department",
                           field="filter.department") from None

    async def _list_match(self, class_name: str, q: ListQuery) -> tuple[str, str, dict[str, Any]]:
        """The ``MATCH ... WHERE`` of a list's records, its ``ORDER BY`` and the parameters."""
        spec = self.o.cls(class_name)
        where: list[str] = []
        params: dict[str, Any] = {"skip": q.offset, "limit": q.limit + 1}
        if q.text:
            where.append(f"toLower(n.{self.cy.display(class_name)}) CONTAINS $text")
            params["text"] = q.text.lower()
        if q.category is not None:
            if "category" not in spec.properties:
                raise Conflict(f"{class_name} records have no category", field="filter.category")
            where.append(f"n.{self.cy.prop(class_name, 'category')} = $category")
            params["category"] = q.category
        if q.department is not None:
            predicate = self._in_departments(class_name)
            params["depts"] = await self.department_subtree(q.department)
            where.append(predicate)
        visible = self._visible(class_name)
        if visible is not None:
            where.append(visible)
        match = f"MATCH {self.cy.node('n', class_name)}" + (
            f" WHERE {' AND '.join(where)}" if where else "")
        order = [f"n.{self.cy.prop(class_name, prop)}{' DESC' if desc else ''}"
                 for prop, desc in q.order_by]
        order.append(f"n.{self.cy.key(class_name)}")
        return match, ", ".join(order), params

    async def _window(self, class_name: str, q: ListQuery, returning: str, count: bool
                      ) -> tuple[list[dict[str, Any]], int, bool]:
        """The rows of one window of a list (``RETURN returning`` of each record ``n``), the
        total count of matches (only when ``count``: 0 otherwise) and whether more follow."""
        match, order, params = await self._list_match(class_name, q)
        rows = await self._read(
            f"{match} WITH n ORDER BY {order} SKIP $skip LIMIT $limit RETURN {returning}",
            **params)
        total = int((await self._read(f"{match} RETURN count(n) AS c", **params))[0]["c"]) \
            if count else 0
        return rows[:q.limit], total, len(rows) > q.limit

    async def page(self, class_name: str, q: ListQuery,
                   wanted: Sequence[EdgeKind] = (), count: bool = True) -> Page:
        """One window of a filtered, ordered list, with the total count of matches (only
        when ``count``: 0 otherwise), and for each record the relationships ``wanted``
        (fetched in the same query)."""
        rows, total, has_next = await self._window(
            class_name, q, f"properties(n) AS p{self._edge_columns(wanted)}", count)
        return Page([self._node(class_name, r["p"]) for r in rows], total, has_next,
                    [self._edges_of(r, wanted) for r in rows])

    async def tree_page(self, class_name: str, q: ListQuery, shape: Shape, count: bool
                        ) -> tuple[list[Tree], int, bool]:
        """:meth:`page` read by ``shape``: the window's trees, the total count of matches
        (only when ``count``: 0 otherwise) and whether more follow. The trees are built in
        turns of at most :data:`TURN_SECONDS`, so other requests are served meanwhile."""
        rows, total, has_next = await self._window(
            class_name, q, f"{self._projection(class_name, 'n', shape)} AS t", count)
        trees, began = [], time.perf_counter()
        for row in rows:
            trees.append(self._tree(class_name, shape, row["t"]))
            if time.perf_counter() - began > TURN_SECONDS:  # other requests get a turn
                await asyncio.sleep(0)
                began = time.perf_counter()
        return trees, total, has_next

    # -- writes --------------------------------------------------------------------------------

    def _audit(self, given: AuditContext | None, operation: str) -> AuditContext:
        """Who a write is by: as given (a mutation names itself), else the caller of the
        visibility, else the command line."""
        if given is not None:
            return given
        if self.visibility is not None:
            return AuditContext.of(self.visibility.grant.principal, operation)
        return AuditContext.command_line(operation)

    async def create_node(self, class_name: str, props: Record, refs: dict[str, str | None],
                          audit: AuditContext | None = None) -> Record:
        """Create a node and its reference relationships (e.g. a position's department)."""
        spec = self.o.cls(class_name)
        key = props[spec.key]

        self._may(f"creating a {class_name}")

        async def work(tx: AsyncManagedTransaction) -> Record:
            await begin_write(self.graph, tx)  # first: serialises the write
            await self._require_refs(tx, class_name, refs)
            exists = await self.graph.run_in(
                tx, f"MATCH {self._match(class_name, key_param='$k')} RETURN 1 AS one", k=key)
            if exists:
                raise Conflict(f"a {class_name} with id {key!r} already exists", field=spec.key)
            rows = await self.graph.run_in(
                tx, f"CREATE {self.cy.node('n', class_name)} SET n = $props "
                    "RETURN properties(n) AS p",
                props={k: v for k, v in props.items() if v is not None})
            await self._set_refs(tx, class_name, key, refs)
            await self._check_record(tx, class_name, key)
            await record_change(self.graph, tx, [(class_name, key), *self._ref_targets(
                class_name, refs)])
            await write_events(self.graph, tx, self._audit(audit, "create_node"), [node_change(
                self.o, class_name, key, None, {"p": rows[0]["p"], **refs})])
            return self._node(class_name, rows[0]["p"])

        return await self.graph.write_tx(work)

    def _ref_targets(self, class_name: str, refs: dict[str, str | None]) -> list[Touched]:
        """The records that reference columns point a node at (its new department ...)."""
        targets: list[Touched] = []
        for ref in self.o.reference_columns(class_name):
            other_key = refs.get(ref.imports.column or "")
            if other_key is not None:
                targets.append((ref.source if ref.imports.reverse else ref.target, other_key))
        return targets

    async def _ref_neighbours(self, tx: AsyncManagedTransaction, class_name: str,
                              key: str) -> list[Touched]:
        """The records a node is linked to over its reference columns (a position's department
        and manager, a review's employee), for the change stamp."""
        refs = self.o.reference_columns(class_name)
        if not refs:
            return []
        columns = []
        for i, ref in enumerate(refs):
            kind = EdgeKind(ref.name, "in" if ref.imports.reverse else "out")
            other = ref.ends(kind)[1]
            columns.append(f"[(n){self.cy.step(kind, '', 'm')} | m.{self.cy.key(other)}] AS r{i}")
        rows = await self.graph.run_in(
            tx, f"MATCH {self._match(class_name, key_param='$k')} RETURN {', '.join(columns)}",
            k=key)
        found: list[Touched] = []
        for row in rows:
            for i, ref in enumerate(refs):
                other = ref.source if ref.imports.reverse else ref.target
                found += [(other, str(k)) for k in row[f"r{i}"]]
        return found

    async def update_node(self, class_name: str, key: str, props: Record,
                          refs: dict[str, str | None],
                          audit: AuditContext | None = None) -> Record:
        """Change some properties (None removes one) and reference relationships of a node."""
        self._may(f"changing a {class_name}")

        async def work(tx: AsyncManagedTransaction) -> Record:
            await begin_write(self.graph, tx)  # first: serialises the write
            await self._require(tx, class_name, key, "id")
            await self._require_refs(tx, class_name, refs)
            old = await read_record(self.graph, tx, class_name, key)  # with its references
            rows = await self.graph.run_in(
                tx, f"MATCH {self._match(class_name, key_param='$k')} SET n += $props "
                    "RETURN properties(n) AS p", k=key, props=props)
            if not rows or old is None:
                raise NotFound(f"no {class_name} with id {key!r}", field="id")
            span = self.o.cls(class_name).span
            try:  # the change may move one end of a span past the other
                check_span(span, native_record(rows[0]["p"]))
            except ValueProblem as exc:
                assert span is not None
                raise InvalidInput(f"{span[1]}: {exc}", field=span[1]) from None
            await self._set_refs(tx, class_name, key, refs)
            await self._check_record(tx, class_name, key)
            await record_change(self.graph, tx, [(class_name, key), *self._ref_targets(
                class_name, old), *self._ref_targets(class_name, refs)])
            await write_events(self.graph, tx, self._audit(audit, "update_node"), [node_change(
                self.o, class_name, key, old, {**old, "p": rows[0]["p"], **refs})])
            return self._node(class_name, rows[0]["p"])

        return await self.graph.write_tx(work)

    async def _set_refs(self, tx: AsyncManagedTransaction, class_name: str, key: str,
                        refs: dict[str, str | None]) -> None:
        """Point each reference column of the node at its new target (None clears it)."""
        for ref in self.o.reference_columns(class_name):
            column = ref.imports.column
            if column not in refs:
                continue
            other_key = refs[column]
            reverse = ref.imports.reverse
            other_class = ref.source if reverse else ref.target
            rtype = self.cy.rel(ref.name)
            old = f"(n)<-[old:{rtype}]-()" if reverse else f"(n)-[old:{rtype}]->()"
            await self.graph.run_in(
                tx, f"MATCH {self._match(class_name, key_param='$k')} MATCH {old} DELETE old",
                k=key)
            if other_key is None:
                continue
            new = "(n)<-[:" + rtype + "]-(m)" if reverse else "(n)-[:" + rtype + "]->(m)"
            rows = await self.graph.run_in(
                tx, f"MATCH {self._match(class_name, key_param='$k')} "
                    f"MATCH {self._match(other_class, 'm', '$other')} CREATE {new} RETURN 1 AS one",
                k=key, other=other_key)
            if not rows:
                raise NotFound(f"no {other_class} with id {other_key!r}", field=column)
            if other_class == class_name and ref.cardinality == "many_to_one":
                await self._refuse_cycle(tx, ref, key, column)

    async def _check_record(self, tx: AsyncManagedTransaction, class_name: str,
                            key: str) -> None:
        """Rules across records that a written record must keep (a KPI result needs a
        position held in its period); raises and so rolls the write back."""
        if class_name == kpi_results.RESULT:
            await kpi_results.check_result(self.graph, tx, key)

    async def _refuse_cycle(self, tx: AsyncManagedTransaction, ref: RelationshipSpec, key: str,
                            column: str) -> None:
        rtype = self.cy.rel(ref.name)
        rows = await self.graph.run_in(
            tx, f"MATCH {self._match(ref.source, key_param='$k')} "
                f"WHERE EXISTS {{ MATCH (n)-[:{rtype}*1..]->(n) }} RETURN 1 AS one", k=key)
        if rows:
            raise Conflict(f"{ref.name} would form a cycle through {key!r}", field=column)

    async def delete_node(self, class_name: str, key: str,
                          audit: AuditContext | None = None) -> DeleteOutcome:
        """Delete a node with its own relationships, and the nodes it owns (``cascade`` in the
        ontology); refuse while other records still point at it."""
        blocking = [r for r in self.o.relationships_to(class_name) if not r.cascade]
        owned = [r for r in self.o.relationships_from(class_name) if r.cascade]

        self._may(f"deleting a {class_name}")

        async def work(tx: AsyncManagedTransaction) -> DeleteOutcome:
            await begin_write(self.graph, tx)  # first: serialises the write
            await self._require(tx, class_name, key, "id")
            refs = []
            for rel in blocking:
                # name the records the caller may see; count the others (existence of people
                # out of scope is no business of a refusal)
                visible = self._visible(rel.source, "m") or "true"
                rows = await self.graph.run_in(
                    tx, f"MATCH {self._match(class_name, key_param='$k')}"
                        f"{self.cy.step(EdgeKind(rel.name, 'in'), '', 'm')} "
                        f"WITH m, {visible} AS seen ORDER BY m.{self.cy.key(rel.source)} "
                        f"RETURN collect(CASE WHEN seen THEN m.{self.cy.key(rel.source)} END)"
                        "[..5] AS ids, count(*) AS n",
                    k=key, **({} if self.visibility is None else self.visibility.params))
                n = int(rows[0]["n"]) if rows else 0
                if n:
                    named = ", ".join(str(k) for k in rows[0]["ids"])
                    hidden = n - len(rows[0]["ids"]) if len(rows[0]["ids"]) < 5 else 0
                    more = f"{' and ' if named else ''}{hidden} more" if hidden else ""
                    refs.append(f"{rel.name} from {rel.source} {named}{more}".rstrip())
            if refs:
                raise Conflict(f"{class_name} {key!r} is still referenced: {'; '.join(refs)}",
                               field="id", referencedBy=refs)
            gone = await deleted(self.graph, tx, class_name, key)
            touched = [(class_name, key), *await self._ref_neighbours(tx, class_name, key)]
            cascaded: list[str] = []
            for rel in owned:
                rows = await self.graph.run_in(
                    tx, f"MATCH {self._match(class_name, key_param='$k')}"
                        f"{self.cy.step(EdgeKind(rel.name, 'out'), '', 'm')} "
                        f"WITH m, m.{self.cy.key(rel.target)} AS id DETACH DELETE m RETURN id",
                    k=key)
                cascaded += [f"{rel.target} {r['id']}" for r in rows]
                touched += [(rel.target, str(r["id"])) for r in rows]
            await self.graph.run_in(
                tx, f"MATCH {self._match(class_name, key_param='$k')} DETACH DELETE n", k=key)
            await record_change(self.graph, tx, touched)
            await write_events(self.graph, tx, self._audit(audit, "delete_node"), gone)
            return DeleteOutcome(key, sorted(cascaded))

        return await self.graph.write_tx(work)

    async def set_edge(self, rel_name: str, from_key: str, to_key: str, props: Record,
                       audit: AuditContext | None = None) -> Record:
        """Create or update one relationship (identified by its ends and key properties);
        returns the record at its ``from`` end, as the write left it.

        The ``MERGE`` leaves one relationship however many identical requests run at once
        because the transaction starts with :func:`graph.changes.begin_write`, which serialises
        the writes (why the stamp, and why first: :mod:`graph.changes`)."""
        rel = self.o.rel(rel_name)
        identity = ", ".join(f"{self.cy.rel_prop(rel_name, k)}: $props.{k}" for k in rel.key)
        identity = f" {{{identity}}}" if identity else ""
        self._may(f"setting a {rel_name}", rel_name)

        async def work(tx: AsyncManagedTransaction) -> Record:
            await begin_write(self.graph, tx)  # first: serialises the write
            await self._require_ends(tx, rel, from_key, to_key)
            rtype = self.cy.rel(rel_name)
            rows = await self.graph.run_in(
                tx, f"MATCH {self._match(rel.source, 'a', '$a')} "
                    f"MATCH {self._match(rel.target, 'b', '$b')} "
                    f"OPTIONAL MATCH (a)-[old:{rtype}{identity}]->(b) "
                    "WITH a, b, head(collect(properties(old))) AS before "
                    f"MERGE (a)-[r:{rtype}{identity}]->(b) SET r += $props "
                    "RETURN properties(a) AS p, before, properties(r) AS after",
                a=from_key, b=to_key, props=props)
            await record_change(self.graph, tx, [(rel.source, from_key), (rel.target, to_key)])
            await write_events(self.graph, tx, self._audit(audit, "set_edge"), [edge_change(
                rel, from_key, to_key, rows[0]["before"], rows[0]["after"])])
            return self._node(rel.source, rows[0]["p"])

        return await self.graph.write_tx(work)

    async def remove_edge(self, rel_name: str, from_key: str, to_key: str,
                          key_props: Record, audit: AuditContext | None = None) -> int:
        """Delete the relationships between two nodes (matching the key properties given)."""
        rel = self.o.rel(rel_name)
        cond = " AND ".join(f"r.{self.cy.rel_prop(rel_name, k)} = $keys.{k}" for k in key_props)
        self._may(f"removing a {rel_name}", rel_name)

        async def work(tx: AsyncManagedTransaction) -> int:
            await begin_write(self.graph, tx)  # first: serialises the write
            await self._require_ends(tx, rel, from_key, to_key)
            rows = await self.graph.run_in(
                tx, f"MATCH {self._match(rel.source, 'a', '$a')}"
                    f"-[r:{self.cy.rel(rel_name)}]->{self._match(rel.target, 'b', '$b')} "
                    f"{'WHERE ' + cond if cond else ''} WITH r, properties(r) AS p DELETE r "
                    "RETURN p", a=from_key, b=to_key, keys=key_props)
            await record_change(self.graph, tx, [(rel.source, from_key), (rel.target, to_key)])
            await write_events(self.graph, tx, self._audit(audit, "remove_edge"), [
                edge_change(rel, from_key, to_key, row["p"], None) for row in rows])
            return len(rows)

        return await self.graph.write_tx(work)

    async def _require(self, tx: AsyncManagedTransaction, class_name: str, key: str,
                       field: str | None) -> None:
        """The record exists and the caller may change it: NOT_FOUND for one that does not
        exist or that the caller may not see (so existence does not leak), FORBIDDEN for a
        change of its own records by a role that changes others' only, or for organisation
        records outside the departments of a caller limited to some."""
        rows = await self.graph.run_in(
            tx, f"MATCH {self._match(class_name, key_param='$k')}"
                f"{self._where_visible(class_name)} RETURN 1 AS one",
            k=key, **({} if self.visibility is None else self.visibility.params))
        if not rows:
            raise NotFound(f"no {class_name} with id {key!r}", field=field)
        v = self.visibility
        if v is None or not v.limited_writes:
            return
        if v.personal(class_name):
            if v.grant.changes == "none" and class_name == v.policy.person \
                    and key == v.self_id:
                raise AccessDenied(f"{class_name} {key!r} is you: this role changes the "
                                   "records of others", field=field)
            if v.grant.changes == "in_scope" and not v.unrestricted:
                await self._require_in_scope(tx, class_name, key, field)
            return
        if v.grant.changes != "in_scope" or v.unrestricted or v.departments is None:
            return
        if self.o.cls(class_name).department is None:
            raise AccessDenied(f"{class_name} records belong to no department: changing them "
                               "needs a role not limited to some departments", field=field)
        rows = await self.graph.run_in(
            tx, f"MATCH {self._match(class_name, key_param='$k')} WHERE "
                f"{self.cy.in_departments(class_name, 'n', '$scope_departments')} "
                "RETURN 1 AS one", k=key, **v.params)
        if not rows:
            raise AccessDenied(f"{class_name} {key!r} is outside your departments", field=field)

    async def _require_in_scope(self, tx: AsyncManagedTransaction, class_name: str, key: str,
                                field: str | None) -> None:
        """A person's record is in the caller's scope for changes: its own records count
        only when they are in scope too (hr may not raise its own wage from elsewhere)."""
        v = self.visibility
        assert v is not None
        person = v.person("p", include_self=False) or "true"
        if class_name == v.policy.person:
            match = f"MATCH {self._match(class_name, 'p', '$k')} WHERE {person}"
        else:
            owner = next(r for r in self.o.relationships.values()
                         if r.cascade and r.source == v.policy.person and r.target == class_name)
            match = (f"MATCH {self._match(class_name, key_param='$k')}"
                     f"<-[:{self.cy.rel(owner.name)}]-(p:{self.cy.label(v.policy.person)}) "
                     f"WHERE {person}")
        if not await self.graph.run_in(tx, f"{match} RETURN 1 AS one", k=key, **v.params):
            raise AccessDenied(f"{class_name} {key!r} is outside your departments; your own "
                               "records are changed by others", field=field)

    async def _require_refs(self, tx: AsyncManagedTransaction, class_name: str,
                            refs: dict[str, str | None]) -> None:
        """The records reference columns point at are ones the caller may change."""
        for ref in self.o.reference_columns(class_name):
            column = ref.imports.column or ""
            other_key = refs.get(column)
            if other_key is not None:
                other = ref.source if ref.imports.reverse else ref.target
                await self._require(tx, other, other_key, column)

    def _may(self, what: str, rel: str | None = None) -> None:
        if self.visibility is not None:
            self.visibility.check_write(what, rel)

    async def _require_ends(self, tx: AsyncManagedTransaction, rel: RelationshipSpec,
                            from_key: str, to_key: str) -> None:
        await self._require(tx, rel.source, from_key, rel.imports.from_column)
        await self._require(tx, rel.target, to_key, rel.imports.to_column)
