"""Running compliance rules in the database: one query per rule, one row per violation.

Nothing is pulled into Python but the violations themselves. The rules' Cypher comes from
:mod:`rules.compiler`; this module only runs it (read transactions), times it and turns rows
into a :class:`rules.report.Report`. A GraphQL resolver is a thin wrapper over :func:`check`.

A kind may take a step after its query (:attr:`rules.kinds.base.Kind.after`): the
``successors`` kind's query returns the positions short on nominations, and only for those the
runner's ``successors`` callable (by default :func:`graph.fit_loader.computed_successors`) is
asked who fit scoring finds in the rule's bands (see
:func:`rules.kinds.successors.short_of_successors`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from graph.db import Graph
from graph.fit_loader import computed_successors
from rules.compiler import compile_rule, department_query
from rules.kinds import Kind, RunContext, SuccessorFinder, kind_of
from rules.model import Rule, RuleSet, Scalar
from rules.report import Report, RuleResult, Violation
from rules.templates import render, text


async def run_rules(graph: Graph, rules: Iterable[Rule], params: Mapping[str, Scalar],
                    successors: SuccessorFinder = computed_successors) -> Report:
    """Run each rule's query in turn (so each time is the rule's own) with the resolved
    parameter values ``params`` (see :func:`rules.params.resolve_parameters`), then its kind's
    step after the query if it has one; ``successors`` computes successors for the rules that
    count them."""
    started = time.perf_counter()
    context = RunContext(graph, params, successors)
    violations: list[Violation] = []
    results: list[RuleResult] = []
    for rule in rules:
        kind = kind_of(rule.constraint)
        compiled = compile_rule(rule, graph.ontology)
        query_started = time.perf_counter()
        rows = await graph.read(compiled.cypher, **compiled.params(params))
        computed_seconds = 0.0
        if kind.after is not None:
            step = await kind.after(context, rule.constraint, rows)
            rows, computed_seconds = step.rows, step.computed_seconds
        seconds = time.perf_counter() - query_started
        found = sorted((_violation(rule, kind, row, params) for row in rows),
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


def _violation(rule: Rule, kind: Kind[Any], row: Mapping[str, Any],
               params: Mapping[str, Scalar]) -> Violation:
    values: dict[str, Any] = {
        "focus.id": row["focus_id"], "focus.name": row["focus_name"],
        "focus.class": rule.target,
    }
    for name in kind.fields:  # value, path and the kind's own (limit, case ...)
        values[name] = row.get(name)
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
