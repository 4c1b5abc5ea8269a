"""Fit over real HTTP on the demo organisation: exact scores, gaps and rankings.

Expected values come from PLANTED.md and from an independent implementation of the formula
over the demo's CSV files (tests/fit_reference.py), never from the API itself.
"""

from __future__ import annotations

from datetime import date

import pytest
from api_client import data, error
from conftest import LiveServer
from fit_reference import Org, demo

AS_OF = "2026-01-01"  # the demo's reference date (PLANTED.md)
DAY = date(2026, 1, 1)

FIT = """query($e: ID!, $p: ID!, $asOf: Date) { fit(employee: $e, position: $p, asOf: $asOf) {
    employee { id } position { id } score eligible asOf formula totalWeight
    terms { competency { id } required actual weight mandatory coverage contribution met }
    gaps { competency { id } required actual weight mandatory }
    missingCertificates { certificate { id } issue expiredOn } } }"""


def _fit(server: LiveServer, e: str, p: str, as_of: str = AS_OF) -> dict:
    return data(server.client, FIT, e=e, p=p, asOf=as_of)["fit"]


def _terms(org: Org, e: str, p: str) -> list[dict]:
    return [{"competency": {"id": c}, "required": r, "actual": org.levels.get((e, c), 0),
             "weight": float(w), "mandatory": m}
            for c, r, w, m in sorted(org.requirements[p])]


def test_planted_13a_exact_fit_and_eligible(demo_server: LiveServer) -> None:
    """E0293 meets every requirement level of key position P054 exactly: fit 100, eligible,
    nothing missing; each term shows required = actual and contributes its weight share."""
    got = _fit(demo_server, "E0293", "P054")
    assert (got["score"], got["eligible"], got["gaps"], got["missingCertificates"]) == \
        (100.0, True, [], [])
    assert got["asOf"] == AS_OF and "min(aᵢ/rᵢ, 1)" in got["formula"]
    assert [{k: t[k] for k in ("competency", "required", "actual", "weight", "mandatory")}
            for t in got["terms"]] == _terms(demo(), "E0293", "P054")
    assert [t["competency"]["id"] for t in got["terms"]] == \
        ["C030", "C033", "C045", "C059", "C060", "C063"]
    assert all(t["required"] == t["actual"] and t["coverage"] == 1 and t["met"]
               for t in got["terms"])
    assert got["totalWeight"] == 12.0
    assert [t["contribution"] for t in got["terms"]] == [8.33, 16.67, 25.0, 25.0, 8.33, 16.67]


def test_planted_13b_full_fit_but_missing_certificate(demo_server: LiveServer) -> None:
    """E0300 meets every level of P059 but lacks CERT04 注册会计师: fit 100, not eligible."""
    got = _fit(demo_server, "E0300", "P059")
    assert (got["score"], got["eligible"], got["gaps"]) == (100.0, False, [])
    assert got["missingCertificates"] == [
        {"certificate": {"id": "CERT04"}, "issue": "NOT_HELD", "expiredOn": None}]


def test_planted_10_certificates_and_mandatory_levels(demo_server: LiveServer) -> None:
    """E0096 holds no CNC certificate, E0097's expired on 2025-08-31 (valid through that day),
    E0126 is below the mandatory level of C019 for P037."""
    org = demo()
    no_cert = _fit(demo_server, "E0096", "P033")
    assert (no_cert["eligible"], no_cert["missingCertificates"]) == (
        False, [{"certificate": {"id": "CERT01"}, "issue": "NOT_HELD", "expiredOn": None}])
    expired = _fit(demo_server, "E0097", "P033")
    assert (expired["eligible"], expired["missingCertificates"]) == (
        False, [{"certificate": {"id": "CERT01"}, "issue": "EXPIRED",
                 "expiredOn": "2025-08-31"}])
    assert _fit(demo_server, "E0097", "P033", "2025-08-31")["eligible"] is True
    below = _fit(demo_server, "E0126", "P037")
    assert below["eligible"] is False and below["missingCertificates"] == []
    assert below["gaps"] == [t for t in _terms(org, "E0126", "P037")
                             if t["actual"] < t["required"]]
    assert {"competency": {"id": "C019"}, "required": 3, "actual": 2, "weight": 3.0,
            "mandatory": True} in below["gaps"]
    assert below["score"] == org.fit("E0126", "P037") == 71.4


@pytest.mark.parametrize(("e", "p"), [("E0001", "P001"), ("E0059", "P054"), ("E0150", "P020"),
                                      ("E0010", "P033"), ("E0274", "P049"), ("E0290", "P059")])
def test_any_pair_matches_the_formula(demo_server: LiveServer, e: str, p: str) -> None:
    org = demo()
    got = _fit(demo_server, e, p)
    assert got["score"] == org.fit(e, p)
    assert got["eligible"] == org.eligible(e, p, DAY)
    assert [{k: t[k] for k in ("competency", "required", "actual", "weight", "mandatory")}
            for t in got["terms"]] == _terms(org, e, p)
    assert abs(sum(t["contribution"] for t in got["terms"]) - got["score"]) < 0.05 * len(
        got["terms"])


CANDIDATES = """query($p: ID!, $first: Int!, $eligibleOnly: Boolean!, $department: ID,
    $minFit: Float, $gradeMin: Int, $gradeMax: Int) {
    candidates(position: $p, first: $first, eligibleOnly: $eligibleOnly, department: $department,
               minFit: $minFit, gradeMin: $gradeMin, gradeMax: $gradeMax, asOf: "2026-01-01") {
      employee { id } score eligible } }"""


def _candidates(server: LiveServer, p: str, first: int = 20, eligible_only: bool = False,
                **filters: object) -> list[tuple[str, float, bool]]:
    got = data(server.client, CANDIDATES, p=p, first=first, eligibleOnly=eligible_only,
               **filters)["candidates"]
    return [(c["employee"]["id"], c["score"], c["eligible"]) for c in got]


def _expected_candidates(p: str, first: int, keep: object = None) -> list[tuple[str, float,
                                                                              bool]]:
    org = demo()
    people = [e for e in org.employees if e not in org.incumbents(p)
              and (keep is None or keep(e))]  # type: ignore[operator]
    return [(e, org.fit(e, p), org.eligible(e, p, DAY)) for e in org.ranked(p, people)[:first]]


def test_candidates_for_p054_rank_by_fit_then_id(demo_server: LiveServer) -> None:
    got = _candidates(demo_server, "P054", first=20)
    assert got == _expected_candidates("P054", 20)
    assert got[0] == ("E0293", 100.0, True)  # planted 13a
    assert "E0287" not in [e for e, _, _ in got]  # the incumbent is nobody's candidate
    scores = [s for _, s, _ in got]
    assert scores == sorted(scores, reverse=True)


def test_candidates_filters(demo_server: LiveServer) -> None:
    org = demo()
    assert _candidates(demo_server, "P059", eligible_only=True) == _expected_candidates(
        "P059", 20, lambda e: org.eligible(e, "P059", DAY))
    eligible = _candidates(demo_server, "P059", eligible_only=True)
    assert "E0300" not in [e for e, _, _ in eligible]  # planted 13b: no CERT04
    assert _candidates(demo_server, "P054", department="D14") == _expected_candidates(
        "P054", 20, lambda e: org.in_department(e, "D14"))
    assert _candidates(demo_server, "P020", minFit=40.0, first=100) == _expected_candidates(
        "P020", 100, lambda e: org.fit(e, "P020") >= 40)
    band = _candidates(demo_server, "P001", gradeMin=6, gradeMax=8, first=50)
    assert band == _expected_candidates(
        "P001", 50, lambda e: org.grade(e) is not None and 6 <= org.grade(e) <= 8)
    assert band


MOVES = """query($e: ID!, $first: Int!, $step: Int) {
    careerMoves(employee: $e, first: $first, maxGradeStep: $step, asOf: "2026-01-01") {
      position { id grade } score eligible } }"""


def test_career_moves_rank_positions_and_limit_the_grade_step(demo_server: LiveServer) -> None:
    org = demo()
    for e in ("E0293", "E0126", "E0059"):
        got = data(demo_server.client, MOVES, e=e, first=15)["careerMoves"]
        held = org.current[e]
        expected = sorted((p for p in org.positions if p not in held),
                          key=lambda p: (-org.fit(e, p), p))[:15]
        assert [g["position"]["id"] for g in got] == expected
        assert [g["score"] for g in got] == [org.fit(e, p) for p in expected]
        assert [g["eligible"] for g in got] == [org.eligible(e, p, DAY) for p in expected]
    got = data(demo_server.client, MOVES, e="E0293", first=100, step=1)["careerMoves"]
    limit = org.grade("E0293") + 1  # type: ignore[operator]
    expected = sorted((p for p in org.positions if p not in org.current["E0293"]
                       and int(org.positions[p]["grade"]) <= limit),
                      key=lambda p: (-org.fit("E0293", p), p))
    assert [g["position"]["id"] for g in got] == expected
    assert "P054" not in expected  # 人事部经理 is more than one grade above 薪酬绩效专员


MISMATCHES = """query($d: ID, $t: Float!) { mismatches(department: $d, threshold: $t,
    asOf: "2026-01-01") { fit { employee { id } position { id } score eligible } reasons } }"""


def _expected_mismatches(threshold: float, department: str | None = None) -> list[tuple]:
    org = demo()
    pairs = [(e, p) for e, held in org.current.items() for p in held
             if department is None or org.positions[p]["department_id"] in org.subtree(
                 department)]
    bad = [(org.fit(e, p), e, p, org.eligible(e, p, DAY)) for e, p in pairs
           if org.fit(e, p) < threshold or not org.eligible(e, p, DAY)]
    return [(e, p, s, ok) for s, e, p, ok in sorted(bad)]


def test_mismatch_report_org_wide_and_per_department(demo_server: LiveServer) -> None:
    got = data(demo_server.client, MISMATCHES, t=75.0)["mismatches"]
    rows = [(m["fit"]["employee"]["id"], m["fit"]["position"]["id"], m["fit"]["score"],
             m["fit"]["eligible"]) for m in got]
    assert rows == _expected_mismatches(75.0)
    ineligible = {(e, p) for e, p, _, ok in rows if not ok}
    assert ineligible == {("E0096", "P033"), ("E0097", "P033"), ("E0126", "P037")}  # planted 10
    reasons = {(m["fit"]["employee"]["id"]): m["reasons"] for m in got}
    assert reasons["E0097"] == ["certificate CERT01 expired on 2025-08-31"]
    assert reasons["E0126"] == ["fit 71.4 is below 75", "mandatory C019 at level 2, 3 required"]
    strict = data(demo_server.client, MISMATCHES, t=90.0)["mismatches"]
    assert [(m["fit"]["employee"]["id"], m["fit"]["position"]["id"]) for m in strict] == [
        (e, p) for e, p, _, _ in _expected_mismatches(90.0)]
    d08 = data(demo_server.client, MISMATCHES, d="D08", t=75.0)["mismatches"]
    assert [(m["fit"]["employee"]["id"], m["fit"]["position"]["id"]) for m in d08] == [
        (e, p) for e, p, _, _ in _expected_mismatches(75.0, "D08")] == [
        ("E0096", "P033"), ("E0097", "P033")]


WHO_CAN = """query($c: ID!, $level: Int!, $cert: ID, $d: ID) { whoCan(competency: $c,
    minLevel: $level, certificate: $cert, department: $d, asOf: "2026-01-01") {
      employee { id } level certificateExpiresOn } }"""


def test_who_can_run_the_cnc_line(demo_server: LiveServer) -> None:
    """Who can run the new CNC line: C017 CNC操作 at level 3 or more, with a valid CERT01."""
    org = demo()
    got = data(demo_server.client, WHO_CAN, c="C017", level=3, cert="CERT01")["whoCan"]
    expected = sorted(((e, lv) for (e, c), lv in org.levels.items()
                       if c == "C017" and lv >= 3 and org.valid_cert(e, "CERT01", DAY)),
                      key=lambda x: (-x[1], x[0]))
    assert [(g["employee"]["id"], g["level"]) for g in got] == expected
    assert expected and "E0097" not in [e for e, _ in expected]  # expired
    assert all(g["certificateExpiresOn"] is None or g["certificateExpiresOn"] >= AS_OF
               for g in got)
    anyone = data(demo_server.client, WHO_CAN, c="C017", level=4)["whoCan"]
    assert [(g["employee"]["id"], g["level"]) for g in anyone] == sorted(
        ((e, lv) for (e, c), lv in org.levels.items() if c == "C017" and lv >= 4),
        key=lambda x: (-x[1], x[0]))
    team = data(demo_server.client, WHO_CAN, c="C017", level=1, d="D08")["whoCan"]
    assert {g["employee"]["id"] for g in team} == {
        e for (e, c), lv in org.levels.items() if c == "C017" and org.in_department(e, "D08")}


COVERAGE = """query($d: ID!) { teamCoverage(department: $d) { competency { id } positions { id }
    incumbents meeting coverage shortfalls { employee { id } position { id } required actual }
    } }"""


def test_team_coverage_of_a_department(demo_server: LiveServer) -> None:
    org = demo()
    depts = org.subtree("D09")
    positions = [p for p, row in org.positions.items() if row["department_id"] in depts]
    got = data(demo_server.client, COVERAGE, d="D09")["teamCoverage"]
    comps = sorted({c for p in positions for c, _, _, _ in org.requirements[p]})
    assert [g["competency"]["id"] for g in got] == comps
    for g in got:
        c = g["competency"]["id"]
        needs = [(p, r) for p in positions for cc, r, _, _ in org.requirements[p] if cc == c]
        pairs = [(e, p, r) for p, r in needs for e in sorted(org.incumbents(p))]
        meeting = [x for x in pairs if org.levels.get((x[0], c), 0) >= x[2]]
        assert [p["id"] for p in g["positions"]] == sorted({p for p, _ in needs})
        assert (g["incumbents"], g["meeting"]) == (len(pairs), len(meeting))
    c019 = next(g for g in got if g["competency"]["id"] == "C019")
    assert {"employee": {"id": "E0126"}, "position": {"id": "P037"}, "required": 3,
            "actual": 2} in c019["shortfalls"]


@pytest.mark.parametrize(("query", "field", "code", "reason"), [
    ('{ fit(employee: "E9999", position: "P001") { score } }', "employee", "NOT_FOUND",
     "no Employee with id 'E9999'"),
    ('{ fit(employee: "E0001", position: "P999") { score } }', "position", "NOT_FOUND",
     "no Position with id 'P999'"),
    ('{ candidates(position: "P001", first: 0) { score } }', "first", "BAD_INPUT",
     "between 1 and 100"),
    ('{ candidates(position: "P001", minFit: 120) { score } }', "minFit", "BAD_INPUT",
     "between 0 and 100"),
    ('{ candidates(position: "P001", gradeMin: 9, gradeMax: 3) { score } }', "gradeMin",
     "BAD_INPUT", "above gradeMax"),
    ('{ candidates(position: "P001", department: "D99") { score } }', "department",
     "NOT_FOUND", "no Department with id 'D99'"),
    ('{ careerMoves(employee: "E0001", maxGradeStep: -1) { score } }', "maxGradeStep",
     "BAD_INPUT", "between 0 and 29"),
    ('{ mismatches(threshold: -5) { reasons } }', "threshold", "BAD_INPUT", "between 0 and 100"),
    ('{ whoCan(competency: "C017", minLevel: 6) { level } }', "minLevel", "BAD_INPUT",
     "between 1 and 5"),
    ('{ whoCan(competency: "C017", certificate: "CERT99") { level } }', "certificate",
     "NOT_FOUND", "no Certificate with id 'CERT99'"),
    ('{ teamCoverage(department: "nope") { meeting } }', "department", "NOT_FOUND",
     "no Department with id 'nope'"),
])
def test_bad_arguments_name_the_field(demo_server: LiveServer, query: str, field: str,
                                      code: str, reason: str) -> None:
    err = error(demo_server.client, query)
    assert err["extensions"]["code"] == code
    assert err["extensions"]["field"] == field
    assert reason in err["message"]
