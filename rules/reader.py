"""Reading rule files: the helpers the loader and every rule kind share.

A :class:`Reader` reads one file's parsed YAML (:class:`schema.yamlload.LineMap` mappings that
know their lines) against the ontology. Each problem is recorded as a
:class:`schema.yamlload.SourceError` with the file and line (:meth:`Reader.fail`); a problem
that makes the rest of a part unreadable also raises :class:`Invalid`, which the caller catches
to go on with the next part, so one run reports every problem of every file.

What it reads:

* **shape**: mappings, their allowed keys, non-empty texts, lists of choices;
* **values and operands**: literals of a kind (number, string, boolean, date, duration), rule
  parameters ``{param: name}`` (noting which the rule uses) and other properties of the same
  record ``{property: name, plus|minus|percent: ...}``, type-checked against the ontology;
* **paths and steps**: ``-TYPE-> Class`` / ``<-TYPE- Class``, each starting where the previous
  one ended, repeated ``*min..max`` only between a class and itself;
* **conditions**: property tests (``equals``, ``in``, ``pattern``, ``at_least`` ...) and
  ``has`` / ``has_no`` paths;
* **literals** and parameter values outside a reader: :func:`literal_value`,
  :func:`param_value`, :func:`parse_span`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, cast

from rules.model import (
    COMPARISONS,
    Condition,
    HasTest,
    Operand,
    Param,
    Parameter,
    ParamType,
    PathSpec,
    Prop,
    PropertyTest,
    Scalar,
    Span,
    Step,
    Value,
    ValueKind,
    Where,
)
from schema.ontology import Ontology, PropertySpec
from schema.yamlload import LineMap, SourceError

_SPAN = re.compile(r"^\s*(\d+)\s+(day|days|week|weeks|month|months|year|years)\s*$")
_STEP = re.compile(
    r"\s*(<-|-)\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\*\s*(\d+)\s*\.\.\s*(\d+))?\s*(->|-)\s*"
    r"([A-Za-z_][A-Za-z0-9_]*)\s*"
)
_MAX_HOPS = 100

#: the tests of a property, in the order they are read (and compiled)
TESTS = ("equals", "not", "in", "not_in", "present", "pattern", *COMPARISONS)
#: the keys of a path: the steps, and conditions on the last step's relationship and node
PATH_KEYS = frozenset({"path", "where", "node"})
#: the kind of value a property of each ontology type holds
PROPERTY_KINDS: dict[str, ValueKind] = {
    "string": "string", "integer": "number", "float": "number", "boolean": "boolean",
    "date": "date",
}
_PARAM_KINDS: dict[str, ValueKind] = {
    "integer": "number", "float": "number", "string": "string", "boolean": "boolean",
    "date": "date", "duration": "duration",
}


@dataclass(frozen=True)
class Entity:
    """What a condition's properties belong to: a class or a relationship type."""

    name: str
    is_class: bool


class Invalid(Exception):
    """Raised inside a reader after the problem has been recorded, to skip the rest of a part."""


class Reader:
    """Reads the parts of one rule file against ``ontology``, recording problems in
    ``errors``; ``params`` are the rule parameters declared (in all files) and ``used`` the
    ones the rule being read refers to, in order of use."""

    def __init__(self, file: str, ontology: Ontology, errors: list[SourceError]) -> None:
        self.file = file
        self.ontology = ontology
        self.errors = errors
        self.params: dict[str, Parameter] = {}
        self.used: list[str] = []

    # -- reporting and shape -----------------------------------------------------------------

    def fail(self, line: int, message: str) -> None:
        """Record a problem at ``line`` of the file; reading goes on."""
        self.errors.append(SourceError(self.file, line, message))

    def invalid(self, line: int, message: str) -> Invalid:
        """Record a problem and return :class:`Invalid` to raise: the part cannot be read."""
        self.fail(line, message)
        return Invalid()

    def mapping(self, value: Any, line: int, what: str) -> LineMap:
        """``value`` if it is a mapping; Invalid otherwise."""
        if not isinstance(value, LineMap):
            raise self.invalid(line, f"{what} must be a mapping")
        return value

    def keys(self, m: LineMap, allowed: Iterable[str], what: str) -> None:
        """Record each key of ``m`` that is not ``allowed``."""
        allowed = set(allowed)
        for key in m:
            if key not in allowed:
                self.fail(m.line_of(key), f"unknown key {key!r} in {what} (expected one of "
                                          f"{', '.join(sorted(allowed))})")

    def section(self, value: Any, line: int, allowed: Iterable[str], what: str) -> LineMap:
        """``value`` as a mapping (Invalid otherwise), its keys not ``allowed`` recorded."""
        m = self.mapping(value, line, what)
        self.keys(m, allowed, what)
        return m

    def text(self, m: LineMap, key: str, what: str, required: bool = True) -> str:
        """The non-empty text at ``key`` of ``m``, stripped ("" if missing and not
        ``required``)."""
        value = m.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.invalid(m.line_of(key), f"{what}: {key!r} must be a non-empty text")
        return value.strip()

    def choices(self, m: LineMap, key: str, allowed: tuple[str, ...], noun: str,
                what: str) -> tuple[str, ...]:
        """A non-empty list of distinct values of ``allowed``, in the order written."""
        line = m.line_of(key)
        raw = m.get(key)
        if not isinstance(raw, list) or not raw:
            raise self.invalid(line, f"{what}: {key} must be a non-empty list of "
                                     f"{', '.join(allowed)}")
        out: list[str] = []
        for item in raw:
            if item not in allowed:
                raise self.invalid(line, f"{what}: {key}: unknown {noun} {item!r} (one of "
                                         f"{', '.join(allowed)})")
            if item in out:
                raise self.invalid(line, f"{what}: {key}: {item} is listed twice")
            out.append(item)
        return tuple(out)

    def use(self, name: str) -> None:
        """Note that the rule being read uses the rule parameter ``name`` (if declared)."""
        if name in self.params:
            self.used.append(name)

    # -- paths -------------------------------------------------------------------------------

    def path_spec(self, m: LineMap, start: str, what: str) -> PathSpec:
        """``path`` (a text of steps, or a list of steps with their own ``where`` / ``node``)
        plus ``where`` / ``node`` on the last step."""
        if "path" not in m:
            raise self.invalid(m.line, f"{what}: a path is required, e.g. "
                                       "'-MEASURED_BY-> KPI'")
        raw, line = m["path"], m.line_of("path")
        steps: list[Step] = []
        texts: list[str] = []
        items = raw if isinstance(raw, list) else [raw]
        if not items:
            raise self.invalid(line, f"{what}: the path is empty")
        current = start
        for item in items:
            item_line = item.line if isinstance(item, LineMap) else line
            if isinstance(item, LineMap):
                self.keys(item, {"step", "where", "node"}, f"{what}: a path step")
                text = item.get("step")
            else:
                text = item
            if not isinstance(text, str):
                raise self.invalid(item_line, f"{what}: a path step is a text such as "
                                              "'-HOLDS_POSITION-> Position'")
            parsed = self.steps(text, current, item_line, what)
            if isinstance(item, LineMap):
                parsed[-1] = self.filtered(parsed[-1], item, what)
            steps += parsed
            texts.append(text.strip())
            current = steps[-1].node
        steps[-1] = self.filtered(steps[-1], m, what)
        return PathSpec(steps=tuple(steps), text=" ".join(texts))

    def filtered(self, step: Step, m: LineMap, what: str) -> Step:
        """``step`` with the conditions of ``m``'s ``where`` (on its relationship) and
        ``node`` (on the node it reaches) added."""
        where, node = step.where, step.node_where
        if "where" in m:
            if step.variable_length:
                raise self.invalid(m.line_of("where"), f"{what}: a variable-length step cannot "
                                                       "be filtered on its relationships")
            where += self.conditions(m["where"], m.line_of("where"),
                                     Entity(step.rel, is_class=False), f"{what}: where")
        if "node" in m:
            node += self.conditions(m["node"], m.line_of("node"),
                                    Entity(step.node, is_class=True), f"{what}: node")
        return replace(step, where=where, node_where=node)

    def steps(self, text: str, start: str, line: int, what: str) -> list[Step]:
        """The steps written in ``text`` (``-TYPE-> Class <-TYPE- Class ...``), the first
        starting at class ``start``."""
        out: list[Step] = []
        pos, current = 0, start
        while pos < len(text):
            match = _STEP.match(text, pos)
            if not match or match.end() == pos:
                raise self.invalid(line, f"{what}: cannot read the path {text!r} from "
                                         f"{text[pos:].strip()!r}: a step is written "
                                         "'-TYPE-> Class' or '<-TYPE- Class'")
            left, rel_name, lo, hi, right, node = match.groups()
            pos = match.end()
            if (left, right) not in (("-", "->"), ("<-", "-")):
                raise self.invalid(line, f"{what}: step {match.group(0).strip()!r}: write "
                                         f"-{rel_name}-> or <-{rel_name}-")
            out.append(self.step(rel_name, "out" if right == "->" else "in", node, lo, hi,
                                 current, line, what))
            current = node
        if not out:
            raise self.invalid(line, f"{what}: the path is empty")
        return out

    def step(self, rel_name: str, direction: str, node: str, lo: str | None, hi: str | None,
             current: str, line: int, what: str) -> Step:
        """One step from class ``current``, checked against the ontology: the relationship
        type and class exist, the step starts at ``current`` and reaches ``node``, and a
        repetition ``*lo..hi`` is bounded and joins a class to itself."""
        if rel_name not in self.ontology.relationships:
            raise self.invalid(line, f"{what}: unknown relationship {rel_name!r}")
        if node not in self.ontology.classes:
            raise self.invalid(line, f"{what}: unknown class {node!r}")
        rel = self.ontology.rel(rel_name)
        arrow = f"-{rel_name}->" if direction == "out" else f"<-{rel_name}-"
        start, end = (rel.source, rel.target) if direction == "out" else (rel.target, rel.source)
        if start != current:
            raise self.invalid(line, f"{what}: wrong endpoint: {rel_name} goes from "
                                     f"{rel.source} to {rel.target}, so {arrow} cannot start "
                                     f"at {current}")
        if end != node:
            raise self.invalid(line, f"{what}: wrong endpoint: {arrow} from {current} reaches "
                                     f"{end}, not {node}")
        min_hops = max_hops = 1
        if lo is not None and hi is not None:
            min_hops, max_hops = int(lo), int(hi)
            if min_hops > max_hops or max_hops > _MAX_HOPS or max_hops < 1:
                raise self.invalid(line, f"{what}: repetition *{lo}..{hi}: need "
                                         f"0 <= min <= max <= {_MAX_HOPS}, max >= 1")
            if rel.source != rel.target:
                raise self.invalid(line, f"{what}: only a relationship from a class to itself "
                                         f"can repeat; {rel_name} goes from {rel.source} to "
                                         f"{rel.target}")
        return Step(rel=rel_name, direction="out" if direction == "out" else "in", node=node,
                    min_hops=min_hops, max_hops=max_hops)

    # -- conditions --------------------------------------------------------------------------

    def conditions(self, raw: Any, line: int, entity: Entity,
                   what: str) -> tuple[Condition, ...]:
        """The conditions of a ``where`` / ``node`` / ``when`` mapping on ``entity``: property
        tests (``name: value`` is ``name: {equals: value}``) and, on records, ``has`` /
        ``has_no`` paths. A bad condition is recorded and skipped."""
        m = self.mapping(raw, line, what)
        out: list[Condition] = []
        for key, value in m.items():
            key_line = m.line_of(key)
            try:
                if key in ("has", "has_no"):
                    if not entity.is_class:
                        raise self.invalid(key_line, f"{what}: {key} applies to records, not to "
                                                     "relationships")
                    spec = self.mapping(value, key_line, f"{what}: {key}")
                    self.keys(spec, PATH_KEYS, f"{what}: {key}")
                    path = self.path_spec(spec, entity.name, f"{what}: {key}")
                    out.append(HasTest(path=path, negated=key == "has_no",
                                       at=Where(self.file, key_line)))
                    continue
                prop = self.prop_spec(entity, key, key_line, what)
                if value is None:
                    raise self.invalid(key_line, f"{what}: {key}: no value given; write "
                                                 f"'{key}: {{present: false}}' for a missing "
                                                 "value")
                if isinstance(value, LineMap):
                    out += self.property_tests(prop, value, entity, f"{what}: {key}")
                else:
                    equals = LineMap({"equals": value})
                    equals.line, equals.key_lines = key_line, {"equals": key_line}
                    out += self.property_tests(prop, equals, entity, f"{what}: {key}")
            except Invalid:
                continue
        return tuple(out)

    def property_tests(self, spec: PropertySpec, m: LineMap, entity: Entity,
                       what: str) -> tuple[PropertyTest, ...]:
        """The tests of ``m`` (keys of :data:`TESTS`) on the property ``spec``, in the order
        of :data:`TESTS`, each operand of the property's type."""
        self.keys(m, TESTS, what)
        kind = PROPERTY_KINDS[spec.type]
        tests = []
        for op in TESTS:
            if op not in m:
                continue
            raw, line = m[op], m.line_of(op)
            at = Where(self.file, line)
            if op == "present":
                if not isinstance(raw, bool):
                    raise self.invalid(line, f"{what}: present is true or false")
                tests.append(PropertyTest(spec.name, "present", Value(raw), at))
            elif op == "pattern":
                tests.append(PropertyTest(spec.name, "pattern", self.pattern(spec, raw, line,
                                                                             what), at))
            elif op in ("in", "not_in"):
                if not isinstance(raw, list) or not raw:
                    raise self.invalid(line, f"{what}: {op} needs a non-empty list of values")
                values = tuple(self.literal(v, line, kind, f"{what}: {op}", spec) for v in raw)
                tests.append(PropertyTest(spec.name, cast(Any, op), Value(values), at))
            elif op in ("equals", "not"):
                if kind in ("number", "date"):
                    operand = self.operand(raw, line, entity, kind, f"{what}: {op}", spec)
                else:
                    operand = Value(self.literal(raw, line, kind, f"{what}: {op}", spec)) \
                        if not isinstance(raw, LineMap) else \
                        self.operand(raw, line, entity, kind, f"{what}: {op}", spec)
                tests.append(PropertyTest(spec.name, cast(Any, op), operand, at))
            else:
                if kind not in ("number", "date"):
                    raise self.invalid(line, f"{what}: {op} compares numbers or dates; "
                                             f"{spec.name} is a {spec.type}")
                operand = self.operand(raw, line, entity, kind, f"{what}: {op}", spec)
                tests.append(PropertyTest(spec.name, cast(Any, op), operand, at))
        return tuple(tests)

    def pattern(self, spec: PropertySpec, raw: Any, line: int, what: str) -> Value:
        """A regular expression (Python's syntax, which Cypher's ``=~`` shares) for a text
        property."""
        if spec.type != "string":
            raise self.invalid(line, f"{what}: a pattern applies to text; {spec.name} is a "
                                     f"{spec.type}")
        if not isinstance(raw, str):
            raise self.invalid(line, f"{what}: the pattern must be a text")
        try:
            re.compile(raw)
        except re.error as exc:
            raise self.invalid(line, f"{what}: bad pattern: {exc}") from None
        return Value(raw)

    # -- values ------------------------------------------------------------------------------

    def prop_spec(self, entity: Entity, name: str, line: int, what: str) -> PropertySpec:
        """The ontology's property ``name`` of ``entity``; Invalid naming the known ones."""
        props = (self.ontology.cls(entity.name).properties if entity.is_class
                 else self.ontology.rel(entity.name).properties)
        spec = props.get(name)
        if spec is None:
            known = ", ".join(props) or "none"
            raise self.invalid(line, f"{what}: unknown property {entity.name}.{name} "
                                     f"(properties: {known})")
        return spec

    def operand(self, raw: Any, line: int, entity: Entity, kind: ValueKind, what: str,
                spec: PropertySpec | None = None, whole: bool = False) -> Operand:
        """A literal, ``{param: name}`` or ``{property: name, plus|minus|percent: ...}``
        of the wanted ``kind`` (``whole``: a whole number)."""
        if not isinstance(raw, LineMap):
            value = self.literal(raw, line, kind, what, spec)
            if whole and not isinstance(value, int):
                raise self.invalid(line, f"{what}: {raw!r} is not a whole number")
            return Value(value)
        if set(raw) == {"param"}:
            return self.param(raw["param"], raw.line_of("param"), kind, what, whole)
        if "property" not in raw:
            raise self.invalid(raw.line, f"{what}: a value is a literal, {{param: name}} or "
                                         "{property: name}")
        self.keys(raw, {"property", "plus", "minus", "percent"}, what)
        name = raw["property"]
        pspec = self.prop_spec(entity, str(name), raw.line_of("property"), what)
        pkind = PROPERTY_KINDS[pspec.type]
        if ("plus" in raw or "minus" in raw) and pkind != "date":
            raise self.invalid(raw.line, f"{what}: type mismatch: plus/minus add a duration "
                                         f"to a date; {name} is a {pspec.type}")
        if "percent" in raw and pkind != "number":
            raise self.invalid(raw.line_of("percent"), f"{what}: type mismatch: percent scales "
                                                       f"a number; {name} is a {pspec.type}")
        if pkind != kind:
            raise self.invalid(raw.line_of("property"),
                               f"{what}: type mismatch: {kind} compared with {name}, a "
                               f"{pspec.type}")
        if whole and pspec.type != "integer":
            raise self.invalid(raw.line_of("property"),
                               f"{what}: {name} is a {pspec.type}, not a whole number")
        mods: dict[str, Value | Param] = {}
        for key, mkind in (("plus", "duration"), ("minus", "duration"), ("percent", "number")):
            if key in raw:
                mod = self.operand(raw[key], raw.line_of(key), entity, cast(ValueKind, mkind),
                                   f"{what}: {key}")
                assert not isinstance(mod, Prop)
                mods[key] = mod
        return Prop(name=pspec.name, **mods)

    def param(self, name: Any, line: int, kind: ValueKind, what: str, whole: bool) -> Param:
        """A reference to the declared rule parameter ``name``, of the wanted ``kind``."""
        param = self.params.get(str(name))
        if param is None:
            raise self.invalid(line, f"{what}: unknown parameter {name!r}")
        pkind = _PARAM_KINDS[param.type]
        if pkind != kind:
            raise self.invalid(line, f"{what}: type mismatch: parameter {name} is a "
                                     f"{param.type}, a {kind} is needed here")
        if whole and param.type != "integer":
            raise self.invalid(line, f"{what}: parameter {name} is a {param.type}, a whole "
                                     "number is needed here")
        self.use(param.name)
        return Param(param.name)

    def literal(self, raw: Any, line: int, kind: ValueKind, what: str,
                spec: PropertySpec | None = None) -> Scalar:
        """A literal of ``kind``, one of ``spec``'s allowed values if it has a list."""
        try:
            value = literal_value(kind, raw)
        except ValueError as exc:
            raise self.invalid(line, f"{what}: type mismatch: {exc}") from None
        if spec is not None and spec.enum is not None and value not in spec.enum:
            raise self.invalid(line, f"{what}: {value!r} is not an allowed value of "
                                     f"{spec.name} ({', '.join(spec.enum)})")
        return value


def parse_span(text: str) -> Span:
    """``"1 month"``, ``"30 days"``, ``"2 weeks"``, ``"3 years"``; ValueError otherwise."""
    match = _SPAN.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration such as '1 month' or '30 days'")
    n, unit = int(match.group(1)), match.group(2)
    months = n * 12 if unit.startswith("year") else n if unit.startswith("month") else 0
    days = n * 7 if unit.startswith("week") else n if unit.startswith("day") else 0
    return Span(months=months, days=days, text=f"{n} {unit}")


def literal_value(kind: ValueKind, raw: Any) -> Scalar:
    """A YAML value as a value of ``kind``; ValueError naming what it is instead."""
    if isinstance(raw, (LineMap, list)) or raw is None:
        raise ValueError(f"expected a {kind}, found {_describe(raw)}")
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise ValueError(f"expected a number, found {_describe(raw)}")
        return raw
    if kind == "boolean":
        if not isinstance(raw, bool):
            raise ValueError(f"expected true or false, found {_describe(raw)}")
        return raw
    if kind == "date":
        if isinstance(raw, date):
            return raw
        if isinstance(raw, str):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
        raise ValueError(f"expected a date (YYYY-MM-DD), found {_describe(raw)}")
    if kind == "duration":
        if isinstance(raw, str):
            return parse_span(raw)
        raise ValueError(f"expected a duration such as '1 month', found {_describe(raw)}")
    if not isinstance(raw, str):
        raise ValueError(f"expected a text, found {_describe(raw)}")
    return raw


def param_value(ptype: ParamType, raw: Any) -> Scalar:
    """A parameter value of ``ptype`` from YAML (``today`` stays ``"today"`` for dates)."""
    if ptype == "date" and raw == "today":
        return "today"
    if ptype == "integer" and (isinstance(raw, bool) or not isinstance(raw, int)):
        raise ValueError(f"expected a whole number, found {_describe(raw)}")
    return literal_value(_PARAM_KINDS[ptype], raw)


def _describe(raw: Any) -> str:
    if raw is None:
        return "nothing"
    if isinstance(raw, bool):
        return f"the boolean {str(raw).lower()}"
    if isinstance(raw, (int, float)):
        return f"the number {raw}"
    if isinstance(raw, date):
        return f"the date {raw.isoformat()}"
    if isinstance(raw, (dict, list)):
        return "a mapping" if isinstance(raw, dict) else "a list"
    return f"the text {raw!r}"
