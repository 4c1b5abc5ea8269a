"""Rule files → :class:`rules.model.RuleSet`, checked against the ontology.

Stages (as in pySigma): safe YAML with line numbers and duplicate keys refused
(:mod:`schema.yamlload`) → typed, immutable models, each checked against the ontology. Every
problem is collected as a :class:`SourceError` with file and line, across all files, so a
reviewer sees all of them at once (``rolegraph rules lint``). What is checked:

* the shape of each file, pack and rule (unknown or missing keys, bad severities or ids);
* classes, relationship types and properties exist; each path step starts where the previous one
  ended and reaches the class it names;
* types: a comparison of a date with a number, a duration added to a number, a pattern on a
  number, a value outside a property's allowed values;
* rule ids and parameter names are unique across all files; every parameter used is declared;
* message placeholders name values the rule has;
* a successors rule targets the class nominations lead to, names known readiness bands and
  says on which day computed successors are judged.

The rule file format is described in README.md ("Compliance rules").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, cast

from rules.messages import check_template, template_fields
from rules.model import (
    AGGREGATES,
    COMPARISONS,
    NOMINATION,
    PARAM_TYPES,
    READINESS_PROPERTY,
    SEVERITIES,
    SUCCESSOR_SOURCES,
    Aggregate,
    AggregateConstraint,
    Case,
    Condition,
    Constraint,
    CountConstraint,
    CypherConstraint,
    HasTest,
    LimitsConstraint,
    Operand,
    Pack,
    Param,
    Parameter,
    ParamType,
    PathSpec,
    Prop,
    PropertyConstraint,
    PropertyTest,
    Rule,
    RuleSet,
    Scalar,
    Severity,
    Span,
    SpanSpec,
    Step,
    SuccessorsConstraint,
    SuccessorSource,
    Value,
    ValueKind,
    Where,
)
from schema.ontology import Ontology, PropertySpec, default_ontology
from schema.yamlload import LineMap, SourceError, load_yaml, load_yaml_text

PACKS_DIR = Path(__file__).with_name("packs")

_RULE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# the compiler's names for literal values, and Graph.read's own argument
_RESERVED_PARAMS = re.compile(r"^(v\d+|query)$")
_SPAN = re.compile(r"^\s*(\d+)\s+(day|days|week|weeks|month|months|year|years)\s*$")
_STEP = re.compile(
    r"\s*(<-|-)\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\*\s*(\d+)\s*\.\.\s*(\d+))?\s*(->|-)\s*"
    r"([A-Za-z_][A-Za-z0-9_]*)\s*"
)
_CYPHER_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_MAX_HOPS = 100

_PACK_KEYS = {"pack", "title", "description", "parameters", "rules"}
_PARAM_KEYS = {"type", "default", "description"}
_RULE_KEYS = {"id", "title", "description", "severity", "reference", "target", "where",
              "message"}
_KINDS = ("count", "property", "aggregate", "limits", "cypher", "successors")
_TESTS = ("equals", "not", "in", "not_in", "present", "pattern", *COMPARISONS)
_PATH_KEYS = {"path", "where", "node"}
_COUNT_KEYS = _PATH_KEYS | {"min", "max", "exactly"}
_PROPERTY_KEYS = {"name", "required", "if_missing", *_TESTS}
_AGGREGATE_KEYS = {"path", "where", "node", "equals", "tolerance", "at_least", "at_most",
                   "empty", *AGGREGATES}
_LIMITS_KEYS = {"property", "span", "cases"}
_SPAN_KEYS = {"from", "to", "end_inclusive"}
_CASE_KEYS = {"case", "when", "span", "min", "max"}
_SUCCESSORS_KEYS = {"min", "bands", "count", "as_of"}

_PROPERTY_KINDS: dict[str, ValueKind] = {
    "string": "string", "integer": "number", "float": "number", "boolean": "boolean",
    "date": "date",
}
_PARAM_KINDS: dict[str, ValueKind] = {
    "integer": "number", "float": "number", "string": "string", "boolean": "boolean",
    "date": "date", "duration": "duration",
}


class RuleLoadError(Exception):
    """Rule or settings files with problems; ``errors`` lists every one, by file and line."""

    def __init__(self, errors: Sequence[SourceError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def default_rule_paths() -> list[Path]:
    """The packs shipped with Rolegraph (``rules/packs/*.yaml``)."""
    return sorted(PACKS_DIR.glob("*.yaml"))


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given and the ``*.yaml`` files of directories, in order."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return files


def load_rules(paths: Iterable[Path] | None = None,
               ontology: Ontology | None = None) -> RuleSet:
    """Load and check rule files (default: the shipped packs); raises :class:`RuleLoadError`
    listing every problem of every file."""
    files = rule_files(paths) if paths is not None else default_rule_paths()
    sources: list[tuple[str, Any]] = []
    errors: list[SourceError] = []
    for path in files:
        try:
            sources.append((str(path), load_yaml(path)))
        except SourceError as exc:
            errors.append(exc)
        except OSError as exc:
            errors.append(SourceError(str(path), 0, f"cannot read: {exc.strerror or exc}"))
    return _build(sources, ontology or default_ontology(), errors)


def load_rules_text(text: str, file_name: str = "<rules>",
                    ontology: Ontology | None = None) -> RuleSet:
    """Load one rule file from text (tests and tools)."""
    try:
        raw = load_yaml_text(text, file_name)
    except SourceError as exc:
        raise RuleLoadError([exc]) from exc
    return _build([(file_name, raw)], ontology or default_ontology(), [])


def lint(paths: Iterable[Path] | None = None, ontology: Ontology | None = None
         ) -> list[SourceError]:
    """Every problem of the rule files, in file and line order; empty if they are fine."""
    try:
        load_rules(paths, ontology)
    except RuleLoadError as exc:
        return exc.errors
    return []


def parse_span(text: str) -> Span:
    """``"1 month"``, ``"30 days"``, ``"2 weeks"``, ``"3 years"``; ValueError otherwise."""
    match = _SPAN.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration such as '1 month' or '30 days'")
    n, unit = int(match.group(1)), match.group(2)
    months = n * 12 if unit.startswith("year") else n if unit.startswith("month") else 0
    days = n * 7 if unit.startswith("week") else n if unit.startswith("day") else 0
    return Span(months=months, days=days, text=f"{n} {unit}")


def _build(sources: list[tuple[str, Any]], ontology: Ontology,
           errors: list[SourceError]) -> RuleSet:
    readers = [_PackReader(file, raw, ontology, errors) for file, raw in sources]
    parameters: dict[str, Parameter] = {}
    for reader in readers:
        for param in reader.read_parameters():
            first = parameters.get(param.name)
            if first is not None:
                reader.fail(param.at.line, f"parameter {param.name!r} is already declared in "
                                           f"{first.at.file}:{first.at.line}")
            else:
                parameters[param.name] = param
    packs: list[Pack] = []
    rule_at: dict[str, Where] = {}
    pack_at: dict[str, Where] = {}
    for reader in readers:
        pack = reader.read_pack(parameters)
        if pack is None:
            continue
        if pack.name in pack_at:
            first_pack = pack_at[pack.name]
            reader.fail(pack.at.line, f"pack {pack.name!r} is already defined in "
                                      f"{first_pack.file}:{first_pack.line}")
        pack_at.setdefault(pack.name, pack.at)
        for rule in pack.rules:
            if rule.id in rule_at:
                seen = rule_at[rule.id]
                reader.fail(rule.at.line, f"duplicate rule id {rule.id!r} (first in "
                                          f"{seen.file}:{seen.line})")
            rule_at.setdefault(rule.id, rule.at)
        packs.append(pack)
    if errors:
        raise RuleLoadError(sorted(errors, key=lambda e: (e.file, e.line, e.message)))
    return RuleSet(packs=tuple(packs), parameters=parameters)


@dataclass
class _RuleState:
    """What the reader learns while reading one rule."""

    used: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Entity:
    """What a condition's properties belong to: a class or a relationship type."""

    name: str
    is_class: bool


class _Invalid(Exception):
    """Raised inside a reader after the problem has been recorded, to skip the rest of a part."""


class _PackReader:
    def __init__(self, file: str, raw: Any, ontology: Ontology,
                 errors: list[SourceError]) -> None:
        self.file = file
        self.raw = raw
        self.ontology = ontology
        self.errors = errors
        self.params: dict[str, Parameter] = {}
        self.state = _RuleState()
        self.pack_name = ""

    # -- reporting ---------------------------------------------------------------------------

    def fail(self, line: int, message: str) -> None:
        self.errors.append(SourceError(self.file, line, message))

    def invalid(self, line: int, message: str) -> _Invalid:
        self.fail(line, message)
        return _Invalid()

    def mapping(self, value: Any, line: int, what: str) -> LineMap:
        if not isinstance(value, LineMap):
            raise self.invalid(line, f"{what} must be a mapping")
        return value

    def keys(self, m: LineMap, allowed: Iterable[str], what: str) -> None:
        allowed = set(allowed)
        for key in m:
            if key not in allowed:
                self.fail(m.line_of(key), f"unknown key {key!r} in {what} (expected one of "
                                          f"{', '.join(sorted(allowed))})")

    def text(self, m: LineMap, key: str, what: str, required: bool = True) -> str:
        value = m.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.invalid(m.line_of(key), f"{what}: {key!r} must be a non-empty text")
        return value.strip()

    # -- the pack ----------------------------------------------------------------------------

    def top(self) -> LineMap | None:
        if not isinstance(self.raw, LineMap):
            self.fail(1, "a rule file must be a mapping with 'pack', 'parameters' and 'rules'")
            return None
        return self.raw

    def read_parameters(self) -> list[Parameter]:
        top = self.top()
        if top is None:
            return []
        self.pack_name = str(top.get("pack", ""))
        raw = top.get("parameters")
        if raw is None:
            return []
        try:
            params = self.mapping(raw, top.line_of("parameters"), "parameters")
        except _Invalid:
            return []
        out = []
        for name, body in params.items():
            try:
                out.append(self.read_parameter(name, body, params.line_of(name)))
            except _Invalid:
                continue
        return out

    def read_parameter(self, name: str, body: Any, line: int) -> Parameter:
        what = f"parameter {name!r}"
        if not _NAME.match(name) or _RESERVED_PARAMS.match(name):
            raise self.invalid(line, f"{what}: a parameter name is lower case letters, digits "
                                     "and '_' (and not v<number> or query, reserved)")
        m = self.mapping(body, line, what)
        self.keys(m, _PARAM_KEYS, what)
        ptype = m.get("type")
        if ptype not in PARAM_TYPES:
            raise self.invalid(m.line_of("type"), f"{what}: type must be one of "
                                                  f"{', '.join(PARAM_TYPES)}, not {ptype!r}")
        if "default" not in m:
            raise self.invalid(m.line, f"{what}: a default is required")
        try:
            default = param_value(cast(ParamType, ptype), m["default"])
        except ValueError as exc:
            raise self.invalid(m.line_of("default"), f"{what}: default: {exc}") from None
        return Parameter(name=name, type=cast(ParamType, ptype), default=default,
                         description=self.text(m, "description", what),
                         pack=self.pack_name, at=Where(self.file, line))

    def read_pack(self, params: dict[str, Parameter]) -> Pack | None:
        top = self.top()
        if top is None:
            return None
        self.params = params
        self.keys(top, _PACK_KEYS, "a rule file")
        try:
            name = self.text(top, "pack", "the rule file")
            if not _NAME.match(name):
                raise self.invalid(top.line_of("pack"), f"pack name {name!r}: lower case "
                                                        "letters, digits and '_'")
            title = self.text(top, "title", "the rule file")
            description = self.text(top, "description", "the rule file", required=False)
        except _Invalid:
            return None
        raw_rules = top.get("rules", [])
        if not isinstance(raw_rules, list):
            self.fail(top.line_of("rules"), "'rules' must be a list of rules")
            raw_rules = []
        rules: list[Rule] = []
        for raw in raw_rules:
            try:
                rules.append(self.read_rule(raw, top.line_of("rules")))
            except _Invalid:
                continue
        declared = tuple(p for p in params.values() if p.at.file == self.file)
        return Pack(name=name, title=title, description=description,
                    at=Where(self.file, top.line), parameters=declared, rules=tuple(rules))

    # -- a rule ------------------------------------------------------------------------------

    def read_rule(self, raw: Any, line: int) -> Rule:
        m = self.mapping(raw, line, "a rule")
        self.state = _RuleState()
        kinds = [k for k in _KINDS if k in m]
        self.keys(m, _RULE_KEYS | set(_KINDS), "a rule")
        rule_id = self.text(m, "id", "a rule")
        what = f"rule {rule_id}"
        if not _RULE_ID.match(rule_id):
            raise self.invalid(m.line_of("id"), f"{what}: an id is lower case words joined by "
                                                "'-', e.g. position-has-kpi")
        title = self.text(m, "title", what)
        description = self.text(m, "description", what)
        severity = m.get("severity")
        if severity not in SEVERITIES:
            raise self.invalid(m.line_of("severity"), f"{what}: severity must be one of "
                                                      f"{', '.join(SEVERITIES)}, not {severity!r}")
        reference = self.text(m, "reference", what, required=False)
        target = m.get("target")
        if not isinstance(target, str) or target not in self.ontology.classes:
            raise self.invalid(m.line_of("target"), f"{what}: unknown class {target!r} in "
                                                    f"'target' (classes: "
                                                    f"{', '.join(self.ontology.classes)})")
        if len(kinds) != 1:
            raise self.invalid(m.line, f"{what}: say what the rule checks with exactly one of "
                                       f"{', '.join(_KINDS)} (found {', '.join(kinds) or 'none'})")
        entity = _Entity(target, is_class=True)
        where: tuple[Condition, ...] = ()
        if "where" in m:
            where = self.conditions(m["where"], m.line_of("where"), entity, f"{what}: where")
        kind = kinds[0]
        constraint = self.constraint(kind, m[kind], m.line_of(kind), target, f"{what}: {kind}")
        message = self.text(m, "message", what)
        props = self.ontology.cls(target).properties
        for problem in check_template(message, kind, props, self.params):
            self.fail(m.line_of("message"), f"{what}: {problem}")
        for name in _template_params(message):
            self.use(name)
        return Rule(id=rule_id, pack=self.pack_name, title=title, description=description,
                    severity=cast(Severity, severity), reference=reference, target=target,
                    where=where, constraint=constraint, message=message,
                    at=Where(self.file, m.line_of("id")),
                    parameters=tuple(dict.fromkeys(self.state.used)))

    def use(self, name: str) -> None:
        if name in self.params:
            self.state.used.append(name)

    def constraint(self, kind: str, raw: Any, line: int, target: str, what: str) -> Constraint:
        if kind == "cypher":
            return self.cypher(raw, line, what)
        m = self.mapping(raw, line, what)
        if kind == "count":
            return self.count(m, target, what)
        if kind == "property":
            return self.property(m, target, what)
        if kind == "aggregate":
            return self.aggregate(m, target, what)
        if kind == "successors":
            return self.successors(m, line, target, what)
        return self.limits(m, target, what)

    # -- count -------------------------------------------------------------------------------

    def count(self, m: LineMap, target: str, what: str) -> CountConstraint:
        self.keys(m, _COUNT_KEYS, what)
        path = self.path_spec(m, target, what)
        focus = _Entity(target, is_class=True)
        bounds = {k: self.operand(m[k], m.line_of(k), focus, "number", f"{what}: {k}",
                                  whole=True)
                  for k in ("min", "max", "exactly") if k in m}
        if not bounds:
            raise self.invalid(m.line, f"{what}: give min, max or exactly")
        if "exactly" in bounds and len(bounds) > 1:
            raise self.invalid(m.line_of("exactly"), f"{what}: 'exactly' excludes min and max")
        return CountConstraint(path=path, **bounds)

    # -- property ----------------------------------------------------------------------------

    def property(self, m: LineMap, target: str, what: str) -> PropertyConstraint:
        self.keys(m, _PROPERTY_KEYS, what)
        name = self.text(m, "name", what)
        focus = _Entity(target, is_class=True)
        spec = self.prop_spec(focus, name, m.line_of("name"), what)
        required = m.get("required", False)
        if not isinstance(required, bool):
            raise self.invalid(m.line_of("required"), f"{what}: required is true or false")
        facets = LineMap({k: v for k, v in m.items() if k in _TESTS})
        facets.line, facets.key_lines = m.line, m.key_lines
        tests = self.property_tests(spec, facets, focus, what) if facets else ()
        if not required and not tests:
            raise self.invalid(m.line, f"{what}: give at least one check of {name} (required, "
                                       f"{', '.join(_TESTS)})")
        if_missing = None
        if "if_missing" in m:
            if required:
                raise self.invalid(m.line_of("if_missing"),
                                   f"{what}: if_missing and required exclude each other")
            if_missing = self.operand(m["if_missing"], m.line_of("if_missing"), focus,
                                      _PROPERTY_KINDS[spec.type], f"{what}: if_missing")
        return PropertyConstraint(prop=name, required=required, tests=tests,
                                  if_missing=if_missing)

    # -- aggregate ---------------------------------------------------------------------------

    def aggregate(self, m: LineMap, target: str, what: str) -> AggregateConstraint:
        self.keys(m, _AGGREGATE_KEYS, what)
        functions = [f for f in AGGREGATES if f in m]
        if len(functions) != 1:
            raise self.invalid(m.line, f"{what}: give one of {', '.join(AGGREGATES)} "
                                       "(e.g. sum: MEASURED_BY.weight)")
        function: Aggregate = functions[0]
        path = self.path_spec(m, target, what)
        of = m[function]
        line = m.line_of(function)
        owner, _, prop = str(of).partition(".")
        last = path.steps[-1]
        if not prop or owner not in (last.rel, last.node):
            raise self.invalid(line, f"{what}: {function} of {of!r}: name a property of the "
                                     f"last step, {last.rel}.<property> or "
                                     f"{last.node}.<property>")
        if last.variable_length and owner == last.rel:
            raise self.invalid(line, f"{what}: a variable-length step has no single "
                                     f"relationship to take {of!r} from")
        entity = _Entity(owner, is_class=owner == last.node)
        spec = self.prop_spec(entity, prop, line, what)
        if _PROPERTY_KINDS[spec.type] != "number":
            raise self.invalid(line, f"{what}: {function} needs a numeric property; "
                                     f"{of} is a {spec.type}")
        focus = _Entity(target, is_class=True)
        bounds = {k: self.operand(m[k], m.line_of(k), focus, "number", f"{what}: {k}")
                  for k in ("equals", "tolerance", "at_least", "at_most") if k in m}
        if not set(bounds) & {"equals", "at_least", "at_most"}:
            raise self.invalid(m.line, f"{what}: give equals, at_least or at_most")
        if "equals" in bounds and set(bounds) & {"at_least", "at_most"}:
            raise self.invalid(m.line_of("equals"), f"{what}: 'equals' excludes at_least and "
                                                    "at_most")
        if "tolerance" in bounds and "equals" not in bounds:
            raise self.invalid(m.line_of("tolerance"), f"{what}: a tolerance goes with equals")
        empty = m.get("empty", "ignore")
        if empty not in ("ignore", "report"):
            raise self.invalid(m.line_of("empty"), f"{what}: empty is 'ignore' (a record with "
                                                   "no path is not checked) or 'report'")
        return AggregateConstraint(function=function, path=path, owner=owner, prop=prop,
                                   empty=empty, **bounds)

    # -- limits ------------------------------------------------------------------------------

    def limits(self, m: LineMap, target: str, what: str) -> LimitsConstraint:
        self.keys(m, _LIMITS_KEYS, what)
        focus = _Entity(target, is_class=True)
        name = self.text(m, "property", what)
        spec = self.prop_spec(focus, name, m.line_of("property"), what)
        kind = _PROPERTY_KINDS[spec.type]
        if kind not in ("number", "date"):
            raise self.invalid(m.line_of("property"), f"{what}: limits need a number or a "
                                                      f"date; {name} is a {spec.type}")
        span = None
        if "span" in m:
            span = self.span_spec(self.mapping(m["span"], m.line_of("span"), f"{what}: span"),
                                  focus, f"{what}: span")
        raw_cases = m.get("cases")
        if not isinstance(raw_cases, list) or not raw_cases:
            raise self.invalid(m.line_of("cases"), f"{what}: cases must be a non-empty list")
        cases = []
        for raw in raw_cases:
            try:
                cases.append(self.case(raw, m.line_of("cases"), focus, kind, span, what))
            except _Invalid:
                continue
        labels = [c.label for c in cases]
        for case in cases:
            if labels.count(case.label) > 1 and labels.index(case.label) != cases.index(case):
                self.fail(case.at.line, f"{what}: duplicate case {case.label!r}")
        return LimitsConstraint(prop=name, span=span, cases=tuple(cases))

    def span_spec(self, m: LineMap, focus: _Entity, what: str) -> SpanSpec:
        self.keys(m, _SPAN_KEYS, what)
        ends = []
        for key in ("from", "to"):
            prop = self.text(m, key, what)
            spec = self.prop_spec(focus, prop, m.line_of(key), what)
            if spec.type != "date":
                raise self.invalid(m.line_of(key), f"{what}: a span runs between dates; "
                                                   f"{prop} is a {spec.type}")
            ends.append(prop)
        inclusive = m.get("end_inclusive")
        if not isinstance(inclusive, bool):
            raise self.invalid(m.line_of("end_inclusive"),
                               f"{what}: say end_inclusive: true (the end date is the last day) "
                               "or false (the span ends before it)")
        return SpanSpec(start=ends[0], end=ends[1], end_inclusive=inclusive)

    def case(self, raw: Any, line: int, focus: _Entity, kind: ValueKind,
             span: SpanSpec | None, what: str) -> Case:
        m = self.mapping(raw, line, f"{what}: a case")
        self.keys(m, _CASE_KEYS, f"{what}: a case")
        label = self.text(m, "case", f"{what}: a case")
        what = f"{what}: case {label!r}"
        when: tuple[Condition, ...] = ()
        if "when" in m:
            when = self.conditions(m["when"], m.line_of("when"), focus, f"{what}: when")
        at_least = under = None
        if "span" in m:
            if span is None:
                raise self.invalid(m.line_of("span"), f"{what}: declare the table's span "
                                                      "(from, to, end_inclusive) first")
            s = self.mapping(m["span"], m.line_of("span"), f"{what}: span")
            self.keys(s, {"at_least", "under"}, f"{what}: span")
            if not s:
                raise self.invalid(s.line, f"{what}: span needs at_least or under")
            at_least = self.span_literal(s, "at_least", what)
            under = self.span_literal(s, "under", what)
        bounds = {k: self.operand(m[k], m.line_of(k), focus, kind, f"{what}: {k}")
                  for k in ("min", "max") if k in m}
        if not bounds:
            raise self.invalid(m.line, f"{what}: give min or max")
        return Case(label=label, when=when, span_at_least=at_least, span_under=under,
                    min=bounds.get("min"), max=bounds.get("max"), at=Where(self.file, m.line))

    def span_literal(self, m: LineMap, key: str, what: str) -> Span | None:
        if key not in m:
            return None
        try:
            return parse_span(str(m[key]))
        except ValueError as exc:
            raise self.invalid(m.line_of(key), f"{what}: span {key}: {exc}") from None

    # -- successors --------------------------------------------------------------------------

    def successors(self, m: LineMap, line: int, target: str,
                   what: str) -> SuccessorsConstraint:
        self.keys(m, _SUCCESSORS_KEYS, what)
        nomination = self.ontology.relationships.get(NOMINATION)
        if nomination is None or READINESS_PROPERTY not in nomination.properties:
            raise self.invalid(line, f"{what}: the ontology has no {NOMINATION}.readiness to "
                                     "count successors by")
        if target != nomination.target:
            raise self.invalid(line, f"{what}: successors are counted for {nomination.target} "
                                     f"({NOMINATION} goes from {nomination.source} to "
                                     f"{nomination.target}), not for {target}")
        known = nomination.properties[READINESS_PROPERTY].enum or ()
        bands = self.choices(m, "bands", tuple(known), "band", what)
        count = cast(tuple[SuccessorSource, ...],
                     self.choices(m, "count", SUCCESSOR_SOURCES, "source", what))
        if "min" not in m:
            raise self.invalid(m.line, f"{what}: give min, the fewest successors a position "
                                       "may have")
        focus = _Entity(target, is_class=True)
        low = self.operand(m["min"], m.line_of("min"), focus, "number", f"{what}: min",
                           whole=True)
        if isinstance(low, Value) and isinstance(low.value, int) and low.value < 1:
            raise self.invalid(m.line_of("min"), f"{what}: min must be at least 1 (no position "
                                                 "has fewer than 0 successors)")
        as_of = None
        if "computed" in count:
            if "as_of" not in m:
                raise self.invalid(m.line, f"{what}: computed successors depend on the day "
                                           "(certificates, eligibility): give as_of, e.g. "
                                           "as_of: {param: as_of}")
            as_of = self.operand(m["as_of"], m.line_of("as_of"), focus, "date",
                                 f"{what}: as_of")
            if isinstance(as_of, Prop):
                raise self.invalid(m.line_of("as_of"), f"{what}: as_of is a date or a "
                                                       "parameter, not a property")
        elif "as_of" in m:
            raise self.invalid(m.line_of("as_of"), f"{what}: as_of is the day computed "
                                                   "successors are judged on; add computed "
                                                   "to count or remove as_of")
        return SuccessorsConstraint(min=low, bands=bands, count=count, as_of=as_of)

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

    # -- cypher ------------------------------------------------------------------------------

    def cypher(self, raw: Any, line: int, what: str) -> CypherConstraint:
        if not isinstance(raw, str) or not raw.strip():
            raise self.invalid(line, f"{what}: the query must be a non-empty text")
        names: list[str] = []
        for name in _CYPHER_PARAM.findall(raw):
            if name not in self.params:
                self.fail(line, f"{what}: unknown parameter ${name} (declare it under "
                                "'parameters')")
            elif name not in names:
                names.append(name)
                self.use(name)
        return CypherConstraint(query=raw.strip(), parameters=tuple(names))

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
        where, node = step.where, step.node_where
        if "where" in m:
            if step.variable_length:
                raise self.invalid(m.line_of("where"), f"{what}: a variable-length step cannot "
                                                       "be filtered on its relationships")
            where += self.conditions(m["where"], m.line_of("where"),
                                     _Entity(step.rel, is_class=False), f"{what}: where")
        if "node" in m:
            node += self.conditions(m["node"], m.line_of("node"),
                                    _Entity(step.node, is_class=True), f"{what}: node")
        return replace(step, where=where, node_where=node)

    def steps(self, text: str, start: str, line: int, what: str) -> list[Step]:
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

    def conditions(self, raw: Any, line: int, entity: _Entity,
                   what: str) -> tuple[Condition, ...]:
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
                    self.keys(spec, _PATH_KEYS, f"{what}: {key}")
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
            except _Invalid:
                continue
        return tuple(out)

    def property_tests(self, spec: PropertySpec, m: LineMap, entity: _Entity,
                       what: str) -> tuple[PropertyTest, ...]:
        self.keys(m, _TESTS, what)
        kind = _PROPERTY_KINDS[spec.type]
        tests = []
        for op in _TESTS:
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

    def prop_spec(self, entity: _Entity, name: str, line: int, what: str) -> PropertySpec:
        props = (self.ontology.cls(entity.name).properties if entity.is_class
                 else self.ontology.rel(entity.name).properties)
        spec = props.get(name)
        if spec is None:
            known = ", ".join(props) or "none"
            raise self.invalid(line, f"{what}: unknown property {entity.name}.{name} "
                                     f"(properties: {known})")
        return spec

    def operand(self, raw: Any, line: int, entity: _Entity, kind: ValueKind, what: str,
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
        pkind = _PROPERTY_KINDS[pspec.type]
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
        try:
            value = literal_value(kind, raw)
        except ValueError as exc:
            raise self.invalid(line, f"{what}: type mismatch: {exc}") from None
        if spec is not None and spec.enum is not None and value not in spec.enum:
            raise self.invalid(line, f"{what}: {value!r} is not an allowed value of "
                                     f"{spec.name} ({', '.join(spec.enum)})")
        return value


def _template_params(template: str) -> list[str]:
    try:
        fields = template_fields(template)
    except ValueError:
        return []
    return [f.partition(".")[2] for f in fields if f.startswith("param.")]


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
