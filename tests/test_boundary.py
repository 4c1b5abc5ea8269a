"""Boundary queries over real HTTP against the demo organisation on the embedded engine.

Each test asserts the exact records a query returns for the demo's planted cases
(samples/demo_data/PLANTED.md); where a whole list is checked, the expectation is computed
from the demo's CSV files, not from the API.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from api_client import data, demo_rows, error
from conftest import GraphHandle, LiveServer, LoopThread, demo_copy, serving

from graph.engine import EmbeddedEngine

HOLDER = "raci position { id } department { id }"


def _holders(found: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(h["raci"], h["position"]["id"], (h["department"] or {}).get("id")) for h in found]


def _positions() -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in demo_rows("positions.csv")}


def _layer(position: str) -> int:
    positions = _positions()
    layer = 1
    while positions[position]["reports_to_id"]:
        position = positions[position]["reports_to_id"]
        layer += 1
    return layer


# -- 1. shared responsibilities ------------------------------------------------------------------

SHARED = f"""query($department: ID, $order: SharedOrder!, $offset: Int!, $limit: Int!) {{
    sharedResponsibilities(department: $department, orderBy: $order, offset: $offset,
                           limit: $limit) {{
      totalCount items {{ responsibility {{ id name }} ownerCount responsibleCount
        accountableCount crossDepartment departments {{ id }} owners {{ {HOLDER} }} }} }} }}"""


def _shared(server: LiveServer, department: str | None = None, order: str = "OWNERS_DESC",
            offset: int = 0, limit: int = 100) -> dict[str, Any]:
    got: dict[str, Any] = data(server.client, SHARED, department=department, order=order,
                               offset=offset, limit=limit)["sharedResponsibilities"]
    return got


def test_shared_responsibilities_org_wide(demo_server: LiveServer) -> None:
    """PLANTED 1 and 4: 需求分析 R0008 is R for P005 (市场部) and P021 (研究所) and A for P004
    and P020: a cross-department overlap; 零件清点 R0086 is R for two 组装部 positions. No
    other responsibility has two R or two A."""
    got = _shared(demo_server)
    assert got["totalCount"] == 2
    r0008, r0086 = got["items"]
    assert r0008 == {
        "responsibility": {"id": "R0008", "name": "需求分析"},
        "ownerCount": 4, "responsibleCount": 2, "accountableCount": 2,
        "crossDepartment": True, "departments": [{"id": "D02"}, {"id": "D06"}],
        "owners": [{"raci": "R", "position": {"id": "P005"}, "department": {"id": "D02"}},
                   {"raci": "R", "position": {"id": "P021"}, "department": {"id": "D06"}},
                   {"raci": "A", "position": {"id": "P004"}, "department": {"id": "D02"}},
                   {"raci": "A", "position": {"id": "P020"}, "department": {"id": "D06"}}]}
    assert r0086["responsibility"] == {"id": "R0086", "name": "零件清点"}
    assert (r0086["ownerCount"], r0086["responsibleCount"], r0086["accountableCount"],
            r0086["crossDepartment"]) == (2, 2, 0, False)
    assert _holders(r0086["owners"]) == [("R", "P042", "D10"), ("R", "P043", "D10")]


def test_shared_responsibilities_sorted_and_paged(demo_server: LiveServer) -> None:
    ids = [[i["responsibility"]["id"] for i in _shared(demo_server, order=o)["items"]]
           for o in ("OWNERS_DESC", "OWNERS_ASC", "ID")]
    assert ids == [["R0008", "R0086"], ["R0086", "R0008"], ["R0008", "R0086"]]
    second = _shared(demo_server, offset=1, limit=1)
    assert second["totalCount"] == 2
    assert [i["responsibility"]["id"] for i in second["items"]] == ["R0086"]


@pytest.mark.parametrize(("department", "expected"), [
    ("D06", ["R0008"]),  # 研究所 owns 需求分析 too
    ("D02", ["R0008"]),
    ("D10", ["R0086"]),
    ("D01", ["R0008", "R0086"]),  # the top department: everything
    ("D13", []),
])
def test_shared_responsibilities_of_a_department(demo_server: LiveServer, department: str,
                                                 expected: list[str]) -> None:
    got = _shared(demo_server, department)
    assert [i["responsibility"]["id"] for i in got["items"]] == expected
    assert got["totalCount"] == len(expected)


def test_shared_responsibilities_bad_arguments(demo_server: LiveServer) -> None:
    err = error(demo_server.client, "{ sharedResponsibilities(minOwners: 1) { totalCount } }")
    assert err["extensions"] == {"code": "BAD_INPUT", "field": "minOwners"}
    err = error(demo_server.client, "{ sharedResponsibilities(limit: 0) { totalCount } }")
    assert err["extensions"] == {"code": "BAD_INPUT", "field": "limit"}
    err = error(demo_server.client,
                '{ sharedResponsibilities(department: "D99") { totalCount } }')
    assert err["extensions"] == {"code": "NOT_FOUND", "field": "department"}
    assert "D99" in err["message"]
    more = data(demo_server.client, "{ sharedResponsibilities(minOwners: 3) { totalCount } }")
    assert more == {"sharedResponsibilities": {"totalCount": 0}}


# -- 2. accountability gaps ----------------------------------------------------------------------

GAP = f"responsibility {{ id }} accountableCount responsibleCount holders {{ {HOLDER} }}"
GAPS = f"""query($department: ID) {{ accountabilityGaps(department: $department) {{
    noAccountable {{ {GAP} }}
    multipleAccountable {{ responsibility {{ id }} accountableCount responsibleCount }}
    noResponsible {{ {GAP} }}
    positionsWithoutResponsibilities {{ position {{ id title }} department {{ id }} }} }} }}"""


def test_accountability_gaps_org_wide(demo_server: LiveServer) -> None:
    """PLANTED 4, 1, 5, 6a: 零件清点 has no A; 需求分析 has two; 供应商年度评审 has no R;
    项目助理 P016 holds nothing. Every other responsibility has exactly one A and an R."""
    got = data(demo_server.client, GAPS)["accountabilityGaps"]
    assert got["noAccountable"] == [{
        "responsibility": {"id": "R0086"}, "accountableCount": 0, "responsibleCount": 2,
        "holders": [{"raci": "R", "position": {"id": "P042"}, "department": {"id": "D10"}},
                    {"raci": "R", "position": {"id": "P043"}, "department": {"id": "D10"}},
                    {"raci": "I", "position": {"id": "P051"}, "department": {"id": "D12"}}]}]
    assert got["multipleAccountable"] == [
        {"responsibility": {"id": "R0008"}, "accountableCount": 2, "responsibleCount": 2}]
    assert got["noResponsible"] == [{
        "responsibility": {"id": "R0038"}, "accountableCount": 1, "responsibleCount": 0,
        "holders": [{"raci": "A", "position": {"id": "P017"}, "department": {"id": "D05"}},
                    {"raci": "C", "position": {"id": "P045"}, "department": {"id": "D11"}},
                    {"raci": "I", "position": {"id": "P049"}, "department": {"id": "D12"}}]}]
    assert got["positionsWithoutResponsibilities"] == [
        {"position": {"id": "P016", "title": "项目助理"}, "department": {"id": "D04"}}]


def _gap_ids(got: dict[str, Any]) -> dict[str, list[str]]:
    return {k: [x["responsibility"]["id"] if "responsibility" in x else x["position"]["id"]
                for x in v] for k, v in got.items()}


@pytest.mark.parametrize(("department", "expected"), [
    # 项目开发部 consults on 需求分析 (P013 C), so its two A show there too; P016 sits there
    ("D04", {"noAccountable": [], "multipleAccountable": ["R0008"], "noResponsible": [],
             "positionsWithoutResponsibilities": ["P016"]}),
    ("D05", {"noAccountable": [], "multipleAccountable": [], "noResponsible": ["R0038"],
             "positionsWithoutResponsibilities": []}),
    ("D10", {"noAccountable": ["R0086"], "multipleAccountable": [], "noResponsible": [],
             "positionsWithoutResponsibilities": []}),
    ("D14", {"noAccountable": [], "multipleAccountable": [], "noResponsible": [],
             "positionsWithoutResponsibilities": []}),
])
def test_accountability_gaps_of_a_department(demo_server: LiveServer, department: str,
                                             expected: dict[str, list[str]]) -> None:
    got = data(demo_server.client, GAPS, department=department)["accountabilityGaps"]
    assert _gap_ids(got) == expected


# -- 4. similar responsibilities -----------------------------------------------------------------

SIMILAR = f"""query($department: ID, $threshold: Float!, $limit: Int!) {{
    similarResponsibilities(department: $department, threshold: $threshold, limit: $limit) {{
      threshold totalCount pairs {{ score sharedTerms
        a {{ responsibility {{ id name }} owners {{ {HOLDER} }} }}
        b {{ responsibility {{ id name }} owners {{ {HOLDER} }} }} }} }} }}"""


def _similar(server: LiveServer, department: str | None = None, threshold: float = 0.4,
             limit: int = 50) -> dict[str, Any]:
    got: dict[str, Any] = data(server.client, SIMILAR, department=department,
                               threshold=threshold, limit=limit)["similarResponsibilities"]
    return got


def _pair_ids(got: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["a"]["responsibility"]["id"], p["b"]["responsibility"]["id"])
            for p in got["pairs"]]


def test_similar_responsibilities_finds_the_planted_pairs_only(demo_server: LiveServer) -> None:
    """PLANTED 2 and 3: 需求分析 (市场部) ~ 需求细节确认 (研究所), and 零件外观检验 (成型部) ~
    零部件外观检查 (组装部). At the default threshold nothing else pairs up."""
    default = data(demo_server.client, "{ similarResponsibilities { threshold totalCount } }")
    assert default == {"similarResponsibilities": {"threshold": 0.4, "totalCount": 2}}
    got = _similar(demo_server)
    assert _pair_ids(got) == [("R0008", "R0045"), ("R0079", "R0087")]
    demand, inspection = got["pairs"]
    assert 0.5 < inspection["score"] < demand["score"] < 0.7
    assert demand["a"]["responsibility"] == {"id": "R0008", "name": "需求分析"}
    assert demand["b"]["responsibility"] == {"id": "R0045", "name": "需求细节确认"}
    assert _holders(demand["b"]["owners"]) == [("R", "P021", "D06"), ("A", "P022", "D06")]
    assert _holders(demand["a"]["owners"]) == [("R", "P005", "D02"), ("R", "P021", "D06"),
                                               ("A", "P004", "D02"), ("A", "P020", "D06")]
    assert demand["sharedTerms"][:3] == ["性能指标与验收标准", "明确产品功能范围", "客户需求"]
    assert _holders(inspection["a"]["owners"]) == [("R", "P040", "D09"), ("A", "P039", "D09")]
    assert _holders(inspection["b"]["owners"]) == [("R", "P044", "D10"), ("A", "P042", "D10")]
    assert any("外观" in term for term in inspection["sharedTerms"])
    assert {"划伤", "色差"} <= set(inspection["sharedTerms"])


def test_unrelated_duties_stay_below_the_threshold(demo_server: LiveServer) -> None:
    """The next most similar demo pairs (实验设备维护 ~ 数控设备维护 ...) are related but
    different duties: they score well under the default threshold."""
    low = _similar(demo_server, threshold=0.2, limit=10)
    assert _pair_ids(low)[:2] == [("R0008", "R0045"), ("R0079", "R0087")]
    assert low["totalCount"] > 2
    assert all(p["score"] < 0.3 for p in low["pairs"][2:])


@pytest.mark.parametrize(("department", "expected"), [
    ("D09", [("R0079", "R0087")]),  # the other duty may sit outside the department
    ("D10", [("R0079", "R0087")]),
    ("D06", [("R0008", "R0045")]),
    ("D13", []),
])
def test_similar_responsibilities_of_a_department(demo_server: LiveServer, department: str,
                                                  expected: list[tuple[str, str]]) -> None:
    assert _pair_ids(_similar(demo_server, department)) == expected


@pytest.mark.parametrize(("arguments", "field"), [
    ("threshold: 0", "threshold"), ("threshold: 1.5", "threshold"), ("limit: 0", "limit"),
    ("limit: 5000", "limit"), ('department: "D99"', "department")])
def test_similar_responsibilities_bad_arguments(demo_server: LiveServer, arguments: str,
                                                field: str) -> None:
    err = error(demo_server.client, f"{{ similarResponsibilities({arguments}) {{ totalCount }} }}")
    assert err["extensions"]["field"] == field


# -- 3. department interface ---------------------------------------------------------------------

INTERFACE = f"""query($a: ID!, $b: ID!) {{ departmentInterface(a: $a, b: $b) {{
    a {{ id name }} b {{ id name }} aDepartments bDepartments
    shared {{ responsibility {{ id }} holdersA {{ {HOLDER} }} holdersB {{ {HOLDER} }}
              contested contestedRoles }}
    similar {{ totalCount pairs {{ score sharedTerms a {{ responsibility {{ id }} }}
                                  b {{ responsibility {{ id }} }} }} }}
    reportingLines {{ position {{ id }} department {{ id }} reportsTo {{ id }}
                      reportsToDepartment {{ id }} }} }} }}"""


def test_interface_between_molding_and_assembly(demo_server: LiveServer) -> None:
    """PLANTED 3: 成型部 and 组装部 both inspect part appearance under two names. They share
    no owned duty; both are consulted on 新产品试产 and informed of 生产计划."""
    got = data(demo_server.client, INTERFACE, a="D09", b="D10")["departmentInterface"]
    assert (got["a"], got["b"]) == ({"id": "D09", "name": "成型部"},
                                    {"id": "D10", "name": "组装部"})
    assert (got["aDepartments"], got["bDepartments"]) == (["D09"], ["D10"])
    assert [(s["responsibility"]["id"], _holders(s["holdersA"]), _holders(s["holdersB"]),
             s["contested"]) for s in got["shared"]] == [
        ("R0036", [("C", "P037", "D09")], [("C", "P042", "D10")], False),
        ("R0108", [("I", "P036", "D09")], [("I", "P041", "D10")], False)]
    assert got["similar"]["totalCount"] == 1
    pair = got["similar"]["pairs"][0]
    assert (pair["a"]["responsibility"]["id"], pair["b"]["responsibility"]["id"]) == \
        ("R0079", "R0087")
    assert pair["score"] > 0.5 and pair["sharedTerms"]
    assert got["reportingLines"] == []
    swapped = data(demo_server.client, INTERFACE, a="D10", b="D09")["departmentInterface"]
    assert [(p["a"]["responsibility"]["id"], p["b"]["responsibility"]["id"])
            for p in swapped["similar"]["pairs"]] == [("R0087", "R0079")]


def test_interface_between_marketing_and_research(demo_server: LiveServer) -> None:
    """PLANTED 1 and 2: 市场部 and 研究所 both own 需求分析 (R and A on both sides), and word
    the same duty twice (需求分析 ~ 需求细节确认)."""
    got = data(demo_server.client, INTERFACE, a="D02", b="D06")["departmentInterface"]
    assert got["bDepartments"] == ["D06", "D15"]
    contested = [(s["responsibility"]["id"], s["contestedRoles"]) for s in got["shared"]
                 if s["contested"]]
    assert contested == [("R0008", ["R", "A"])]
    expected_shared = sorted(
        rid for rid, depts in _holding_departments().items()
        if depts & {"D02"} and depts & {"D06", "D15"})
    assert [s["responsibility"]["id"] for s in got["shared"]] == expected_shared
    assert [(p["a"]["responsibility"]["id"], p["b"]["responsibility"]["id"])
            for p in got["similar"]["pairs"]] == [("R0008", "R0045")]


def _holding_departments() -> dict[str, set[str]]:
    positions = _positions()
    found: dict[str, set[str]] = {}
    for row in demo_rows("position_responsibilities.csv"):
        found.setdefault(row["responsibility_id"], set()).add(
            positions[row["position_id"]]["department_id"])
    return found


def test_interface_of_a_department_with_one_inside_it(demo_server: LiveServer) -> None:
    """研究所 contains 材料实验室: its side is then 研究所 without the lab. The lab's head
    reports across the interface."""
    got = data(demo_server.client, INTERFACE, a="D06", b="D15")["departmentInterface"]
    assert (got["aDepartments"], got["bDepartments"]) == (["D06"], ["D15"])
    assert got["reportingLines"] == [{"position": {"id": "P024"}, "department": {"id": "D15"},
                                      "reportsTo": {"id": "P020"},
                                      "reportsToDepartment": {"id": "D06"}}]
    assert [(s["responsibility"]["id"], s["contested"]) for s in got["shared"]] == [
        ("R0059", False), ("R0060", False)]


def test_interface_bad_arguments(demo_server: LiveServer) -> None:
    err = error(demo_server.client, '{ departmentInterface(a: "D09", b: "D09") { a { id } } }')
    assert err["extensions"] == {"code": "BAD_INPUT", "field": "b"}
    err = error(demo_server.client, '{ departmentInterface(a: "D99", b: "D09") { a { id } } }')
    assert err["extensions"] == {"code": "NOT_FOUND", "field": "a"}
    err = error(demo_server.client, '{ departmentInterface(a: "D09", b: "D10", threshold: 2) '
                                    '{ a { id } } }')
    assert err["extensions"] == {"code": "BAD_INPUT", "field": "threshold"}


# -- 5. RACI matrix ------------------------------------------------------------------------------

RACI = """query($department: ID, $process: String) {
    raciMatrix(department: $department, process: $process) {
      department { id } process
      columns { position { id } department { id } inScope }
      rows { responsibility { id } cells { column roles } } } }"""


def _expected_matrix(rows: set[str], own: set[str]) -> tuple[list[tuple[str, bool]],
                                                             dict[str, dict[str, str]]]:
    """(columns, responsibility -> position -> roles) from the demo's CSV files."""
    cells: dict[str, dict[str, str]] = {r: {} for r in rows}
    for row in demo_rows("position_responsibilities.csv"):
        if row["responsibility_id"] in rows:
            cell = cells[row["responsibility_id"]]
            cell[row["position_id"]] = "".join(
                sorted(cell.get(row["position_id"], "") + row["raci"], key="RACI".index))
    holders = {p for c in cells.values() for p in c}
    columns = [(p, True) for p in sorted(own)] + [(p, False) for p in sorted(holders - own)]
    return columns, cells


def _matrix_cells(got: dict[str, Any]) -> dict[str, dict[str, str]]:
    columns = [c["position"]["id"] for c in got["columns"]]
    return {row["responsibility"]["id"]: {columns[c["column"]]: "".join(c["roles"])
                                          for c in row["cells"]}
            for row in got["rows"]}


def test_raci_matrix_of_a_department(demo_server: LiveServer) -> None:
    """组装部's matrix: its positions first, then everyone else holding a role in its
    duties; 零件清点 shows its missing A (R by P042 and P043, I by P051)."""
    got = data(demo_server.client, RACI, department="D10")["raciMatrix"]
    own = {p for p, r in _positions().items() if r["department_id"] == "D10"}
    rows = {r["responsibility_id"] for r in demo_rows("position_responsibilities.csv")
            if r["position_id"] in own}
    columns, cells = _expected_matrix(rows, own)
    assert got["department"] == {"id": "D10"} and got["process"] is None
    assert [(c["position"]["id"], c["inScope"]) for c in got["columns"]] == columns
    assert [r["responsibility"]["id"] for r in got["rows"]] == sorted(rows)
    assert _matrix_cells(got) == cells
    assert _matrix_cells(got)["R0086"] == {"P042": "R", "P043": "R", "P051": "I"}
    assert _matrix_cells(got)["R0087"] == {"P042": "A", "P044": "R"}


def test_raci_matrix_of_a_process(demo_server: LiveServer) -> None:
    got = data(demo_server.client, RACI, process="质量管理")["raciMatrix"]
    rows = {r["id"] for r in demo_rows("responsibilities.csv") if r["process"] == "质量管理"}
    columns, cells = _expected_matrix(rows, set())
    assert got["process"] == "质量管理" and got["department"] is None
    assert [(c["position"]["id"], c["inScope"]) for c in got["columns"]] == \
        [(p, True) for p, _ in columns]
    assert _matrix_cells(got) == cells
    assert {"R0079", "R0087"} <= set(cells)


def test_raci_matrix_shows_a_position_without_duties(demo_server: LiveServer) -> None:
    """项目开发部's matrix has a column for 项目助理 P016, empty in every row."""
    got = data(demo_server.client, RACI, department="D04")["raciMatrix"]
    index = [c["position"]["id"] for c in got["columns"]].index("P016")
    assert got["columns"][index]["inScope"] is True
    assert got["rows"] and all(index not in [c["column"] for c in row["cells"]]
                               for row in got["rows"])


def test_raci_matrix_bad_arguments(demo_server: LiveServer) -> None:
    err = error(demo_server.client, "{ raciMatrix { process } }")
    assert err["extensions"] == {"code": "BAD_INPUT", "field": "department"}
    err = error(demo_server.client, '{ raciMatrix(department: "D10", process: "质量管理") '
                                    "{ process } }")
    assert err["extensions"] == {"code": "BAD_INPUT", "field": "department"}
    err = error(demo_server.client, '{ raciMatrix(process: "炼金") { process } }')
    assert err["extensions"] == {"code": "NOT_FOUND", "field": "process"}


def _csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_raci_csv_download(demo_server: LiveServer) -> None:
    response = demo_server.client.get("/raci.csv", params={"department": "D10"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == \
        "attachment; filename=\"raci-D10.csv\"; filename*=UTF-8''raci-D10.csv"
    table = _csv(response.text)
    matrix = data(demo_server.client, RACI, department="D10")["raciMatrix"]
    positions = _positions()
    departments = {r["id"]: r["name"] for r in demo_rows("departments.csv")}
    assert table[0] == ["responsibility_id", "responsibility", "process", *(
        f"{p} {positions[p]['title']} ({departments[positions[p]['department_id']]})"
        for p in (c["position"]["id"] for c in matrix["columns"]))]
    assert table[0][3] == "P041 组装部经理 (组装部)"
    body = {row[0]: row for row in table[1:]}
    assert list(body) == [r["responsibility"]["id"] for r in matrix["rows"]]
    r0086 = dict(zip(table[0], body["R0086"], strict=True))
    assert (r0086["responsibility"], r0086["process"]) == ("零件清点", "生产制造")
    assert {k.split()[0]: v for k, v in r0086.items() if k.startswith("P") and v} == {
        "P042": "R", "P043": "R", "P051": "I"}


def test_raci_csv_of_a_process(demo_server: LiveServer) -> None:
    response = demo_server.client.get("/raci.csv", params={"process": "质量管理"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"raci-____.csv\"; "
        "filename*=UTF-8''raci-%E8%B4%A8%E9%87%8F%E7%AE%A1%E7%90%86.csv")
    table = _csv(response.text)
    assert [row[0] for row in table[1:]] == sorted(
        r["id"] for r in demo_rows("responsibilities.csv") if r["process"] == "质量管理")


@pytest.mark.parametrize(("params", "message"), [
    ({}, "give either ?department=<id> or ?process=<name>"),
    ({"department": "D10", "process": "质量管理"}, "not both"),
    ({"department": "D99"}, "no Department with id 'D99'"),
    ({"process": "炼金"}, "no responsibility belongs to the process '炼金'"),
])
def test_raci_csv_bad_parameters(demo_server: LiveServer, params: dict[str, str],
                                 message: str) -> None:
    response = demo_server.client.get("/raci.csv", params=params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


# -- 6. spans, layers, department shapes, headcount ----------------------------------------------

SPANS = """query($department: ID, $only: Boolean!) {
    positionSpans(department: $department, overLimitOnly: $only) {
      position { id } department { id } span directReports { id } overLimit } }"""


def test_spans_of_control(demo_server: LiveServer) -> None:
    """PLANTED 9a: 总经理 P001 has 14 direct reports (P002 and the 13 department heads); the
    next widest spans are 4 (P049, P054)."""
    got = data(demo_server.client, SPANS, only=False)["positionSpans"]
    reports = Counter(r["reports_to_id"] for r in demo_rows("positions.csv")
                      if r["reports_to_id"])
    expected = sorted(reports.items(), key=lambda item: (-item[1], item[0]))
    assert [(s["position"]["id"], s["span"]) for s in got] == expected
    top = got[0]
    assert (top["position"]["id"], top["span"], top["overLimit"]) == ("P001", 14, True)
    assert [p["id"] for p in top["directReports"]] == sorted(
        r["id"] for r in demo_rows("positions.csv") if r["reports_to_id"] == "P001")
    assert [(s["position"]["id"], s["span"]) for s in got[1:3]] == [("P049", 4), ("P054", 4)]
    assert not any(s["overLimit"] for s in got[1:])
    over = data(demo_server.client, SPANS, only=True)["positionSpans"]
    assert [s["position"]["id"] for s in over] == ["P001"]


def test_spans_with_a_lower_limit_in_a_department(demo_server: LiveServer) -> None:
    got = data(demo_server.client, """{ positionSpans(department: "D12", maxSpan: 3,
        overLimitOnly: true) { position { id } span } }""")["positionSpans"]
    assert got == [{"position": {"id": "P049"}, "span": 4}]


LAYERS = """query($department: ID, $only: Boolean!) {
    positionLayers(department: $department, overLimitOnly: $only) {
      position { id } department { id } layer chain { id } overLimit } }"""


def test_management_layers(demo_server: LiveServer) -> None:
    """PLANTED 9b: the chain P001 > P020 > P024 > P025 > P026 > P027 reaches layer 6; no other
    position is below layer 4 (the default limit)."""
    got = data(demo_server.client, LAYERS, only=False)["positionLayers"]
    assert {p["position"]["id"]: p["layer"] for p in got} == {
        p: _layer(p) for p in _positions()}
    deepest = got[0]
    assert (deepest["position"]["id"], deepest["layer"], deepest["department"]) == \
        ("P027", 6, {"id": "D15"})
    assert [p["id"] for p in deepest["chain"]] == ["P001", "P020", "P024", "P025", "P026", "P027"]
    over = data(demo_server.client, LAYERS, only=True)["positionLayers"]
    assert [(p["position"]["id"], p["layer"]) for p in over] == [("P027", 6), ("P026", 5)]
    top = [p for p in got if p["position"]["id"] == "P001"]
    assert top == [{"position": {"id": "P001"}, "department": {"id": "D01"}, "layer": 1,
                    "chain": [{"id": "P001"}], "overLimit": False}]


def test_layers_of_a_department(demo_server: LiveServer) -> None:
    got = data(demo_server.client, LAYERS, department="D06", only=False)["positionLayers"]
    expected = {p for p, r in _positions().items() if r["department_id"] in ("D06", "D15")}
    assert {p["position"]["id"] for p in got} == expected


SHAPES = """query($maxDepth: Int!, $maxSpan: Int!, $only: Boolean!) {
    departmentShapes(maxDepth: $maxDepth, maxSpan: $maxSpan, overLimitOnly: $only) {
      department { id } layers topLayer bottomLayer widestSpan widestPositions { id }
      tooDeep tooWide } }"""


def test_departments_beyond_the_limits(demo_server: LiveServer) -> None:
    """总经办 is too wide (P001's 14 reports > 10); 材料实验室 stacks four layers of its own
    (P024 at layer 3 down to P027 at layer 6 > 3). Every other department has at most 3."""
    got = data(demo_server.client, SHAPES, maxDepth=3, maxSpan=10, only=True)["departmentShapes"]
    assert got == [
        {"department": {"id": "D01"}, "layers": 3, "topLayer": 1, "bottomLayer": 3,
         "widestSpan": 14, "widestPositions": [{"id": "P001"}], "tooDeep": False,
         "tooWide": True},
        {"department": {"id": "D15"}, "layers": 4, "topLayer": 3, "bottomLayer": 6,
         "widestSpan": 1, "widestPositions": [{"id": "P024"}, {"id": "P025"}, {"id": "P026"}],
         "tooDeep": True, "tooWide": False}]
    every = data(demo_server.client, SHAPES, maxDepth=3, maxSpan=10,
                 only=False)["departmentShapes"]
    staffed = {r["department_id"] for r in demo_rows("positions.csv")}
    assert [d["department"]["id"] for d in every] == sorted(staffed)  # D16 has no positions
    assert "D16" not in staffed


def test_limits_must_be_positive(demo_server: LiveServer) -> None:
    for query, field in [("{ positionSpans(maxSpan: 0) { span } }", "maxSpan"),
                         ("{ positionLayers(maxLayers: 0) { layer } }", "maxLayers"),
                         ("{ departmentShapes(maxDepth: -1) { layers } }", "maxDepth")]:
        assert error(demo_server.client, query)["extensions"] == {"code": "BAD_INPUT",
                                                                  "field": field}


HEADCOUNT = """query($department: ID) { headcountStatus(department: $department) {
    overflow { position { id } department { id } headcount incumbents difference }
    vacancies { position { id } headcount incumbents difference } } }"""


def test_headcount_overflow_and_vacancies(demo_server: LiveServer) -> None:
    """PLANTED 8 and 8': 质量工程师 P046 has headcount 2 and three incumbents; P006, P010,
    P033, P038 and P043 have vacancies; every other position is exactly full."""
    got = data(demo_server.client, HEADCOUNT)["headcountStatus"]
    assert got["overflow"] == [{"position": {"id": "P046"}, "department": {"id": "D11"},
                                "headcount": 2, "incumbents": 3, "difference": 1}]
    assert [(v["position"]["id"], v["headcount"], v["incumbents"], v["difference"])
            for v in got["vacancies"]] == [
        ("P006", 2, 1, -1), ("P010", 24, 22, -2), ("P033", 24, 22, -2), ("P038", 40, 37, -3),
        ("P043", 70, 66, -4)]
    in_quality = data(demo_server.client, HEADCOUNT, department="D11")["headcountStatus"]
    assert [o["position"]["id"] for o in in_quality["overflow"]] == ["P046"]
    assert in_quality["vacancies"] == []


# -- answers follow writes made through the API ---------------------------------------------------


@pytest.fixture(scope="module")
def own_demo(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    with demo_copy(engine, loop_thread, "bnd") as handle:
        yield handle


@pytest.fixture(scope="module")
def own_server(own_demo: GraphHandle) -> Iterator[LiveServer]:
    with serving(own_demo.connection) as live:
        yield live


@pytest.fixture(scope="module")
def other_server(own_demo: GraphHandle) -> Iterator[LiveServer]:
    """A second app (another process, as far as caches go) over the same graph."""
    with serving(own_demo.connection) as live:
        yield live


def test_similar_responsibilities_follow_edits(own_server: LiveServer,
                                               other_server: LiveServer) -> None:
    """The text index is cached per process; a responsibility renamed through the API, by
    this app or another one serving the same graph, shows in the very next answer."""
    c = own_server.client
    assert _pair_ids(_similar(own_server)) == [("R0008", "R0045"), ("R0079", "R0087")]
    assert _pair_ids(_similar(other_server)) == [("R0008", "R0045"), ("R0079", "R0087")]
    data(c, """mutation { updateResponsibility(id: "R0045", input: {name: "专利年费缴纳",
        description: "按期缴纳专利年费并登记缴费凭证"}) { id } }""")
    assert _pair_ids(_similar(own_server)) == [("R0079", "R0087")]
    assert _pair_ids(_similar(other_server)) == [("R0079", "R0087")]
    data(other_server.client, """mutation { updateResponsibility(id: "R0045", input: {
        name: "需求说明确认",
        description: "分析客户需求并编写产品需求文档，明确产品功能范围、性能指标与验收标准"})
        { id } }""")
    assert _pair_ids(_similar(other_server))[0] == ("R0008", "R0045")
    again = _similar(own_server)
    assert _pair_ids(again)[0] == ("R0008", "R0045")
    assert again["pairs"][0]["score"] > 0.85  # same description, names differ
    interface = data(c, INTERFACE, a="D02", b="D06")["departmentInterface"]
    assert interface["similar"]["pairs"][0]["score"] == again["pairs"][0]["score"]


def test_shared_and_gaps_follow_edits(own_server: LiveServer) -> None:
    c = own_server.client
    data(c, """mutation { assignResponsibility(input: {positionId: "P016",
        responsibilityId: "R0086", raci: A}) { id } }""")
    gaps = data(c, GAPS)["accountabilityGaps"]
    assert gaps["noAccountable"] == [] and gaps["positionsWithoutResponsibilities"] == []
    shared = _shared(own_server)
    r0086 = next(i for i in shared["items"] if i["responsibility"]["id"] == "R0086")
    assert (r0086["ownerCount"], r0086["crossDepartment"]) == (3, True)
    assert [d["id"] for d in r0086["departments"]] == ["D04", "D10"]
    data(c, """mutation { createResponsibility(input: {id: "R9001", name: "档案室钥匙保管"})
        { id } }""")
    orphan = {"responsibility": {"id": "R9001"}, "accountableCount": 0, "responsibleCount": 0,
              "holders": []}
    gaps = data(c, GAPS)["accountabilityGaps"]
    assert (gaps["noAccountable"], gaps["noResponsible"]) == ([orphan], [
        {"responsibility": {"id": "R0038"}, "accountableCount": 1, "responsibleCount": 0,
         "holders": gaps["noResponsible"][0]["holders"]}, orphan])
    by_department = data(c, GAPS, department="D01")["accountabilityGaps"]
    assert by_department["noAccountable"] == []  # nobody in the organisation holds it
