"""Performance management over real HTTP on the demo organisation: the exact numbers of
PLANTED.md, section "Performance (2026)", the arguments refused, and who sees which appraisal.

Expected values are the planted ones (worked out by hand from the demo's CSV files and the
README formulas), never taken from the API itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from access_oracle import MANAGER, reporting_line
from api_client import data, demo_current_holders, demo_subtree, error, gql
from conftest import LiveServer

APPRAISAL = """query($e: ID!, $p: String!, $bonus: Float) {
  appraisal(employee: $e, period: $p, baseBonus: $bonus) {
    employee { id } period position { id } department { id }
    kpis { kpi { id } position { id } weight higherIsBetter target actual status achievement
           points contribution alert }
    totalWeight kpiScore feedback { relation mean count weight normalisedWeight }
    feedbackCount feedbackScore kpiWeight feedbackWeight finalScore rating multiplier
    baseBonus bonus complete missing { kpi { id } status }
    alerts { kpi { id } achievement managers { id } keyResult { id } objective { id } }
    formula explanation } }"""


def _appraisal(server: LiveServer, e: str, period: str = "2026-Q1",
               bonus: float | None = None) -> dict[str, Any]:
    return data(server.client, APPRAISAL, e=e, p=period, bonus=bonus)["appraisal"]


def _kpi(got: dict[str, Any], kpi: str) -> dict[str, Any]:
    return next(t for t in got["kpis"] if t["kpi"]["id"] == kpi)


def _scores(got: dict[str, Any]) -> tuple[Any, ...]:
    return got["kpiScore"], got["feedbackScore"], got["finalScore"], got["rating"]


def test_planted_15a_lower_is_better_alert(demo_server: LiveServer) -> None:
    """E0126 (P037), 2026-Q1: K030 注塑不良率 (lower is better) 1.5 / 2.5 = 0.6, an alert;
    KPI 65.2, feedback 60.0, final 63.6, needs_improvement, no bonus at multiplier 0."""
    got = _appraisal(demo_server, "E0126", bonus=10000)
    assert _scores(got) == (65.2, 60.0, 63.6, "NEEDS_IMPROVEMENT")
    k030 = _kpi(got, "K030")
    assert (k030["higherIsBetter"], k030["target"], k030["actual"], k030["achievement"],
            k030["points"], k030["alert"], k030["status"]) == \
        (False, 1.5, 2.5, 0.6, 6.0, True, "SCORED")
    assert [a["kpi"]["id"] for a in got["alerts"]] == ["K030"]
    assert (got["multiplier"], got["bonus"], got["complete"]) == (0.0, 0.0, True)
    assert (got["kpiWeight"], got["feedbackWeight"]) == (0.7, 0.3)
    assert got["position"] == {"id": "P037"} and got["totalWeight"] == 100.0
    assert "final 63.6" in got["explanation"] and "achievement" in got["formula"]


def test_planted_15b_weights_normalised(demo_server: LiveServer) -> None:
    """E0042 (P012), 2026-Q1: K012 8 → 4.8 alerts at 0.6; KPI 72.5 over weights 40/30/20,
    feedback 52.5 (manager 3, peers 2 and 2), final 66.5, needs_improvement."""
    got = _appraisal(demo_server, "E0042")
    assert _scores(got) == (72.5, 52.5, 66.5, "NEEDS_IMPROVEMENT")
    assert _kpi(got, "K012")["achievement"] == 0.6 and _kpi(got, "K012")["alert"]
    assert sorted(t["weight"] for t in got["kpis"]) == [20.0, 30.0, 40.0]
    feedback = {f["relation"]: (f["mean"], f["count"], f["weight"]) for f in got["feedback"]}
    assert feedback["MANAGER"] == (3.0, 1, 0.5) and feedback["PEER"] == (2.0, 2, 0.3)


def test_planted_15c_to_15f(demo_server: LiveServer) -> None:
    """An alert with a qualified rating (E0275), exactly 70 % not alerting (E0030), the
    employee's own target (E0025) and only self feedback (E0150), all 2026-Q1."""
    e0275 = _appraisal(demo_server, "E0275")
    assert _scores(e0275) == (78.6, 80.0, 79.0, "QUALIFIED")
    assert _kpi(e0275, "K036")["achievement"] == 0.68 and _kpi(e0275, "K036")["alert"]
    e0030 = _appraisal(demo_server, "E0030")
    assert _scores(e0030) == (92.1, 80.0, 88.5, "QUALIFIED")
    assert (_kpi(e0030, "K007")["achievement"], _kpi(e0030, "K007")["alert"]) == (0.7, False)
    assert e0030["alerts"] == []
    e0025 = _appraisal(demo_server, "E0025")
    assert _scores(e0025) == (86.6, 67.5, 80.9, "QUALIFIED")
    k007 = _kpi(e0025, "K007")
    assert (k007["target"], k007["actual"], k007["achievement"], k007["alert"]) == \
        (200.0, 190.0, 0.95, False)
    e0150 = _appraisal(demo_server, "E0150")
    assert _scores(e0150) == (76.0, None, 76.0, "QUALIFIED")
    assert (e0150["kpiWeight"], e0150["feedbackWeight"]) == (1.0, 0.0)


def test_planted_15g_incomplete_quarter(demo_server: LiveServer) -> None:
    """E0230 (P043) has no KPI result in 2026-Q3: incomplete, no rating, every KPI missing;
    rated in Q1."""
    got = _appraisal(demo_server, "E0230", "2026-Q3")
    assert (got["complete"], got["finalScore"], got["rating"], got["multiplier"]) == \
        (False, None, None, None)
    assert got["feedbackScore"] == 80.0 and got["kpiScore"] is None
    assert got["missing"] and all(m["status"] == "MISSING_RESULT" for m in got["missing"])
    assert _appraisal(demo_server, "E0230", "2026-Q1")["complete"]


APPRAISALS = """query($p: String!, $d: ID, $r: AppraisalRating, $first: Int!, $after: String) {
  appraisals(period: $p, department: $d, rating: $r, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    distribution { excellent qualified needsImprovement incomplete }
    edges { node { employee { id } rating finalScore complete } } } }"""


def _all(client: Any, period: str, department: str | None = None,
         rating: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = data(client, APPRAISALS, p=period, d=department, r=rating, first=100,
                    after=after)["appraisals"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes, page["distribution"], page["totalCount"]
        after = page["pageInfo"]["endCursor"]


def test_appraisals_paged_with_the_company_distribution(demo_server: LiveServer) -> None:
    """2026-Q1: 298 rated, 59 / 210 / 29, E0003 and E0004 (no KPIs) incomplete; pages
    follow each other by employee id; the rating filter keeps the distribution."""
    nodes, dist, total = _all(demo_server.client, "2026-Q1")
    assert dist == {"excellent": 59, "qualified": 210, "needsImprovement": 29,
                    "incomplete": total - 298}
    ids = [n["employee"]["id"] for n in nodes]
    assert ids == sorted(ids) and len(ids) == total
    incomplete = {n["employee"]["id"] for n in nodes if not n["complete"]}
    assert {"E0003", "E0004"} <= incomplete
    low, dist2, n_low = _all(demo_server.client, "2026-Q1", rating="NEEDS_IMPROVEMENT")
    assert n_low == 29 == len(low) and dist2 == dist
    assert {"E0126", "E0042"} <= {n["employee"]["id"] for n in low}
    _, q3, _ = _all(demo_server.client, "2026-Q3")
    assert (q3["excellent"], q3["qualified"], q3["needsImprovement"]) == (59, 209, 29)


CALIBRATION = """query($p: String!, $d: ID) { calibration(period: $p, department: $d) {
  department { id } departments { id } size within explanation
  counts { rating count low high within moveIn moveOut }
  placements { employee { id } rating calibratedRating rank } } }"""


def test_planted_16_calibration_of_d07(demo_server: LiveServer) -> None:
    """D07 模具部 in 2026-Q2: 11 rated, 6 excellent (move out 4), 5 qualified (move in 3),
    0 needs_improvement (move in 1); within the guideline in the other quarters."""
    groups = data(demo_server.client, CALIBRATION, p="2026-Q2", d="D07")["calibration"]
    assert len(groups) == 1
    g = groups[0]
    assert (g["department"], g["size"], g["within"]) == ({"id": "D07"}, 11, False)
    counts = {c["rating"]: (c["count"], c["moveIn"], c["moveOut"]) for c in g["counts"]}
    assert counts == {"EXCELLENT": (6, 0, 4), "QUALIFIED": (5, 3, 0),
                      "NEEDS_IMPROVEMENT": (0, 1, 0)}
    assert sorted(p["employee"]["id"] for p in g["placements"] if p["rating"] == "EXCELLENT") \
        == ["E0082", "E0085", "E0086", "E0087", "E0089", "E0090"]
    assert {p["employee"]["id"] for p in g["placements"]} == \
        {f"E{n:04d}" for n in range(82, 93)}
    for quarter in ("2026-Q1", "2026-Q3", "2026-Q4"):
        other = data(demo_server.client, CALIBRATION, p=quarter, d="D07")["calibration"][0]
        assert other["within"], (quarter, other["explanation"])
        assert [c["count"] for c in other["counts"]] == [2, 8, 1]


def test_calibration_groups_of_the_organisation(demo_server: LiveServer) -> None:
    """Groups under 10 merge upward: D01 37, D03 33, D06 23, D07 11, D08 31, D09 52, D10 76,
    D11 21, D12 14 in 2026-Q1, the organisation's own group above them empty."""
    groups = data(demo_server.client, CALIBRATION, p="2026-Q1")["calibration"]
    sizes = {None if g["department"] is None else g["department"]["id"]: g["size"]
             for g in groups}
    assert sizes == {None: 0, "D01": 37, "D03": 33, "D06": 23, "D07": 11, "D08": 31,
                     "D09": 52, "D10": 76, "D11": 21, "D12": 14}


ALERTS = """query($p: String!, $d: ID) { kpiAlerts(period: $p, department: $d) {
  employee { id } kpi { id } position { id } department { id } managers { id }
  keyResult { id } objective { id } target actual achievement threshold explanation } }"""


def test_planted_alerts_are_exactly_15a_to_15c(demo_server: LiveServer) -> None:
    """2026-Q1 alerts: E0126 K030, E0042 K012, E0275 K036 (not E0030's exactly 70 %, not
    E0025's own-target 95 %), each with its manager, key result and objective."""
    got = data(demo_server.client, ALERTS, p="2026-Q1", d=None)["kpiAlerts"]
    assert [(a["employee"]["id"], a["kpi"]["id"]) for a in got] == \
        [("E0042", "K012"), ("E0126", "K030"), ("E0275", "K036")]
    assert [a["achievement"] for a in got] == [0.6, 0.6, 0.68]
    assert all(a["managers"] and a["keyResult"] and a["objective"] for a in got)
    e0126 = got[1]
    assert e0126["position"] == {"id": "P037"} and e0126["department"] == {"id": "D09"}
    assert e0126["threshold"] == 0.7 and "60 %" in e0126["explanation"]
    in_d09 = data(demo_server.client, ALERTS, p="2026-Q1", d="D09")["kpiAlerts"]
    assert [a["employee"]["id"] for a in in_d09] == ["E0126"]


NEEDS = """query($p: String!, $d: ID) { trainingNeeds(period: $p, department: $d) {
  period needs { employee { id } rating alerts position { id }
                 gaps { competency { id } required held weight missing priority } explanation }
  departments { department { id } employees competencies { competency { id } employees
                totalPriority } } } }"""


def test_planted_training_needs(demo_server: LiveServer) -> None:
    """E0126: C019 注塑工艺调试 first (3 − 2, weight 3 → 3), then C051 高分子材料 (2 − 1, weight
    2 → 2); E0042 only C077; E0275 (alert, qualified) listed without a gap."""
    got = data(demo_server.client, NEEDS, p="2026-Q1", d=None)["trainingNeeds"]
    needs = {n["employee"]["id"]: n for n in got["needs"]}
    gaps = [(g["competency"]["id"], g["required"], g["held"], g["weight"], g["priority"])
            for g in needs["E0126"]["gaps"]]
    assert gaps[:2] == [("C019", 3, 2, 3.0, 3.0), ("C051", 2, 1, 2.0, 2.0)]
    assert [(g["competency"]["id"], g["required"], g["held"], g["weight"])
            for g in needs["E0042"]["gaps"]] == [("C077", 3, 2, 1.0)]
    assert needs["E0275"]["gaps"] == [] and needs["E0275"]["rating"] == "QUALIFIED"
    assert needs["E0275"]["alerts"] == 1
    assert len(got["needs"]) == 29 + 1  # the needs_improvement ones and E0275
    assert got["departments"][0]["department"] is None
    assert got["departments"][0]["employees"] == len(got["needs"])


OBJECTIVES = """query($p: String!, $d: ID) { objectiveProgress(period: $p, department: $d) {
  period department { id } progress formula
  objectives { objective { id } children { objective { id } children { objective { id } } } }
  all { objective { id } progress percent aligned keyResults { keyResult { id } progress } }
  departments { department { id } progress }
  misaligned { objective { id } aligned explanation }
  unalignedKpis { position { id } kpi { id } } } }"""


def _tree(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    return {n["objective"]["id"]: _tree(n.get("children") or []) for n in nodes}


def test_planted_14_objectives_and_alignment(demo_server: LiveServer) -> None:
    """O05 353/420, O08 0.9, O10 142/175; O11 (D05) under O10 (D12) is the only misaligned
    objective; K013 on P012 the only KPI serving no key result."""
    got = data(demo_server.client, OBJECTIVES, p="2026", d=None)["objectiveProgress"]
    tree = _tree(got["objectives"])
    assert list(tree) == ["O01", "O02", "O03", "O04"]
    assert tree["O01"]["O05"] == {"O20": {}, "O21": {}, "O22": {}, "O23": {}}
    assert tree["O03"]["O10"] == {"O11": {}}
    progress = {o["objective"]["id"]: o["progress"] for o in got["all"]}
    assert len(progress) == 23
    krs = {k["keyResult"]["id"]: k["progress"] for o in got["all"] for k in o["keyResults"]}
    assert (krs["KR12"], krs["KR20"], krs["KR23"]) == \
        (pytest.approx(0.9), pytest.approx(1.0), pytest.approx(0.8))
    assert progress["O05"] == pytest.approx(353 / 420, abs=1e-12)
    assert progress["O08"] == pytest.approx(0.9, abs=1e-12)
    assert progress["O10"] == pytest.approx(142 / 175, abs=1e-12)
    assert progress["O11"] == pytest.approx(6 / 7, abs=1e-12)
    assert [m["objective"]["id"] for m in got["misaligned"]] == ["O11"]
    assert got["unalignedKpis"] == [{"position": {"id": "P012"}, "kpi": {"id": "K013"}}]
    assert got["progress"] is not None
    d12 = data(demo_server.client, OBJECTIVES, p="2026", d="D12")["objectiveProgress"]
    assert [o["objective"]["id"] for o in d12["objectives"]] == ["O10"]
    assert d12["progress"] == pytest.approx(142 / 175, abs=1e-12)
    q1 = data(demo_server.client, OBJECTIVES, p="2026-Q1", d="D02")["objectiveProgress"]
    assert {o["objective"]["id"] for o in q1["all"]} == {"O05", "O20"}
    served = data(demo_server.client, """{ objectiveProgress(period: "2026", department: "D03") {
        all { keyResults { keyResult { id } kpis { id } } } } }""")["objectiveProgress"]["all"]
    kpis = {k["keyResult"]["id"]: [x["id"] for x in k["kpis"]]
            for o in served for k in o["keyResults"]}
    assert kpis and all(kpis.values())


# -- arguments -------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "variables", "code", "field"), [
    (ALERTS, {"p": "2026-Q5", "d": None}, "BAD_INPUT", "period"),
    (ALERTS, {"p": "2026-Q1", "d": "D99"}, "NOT_FOUND", "department"),
    (CALIBRATION, {"p": "26", "d": None}, "BAD_INPUT", "period"),
    (OBJECTIVES, {"p": "2026", "d": "D99"}, "NOT_FOUND", "department"),
    (NEEDS, {"p": "2026-Q1", "d": "D99"}, "NOT_FOUND", "department"),
    (APPRAISAL, {"e": "E9999", "p": "2026-Q1"}, "NOT_FOUND", "employee"),
    (APPRAISAL, {"e": "E0126", "p": "2026-Q5"}, "BAD_INPUT", "period"),
    (APPRAISALS, {"p": "2026-Q1", "first": 101}, "BAD_INPUT", "first"),
])
def test_bad_arguments(demo_server: LiveServer, query: str, variables: dict[str, Any],
                       code: str, field: str) -> None:
    """A malformed period, an unknown department or employee, a page too large: refused,
    naming the argument."""
    got = error(demo_server.client, query, **variables)
    assert got["extensions"]["code"] == code, got
    assert field in (got["extensions"].get("field") or got["message"]), got


# -- access ----------------------------------------------------------------------------------


def _ids(client: Any, period: str = "2026-Q1") -> set[str]:
    return {n["employee"]["id"] for n in _all(client, period)[0]}


def test_a_manager_sees_the_appraisals_of_their_line(demo_server: LiveServer) -> None:
    """The manager role reads sensitive values of its reporting line, as for reviews: exactly
    those people's appraisals (itself among them), nobody else's."""
    client = demo_server.as_("manager", sub=MANAGER)
    line = reporting_line(MANAGER)
    assert _ids(client) == line
    outside = "E0126"
    assert outside not in line
    got = error(client, APPRAISAL, e=outside, p="2026-Q1")
    assert got["extensions"]["code"] == "NOT_FOUND"
    alerts = data(client, ALERTS, p="2026-Q1", d=None)["kpiAlerts"]
    assert {a["employee"]["id"] for a in alerts} <= line


def test_an_employee_sees_only_their_own(demo_server: LiveServer) -> None:
    """The employee role sees itself only: its own appraisal, nobody else's."""
    client = demo_server.as_("employee", sub="E0180")
    assert _ids(client) == {"E0180"}
    assert data(client, APPRAISAL, e="E0180", p="2026-Q1")["appraisal"]["employee"] == \
        {"id": "E0180"}
    assert error(client, APPRAISAL, e="E0181", p="2026-Q1")["extensions"]["code"] == \
        "NOT_FOUND"
    groups = data(client, CALIBRATION, p="2026-Q1", d=None)["calibration"]
    assert sum(g["size"] for g in groups) <= 1


def test_hr_of_a_department_and_a_caller_without_roles(demo_server: LiveServer) -> None:
    """hr limited to D06 sees the people of D06 and below (and itself); a caller without a
    role no appraisal at all, but the objectives like everyone."""
    hr = demo_server.as_("hr", sub="E0288", departments=("D06",))
    people = demo_current_holders(_positions_in(demo_subtree("D06")))
    assert _ids(hr) == people | {"E0288"}  # and itself
    nobody = demo_server.as_(sub="monitoring")
    assert _ids(nobody) == set()
    body = gql(nobody, APPRAISAL, e="E0180", p="2026-Q1")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # objectives are organisation structure: the same for everyone
    assert data(nobody, OBJECTIVES, p="2026", d=None) == \
        data(demo_server.client, OBJECTIVES, p="2026", d=None)


def _positions_in(departments: set[str]) -> set[str]:
    from api_client import demo_rows

    return {r["id"] for r in demo_rows("positions.csv") if r["department_id"] in departments}
