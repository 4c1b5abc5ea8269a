"""Rule models → one parameterised Cypher query per rule.

Every label, relationship type and property name comes from the ontology (through
:mod:`graph.cypher`); every value is a ``$parameter``: literals written in the rule become
``$v1``, ``$v2``, ... in order of appearance, rule parameters keep their names
(``$minimum_wage``). The text is deterministic, so golden tests can compare it exactly.

Each query starts from one label scan of the target class (``MATCH (focus:Label)``), tests the
rest with pattern subqueries (``COUNT { }``, ``EXISTS { }``, pattern comprehensions), and
returns one row per violation with the columns ``focus_id``, ``focus_name``, ``path``,
``value``, then the kind's own fields (``limit``, ``case`` ...) and ``focus_<property>`` for
each ``{focus.<property>}`` its message shows. Each kind writes its query in its module of
:mod:`rules.kinds` with the shared builder, :class:`rules.querybuilder.Query`; a
``successors`` rule's query returns the positions short on nominations, with the ids of their
nominees (``nominees``), and :mod:`rules.runner` takes the kind's step after it. The queries
are plain Neo4j 5 Cypher that the embedded engine runs too: no APOC, no ``exists(n.prop)``, no
parameters in variable-length bounds.

:func:`department_query` is the query of the report's department filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.cypher import cypher_of
from rules.kinds import kind_of
from rules.model import Rule, Scalar
from rules.querybuilder import FOCUS, Query, cypher_value
from schema.ontology import EdgeKind, Ontology, default_ontology

# how far up the department tree a department filter looks (the tree is far shallower)
DEPARTMENT_DEPTH = 100


@dataclass(frozen=True)
class CompiledRule:
    """A rule's query, its literal values and the rule parameters it needs."""

    rule: Rule
    cypher: str
    literals: dict[str, Any]
    parameters: tuple[str, ...]

    def params(self, values: Mapping[str, Scalar]) -> dict[str, Any]:
        """The query's parameters: the literals plus the rule parameters' resolved values."""
        out = dict(self.literals)
        for name in self.parameters:
            out[name] = cypher_value(values[name])
        return out


def compile_rule(rule: Rule, ontology: Ontology | None = None) -> CompiledRule:
    """The Cypher query of ``rule``, written by its kind; see the module docstring for its
    columns."""
    q = Query(ontology or default_ontology())
    constraint = rule.constraint
    body = kind_of(constraint).compile(q, rule, constraint)
    return CompiledRule(rule=rule, cypher="\n".join(body), literals=q.literals,
                        parameters=tuple(q.used))


# -- department scope ------------------------------------------------------------------------

def department_query(class_name: str, ontology: Ontology | None = None) -> str | None:
    """A query keeping those of ``$ids`` (keys of ``class_name``) whose record belongs to
    department ``$department`` or one below it (as the ontology's ``department`` paths say);
    None if the class belongs to no department."""
    cy = cypher_of(ontology or default_ontology())
    found = cy.department_path(class_name, FOCUS, "d")
    if found is None:
        return None
    pattern, conditions = found
    dept = cy.o.department_class
    up = cy.arrow(EdgeKind(cy.o.department_tree.name, "out"), hops=f"*0..{DEPARTMENT_DEPTH}")
    where = " AND ".join([*conditions, f"top.{cy.key(dept)} = $department"])
    return (f"UNWIND $ids AS id\nMATCH {cy.node(FOCUS, class_name, 'id')}\n"
            f"WHERE EXISTS {{ MATCH {pattern}{up}(top:{cy.label(dept)}) WHERE {where} }}\n"
            "RETURN id")
