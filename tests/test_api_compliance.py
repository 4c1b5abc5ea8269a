"""Compliance over GraphQL: the same rules and report as `rolegraph check`, over real HTTP."""

from __future__ import annotations

from api_client import data, error
from conftest import LiveServer
from test_rules_demo import PLANTED

REPORT = """query($packs: [String!], $rules: [String!], $severities: [Severity!], $department: ID) {
  complianceReport(packs: $packs, rules: $rules, severities: $severities,
                   department: $department, asOf: "2026-01-01") {
    conforms errors warnings infos
    violations { ruleId pack severity focusClass focusId focusName path value message reference }
    rules { ruleId violations }
  } }"""


def test_the_report_holds_exactly_the_planted_problems(demo_server: LiveServer) -> None:
    report = data(demo_server.client, REPORT)["complianceReport"]
    assert {(v["ruleId"], v["focusId"]) for v in report["violations"]} == PLANTED
    assert report["conforms"] is False
    assert report["errors"] + report["warnings"] + report["infos"] == len(PLANTED)
    assert sum(r["violations"] for r in report["rules"]) == len(PLANTED)
    late = next(v for v in report["violations"] if v["focusId"] == "CT0014")
    assert late["ruleId"] == "written-contract-in-time"
    assert late["focusClass"] == "Contract"
    assert "第十条" in late["reference"]
    assert late["value"] and late["message"]


def test_the_report_filters_by_pack_severity_and_department(demo_server: LiveServer) -> None:
    raci = data(demo_server.client, REPORT, packs=["raci"])["complianceReport"]
    assert {v["pack"] for v in raci["violations"]} == {"raci"}
    assert {(v["ruleId"], v["focusId"]) for v in raci["violations"]} == {
        p for p in PLANTED if p[0].startswith("raci-")}
    errors = data(demo_server.client, REPORT, severities=["ERROR"])["complianceReport"]
    assert errors["warnings"] == errors["infos"] == 0
    one = data(demo_server.client, REPORT, rules=["probation-limit"])["complianceReport"]
    assert [r["ruleId"] for r in one["rules"]] == ["probation-limit"]
    everything = data(demo_server.client, REPORT)["complianceReport"]["violations"]
    in_d03 = data(demo_server.client, REPORT, department="D03")["complianceReport"]["violations"]
    assert 0 < len(in_d03) < len(everything)


def test_unknown_pack_or_rule_names_the_field(demo_server: LiveServer) -> None:
    err = error(demo_server.client, REPORT, packs=["payroll"])
    assert err["extensions"] == {"code": "BAD_INPUT", "field": "packs"}
    assert "unknown pack 'payroll'" in err["message"]
    err = error(demo_server.client, REPORT, rules=["no-such-rule"])
    assert err["extensions"]["field"] == "rules"


def test_the_rule_list_shows_descriptions_and_parameters(demo_server: LiveServer) -> None:
    rules = data(demo_server.client, """{ complianceRules(pack: "labour_law") { id title
        description severity reference kind parameters { name type default value } } }""")
    by_id = {r["id"]: r for r in rules["complianceRules"]}
    assert "minimum-wage" in by_id
    params = {p["name"]: p for p in by_id["minimum-wage"]["parameters"]}
    assert params["minimum_wage"]["default"] == params["minimum_wage"]["value"]
    assert all(r["description"] for r in rules["complianceRules"])
