"""``aggregate``: ``sum``, ``avg``, ``min`` or ``max`` of a property along a path from the
focus node, compared with a value (SHACL has no aggregates in its core; SHACL-SPARQL writes
them as ``sh:sparql`` constraints with ``GROUP BY``).

.. code-block:: yaml

    target: Position
    aggregate:
      sum: MEASURED_BY.weight        # TYPE.prop (the last step's relationship) or
                                     # Class.prop (the node it reaches); a number
      path: -MEASURED_BY-> KPI       # with where / node as in count
      equals: {param: kpi_weight_total}
      tolerance: {param: kpi_weight_tolerance}   # with equals; or at_least / at_most
      empty: ignore                  # a focus with no path: ignore (default) or report

Missing values of an optional property are left out of the aggregate. The query returns the
aggregate as ``value`` and the bound it breaks as ``limit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rules.kinds.base import Kind
from rules.model import Constraint, Operand, PathSpec, Rule
from rules.querybuilder import FOCUS, Query, describe_path
from rules.reader import PATH_KEYS, PROPERTY_KINDS, Entity, Reader

Aggregate = Literal["sum", "avg", "min", "max"]
AGGREGATES: tuple[Aggregate, ...] = ("sum", "avg", "min", "max")
KEYS = PATH_KEYS | {"equals", "tolerance", "at_least", "at_most", "empty", *AGGREGATES}
FIELDS = frozenset({"value", "path", "limit"})


@dataclass(frozen=True)
class AggregateConstraint(Constraint):
    """``function`` of a property over the paths from the focus, compared with a value.

    ``owner`` is the relationship type of the last step or the class it reaches; ``empty`` says
    what a focus with no path at all means: ``ignore`` (another rule counts) or ``report``.
    """

    kind: ClassVar[str] = "aggregate"

    function: Aggregate
    path: PathSpec
    owner: str
    prop: str
    equals: Operand | None = None
    tolerance: Operand | None = None
    at_least: Operand | None = None
    at_most: Operand | None = None
    empty: Literal["ignore", "report"] = "ignore"


def parse(r: Reader, raw: Any, line: int, target: str, what: str) -> AggregateConstraint:
    """One function of a numeric property of the last step, a path and the bounds."""
    m = r.section(raw, line, KEYS, what)
    functions = [f for f in AGGREGATES if f in m]
    if len(functions) != 1:
        raise r.invalid(m.line, f"{what}: give one of {', '.join(AGGREGATES)} "
                                "(e.g. sum: MEASURED_BY.weight)")
    function: Aggregate = functions[0]
    path = r.path_spec(m, target, what)
    of = m[function]
    line = m.line_of(function)
    owner, _, prop = str(of).partition(".")
    last = path.steps[-1]
    if not prop or owner not in (last.rel, last.node):
        raise r.invalid(line, f"{what}: {function} of {of!r}: name a property of the "
                              f"last step, {last.rel}.<property> or "
                              f"{last.node}.<property>")
    if last.variable_length and owner == last.rel:
        raise r.invalid(line, f"{what}: a variable-length step has no single "
                              f"relationship to take {of!r} from")
    entity = Entity(owner, is_class=owner == last.node)
    spec = r.prop_spec(entity, prop, line, what)
    if PROPERTY_KINDS[spec.type] != "number":
        raise r.invalid(line, f"{what}: {function} needs a numeric property; "
                              f"{of} is a {spec.type}")
    focus = Entity(target, is_class=True)
    bounds = {k: r.operand(m[k], m.line_of(k), focus, "number", f"{what}: {k}")
              for k in ("equals", "tolerance", "at_least", "at_most") if k in m}
    if not set(bounds) & {"equals", "at_least", "at_most"}:
        raise r.invalid(m.line, f"{what}: give equals, at_least or at_most")
    if "equals" in bounds and set(bounds) & {"at_least", "at_most"}:
        raise r.invalid(m.line_of("equals"), f"{what}: 'equals' excludes at_least and "
                                             "at_most")
    if "tolerance" in bounds and "equals" not in bounds:
        raise r.invalid(m.line_of("tolerance"), f"{what}: a tolerance goes with equals")
    empty = m.get("empty", "ignore")
    if empty not in ("ignore", "report"):
        raise r.invalid(m.line_of("empty"), f"{what}: empty is 'ignore' (a record with "
                                            "no path is not checked) or 'report'")
    return AggregateConstraint(function=function, path=path, owner=owner, prop=prop,
                               empty=empty, **bounds)


def compile(q: Query, rule: Rule, c: AggregateConstraint) -> list[str]:
    """The focus nodes whose aggregate is out of bounds: the values along the path gathered
    by a pattern comprehension, reduced to the aggregate, compared with the bounds."""
    head = q.match_focus(rule)
    last = c.path.steps[-1]
    pattern, where, end, rel = q.pattern(FOCUS, c.path)
    item = (q.prop(end, last.node, True, c.prop) if c.owner == last.node
            else q.prop(rel, last.rel, False, c.prop))
    spec = (q.o.cls(last.node) if c.owner == last.node else q.o.rel(last.rel))
    if not spec.properties[c.prop].required:
        where = (where + " AND " if where else " WHERE ") + f"{item} IS NOT NULL"
    lines = [*head, f"WITH {FOCUS}, [{pattern}{where} | {item}] AS vals"]
    if c.empty == "ignore":
        lines.append("WHERE size(vals) > 0")
    total = "reduce(total = 0.0, x IN vals | total + x)"
    value = {
        "sum": total,
        "avg": f"CASE WHEN size(vals) = 0 THEN null ELSE {total} / size(vals) END",
        "min": "reduce(m = null, x IN vals | CASE WHEN m IS NULL OR x < m THEN x ELSE m END)",
        "max": "reduce(m = null, x IN vals | CASE WHEN m IS NULL OR x > m THEN x ELSE m END)",
    }[c.function]
    lines.append(f"WITH {FOCUS}, size(vals) AS n, {value} AS value")
    if c.equals is not None:
        target = q.focus_operand(c.equals, rule.target)
        if c.tolerance is not None:
            tolerance = q.focus_operand(c.tolerance, rule.target)
            test = f"abs(value - {target}) > {tolerance}"
        else:
            test = f"value <> {target}"
        limit = target
    else:
        low = q.focus_operand(c.at_least, rule.target) if c.at_least else None
        high = q.focus_operand(c.at_most, rule.target) if c.at_most else None
        test, limit = q.bounds("value", low, high)
    if c.empty == "report":
        test = f"n = 0 OR {test}"
    path = q.lit(f"{c.function} of {c.owner}.{c.prop} along {describe_path(c.path)}")
    return [*lines, f"WHERE {test}", q.returns(rule, path, extra=f"{limit} AS limit")]


KIND = Kind(AggregateConstraint, FIELDS, parse, compile)
