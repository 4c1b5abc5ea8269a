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
* whatever each kind checks of its own (a successors rule targets the class nominations lead
  to, names known readiness bands and says on which day computed successors are judged).

This module reads files, packs, parameters and each rule's header (id, title, severity, target,
``where``, message); the part under the kind's key (``count:``, ``limits:`` ...) is read by
that kind's ``parse`` (:mod:`rules.kinds`), with the helpers of :mod:`rules.reader`.

The rule file format is described in README.md ("Compliance rules").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from rules.kinds import KINDS, kind_named
from rules.messages import check_template
from rules.model import (
    PARAM_TYPES,
    SEVERITIES,
    Condition,
    Pack,
    Parameter,
    ParamType,
    Rule,
    RuleSet,
    Severity,
    Where,
)
from rules.reader import Entity, Invalid, Reader, param_value
from rules.templates import template_fields
from schema.ontology import Ontology, default_ontology
from schema.yamlload import LineMap, SourceError, load_yaml, load_yaml_text

PACKS_DIR = Path(__file__).with_name("packs")

_RULE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# the compiler's names for literal values, and Graph.read's own argument
_RESERVED_PARAMS = re.compile(r"^(v\d+|query)$")

_PACK_KEYS = {"pack", "title", "description", "parameters", "rules"}
_PARAM_KEYS = {"type", "default", "description"}
_RULE_KEYS = {"id", "title", "description", "severity", "reference", "target", "where",
              "message"}
_KIND_NAMES = tuple(kind.name for kind in KINDS)


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


class _PackReader(Reader):
    """Reads one rule file: its parameters first (:meth:`read_parameters`, for all files
    before any rule, since parameter names are shared), then the pack and its rules
    (:meth:`read_pack`)."""

    def __init__(self, file: str, raw: Any, ontology: Ontology,
                 errors: list[SourceError]) -> None:
        super().__init__(file, ontology, errors)
        self.raw = raw
        self.pack_name = ""

    # -- the pack ----------------------------------------------------------------------------

    def top(self) -> LineMap | None:
        """The file's mapping, or None (recorded) if it is something else."""
        if not isinstance(self.raw, LineMap):
            self.fail(1, "a rule file must be a mapping with 'pack', 'parameters' and 'rules'")
            return None
        return self.raw

    def read_parameters(self) -> list[Parameter]:
        """The parameters the file declares (each bad one recorded and left out)."""
        top = self.top()
        if top is None:
            return []
        self.pack_name = str(top.get("pack", ""))
        raw = top.get("parameters")
        if raw is None:
            return []
        try:
            params = self.mapping(raw, top.line_of("parameters"), "parameters")
        except Invalid:
            return []
        out = []
        for name, body in params.items():
            try:
                out.append(self.read_parameter(name, body, params.line_of(name)))
            except Invalid:
                continue
        return out

    def read_parameter(self, name: str, body: Any, line: int) -> Parameter:
        """One parameter: a name, a type, a default of that type and a description."""
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
        """The pack and its rules, ``params`` being every parameter declared; None if the
        file's header cannot be read."""
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
        except Invalid:
            return None
        raw_rules = top.get("rules", [])
        if not isinstance(raw_rules, list):
            self.fail(top.line_of("rules"), "'rules' must be a list of rules")
            raw_rules = []
        rules: list[Rule] = []
        for raw in raw_rules:
            try:
                rules.append(self.read_rule(raw, top.line_of("rules")))
            except Invalid:
                continue
        declared = tuple(p for p in params.values() if p.at.file == self.file)
        return Pack(name=name, title=title, description=description,
                    at=Where(self.file, top.line), parameters=declared, rules=tuple(rules))

    # -- a rule ------------------------------------------------------------------------------

    def read_rule(self, raw: Any, line: int) -> Rule:
        """One rule: its header here, the part under its kind's key by the kind's ``parse``,
        then its message checked against what the kind offers."""
        m = self.mapping(raw, line, "a rule")
        self.used = []
        found = [name for name in _KIND_NAMES if name in m]
        self.keys(m, _RULE_KEYS | set(_KIND_NAMES), "a rule")
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
        if len(found) != 1:
            raise self.invalid(m.line, f"{what}: say what the rule checks with exactly one of "
                                       f"{', '.join(_KIND_NAMES)} "
                                       f"(found {', '.join(found) or 'none'})")
        entity = Entity(target, is_class=True)
        where: tuple[Condition, ...] = ()
        if "where" in m:
            where = self.conditions(m["where"], m.line_of("where"), entity, f"{what}: where")
        kind = kind_named(found[0])
        constraint = kind.parse(self, m[kind.name], m.line_of(kind.name), target,
                                f"{what}: {kind.name}")
        message = self.text(m, "message", what)
        props = self.ontology.cls(target).properties
        for problem in check_template(message, kind.name, props, self.params):
            self.fail(m.line_of("message"), f"{what}: {problem}")
        for name in _template_params(message):
            self.use(name)
        return Rule(id=rule_id, pack=self.pack_name, title=title, description=description,
                    severity=cast(Severity, severity), reference=reference, target=target,
                    where=where, constraint=constraint, message=message,
                    at=Where(self.file, m.line_of("id")),
                    parameters=tuple(dict.fromkeys(self.used)))


def _template_params(template: str) -> list[str]:
    try:
        fields = template_fields(template)
    except ValueError:
        return []
    return [f.partition(".")[2] for f in fields if f.startswith("param.")]

