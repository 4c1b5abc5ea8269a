"""Steps of features/performance.feature: an HR manager's quarter on the demo organisation
(samples/demo_data, its 2026 objectives, KPI results and feedback; PLANTED.md 14-16).

The story runs on the real engine: the ``performance`` rule pack through the rule runner (with
the appraisal period as its parameter), and the appraisals and training needs through
:mod:`graph.performance`, as a trusted caller sees them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from conftest import GraphHandle
from pytest_bdd import given, parsers, scenarios, then, when

from domain.performance import Appraisal
from graph.access import everything
from graph.performance import TrainingNeeds, appraisals_for, training_needs_for
from rules.loader import load_rules
from rules.params import resolve_parameters
from rules.report import Report
from rules.runner import run_rules
from schema.appraisal import appraisal_settings
from schema.policy import default_policy
from schema.values import format_text

scenarios("performance.feature")

REFERENCE_DATE = date(2026, 1, 1)  # PLANTED.md: the demo's "today"


@dataclass
class Quarter:
    """What the HR manager has looked at so far."""

    report: Report | None = None
    appraisals: dict[str, Appraisal] = field(default_factory=dict)
    needs: TrainingNeeds | None = None


@pytest.fixture
def quarter() -> Quarter:
    return Quarter()


@given("the demo organisation with its 2026 objectives, KPI results and feedback")
def _demo(demo_graph: GraphHandle) -> GraphHandle:
    return demo_graph


@when(parsers.parse("the performance rules are checked for {period}"))
def _check(demo_graph: GraphHandle, quarter: Quarter, period: str) -> None:
    ruleset = load_rules()
    params = resolve_parameters(ruleset, overrides={"appraisal_period": period},
                                today=REFERENCE_DATE)
    rules = ruleset.select(packs=["performance"])
    quarter.report = demo_graph.run(lambda graph: run_rules(graph, rules, params))


@when(parsers.parse("HR appraises {period} with a base bonus of {bonus:d}"))
def _appraise(demo_graph: GraphHandle, quarter: Quarter, period: str, bonus: int) -> None:
    found = demo_graph.run(lambda graph: appraisals_for(
        graph, period, None, everything(graph, default_policy()), appraisal_settings(None),
        float(bonus)))
    quarter.appraisals = {a.employee: a for a in found}


@when(parsers.parse("HR lists the training needs of {period}"))
def _training(demo_graph: GraphHandle, quarter: Quarter, period: str) -> None:
    quarter.needs = demo_graph.run(lambda graph: training_needs_for(
        graph, period, None, everything(graph, default_policy()), appraisal_settings(None),
        REFERENCE_DATE))


def _report(quarter: Quarter) -> Report:
    assert quarter.report is not None, "no 'When the performance rules are checked' step ran"
    return quarter.report


@then(parsers.parse('"{rule_id}" reports:'))
def _rule_reports(quarter: Quarter, rule_id: str, datatable: list[list[str]]) -> None:
    """The rule's violations, with the columns the table names (record = focus id)."""
    report = _report(quarter)
    names = {"record": "focus_id", "name": "focus_name"}
    header = [names.get(h.strip(), h.strip()) for h in datatable[0]]
    expected = [tuple(c.strip() for c in row) for row in datatable[1:]]
    found = [tuple(str(getattr(v, column)) for column in header)
             for v in report.violations if v.rule_id == rule_id]
    assert found == expected


@then(parsers.parse('"{rule_id}" reports nothing'))
def _rule_reports_nothing(quarter: Quarter, rule_id: str) -> None:
    report = _report(quarter)
    assert rule_id in {r.rule.id for r in report.results}
    assert [v.focus_id for v in report.violations if v.rule_id == rule_id] == []


@then(parsers.parse('the message about {record} and {rating} says "{text}"'))
def _message(quarter: Quarter, record: str, rating: str, text: str) -> None:
    messages = [v.message for v in _report(quarter).violations
                if v.focus_id == record and v.path == f"rating {rating}"]
    assert len(messages) == 1 and messages[0].endswith(text), messages


@then("the alerts name a manager")
def _managers(quarter: Quarter) -> None:
    alerts = [v for v in _report(quarter).violations if v.rule_id == "kpi-alert"]
    assert alerts
    for v in alerts:
        manager = v.message.rsplit("alert to manager ", 1)[1].rstrip(".")
        assert manager.startswith("E"), v.message


def _num(x: float | None, places: int = 4) -> str:
    return "none" if x is None else format_text(round(x, places))


@then(parsers.parse("the KPIs of {employee} score:"))
def _kpis(quarter: Quarter, employee: str, datatable: list[list[str]]) -> None:
    a = quarter.appraisals[employee]
    found = [(t.kpi, _num(t.target), _num(t.actual), _num(t.achievement), _num(t.points))
             for t in a.kpis]
    assert found == [tuple(c.strip() for c in row) for row in datatable[1:]]


@then("no KPI of anyone earns more than 12 points")
def _cap(quarter: Quarter) -> None:
    points = [t.points for a in quarter.appraisals.values() for t in a.kpis
              if t.points is not None]
    assert points and max(points) <= 12
    settings = appraisal_settings(None)
    assert settings.points_at_target * settings.achievement_cap == pytest.approx(12)


@then("the appraisals are:")
def _appraisals(quarter: Quarter, datatable: list[list[str]]) -> None:
    found = []
    for row in datatable[1:]:
        a = quarter.appraisals[row[0].strip()]
        found.append((a.employee, _num(a.kpi_score), _num(a.feedback_score),
                      _num(a.final_score), str(a.rating), _num(a.multiplier), _num(a.bonus)))
    assert found == [tuple(c.strip() for c in row) for row in datatable[1:]]


@then(parsers.parse('the training needs of {employee} are "{gaps}"'))
def _needs(quarter: Quarter, employee: str, gaps: str) -> None:
    assert quarter.needs is not None
    need = {n.employee: n for n in quarter.needs.needs}[employee]
    found = ", ".join(f"{g.competency} {g.name} (priority {_num(g.priority)})"
                      for g in need.gaps) or "none"
    assert found == gaps
