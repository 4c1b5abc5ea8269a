"""Worked examples of the appraisal formulas (README, "Performance management"), each edge the
README names, the appraisal periods and the settings file's errors. Pure code: no engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from domain.errors import InvalidInput
from domain.performance import (
    DEFAULT_SETTINGS,
    Appraisal,
    AppraisalSettings,
    CompetencyGap,
    Feedback,
    KeyResultInput,
    KpiResult,
    ObjectiveInput,
    Rating,
    achievement,
    appraise,
    calibration,
    department_training_needs,
    feedback_score,
    forced_ratings,
    half_up,
    key_result_progress,
    kpi_alerts,
    objective_progress,
    rating_count,
    training_need,
    unaligned_kpis,
)
from domain.periods import BadPeriod, is_period, overlaps, parse_period
from schema.appraisal import default_appraisal_settings, load_appraisal_settings
from schema.yamlload import SourceError

pytestmark = pytest.mark.unit


def kpi(target: float | None, actual: float | None, weight: float = 100,
        higher: bool = True, kid: str = "K1", position: str = "P1") -> KpiResult:
    return KpiResult(kid, position, weight, target, actual, higher)


# -- achievement and points -------------------------------------------------------------------

@pytest.mark.parametrize(("target", "actual", "higher", "expected"), [
    (100, 80, True, Fraction(4, 5)),
    (100, 100, True, Fraction(1)),
    (100, 150, True, Fraction(6, 5)),      # capped at 1.2
    (100, -5, True, Fraction(0)),          # clamped at 0
    (5, 10, False, Fraction(1, 2)),        # lower is better: target / actual
    (5, 4, False, Fraction(6, 5)),         # 5/4 capped
    (5, 0, False, Fraction(6, 5)),         # actual 0 counts as the cap
    (0, 3, False, Fraction(0)),            # a lower-is-better target of 0 is a target
    (0, 0, False, Fraction(6, 5)),
])
def test_achievement(target: float, actual: float, higher: bool, expected: Fraction) -> None:
    assert achievement(target, actual, higher) == expected


def test_no_target_is_no_achievement() -> None:
    """Guards against scoring a KPI without a target as 0 (or dividing by zero)."""
    assert achievement(None, 5, True) is None
    assert achievement(0, 5, True) is None
    a = appraise("E1", "2026", [kpi(None, 5), kpi(0, 5, kid="K2"), kpi(100, 90, kid="K3")])
    assert [t.status for t in a.kpis] == ["missing_target", "missing_target", "scored"]
    assert a.kpi_score == 90.0 and len(a.missing) == 2


def test_points_10_at_target_and_12_above_20_percent() -> None:
    a = appraise("E1", "2026", [kpi(100, 100, kid="A"), kpi(100, 125, kid="B")])
    assert [t.points for t in a.kpis] == [10.0, 12.0]
    assert a.kpi_score == 110.0


# -- KPI, feedback, final --------------------------------------------------------------------

def test_weighted_kpi_score_and_missing_results() -> None:
    a = appraise("E1", "2026-Q1", [kpi(100, 80, 60, kid="A"), kpi(10, 20, 40, False, "B"),
                                   kpi(100, None, 50, kid="C")])
    # 10 × (60 × 8 + 40 × 5) / 100 = 68.0
    assert a.kpi_score == 68.0 and a.total_weight == 100
    assert [t.kpi for t in a.missing] == ["C"] and a.missing[0].status == "missing_result"
    assert [t.contribution for t in a.kpis[:2]] == [48.0, 20.0]
    assert a.final_score == 68.0 and a.rating == "needs_improvement" and a.multiplier == 0
    assert a.kpi_weight == 1 and a.feedback_weight == 0


def test_feedback_means_per_relation_then_normalised_weights() -> None:
    fb = [Feedback("M", "manager", 4), Feedback("P1", "peer", 5), Feedback("P2", "peer", 3),
          Feedback("S", "self", 1)]
    terms, score = feedback_score(fb)
    # relations present: manager .5, peer .3, self 0 -> 5/8, 3/8; 20 × (4·5/8 + 4·3/8) = 80
    assert score == 80
    assert [(t.relation, t.mean, t.count, t.normalised_weight) for t in terms] == [
        ("manager", 4.0, 1, 0.625), ("peer", 4.0, 2, 0.375), ("self", 1.0, 1, 0.0)]


def test_self_only_feedback_is_no_feedback() -> None:
    a = appraise("E1", "2026", [kpi(100, 90)], [Feedback("E1", "self", 5)])
    assert a.feedback_score is None and a.final_score == 90.0 and a.kpi_weight == 1


def test_final_from_rounded_parts_half_up() -> None:
    """Guards against round() (banker's, binary): 84.95 must become 85.0."""
    assert half_up(Fraction("84.95")) == Fraction(85)
    assert half_up(Fraction("84.94999")) == Fraction("84.9")
    # KPI 83.5 (K 100 → 83.5), feedback 20 × 4.4 = 88.0 → 0.7 × 83.5 + 0.3 × 88 = 84.85 → 84.9
    a = appraise("E1", "2026", [kpi(1000, 835)],
                 [Feedback("M", "manager", 4.4)])
    assert (a.kpi_score, a.feedback_score, a.final_score) == (83.5, 88.0, 84.9)
    # KPI 94.5 (to one decimal), feedback 96 → 66.15 + 28.8 = 94.95 → 95.0: excellent
    b = appraise("E1", "2026", [kpi(1000, 945)], [Feedback("M", "manager", 4.8)])
    assert b.final_score == 95.0 and b.rating == "excellent" and b.multiplier == 1.5
    # the KPI score is rounded before the final: 2/3 → 66.666.. → 66.7
    c = appraise("E1", "2026", [kpi(3, 2)])
    assert c.kpi_score == 66.7 and c.rating == "needs_improvement"


def test_thresholds_compare_the_rounded_final() -> None:
    assert appraise("E", "2026", [kpi(1000, 950)]).rating == "excellent"
    # 94.99 shows as 95.0, so it is excellent; 94.94 shows as 94.9
    near = appraise("E", "2026", [kpi(10000, 9499)])
    assert (near.final_score, near.rating) == (95.0, "excellent")
    assert appraise("E", "2026", [kpi(10000, 9494)]).rating == "qualified"
    assert appraise("E", "2026", [kpi(1000, 700)]).rating == "qualified"
    assert appraise("E", "2026", [kpi(1000, 699)]).rating == "needs_improvement"


def test_incomplete_appraisal() -> None:
    a = appraise("E1", "2026", [kpi(100, None)], [Feedback("M", "manager", 5)], base_bonus=1000)
    assert not a.complete and a.final_score is None and a.rating is None
    assert a.multiplier is None and a.bonus is None and a.feedback_score == 100.0


def test_bonus() -> None:
    a = appraise("E1", "2026", [kpi(100, 120)], base_bonus=2000)
    assert (a.rating, a.multiplier, a.bonus) == ("excellent", 1.5, 3000.0)
    assert appraise("E1", "2026", [kpi(100, 80)]).bonus is None


def test_bad_inputs() -> None:
    with pytest.raises(InvalidInput):
        feedback_score([Feedback("X", "boss", 3)])  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        feedback_score([Feedback("X", "peer", 6)])


# -- alerts ----------------------------------------------------------------------------------

def test_exactly_70_percent_is_no_alert() -> None:
    assert kpi_alerts("E", "2026", [kpi(100, 70)]) == []
    assert len(kpi_alerts("E", "2026", [kpi(100, 69.9)])) == 1
    # lower is better: target / actual = 7/10 → none; 7/10.01 → alert
    assert kpi_alerts("E", "2026", [kpi(7, 10, higher=False)]) == []
    alerts = kpi_alerts("E", "2026", [kpi(7, 10.01, higher=False)])
    assert len(alerts) == 1 and alerts[0].achievement < 0.7
    assert kpi_alerts("E", "2026", [kpi(None, 1), kpi(100, None)]) == []


def test_alert_carries_the_ids() -> None:
    r = KpiResult("K9", "P2", 50, 100, 10, True, "yield", "D3", "E7", "KR1", "O1")
    (alert,) = appraise("E1", "2026-03", [r]).alerts
    assert (alert.employee, alert.period, alert.kpi, alert.position, alert.department,
            alert.manager, alert.key_result, alert.objective) == (
        "E1", "2026-03", "K9", "P2", "D3", "E7", "KR1", "O1")
    assert alert.achievement == 0.1 and alert.threshold == 0.7


# -- calibration -----------------------------------------------------------------------------

def rated(emp: str, score: float) -> Appraisal:
    """An appraisal with the given final score (a single KPI at score / 100)."""
    return appraise(emp, "2026", [kpi(1000, score * 10)])


def test_guideline_counts_n13() -> None:
    """n = 13: excellent 13·0.15 = 1.95 … 13·0.25 = 3.25 → 2..3; qualified 8.45 … 9.75 → 9;
    needs_improvement 0.65 … 1.95 → 1."""
    counts: tuple[tuple[Rating, int], ...] = (
        ("excellent", 1), ("qualified", 11), ("needs_improvement", 1))
    c = {r: rating_count(r, k, 13) for r, k in counts}
    assert (c["excellent"].low, c["excellent"].high, c["excellent"].move_in) == (2, 3, 1)
    assert (c["qualified"].low, c["qualified"].high, c["qualified"].move_out) == (9, 9, 2)
    assert c["needs_improvement"].within and c["needs_improvement"].move_in == 0
    assert not c["excellent"].within and c["excellent"].move_out == 0
    # n = 20: 20·(0.1-0.05) = 1.0 exactly (float would give 0.9999…)
    ni = rating_count("needs_improvement", 0, 20)
    assert (ni.low, ni.high, ni.move_in) == (1, 3, 1)


def test_calibration_merges_small_groups_upward() -> None:
    parents = {"D1": None, "D2": "D1", "D3": "D1", "D4": "D3"}
    people = {"D1": [rated(f"A{i}", 80) for i in range(2)],
              "D2": [rated(f"B{i:02}", 80) for i in range(12)],
              "D3": [rated(f"C{i}", 80) for i in range(3)],
              "D4": [rated(f"E{i}", 80) for i in range(4)]
              + [appraise("EX", "2026", [kpi(1, None)])]}  # incomplete: left out
    groups = calibration("D1", parents, people)
    assert [(g.department, g.departments, g.size) for g in groups] == [
        ("D1", ("D1", "D3", "D4"), 9), ("D2", ("D2",), 12)]
    # from D3: D3 stands (its root) though under 10
    assert [(g.department, g.size) for g in calibration("D3", parents, people)] == [("D3", 7)]
    # the whole organisation
    assert [(g.department, g.size) for g in calibration(None, parents, people)] == [
        (None, 9), ("D2", 12)]
    with pytest.raises(InvalidInput):
        calibration("D9", parents, people)


def test_calibration_counts_and_forced_ranking() -> None:
    scores = [99, 97, 96, 90, 85, 80, 80, 75, 72, 71, 70, 60, 50]
    people = {"D1": [rated(f"E{i:02}", s) for i, s in enumerate(scores)]}
    (g,) = calibration("D1", {"D1": None}, people)
    assert [(c.rating, c.count, c.within) for c in g.counts] == [
        ("excellent", 3, True), ("qualified", 8, False), ("needs_improvement", 2, False)]
    assert [c.move_in for c in g.counts] == [0, 1, 0]
    assert [c.move_out for c in g.counts] == [0, 0, 1]
    forced = replace(DEFAULT_SETTINGS, forced_ranking=True)
    (f,) = calibration("D1", {"D1": None}, people, forced)
    # 13 × 0.2 = 2.6 → 3 excellent, 13 × 0.1 = 1.3 → 1 needs_improvement
    assert [c.count for c in f.counts] == [3, 9, 1] and f.within
    assert [p.calibrated_rating for p in f.placements][-2:] == ["qualified", "needs_improvement"]
    assert f.placements[-2].rating == "needs_improvement"
    # ties by employee id
    tied = {"D1": [rated("E2", 80), rated("E1", 80)]}
    assert [p.employee for p in calibration("D1", {"D1": None}, tied)[0].placements] == [
        "E1", "E2"]
    assert forced_ratings(1) == ["qualified"]
    assert forced_ratings(5) == ["excellent", "qualified", "qualified", "qualified",
                                 "needs_improvement"]


# -- training needs --------------------------------------------------------------------------

def test_training_needs() -> None:
    gaps = [CompetencyGap("C2", "b", 3, 1, 1.0), CompetencyGap("C1", "a", 4, 3, 2.0),
            CompetencyGap("C3", "c", 2, 2, 5.0), CompetencyGap("C0", "z", 5, 4, 1.0)]
    low = rated("E1", 60)
    need = training_need(low, gaps, "P1", "D2")
    assert need is not None
    # priorities: C2 1×2 = 2, C1 2×1 = 2, C0 1; C3 met; ties by id
    assert [g.competency for g in need.gaps] == ["C1", "C2", "C0"]
    assert training_need(rated("E2", 80), gaps) is None
    alerted = appraise("E3", "2026", [kpi(100, 100, 90, kid="A"),
                                          kpi(100, 10, 10, kid="B")])
    assert alerted.rating == "qualified" and training_need(alerted, []) is not None
    parents = {"D1": None, "D2": "D1"}
    other = training_need(rated("E4", 50), [CompetencyGap("C2", "b", 2, 0, 1.0)])
    assert other is not None
    rows = department_training_needs("D1", parents, {"D2": [need], "D1": [other]})
    assert [r.department for r in rows] == ["D1", "D2"]
    assert [(c.competency, c.employees) for c in rows[0].competencies] == [
        ("C2", 2), ("C1", 1), ("C0", 1)]
    assert [n.employee for n in rows[0].needs] == ["E1", "E4"]


# -- objectives ------------------------------------------------------------------------------

def test_key_result_progress() -> None:
    assert key_result_progress(0, 200, 50) == Fraction(1, 4)
    assert key_result_progress(10, 4, 7) == Fraction(1, 2)       # lower is better
    assert key_result_progress(10, 4, 12) == 0
    assert key_result_progress(0, 100, 150) == 1
    assert key_result_progress(5, 5, 5) == 1
    assert key_result_progress(5, 5, 4) == 0
    assert key_result_progress(5, 5, 4, higher_is_better=False) == 1
    assert key_result_progress(0, 10, None) == 0


def test_objective_roll_up_and_alignment() -> None:
    parents = {"D1": None, "D2": "D1", "D3": None}
    objectives = [ObjectiveInput("O1", None), ObjectiveInput("O2", "D1", "O1", 3),
                  ObjectiveInput("O3", "D2", "O2"), ObjectiveInput("O4", "D1", "O1"),
                  ObjectiveInput("O5", "D3", "O2")]  # parent of D1, not an ancestor of D3
    krs = [KeyResultInput("KR1", "O2", 0, 10, 5), KeyResultInput("KR2", "O3", 0, 10, 10),
           KeyResultInput("KR3", "O5", 0, 10, 0)]
    report = objective_progress(objectives, krs, parents)
    by = {o.objective: o for o in report.objectives}
    # O2 = mean(KR1 0.5 w1, O3 1 w1, O5 0 w1) = 0.5; O4 empty: no progress, left out
    assert by["O4"].progress is None
    assert by["O2"].progress == 0.5 and by["O1"].progress == 0.5
    assert not by["O5"].aligned and by["O3"].aligned and by["O2"].aligned
    assert report.company == 0.5
    assert dict(report.departments) == {"D1": 0.5, "D2": 1.0, "D3": 0.0}
    with pytest.raises(InvalidInput):
        objective_progress([ObjectiveInput("A", None, "B"), ObjectiveInput("B", None, "A")],
                           [KeyResultInput("K", "A", 0, 1, 1)], {})


def test_company_objective_under_a_department_one_is_misaligned() -> None:
    report = objective_progress([ObjectiveInput("O1", "D1"), ObjectiveInput("O2", None, "O1")],
                                [], {"D1": None})
    assert [o.aligned for o in report.objectives] == [True, False]


def test_unaligned_kpis() -> None:
    flagged = unaligned_kpis([("P1", "K1"), ("P1", "K2"), ("P2", "K1")], {"K1": ["KR1"]})
    assert [(f.position, f.kpi) for f in flagged] == [("P1", "K2")]


# -- periods ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
])
def test_periods(text: str, start: date, end: date) -> None:
    p = parse_period(text)
    assert (p.start, p.end, str(p)) == (start, end, text) and is_period(text)


@pytest.mark.parametrize("text", ["26", "2026-Q5", "2026-H3", "2026-13", "2026-00", "2026-1",
                                  "1899", "2101", "2026-q1", " 2026", ""])
def test_bad_periods(text: str) -> None:
    with pytest.raises(BadPeriod):
        parse_period(text)
    assert not is_period(text)


def test_period_overlaps() -> None:
    q1 = parse_period("2026-Q1")
    assert overlaps(q1, date(2025, 6, 1), date(2026, 1, 1))
    assert overlaps(q1, date(2026, 3, 31), None)
    assert overlaps(q1, None, None)
    assert not overlaps(q1, date(2026, 4, 1), None)
    assert not overlaps(q1, None, date(2025, 12, 31))


# -- the settings file -----------------------------------------------------------------------

def test_shipped_settings_are_the_defaults() -> None:
    assert default_appraisal_settings() == AppraisalSettings()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "appraisal.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_partial_file_keeps_defaults(tmp_path: Path) -> None:
    s = load_appraisal_settings(write(tmp_path, "forced_ranking: true\ntolerance: 0.1\n"))
    assert s.forced_ranking and s.tolerance == 0.1 and s.kpi_weight == 0.7


@pytest.mark.parametrize(("text", "line", "needle"), [
    ("tolerance: 0.05\nbogus: 1\n", 2, "unknown key 'bogus'"),
    ("kpi_weight: high\n", 1, "kpi_weight: a number"),
    ("forced_ranking: 1\n", 1, "forced_ranking: true or false"),
    ("min_group_size: 2.5\n", 1, "min_group_size: a whole number"),
    ("tolerance: 0.05\npeer_weight: -0.3\n", 2, "peer_weight: peer_weight must not be negative"),
    ("excellent_threshold: 60\n", 1, "qualified_threshold"),
    ("guideline_excellent: 0.3\n", 1, "add up to 1"),
    ("kpi_weight: 0.6\n", 1, "add up to 1"),
    ("tolerance: 1\ntolerance: 2\n", 2, "duplicate key"),
    ("- 1\n", 1, "a mapping"),
])
def test_settings_errors(tmp_path: Path, text: str, line: int, needle: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SourceError) as err:
        load_appraisal_settings(path)
    assert err.value.file == str(path) and err.value.line == line
    assert needle in err.value.message
