"""``count``: the number of paths from the focus node is at least ``min``, at most ``max`` or
``exactly`` a value (SHACL ``sh:minCount`` / ``sh:maxCount`` with ``sh:qualifiedValueShape``
for the conditions on the way).

.. code-block:: yaml

    target: Responsibility
    count:
      path: <-HAS_RESPONSIBILITY- Position   # steps from the focus (see rules.reader)
      where: {raci: A}                       # on the last step's relationship
      node: {is_key: true}                   # on the node it reaches (optional too)
      exactly: 1                             # or min / max: a whole number, a parameter or
                                             # a property of the focus ({property: headcount})

The query counts the paths with ``COUNT { }`` and returns the count as ``value`` and the bound
it breaks as ``limit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rules.kinds.base import Kind
from rules.model import Constraint, Operand, PathSpec, Rule
from rules.querybuilder import FOCUS, Query, describe_path
from rules.reader import PATH_KEYS, Entity, Reader

KEYS = PATH_KEYS | {"min", "max", "exactly"}
FIELDS = frozenset({"value", "path", "limit"})


@dataclass(frozen=True)
class CountConstraint(Constraint):
    """The number of paths from the focus node must be within the bounds."""

    kind: ClassVar[str] = "count"

    path: PathSpec
    min: Operand | None = None
    max: Operand | None = None
    exactly: Operand | None = None


def parse(r: Reader, raw: Any, line: int, target: str, what: str) -> CountConstraint:
    """A path and whole-number bounds: ``min`` and / or ``max``, or ``exactly``."""
    m = r.section(raw, line, KEYS, what)
    path = r.path_spec(m, target, what)
    focus = Entity(target, is_class=True)
    bounds = {k: r.operand(m[k], m.line_of(k), focus, "number", f"{what}: {k}", whole=True)
              for k in ("min", "max", "exactly") if k in m}
    if not bounds:
        raise r.invalid(m.line, f"{what}: give min, max or exactly")
    if "exactly" in bounds and len(bounds) > 1:
        raise r.invalid(m.line_of("exactly"), f"{what}: 'exactly' excludes min and max")
    return CountConstraint(path=path, **bounds)


def compile(q: Query, rule: Rule, c: CountConstraint) -> list[str]:
    """The focus nodes whose count of paths is out of bounds."""
    head = q.match_focus(rule)
    pattern, where, _, _ = q.pattern(FOCUS, c.path)
    lines = [*head, f"WITH {FOCUS}, COUNT {{ {pattern}{where} }} AS value"]
    if c.exactly is not None:
        exactly = q.focus_operand(c.exactly, rule.target)
        test, limit = f"value <> {exactly}", exactly
    else:
        low = q.focus_operand(c.min, rule.target) if c.min is not None else None
        high = q.focus_operand(c.max, rule.target) if c.max is not None else None
        test, limit = q.bounds("value", low, high)
    path = q.lit(describe_path(c.path))
    return [*lines, f"WHERE {test}", q.returns(rule, path, extra=f"{limit} AS limit")]


KIND = Kind(CountConstraint, FIELDS, parse, compile)
