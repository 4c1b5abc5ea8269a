"""The one Cypher vocabulary: the ontology's names as Cypher identifiers, and the patterns that
many queries share.

Every Cypher text Rolegraph writes (the graph layer's queries and the compiled rules) takes its
labels, relationship types and property names from here: each is looked up in the ontology
(an unknown name is a ``KeyError`` naming it, at the time the query is built) and quoted with
backticks. Values are never spelled into a query: they are ``$parameters``.

The shared patterns: a node by its key (:meth:`Cypher.node`), a relationship seen from one end
(:meth:`Cypher.step`), "not ended" for relationships with an ``ended_by`` property
(:meth:`Cypher.current`), and department membership as the ontology declares it
(:meth:`Cypher.department_path`, :meth:`Cypher.in_departments`, :meth:`Cypher.subtree`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from schema.ontology import EdgeKind, Ontology


def quote(name: str) -> str:
    """A Cypher identifier in backticks (names from the ontology are plain identifiers)."""
    return f"`{name}`"


class Names:
    """Quoted names as attributes (``cy.L.Position`` is the label ``Position`` in
    backticks), for queries that use many; an unknown name is an ``AttributeError`` when the
    query is built."""

    def __init__(self, what: str, names: Iterable[str]) -> None:
        self._what = what
        self._quoted = {name: quote(name) for name in names}

    def __getattr__(self, name: str) -> str:
        try:
            return self._quoted[name]
        except KeyError:
            raise AttributeError(f"unknown {self._what} {name!r}") from None


@dataclass(frozen=True, eq=False)
class Cypher:
    """Cypher identifiers and patterns over one ontology (see the module docstring)."""

    o: Ontology
    #: node labels by class name: ``cy.L.Position``
    L: Names = field(init=False)
    #: relationship types by name: ``cy.T.HAS_RESPONSIBILITY``
    T: Names = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "L", Names("class", self.o.classes))
        object.__setattr__(self, "T", Names("relationship", self.o.relationships))

    # -- identifiers -------------------------------------------------------------------------

    def label(self, class_name: str) -> str:
        """A node label, checked against the ontology."""
        return quote(self.o.cls(class_name).name)

    def rel(self, rel_name: str) -> str:
        """A relationship type, checked against the ontology."""
        return quote(self.o.rel(rel_name).name)

    def prop(self, class_name: str, prop_name: str) -> str:
        """A property of a class, checked against the ontology."""
        if prop_name not in self.o.cls(class_name).properties:
            raise KeyError(f"unknown property {class_name}.{prop_name}")
        return quote(prop_name)

    def rel_prop(self, rel_name: str, prop_name: str) -> str:
        """A property of a relationship type, checked against the ontology."""
        if prop_name not in self.o.rel(rel_name).properties:
            raise KeyError(f"unknown property {rel_name}.{prop_name}")
        return quote(prop_name)

    def key(self, class_name: str) -> str:
        """The key property of a class (``id``)."""
        return self.prop(class_name, self.o.cls(class_name).key)

    def display(self, class_name: str) -> str:
        """The property shown as a record's name (a position's ``title``)."""
        return self.prop(class_name, self.o.cls(class_name).display)

    def internal_label(self, name: str) -> str:
        """A bookkeeping label of the ontology's ``internal`` section (the change stamp)."""
        try:
            return quote(self.o.internal[name].name)
        except KeyError:
            raise KeyError(f"unknown internal label {name!r}") from None

    def internal_prop(self, name: str, prop_name: str) -> str:
        """A property of an internal label."""
        if prop_name not in self.o.internal[name].properties:
            raise KeyError(f"unknown property {name}.{prop_name}")
        return quote(prop_name)

    # -- patterns ----------------------------------------------------------------------------

    def node(self, var: str, class_name: str, key: str | None = None) -> str:
        """``(var:Label)``, or ``(var:Label {id: key})`` with ``key`` an expression such as
        ``$k`` or ``row.key``."""
        if key is None:
            return f"({var}:{self.label(class_name)})"
        return f"({var}:{self.label(class_name)} {{{self.key(class_name)}: {key}}})"

    def values(self, class_name: str, var: str) -> tuple[list[str], str]:
        """The property names of a class and a Cypher list of their values on ``var``, in
        that order (``[n.`id`, n.`title`, ...]``)."""
        names = list(self.o.cls(class_name).properties)
        return names, "[" + ", ".join(f"{var}.{quote(p)}" for p in names) + "]"

    def arrow(self, kind: EdgeKind, var: str = "", hops: str = "") -> str:
        """``-[var:TYPE]->`` or ``<-[var:TYPE]-`` for one relationship kind (``hops`` such
        as ``*0..`` repeats it)."""
        inner = f"[{var}:{self.rel(kind.rel)}{hops}]"
        return f"-{inner}->" if kind.direction == "out" else f"<-{inner}-"

    def step(self, kind: EdgeKind, rel_var: str, node_var: str) -> str:
        """One relationship from a node: ``-[r:TYPE]->(m:Other)`` (the far end labelled)."""
        far = self.o.rel(kind.rel).ends(kind)[1]
        return f"{self.arrow(kind, rel_var)}({node_var}:{self.label(far)})"

    def current(self, rel_name: str, var: str) -> str:
        """The relationship ``var`` has not ended (its ``ended_by`` property has no value)."""
        ended_by = self.o.rel(rel_name).ended_by
        if ended_by is None:
            raise KeyError(f"{rel_name} has no ended_by property")
        return f"{var}.{self.rel_prop(rel_name, ended_by)} IS NULL"

    def edge(self, kind: EdgeKind, rel_var: str, node_var: str) -> tuple[str, str | None]:
        """:meth:`step` and, for a ``current`` kind, the condition on the relationship."""
        return (self.step(kind, rel_var, node_var),
                self.current(kind.rel, rel_var) if kind.current else None)

    # -- departments -------------------------------------------------------------------------

    def department_path(self, class_name: str, start: str, dept: str
                        ) -> tuple[str, list[str]] | None:
        """The pattern from ``start`` (a record of ``class_name``) to ``dept``, a department
        it belongs to, with the conditions on the way, as the ontology's ``department``
        declares it; None for a class that belongs to no department. For the department class
        itself the pattern is ``(start)`` and ``dept`` is not bound: use :meth:`in_departments`
        or compare ``start`` directly."""
        steps = self.o.cls(class_name).department
        if steps is None:
            return None
        pattern, conditions = f"({start})", []
        for i, kind in enumerate(steps, start=1):
            last = i == len(steps)
            node_var = dept if last else ""
            rel_var = f"{dept}_r{i}" if kind.current else ""
            step, condition = self.edge(kind, rel_var, node_var)
            pattern += step
            if condition is not None:
                conditions.append(condition)
        return pattern, conditions

    def department_of(self, class_name: str, start: str, dept: str) -> str:
        """:meth:`department_path` as a pattern alone, for a class whose path has no
        conditions (a position: ``(p)-[:IN_DEPARTMENT]->(d:Department)``)."""
        found = self.department_path(class_name, start, dept)
        if found is None or found[1] or found[0] == f"({start})":
            raise KeyError(f"{class_name} has no unconditional department path")
        return found[0]

    def members(self, class_name: str, dept: str, var: str) -> tuple[str, list[str]]:
        """The pattern from department ``dept`` to ``var``, the records of ``class_name``
        belonging to it (the ontology's ``department`` path walked backwards), with its
        conditions. KeyError when the class belongs to no department."""
        steps = self.o.cls(class_name).department
        if not steps:
            raise KeyError(f"{class_name} records belong to no department")
        pattern, conditions = f"({dept})", []
        for i, kind in enumerate(reversed(steps), start=1):
            back = EdgeKind(kind.rel, "in" if kind.direction == "out" else "out", kind.current)
            rel_var = f"{var}_r{i}" if kind.current else ""
            step, condition = self.edge(back, rel_var, var if i == len(steps) else "")
            pattern += step
            if condition is not None:
                conditions.append(condition)
        return pattern, conditions

    def in_departments(self, class_name: str, var: str, param: str = "$depts") -> str:
        """A predicate: the record ``var`` belongs to one of the departments whose keys are in
        the list ``param``. KeyError when the class belongs to no department."""
        dept_class = self.o.department_class
        found = self.department_path(class_name, var, "d_")
        if found is None:
            raise KeyError(f"{class_name} records belong to no department")
        pattern, conditions = found
        if pattern == f"({var})":
            return f"{var}.{self.key(dept_class)} IN {param}"
        where = " AND ".join([*conditions, f"d_.{self.key(dept_class)} IN {param}"])
        return f"EXISTS {{ MATCH {pattern} WHERE {where} }}"

    def subtree(self, root: str, var: str, depth: str = "") -> str:
        """From department ``root`` down to ``var``: itself and every department below it
        (``depth`` such as ``100`` bounds the walk)."""
        tree = self.o.department_tree
        kind = EdgeKind(tree.name, "in")
        return (f"({root}){self.arrow(kind, hops=f'*0..{depth}')}"
                f"({var}:{self.label(tree.source)})")


@cache
def cypher_of(ontology: Ontology) -> Cypher:
    """The vocabulary of an ontology (one per ontology and process)."""
    return Cypher(ontology)
