"""What a rule kind is: the record each module of :mod:`rules.kinds` fills in.

A kind says what a rule checks (a SHACL constraint component, or one SHACL lacks). Its module
holds all of it:

* its **constraint**, a frozen dataclass subclassing :class:`rules.model.Constraint` whose
  ``kind`` is the key rule files write (``count:``);
* the **message fields** it offers (``{value}``, ``{path}``, ``{limit}`` ...), which the rows
  of its query carry;
* **parse**: the YAML under its key → the constraint, with the shared
  :class:`rules.reader.Reader` (its keys, its checks against the ontology, its messages);
* **compile**: the constraint → the lines of the rule's Cypher query, with the shared
  :class:`rules.querybuilder.Query`;
* optionally **after**: a step the runner takes on the rows the query returned, for what the
  database alone cannot decide (the successors kind asks fit scoring).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from domain.performance import DEFAULT_SETTINGS, AppraisalSettings
from domain.succession import Successor
from graph.db import Graph
from rules.model import Constraint, Rule, Scalar
from rules.querybuilder import Query
from rules.reader import Reader

C = TypeVar("C", bound=Constraint)
#: one row of a rule's query: a violation, or a candidate for the kind's extra step
Row = dict[str, Any]
#: Who fit scoring finds as successors of some positions on a day, in every band.
SuccessorFinder = Callable[[Graph, list[str], date], Awaitable[dict[str, list[Successor]]]]


@dataclass(frozen=True)
class RunContext:
    """What a kind's extra step may use: the graph, the resolved rule parameters, and the
    services the runner was given (``successors``: who fit scoring finds)."""

    graph: Graph
    params: Mapping[str, Scalar]
    successors: SuccessorFinder
    #: the appraisal formulas' parameters (``ROLEGRAPH_APPRAISAL``; schema/appraisal.yaml)
    appraisal: AppraisalSettings = DEFAULT_SETTINGS


@dataclass(frozen=True)
class StepResult:
    """What a kind's extra step leaves: the violation rows, and the seconds it spent computing
    outside the database (reported as the rule's ``computed_seconds``)."""

    rows: list[Row]
    computed_seconds: float = 0.0


@dataclass(frozen=True)
class Kind(Generic[C]):
    """One rule kind (see the module docstring).

    ``parse(reader, raw, line, target, what)`` reads ``raw``, the YAML under the kind's key at
    ``line``, for a rule on class ``target`` (``what`` starts every message, e.g.
    ``rule span-of-control: count``). ``compile(query, rule, constraint)`` gives the whole
    query's lines. ``after(context, constraint, rows)`` is the extra step, if any.
    """

    constraint: type[C]
    fields: frozenset[str]
    parse: Callable[[Reader, Any, int, str, str], C]
    compile: Callable[[Query, Rule, C], list[str]]
    after: Callable[[RunContext, C, list[Row]], Awaitable[StepResult]] | None = None

    @property
    def name(self) -> str:
        """The key rule files write, from the constraint class (``count``)."""
        return self.constraint.kind
