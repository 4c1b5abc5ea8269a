"""Running compliance rules in the database: one query per rule, one row per violation.

Nothing is pulled into Python but the violations themselves. The rules' Cypher comes from
:mod:`rules.compiler`; this module only runs it (read transactions), times it and turns rows
into a :class:`rules.report.Report`. A GraphQL resolver is a thin wrapper over :func:`check`.

One kind needs a second step: a ``successors`` rule's query returns the positions short on
nominations, and only for those the runner's ``successors`` callable (by default
:func:`graph.fit_loader.computed_successors`) is asked who fit scoring finds in the rule's
bands (see :func:`short_of_successors`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date
from typing import Any

from domain.fit_model import READINESS
from domain.succession import Successor
from graph.db import Graph
from graph.fit_loader import computed_successors
from rules.compiler import compile_rule, department_query
from rules.messages import render, text
from rules.model import Operand, Param, Rule, RuleSet, Scalar, SuccessorsConstraint, Value
from rules.report import Report, RuleResult, Violation

#: Who fit scoring finds as successors of some positions on a day, in every band.
SuccessorFinder = Callable[[Graph, list[str], date], Awaitable[dict[str, list[Successor]]]]


async def run_rules(graph: Graph, rules: Iterable[Rule], params: Mapping[str, Scalar],
                    successors: SuccessorFinder = computed_successors) -> Report:
    """Run each rule's query in turn (so each time is the rule's own) with the resolved
    parameter values ``params`` (see :func:`rules.params.resolve_parameters`); ``successors``
    computes successors for the rules that count them."""
    started = time.perf_counter()
    violations: list[Violation] = []
    results: list[RuleResult] = []
    for rule in rules:
        compiled = compile_rule(rule, graph.ontology)
        query_started = time.perf_counter()
        rows = await graph.read(compiled.cypher, **compiled.params(params))
        computed_seconds = 0.0
        if isinstance(rule.constraint, SuccessorsConstraint):
            computed_started = time.perf_counter()
            rows = await short_of_successors(graph, rule.constraint, rows, params, successors)
            if "computed" in rule.constraint.count:
                computed_seconds = time.perf_counter() - computed_started
        seconds = time.perf_counter() - query_started
        found = sorted((_violation(rule, row, params) for row in rows),
                       key=lambda v: (v.focus_id, v.path, v.value))
        violations += found
        results.append(RuleResult(rule=rule, count=len(found), seconds=seconds,
                                  computed_seconds=computed_seconds))
    return Report(violations=tuple(violations), results=tuple(results),
                  seconds=time.perf_counter() - started)


async def check(graph: Graph, ruleset: RuleSet, params: Mapping[str, Scalar],
                packs: Iterable[str] = (), rule_ids: Iterable[str] = (),
                severities: Iterable[str] = (), department: str | None = None,
                successors: SuccessorFinder = computed_successors) -> Report:
    """The report of the selected rules (all when no filter is given), limited to records of
    ``department`` and the departments below it when one is given (see
    the ``department`` paths of the ontology for how a record belongs to a department)."""
    report = await run_rules(graph, ruleset.select(packs, rule_ids, severities), params,
                             successors)
    if department is None:
        return report
    return await within_department(graph, report, department)


async def within_department(graph: Graph, report: Report, department: str) -> Report:
    """Only the violations whose record belongs to ``department`` or a department below it:
    one query per class of record at fault."""
    by_class: dict[str, set[str]] = {}
    for v in report.violations:
        by_class.setdefault(v.focus_class, set()).add(v.focus_id)
    inside: set[tuple[str, str]] = set()
    for class_name, ids in sorted(by_class.items()):
        query = department_query(class_name, graph.ontology)
        if query is None:
            continue
        rows = await graph.read(query, ids=sorted(ids), department=department)
        inside |= {(class_name, str(row["id"])) for row in rows}
    return report.only(lambda v: (v.focus_class, v.focus_id) in inside)


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


def _violation(rule: Rule, row: Mapping[str, Any], params: Mapping[str, Scalar]) -> Violation:
    values: dict[str, Any] = {
        "focus.id": row["focus_id"], "focus.name": row["focus_name"],
        "focus.class": rule.target, "value": row["value"], "path": row["path"],
        "limit": row.get("limit"), "case": row.get("case"),
        "nominated": row.get("nominated"), "computed": row.get("computed"),
    }
    for key, value in row.items():
        if key.startswith("focus_") and key not in ("focus_id", "focus_name"):
            values[f"focus.{key.removeprefix('focus_')}"] = value
    for name, value in params.items():
        values[f"param.{name}"] = value
    return Violation(
        rule_id=rule.id, pack=rule.pack, severity=rule.severity, focus_class=rule.target,
        focus_id=text(row["focus_id"]), focus_name=text(row["focus_name"]),
        path=text(row["path"]), value=text(row["value"]),
        message=render(rule.message, values), reference=rule.reference,
    )
