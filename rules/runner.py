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

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass, replace
from string import Formatter
from typing import Any

from domain.performance import DEFAULT_SETTINGS, AppraisalSettings
from graph.access import Visibility
from graph.db import Graph
from graph.fit_loader import FIT_INPUTS, computed_successors
from graph.repository import Repository
from rules.compiler import compile_rule, department_query
from rules.kinds import Kind, RunContext, SuccessorFinder, kind_of
from rules.kinds.aggregate import AggregateConstraint
from rules.kinds.cypher import CypherConstraint
from rules.kinds.successors import SuccessorsConstraint
from rules.model import HasTest, PathSpec, PropertyTest, Rule, RuleSet, Scalar
from rules.report import Report, RuleResult, Violation
from rules.templates import render, text


async def run_rules(graph: Graph, rules: Iterable[Rule], params: Mapping[str, Scalar],
                    successors: SuccessorFinder = computed_successors,
                    appraisal: AppraisalSettings = DEFAULT_SETTINGS) -> Report:
    """Run each rule's query in turn (so each time is the rule's own) with the resolved
    parameter values ``params`` (see :func:`rules.params.resolve_parameters`), then its kind's
    step after the query if it has one; ``successors`` computes successors for the rules that
    count them."""
    started = time.perf_counter()
    context = RunContext(graph, params, successors, appraisal)
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
                successors: SuccessorFinder = computed_successors,
                appraisal: AppraisalSettings = DEFAULT_SETTINGS) -> Report:
    """The report of the selected rules (all when no filter is given), limited to records of
    ``department`` and the departments below it when one is given (see
    the ``department`` paths of the ontology for how a record belongs to a department).
    An unknown ``department`` is :class:`domain.errors.NotFound` naming ``department``, before
    any rule runs (an empty report would say it conforms)."""
    if department is not None:
        await Repository(graph).department_subtree(department)
    report = await run_rules(graph, ruleset.select(packs, rule_ids, severities), params,
                             successors, appraisal)
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


REDACTED = "[redacted]"


async def as_seen_by(graph: Graph, report: Report, visibility: Visibility) -> Report:
    """The report as a caller may see it: violations about records it may not see are left
    out (counts follow), and a value whose property it may not read is shown as
    ``[redacted]``, in the value and in the message. One query per class of people's records
    at fault.

    A violation can also tell something about people other than its record: "key position
    P049 has an incumbent likely to leave" tells the incumbent's flight risk. So a rule that
    reads more about other people than whether they hold a position now (:func:`_reach`)
    reports only to callers who see everyone at that sensitivity; and a violation about a
    person only to callers who read what the rule read about them."""
    grant = visibility.grant
    if visibility.unrestricted and grant.fields == len(visibility.policy.sensitivities) - 1:
        return report
    reach = {r.rule.id: _reach(r.rule, visibility) for r in report.results}
    person = visibility.policy.person

    def told(v: Violation) -> bool:
        own, others = reach.get(v.rule_id, (0, 0))
        if others and not (visibility.unrestricted and grant.fields >= others):
            return False
        return v.focus_class != person or grant.may_read(own, v.focus_id == visibility.self_id)

    report = report.only(told)
    by_class: dict[str, set[str]] = {}
    for v in report.violations:
        by_class.setdefault(v.focus_class, set()).add(v.focus_id)
    seen: set[tuple[str, str]] = set()
    cy = graph.cy
    for class_name, ids in sorted(by_class.items()):
        predicate = visibility.record(class_name, "n")
        if predicate is None:
            seen |= {(class_name, k) for k in ids}
            continue
        rows = await graph.read(
            f"UNWIND $ids AS id MATCH {cy.node('n', class_name, 'id')} WHERE {predicate} "
            "RETURN id", ids=sorted(ids), **visibility.params)
        seen |= {(class_name, str(row["id"])) for row in rows}
    kept = report.only(lambda v: (v.focus_class, v.focus_id) in seen)
    rules = {r.rule.id: r.rule for r in report.results}
    return replace(kept, violations=tuple(_redacted(v, visibility, rules.get(v.rule_id))
                                          for v in kept.violations))


def _reach(rule: Rule, visibility: Visibility) -> tuple[int, int]:
    """How sensitive the data is that a rule reads (levels of the policy's sensitivities):
    about its focus record (a person, or what a person owns), and about other people.

    Counting who holds a position now is what headcount and vacancies do, which every caller
    sees: a step to or from people counts as reading them only at a sensitivity above the
    person class's, or by testing a property of them or of their relationship (other than
    the date that ends it). Computed successors read the fit inputs of everyone. A ``cypher``
    rule's query is opaque: with a person as target it is taken to read about its focus only
    (as the qualification rules do), with any other target to read everyone's everything."""
    o, v = visibility.ontology, visibility
    top = len(v.policy.sensitivities) - 1
    counted = v.level(v.policy.person)
    own = others = 0

    def note(level: int, mine: bool) -> None:
        nonlocal own, others
        if mine:
            own = max(own, level)
        else:
            others = max(others, level)

    def focus_test(test: PropertyTest) -> None:
        note(v.level(rule.target, test.prop), True)

    def walk(path: PathSpec, start: str, mine: bool,
             last: tuple[str, str] | None = None) -> None:
        here = start
        for i, step in enumerate(path.steps):
            rel = o.rel(step.rel)
            people = v.personal(here) or v.personal(step.node)
            about_focus = mine and step.node != v.policy.person
            tested = [v.level(rel.name, t.prop) for t in step.where
                      if isinstance(t, PropertyTest) and t.prop != rel.ended_by]
            tested += [v.level(step.node, t.prop) for t in step.node_where
                       if isinstance(t, PropertyTest)]
            if last is not None and i == len(path.steps) - 1:
                tested.append(v.level(*last))
            if people:
                levels = [v.level(rel.name), v.level(step.node) if v.personal(step.node)
                          else 0]
                if not about_focus:  # counting people is public
                    levels = [lv if lv > counted else 0 for lv in levels]
                note(max([*levels, *tested]), about_focus)
            elif tested:
                note(max(tested), about_focus)
            for t in (*step.where, *step.node_where):
                if isinstance(t, HasTest):
                    walk(t.path, step.node, about_focus and v.personal(step.node))
            mine = about_focus and v.personal(step.node)
            here = step.node

    def visit(value: Any) -> None:
        if isinstance(value, PathSpec):
            walk(value, rule.target, v.personal(rule.target))
        elif isinstance(value, HasTest):
            walk(value.path, rule.target, v.personal(rule.target))
        elif isinstance(value, PropertyTest):
            focus_test(value)
        elif isinstance(value, tuple):
            for item in value:
                visit(item)
        elif is_dataclass(value) and not isinstance(value, type):
            for f in fields(value):
                visit(getattr(value, f.name))

    for condition in rule.where:
        visit(condition)
    c = rule.constraint
    if isinstance(c, SuccessorsConstraint):
        note(max(v.level(owner, prop) for owner, prop in FIT_INPUTS), False)
    elif isinstance(c, CypherConstraint):
        if not v.personal(rule.target):
            note(top, False)
    elif isinstance(c, AggregateConstraint):
        walk(c.path, rule.target, v.personal(rule.target), (c.owner, c.prop))
    else:
        visit(c)
        prop = getattr(c, "prop", None)
        if isinstance(prop, str) and prop in o.cls(rule.target).properties:
            note(v.level(rule.target, prop), True)
    return own, others


def _redacted(v: Violation, visibility: Visibility, rule: Rule | None) -> Violation:
    """The violation without the values of its record the caller may not read: the value
    (when its path is such a property) and, in the message, every placeholder of the rule's
    template that shows one (``{value}``, ``{focus.monthly_wage}`` ...)."""
    props = visibility.ontology.cls(v.focus_class).properties
    own = v.focus_class == visibility.policy.person and v.focus_id == visibility.self_id
    hidden = {p for p in props
              if not visibility.grant.may_read(visibility.level(v.focus_class, p), own)}
    if not hidden:
        return v
    names = {f"focus.{p}" for p in hidden} | ({"value"} if v.path in hidden else set())
    value = REDACTED if v.path in hidden else v.value
    return replace(v, value=value, message=_redact_message(
        rule.message if rule is not None else "", v.message, names))


def _redact_message(template: str, message: str, names: set[str]) -> str:
    """``message`` (rendered from ``template``) with the placeholders ``names`` shown as
    ``[redacted]``: the template's literal text splits the message back into its values. A
    message that does not split (no template) is replaced whole."""
    parts = list(Formatter().parse(template))
    if not template or not names & {name for _, name, _, _ in parts if name is not None}:
        return message if template else REDACTED
    pattern = "".join(re.escape(literal) + ("(.*?)" if name is not None else "")
                      for literal, name, _, _ in parts)
    match = re.fullmatch(pattern, message, re.DOTALL)
    if match is None:
        return REDACTED
    out, group = [], 0
    for literal, name, _, _ in parts:
        out.append(literal)
        if name is not None:
            group += 1
            out.append(REDACTED if name in names else match.group(group))
    return "".join(out)


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
