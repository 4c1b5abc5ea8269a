"""``successors``: a position has at least ``min`` successors (distinct employees) whose
readiness is in ``bands``, counting nominations (``NOMINATED_SUCCESSOR``) and the successors
fit scoring computes (:mod:`domain.succession`). SHACL has no counterpart: part of the count is
not in the graph but computed from it.

.. code-block:: yaml

    target: Position                     # the class nominations lead to
    where: {is_key: true}
    successors:
      count: [nominated, computed]       # who counts: either or both
      bands: [ready_now, ready_1_2_years, ready_3_plus_years]   # NOMINATED_SUCCESSOR.readiness
      min: 1                             # a whole number >= 1, or a parameter
      as_of: {param: as_of}              # the day computed successors are judged on
                                         # (with computed only)

The one kind with a step after its query. The query returns the positions with fewer than
``min`` nominees in the bands, with their ids (``nominees``); only for those does
:func:`short_of_successors` ask fit scoring who it finds in the bands, on ``as_of``, keeping
the positions still short when both count (someone nominated and computed counts once). The
message fields ``{nominated}`` and ``{computed}`` say how many of each were found.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal, cast

from domain.fit_model import READINESS
from domain.succession import Successor
from graph.db import Graph
from graph.fit_loader import computed_successors
from rules.kinds.base import Kind, Row, RunContext, StepResult, SuccessorFinder
from rules.model import (
    Constraint,
    Operand,
    Param,
    PathSpec,
    Prop,
    PropertyTest,
    Rule,
    Scalar,
    Step,
    Value,
    Where,
)
from rules.querybuilder import FOCUS, Query, describe_path
from rules.reader import Entity, Reader
from rules.templates import text

SuccessorSource = Literal["nominated", "computed"]
SUCCESSOR_SOURCES: tuple[SuccessorSource, ...] = ("nominated", "computed")
# what a nomination is in the ontology: its relationship type and readiness property, whose
# values name the readiness bands (the computed bands have the same names)
NOMINATION = "NOMINATED_SUCCESSOR"
READINESS_PROPERTY = "readiness"
KEYS = frozenset({"min", "bands", "count", "as_of"})
FIELDS = frozenset({"value", "path", "limit", "nominated", "computed"})


@dataclass(frozen=True)
class SuccessorsConstraint(Constraint):
    """A position has at least ``min`` successors (distinct employees) in ``bands``.

    ``count`` says who counts: ``nominated`` (a ``NOMINATED_SUCCESSOR`` whose readiness is in
    ``bands``: the database counts them) and ``computed`` (successors whose band, computed from
    fit and latest rating by :func:`graph.fit_loader.computed_successors` on ``as_of``, is
    in ``bands``: asked for only the positions short on nominations). ``bands`` are values of
    ``NOMINATED_SUCCESSOR.readiness``, the same names as the computed bands.
    """

    kind: ClassVar[str] = "successors"

    min: Operand
    bands: tuple[str, ...]
    count: tuple[SuccessorSource, ...]
    as_of: Operand | None = None


# -- parsing ---------------------------------------------------------------------------------

def parse(r: Reader, raw: Any, line: int, target: str, what: str) -> SuccessorsConstraint:
    """Checks that the target is the class nominations lead to, that the bands are known
    readiness values, that ``min`` is at least 1 and that ``as_of`` goes with ``computed``."""
    m = r.section(raw, line, KEYS, what)
    nomination = r.ontology.relationships.get(NOMINATION)
    if nomination is None or READINESS_PROPERTY not in nomination.properties:
        raise r.invalid(line, f"{what}: the ontology has no {NOMINATION}.readiness to "
                              "count successors by")
    if target != nomination.target:
        raise r.invalid(line, f"{what}: successors are counted for {nomination.target} "
                              f"({NOMINATION} goes from {nomination.source} to "
                              f"{nomination.target}), not for {target}")
    known = nomination.properties[READINESS_PROPERTY].enum or ()
    bands = r.choices(m, "bands", tuple(known), "band", what)
    count = cast(tuple[SuccessorSource, ...],
                 r.choices(m, "count", SUCCESSOR_SOURCES, "source", what))
    if "min" not in m:
        raise r.invalid(m.line, f"{what}: give min, the fewest successors a position "
                                "may have")
    focus = Entity(target, is_class=True)
    low = r.operand(m["min"], m.line_of("min"), focus, "number", f"{what}: min", whole=True)
    if isinstance(low, Value) and isinstance(low.value, int) and low.value < 1:
        raise r.invalid(m.line_of("min"), f"{what}: min must be at least 1 (no position "
                                          "has fewer than 0 successors)")
    as_of = None
    if "computed" in count:
        if "as_of" not in m:
            raise r.invalid(m.line, f"{what}: computed successors depend on the day "
                                    "(certificates, eligibility): give as_of, e.g. "
                                    "as_of: {param: as_of}")
        as_of = r.operand(m["as_of"], m.line_of("as_of"), focus, "date", f"{what}: as_of")
        if isinstance(as_of, Prop):
            raise r.invalid(m.line_of("as_of"), f"{what}: as_of is a date or a "
                                                "parameter, not a property")
    elif "as_of" in m:
        raise r.invalid(m.line_of("as_of"), f"{what}: as_of is the day computed "
                                            "successors are judged on; add computed "
                                            "to count or remove as_of")
    return SuccessorsConstraint(min=low, bands=bands, count=count, as_of=as_of)


# -- compiling -------------------------------------------------------------------------------

def compile(q: Query, rule: Rule, c: SuccessorsConstraint) -> list[str]:
    """The positions with fewer than ``min`` nominees in the bands (all of them when
    nominations do not count), each with its nominees' ids; ``value`` is their number."""
    head = q.match_focus(rule)
    if "nominated" in c.count:
        pattern, where, end, _ = q.pattern(FOCUS, nomination_path(c.bands))
        key = q.prop(end, "Employee", True, q.o.cls("Employee").key)
        nominees = f"[{pattern}{where} | {key}]"
    else:
        nominees = "[]"
    low = q.focus_operand(c.min, rule.target)
    path = q.lit(describe_successors(c))
    return [*head, f"WITH {FOCUS}, {nominees} AS nominees", f"WHERE size(nominees) < {low}",
            q.returns(rule, path, value="size(nominees)", extra=f"{low} AS limit, nominees")]


def nomination_path(bands: tuple[str, ...]) -> PathSpec:
    """``<-NOMINATED_SUCCESSOR- Employee`` with the readiness in ``bands``."""
    in_bands = PropertyTest(READINESS_PROPERTY, "in", Value(bands), Where("<compiler>", 0))
    return PathSpec((Step(NOMINATION, "in", "Employee", where=(in_bands,)),),
                    f"<-{NOMINATION}- Employee")


def describe_successors(c: SuccessorsConstraint) -> str:
    """Where a successors rule looked, e.g. ``nominated <-NOMINATED_SUCCESSOR- [readiness in
    [ready_now]] Employee or computed [ready_now]``."""
    parts = []
    if "nominated" in c.count:
        parts.append(f"nominated {describe_path(nomination_path(c.bands))}")
    if "computed" in c.count:
        parts.append(f"computed [{text(c.bands)}]")
    return " or ".join(parts)


# -- the step after the query ----------------------------------------------------------------

async def after(ctx: RunContext, c: SuccessorsConstraint, rows: list[Row]) -> StepResult:
    """:func:`short_of_successors` on the query's rows; its time is the rule's
    ``computed_seconds`` when computed successors count."""
    started = time.perf_counter()
    short = await short_of_successors(ctx.graph, c, rows, ctx.params, ctx.successors)
    seconds = time.perf_counter() - started if "computed" in c.count else 0.0
    return StepResult(short, seconds)


async def short_of_successors(graph: Graph, c: SuccessorsConstraint,
                              rows: list[dict[str, Any]], params: Mapping[str, Scalar],
                              successors: SuccessorFinder = computed_successors,
                              ) -> list[dict[str, Any]]:
    """Of the positions short on nominations (``rows`` of a successors rule's query, each with
    its ``nominees`` and ``limit``), those still short when the computed successors in the
    rule's bands count too, on the rule's ``as_of``; with ``nominated`` and ``computed`` (how
    many of each were found) and ``value`` saying both, e.g. ``0 nominated, 0 computed``.

    Someone both nominated and computed counts once. Computed successors are asked for only
    when the rule counts them and some position is short.
    """
    bands = {READINESS.index(band) for band in c.bands}
    computed: dict[str, list[Successor]] = {}
    if "computed" in c.count and rows:
        assert c.as_of is not None  # the loader requires it
        computed = await successors(graph, [str(row["focus_id"]) for row in rows],
                                    _date(c.as_of, params))
    short = []
    for row in rows:
        nominated = len(set(row["nominees"]))
        found = [s for s in computed.get(str(row["focus_id"]), []) if s.readiness in bands]
        not_nominated = sum(1 for s in found if s.nominated not in bands)
        if nominated + not_nominated >= row["limit"]:
            continue
        value = [f"{nominated} nominated"] if "nominated" in c.count else []
        if "computed" in c.count:
            value.append(f"{len(found)} computed")
        short.append({**row, "value": ", ".join(value), "nominated": nominated,
                      "computed": len(found)})
    return short


def _date(operand: Operand, params: Mapping[str, Scalar]) -> date:
    value = params[operand.name] if isinstance(operand, Param) else \
        operand.value if isinstance(operand, Value) else None
    if not isinstance(value, date):
        raise TypeError(f"as_of is {value!r}, not a date")
    return value


KIND = Kind(SuccessorsConstraint, FIELDS, parse, compile, after)
