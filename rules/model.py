"""Typed, immutable models of compliance rules, built by :mod:`rules.loader`.

The vocabulary follows SHACL's constraint components (W3C SHACL, section 4), over the classes,
relationships and properties of the ontology:

* a **target** class (``sh:targetClass``), optionally narrowed by conditions on its properties
  or relationships;
* **count** along a path with ``min`` / ``max`` / ``exactly`` (``sh:minCount``,
  ``sh:maxCount``, ``sh:qualifiedValueShape``);
* **property** facets: required, allowed values, ranges, pattern and comparisons with other
  properties (``sh:minCount 1``, ``sh:in``, ``sh:minInclusive``, ``sh:pattern``,
  ``sh:lessThanOrEquals``), dates shifted by durations;
* an **aggregate** along a path compared with a value;
* **limits**: a table of cases, the first that applies giving the limit;
* **cypher**: the escape hatch (SHACL-SPARQL's ``sh:sparql``), a parameterised query returning
  focus nodes of the declared target class;
* **successors**: a position has at least ``min`` successors in some readiness bands, counting
  nominations (``NOMINATED_SUCCESSOR``) and the successors fit scoring computes
  (:mod:`domain.succession`). SHACL has no counterpart: part of the count is not in the
  graph but computed from it.

Every model knows the file and line it came from, so later passes can still point at the source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

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
Aggregate = Literal["sum", "avg", "min", "max"]
AGGREGATES: tuple[Aggregate, ...] = ("sum", "avg", "min", "max")
SuccessorSource = Literal["nominated", "computed"]
SUCCESSOR_SOURCES: tuple[SuccessorSource, ...] = ("nominated", "computed")
# what a nomination is in the ontology: its relationship type and readiness property, whose
# values name the readiness bands (the computed bands have the same names)
NOMINATION = "NOMINATED_SUCCESSOR"
READINESS_PROPERTY = "readiness"


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
        return (self.min_hops, self.max_hops) != (1, 1)


@dataclass(frozen=True)
class PathSpec:
    """A path from the focus node, as written (``text``) and as steps."""

    steps: tuple[Step, ...]
    text: str

    @property
    def end(self) -> str:
        return self.steps[-1].node


@dataclass(frozen=True)
class HasTest:
    """``has`` / ``has_no``: the record has (or has no) path of this shape."""

    path: PathSpec
    negated: bool
    at: Where


Condition = PropertyTest | HasTest


@dataclass(frozen=True)
class CountConstraint:
    """The number of paths from the focus node must be within the bounds."""

    path: PathSpec
    min: Operand | None = None
    max: Operand | None = None
    exactly: Operand | None = None


@dataclass(frozen=True)
class PropertyConstraint:
    """Facets of one property of the focus node; any failing facet is a violation.

    Facets other than ``required`` test present values only (as in SHACL, where constraints
    apply to value nodes): unless ``if_missing`` names a value that stands in for a missing one.
    """

    prop: str
    required: bool
    tests: tuple[PropertyTest, ...]
    if_missing: Operand | None = None


@dataclass(frozen=True)
class AggregateConstraint:
    """``function`` of a property over the paths from the focus, compared with a value.

    ``owner`` is the relationship type of the last step or the class it reaches; ``empty`` says
    what a focus with no path at all means: ``ignore`` (another rule counts) or ``report``.
    """

    function: Aggregate
    path: PathSpec
    owner: str
    prop: str
    equals: Operand | None = None
    tolerance: Operand | None = None
    at_least: Operand | None = None
    at_most: Operand | None = None
    empty: Literal["ignore", "report"] = "ignore"


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
class LimitsConstraint:
    """The first case that applies to the focus node limits ``prop``; no case, no limit."""

    prop: str
    span: SpanSpec | None
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class CypherConstraint:
    """The escape hatch: a query returning ``focus`` (a node of the target class), ``path``
    and ``value``; ``$name`` refers to a rule parameter."""

    query: str
    parameters: tuple[str, ...]


@dataclass(frozen=True)
class SuccessorsConstraint:
    """A position has at least ``min`` successors (distinct employees) in ``bands``.

    ``count`` says who counts: ``nominated`` (a ``NOMINATED_SUCCESSOR`` whose readiness is in
    ``bands``: the database counts them) and ``computed`` (successors whose band, computed from
    fit and latest rating by :func:`domain.succession.computed_successors` on ``as_of``, is
    in ``bands``: asked for only the positions short on nominations). ``bands`` are values of
    ``NOMINATED_SUCCESSOR.readiness``, the same names as the computed bands.
    """

    min: Operand
    bands: tuple[str, ...]
    count: tuple[SuccessorSource, ...]
    as_of: Operand | None = None


Constraint = (CountConstraint | PropertyConstraint | AggregateConstraint | LimitsConstraint
              | CypherConstraint | SuccessorsConstraint)


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
        return {
            CountConstraint: "count", PropertyConstraint: "property",
            AggregateConstraint: "aggregate", LimitsConstraint: "limits",
            CypherConstraint: "cypher", SuccessorsConstraint: "successors",
        }[type(self.constraint)]


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
        return tuple(rule for pack in self.packs for rule in pack.rules)

    def rule(self, rule_id: str) -> Rule:
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
