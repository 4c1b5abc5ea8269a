"""The rule kinds, one module each, listed once: what a rule can check.

==============  =========================================================================
``count``       the number of paths from the focus is within bounds (:mod:`.count`)
``property``    facets of one property of the focus (:mod:`.property`)
``aggregate``   sum / avg / min / max along a path compared with a value (:mod:`.aggregate`)
``limits``      a table of cases, the first that applies limiting a property (:mod:`.limits`)
``cypher``      the escape hatch: a query of the rule's own (:mod:`.cypher`)
``successors``  enough successors, nominated or computed by fit scoring (:mod:`.successors`)
``appraisal``   what a period's appraisals show: complete, calibrated, alerts (:mod:`.appraisal`)
==============  =========================================================================

Each module declares its constraint, message fields, parsing, compilation and any step after
the query in one :class:`rules.kinds.base.Kind`; the loader, the compiler, the message checks
and the runner go through :data:`KINDS` and never name a kind. A new kind is one module here,
added to :data:`KINDS`, and one golden test in ``tests/test_rules_compiler.py``.
"""

from __future__ import annotations

from typing import Any

from rules.kinds.aggregate import KIND as AGGREGATE
from rules.kinds.appraisal import KIND as APPRAISAL
from rules.kinds.base import Kind, Row, RunContext, StepResult, SuccessorFinder
from rules.kinds.count import KIND as COUNT
from rules.kinds.cypher import KIND as CYPHER
from rules.kinds.limits import KIND as LIMITS
from rules.kinds.property import KIND as PROPERTY
from rules.kinds.successors import KIND as SUCCESSORS
from rules.model import Constraint

#: every kind, in the order rule files' errors list them
KINDS: tuple[Kind[Any], ...] = (COUNT, PROPERTY, AGGREGATE, LIMITS, CYPHER, SUCCESSORS,
                                APPRAISAL)
_BY_NAME: dict[str, Kind[Any]] = {kind.name: kind for kind in KINDS}
_BY_CONSTRAINT: dict[type[Constraint], Kind[Any]] = {kind.constraint: kind for kind in KINDS}

__all__ = ["KINDS", "Kind", "Row", "RunContext", "StepResult", "SuccessorFinder", "kind_named",
           "kind_of"]


def kind_named(name: str) -> Kind[Any]:
    """The kind rule files call ``name``; KeyError if there is none."""
    return _BY_NAME[name]


def kind_of(constraint: Constraint) -> Kind[Any]:
    """The kind of a rule's constraint."""
    return _BY_CONSTRAINT[type(constraint)]
