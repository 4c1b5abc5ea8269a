"""``limits``: a table of cases, the first that applies to the focus node giving the ``min``
and / or ``max`` of one of its properties; no case, no limit (SHACL has no tables: it would
take one shape per case, each with ``sh:minInclusive`` / ``sh:maxInclusive`` and a
``sh:not`` of the cases before it).

.. code-block:: yaml

    target: Contract
    limits:
      property: probation_months            # a number or a date
      span: {from: start_date, to: end_date, end_inclusive: true}   # optional
      cases:                                # in order: the first that applies counts
        - case: open-ended contract
          when: {type: open_ended}          # conditions on the focus
          max: 6
        - case: term of 1 year to under 3 years
          span: {at_least: 1 year, under: 3 years}   # the span declared above
          max: 2

With ``end_inclusive`` the end date is the record's last day: a span is at least D when
``end + 1 day >= start + D``. The query returns the property's value, the bound it breaks as
``limit`` and the case that applied as ``case``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rules.kinds.base import Kind
from rules.model import Condition, Constraint, Operand, Rule, Span, ValueKind, Where
from rules.querybuilder import FOCUS, Query
from rules.reader import PROPERTY_KINDS, Entity, Invalid, Reader, parse_span
from schema.yamlload import LineMap

KEYS = frozenset({"property", "span", "cases"})
SPAN_KEYS = frozenset({"from", "to", "end_inclusive"})
CASE_KEYS = frozenset({"case", "when", "span", "min", "max"})
FIELDS = frozenset({"value", "path", "limit", "case"})


@dataclass(frozen=True)
class SpanSpec:
    """How long a record lasts: from one date property to another.

    With ``end_inclusive`` the end date is the record's last day, so a span from 2024-01-01 to
    2024-12-31 is one year: span >= D iff ``end + 1 day >= start + D``.
    """

    start: str
    end: str
    end_inclusive: bool


@dataclass(frozen=True)
class Case:
    """One row of a limits table: when it applies and the limit it sets."""

    label: str
    when: tuple[Condition, ...]
    span_at_least: Span | None
    span_under: Span | None
    min: Operand | None
    max: Operand | None
    at: Where


@dataclass(frozen=True)
class LimitsConstraint(Constraint):
    """The first case that applies to the focus node limits ``prop``; no case, no limit."""

    kind: ClassVar[str] = "limits"

    prop: str
    span: SpanSpec | None
    cases: tuple[Case, ...]


# -- parsing ---------------------------------------------------------------------------------

def parse(r: Reader, raw: Any, line: int, target: str, what: str) -> LimitsConstraint:
    """The limited property, the optional span and the cases (distinct labels)."""
    m = r.section(raw, line, KEYS, what)
    focus = Entity(target, is_class=True)
    name = r.text(m, "property", what)
    spec = r.prop_spec(focus, name, m.line_of("property"), what)
    kind = PROPERTY_KINDS[spec.type]
    if kind not in ("number", "date"):
        raise r.invalid(m.line_of("property"), f"{what}: limits need a number or a "
                                               f"date; {name} is a {spec.type}")
    span = None
    if "span" in m:
        span = _span_spec(r, r.section(m["span"], m.line_of("span"), SPAN_KEYS, f"{what}: span"),
                          focus, f"{what}: span")
    raw_cases = m.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise r.invalid(m.line_of("cases"), f"{what}: cases must be a non-empty list")
    cases = []
    for raw_case in raw_cases:
        try:
            cases.append(_case(r, raw_case, m.line_of("cases"), focus, kind, span, what))
        except Invalid:
            continue
    labels = [c.label for c in cases]
    for case in cases:
        if labels.count(case.label) > 1 and labels.index(case.label) != cases.index(case):
            r.fail(case.at.line, f"{what}: duplicate case {case.label!r}")
    return LimitsConstraint(prop=name, span=span, cases=tuple(cases))


def _span_spec(r: Reader, m: LineMap, focus: Entity, what: str) -> SpanSpec:
    ends = []
    for key in ("from", "to"):
        prop = r.text(m, key, what)
        spec = r.prop_spec(focus, prop, m.line_of(key), what)
        if spec.type != "date":
            raise r.invalid(m.line_of(key), f"{what}: a span runs between dates; "
                                            f"{prop} is a {spec.type}")
        ends.append(prop)
    inclusive = m.get("end_inclusive")
    if not isinstance(inclusive, bool):
        raise r.invalid(m.line_of("end_inclusive"),
                        f"{what}: say end_inclusive: true (the end date is the last day) "
                        "or false (the span ends before it)")
    return SpanSpec(start=ends[0], end=ends[1], end_inclusive=inclusive)


def _case(r: Reader, raw: Any, line: int, focus: Entity, kind: ValueKind,
          span: SpanSpec | None, what: str) -> Case:
    m = r.section(raw, line, CASE_KEYS, f"{what}: a case")
    label = r.text(m, "case", f"{what}: a case")
    what = f"{what}: case {label!r}"
    when: tuple[Condition, ...] = ()
    if "when" in m:
        when = r.conditions(m["when"], m.line_of("when"), focus, f"{what}: when")
    at_least = under = None
    if "span" in m:
        if span is None:
            raise r.invalid(m.line_of("span"), f"{what}: declare the table's span "
                                               "(from, to, end_inclusive) first")
        s = r.section(m["span"], m.line_of("span"), {"at_least", "under"}, f"{what}: span")
        if not s:
            raise r.invalid(s.line, f"{what}: span needs at_least or under")
        at_least = _span_literal(r, s, "at_least", what)
        under = _span_literal(r, s, "under", what)
    bounds = {k: r.operand(m[k], m.line_of(k), focus, kind, f"{what}: {k}")
              for k in ("min", "max") if k in m}
    if not bounds:
        raise r.invalid(m.line, f"{what}: give min or max")
    return Case(label=label, when=when, span_at_least=at_least, span_under=under,
                min=bounds.get("min"), max=bounds.get("max"), at=Where(r.file, m.line))


def _span_literal(r: Reader, m: LineMap, key: str, what: str) -> Span | None:
    if key not in m:
        return None
    try:
        return parse_span(str(m[key]))
    except ValueError as exc:
        raise r.invalid(m.line_of(key), f"{what}: span {key}: {exc}") from None


# -- compiling -------------------------------------------------------------------------------

def compile(q: Query, rule: Rule, c: LimitsConstraint) -> list[str]:
    """The number of the first case that applies (``k``), the bounds of each case as lists
    indexed by it, and the focus nodes whose value is out of the bounds of their case."""
    head = q.match_focus(rule)
    whens = []
    for i, case in enumerate(c.cases):
        whens.append(f"  WHEN {_case_condition(q, case, c.span, rule.target)} THEN {i}")
    lines = [*head, f"WITH {FOCUS}, CASE", *whens, "END AS k", "WHERE k IS NOT NULL"]
    value_of = q.prop(FOCUS, rule.target, True, c.prop)
    lows = _case_list(q, [case.min for case in c.cases], rule.target)
    highs = _case_list(q, [case.max for case in c.cases], rule.target)
    cols = [f"{value_of} AS value"]
    if lows:
        cols.append(f"{lows}[k] AS low")
    if highs:
        cols.append(f"{highs}[k] AS high")
    lines.append(f"WITH {FOCUS}, k, " + ", ".join(cols))
    test, limit = q.bounds("value", "low" if lows else None, "high" if highs else None)
    labels = q.lit(tuple(case.label for case in c.cases))
    path = q.lit(c.prop)
    extra = f"{limit} AS limit, {labels}[k] AS case"
    return [*lines, f"WHERE {test}", q.returns(rule, path, extra=extra)]


def _case_list(q: Query, operands: list[Operand | None], target: str) -> str:
    if all(o is None for o in operands):
        return ""
    items = ["null" if o is None else q.focus_operand(o, target) for o in operands]
    return "[" + ", ".join(items) + "]"


def _case_condition(q: Query, case: Case, span: SpanSpec | None, target: str) -> str:
    parts = [q.condition(cond, FOCUS, target, True) for cond in case.when]
    if span is not None and (case.span_at_least or case.span_under):
        end = q.prop(FOCUS, target, True, span.end)
        if span.end_inclusive:
            end += " + duration({days: 1})"
        start = q.prop(FOCUS, target, True, span.start)
        if case.span_at_least is not None:
            parts.append(f"{end} >= {start} + {q.lit(case.span_at_least)}")
        if case.span_under is not None:
            parts.append(f"{end} < {start} + {q.lit(case.span_under)}")
    return " AND ".join(parts) if parts else "true"


KIND = Kind(LimitsConstraint, FIELDS, parse, compile)
