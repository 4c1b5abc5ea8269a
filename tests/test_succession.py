"""Succession over real HTTP on the demo organisation: readiness bands, nominations beside
them, bench strength, risks and the nine-box, checked against PLANTED.md and the independent
implementation in tests/fit_reference.py."""

from __future__ import annotations

from datetime import date

import pytest
from api_client import data, error
from conftest import GraphHandle, LiveServer
from fit_reference import demo

from domain.succession import Thresholds
from graph.fit_loader import computed_successors

DAY = date(2026, 1, 1)
KEY_POSITIONS = ["P001", "P004", "P005", "P008", "P013", "P020", "P022", "P028", "P045", "P049",
                 "P054", "P059"]
BANDS = ["ready_now", "ready_1_2_years", "ready_3_plus_years"]
GQL_BAND = {"ready_now": "READY_NOW", "ready_1_2_years": "READY_1_2_YEARS",
            "ready_3_plus_years": "READY_3_PLUS_YEARS", None: None}

PLAN = """query($p: ID!, $first: Int!, $t: ReadinessThresholds) {
    successionPlan(position: $p, first: $first, thresholds: $t, asOf: "2026-01-01") {
      position { id } asOf counts { readyNow ready1To2Years ready3PlusYears }
      candidates { employee { id } readiness nominatedReadiness rating fit { score eligible } }
      nominations { employee { id } readiness nominatedReadiness rating fit { score } } } }"""


def _expected_plan(p: str, **thr: object) -> list[tuple[str, str, float, int | None]]:
    """Every computed successor: band, fit (high first), rating (high first), id."""
    org = demo()
    rows = []
    for e in org.employees:
        band = org.band(e, p, DAY, **thr)  # type: ignore[arg-type]
        if band is not None:
            rows.append((BANDS.index(band), -org.fit(e, p), -(org.rating(e) or 0), e))
    return [(e, BANDS[b], -f, org.rating(e)) for b, f, _, e in sorted(rows)]


@pytest.mark.parametrize("position", KEY_POSITIONS)
def test_plan_bands_and_order_match_the_definition(demo_server: LiveServer,
                                                   position: str) -> None:
    got = data(demo_server.client, PLAN, p=position, first=100)["successionPlan"]
    expected = _expected_plan(position)
    assert [(c["employee"]["id"], c["readiness"], c["fit"]["score"], c["rating"])
            for c in got["candidates"]] == [(e, GQL_BAND[b], f, r) for e, b, f, r in expected]
    assert [got["counts"][k] for k in ("readyNow", "ready1To2Years", "ready3PlusYears")] == [
        sum(1 for _, b, _, _ in expected if b == band) for band in BANDS]
    nominated = demo().nominations[position]
    assert {n["employee"]["id"]: n["nominatedReadiness"] for n in got["nominations"]} == {
        e: GQL_BAND[r] for e, r in nominated.items()}
    for n in got["nominations"]:
        assert n["readiness"] == GQL_BAND[demo().band(n["employee"]["id"], position, DAY)]


def test_nominated_readiness_beside_the_computed_one(demo_server: LiveServer) -> None:
    """Planted 13: E0293 (fit 100 for P054, eligible, nominated ready_now) has rating 3, so the
    computed band is 1-2 years; E0300 (fit 100 for P059 without CERT04) cannot be ready now."""
    p054 = data(demo_server.client, PLAN, p="P054", first=10)["successionPlan"]
    e0293 = next(c for c in p054["candidates"] if c["employee"]["id"] == "E0293")
    assert e0293 == {"employee": {"id": "E0293"}, "readiness": "READY_1_2_YEARS",
                     "nominatedReadiness": "READY_NOW", "rating": 3,
                     "fit": {"score": 100.0, "eligible": True}}
    p059 = data(demo_server.client, PLAN, p="P059", first=10)["successionPlan"]
    e0300 = next(c for c in p059["candidates"] if c["employee"]["id"] == "E0300")
    assert (e0300["readiness"], e0300["nominatedReadiness"], e0300["rating"],
            e0300["fit"]["eligible"]) == ("READY_1_2_YEARS", "READY_1_2_YEARS", 4, False)


def test_thresholds_are_parameters(demo_server: LiveServer) -> None:
    loose = {"readyNowRating": 3}
    got = data(demo_server.client, PLAN, p="P054", first=100, t=loose)["successionPlan"]
    assert got["candidates"][0]["employee"]["id"] == "E0293"
    assert got["candidates"][0]["readiness"] == "READY_NOW"
    assert [(c["employee"]["id"], c["readiness"]) for c in got["candidates"]] == [
        (e, GQL_BAND[b]) for e, b, _, _ in _expected_plan("P054", now=(90, 3))]
    wide = {"ready3PlusFit": 30.0, "ready1To2Fit": 45.0, "ready1To2Rating": 2}
    got = data(demo_server.client, PLAN, p="P020", first=100, t=wide)["successionPlan"]
    assert [(c["employee"]["id"], c["readiness"]) for c in got["candidates"]] == [
        (e, GQL_BAND[b]) for e, b, _, _ in _expected_plan("P020", soon=(45, 2), later=30)]


def test_first_limits_each_band(demo_server: LiveServer) -> None:
    wide = {"ready3PlusFit": 20.0}
    full = data(demo_server.client, PLAN, p="P001", first=100, t=wide)["successionPlan"]
    short = data(demo_server.client, PLAN, p="P001", first=2, t=wide)["successionPlan"]
    assert full["counts"] == short["counts"]
    expected = []
    for band in ("READY_NOW", "READY_1_2_YEARS", "READY_3_PLUS_YEARS"):
        expected += [c for c in full["candidates"] if c["readiness"] == band][:2]
    assert short["candidates"] == expected
    assert len(full["candidates"]) > len(short["candidates"]) > 0


BENCH = """query($uncovered: Boolean!) { benchStrength(uncoveredOnly: $uncovered,
    asOf: "2026-01-01") { position { id } incumbents { id } covered readyNow
      computed { readyNow ready1To2Years ready3PlusYears }
      nominated { readyNow ready1To2Years ready3PlusYears } } }"""


def test_bench_strength_of_every_key_position(demo_server: LiveServer) -> None:
    org = demo()
    got = data(demo_server.client, BENCH, uncovered=False)["benchStrength"]
    assert [b["position"]["id"] for b in got] == KEY_POSITIONS
    for b in got:
        p = b["position"]["id"]
        computed = [sum(1 for e in org.employees if org.band(e, p, DAY) == band)
                    for band in BANDS]
        nominated = [sum(1 for r in org.nominations[p].values() if r == band) for band in BANDS]
        counts = [b["computed"][k] for k in ("readyNow", "ready1To2Years", "ready3PlusYears")]
        noms = [b["nominated"][k] for k in ("readyNow", "ready1To2Years", "ready3PlusYears")]
        assert (counts, noms) == (computed, nominated), p
        assert [i["id"] for i in b["incumbents"]] == sorted(org.incumbents(p))
        assert b["covered"] == bool(computed[0] or computed[1] or nominated[0] or nominated[1])
    assert sum(sum(b["nominated"].values()) for b in got) == 26  # PLANTED 12c


def test_key_positions_without_a_ready_successor(demo_server: LiveServer) -> None:
    """PLANTED 12a: P022 and P028 have no nomination, and nobody computes as ready now or in
    1-2 years for them either."""
    got = data(demo_server.client, BENCH, uncovered=True)["benchStrength"]
    assert [b["position"]["id"] for b in got] == ["P022", "P028"]


def test_flight_risk_without_a_ready_now_successor(demo_server: LiveServer) -> None:
    """PLANTED 12b: E0273 (flight risk high) holds P049, whose nominees are 1-2 and 3+ years."""
    got = data(demo_server.client, """{ successionRisks(asOf: "2026-01-01") { employee { id }
        position { id } flightRisk bench { readyNow nominated { readyNow ready1To2Years
        ready3PlusYears } } } }""")["successionRisks"]
    assert got == [{"employee": {"id": "E0273"}, "position": {"id": "P049"},
                    "flightRisk": "HIGH", "bench": {"readyNow": False, "nominated": {
                        "readyNow": 0, "ready1To2Years": 1, "ready3PlusYears": 1}}}]


NINE_BOX = """query($d: ID) { nineBox(department: $d) { cells { performance potential count
    employees { id } } unplaced { id } } }"""


@pytest.mark.parametrize("department", ["D06", "D01", None])
def test_nine_box(demo_server: LiveServer, department: str | None) -> None:
    org = demo()
    people = sorted(e for e in org.employees
                    if department is None or org.in_department(e, department))
    got = data(demo_server.client, NINE_BOX, d=department)["nineBox"]

    def perf(e: str) -> str | None:
        r = org.rating(e)
        return None if r is None else "LOW" if r <= 2 else "MEDIUM" if r == 3 else "HIGH"

    cells = {(c["performance"], c["potential"]): [x["id"] for x in c["employees"]]
             for c in got["cells"]}
    assert [(c["performance"], c["potential"]) for c in got["cells"]] == [
        (pf, pt) for pt in ("HIGH", "MEDIUM", "LOW") for pf in ("LOW", "MEDIUM", "HIGH")]
    for (pf, pt), ids in cells.items():
        assert ids == [e for e in people if perf(e) == pf
                       and (org.employees[e]["potential"] or "").upper() == pt]
    assert [u["id"] for u in got["unplaced"]] == [
        e for e in people if perf(e) is None or not org.employees[e]["potential"]]
    assert sum(c["count"] for c in got["cells"]) + len(got["unplaced"]) == len(people)


@pytest.mark.parametrize(("query", "field", "code"), [
    ('{ successionPlan(position: "P999") { asOf } }', "position", "NOT_FOUND"),
    ('{ successionPlan(position: "P001", first: 101) { asOf } }', "first", "BAD_INPUT"),
    ('{ successionPlan(position: "P001", thresholds: {readyNowFit: 101}) { asOf } }',
     "thresholds.readyNowFit", "BAD_INPUT"),
    ('{ benchStrength(thresholds: {ready1To2Rating: 0}) { covered } }',
     "thresholds.ready1To2Rating", "BAD_INPUT"),
    ('{ benchStrength(positions: ["P001", "nope"]) { covered } }', "positions", "NOT_FOUND"),
    ('{ nineBox(department: "D99") { unplaced { id } } }', "department", "NOT_FOUND"),
])
def test_bad_arguments_name_the_field(demo_server: LiveServer, query: str, field: str,
                                      code: str) -> None:
    err = error(demo_server.client, query)
    assert (err["extensions"]["code"], err["extensions"]["field"]) == (code, field)


def test_computed_successors_for_other_features(demo_graph: GraphHandle) -> None:
    """The entry point a compliance rule can call: all computed successors per position."""
    found = demo_graph.run(lambda g: computed_successors(g, ["P054", "P022"], DAY))
    m_ids = {p: [(s.employee, s.readiness) for s in found[p]] for p in found}
    assert set(m_ids) == {"P054", "P022"}
    for p in ("P054", "P022"):
        expected = _expected_plan(p)
        assert [s.score for s in found[p]] == [f for _, _, f, _ in expected]
        assert [BANDS[s.readiness] if s.readiness is not None else None for s in found[p]] == \
            [b for _, b, _, _ in expected]
    strict = demo_graph.run(lambda g: computed_successors(
        g, ["P054"], DAY, Thresholds(ready_3_plus_fit=100.0, ready_1_to_2_fit=100.0)))
    assert [s.score for s in strict["P054"]] == [100.0]
