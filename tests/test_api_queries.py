"""GraphQL queries over real HTTP against the demo organisation on the embedded engine.

Expected values come from the demo's own CSV files (or PLANTED.md's cases), not from the API.
"""

from __future__ import annotations

import base64

import pytest
from api_client import data, demo_current_holders, demo_rows, demo_subtree, error
from conftest import LiveServer

from schema.gql.names import QUERY_FIELDS as FIELD_NAMES


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


@pytest.mark.parametrize("class_name", list(FIELD_NAMES))
def test_each_class_by_id(demo_server: LiveServer, class_name: str) -> None:
    from schema.ontology import default_ontology

    spec = default_ontology().cls(class_name)
    row = demo_rows(spec.file)[0]
    key = spec.derive_key([row[c] for c in spec.derived_key]) if spec.derived_key \
        else row[spec.key]
    display = spec.display
    field = _camel(FIELD_NAMES[class_name][0])
    got = data(demo_server.client, f'{{ {field}(id: "{key}") {{ id {_camel(display)} }} }}')
    assert got[field] == {"id": key, _camel(display): row[display]}
    assert data(demo_server.client, f'{{ {field}(id: "no-such-id") {{ id }} }}') == {field: None}


def test_position_with_everything(demo_server: LiveServer) -> None:
    got = data(demo_server.client, """{ position(id: "P005") {
        title grade category isKey headcount vacancies
        department { id name }
        reportsTo { id }
        directReports { id }
        responsibilities { raci responsibility { id } }
        requirements { level weight mandatory competency { id } }
        requiredCertificates { id }
        kpis { weight kpi { id } }
        incumbents { startDate endDate employee { id } }
        nominations { readiness employee { id } } } }""")["position"]
    pos = next(r for r in demo_rows("positions.csv") if r["id"] == "P005")
    assert (got["title"], got["grade"], got["category"], got["headcount"]) == \
        (pos["title"], int(pos["grade"]), pos["category"].upper(), int(pos["headcount"]))
    assert got["department"]["id"] == pos["department_id"]
    assert got["reportsTo"] == {"id": pos["reports_to_id"]}
    assert [p["id"] for p in got["directReports"]] == sorted(
        r["id"] for r in demo_rows("positions.csv") if r["reports_to_id"] == "P005")
    assert sorted((r["responsibility"]["id"], r["raci"]) for r in got["responsibilities"]) == \
        sorted((r["responsibility_id"], r["raci"]) for r in demo_rows(
            "position_responsibilities.csv") if r["position_id"] == "P005")
    assert ("R0008", "R") in {(r["responsibility"]["id"], r["raci"])
                              for r in got["responsibilities"]}  # planted: 需求分析
    assert sorted((r["competency"]["id"], r["level"], r["weight"], r["mandatory"])
                  for r in got["requirements"]) == sorted(
        (r["competency_id"], int(r["level"]), float(r["weight"]), r["mandatory"] == "true")
        for r in demo_rows("position_requirements.csv") if r["position_id"] == "P005")
    assert sum(k["weight"] for k in got["kpis"]) == 100
    holders = demo_current_holders({"P005"})
    assert {i["employee"]["id"] for i in got["incumbents"]} == holders
    assert all(i["endDate"] is None for i in got["incumbents"])
    assert got["vacancies"] == max(int(pos["headcount"]) - len(holders), 0)


def test_headcount_overflow_and_vacancies(demo_server: LiveServer) -> None:
    """PLANTED 8: P046 has headcount 2 and three incumbents; P006 is vacant."""
    got = data(demo_server.client, """{ a: position(id: "P046") { headcount vacancies
        incumbents { employee { id } } } b: position(id: "P006") { headcount vacancies } }""")
    assert got["a"]["headcount"] == 2
    assert [i["employee"]["id"] for i in got["a"]["incumbents"]] == ["E0253", "E0254", "E0255"]
    assert got["a"]["vacancies"] == 0
    assert got["b"]["vacancies"] > 0


def test_responsibility_owners_by_role(demo_server: LiveServer) -> None:
    """PLANTED 1: 需求分析 (R0008) is accountable in two departments and done by two."""
    got = data(demo_server.client, """{ responsibility(id: "R0008") { name
        a: owners(role: A) { raci position { id department { id } } }
        all: owners { raci position { id } } } }""")["responsibility"]
    assert got["name"] == "需求分析"
    assert [o["position"]["id"] for o in got["a"]] == ["P004", "P020"]
    assert {(o["raci"], o["position"]["id"]) for o in got["all"]} >= {("R", "P005"),
                                                                       ("R", "P021")}


def test_department_tree_positions_and_employees(demo_server: LiveServer) -> None:
    got = data(demo_server.client, """{ department(id: "D01") { parent { id }
        children { id } positions { id } employees(first: 1000) { id } employeeCount } }""")[
        "department"]
    assert got["parent"] is None
    assert [c["id"] for c in got["children"]] == sorted(
        r["id"] for r in demo_rows("departments.csv") if r["parent_id"] == "D01")
    assert [p["id"] for p in got["positions"]] == sorted(
        r["id"] for r in demo_rows("positions.csv") if r["department_id"] == "D01")
    every_position = {r["id"] for r in demo_rows("positions.csv")}
    everyone = demo_current_holders(every_position)
    assert [e["id"] for e in got["employees"]] == sorted(everyone)
    assert got["employeeCount"] == len(everyone)


def test_department_employees_are_paged_and_bounded(demo_server: LiveServer) -> None:
    got = data(demo_server.client, """{ a: department(id: "D01") { employees(first: 5) { id } }
        b: department(id: "D06") { employees(first: 5) { id } employeeCount } }""")
    everyone = sorted(demo_current_holders({r["id"] for r in demo_rows("positions.csv")}))
    assert [e["id"] for e in got["a"]["employees"]] == everyone[:5]
    in_d06 = sorted(demo_current_holders({r["id"] for r in demo_rows("positions.csv")
                                          if r["department_id"] in demo_subtree("D06")}))
    assert [e["id"] for e in got["b"]["employees"]] == in_d06[:5]
    assert got["b"]["employeeCount"] == len(in_d06)
    err = error(demo_server.client, '{ department(id: "D01") { employees(first: 5000) { id } } }')
    assert err["extensions"] == {"code": "BAD_INPUT", "field": "first"}


def test_employee_history_competencies_and_papers(demo_server: LiveServer) -> None:
    past = next(r for r in demo_rows("employee_positions.csv") if r["end_date"])
    emp = past["employee_id"]
    got = data(demo_server.client, f"""{{ employee(id: "{emp}") {{
        currentPositions {{ position {{ id }} }}
        pastPositions {{ startDate endDate position {{ id }} }}
        competencies {{ level assessedOn competency {{ id }} }}
        certificates {{ certificate {{ id }} }}
        contracts {{ id type employee {{ id }} }}
        reviews {{ period rating employee {{ id }} }}
        nominations {{ readiness position {{ id }} }} }} }}""")["employee"]
    assert {"startDate": past["start_date"], "endDate": past["end_date"],
            "position": {"id": past["position_id"]}} in got["pastPositions"]
    assert sorted((c["competency"]["id"], c["level"]) for c in got["competencies"]) == sorted(
        (r["competency_id"], int(r["level"])) for r in demo_rows("employee_competencies.csv")
        if r["employee_id"] == emp)
    assert [c["id"] for c in got["contracts"]] == [
        r["id"] for r in demo_rows("contracts.csv") if r["employee_id"] == emp]
    assert all(c["employee"]["id"] == emp for c in got["contracts"])
    assert [(r["period"], r["rating"]) for r in got["reviews"]] == sorted(
        (r["period"], int(r["rating"])) for r in demo_rows("performance_reviews.csv")
        if r["employee_id"] == emp)


def test_competency_certificate_and_kpi_back_references(demo_server: LiveServer) -> None:
    req = demo_rows("position_requirements.csv")[0]
    got = data(demo_server.client, f"""{{
        competency(id: "{req["competency_id"]}") {{ requiredBy {{ level position {{ id }} }}
            holders(minLevel: 4) {{ level employee {{ id }} }} }}
        certificate(id: "CERT01") {{ requiredBy {{ id }}
            holders {{ expiresOn employee {{ id }} }} }}
        kpi(id: "K001") {{ positions {{ weight position {{ id }} }} }} }}""")
    assert {(r["position"]["id"], r["level"]) for r in got["competency"]["requiredBy"]} == {
        (r["position_id"], int(r["level"])) for r in demo_rows("position_requirements.csv")
        if r["competency_id"] == req["competency_id"]}
    assert all(h["level"] >= 4 for h in got["competency"]["holders"])
    assert {h["employee"]["id"] for h in got["certificate"]["holders"]} == {
        r["employee_id"] for r in demo_rows("employee_certificates.csv")
        if r["certificate_id"] == "CERT01"}
    assert "E0096" not in {h["employee"]["id"] for h in got["certificate"]["holders"]}
    assert {p["position"]["id"] for p in got["kpi"]["positions"]} == {
        r["position_id"] for r in demo_rows("position_kpis.csv") if r["kpi_id"] == "K001"}


def test_list_filtered_by_department_subtree(demo_server: LiveServer) -> None:
    subtree = demo_subtree("D06")
    expected = sorted(r["id"] for r in demo_rows("positions.csv")
                      if r["department_id"] in subtree)
    assert len(subtree) > 1, "the demo's 研究所 has a sub-department"
    got = data(demo_server.client, """{ positions(filter: {department: "D06"}, first: 100) {
        totalCount edges { node { id } } } }""")["positions"]
    assert [e["node"]["id"] for e in got["edges"]] == expected
    assert got["totalCount"] == len(expected)
    people = data(demo_server.client, """{ employees(filter: {department: "D06"}, first: 100) {
        totalCount } }""")["employees"]
    assert people["totalCount"] == len(demo_current_holders(set(expected)))


def test_list_filter_by_category_and_text_and_order(demo_server: LiveServer) -> None:
    got = data(demo_server.client, """{ positions(filter: {category: "management"},
        orderBy: [{field: "grade", direction: DESC}], first: 100) {
        edges { node { id grade category } } } }""")["positions"]["edges"]
    rows = [r for r in demo_rows("positions.csv") if r["category"] == "management"]
    assert [e["node"]["id"] for e in got] == [
        r["id"] for r in sorted(rows, key=lambda r: (-int(r["grade"]), r["id"]))]
    text = data(demo_server.client, """{ responsibilities(filter: {text: "外观"}) {
        edges { node { id name } } } }""")["responsibilities"]["edges"]
    assert {e["node"]["id"] for e in text} >= {"R0079", "R0087"}
    assert all("外观" in e["node"]["name"] for e in text)


def test_cursor_pagination_walks_every_record_once(demo_server: LiveServer) -> None:
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = data(demo_server.client, """query($after: String) {
            employees(first: 40, after: $after) { totalCount
              pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { id } } } }""",
                    after=after)["employees"]
        seen += [e["node"]["id"] for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] == (pages > 0)
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(r["id"] for r in demo_rows("employees.csv"))
    assert pages == -(-len(seen) // 40)
    assert page["totalCount"] == len(seen)


@pytest.mark.parametrize(("query", "field", "reason"), [
    ("{ positions(first: 101) { totalCount } }", "first", "between 1 and 100"),
    ("{ positions(first: 0) { totalCount } }", "first", "between 1 and 100"),
    ('{ positions(after: "bm9wZQ==") { totalCount } }', "after", "is not a cursor"),
    ('{ positions(orderBy: [{field: "salary"}]) { totalCount } }', "orderBy.field",
     "Position has no property 'salary'"),
    ('{ kpis(filter: {department: "D01"}) { totalCount } }', "filter.department",
     "cannot be filtered by department"),
    ('{ positions(filter: {department: "D99"}) { totalCount } }', "department",
     "no Department with id 'D99'"),
])
def test_bad_list_arguments_name_the_field(demo_server: LiveServer, query: str, field: str,
                                           reason: str) -> None:
    err = error(demo_server.client, query)
    assert err["extensions"]["field"] == field
    assert reason in err["message"]


def test_cursor_is_opaque_but_stable(demo_server: LiveServer) -> None:
    got = data(demo_server.client, "{ positions(first: 2) { edges { cursor } } }")
    cursors = [e["cursor"] for e in got["positions"]["edges"]]
    assert [base64.urlsafe_b64decode(c).decode() for c in cursors] == ["offset:0", "offset:1"]


def test_incumbents_and_past_holders_side_by_side(demo_server: LiveServer) -> None:
    """Incumbents come from current assignments only, past holders from all of them; asked
    together in one page, each shows its own."""
    past = next(r for r in demo_rows("employee_positions.csv") if r["end_date"])
    got = data(demo_server.client, """{ positions(first: 100) { edges { node { id
        incumbents { employee { id } } pastHolders { endDate employee { id } } vacancies
        headcount } } } }""")["positions"]["edges"]
    node = next(e["node"] for e in got if e["node"]["id"] == past["position_id"])
    assert {i["employee"]["id"] for i in node["incumbents"]} == \
        demo_current_holders({past["position_id"]})
    assert {"endDate": past["end_date"], "employee": {"id": past["employee_id"]}} in \
        node["pastHolders"]
    assert all(h["endDate"] for h in node["pastHolders"])
    assert node["vacancies"] == max(node["headcount"] - len(node["incumbents"]), 0)
