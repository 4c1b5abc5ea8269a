"""``cypher``: the escape hatch, for what the other kinds cannot say (SHACL-SPARQL's
``sh:sparql``): a query returning ``focus`` (a node of the target class), ``path`` and
``value``, one row per violation; ``$name`` is a rule parameter.

.. code-block:: yaml

    target: Employee
    cypher: |
      MATCH (focus:Employee)-[held:HOLDS_POSITION]->(p:Position)-[:REQUIRES_CERTIFICATE]->(c)
      WHERE held.end_date IS NULL AND NOT EXISTS { (focus)-[:HAS_CERTIFICATE]->(c) }
      RETURN focus, p.id + ' requires ' + c.id AS path, 'missing' AS value

(``required-certificates`` in ``rules/packs/qualification.yaml`` is a full one.) The query
runs as a ``CALL { }`` subquery; only rows whose ``focus`` is a node of the target class
meeting the rule's ``where`` are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from rules.kinds.base import Kind
from rules.model import Constraint, Rule
from rules.querybuilder import FOCUS, Query
from rules.reader import Reader

_CYPHER_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
FIELDS = frozenset({"value", "path"})


@dataclass(frozen=True)
class CypherConstraint(Constraint):
    """The escape hatch: a query returning ``focus`` (a node of the target class), ``path``
    and ``value``; ``$name`` refers to a rule parameter."""

    kind: ClassVar[str] = "cypher"

    query: str
    parameters: tuple[str, ...]


def parse(r: Reader, raw: Any, line: int, target: str, what: str) -> CypherConstraint:
    """A non-empty query text whose ``$parameters`` are all declared."""
    if not isinstance(raw, str) or not raw.strip():
        raise r.invalid(line, f"{what}: the query must be a non-empty text")
    names: list[str] = []
    for name in _CYPHER_PARAM.findall(raw):
        if name not in r.params:
            r.fail(line, f"{what}: unknown parameter ${name} (declare it under "
                         "'parameters')")
        elif name not in names:
            names.append(name)
            r.use(name)
    return CypherConstraint(query=raw.strip(), parameters=tuple(names))


def compile(q: Query, rule: Rule, c: CypherConstraint) -> list[str]:
    """The rule's query as a subquery, its rows kept when ``focus`` is of the target class
    and meets the rule's ``where`` (the only kind that does not start from the label)."""
    for name in c.parameters:
        q.param(name)
    inner = "\n".join("  " + line if line.strip() else "" for line in c.query.splitlines())
    check = f"{FOCUS}:{q.cy.label(rule.target)}"
    if rule.where:
        check += " AND " + q.conditions(rule.where, FOCUS, rule.target, True)
    return ["CALL {", inner, "}", f"WITH {FOCUS}, path, value", f"WHERE {check}",
            q.returns(rule, "path")]


KIND = Kind(CypherConstraint, FIELDS, parse, compile)
