"""Reading and writing records of the ontology's classes and relationships.

One generic repository serves every class: labels, relationship types and property names come
from the ontology, values are parameters. Reads return plain dicts (:data:`Record`) with Python
values (``datetime.date``, not the driver's date type); writes run in one write transaction each,
so a mutation is all or nothing, and each bumps the graph's change stamp (:mod:`graph.changes`)
in that transaction with the records it touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncManagedTransaction

from domain.errors import Conflict, NotFound
from domain.records import Edge, Record
from graph.changes import Touched, record_change
from graph.db import Graph
from schema.ontology import EdgeKind, Ontology, RelationshipSpec


def native(value: Any) -> Any:
    """A driver value as a plain Python value (neo4j dates become ``datetime.date``)."""
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def native_record(props: dict[str, Any]) -> Record:
    return {k: native(v) for k, v in props.items()}


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


@dataclass(frozen=True)
class DeleteOutcome:
    """What a delete removed: the node, and the owned nodes it took with it."""

    key: str
    cascaded: list[str] = field(default_factory=list)


class Repository:
    """Records of the ontology's classes and relationships, over one :class:`Graph`."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.o: Ontology = graph.ontology
        self.cy = graph.cy

    # -- reads ---------------------------------------------------------------------------------

    def _match(self, class_name: str, var: str = "n", key_param: str = "k") -> str:
        return self.cy.node(var, class_name, key_param)

    async def nodes(self, class_name: str, keys: Sequence[str]) -> list[Record | None]:
        """The records with these keys, in key order (None where there is none)."""
        rows = await self.graph.read(
            f"UNWIND $keys AS k MATCH {self._match(class_name)} RETURN k, properties(n) AS p",
            keys=list(keys))
        found = {row["k"]: native_record(row["p"]) for row in rows}
        return [found.get(k) for k in keys]

    def _edge_pattern(self, kind: EdgeKind) -> tuple[str, str, str]:
        """``-[r:T]->(m:Other)`` from ``n`` for one kind of relationship, the condition on
        ``r`` (for current ones) and the class at ``n``'s end."""
        pattern, condition = self.cy.edge(kind, "r", "m")
        return pattern, condition or "", self.o.rel(kind.rel).ends(kind)[0]

    def _edge_columns(self, wanted: Sequence[EdgeKind]) -> str:
        """Pattern comprehensions returning, per wanted kind, [props(r), props(m)]."""
        columns = []
        for i, kind in enumerate(wanted):
            pattern, condition, _ = self._edge_pattern(kind)
            where = f" WHERE {condition}" if condition else ""
            columns.append(f", [(n){pattern}{where} | [properties(r), properties(m)]] AS e{i}")
        return "".join(columns)

    @staticmethod
    def _edges_of(row: dict[str, Any], wanted: Sequence[EdgeKind]
                  ) -> dict[EdgeKind, list[Edge]]:
        return {w: [Edge(native_record(r), native_record(m)) for r, m in row[f"e{i}"]]
                for i, w in enumerate(wanted)}

    async def edges(self, kind: EdgeKind, keys: Sequence[str]) -> list[list[Edge]]:
        """For each key, the relationships of one kind at that node, with the node at the
        other end; in key order."""
        pattern, condition, here = self._edge_pattern(kind)
        where = f" WHERE {condition}" if condition else ""
        rows = await self.graph.read(
            f"UNWIND $keys AS k MATCH {self._match(here)}{pattern}{where} "
            "RETURN k, properties(r) AS r, properties(m) AS m",
            keys=list(keys))
        grouped: dict[str, list[Edge]] = {k: [] for k in keys}
        for row in rows:
            grouped[row["k"]].append(Edge(native_record(row["r"]), native_record(row["m"])))
        return [grouped[k] for k in keys]

    async def node_with_edges(self, class_name: str, key: str, wanted: Sequence[EdgeKind]
                              ) -> tuple[Record | None, dict[EdgeKind, list[Edge]]]:
        """One record and the relationships ``wanted``, in one query."""
        rows = await self.graph.read(
            f"MATCH {self._match(class_name, key_param='$k')} "
            f"RETURN properties(n) AS p{self._edge_columns(wanted)}", k=key)
        if not rows:
            return None, {}
        return native_record(rows[0]["p"]), self._edges_of(rows[0], wanted)

    def _department_people(self) -> str:
        """From department ``root``: the people ``e`` belonging to it or a department below."""
        cy = self.cy
        pattern, conditions = cy.members("Employee", "d", "e")
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
            rows = await self.graph.read(
                f"UNWIND $keys AS k MATCH {self._match(self.o.department_class, 'root')} "
                f"CALL {{ WITH root {self._department_people()} "
                f"WITH DISTINCT e ORDER BY e.{key} LIMIT $limit "
                "RETURN collect(properties(e)) AS people } RETURN k, people",
                keys=depts, limit=limit)
            for row in rows:
                found[(row["k"], limit)] = [native_record(p) for p in row["people"]]
        return [found.get(k, []) for k in keys]

    async def department_employee_counts(self, keys: Sequence[str]) -> list[int]:
        """For each department, how many people hold a position in it or below now."""
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

    async def page(self, class_name: str, q: ListQuery,
                   wanted: Sequence[EdgeKind] = ()) -> Page:
        """One window of a filtered, ordered list, with the total count of matches, and for
        each record the relationships ``wanted`` (fetched in the same query)."""
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
        match = f"MATCH {self.cy.node('n', class_name)}" + (
            f" WHERE {' AND '.join(where)}" if where else "")
        order = [f"n.{self.cy.prop(class_name, prop)}{' DESC' if desc else ''}"
                 for prop, desc in q.order_by]
        order.append(f"n.{self.cy.key(class_name)}")
        rows = await self.graph.read(
            f"{match} WITH n ORDER BY {', '.join(order)} SKIP $skip LIMIT $limit "
            f"RETURN properties(n) AS p{self._edge_columns(wanted)}", **params)
        total = await self.graph.read(f"{match} RETURN count(n) AS c", **params)
        has_next, rows = len(rows) > q.limit, rows[:q.limit]
        return Page([native_record(r["p"]) for r in rows], int(total[0]["c"]), has_next,
                    [self._edges_of(r, wanted) for r in rows])

    # -- writes --------------------------------------------------------------------------------

    async def create_node(self, class_name: str, props: Record,
                          refs: dict[str, str | None]) -> Record:
        """Create a node and its reference relationships (e.g. a position's department)."""
        spec = self.o.cls(class_name)
        key = props[spec.key]

        async def work(tx: AsyncManagedTransaction) -> Record:
            exists = await self.graph.run_in(
                tx, f"MATCH {self._match(class_name, key_param='$k')} RETURN 1 AS one", k=key)
            if exists:
                raise Conflict(f"a {class_name} with id {key!r} already exists", field=spec.key)
            rows = await self.graph.run_in(
                tx, f"CREATE {self.cy.node('n', class_name)} SET n = $props "
                    "RETURN properties(n) AS p",
                props={k: v for k, v in props.items() if v is not None})
            await self._set_refs(tx, class_name, key, refs)
            await record_change(self.graph, tx, [(class_name, key), *self._ref_targets(
                class_name, refs)])
            return native_record(rows[0]["p"])

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
                          refs: dict[str, str | None]) -> Record:
        """Change some properties (None removes one) and reference relationships of a node."""

        async def work(tx: AsyncManagedTransaction) -> Record:
            before = await self._ref_neighbours(tx, class_name, key)
            rows = await self.graph.run_in(
                tx, f"MATCH {self._match(class_name, key_param='$k')} SET n += $props "
                    "RETURN properties(n) AS p", k=key, props=props)
            if not rows:
                raise NotFound(f"no {class_name} with id {key!r}", field="id")
            await self._set_refs(tx, class_name, key, refs)
            await record_change(self.graph, tx, [(class_name, key), *before,
                                                 *self._ref_targets(class_name, refs)])
            return native_record(rows[0]["p"])

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

    async def _refuse_cycle(self, tx: AsyncManagedTransaction, ref: RelationshipSpec, key: str,
                            column: str) -> None:
        rtype = self.cy.rel(ref.name)
        rows = await self.graph.run_in(
            tx, f"MATCH {self._match(ref.source, key_param='$k')} "
                f"WHERE EXISTS {{ MATCH (n)-[:{rtype}*1..]->(n) }} RETURN 1 AS one", k=key)
        if rows:
            raise Conflict(f"{ref.name} would form a cycle through {key!r}", field=column)

    async def delete_node(self, class_name: str, key: str) -> DeleteOutcome:
        """Delete a node with its own relationships, and the nodes it owns (``cascade`` in the
        ontology); refuse while other records still point at it."""
        blocking = [r for r in self.o.relationships_to(class_name) if not r.cascade]
        owned = [r for r in self.o.relationships_from(class_name) if r.cascade]

        async def work(tx: AsyncManagedTransaction) -> DeleteOutcome:
            found = await self.graph.run_in(
                tx, f"MATCH {self._match(class_name, key_param='$k')} RETURN 1 AS one", k=key)
            if not found:
                raise NotFound(f"no {class_name} with id {key!r}", field="id")
            refs = []
            for rel in blocking:
                rows = await self.graph.run_in(
                    tx, f"MATCH {self._match(class_name, key_param='$k')}"
                        f"{self.cy.step(EdgeKind(rel.name, 'in'), '', 'm')} "
                        f"RETURN m.{self.cy.key(rel.source)} AS id ORDER BY id LIMIT 5", k=key)
                if rows:
                    refs.append(f"{rel.name} from {rel.source} "
                                f"{', '.join(str(r['id']) for r in rows)}")
            if refs:
                raise Conflict(f"{class_name} {key!r} is still referenced: {'; '.join(refs)}",
                               field="id", referencedBy=refs)
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
            return DeleteOutcome(key, sorted(cascaded))

        return await self.graph.write_tx(work)

    async def set_edge(self, rel_name: str, from_key: str, to_key: str, props: Record) -> Record:
        """Create or update one relationship (identified by its ends and key properties);
        returns the record at its ``from`` end, as the write left it."""
        rel = self.o.rel(rel_name)
        identity = ", ".join(f"{self.cy.rel_prop(rel_name, k)}: $props.{k}" for k in rel.key)
        identity = f" {{{identity}}}" if identity else ""

        async def work(tx: AsyncManagedTransaction) -> Record:
            await self._require_ends(tx, rel, from_key, to_key)
            rows = await self.graph.run_in(
                tx, f"MATCH {self._match(rel.source, 'a', '$a')} "
                    f"MATCH {self._match(rel.target, 'b', '$b')} "
                    f"MERGE (a)-[r:{self.cy.rel(rel_name)}{identity}]->(b) SET r += $props "
                    "RETURN properties(a) AS p",
                a=from_key, b=to_key, props=props)
            await record_change(self.graph, tx, [(rel.source, from_key), (rel.target, to_key)])
            return native_record(rows[0]["p"])

        return await self.graph.write_tx(work)

    async def remove_edge(self, rel_name: str, from_key: str, to_key: str,
                          key_props: Record) -> int:
        """Delete the relationships between two nodes (matching the key properties given)."""
        rel = self.o.rel(rel_name)
        cond = " AND ".join(f"r.{self.cy.rel_prop(rel_name, k)} = $keys.{k}" for k in key_props)

        async def work(tx: AsyncManagedTransaction) -> int:
            await self._require_ends(tx, rel, from_key, to_key)
            rows = await self.graph.run_in(
                tx, f"MATCH {self._match(rel.source, 'a', '$a')}"
                    f"-[r:{self.cy.rel(rel_name)}]->{self._match(rel.target, 'b', '$b')} "
                    f"{'WHERE ' + cond if cond else ''} DELETE r RETURN count(*) AS c",
                a=from_key, b=to_key, keys=key_props)
            await record_change(self.graph, tx, [(rel.source, from_key), (rel.target, to_key)])
            return int(rows[0]["c"]) if rows else 0

        return await self.graph.write_tx(work)

    async def _require_ends(self, tx: AsyncManagedTransaction, rel: RelationshipSpec,
                            from_key: str, to_key: str) -> None:
        for class_name, key, fld in ((rel.source, from_key, rel.imports.from_column),
                                     (rel.target, to_key, rel.imports.to_column)):
            rows = await self.graph.run_in(
                tx, f"MATCH {self._match(class_name, key_param='$k')} RETURN 1 AS one", k=key)
            if not rows:
                raise NotFound(f"no {class_name} with id {key!r}", field=fld)
