"""Building one rule's Cypher query: the parts every rule kind shares.

A :class:`Query` is made per rule. It names variables (``n1``, ``r1`` ...) and literal
parameters (``$v1``, ``$v2`` ... in order of appearance; rule parameters keep their names, e.g.
``$minimum_wage``) so that the text is deterministic, and writes:

* the start of most queries: ``MATCH (focus:Label)`` and the rule's ``where``
  (:meth:`Query.match_focus`);
* values: literals, parameters and properties, shifted by durations (:meth:`Query.operand`);
* patterns along a path, with the conditions of each step (:meth:`Query.pattern`);
* conditions and property tests, or their negation, the violation (:meth:`Query.condition`,
  :meth:`Query.test`);
* bounds: a value outside ``[low, high]`` and the limit it breaks (:meth:`Query.bounds`);
* the ``RETURN`` clause of a violation row (:meth:`Query.returns`).

Labels, relationship types and property names come from the ontology through
:mod:`graph.cypher`; every value is a ``$parameter``. :func:`describe_path` and
:func:`describe` write paths and conditions as a report's ``path`` column shows them.
"""

from __future__ import annotations

from typing import Any

from neo4j.time import Duration

from graph.cypher import cypher_of
from rules.model import (
    COMPARISONS,
    Condition,
    HasTest,
    Operand,
    Param,
    PathSpec,
    Prop,
    PropertyTest,
    Rule,
    Scalar,
    Span,
    Step,
    Value,
)
from rules.templates import focus_properties, text
from schema.ontology import Ontology

#: the variable of the record a rule checks
FOCUS = "focus"
_NEGATED: dict[str, str] = {"at_least": "<", "at_most": ">", "more_than": "<=", "less_than": ">="}


def cypher_value(value: Scalar | tuple[Scalar, ...]) -> Any:
    """A value as the driver sends it: a :class:`Span` becomes a Cypher duration."""
    if isinstance(value, Span):
        return Duration(months=value.months, days=value.days)
    if isinstance(value, tuple):
        return [cypher_value(v) for v in value]
    return value


class Query:
    """Builds one query: names variables and literal parameters in order (see the module
    docstring); ``literals`` and ``used`` (the rule parameters, in order of first use) are what
    the query needs to run."""

    def __init__(self, ontology: Ontology) -> None:
        self.o = ontology
        self.cy = cypher_of(ontology)
        self.literals: dict[str, Any] = {}
        self.used: list[str] = []
        self.counters = {"n": 0, "r": 0}

    def lit(self, value: Scalar | tuple[Scalar, ...]) -> str:
        """A literal as the next ``$v<n>`` parameter."""
        name = f"v{len(self.literals) + 1}"
        self.literals[name] = cypher_value(value)
        return f"${name}"

    def param(self, name: str) -> str:
        """The rule parameter ``name`` as ``$name``."""
        if name not in self.used:
            self.used.append(name)
        return f"${name}"

    def var(self, prefix: str) -> str:
        """A fresh variable: ``n1``, ``n2`` ... for nodes, ``r1`` ... for relationships."""
        self.counters[prefix] += 1
        return f"{prefix}{self.counters[prefix]}"

    def prop(self, var: str, owner: str, is_class: bool, name: str) -> str:
        """``var.name``, the property ``name`` of a node of class ``owner`` (or of a
        relationship of type ``owner``)."""
        quoted = self.cy.prop(owner, name) if is_class else self.cy.rel_prop(owner, name)
        return f"{var}.{quoted}"

    # -- the start and the return clause -----------------------------------------------------

    def match_focus(self, rule: Rule) -> list[str]:
        """``MATCH (focus:Label)`` and ``WHERE`` the rule's conditions on it: how every query
        but the escape hatch's starts (call it first: literals are numbered in order)."""
        head = [f"MATCH {self.cy.node(FOCUS, rule.target)}"]
        if rule.where:
            head.append("WHERE " + self.conditions(rule.where, FOCUS, rule.target, True))
        return head

    def returns(self, rule: Rule, path: str, value: str = "value", extra: str = "") -> str:
        """The ``RETURN`` of a violation: ``focus_id``, ``focus_name``, ``path``, ``value``,
        the ``extra`` columns and ``focus_<property>`` for each property the message shows."""
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
        """A literal, parameter or property (read on ``var``, of ``owner``) with its shift."""
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
        """A condition on ``var`` (a node of class ``owner``, or a relationship of type
        ``owner``): a property test, or ``EXISTS { }`` of a path for ``has`` / ``has_no``."""
        if isinstance(cond, HasTest):
            pattern, where, _, _ = self.pattern(var, cond.path)
            sub = f"EXISTS {{ {pattern}{where} }}"
            return f"NOT {sub}" if cond.negated else sub
        left = self.prop(var, owner, is_class, cond.prop)
        return self.test(left, cond, var, owner, is_class)

    def conditions(self, conds: tuple[Condition, ...], var: str, owner: str,
                   is_class: bool) -> str:
        """All of ``conds`` on ``var``, joined by ``AND``."""
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
        """``(arrow, relationship variable)`` of one step (no variable for a
        variable-length step); the step's conditions on its relationship go to ``wheres``."""
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

    # -- bounds ------------------------------------------------------------------------------

    def bounds(self, value: str, low: str | None, high: str | None) -> tuple[str, str]:
        """``(WHERE condition, limit expression)`` for a value outside [low, high]."""
        if low is not None and high is not None:
            return (f"{value} < {low} OR {value} > {high}",
                    f"CASE WHEN {value} < {low} THEN {low} ELSE {high} END")
        if low is not None:
            return f"{value} < {low}", low
        assert high is not None
        return f"{value} > {high}", high

    def focus_operand(self, operand: Operand, target: str) -> str:
        """An operand whose properties are read on the focus node (of class ``target``)."""
        return self.operand(operand, FOCUS, target, True)


# -- texts for reports -----------------------------------------------------------------------

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
