"""Rule models → one parameterised Cypher query per rule.

Every label, relationship type and property name comes from the ontology (quoted by
``Ontology.label`` / ``rel_type`` / ``prop`` / ``rel_prop``); every value is a ``$parameter``:
literals written in the rule become ``$v1``, ``$v2``, ... in order of appearance, rule
parameters keep their names (``$minimum_wage``). The text is deterministic, so golden tests can
compare it exactly.

Each query starts from one label scan of the target class (``MATCH (focus:Label)``), tests the
rest with pattern subqueries (``COUNT { }``, ``EXISTS { }``, pattern comprehensions), and
returns one row per violation with the columns ``focus_id``, ``focus_name``, ``path``,
``value``, then ``limit`` and ``case`` when the rule kind has them and ``focus_<property>`` for
each ``{focus.<property>}`` its message shows. A ``successors`` rule's query returns the
positions short on nominations, with the ids of their nominees (``nominees``);
:mod:`rules.runner` then counts computed successors for those only. The queries are plain
Neo4j 5 Cypher that the embedded engine runs too: no APOC, no ``exists(n.prop)``, no
parameters in variable-length bounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neo4j.time import Duration

from graph.cypher import cypher_of
from rules.messages import focus_properties, text
from rules.model import (
    COMPARISONS,
    NOMINATION,
    READINESS_PROPERTY,
    AggregateConstraint,
    Case,
    Condition,
    CountConstraint,
    CypherConstraint,
    HasTest,
    LimitsConstraint,
    Operand,
    Param,
    PathSpec,
    Prop,
    PropertyConstraint,
    PropertyTest,
    Rule,
    Scalar,
    Span,
    SpanSpec,
    Step,
    SuccessorsConstraint,
    Value,
    Where,
)
from schema.ontology import EdgeKind, Ontology, default_ontology

FOCUS = "focus"
_NEGATED: dict[str, str] = {"at_least": "<", "at_most": ">", "more_than": "<=", "less_than": ">="}
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


def cypher_value(value: Scalar | tuple[Scalar, ...]) -> Any:
    """A value as the driver sends it: a :class:`Span` becomes a Cypher duration."""
    if isinstance(value, Span):
        return Duration(months=value.months, days=value.days)
    if isinstance(value, tuple):
        return [cypher_value(v) for v in value]
    return value


def compile_rule(rule: Rule, ontology: Ontology | None = None) -> CompiledRule:
    """The Cypher query of ``rule``; see the module docstring for its columns."""
    q = _Query(ontology or default_ontology())
    constraint = rule.constraint
    if isinstance(constraint, CypherConstraint):
        body = q.cypher(rule, constraint)
    else:
        head = [f"MATCH {q.cy.node(FOCUS, rule.target)}"]
        if rule.where:
            head.append("WHERE " + q.conditions(rule.where, FOCUS, rule.target, True))
        if isinstance(constraint, CountConstraint):
            body = head + q.count(rule, constraint)
        elif isinstance(constraint, PropertyConstraint):
            body = head + q.property(rule, constraint)
        elif isinstance(constraint, AggregateConstraint):
            body = head + q.aggregate(rule, constraint)
        elif isinstance(constraint, SuccessorsConstraint):
            body = head + q.successors(rule, constraint)
        else:
            body = head + q.limits(rule, constraint)
    return CompiledRule(rule=rule, cypher="\n".join(body), literals=q.literals,
                        parameters=tuple(q.used))


class _Query:
    """Builds one query: names variables and literal parameters in order."""

    def __init__(self, ontology: Ontology) -> None:
        self.o = ontology
        self.cy = cypher_of(ontology)
        self.literals: dict[str, Any] = {}
        self.used: list[str] = []
        self.counters = {"n": 0, "r": 0}

    def lit(self, value: Scalar | tuple[Scalar, ...]) -> str:
        name = f"v{len(self.literals) + 1}"
        self.literals[name] = cypher_value(value)
        return f"${name}"

    def param(self, name: str) -> str:
        if name not in self.used:
            self.used.append(name)
        return f"${name}"

    def var(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}{self.counters[prefix]}"

    def prop(self, var: str, owner: str, is_class: bool, name: str) -> str:
        quoted = self.cy.prop(owner, name) if is_class else self.cy.rel_prop(owner, name)
        return f"{var}.{quoted}"

    # -- the return clause -------------------------------------------------------------------

    def returns(self, rule: Rule, path: str, value: str = "value", extra: str = "") -> str:
        spec = self.o.cls(rule.target)
        cols = [f"{FOCUS}.{self.cy.prop(rule.target, spec.key)} AS focus_id",
                f"{FOCUS}.{self.cy.prop(rule.target, spec.display)} AS focus_name",
                path if path == "path" else f"{path} AS path",
                value if value == "value" else f"{value} AS value"]
        if extra:
            cols.append(extra)
        for name in focus_properties(rule.message):
            cols.append(f"{FOCUS}.{self.cy.prop(rule.target, name)} AS focus_{name}")
        return "RETURN " + ", ".join(cols)

    # -- values and conditions ---------------------------------------------------------------

    def operand(self, operand: Operand, var: str, owner: str, is_class: bool) -> str:
        if isinstance(operand, Value):
            return self.lit(operand.value)
        if isinstance(operand, Param):
            return self.param(operand.name)
        text = self.prop(var, owner, is_class, operand.name)
        if operand.plus is not None:
            text += " + " + self.operand(operand.plus, var, owner, is_class)
        if operand.minus is not None:
            text += " - " + self.operand(operand.minus, var, owner, is_class)
        return text

    def test(self, left: str, test: PropertyTest, var: str, owner: str, is_class: bool,
             negate: bool = False) -> str:
        """``test`` applied to the expression ``left`` (or its negation: the violation, which is
        as null as the test when a value is missing); properties in operands are read from
        ``var`` (a node of class ``owner``, or a relationship of type ``owner``)."""
        op, operand = test.op, test.operand
        if op == "present":
            assert isinstance(operand, Value)
            return f"{left} IS NOT NULL" if operand.value != negate else f"{left} IS NULL"
        if op in COMPARISONS:
            symbol = (_NEGATED if negate else COMPARISONS)[op]
            if isinstance(operand, Prop) and operand.percent is not None:
                base = self.prop(var, owner, is_class, operand.name)
                percent = self.operand(operand.percent, var, owner, is_class)
                return f"{left} * 100 {symbol} {base} * {percent}"
            return f"{left} {symbol} {self.operand(operand, var, owner, is_class)}"
        right = self.operand(operand, var, owner, is_class)
        positive = {
            "equals": f"{left} = {right}",
            "not": f"{left} <> {right}",
            "in": f"{left} IN {right}",
            "not_in": f"NOT {left} IN {right}",
            "pattern": f"{left} =~ {right}",
        }
        negative = {
            "equals": f"{left} <> {right}",
            "not": f"{left} = {right}",
            "in": f"NOT {left} IN {right}",
            "not_in": f"{left} IN {right}",
            "pattern": f"NOT {left} =~ {right}",
        }
        return (negative if negate else positive)[op]

    def condition(self, cond: Condition, var: str, owner: str, is_class: bool) -> str:
        if isinstance(cond, HasTest):
            pattern, where, _, _ = self.pattern(var, cond.path)
            sub = f"EXISTS {{ {pattern}{where} }}"
            return f"NOT {sub}" if cond.negated else sub
        left = self.prop(var, owner, is_class, cond.prop)
        return self.test(left, cond, var, owner, is_class)

    def conditions(self, conds: tuple[Condition, ...], var: str, owner: str,
                   is_class: bool) -> str:
        return " AND ".join(self.condition(c, var, owner, is_class) for c in conds)

    def pattern(self, start: str, path: PathSpec) -> tuple[str, str, str, str]:
        """``(pattern, " WHERE ..." or "", end node variable, last relationship variable)``
        of ``path`` from ``start`` (a variable-length last step has no relationship
        variable: "")."""
        text = f"({start})"
        wheres: list[str] = []
        node, rel = start, ""
        for step in path.steps:
            node = self.var("n")
            arrow, rel = self.arrow(step, wheres)
            text += arrow + f"({node}:{self.cy.label(step.node)})"
            if step.node_where:
                wheres.append(self.conditions(step.node_where, node, step.node, True))
        return text, (" WHERE " + " AND ".join(wheres)) if wheres else "", node, rel

    def arrow(self, step: Step, wheres: list[str]) -> tuple[str, str]:
        rtype = self.cy.rel(step.rel)
        rel = ""
        if step.variable_length:
            inner = f"[:{rtype}*{step.min_hops}..{step.max_hops}]"
        else:
            rel = self.var("r")
            inner = f"[{rel}:{rtype}]"
            if step.where:
                wheres.append(self.conditions(step.where, rel, step.rel, False))
        arrow = f"-{inner}->" if step.direction == "out" else f"<-{inner}-"
        return arrow, rel

    # -- the kinds ---------------------------------------------------------------------------

    def bounds(self, value: str, low: str | None, high: str | None) -> tuple[str, str]:
        """``(WHERE condition, limit expression)`` for a value outside [low, high]."""
        if low is not None and high is not None:
            return (f"{value} < {low} OR {value} > {high}",
                    f"CASE WHEN {value} < {low} THEN {low} ELSE {high} END")
        if low is not None:
            return f"{value} < {low}", low
        assert high is not None
        return f"{value} > {high}", high

    def count(self, rule: Rule, c: CountConstraint) -> list[str]:
        pattern, where, _, _ = self.pattern(FOCUS, c.path)
        lines = [f"WITH {FOCUS}, COUNT {{ {pattern}{where} }} AS value"]
        bound = self.bound_operand
        if c.exactly is not None:
            exactly = bound(c.exactly, rule.target)
            test, limit = f"value <> {exactly}", exactly
        else:
            low = bound(c.min, rule.target) if c.min is not None else None
            high = bound(c.max, rule.target) if c.max is not None else None
            test, limit = self.bounds("value", low, high)
        path = self.lit(describe_path(c.path))
        return [*lines, f"WHERE {test}", self.returns(rule, path, extra=f"{limit} AS limit")]

    def bound_operand(self, operand: Operand, target: str) -> str:
        return self.operand(operand, FOCUS, target, True)

    def property(self, rule: Rule, c: PropertyConstraint) -> list[str]:
        value_of = self.prop(FOCUS, rule.target, True, c.prop)
        lines = [f"WITH {FOCUS}, {value_of} AS value"]
        left = "value"
        if c.if_missing is not None:
            left = f"coalesce(value, {self.bound_operand(c.if_missing, rule.target)})"
        fails = ["value IS NULL"] if c.required else []
        fails += [self.test(left, t, FOCUS, rule.target, True, negate=True) for t in c.tests]
        path = self.lit(c.prop)
        return [*lines, "WHERE " + " OR ".join(fails), self.returns(rule, path)]

    def aggregate(self, rule: Rule, c: AggregateConstraint) -> list[str]:
        last = c.path.steps[-1]
        pattern, where, end, rel = self.pattern(FOCUS, c.path)
        item = (self.prop(end, last.node, True, c.prop) if c.owner == last.node
                else self.prop(rel, last.rel, False, c.prop))
        spec = (self.o.cls(last.node) if c.owner == last.node else self.o.rel(last.rel))
        if not spec.properties[c.prop].required:
            where = (where + " AND " if where else " WHERE ") + f"{item} IS NOT NULL"
        lines = [f"WITH {FOCUS}, [{pattern}{where} | {item}] AS vals"]
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
            target = self.bound_operand(c.equals, rule.target)
            if c.tolerance is not None:
                tolerance = self.bound_operand(c.tolerance, rule.target)
                test = f"abs(value - {target}) > {tolerance}"
            else:
                test = f"value <> {target}"
            limit = target
        else:
            low = self.bound_operand(c.at_least, rule.target) if c.at_least else None
            high = self.bound_operand(c.at_most, rule.target) if c.at_most else None
            test, limit = self.bounds("value", low, high)
        if c.empty == "report":
            test = f"n = 0 OR {test}"
        path = self.lit(f"{c.function} of {c.owner}.{c.prop} along {describe_path(c.path)}")
        return [*lines, f"WHERE {test}", self.returns(rule, path, extra=f"{limit} AS limit")]

    def limits(self, rule: Rule, c: LimitsConstraint) -> list[str]:
        whens = []
        for i, case in enumerate(c.cases):
            whens.append(f"  WHEN {self.case_condition(case, c.span, rule.target)} THEN {i}")
        lines = [f"WITH {FOCUS}, CASE", *whens, "END AS k", "WHERE k IS NOT NULL"]
        value_of = self.prop(FOCUS, rule.target, True, c.prop)
        lows = self.case_list([case.min for case in c.cases], rule.target)
        highs = self.case_list([case.max for case in c.cases], rule.target)
        cols = [f"{value_of} AS value"]
        if lows:
            cols.append(f"{lows}[k] AS low")
        if highs:
            cols.append(f"{highs}[k] AS high")
        lines.append(f"WITH {FOCUS}, k, " + ", ".join(cols))
        test, limit = self.bounds("value", "low" if lows else None, "high" if highs else None)
        labels = self.lit(tuple(case.label for case in c.cases))
        path = self.lit(c.prop)
        extra = f"{limit} AS limit, {labels}[k] AS case"
        return [*lines, f"WHERE {test}", self.returns(rule, path, extra=extra)]

    def case_list(self, operands: list[Operand | None], target: str) -> str:
        if all(o is None for o in operands):
            return ""
        items = ["null" if o is None else self.bound_operand(o, target) for o in operands]
        return "[" + ", ".join(items) + "]"

    def case_condition(self, case: Case, span: SpanSpec | None, target: str) -> str:
        parts = [self.condition(cond, FOCUS, target, True) for cond in case.when]
        if span is not None and (case.span_at_least or case.span_under):
            end = self.prop(FOCUS, target, True, span.end)
            if span.end_inclusive:
                end += " + duration({days: 1})"
            start = self.prop(FOCUS, target, True, span.start)
            if case.span_at_least is not None:
                parts.append(f"{end} >= {start} + {self.lit(case.span_at_least)}")
            if case.span_under is not None:
                parts.append(f"{end} < {start} + {self.lit(case.span_under)}")
        return " AND ".join(parts) if parts else "true"

    def successors(self, rule: Rule, c: SuccessorsConstraint) -> list[str]:
        """The positions with fewer than ``min`` nominees in the bands (all of them when
        nominations do not count), each with its nominees' ids; ``value`` is their number."""
        if "nominated" in c.count:
            pattern, where, end, _ = self.pattern(FOCUS, nomination_path(c.bands))
            key = self.prop(end, "Employee", True, self.o.cls("Employee").key)
            nominees = f"[{pattern}{where} | {key}]"
        else:
            nominees = "[]"
        low = self.bound_operand(c.min, rule.target)
        path = self.lit(describe_successors(c))
        return [f"WITH {FOCUS}, {nominees} AS nominees", f"WHERE size(nominees) < {low}",
                self.returns(rule, path, value="size(nominees)",
                             extra=f"{low} AS limit, nominees")]

    def cypher(self, rule: Rule, c: CypherConstraint) -> list[str]:
        for name in c.parameters:
            self.param(name)
        inner = "\n".join("  " + line if line.strip() else "" for line in c.query.splitlines())
        check = f"{FOCUS}:{self.cy.label(rule.target)}"
        if rule.where:
            check += " AND " + self.conditions(rule.where, FOCUS, rule.target, True)
        return ["CALL {", inner, "}", f"WITH {FOCUS}, path, value", f"WHERE {check}",
                self.returns(rule, "path")]


def nomination_path(bands: tuple[str, ...]) -> PathSpec:
    """``<-NOMINATED_SUCCESSOR- Employee`` with the readiness in ``bands``."""
    in_bands = PropertyTest(READINESS_PROPERTY, "in", Value(bands), Where("<compiler>", 0))
    return PathSpec((Step(NOMINATION, "in", "Employee", where=(in_bands,)),),
                    f"<-{NOMINATION}- Employee")


# -- texts for reports -----------------------------------------------------------------------

def describe_successors(c: SuccessorsConstraint) -> str:
    """Where a successors rule looked, e.g. ``nominated <-NOMINATED_SUCCESSOR- [readiness in
    [ready_now]] Employee or computed [ready_now]``."""
    parts = []
    if "nominated" in c.count:
        parts.append(f"nominated {describe_path(nomination_path(c.bands))}")
    if "computed" in c.count:
        parts.append(f"computed [{text(c.bands)}]")
    return " or ".join(parts)


def describe_path(path: PathSpec) -> str:
    """The path as written, with its conditions, e.g. ``<-HAS_RESPONSIBILITY- Position
    [raci = A]``."""
    parts = []
    for step in path.steps:
        arrow = f"{step.rel}*{step.min_hops}..{step.max_hops}" if step.variable_length \
            else step.rel
        text = f"-{arrow}->" if step.direction == "out" else f"<-{arrow}-"
        if step.where:
            text += " [" + ", ".join(describe(c) for c in step.where) + "]"
        text += f" {step.node}"
        if step.node_where:
            text += " [" + ", ".join(describe(c) for c in step.node_where) + "]"
        parts.append(text)
    return " ".join(parts)


def describe(cond: Condition) -> str:
    """A condition in words, e.g. ``raci = A`` or ``end_date missing``."""
    if isinstance(cond, HasTest):
        return ("has no " if cond.negated else "has ") + describe_path(cond.path)
    if cond.op == "present":
        assert isinstance(cond.operand, Value)
        return f"{cond.prop} {'present' if cond.operand.value else 'missing'}"
    words: dict[str, str] = {"equals": "=", "not": "<>", "in": "in", "not_in": "not in",
                             "pattern": "matches"}
    words.update({str(k): v for k, v in COMPARISONS.items()})
    symbol = words[cond.op]
    return f"{cond.prop} {symbol} {_describe_operand(cond.operand)}"


def _describe_operand(operand: Operand) -> str:
    if isinstance(operand, Value):
        return f"[{text(operand.value)}]" if isinstance(operand.value, tuple) \
            else text(operand.value)
    if isinstance(operand, Param):
        return f"param {operand.name}"
    out = operand.name
    if operand.plus is not None:
        out += f" + {_describe_operand(operand.plus)}"
    if operand.minus is not None:
        out += f" - {_describe_operand(operand.minus)}"
    if operand.percent is not None:
        out = f"{_describe_operand(operand.percent)}% of {out}"
    return out


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
