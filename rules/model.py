"""Typed, immutable models of compliance rules, built by :mod:`rules.loader`.

The vocabulary follows SHACL's constraint components (W3C SHACL, section 4), over the classes,
relationships and properties of the ontology. This module holds what every kind shares:

* a **target** class (``sh:targetClass``), optionally narrowed by conditions on its properties
  or relationships (:class:`PropertyTest`, :class:`HasTest`);
* **values**: literals, rule parameters and other properties of the same record
  (:data:`Operand`);
* **paths** of relationship steps from the focus node (``sh:path``);
* the :class:`Rule`, its :class:`Pack` and the :class:`RuleSet`.

What a rule checks is a :class:`Constraint`; each kind (count, property, aggregate, limits,
cypher, successors) declares its own in its module of :mod:`rules.kinds`, listed in one
registry there.

Every model knows the file and line it came from, so later passes can still point at the source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
ParamType = Literal["integer", "float", "string", "boolean", "date", "duration"]
PARAM_TYPES: tuple[ParamType, ...] = ("integer", "float", "string", "boolean", "date", "duration")
# the kind of a value as the compiler and the type checks see it
ValueKind = Literal["number", "string", "boolean", "date", "duration"]
Comparison = Literal["at_least", "at_most", "more_than", "less_than"]
COMPARISONS: dict[Comparison, str] = {
    "at_least": ">=", "at_most": "<=", "more_than": ">", "less_than": "<",
}


@dataclass(frozen=True)
class Where:
    """A place in a rule file."""

    file: str
    line: int


@dataclass(frozen=True)
class Span:
    """A calendar duration written in a rule, e.g. ``1 month`` or ``30 days``.

    Months and days are kept apart as Cypher's ``duration({months: m, days: d})`` does: adding
    one month to 2024-01-31 gives 2024-02-29, not 31 days later.
    """

    months: int
    days: int
    text: str

    def __str__(self) -> str:
        return self.text


Scalar = str | int | float | bool | date | Span


@dataclass(frozen=True)
class Value:
    """A literal value written in the rule (passed to Cypher as a parameter)."""

    value: Scalar | tuple[Scalar, ...]


@dataclass(frozen=True)
class Param:
    """A rule parameter, ``{param: minimum_wage}``: a deployment may override its default."""

    name: str


@dataclass(frozen=True)
class Prop:
    """Another property of the same record, ``{property: start_date}``, optionally shifted
    (``plus`` / ``minus`` a duration, for dates) or scaled (``percent``, for numbers)."""

    name: str
    plus: Value | Param | None = None
    minus: Value | Param | None = None
    percent: Value | Param | None = None


Operand = Value | Param | Prop


@dataclass(frozen=True)
class PropertyTest:
    """One test of a property: ``equals``, ``not``, ``in``, ``not_in``, ``present``,
    ``pattern`` or a comparison (``at_least`` ...)."""

    prop: str
    op: Literal["equals", "not", "in", "not_in", "present", "pattern"] | Comparison
    operand: Operand
    at: Where


@dataclass(frozen=True)
class Step:
    """One hop of a path: a relationship type walked forwards (``-TYPE-> Class``) or backwards
    (``<-TYPE- Class``), ``min_hops``..``max_hops`` times (1..1 unless written
    ``-TYPE*0..20-> Class``), with conditions on the relationship and on the node reached."""

    rel: str
    direction: Literal["out", "in"]
    node: str
    min_hops: int = 1
    max_hops: int = 1
    where: tuple[Condition, ...] = ()
    node_where: tuple[Condition, ...] = ()

    @property
    def variable_length(self) -> bool:
        """The step repeats (``*min..max``) rather than being walked once."""
        return (self.min_hops, self.max_hops) != (1, 1)


@dataclass(frozen=True)
class PathSpec:
    """A path from the focus node, as written (``text``) and as steps."""

    steps: tuple[Step, ...]
    text: str

    @property
    def end(self) -> str:
        """The class the path reaches."""
        return self.steps[-1].node


@dataclass(frozen=True)
class HasTest:
    """``has`` / ``has_no``: the record has (or has no) path of this shape."""

    path: PathSpec
    negated: bool
    at: Where


Condition = PropertyTest | HasTest


class Constraint:
    """What a rule checks: each rule kind subclasses it with a frozen dataclass in its module of
    :mod:`rules.kinds`, and names itself in ``kind`` (the key rule files write, e.g.
    ``count``)."""

    kind: ClassVar[str]


@dataclass(frozen=True)
class Parameter:
    """A rule parameter with its default (``today`` for a date means the day of the run)."""

    name: str
    type: ParamType
    default: Scalar
    description: str
    pack: str
    at: Where


@dataclass(frozen=True)
class Rule:
    """One compliance rule."""

    id: str
    pack: str
    title: str
    description: str
    severity: Severity
    reference: str
    target: str
    where: tuple[Condition, ...]
    constraint: Constraint
    message: str
    at: Where
    parameters: tuple[str, ...] = ()  # the rule parameters it uses, in order of first use

    @property
    def kind(self) -> str:
        """The name of the rule's kind (``count``, ``property`` ...), as its constraint says."""
        return self.constraint.kind


@dataclass(frozen=True)
class Pack:
    """A rule file: a named group of rules and the parameters they declare."""

    name: str
    title: str
    description: str
    at: Where
    parameters: tuple[Parameter, ...] = ()
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    """Packs loaded together: rule ids and parameter names are unique across them."""

    packs: tuple[Pack, ...]
    parameters: dict[str, Parameter] = field(default_factory=dict)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule of every pack, in file order."""
        return tuple(rule for pack in self.packs for rule in pack.rules)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id; KeyError if there is none."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"unknown rule {rule_id!r}")

    def select(self, packs: Iterable[str] = (), rule_ids: Iterable[str] = (),
               severities: Iterable[str] = ()) -> tuple[Rule, ...]:
        """The rules in any of ``packs``, with any of ``rule_ids``, of any of ``severities``
        (an empty filter selects everything). Unknown names raise KeyError."""
        packs, rule_ids, severities = set(packs), set(rule_ids), set(severities)
        unknown = sorted(packs - {p.name for p in self.packs})
        if unknown:
            raise KeyError(f"unknown pack {unknown[0]!r}")
        unknown = sorted(rule_ids - {r.id for r in self.rules})
        if unknown:
            raise KeyError(f"unknown rule {unknown[0]!r}")
        unknown = sorted(severities - set(SEVERITIES))
        if unknown:
            raise KeyError(f"unknown severity {unknown[0]!r}")
        return tuple(
            rule for rule in self.rules
            if (not packs or rule.pack in packs) and (not rule_ids or rule.id in rule_ids)
            and (not severities or rule.severity in severities)
        )
