"""Acceptance: every shipped pack on the demo organisation reports exactly the planted problems
of samples/demo_data/PLANTED.md (by the right rule, on the right record), and a clean
organisation reports nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import GraphHandle

from domain.fit_model import READINESS
from graph.db import Graph
from graph.fit_loader import computed_successors, fit_model
from rules.kinds.successors import SuccessorsConstraint
from rules.loader import load_rules
from rules.params import resolve_parameters
from rules.report import Report, render_csv, render_json, render_junit, render_table
from rules.runner import check, run_rules, within_department

REFERENCE_DATE = date(2026, 1, 1)  # PLANTED.md: the demo's "today"
CLEAN_ORG = Path(__file__).parent / "data" / "clean_org"

# PLANTED.md, case by case: (rule id, record at fault)
PLANTED = {
    ("raci-one-accountable", "R0008"),  # 1: A by P004 and P020
    ("raci-one-accountable", "R0086"),  # 4: no A
    ("raci-responsible", "R0038"),  # 5: no R
    ("position-has-responsibility", "P016"),  # 6a
    ("position-has-kpi", "P003"),  # 6b
    ("kpi-weights-sum", "P012"),  # 6c: 90
    ("department-has-positions", "D16"),  # 7
    ("headcount-not-exceeded", "P046"),  # 8: 3 for 2
    ("span-of-control", "P001"),  # 9a: 14
    ("management-layers", "P026"),  # 9b: layer 5
    ("management-layers", "P027"),  # 9b: layer 6
    ("required-certificates", "E0096"),  # 10a: missing
    ("required-certificates", "E0097"),  # 10b: expired
    ("mandatory-competencies", "E0126"),  # 10c
    # 12a: P022 has no nomination either, but fit scoring places three people in its 3+ years
    # band (test_computed_successors_count_as_successors), so only P028 has no successor
    ("key-position-successor", "P028"),  # 12a
    ("key-position-at-risk", "P049"),  # 12b
    ("written-contract-in-time", "CT0014"),  # 11a
    ("probation-limit", "CT0131"),  # 11b
    ("probation-limit", "CT0180"),  # 11c
    ("probation-limit", "CT0181"),  # 11d
    ("probation-wage-ratio", "CT0048"),  # 11e
    ("probation-wage-minimum", "CT0182"),  # 11f
    ("minimum-wage", "CT0132"),  # 11g
    ("social-insurance-in-time", "CT0256"),  # 11h
    ("kpi-serves-key-result", "K013"),  # 14a: only on P012
    # the appraisal rules check the latest period with KPI results, 2026-Q4: E0230 is rated
    # then (15g is in 2026-Q3), no alert (15a-c are in 2026-Q1), D07 within (16 is 2026-Q2)
    ("appraisal-complete", "E0003"),  # 15h: P003 has no KPI
    ("appraisal-complete", "E0004"),  # 15h
}
RULES = 23  # in the shipped packs


@pytest.fixture(scope="module")
def demo_report(demo_graph: GraphHandle) -> Report:
    ruleset = load_rules()
    params = resolve_parameters(ruleset, today=REFERENCE_DATE)
    return demo_graph.run(lambda graph: run_rules(graph, ruleset.rules, params))


def test_the_demo_reports_exactly_the_planted_problems(demo_report: Report) -> None:
    """No planted problem missed, none reported by the wrong rule or on the wrong record, and
    nothing else: the legal boundary cases of PLANTED.md (exactly one month, exactly 80 %,
    a 1-year contract with 2 months of probation, ...) must not be reported."""
    found = [(v.rule_id, v.focus_id) for v in demo_report.violations]
    assert len(found) == len(set(found))
    assert set(found) == PLANTED


def test_every_shipped_rule_ran(demo_report: Report) -> None:
    """Each rule of each pack ran once and has a count and a time."""
    assert [r.rule.id for r in demo_report.results] == [r.id for r in load_rules().rules]
    assert sum(r.count for r in demo_report.results) == len(PLANTED)
    assert all(r.seconds > 0 for r in demo_report.results)


def test_the_violations_carry_what_a_reviewer_needs(demo_report: Report) -> None:
    """A violation names the record (class, id, display name), the path, the offending value,
    the rendered message and the legal reference of the rule."""
    by_key = {(v.rule_id, v.focus_id): v for v in demo_report.violations}
    kpi = by_key[("kpi-weights-sum", "P012")]
    assert (kpi.severity, kpi.focus_class, kpi.focus_name, kpi.value) == \
        ("error", "Position", "数字营销专员", "90")
    assert kpi.path == "sum of MEASURED_BY.weight along -MEASURED_BY-> KPI"
    assert kpi.message == "The KPI weights of position 数字营销专员 (P012) add up to 90, not 100."
    late = by_key[("written-contract-in-time", "CT0014")]
    assert (late.focus_class, late.path, late.value, late.reference) == \
        ("Contract", "signed_on", "2024-05-10", "劳动合同法 第十条, 第八十二条")
    assert late.message == ("Contract CT0014 started on 2024-03-01 but was signed on "
                            "2024-05-10: more than 1 month later.")
    raci = by_key[("raci-one-accountable", "R0008")]
    assert (raci.value, raci.path) == ("2", "<-HAS_RESPONSIBILITY- [raci = A] Position")
    expired = by_key[("required-certificates", "E0097")]
    assert (expired.value, expired.path) == ("expired 2025-08-31",
                                             "P033 CNC操作员 requires CERT01 CNC操作证")
    bands = "ready_now, ready_1_2_years, ready_3_plus_years"
    nobody = by_key[("key-position-successor", "P028")]
    assert (nobody.value, nobody.path) == (
        "0 nominated, 0 computed",
        f"nominated <-NOMINATED_SUCCESSOR- [readiness in [{bands}]] Employee or computed "
        f"[{bands}]")
    assert nobody.message == ("Key position 模具部经理 (P028) has no successor: 0 nominated, "
                              "0 computed in any readiness band.")


def test_computed_successors_count_as_successors(demo_graph: GraphHandle,
                                                 demo_report: Report) -> None:
    """P022 高级研发工程师 (PLANTED 12a) has no nomination, but three colleagues meet enough of
    its requirements for the 3+ years band (fit >= 60): E0059 杜静佳 74.2 (rating 3, under the
    75 of 1-2 years), E0062 魏涛怡 64.2, E0060 王浩彬 60.0. Its incumbents E0070 and E0071 fit
    better but never count. Guards against the rule ignoring computed successors, and against
    it flagging P022 for want of a nomination alone."""
    async def computed(graph: Graph) -> dict[str, list[tuple[str, str | None, float]]]:
        found = await computed_successors(graph, ["P022", "P028"], REFERENCE_DATE)
        model = await fit_model(graph)
        return {p: [(str(model.employees.record(s.employee)["id"]),
                     None if s.readiness is None else READINESS[s.readiness], s.score)
                    for s in found[p]] for p in found}

    assert demo_graph.run(computed) == {
        "P022": [("E0059", "ready_3_plus_years", 74.2), ("E0062", "ready_3_plus_years", 64.2),
                 ("E0060", "ready_3_plus_years", 60.0)],
        "P028": []}
    assert ("key-position-successor", "P022") not in {
        (v.rule_id, v.focus_id) for v in demo_report.violations}
    rule = load_rules().rule("key-position-successor")
    assert isinstance(rule.constraint, SuccessorsConstraint)
    nominations_only = replace(
        rule, constraint=replace(rule.constraint, count=("nominated",), as_of=None))
    params = resolve_parameters(load_rules(), today=REFERENCE_DATE)
    report = demo_graph.run(lambda graph: run_rules(graph, [nominations_only], params))
    assert [(v.focus_id, v.value) for v in report.violations] == [
        ("P022", "0 nominated"), ("P028", "0 nominated")]
    assert report.results[0].computed_seconds == 0.0


def test_department_filter_keeps_the_records_of_a_subtree(demo_graph: GraphHandle,
                                                          demo_report: Report) -> None:
    """Filtering by department keeps records of that department and the ones below it, each
    class reaching its department its own way: a department itself (D16 under D11 品质部), a
    position (P046 in D11), an employee through the position held now, a contract through its
    employee, a responsibility through the positions holding it."""
    quality = demo_graph.run(lambda graph: within_department(graph, demo_report, "D11"))
    assert {(v.rule_id, v.focus_id) for v in quality.violations} == {
        ("department-has-positions", "D16"),  # D16 计量室 is below D11
        ("headcount-not-exceeded", "P046"),  # P046 is in D11
        ("raci-responsible", "R0038"),  # consulted by P045 品质部经理
        ("social-insurance-in-time", "CT0256"),  # E0256 holds P047 质检员
    }
    assembly = demo_graph.run(lambda graph: within_department(graph, demo_report, "D10"))
    assert {(v.rule_id, v.focus_id) for v in assembly.violations} == {
        ("raci-one-accountable", "R0086"),  # held by P042, P043 (D10) and P051
        ("probation-limit", "CT0180"), ("probation-limit", "CT0181"),  # E0180, E0181 in P043
        ("probation-wage-minimum", "CT0182"),  # E0182 in P043
    }
    everything = demo_graph.run(lambda graph: within_department(graph, demo_report, "D01"))
    assert {(v.rule_id, v.focus_id) for v in everything.violations} == PLANTED
    assert sum(r.count for r in quality.results) == 4


def test_check_filters_by_pack_rule_and_severity(demo_graph: GraphHandle) -> None:
    """The API a GraphQL resolver calls: filters select the rules run."""
    ruleset = load_rules()
    params = resolve_parameters(ruleset, today=REFERENCE_DATE)
    report = demo_graph.run(lambda graph: check(graph, ruleset, params, packs=["raci"]))
    assert {(v.rule_id, v.focus_id) for v in report.violations} == {
        ("raci-one-accountable", "R0008"), ("raci-one-accountable", "R0086"),
        ("raci-responsible", "R0038")}
    report = demo_graph.run(lambda graph: check(
        graph, ruleset, params, packs=["organisation"], severities=["warning"]))
    assert [r.rule.id for r in report.results] == [
        "department-has-positions", "span-of-control", "management-layers"]
    report = demo_graph.run(lambda graph: check(
        graph, ruleset, params, rule_ids=["minimum-wage"], department="D12"))
    assert [(v.rule_id, v.focus_id) for v in report.violations] == []


def test_renderers_show_every_violation(demo_report: Report) -> None:
    """Each format carries every violation (and the table the per-rule times)."""
    table = render_table(demo_report)
    assert all(v.message in table for v in demo_report.violations)
    assert "management-layers" in table.split("rule  ")[-1]
    assert render_csv(demo_report).count("\n") == len(PLANTED) + 1
    assert render_json(demo_report).count('"rule": ') == len(PLANTED) + RULES
    assert render_junit(demo_report).count("<testcase ") == RULES


def test_a_clean_organisation_reports_nothing(empty_graph: GraphHandle) -> None:
    """A complete, legal organisation (tests/data/clean_org) passes every shipped rule: the
    rules do not report healthy records."""
    empty_graph.import_dir(CLEAN_ORG)
    ruleset = load_rules()
    params = resolve_parameters(ruleset, today=REFERENCE_DATE)
    report = empty_graph.run(lambda graph: run_rules(graph, ruleset.rules, params))
    assert [(v.rule_id, v.focus_id) for v in report.violations] == []
    assert len(report.results) == RULES


def _performance(graph: GraphHandle, period: str) -> Report:
    ruleset = load_rules()
    params = resolve_parameters(ruleset, overrides={"appraisal_period": period},
                                today=REFERENCE_DATE)
    rules = [r for r in ruleset.select(packs=["performance"]) if r.kind == "appraisal"]
    return graph.run(lambda g: run_rules(g, rules, params))


def test_the_appraisal_rules_find_the_planted_cases_of_each_quarter(
        demo_graph: GraphHandle) -> None:
    """PLANTED.md 15-16, quarter by quarter: the three alerts of 2026-Q1 as warnings (not the
    70 % boundary E0030 nor E0025 against its own target), D07 模具部 over-generous in 2026-Q2
    (6 excellent of 11, no needs improvement), E0230 without results in 2026-Q3, E0003 and
    E0004 (P003 has no KPI) in every quarter. Guards against the period parameter being
    ignored and against alerts being reported as errors (they are for the manager, not a
    breach)."""
    found = {period: [(v.rule_id, v.severity, v.focus_id, v.path, v.value)
                      for v in _performance(demo_graph, period).violations]
             for period in ("2026-Q1", "2026-Q2", "2026-Q3")}
    incomplete = [("appraisal-complete", "error", e, "KPI results with a target",
                   "0 of 0 KPIs scored") for e in ("E0003", "E0004")]
    assert found["2026-Q1"] == [
        *incomplete,
        ("kpi-alert", "warning", "E0042", "K012 on P012", "60 %"),
        ("kpi-alert", "warning", "E0126", "K030 on P037", "60 %"),
        ("kpi-alert", "warning", "E0275", "K036 on P050", "68 %")]
    assert found["2026-Q2"] == [
        *incomplete,
        ("rating-distribution", "error", "D07", "rating excellent", "6 of 11"),
        ("rating-distribution", "error", "D07", "rating needs_improvement", "0 of 11"),
        ("rating-distribution", "error", "D07", "rating qualified", "5 of 11")]
    assert found["2026-Q3"] == [
        *incomplete,
        ("appraisal-complete", "error", "E0230", "KPI results with a target",
         "0 of 2 KPIs scored")]


def test_the_performance_messages_say_rule_record_and_value(demo_graph: GraphHandle,
                                                           demo_report: Report) -> None:
    """What HR reads: the KPI and what it lacks, who is incomplete and what is missing, the
    group's counts against the guideline with how many to move, the alert's achievement,
    position and manager."""
    by_key = {(v.rule_id, v.focus_id): v for v in demo_report.violations}
    assert by_key[("kpi-serves-key-result", "K013")].message == (
        "KPI 新媒体粉丝增长数 (K013) measures a position but serves no key result: 0 key "
        "results, at least 1 needed.")
    q1 = {(v.rule_id, v.focus_id): v for v in _performance(demo_graph, "2026-Q1").violations}
    alert = q1[("kpi-alert", "E0126")]
    assert alert.message.startswith(f"Employee {alert.focus_name} (E0126) reached 60 % of "
                                    "target on KPI 注塑不良率 (K030) of position P037 in "
                                    "2026-Q1 (actual 2.5, target 1.5), below 70 %: alert to "
                                    "manager ")
    assert "none" not in alert.message
    q2 = {(v.rule_id, v.path): v for v in _performance(demo_graph, "2026-Q2").violations}
    assert q2[("rating-distribution", "rating excellent")].message == (
        "Calibration group 模具部 (D07) in 2026-Q2: 6 of 11 rated excellent (54.5 %); the "
        "guideline 20 % allows 2 to 2: move out 4.")
    assert q2[("rating-distribution", "rating qualified")].message.endswith(
        "5 of 11 rated qualified (45.5 %); the guideline 70 % allows 8 to 8: move in 3.")
    q3 = {(v.rule_id, v.focus_id): v for v in _performance(demo_graph, "2026-Q3").violations}
    incomplete = q3[("appraisal-complete", "E0230")]
    assert incomplete.message.startswith(
        f"Employee {incomplete.focus_name} (E0230) has no complete appraisal for 2026-Q3: 0 of "
        "2 KPIs scored (K031 ")
    assert ": no result, K032 " in incomplete.message
    nothing = by_key[("appraisal-complete", "E0003")]
    assert nothing.message.endswith("for 2026-Q4: 0 of 0 KPIs scored (no KPI measures a "
                                    "position held in the period).")
