"""Property tests: on random organisations (department trees, people, KPI results, feedback,
objectives) domain.performance agrees with an independent implementation of the formulas
(tests/performance_reference.py, exact fractions): appraisals to 0.1 after rounding half up,
alerts, calibration groups, counts and moves, objective progress."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import performance_reference as ref
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.performance import (
    Feedback,
    KeyResultInput,
    KpiResult,
    ObjectiveInput,
    appraise,
    calibration,
    objective_progress,
)

pytestmark = pytest.mark.unit

TARGETS = [None, 0, 5, 7.5, 50, 100, 120]
ACTUALS = [None, 0, 1, 3.5, 5, 7, 35, 49.9, 70, 84.5, 100, 119, 150]
WEIGHTS = [0, 5, 10, 20, 25, 30, 50]
SCORES = [1, 2, 2.5, 3, 3.5, 4, 4.5, 5]
RELATIONS = ["manager", "peer", "subordinate", "self"]

Kpi = tuple[str, float, float | None, float | None, bool]

Row = tuple[float, float | None, float | None, bool]
kpis_st: st.SearchStrategy[list[Row]] = st.lists(
    st.tuples(st.sampled_from(WEIGHTS), st.sampled_from(TARGETS), st.sampled_from(ACTUALS),
              st.booleans()), max_size=5)
feedback_st = st.lists(st.tuples(st.sampled_from(RELATIONS), st.sampled_from(SCORES)),
                       max_size=6)


def domain_kpis(rows: list[tuple[float, float | None, float | None, bool]]) -> list[KpiResult]:
    return [KpiResult(f"K{i}", "P1", w, t, a, h) for i, (w, t, a, h) in enumerate(rows)]


def ref_kpis(rows: list[tuple[float, float | None, float | None, bool]]) -> list[Kpi]:
    return [(f"K{i}", w, t, a, h) for i, (w, t, a, h) in enumerate(rows)]


def same(x: float | None, y: Fraction | None) -> bool:
    return (x is None) == (y is None) and (x is None or Fraction(str(x)) == y)


@settings(max_examples=300, deadline=None)
@given(kpis_st, feedback_st)
def test_appraisal_matches_the_reference(rows: list[tuple[float, float | None, float | None,
                                                          bool]],
                                         fb: list[tuple[str, float]]) -> None:
    a = appraise("E1", "2026", domain_kpis(rows),
                 [Feedback(f"R{i}", r, s) for i, (r, s) in enumerate(fb)])  # type: ignore[arg-type]
    want = ref.appraisal(ref_kpis(rows), fb)
    assert same(a.kpi_score, want["kpi"])  # type: ignore[arg-type]
    assert same(a.feedback_score, want["feedback"])  # type: ignore[arg-type]
    assert same(a.final_score, want["final"])  # type: ignore[arg-type]
    assert a.rating == want["rating"]
    assert [x.kpi for x in a.alerts] == want["alerts"]


@st.composite
def organisations(draw: st.DrawFn) -> tuple[dict[str, str | None], dict[str, list[tuple[
        str, list[tuple[float, float | None, float | None, bool]]]]]]:
    n = draw(st.integers(1, 7))
    parents: dict[str, str | None] = {"D1": None}
    for i in range(2, n + 1):
        parents[f"D{i}"] = f"D{draw(st.integers(1, i - 1))}"
    people: dict[str, list[tuple[str, list[tuple[float, float | None, float | None,
                                                 bool]]]]] = {}
    for e in range(draw(st.integers(0, 45))):
        d = draw(st.sampled_from(sorted(parents)))
        people.setdefault(d, []).append((f"E{e:02}", draw(kpis_st)))
    return parents, people


@settings(max_examples=150, deadline=None)
@given(organisations(), st.data())
def test_calibration_matches_the_reference(org: tuple[dict[str, str | None], dict[str, list[
        tuple[str, list[tuple[float, float | None, float | None, bool]]]]]],
        data: st.DataObject) -> None:
    parents, people = org
    root = data.draw(st.sampled_from(sorted(parents)))
    rated = {d: [appraise(e, "2026", domain_kpis(rows)) for e, rows in ps]
             for d, ps in people.items()}
    ref_people: dict[str, list[tuple[str, Fraction]]] = {}
    ratings: dict[str, str] = {}
    for d, ps in people.items():
        for e, rows in ps:
            r = ref.appraisal(ref_kpis(rows), [])
            if r["final"] is not None:
                ref_people.setdefault(d, []).append((e, r["final"]))  # type: ignore[arg-type]
                ratings[e] = str(r["rating"])
    want = ref.calibration_groups(root, parents, ref_people)
    groups = calibration(root, parents, rated)
    got = {g.department: sorted(p.employee for p in g.placements) for g in groups}
    assert got == want
    for g in groups:
        counts = Counter(ratings[e] for e in got[g.department])
        check = ref.guideline_check(counts, g.size)
        assert {c.rating: (c.within, c.move_in, c.move_out) for c in g.counts} == check
        assert {c.rating: c.count for c in g.counts if c.count} == dict(counts)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_objective_progress_matches_the_reference(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 8))
    objectives: dict[str, tuple[str | None, float]] = {}
    for i in range(n):
        parent = data.draw(st.one_of(st.none(), st.integers(0, i - 1).map(lambda j: f"O{j}"))
                           if i else st.none())
        objectives[f"O{i}"] = (parent, data.draw(st.sampled_from([0, 1, 2, 3])))
    krs = data.draw(st.lists(st.tuples(st.sampled_from(sorted(objectives)),
                                       st.sampled_from([0, 10, 50]),
                                       st.sampled_from([0, 10, 50, 100]),
                                       st.sampled_from([0, 5, 10, 30, 50, 75, 100, 120]),
                                       st.sampled_from([0, 1, 2])), max_size=10))
    report = objective_progress(
        [ObjectiveInput(o, None, p, w) for o, (p, w) in objectives.items()],
        [KeyResultInput(f"KR{i}", o, s, t, c, w) for i, (o, s, t, c, w) in enumerate(krs)],
        {})
    want = ref.objective_progress(objectives, krs)
    for o in report.objectives:
        w = want[o.objective]
        assert (o.progress is None) == (w is None)
        if w is not None:
            assert o.percent == float(ref.round1(100 * w))
            assert o.progress == float(w)
