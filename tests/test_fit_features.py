"""Steps of features/fit.feature and features/succession_planning.feature: a planner's
questions asked through GraphQL over real HTTP, against the demo organisation (or a copy of
it to change)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from api_client import data
from conftest import GraphHandle, LiveServer, LoopThread, demo_copy, serving
from pytest_bdd import given, parsers, scenarios, then, when

from graph.engine import EmbeddedEngine

scenarios("fit.feature", "succession_planning.feature")

FIT = """query($e: ID!, $p: ID!, $asOf: Date) { fit(employee: $e, position: $p, asOf: $asOf) {
    score eligible
    terms { competency { id } required actual weight mandatory contribution }
    gaps { competency { id } } missingCertificates { certificate { id } issue expiredOn } } }"""

PLAN = """query($p: ID!, $t: ReadinessThresholds, $asOf: Date) {
    successionPlan(position: $p, thresholds: $t, asOf: $asOf) {
      candidates { employee { id } readiness nominatedReadiness rating fit { score } }
      nominations { employee { id } readiness nominatedReadiness rating fit { score } } } }"""

BENCH = """query($positions: [ID!], $uncovered: Boolean!, $asOf: Date) {
    benchStrength(positions: $positions, uncoveredOnly: $uncovered, asOf: $asOf) {
      position { id } computed { readyNow ready1To2Years ready3PlusYears }
      nominated { readyNow ready1To2Years ready3PlusYears } } }"""


@dataclass
class Planner:
    """Who asks, on which day, and the last answer."""

    server: LiveServer
    as_of: str
    answer: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def ask(self, query: str, **variables: Any) -> Any:
        self.answer = data(self.server.client, query, asOf=self.as_of, **variables)
        return self.answer


@pytest.fixture(scope="module")
def changeable_org(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    with demo_copy(engine, loop_thread, "bddfit") as handle:
        yield handle


@pytest.fixture(scope="module")
def changeable_server(changeable_org: GraphHandle) -> Iterator[LiveServer]:
    with serving(changeable_org.connection) as live:
        yield live


def _ids(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def _table(datatable: list[list[str]]) -> list[dict[str, str]]:
    header, *rows = datatable
    return [dict(zip(header, row, strict=True)) for row in rows]


# -- given ---------------------------------------------------------------------------------


@given(parsers.parse("the demo organisation on {day}"), target_fixture="planner")
def _demo(demo_server: LiveServer, day: str) -> Planner:
    return Planner(demo_server, day)


@given("a copy of the demo organisation that I may change")
def _changeable(planner: Planner, changeable_server: LiveServer) -> None:
    planner.server = changeable_server


# -- fit -----------------------------------------------------------------------------------


@when(parsers.parse('I ask how well "{employee}" fits "{position}"'))
def _ask_fit(planner: Planner, employee: str, position: str) -> None:
    planner.ask(FIT, e=employee, p=position)


@when(parsers.parse('"{employee}" is assessed at level {level:d} in "{competency}"'))
def _assess(planner: Planner, employee: str, level: int, competency: str) -> None:
    data(planner.server.client, """mutation($e: ID!, $c: ID!, $l: Int!) { assessCompetency(
        input: {employeeId: $e, competencyId: $c, level: $l}) { id } }""",
         e=employee, c=competency, l=level)


@then(parsers.parse("the fit is {score:g} and {verdict}"))
def _fit_is(planner: Planner, score: float, verdict: str) -> None:
    got = planner.answer["fit"]
    assert (got["score"], got["eligible"]) == (score, verdict == "eligible")


@then("nothing is lacking")
def _nothing_lacking(planner: Planner) -> None:
    got = planner.answer["fit"]
    assert (got["gaps"], got["missingCertificates"]) == ([], [])


@then("the missing certificates are:")
def _missing(planner: Planner, datatable: list[list[str]]) -> None:
    assert [(m["certificate"]["id"], m["issue"], m["expiredOn"] or "")
            for m in planner.answer["fit"]["missingCertificates"]] == [
        (r["certificate"], r["issue"], r["expired on"]) for r in _table(datatable)]


@then("the requirements count as follows:")
def _terms(planner: Planner, datatable: list[list[str]]) -> None:
    assert [(t["competency"]["id"], t["required"], t["actual"], t["weight"], t["mandatory"],
             t["contribution"]) for t in planner.answer["fit"]["terms"]] == [
        (r["competency"], int(r["required"]), int(r["actual"]), float(r["weight"]),
         r["mandatory"] == "true", float(r["contribution"])) for r in _table(datatable)]


@then(parsers.parse('the gaps are "{competencies}"'))
def _gaps(planner: Planner, competencies: str) -> None:
    assert [g["competency"]["id"] for g in planner.answer["fit"]["gaps"]] == _ids(competencies)


@when(parsers.parse('I ask for the {n:d} best candidates for "{position}"'))
def _candidates(planner: Planner, n: int, position: str) -> None:
    planner.ask("""query($p: ID!, $n: Int!, $asOf: Date) { candidates(position: $p, first: $n,
        asOf: $asOf) { employee { id } score eligible } }""", p=position, n=n)


@when(parsers.parse('I ask for the eligible candidates for "{position}"'))
def _eligible_candidates(planner: Planner, position: str) -> None:
    planner.ask("""query($p: ID!, $asOf: Date) { candidates(position: $p, first: 100,
        eligibleOnly: true, asOf: $asOf) { employee { id } score eligible } }""", p=position)


@then("the candidates are, in order:")
def _candidates_are(planner: Planner, datatable: list[list[str]]) -> None:
    assert [(c["employee"]["id"], c["score"], c["eligible"])
            for c in planner.answer["candidates"]] == [
        (r["employee"], float(r["fit"]), r["eligible"] == "true") for r in _table(datatable)]


@then("there are no candidates")
def _no_candidates(planner: Planner) -> None:
    assert planner.answer["candidates"] == []


@when(parsers.parse('I ask for the {n:d} best moves for "{employee}" at most {step:d} grade up'))
def _moves(planner: Planner, n: int, employee: str, step: int) -> None:
    planner.ask("""query($e: ID!, $n: Int!, $s: Int, $asOf: Date) { careerMoves(employee: $e,
        first: $n, maxGradeStep: $s, asOf: $asOf) { position { id } score } }""",
                e=employee, n=n, s=step)


@then("the moves are, in order:")
def _moves_are(planner: Planner, datatable: list[list[str]]) -> None:
    assert [(m["position"]["id"], m["score"]) for m in planner.answer["careerMoves"]] == [
        (r["position"], float(r["fit"])) for r in _table(datatable)]


@when(parsers.parse("I ask which incumbents fit their own position below {threshold:d} or are "
                    "not eligible"))
def _mismatches(planner: Planner, threshold: int) -> None:
    planner.ask("""query($t: Float!, $asOf: Date) { mismatches(threshold: $t, asOf: $asOf) {
        fit { employee { id } position { id } score } reasons } }""", t=float(threshold))


@then("the mismatches are, in order:")
def _mismatches_are(planner: Planner, datatable: list[list[str]]) -> None:
    assert [(m["fit"]["employee"]["id"], m["fit"]["position"]["id"], m["fit"]["score"],
             "; ".join(m["reasons"])) for m in planner.answer["mismatches"]] == [
        (r["employee"], r["position"], float(r["fit"]), r["reasons"]) for r in _table(datatable)]


@when(parsers.parse('I ask who has "{competency}" at level {level:d} or more with a valid '
                    '"{certificate}"'))
def _who_can(planner: Planner, competency: str, level: int, certificate: str) -> None:
    planner.ask("""query($c: ID!, $l: Int!, $k: ID, $asOf: Date) { whoCan(competency: $c,
        minLevel: $l, certificate: $k, asOf: $asOf) { employee { id } level } }""",
                c=competency, l=level, k=certificate)


@then("the people are, in order:")
def _people(planner: Planner, datatable: list[list[str]]) -> None:
    assert [(w["employee"]["id"], w["level"]) for w in planner.answer["whoCan"]] == [
        (r["employee"], int(r["level"])) for r in _table(datatable)]


@when(parsers.parse('I ask for the team coverage of "{department}"'))
def _coverage(planner: Planner, department: str) -> None:
    planner.answer = data(planner.server.client, """query($d: ID!) { teamCoverage(
        department: $d) { competency { id } incumbents meeting } }""", d=department)


@then(parsers.parse('for "{competency}" {meeting:d} of {incumbents:d} incumbents meet the level'))
def _covered(planner: Planner, competency: str, meeting: int, incumbents: int) -> None:
    got = next(c for c in planner.answer["teamCoverage"] if c["competency"]["id"] == competency)
    assert (got["meeting"], got["incumbents"]) == (meeting, incumbents)


# -- succession ----------------------------------------------------------------------------


@when(parsers.parse('I ask for the succession plan of "{position}"'))
def _plan(planner: Planner, position: str) -> None:
    planner.ask(PLAN, p=position)


@when(parsers.parse('I ask for the succession plan of "{position}" with a ready-now rating of '
                    "{rating:d}"))
def _plan_with(planner: Planner, position: str, rating: int) -> None:
    planner.ask(PLAN, p=position, t={"readyNowRating": rating})


@then(parsers.parse('"{employee}" is nominated "{nominated}" and computed "{computed}" with fit '
                    "{score:g} and rating {rating:d}"))
def _successor(planner: Planner, employee: str, nominated: str, computed: str, score: float,
               rating: int) -> None:
    plan = planner.answer["successionPlan"]
    for group in ("candidates", "nominations"):
        found = [c for c in plan[group] if c["employee"]["id"] == employee]
        assert found, group
        assert (found[0]["nominatedReadiness"], found[0]["readiness"], found[0]["fit"]["score"],
                found[0]["rating"]) == (nominated, computed, score, rating)


@when(parsers.parse('I ask for the bench strength of "{position}"'))
def _bench(planner: Planner, position: str) -> None:
    planner.ask(BENCH, positions=[position], uncovered=False)


@then(parsers.parse("the {kind} successors are {now:d} ready now, {soon:d} in 1-2 years and "
                    "{later:d} in 3+ years"))
def _bench_counts(planner: Planner, kind: str, now: int, soon: int, later: int) -> None:
    counts = planner.answer["benchStrength"][0][kind]
    assert (counts["readyNow"], counts["ready1To2Years"], counts["ready3PlusYears"]) == \
        (now, soon, later)


@when("I ask for the key positions without a ready successor")
def _uncovered(planner: Planner) -> None:
    planner.ask(BENCH, positions=None, uncovered=True)


@then(parsers.parse('the positions are "{positions}"'))
def _positions_are(planner: Planner, positions: str) -> None:
    assert [b["position"]["id"] for b in planner.answer["benchStrength"]] == _ids(positions)


@when("I ask for the succession risks")
def _risks(planner: Planner) -> None:
    planner.ask("""query($asOf: Date) { successionRisks(asOf: $asOf) { employee { id }
        position { id } flightRisk } }""")


@then("the risks are:")
def _risks_are(planner: Planner, datatable: list[list[str]]) -> None:
    assert [(r["employee"]["id"], r["position"]["id"], r["flightRisk"])
            for r in planner.answer["successionRisks"]] == [
        (r["employee"], r["position"], r["flight risk"]) for r in _table(datatable)]


@when(parsers.parse('I ask for the nine-box of "{department}"'))
def _nine_box(planner: Planner, department: str) -> None:
    planner.answer = data(planner.server.client, """query($d: ID) { nineBox(department: $d) {
        cells { performance potential employees { id } } unplaced { id } } }""", d=department)


@then("the nine-box is:")
def _nine_box_is(planner: Planner, datatable: list[list[str]]) -> None:
    cells = {(c["potential"], c["performance"]): [e["id"] for e in c["employees"]]
             for c in planner.answer["nineBox"]["cells"]}
    expected = {}
    for row in _table(datatable):
        for perf in ("LOW", "MEDIUM", "HIGH"):
            expected[(row["potential"], perf)] = _ids(row[f"{perf.lower()} performance"])
    assert cells == expected
    assert planner.answer["nineBox"]["unplaced"] == []
