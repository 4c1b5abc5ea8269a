"""``property``: facets of one property of the focus node; any failing facet is a violation
(SHACL ``sh:minCount 1`` for ``required``, ``sh:in``, ``sh:minInclusive`` /
``sh:maxInclusive``, ``sh:pattern``, ``sh:lessThanOrEquals`` and friends for the tests).

.. code-block:: yaml

    target: Contract
    property:
      name: signed_on
      required: false                      # true: a missing value is a violation
      at_most: {property: start_date, plus: {param: written_contract_deadline}}
      if_missing: {param: as_of}           # what a missing value counts as for the tests

The tests are those of conditions (``equals``, ``not``, ``in``, ``not_in``, ``present``,
``pattern``, ``at_least``, ``at_most``, ``more_than``, ``less_than``). As in SHACL, where
constraints apply to value nodes, facets other than ``required`` test present values only,
unless ``if_missing`` stands in for a missing one. The query returns the property's value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rules.kinds.base import Kind
from rules.model import Constraint, Operand, PropertyTest, Rule
from rules.querybuilder import FOCUS, Query
from rules.reader import PROPERTY_KINDS, TESTS, Entity, Reader
from schema.yamlload import LineMap

KEYS = frozenset({"name", "required", "if_missing", *TESTS})
FIELDS = frozenset({"value", "path"})


@dataclass(frozen=True)
class PropertyConstraint(Constraint):
    """Facets of one property of the focus node; any failing facet is a violation.

    Facets other than ``required`` test present values only (as in SHACL, where constraints
    apply to value nodes): unless ``if_missing`` names a value that stands in for a missing one.
    """

    kind: ClassVar[str] = "property"

    prop: str
    required: bool
    tests: tuple[PropertyTest, ...]
    if_missing: Operand | None = None


def parse(r: Reader, raw: Any, line: int, target: str, what: str) -> PropertyConstraint:
    """The property's name, ``required``, its tests and ``if_missing``."""
    m = r.section(raw, line, KEYS, what)
    name = r.text(m, "name", what)
    focus = Entity(target, is_class=True)
    spec = r.prop_spec(focus, name, m.line_of("name"), what)
    required = m.get("required", False)
    if not isinstance(required, bool):
        raise r.invalid(m.line_of("required"), f"{what}: required is true or false")
    facets = LineMap({k: v for k, v in m.items() if k in TESTS})
    facets.line, facets.key_lines = m.line, m.key_lines
    tests = r.property_tests(spec, facets, focus, what) if facets else ()
    if not required and not tests:
        raise r.invalid(m.line, f"{what}: give at least one check of {name} (required, "
                                f"{', '.join(TESTS)})")
    if_missing = None
    if "if_missing" in m:
        if required:
            raise r.invalid(m.line_of("if_missing"),
                            f"{what}: if_missing and required exclude each other")
        if_missing = r.operand(m["if_missing"], m.line_of("if_missing"), focus,
                               PROPERTY_KINDS[spec.type], f"{what}: if_missing")
    return PropertyConstraint(prop=name, required=required, tests=tests,
                              if_missing=if_missing)


def compile(q: Query, rule: Rule, c: PropertyConstraint) -> list[str]:
    """The focus nodes whose value fails a facet (each test negated, joined by ``OR``)."""
    head = q.match_focus(rule)
    value_of = q.prop(FOCUS, rule.target, True, c.prop)
    lines = [*head, f"WITH {FOCUS}, {value_of} AS value"]
    left = "value"
    if c.if_missing is not None:
        left = f"coalesce(value, {q.focus_operand(c.if_missing, rule.target)})"
    fails = ["value IS NULL"] if c.required else []
    fails += [q.test(left, t, FOCUS, rule.target, True, negate=True) for t in c.tests]
    path = q.lit(c.prop)
    return [*lines, "WHERE " + " OR ".join(fails), q.returns(rule, path)]


KIND = Kind(PropertyConstraint, FIELDS, parse, compile)
