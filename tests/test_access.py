"""Access control (issue 10, 4-7) over real HTTP against the demo organisation: who sees
whose file, who may change what, and that nothing leaks around the edges (counts, lookups of
records out of scope, ordering, compliance messages).

Expected sets are computed apart from the code under test: with Cypher written here against
the demo graph, and from the demo's CSV files (:mod:`access_oracle`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from access_oracle import CALLERS as ALL_CALLERS
from access_oracle import (
    MANAGER,
    Caller,
    View,
    caller,
    department_people,
    owners,
    reporting_line,
)
from api_client import data, demo_rows, error, gql
from conftest import GraphHandle, LiveServer, LoopThread, demo_copy, serving

from graph.engine import EmbeddedEngine

EMPLOYEES = """query($after: String) { employees(first: 100, after: $after) { totalCount
    pageInfo { hasNextPage endCursor } edges { node { id } } } }"""


def employee_ids(client: httpx.Client) -> tuple[set[str], int]:
    """Every employee the caller's list holds, and its totalCount."""
    ids: set[str] = set()
    after = None
    while True:
        page = data(client, EMPLOYEES, after=after)["employees"]
        ids |= {e["node"]["id"] for e in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            return ids, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


def contract_of(employee: str) -> str:
    return next(k for k, v in owners().items() if v == employee and k.startswith("CT"))


# -- a manager ---------------------------------------------------------------------------------


def test_manager_sees_exactly_their_reporting_line(demo_server: LiveServer,
                                                   demo_graph: GraphHandle) -> None:
    """The holder of P041 组装部经理 sees itself and the current holders of every position
    below P041, directly or not: no one else, no former holder, no peer."""
    rows = demo_graph.read(
        "MATCH (m:Employee {id: $m})-[h:HOLDS_POSITION]->(top:Position) "
        "WHERE h.end_date IS NULL "
        "MATCH (top)<-[:REPORTS_TO*1..]-(p:Position)<-[n:HOLDS_POSITION]-(e:Employee) "
        "WHERE n.end_date IS NULL RETURN collect(DISTINCT e.id) AS ids", m=MANAGER)
    expected = {MANAGER, *rows[0]["ids"]}
    assert expected == reporting_line(MANAGER)  # the CSV files say the same
    assert len(expected) > 10
    ids, total = employee_ids(demo_server.as_("manager", sub=MANAGER))
    assert ids == expected
    assert total == len(expected)


def test_manager_reads_their_reports_files_but_not_contracts(demo_server: LiveServer) -> None:
    report = "E0180"
    got = data(demo_server.as_("manager", sub=MANAGER), """query($e: ID!, $c: ID!) {
        employee(id: $e) { potential flightRisk reviews { period rating }
            competencies { level competency { id } } contracts { id } }
        contract(id: $c) { id } }""", e=report, c=contract_of(report))
    row = next(r for r in demo_rows("employees.csv") if r["id"] == report)
    person = got["employee"]
    assert (person["potential"], person["flightRisk"]) == (row["potential"].upper(),
                                                           row["flight_risk"].upper())
    assert sorted((r["period"], r["rating"]) for r in person["reviews"]) == sorted(
        (r["period"], int(r["rating"])) for r in demo_rows("performance_reviews.csv")
        if r["employee_id"] == report)
    assert {c["competency"]["id"] for c in person["competencies"]} == {
        r["competency_id"] for r in demo_rows("employee_competencies.csv")
        if r["employee_id"] == report}
    assert person["contracts"] == []  # confidential: absent, as if there were none
    assert got["contract"] is None


def test_manager_reads_their_own_contract(demo_server: LiveServer) -> None:
    own = contract_of(MANAGER)
    row = next(r for r in demo_rows("contracts.csv") if r["id"] == own)
    got = data(demo_server.as_("manager", sub=MANAGER), """query($e: ID!, $c: ID!) {
        employee(id: $e) { contracts { id monthlyWage } }
        contract(id: $c) { monthlyWage employee { id } }
        contracts { totalCount edges { node { id } } } }""", e=MANAGER, c=own)
    assert got["employee"]["contracts"] == [{"id": own, "monthlyWage": float(row["monthly_wage"])}]
    assert got["contract"] == {"monthlyWage": float(row["monthly_wage"]),
                               "employee": {"id": MANAGER}}
    assert got["contracts"]["totalCount"] == 1


def test_a_managers_position_shows_only_visible_incumbents(demo_server: LiveServer) -> None:
    """A position outside the line: its structure and its counts, not who holds it."""
    query = """{ position(id: "P046") { headcount vacancies incumbents { employee { id } }
        pastHolders { employee { id } } nominations { employee { id } } } }"""
    admin = data(demo_server.client, query)["position"]
    got = data(demo_server.as_("manager", sub=MANAGER), query)["position"]
    assert admin["incumbents"]
    assert (got["incumbents"], got["pastHolders"], got["nominations"]) == ([], [], [])
    assert (got["headcount"], got["vacancies"]) == (admin["headcount"], admin["vacancies"])


# -- hr with a departments claim, an employee ------------------------------------------------


def test_hr_with_departments_sees_only_those_departments(demo_server: LiveServer) -> None:
    """An hr caller limited to D06 研究所 sees the people holding a position in D06 or in D15
    材料实验室 below it (and itself), with their contracts; no one else."""
    hr = caller("hr-D06")
    client = hr.client(demo_server)
    expected = department_people({"D06"}) | {hr.sub}
    assert {"E0059", "E0076"} <= expected  # one of D06, one of D15
    ids, total = employee_ids(client)
    assert ids == expected
    assert total == len(expected)
    got = data(client, """{ contracts(first: 100) { totalCount edges { node { id monthlyWage
        employee { id } } } } out: employee(id: "E0180") { id } }""")
    assert {e["node"]["employee"]["id"] for e in got["contracts"]["edges"]} == expected
    assert all(e["node"]["monthlyWage"] is not None for e in got["contracts"]["edges"])
    assert got["out"] is None


def test_hr_with_departments_filters_by_department_within_them(demo_server: LiveServer) -> None:
    client = caller("hr-D06").client(demo_server)
    got = data(client, """{ inside: employees(filter: {department: "D15"}) { totalCount }
        outside: employees(filter: {department: "D10"}) { totalCount }
        d10: department(id: "D10") { employees { id } employeeCount } }""")
    assert got["inside"]["totalCount"] == len(department_people({"D15"}))
    assert got["outside"]["totalCount"] == 0
    assert got["d10"]["employees"] == []
    assert got["d10"]["employeeCount"] == len(department_people({"D10"}))


def test_employee_sees_itself_only(demo_server: LiveServer) -> None:
    me = "E0180"
    client = demo_server.as_("employee", sub=me)
    ids, total = employee_ids(client)
    assert (ids, total) == ({me}, 1)
    got = data(client, """query($me: ID!) { employee(id: $me) { id potential
        contracts { id monthlyWage } reviews { rating } }
        colleague: employee(id: "E0181") { id }
        boss: employee(id: "E0176") { id }
        reviews: performanceReviews(first: 100) { totalCount } }""", me=me)
    assert got["employee"]["contracts"][0]["id"] == contract_of(me)
    assert got["employee"]["contracts"][0]["monthlyWage"] is not None
    assert (got["colleague"], got["boss"]) == (None, None)
    assert got["reviews"]["totalCount"] == len(got["employee"]["reviews"]) == sum(
        1 for r in demo_rows("performance_reviews.csv") if r["employee_id"] == me)


def test_a_service_token_that_is_not_an_employee_sees_no_one(demo_server: LiveServer) -> None:
    """An employee-role token whose ``sub`` is no employee's id: no self, so no one."""
    ids, total = employee_ids(demo_server.as_("employee", sub="kiosk"))
    assert (ids, total) == (set(), 0)


def test_several_roles_give_the_union(demo_server: LiveServer) -> None:
    """A manager who is also hr for D06 sees their line and D06 (and below), with contracts
    in D06 but still not their reports' contracts."""
    client = demo_server.as_("manager", "hr", sub=MANAGER, departments=("D06",))
    ids, _ = employee_ids(client)
    assert ids == reporting_line(MANAGER) | department_people({"D06"})
    got = data(client, """{ a: contract(id: "CT0059") { id } b: contract(id: "CT0180") { id } }""")
    # hr reads confidential values of everyone it sees: the union of the roles' rights
    assert got == {"a": {"id": "CT0059"}, "b": {"id": "CT0180"}}


# -- counts that everyone sees -----------------------------------------------------------------


COUNTS = """{ departments(first: 100) { edges { node { id employeeCount } } }
    positions(first: 100) { edges { node { id headcount vacancies } } }
    headcountStatus { overflow { position { id } headcount incumbents difference }
                      vacancies { position { id } headcount incumbents difference } } }"""


@pytest.mark.parametrize("who", [c for c in ALL_CALLERS if c.name != "admin"],
                         ids=lambda c: c.name)
def test_counts_are_the_same_for_every_role(demo_server: LiveServer, who: Caller) -> None:
    """Headcount, vacancies and employee counts are organisation structure: the same for
    every caller, whoever it may see."""
    assert data(who.client(demo_server), COUNTS) == data(demo_server.client, COUNTS)


# -- existence does not leak -----------------------------------------------------------------


@pytest.mark.parametrize(("field", "hidden"), [("employee", "E0001"), ("contract", "CT0177"),
                                               ("performanceReview", "E0001/2024")])
def test_a_record_out_of_scope_answers_like_a_missing_one(demo_server: LiveServer, field: str,
                                                          hidden: str) -> None:
    client = demo_server.as_("manager", sub=MANAGER)
    query = f"""query($id: ID!) {{ {field}(id: $id) {{ id }} }}"""
    out = gql(client, query, id=hidden)
    missing = gql(client, query, id="no-such-id")
    assert out == missing == {"data": {field: None}}
    assert data(demo_server.client, query, id=hidden)[field] == {"id": hidden}


@pytest.mark.parametrize("query", [
    'query($e: ID!) { fit(employee: $e, position: "P042") { score } }',
    "query($e: ID!) { careerMoves(employee: $e) { score } }",
])
def test_analytics_of_someone_out_of_scope_answer_like_a_missing_one(
        demo_server: LiveServer, query: str) -> None:
    client = demo_server.as_("manager", sub=MANAGER)
    out, missing = error(client, query, e="E0001"), error(client, query, e="E9999")
    assert out["extensions"] == missing["extensions"]
    assert out["extensions"]["code"] == "NOT_FOUND"
    assert out["message"].replace("E0001", "X") == missing["message"].replace("E9999", "X")
    assert data(client, query, e="E0180")  # one of the line: answered


def test_a_department_without_visible_people_looks_like_an_empty_one(
        demo_server: LiveServer) -> None:
    client = demo_server.as_("employee", sub="E0180")
    got = data(client, """{ d14: department(id: "D14") { employees { id } }
        d16: department(id: "D16") { employees { id } } }""")
    assert got == {"d14": {"employees": []}, "d16": {"employees": []}}


# -- ordering ------------------------------------------------------------------------------------


def test_ordering_by_a_field_the_caller_may_not_read_is_refused(demo_server: LiveServer) -> None:
    """Sorting by a hidden value would tell it (the order of wages gives their rank)."""
    manager = demo_server.as_("manager", sub=MANAGER)
    refused = error(manager, """{ contracts(orderBy: [{field: "monthlyWage"}]) {
        edges { node { id } } } }""")
    assert refused["extensions"]["code"] == "FORBIDDEN"
    assert "monthlyWage" in refused["message"]
    nobody = demo_server.as_(sub="monitoring")
    assert error(nobody, """{ employees(orderBy: [{field: "name"}]) { totalCount } }""")[
        "extensions"]["code"] == "FORBIDDEN"
    ordered = data(manager, """{ employees(first: 100, orderBy: [{field: "potential",
        direction: DESC}]) { edges { node { id potential } } } }""")["employees"]["edges"]
    assert {e["node"]["id"] for e in ordered} == reporting_line(MANAGER)


# -- compliance report ---------------------------------------------------------------------------


REPORT = """{ complianceReport { violations { ruleId focusClass focusId value message } } }"""


def test_compliance_report_is_filtered_to_the_callers_scope(demo_server: LiveServer) -> None:
    """PLANTED 11c: CT0180 (E0180, a report of the manager) breaks the probation rule. Its
    owner sees the violation, the manager (no contracts) and others do not."""
    def contract_rules(client: httpx.Client) -> set[str]:
        return {v["focusId"] for v in data(client, REPORT)["complianceReport"]["violations"]
                if v["focusClass"] == "Contract"}

    assert "CT0180" in contract_rules(demo_server.client)
    assert contract_rules(demo_server.as_("employee", sub="E0180")) == {"CT0180"}
    assert contract_rules(demo_server.as_("manager", sub=MANAGER)) <= {contract_of(MANAGER)}


@pytest.mark.parametrize("who", ["manager", "employee", "hr-D06", "no-role"])
def test_compliance_report_does_not_tell_a_hidden_flight_risk(demo_server: LiveServer,
                                                              who: str) -> None:
    """PLANTED 12b: P049's incumbent E0273 has a high flight risk. "Key position P049 has an
    incumbent likely to leave" tells exactly that about E0273, whom these callers do not see:
    the violation is for callers who see everyone."""
    def at_risk(client: httpx.Client) -> set[str]:
        return {v["focusId"] for v in data(client, REPORT)["complianceReport"]["violations"]
                if v["ruleId"] == "key-position-at-risk"}

    assert at_risk(demo_server.client) == {"P049"}
    assert at_risk(caller("hr").client(demo_server)) == {"P049"}
    view = View(caller(who))
    assert "E0273" not in view.people
    assert at_risk(caller(who).client(demo_server)) == set()


# -- writes --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def changeable(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    with demo_copy(engine, loop_thread, "access") as handle:
        yield handle


@pytest.fixture(scope="module")
def writable(changeable: GraphHandle) -> Iterator[LiveServer]:
    with serving(changeable.connection) as live:
        yield live


def snapshot(graph: GraphHandle) -> dict[str, Any]:
    """What the writes below could change, read with Cypher."""
    return {
        "contracts": graph.read("MATCH (c:Contract) RETURN c.id AS id, properties(c) AS p "
                                "ORDER BY id"),
        "people": graph.read("MATCH (e:Employee) RETURN e.id AS id, properties(e) AS p "
                             "ORDER BY id"),
        "assessed": graph.read("MATCH (e:Employee)-[r:HAS_COMPETENCY]->(c) RETURN e.id AS e, "
                               "c.id AS c, r.level AS level ORDER BY e, c"),
        "nominated": graph.read("MATCH (e:Employee)-[r:NOMINATED_SUCCESSOR]->(p) "
                                "RETURN e.id AS e, p.id AS p, r.readiness AS r ORDER BY e, p"),
        "positions": graph.read("MATCH (p:Position) RETURN p.id AS id, properties(p) AS p "
                                "ORDER BY id"),
    }


UPDATE_CONTRACT = """mutation($id: ID!) { updateContract(id: $id, input: {monthlyWage: 99999})
    { id monthlyWage } }"""
UPDATE_EMPLOYEE = """mutation($id: ID!) { updateEmployee(id: $id, input: {potential: HIGH})
    { id } }"""
ASSESS = """mutation($e: ID!) { assessCompetency(input: {employeeId: $e, competencyId: "C021",
    level: 5}) { id competencies { level competency { id } } } }"""
NOMINATE = """mutation($e: ID!) { nominateSuccessor(input: {employeeId: $e, positionId: "P041",
    readiness: READY_NOW}) { id nominations { readiness position { id } } } }"""
UNNOMINATE = """mutation($e: ID!) { removeNomination(input: {employeeId: $e,
    positionId: "P041"}) { removed } }"""
DELETE_EMPLOYEE = """mutation($id: ID!) { deleteEmployee(id: $id) { cascaded } }"""


def refused(client: httpx.Client, query: str, code: str, **variables: Any) -> dict[str, Any]:
    got = gql(client, query, **variables)
    assert got["data"] is None, got
    assert [e["extensions"]["code"] for e in got["errors"]] == [code], got
    first: dict[str, Any] = got["errors"][0]
    return first


@pytest.mark.parametrize(("who", "query", "target"), [
    ("hr-D06", UPDATE_CONTRACT, "CT0180"),
    ("hr-D06", UPDATE_EMPLOYEE, "E0180"),
    ("hr-D06", DELETE_EMPLOYEE, "E0180"),
    ("hr-D06", ASSESS, "E0180"),
    ("manager", ASSESS, "E0001"),
    ("manager", NOMINATE, "E0059"),
])
def test_a_write_out_of_scope_is_not_found_and_changes_nothing(
        writable: LiveServer, changeable: GraphHandle, who: str, query: str,
        target: str) -> None:
    """Out of scope answers like a record that does not exist (so existence does not leak),
    and nothing is written."""
    before = snapshot(changeable)
    client = caller(who).client(writable)
    key = "id" if "$id" in query else "e"
    out = refused(client, query, "NOT_FOUND", **{key: target})
    missing = refused(client, query, "NOT_FOUND",
                      **{key: "CT9999" if target.startswith("CT") else "E9999"})
    assert out["message"].replace(target, "X") == missing["message"].replace(
        "CT9999", "X").replace("E9999", "X")
    assert snapshot(changeable) == before


@pytest.mark.parametrize(("who", "query", "target"), [
    ("employee", UPDATE_EMPLOYEE, "E0180"),  # itself
    ("employee", UPDATE_CONTRACT, "CT0180"),  # its own contract
    ("employee", ASSESS, "E0180"),
    ("manager", UPDATE_CONTRACT, "CT0180"),  # a report's contract
    ("manager", UPDATE_EMPLOYEE, "E0180"),  # a report's file: only assessments, nominations
    ("manager", UPDATE_CONTRACT, "CT9999"),  # FORBIDDEN whatever the id: nothing leaks
    ("compliance", UPDATE_CONTRACT, "CT0002"),
    ("auditor", UPDATE_EMPLOYEE, "E0002"),
    ("no-role", UPDATE_CONTRACT, "CT0002"),
])
def test_a_write_the_role_may_never_make_is_forbidden_and_changes_nothing(
        writable: LiveServer, changeable: GraphHandle, who: str, query: str,
        target: str) -> None:
    before = snapshot(changeable)
    key = "id" if "$id" in query else "e"
    refused(caller(who).client(writable), query, "FORBIDDEN", **{key: target})
    assert snapshot(changeable) == before


def test_the_issues_anonymous_wage_change_is_refused(writable: LiveServer,
                                                      changeable: GraphHandle) -> None:
    """Issue 10's opening example: updateContract(CT0002, 99999) without a token."""
    before = snapshot(changeable)
    with httpx.Client(base_url=writable.url, timeout=60) as anonymous:
        response = anonymous.post("/graphql", json={"query": UPDATE_CONTRACT,
                                                    "variables": {"id": "CT0002"}})
    assert response.status_code == 401
    assert snapshot(changeable) == before


def test_manager_assesses_and_nominates_their_reports(writable: LiveServer,
                                                      changeable: GraphHandle) -> None:
    client = caller("manager").client(writable)
    report = "E0181"
    assessed = data(client, ASSESS, e=report)["assessCompetency"]
    assert {"level": 5, "competency": {"id": "C021"}} in assessed["competencies"]
    nominated = data(client, NOMINATE, e=report)["nominateSuccessor"]
    assert {"readiness": "READY_NOW", "position": {"id": "P041"}} in nominated["nominations"]
    assert changeable.read("MATCH (:Employee {id: $e})-[r:NOMINATED_SUCCESSOR]->"
                           "(:Position {id: 'P041'}) RETURN r.readiness AS r", e=report) == [
        {"r": "ready_now"}]
    assert data(client, UNNOMINATE, e=report)["removeNomination"] == {"removed": 1}


def test_manager_may_not_assess_or_nominate_itself(writable: LiveServer,
                                                   changeable: GraphHandle) -> None:
    before = snapshot(changeable)
    client = caller("manager").client(writable)
    refused(client, ASSESS, "FORBIDDEN", e=MANAGER)
    refused(client, NOMINATE, "FORBIDDEN", e=MANAGER)
    assert snapshot(changeable) == before


def test_hr_changes_records_in_its_departments(writable: LiveServer,
                                               changeable: GraphHandle) -> None:
    client = caller("hr-D06").client(writable)
    got = data(client, UPDATE_CONTRACT, id="CT0059")["updateContract"]
    assert got == {"id": "CT0059", "monthlyWage": 99999.0}
    assert changeable.read("MATCH (c:Contract {id: 'CT0059'}) RETURN c.monthly_wage AS w") == [
        {"w": 99999.0}]


def test_hr_may_not_change_positions_outside_its_departments(writable: LiveServer,
                                                             changeable: GraphHandle) -> None:
    """Organisation records are seen by everyone; changing them is limited to the caller's
    departments: FORBIDDEN (not NOT_FOUND: the position's existence is no secret)."""
    before = snapshot(changeable)
    client = caller("hr-D06").client(writable)
    refused(client, """mutation { updatePosition(id: "P041", input: {headcount: 9}) { id } }""",
            "FORBIDDEN")
    refused(client, """mutation { updatePosition(id: "P020", input: {departmentId: "D10"})
        { id } }""", "FORBIDDEN")
    assert snapshot(changeable) == before


def test_a_scope_follows_the_latest_write(writable: LiveServer) -> None:
    """Scopes are kept between requests until the next write: someone joining the manager's
    line is seen at once, and gone again as soon as they leave."""
    manager = caller("manager").client(writable)
    newcomer = "E0002"
    assert newcomer not in employee_ids(manager)[0]
    data(writable.client, """mutation($e: ID!) { assignPosition(input: {employeeId: $e,
        positionId: "P042", startDate: "2026-01-01"}) { id } }""", e=newcomer)
    assert newcomer in employee_ids(manager)[0]
    data(writable.client, """mutation($e: ID!) { unassignPosition(input: {employeeId: $e,
        positionId: "P042"}) { removed } }""", e=newcomer)
    assert newcomer not in employee_ids(manager)[0]


def test_hr_may_not_change_its_own_contract_outside_its_departments(
        writable: LiveServer, changeable: GraphHandle) -> None:
    """Segregation of duties: an hr caller limited to D06 sees its own file as everyone
    does, but its contract is outside its departments: it may not raise its own wage."""
    hr = caller("hr-D06")
    before = snapshot(changeable)
    got = gql(hr.client(writable), UPDATE_CONTRACT, id=contract_of(hr.sub))
    assert got["data"] is None
    assert snapshot(changeable) == before


# -- what a compliance rule tells, and redaction (no engine) -----------------------------------


def _visibility(*roles: str, fields: str | None = None) -> Any:
    """A caller's visibility without a database (no scope query: everyone's scope is 'all'
    but for the levels), with an optional extra role ``reader`` reading up to ``fields``."""
    from dataclasses import replace

    from domain.access import Principal, RolePolicy
    from graph.access import Visibility
    from schema.ontology import default_ontology
    from schema.policy import default_policy

    policy = default_policy()
    if fields is not None:
        policy = replace(policy, roles={**policy.roles, "reader": RolePolicy(
            "reader", "all", policy.level(fields), "none")})
    return Visibility(policy.grant(Principal("x", roles)), policy, default_ontology())


def test_which_rules_tell_about_people_beyond_their_record() -> None:
    """Golden: what each shipped rule reads (levels: 0 public ... 3 confidential), about its
    record and about other people. Only the succession rules and the rating distribution (a
    calibration group's ratings are other people's appraisals) read others beyond counting who
    holds a position (headcount), so only they report to callers limited in whom they see."""
    from rules.loader import load_rules
    from rules.runner import _reach

    v = _visibility("manager")
    reach = {rule.id: _reach(rule, v) for rule in load_rules().rules}
    assert {r: lv for r, lv in reach.items() if lv[1]} == {
        "key-position-successor": (0, 2), "key-position-at-risk": (0, 2),
        "rating-distribution": (0, 2)}
    assert reach["headcount-not-exceeded"] == (0, 0)
    assert reach["minimum-wage"] == (3, 0)  # a contract's own wage: confidential
    assert reach["required-certificates"] == (0, 0)  # cypher about its focus person


def test_a_message_never_prints_a_value_the_caller_may_not_read() -> None:
    """A reader of personal values (names) but not sensitive ones (potential, flight risk):
    the value and every placeholder showing one are redacted, the rest of the message kept."""
    from rules.loader import load_rules_text
    from rules.report import Violation
    from rules.runner import REDACTED, _redacted

    [rule] = load_rules_text("""
pack: test
title: Test
description: test
rules:
  - id: potential-known
    title: The potential is known
    severity: info
    description: test
    reference: test
    target: Employee
    property: {name: potential, in: [high]}
    message: "{focus.name} ({focus.id}) has potential {value}, flight risk {focus.flight_risk}."
""").rules
    v = Violation("potential-known", "test", "info", "Employee", "E0001", "朱芳伟", "potential",
                  "medium", "朱芳伟 (E0001) has potential medium, flight risk low.", "test")
    shown = _redacted(v, _visibility("reader", fields="personal"), rule)
    assert shown.value == REDACTED
    assert shown.message == f"朱芳伟 (E0001) has potential {REDACTED}, flight risk {REDACTED}."
    assert _redacted(v, _visibility("manager"), rule) == v


def test_a_refused_delete_names_no_one_out_of_scope(writable: LiveServer,
                                                    changeable: GraphHandle) -> None:
    """hr limited to D06 deletes a D06 position that someone in D10 is nominated for: the
    refusal (still referenced) must not name that person."""
    data(writable.client, """mutation { nominateSuccessor(input: {employeeId: "E0180",
        positionId: "P021", readiness: READY_3_PLUS_YEARS}) { id } }""")
    got = gql(caller("hr-D06").client(writable),
              """mutation { deletePosition(id: "P021") { cascaded } }""")
    assert got["data"] is None
    assert "E0180" not in str(got["errors"])
