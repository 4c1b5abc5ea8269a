"""Performance management (绩效管理): KPI achievement and points, KPI, feedback and final
scores, ratings, calibration, alerts, bonus multipliers, training needs, objective progress and
alignment.

Every formula is stated once here, in the docstring of the function that computes it, and once
for planners in README, *Performance management*; its parameters are :class:`AppraisalSettings`
(loaded from ``schema/appraisal.yaml`` by :mod:`schema.appraisal`). The graph layer loads the
inputs (:class:`KpiResult`, :class:`Feedback`, :class:`CompetencyGap`, :class:`ObjectiveInput`,
:class:`KeyResultInput`, the department tree) and calls these pure functions; every result
carries its terms and a one-line ``formula`` or ``explanation``.

Arithmetic is exact: each number given as a float is read through its shortest decimal text
(``Fraction(str(x))``, so 0.7 is seven tenths) and the scores are rounded half up to one decimal
(:func:`half_up`); comparisons (ratings, alerts, guideline bounds) use exact values.
``Fraction`` here is GMP's ``mpq`` (gmpy2): the arithmetic and comparisons of
``fractions.Fraction`` (it compares equal to one), about 15 times faster.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Literal

from gmpy2 import mpq as Fraction

from domain.errors import InvalidInput

Rating = Literal["excellent", "qualified", "needs_improvement"]
#: the ratings, best first
RATINGS: tuple[Rating, ...] = ("excellent", "qualified", "needs_improvement")
Relation = Literal["manager", "peer", "subordinate", "self"]
RELATIONS: tuple[Relation, ...] = ("manager", "peer", "subordinate", "self")
KpiStatus = Literal["scored", "missing_result", "missing_target"]

KPI_FORMULA = ("achievement = actual / target (higher is better) or target / actual (lower is "
               "better; actual 0 = the cap), clamped to [0, cap]; points = points_at_target × "
               "achievement; kpi score = (100 / points_at_target) × Σ wₖ·pointsₖ / Σ wₖ over "
               "the KPIs with a result and a target, rounded half up to one decimal")
FEEDBACK_FORMULA = ("feedback score = feedback_scale × Σ_r w_r·mean_r / Σ_r w_r over the "
                    "relations r present (mean_r the mean of that relation's 1-5 scores), "
                    "rounded half up to one decimal; no feedback when Σ w_r = 0")
FINAL_FORMULA = ("final = kpi_weight × kpi score + feedback_weight × feedback score (the KPI "
                 "score alone without feedback; no score without KPI results), rounded half up "
                 "to one decimal; rating: excellent ≥ excellent_threshold, qualified ≥ "
                 "qualified_threshold, else needs_improvement; multiplier by rating")

APPRAISAL_FORMULA = f"{KPI_FORMULA}; {FEEDBACK_FORMULA}; {FINAL_FORMULA}"


def q(x: float | int | Fraction) -> Fraction:
    """A number as an exact fraction, floats through their shortest decimal text."""
    if type(x) is float:
        return _decimal(x)
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        raise TypeError("a number, not a boolean")
    return Fraction(x) if isinstance(x, int) else Fraction(str(x))


@functools.lru_cache(maxsize=1 << 16)
def _decimal(x: float) -> Fraction:
    """A float's shortest decimal text as a fraction (the same few values recur: settings,
    weights, targets, 1-5 scores; kept for speed)."""
    return Fraction(str(x))


def half_up(x: Fraction, places: int = 1) -> Fraction:
    """Round half up (towards +∞ at the half) to ``places`` decimals, exactly."""
    scale = 10 ** places
    return Fraction(math.floor(x * scale + Fraction(1, 2)), scale)


def _f(x: Fraction) -> float:
    return float(x)


# -- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppraisalSettings:
    """Every threshold and weight of the appraisal formulas (README, *Performance
    management*; ``schema/appraisal.yaml`` holds these defaults)."""

    achievement_cap: float = 1.2
    points_at_target: float = 10.0
    manager_weight: float = 0.5
    peer_weight: float = 0.3
    subordinate_weight: float = 0.2
    self_weight: float = 0.0
    feedback_scale: float = 20.0
    kpi_weight: float = 0.7
    feedback_weight: float = 0.3
    excellent_threshold: float = 95.0
    qualified_threshold: float = 70.0
    guideline_excellent: float = 0.2
    guideline_qualified: float = 0.7
    guideline_needs_improvement: float = 0.1
    tolerance: float = 0.05
    min_group_size: int = 10
    alert_threshold: float = 0.7
    multiplier_excellent: float = 1.5
    multiplier_qualified: float = 1.0
    multiplier_needs_improvement: float = 0.0
    forced_ranking: bool = False

    def relation_weight(self, relation: str) -> Fraction:
        if relation not in RELATIONS:
            raise InvalidInput(f"unknown feedback relation {relation!r}: one of "
                               f"{', '.join(RELATIONS)}", field="relation")
        return q(getattr(self, f"{relation}_weight"))

    def guideline(self, rating: Rating) -> Fraction:
        return q(getattr(self, f"guideline_{rating}"))

    def multiplier(self, rating: Rating) -> Fraction:
        return q(getattr(self, f"multiplier_{rating}"))

    def check(self) -> None:
        """Raise :class:`InvalidInput` naming the field of the first inconsistent value."""
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "forced_ranking":
                if not isinstance(value, bool):
                    raise InvalidInput(f"{f.name} is true or false, not {value!r}", field=f.name)
            elif f.name == "min_group_size":
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise InvalidInput(f"{f.name} is a whole number of at least 1, not "
                                       f"{value!r}", field=f.name)
            elif isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value):
                raise InvalidInput(f"{f.name} is a number, not {value!r}", field=f.name)
            elif value < 0:
                raise InvalidInput(f"{f.name} must not be negative, not {value!r}", field=f.name)
        for name in ("achievement_cap", "points_at_target", "feedback_scale"):
            if getattr(self, name) <= 0:
                raise InvalidInput(f"{name} must be above 0", field=name)
        if q(self.kpi_weight) + q(self.feedback_weight) != 1:
            raise InvalidInput("kpi_weight and feedback_weight must add up to 1, not "
                               f"{self.kpi_weight:g} + {self.feedback_weight:g}",
                               field="kpi_weight")
        if not self.qualified_threshold <= self.excellent_threshold:
            raise InvalidInput(f"qualified_threshold {self.qualified_threshold:g} must not be "
                               f"above excellent_threshold {self.excellent_threshold:g}",
                               field="qualified_threshold")
        if sum(self.guideline(r) for r in RATINGS) != 1:
            raise InvalidInput("guideline_excellent, guideline_qualified and "
                               "guideline_needs_improvement must add up to 1",
                               field="guideline_excellent")
        if self.tolerance > 1:
            raise InvalidInput("tolerance is a share between 0 and 1", field="tolerance")
        if self.alert_threshold > self.achievement_cap:
            raise InvalidInput(f"alert_threshold {self.alert_threshold:g} is above "
                               f"achievement_cap {self.achievement_cap:g}",
                               field="alert_threshold")


DEFAULT_SETTINGS = AppraisalSettings()


# -- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiResult:
    """One KPI of a position the employee held in the period, with its result if any.

    ``weight`` is the position's weight for the KPI (``position_kpis.csv``, percent);
    ``target`` is the one that applies (the employee's own override when there is one);
    ``actual`` None = no result. The context ids (department, manager, key result, objective)
    are only carried into alerts."""

    kpi: str
    position: str
    weight: float
    target: float | None
    actual: float | None
    higher_is_better: bool = True
    name: str = ""
    department: str | None = None
    manager: str | None = None
    key_result: str | None = None
    objective: str | None = None


@dataclass(frozen=True)
class Feedback:
    """One reviewer's score (1-5) of the employee for the period."""

    reviewer: str
    relation: Relation
    score: float


# -- formulas 1-2: achievement and points ----------------------------------------------------


def achievement(target: float | None, actual: float, higher_is_better: bool,
                s: AppraisalSettings = DEFAULT_SETTINGS) -> Fraction | None:
    """Achievement of a KPI result (formula 1)::

        higher is better:  actual / target
        lower is better:   target / actual   (actual 0 = the cap)
        clamped to [0, achievement_cap]

    None when there is no target: ``target`` None, or 0 for a higher-is-better KPI (a
    lower-is-better target of 0 is a real target: any actual above 0 achieves 0)."""
    cap = q(s.achievement_cap)
    if target is None:
        return None
    t, a = q(target), q(actual)
    if higher_is_better:
        if t == 0:
            return None
        raw = a / t
    else:
        raw = cap if a == 0 else t / a
    return min(max(raw, Fraction(0)), cap)


@dataclass(frozen=True)
class KpiTerm:
    """One KPI as the KPI score uses it: ``achievement`` and ``points`` are None unless
    ``status`` is ``scored``; ``contribution`` = (100 / points_at_target) × w × points / Σw."""

    kpi: str
    name: str
    position: str
    weight: float
    higher_is_better: bool
    target: float | None
    actual: float | None
    status: KpiStatus
    achievement: float | None
    points: float | None
    contribution: float | None
    alert: bool


@dataclass(frozen=True)
class FeedbackTerm:
    """One relation's reviewers: their mean score, how many, the configured weight and the
    weight normalised over the relations present."""

    relation: Relation
    mean: float
    count: int
    weight: float
    normalised_weight: float


@dataclass(frozen=True)
class KpiAlert:
    """A KPI result whose achievement is strictly below ``alert_threshold`` (formula 8)."""

    employee: str
    period: str
    kpi: str
    name: str
    position: str
    department: str | None
    manager: str | None
    key_result: str | None
    objective: str | None
    higher_is_better: bool
    target: float
    actual: float
    achievement: float
    threshold: float
    explanation: str


@dataclass(frozen=True)
class Appraisal:
    """An employee's appraisal for a period, every term shown. An incomplete appraisal (no
    KPI result with a target) has no final score, rating, multiplier or bonus."""

    employee: str
    period: str
    kpis: tuple[KpiTerm, ...]
    total_weight: float
    kpi_score: float | None
    feedback: tuple[FeedbackTerm, ...]
    feedback_count: int
    feedback_score: float | None
    kpi_weight: float
    feedback_weight: float
    final_score: float | None
    rating: Rating | None
    multiplier: float | None
    base_bonus: float | None
    bonus: float | None
    alerts: tuple[KpiAlert, ...]
    formula: str
    explanation: str

    @property
    def complete(self) -> bool:
        return self.final_score is not None

    @property
    def missing(self) -> tuple[KpiTerm, ...]:
        """The KPIs not scored: no result, or no target."""
        return tuple(t for t in self.kpis if t.status != "scored")


def _kpi_terms(employee: str, period: str, results: Sequence[KpiResult],
               s: AppraisalSettings) -> tuple[list[KpiTerm], Fraction, Fraction | None,
                                               list[KpiAlert]]:
    scale = 100 / q(s.points_at_target)
    scored: list[tuple[KpiResult, Fraction]] = []
    ach: dict[int, Fraction] = {}
    status: dict[int, KpiStatus] = {}
    for i, r in enumerate(results):
        if q(r.weight) < 0:
            raise InvalidInput(f"KPI {r.kpi}: weight must not be negative", field="weight")
        if r.actual is None:
            status[i] = "missing_result"
            continue
        a = achievement(r.target, r.actual, r.higher_is_better, s)
        if a is None:
            status[i] = "missing_target"
        else:
            status[i] = "scored"
            ach[i] = a
            scored.append((r, a))
    total = sum((q(r.weight) for r, _ in scored), Fraction(0))
    score = None
    if scored:
        points_sum = sum((q(r.weight) * q(s.points_at_target) * a for r, a in scored),
                         Fraction(0))
        if total > 0:
            score = half_up(scale * points_sum / total)
        else:  # every weight 0: the plain mean
            score = half_up(scale * sum((q(s.points_at_target) * a for _, a in scored),
                                        Fraction(0)) / len(scored))
    terms: list[KpiTerm] = []
    alerts: list[KpiAlert] = []
    threshold = q(s.alert_threshold)
    for i, r in enumerate(results):
        a_ = ach.get(i)
        if a_ is None:
            terms.append(KpiTerm(r.kpi, r.name, r.position, r.weight, r.higher_is_better,
                                 r.target, r.actual, status[i], None, None, None, False))
            continue
        pts = q(s.points_at_target) * a_
        w = q(r.weight)
        contribution = scale * w * pts / total if total > 0 else scale * pts / len(scored)
        is_alert = a_ < threshold
        terms.append(KpiTerm(r.kpi, r.name, r.position, r.weight, r.higher_is_better,
                             r.target, r.actual, "scored", _f(a_), _f(pts), _f(contribution),
                             is_alert))
        if is_alert:
            assert r.target is not None and r.actual is not None
            ratio = "actual / target" if r.higher_is_better else "target / actual"
            alerts.append(KpiAlert(
                employee, period, r.kpi, r.name, r.position, r.department, r.manager,
                r.key_result, r.objective, r.higher_is_better, r.target, r.actual, _f(a_),
                s.alert_threshold,
                f"{r.kpi} at {_pct(a_)} of target ({ratio} = {r.actual:g} vs {r.target:g}), "
                f"below {_pct(threshold)}"))
    return terms, total, score, alerts


def _pct(x: Fraction) -> str:
    return f"{float(half_up(100 * x)):g} %"


def feedback_score(feedback: Sequence[Feedback], s: AppraisalSettings = DEFAULT_SETTINGS,
                   ) -> tuple[tuple[FeedbackTerm, ...], Fraction | None]:
    """The feedback score (formula 4)::

        mean_r   = the mean score (1-5) of relation r's reviewers
        feedback = feedback_scale × Σ_r w_r · mean_r / Σ_r w_r

    over the relations r present, w_r the relation's weight (manager 0.5, peer 0.3,
    subordinate 0.2, self 0), rounded half up to one decimal. When the relations present
    weigh nothing (only self feedback, by default) there is no feedback score."""
    by_relation: dict[str, list[Fraction]] = {}
    for f in feedback:
        s.relation_weight(f.relation)
        score = q(f.score)
        if not 1 <= score <= 5:
            raise InvalidInput(f"feedback from {f.reviewer}: a score is 1 to 5, not "
                               f"{f.score:g}", field="score")
        by_relation.setdefault(f.relation, []).append(score)
    present = [r for r in RELATIONS if r in by_relation]
    total = sum((s.relation_weight(r) for r in present), Fraction(0))
    terms = []
    raw = Fraction(0)
    for r in present:
        scores = by_relation[r]
        mean = sum(scores, Fraction(0)) / len(scores)
        nw = s.relation_weight(r) / total if total > 0 else Fraction(0)
        raw += nw * mean
        terms.append(FeedbackTerm(r, _f(mean), len(scores), float(s.relation_weight(r)),
                                  _f(nw)))
    return tuple(terms), (half_up(q(s.feedback_scale) * raw) if total > 0 else None)


def rating_of(final: Fraction | float, s: AppraisalSettings = DEFAULT_SETTINGS) -> Rating:
    """Formula 6: excellent ≥ excellent_threshold, qualified ≥ qualified_threshold, else
    needs_improvement (on the rounded final score)."""
    x = q(final)
    if x >= q(s.excellent_threshold):
        return "excellent"
    if x >= q(s.qualified_threshold):
        return "qualified"
    return "needs_improvement"


def appraise(employee: str, period: str, results: Sequence[KpiResult],
             feedback: Sequence[Feedback] = (), s: AppraisalSettings = DEFAULT_SETTINGS,
             base_bonus: float | None = None) -> Appraisal:
    """An employee's appraisal for a period (formulas 1-6, 8, 9)::

        achievementₖ = actual / target, or target / actual when lower is better
                       (actual 0 = the cap), clamped to [0, 1.2]
        pointsₖ      = 10 × achievementₖ          (10 at target, 12 at +20 % or more)
        kpi score    = 10 × Σ wₖ · pointsₖ / Σ wₖ  (100 at target, at most 120)
        feedback     = 20 × Σ_r w_r · mean_r / Σ_r w_r  (see :func:`feedback_score`)
        final        = 0.7 × kpi score + 0.3 × feedback, or the kpi score without feedback
        rating       = excellent ≥ 95, qualified ≥ 70, else needs_improvement
        multiplier   = 1.5 / 1.0 / 0 by rating;  bonus = multiplier × base bonus

    over the KPIs of the positions held in the period (``results``; wₖ the position's percent
    weight). A KPI without a result or without a target (:func:`achievement` None) is listed
    as missing, not scored as 0. The KPI and feedback scores are rounded half up to one
    decimal, the final score is computed from those rounded parts and rounded half up, and the
    rating compares the rounded final score. Without any scored KPI the appraisal is
    incomplete: no final score, rating, multiplier or bonus. (10 is ``points_at_target``,
    the KPI score's factor is 100 / points_at_target; every number is an
    :class:`AppraisalSettings` field.) When every scored KPI weighs 0, they count equally.
    Alerts: each scored KPI whose achievement is strictly below ``alert_threshold``."""
    terms, total, kpi, alerts = _kpi_terms(employee, period, results, s)
    fb_terms, fb = feedback_score(feedback, s)
    final: Fraction | None = None
    kw, fw = q(s.kpi_weight), q(s.feedback_weight)
    if kpi is not None and fb is None:
        kw, fw = Fraction(1), Fraction(0)
    if kpi is None:
        kw, fw = Fraction(0), Fraction(0)
    rating: Rating | None = None
    multiplier = bonus = None
    if kpi is not None:
        final = kpi if fb is None else half_up(kw * kpi + fw * fb)
        rating = rating_of(final, s)
        multiplier = s.multiplier(rating)
        if base_bonus is not None:
            bonus = multiplier * q(base_bonus)
    if final is None:
        explanation = (f"incomplete: no KPI result with a target for {period} "
                       f"({len(terms)} KPI(s) missing)")
    else:
        parts = f"KPI {float(kpi or 0):g}"
        if fb is not None:
            parts = (f"{float(kw):g} × KPI {float(kpi or 0):g} + {float(fw):g} × feedback "
                     f"{float(fb):g}")
        else:
            parts += " (no feedback)"
        explanation = (f"final {float(final):g} = {parts}: {rating}, multiplier "
                       f"{float(multiplier or 0):g}")
    return Appraisal(
        employee=employee, period=period, kpis=tuple(terms), total_weight=_f(total),
        kpi_score=None if kpi is None else _f(kpi), feedback=fb_terms,
        feedback_count=len(feedback), feedback_score=None if fb is None else _f(fb),
        kpi_weight=_f(kw), feedback_weight=_f(fw),
        final_score=None if final is None else _f(final), rating=rating,
        multiplier=None if multiplier is None else _f(multiplier), base_bonus=base_bonus,
        bonus=None if bonus is None else _f(bonus), alerts=tuple(alerts),
        formula=APPRAISAL_FORMULA,
        explanation=explanation)


def with_bonus(a: Appraisal, base_bonus: float,
               s: AppraisalSettings = DEFAULT_SETTINGS) -> Appraisal:
    """``a`` with the bonus of ``base_bonus`` (formula 9: multiplier × base bonus; none for an
    incomplete appraisal), as :func:`appraise` given ``base_bonus`` computes it."""
    bonus = None if a.rating is None else _f(s.multiplier(a.rating) * q(base_bonus))
    return replace(a, base_bonus=base_bonus, bonus=bonus)


def kpi_alerts(employee: str, period: str, results: Sequence[KpiResult],
               s: AppraisalSettings = DEFAULT_SETTINGS) -> list[KpiAlert]:
    """Formula 8: the KPI results with an achievement (formula 1, after the employee's own
    target override) strictly below ``alert_threshold`` (70 %: exactly 70 % is no alert). A
    KPI without a result or target raises no alert."""
    return _kpi_terms(employee, period, results, s)[3]


def bonus_multiplier(rating: Rating, s: AppraisalSettings = DEFAULT_SETTINGS) -> float:
    """Formula 9: 1.5 / 1.0 / 0 for excellent / qualified / needs_improvement."""
    return _f(s.multiplier(rating))


# -- formula 7: calibration ------------------------------------------------------------------


@dataclass(frozen=True)
class RatingCount:
    """One rating in a calibration group: with n people, guideline share g and tolerance t,
    ``low`` = ⌈n(g−t)⌉ and ``high`` = ⌊n(g+t)⌋; within when low ≤ count ≤ high;
    ``move_in`` = low − count when below, ``move_out`` = count − high when above."""

    rating: Rating
    count: int
    share: float
    guideline: float
    low: int
    high: int
    within: bool
    move_in: int
    move_out: int


@dataclass(frozen=True)
class Placement:
    """A rated employee in a calibration group: ``rating`` from their score,
    ``calibrated_rating`` from their rank when forced ranking is on (else the same)."""

    employee: str
    department: str
    final_score: float
    rank: int
    rating: Rating
    calibrated_rating: Rating
    multiplier: float


@dataclass(frozen=True)
class CalibrationGroup:
    """One calibration group: a department (None = the whole organisation) with the
    sub-departments merged into it."""

    department: str | None
    departments: tuple[str, ...]
    size: int
    forced_ranking: bool
    counts: tuple[RatingCount, ...]
    placements: tuple[Placement, ...]
    explanation: str

    @property
    def within(self) -> bool:
        return all(c.within for c in self.counts)


def rating_count(rating: Rating, count: int, n: int,
                 s: AppraisalSettings = DEFAULT_SETTINGS) -> RatingCount:
    """How ``count`` people of ``n`` rated ``rating`` stand against the guideline."""
    g, t = s.guideline(rating), q(s.tolerance)
    low, high = math.ceil(n * (g - t)), math.floor(n * (g + t))
    return RatingCount(rating, count, count / n if n else 0.0, _f(g), low, high,
                       low <= count <= high, max(low - count, 0), max(count - high, 0))


def forced_ratings(ranked: int, s: AppraisalSettings = DEFAULT_SETTINGS) -> list[Rating]:
    """The ratings forced ranking gives ``ranked`` people, best first: the first
    ⌊n·g_excellent + ½⌋ (rounded half up) excellent, the last ⌊n·g_needs_improvement + ½⌋
    needs_improvement (no more than the people left), the rest qualified."""
    n = ranked
    top = min(n, math.floor(n * s.guideline("excellent") + Fraction(1, 2)))
    bottom = min(n - top, math.floor(n * s.guideline("needs_improvement") + Fraction(1, 2)))
    return (["excellent"] * top + ["qualified"] * (n - top - bottom)
            + ["needs_improvement"] * bottom)  # type: ignore[return-value]


def _children(parents: Mapping[str, str | None]) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {}
    for d, p in parents.items():
        out.setdefault(p if p in parents else None, []).append(d)
    for kids in out.values():
        kids.sort()
    return out


def subtree(root: str | None, parents: Mapping[str, str | None]) -> list[str]:
    """``root`` and the departments below it, pre-order (children by id); ``root`` None = every
    department."""
    kids = _children(parents)
    if root is not None and root not in parents:
        raise InvalidInput(f"unknown department {root!r}", field="department")
    out: list[str] = []
    stack = list(reversed(kids.get(root, [])))
    if root is not None:
        out.append(root)
    seen = set(out)
    while stack:
        d = stack.pop()
        if d in seen:
            continue
        seen.add(d)
        out.append(d)
        stack.extend(reversed(kids.get(d, [])))
    return out


def calibration(root: str | None, parents: Mapping[str, str | None],
                rated: Mapping[str, Sequence[Appraisal]],
                s: AppraisalSettings = DEFAULT_SETTINGS) -> list[CalibrationGroup]:
    """Formula 7: calibration groups at or below ``root`` and their rating counts.

    ``parents`` maps every department to its parent (None at the top); ``rated`` maps a
    department to the appraisals of its people (incomplete ones are left out). ``root`` None
    is the whole organisation (a group of its own above the top departments). Groups are
    formed bottom-up: a department's group is its own rated people plus the groups of its
    sub-departments that stayed under ``min_group_size``; a group under that size is merged
    into its parent's; ``root``'s group stands whatever its size. Groups come in pre-order
    (children by id). With n people, guideline share g and tolerance t a rating's count c is
    within when n(g−t) ≤ c ≤ n(g+t) (:class:`RatingCount`). With ``forced_ranking`` the
    group is ranked by final score, high first, ties by employee id, and rated by rank
    (:func:`forced_ratings`); the counts are then those of the calibrated ratings."""
    order = subtree(root, parents)
    kids = _children(parents)
    # bottom-up: (departments, appraisals with department) of the group still open
    pending: dict[str | None, tuple[list[str], list[tuple[str, Appraisal]]]] = {}
    standing: dict[str | None, tuple[list[str], list[tuple[str, Appraisal]]]] = {}
    nodes: list[str | None] = list(order) if root is not None else [None, *order]
    for d in reversed(nodes):
        depts: list[str] = [] if d is None else [d]
        people = [] if d is None else [(d, a) for a in rated.get(d, ()) if a.complete]
        for c in kids.get(d, []):
            if c in pending:
                cd, cp = pending.pop(c)
                depts += cd
                people += cp
        if d == root or len(people) >= s.min_group_size:
            standing[d] = (depts, people)
        else:
            pending[d] = (depts, people)
    return [_group(d, *standing[d], s) for d in nodes if d in standing]


def _group(department: str | None, depts: list[str], people: list[tuple[str, Appraisal]],
           s: AppraisalSettings) -> CalibrationGroup:
    ranked = sorted(people, key=lambda p: (-q(p[1].final_score or 0), p[1].employee))
    n = len(ranked)
    forced = forced_ratings(n, s) if s.forced_ranking else None
    placements = []
    for i, (d, a) in enumerate(ranked):
        assert a.rating is not None and a.final_score is not None
        cal = forced[i] if forced is not None else a.rating
        placements.append(Placement(a.employee, d, a.final_score, i + 1, a.rating, cal,
                                    bonus_multiplier(cal, s)))
    counts = tuple(rating_count(r, sum(p.calibrated_rating == r for p in placements), n, s)
                   for r in RATINGS)
    off = [f"{c.rating} {c.count} (move in {c.move_in})" if c.move_in else
           f"{c.rating} {c.count} (move out {c.move_out})" for c in counts if not c.within]
    explanation = (f"{n} rated; " + ("forced ranking; " if forced is not None else "")
                   + ("within the guideline" if not off else "outside: " + ", ".join(off)))
    return CalibrationGroup(department, tuple(sorted(depts)), n, forced is not None, counts,
                            tuple(placements), explanation)


# -- formula 10: training needs --------------------------------------------------------------


@dataclass(frozen=True)
class CompetencyGap:
    """A competency the employee's current position requires: ``priority`` = weight ×
    missing levels (max(required − held, 0))."""

    competency: str
    name: str
    required: int
    held: int
    weight: float

    @property
    def missing(self) -> int:
        return max(self.required - self.held, 0)

    @property
    def priority(self) -> float:
        return _f(q(self.weight) * self.missing)


@dataclass(frozen=True)
class TrainingNeed:
    """An employee rated needs_improvement or with a KPI alert, and their gaps (highest
    priority first, ties by competency id; only competencies with missing levels)."""

    employee: str
    period: str
    department: str | None
    position: str | None
    rating: Rating | None
    alerts: int
    gaps: tuple[CompetencyGap, ...]
    explanation: str


def training_need(appraisal: Appraisal, gaps: Iterable[CompetencyGap],
                  position: str | None = None, department: str | None = None,
                  ) -> TrainingNeed | None:
    """Formula 10 for one employee: a need when rated needs_improvement or with an alert
    (listed even without a gap), else None; the gaps of their current position ranked by
    weight × missing levels, high first, ties by competency id."""
    if appraisal.rating != "needs_improvement" and not appraisal.alerts:
        return None
    ranked = sorted((g for g in gaps if g.missing > 0),
                    key=lambda g: (-(q(g.weight) * g.missing), g.competency))
    why = []
    if appraisal.rating == "needs_improvement":
        why.append(f"rated needs_improvement ({appraisal.final_score:g})")
    if appraisal.alerts:
        why.append(f"{len(appraisal.alerts)} KPI alert(s)")
    return TrainingNeed(appraisal.employee, appraisal.period, department, position,
                        appraisal.rating, len(appraisal.alerts), tuple(ranked),
                        " and ".join(why) + f"; {len(ranked)} competency gap(s)")


@dataclass(frozen=True)
class CompetencyDemand:
    """A competency among a department's training needs: how many of them lack it, and the
    sum of their priorities."""

    competency: str
    name: str
    employees: int
    total_priority: float


@dataclass(frozen=True)
class DepartmentTrainingNeeds:
    """The training needs of a department with its sub-departments (None = everyone)."""

    department: str | None
    needs: tuple[TrainingNeed, ...]
    competencies: tuple[CompetencyDemand, ...]


def department_training_needs(root: str | None, parents: Mapping[str, str | None],
                              needs: Mapping[str, Sequence[TrainingNeed]],
                              ) -> list[DepartmentTrainingNeeds]:
    """For ``root`` and each department below it (pre-order; None = the organisation): the
    needs of its people and its sub-departments' (by employee id) and the competencies that
    appear most often among them (most employees first, then total priority, then id)."""
    kids = _children(parents)
    nodes: list[str | None] = list(subtree(root, parents))
    if root is None:
        nodes.insert(0, None)
    below: dict[str | None, list[TrainingNeed]] = {}
    for d in reversed(nodes):
        own = [] if d is None else list(needs.get(d, ()))
        for c in kids.get(d, []):
            own += below.get(c, [])
        below[d] = own
    out = []
    for d in nodes:
        rows = sorted(below[d], key=lambda n: n.employee)
        demand: dict[str, tuple[str, int, Fraction]] = {}
        for n in rows:
            for g in n.gaps:
                name, k, p = demand.get(g.competency, (g.name, 0, Fraction(0)))
                demand[g.competency] = (name, k + 1, p + q(g.weight) * g.missing)
        comps = sorted(demand.items(), key=lambda kv: (-kv[1][1], -kv[1][2], kv[0]))
        out.append(DepartmentTrainingNeeds(d, tuple(rows), tuple(
            CompetencyDemand(c, name, k, _f(p)) for c, (name, k, p) in comps)))
    return out


# -- formula 11: objectives ------------------------------------------------------------------


@dataclass(frozen=True)
class KeyResultInput:
    id: str
    objective: str
    start: float
    target: float
    current: float | None
    weight: float = 1.0
    name: str = ""
    #: only used when target == start (then there is no direction to read from them)
    higher_is_better: bool = True


@dataclass(frozen=True)
class ObjectiveInput:
    """An objective; ``department`` None = company-wide."""

    id: str
    department: str | None
    parent: str | None = None
    weight: float = 1.0
    name: str = ""


def key_result_progress(start: float, target: float, current: float | None,
                        higher_is_better: bool = True) -> Fraction:
    """progress = clamp((current − start) / (target − start), 0, 1); a target below the start
    is lower-is-better and works the same. target == start (no direction to read): 1 when
    ``current`` has reached or passed the target in the key result's direction (current ≥
    target, or ≤ when ``higher_is_better`` is False), else 0. No current value = 0."""
    if current is None:
        return Fraction(0)
    s0, t, c = q(start), q(target), q(current)
    if t == s0:
        return Fraction(1) if (c >= t if higher_is_better else c <= t) else Fraction(0)
    return min(max((c - s0) / (t - s0), Fraction(0)), Fraction(1))


@dataclass(frozen=True)
class KeyResultProgress:
    key_result: str
    name: str
    start: float
    target: float
    current: float | None
    weight: float
    progress: float


@dataclass(frozen=True)
class ChildProgress:
    objective: str
    weight: float
    progress: float | None


@dataclass(frozen=True)
class ObjectiveProgress:
    """An objective's progress (None: no key results and no child with progress) with its
    terms; ``aligned`` False when its parent is neither company-wide nor of its own or an
    ancestor department."""

    objective: str
    name: str
    department: str | None
    parent: str | None
    weight: float
    progress: float | None
    percent: float | None
    key_results: tuple[KeyResultProgress, ...]
    children: tuple[ChildProgress, ...]
    aligned: bool
    explanation: str


@dataclass(frozen=True)
class ObjectiveReport:
    """Every objective (by id), each department's progress and the company's."""

    objectives: tuple[ObjectiveProgress, ...]
    departments: tuple[tuple[str, float | None], ...]
    company: float | None
    formula: str


OBJECTIVE_FORMULA = ("key result progress = clamp((current − start) / (target − start), 0, 1); "
                     "objective progress = Σ wᵢ·progressᵢ / Σ wᵢ over its key results and its "
                     "child objectives with progress")


def _kr(k: KeyResultInput) -> Fraction:
    return key_result_progress(k.start, k.target, k.current, k.higher_is_better)


def _wmean(pairs: Sequence[tuple[Fraction, Fraction]]) -> Fraction | None:
    if not pairs:
        return None
    total = sum((w for w, _ in pairs), Fraction(0))
    if total == 0:
        return sum((p for _, p in pairs), Fraction(0)) / len(pairs)
    return sum((w * p for w, p in pairs), Fraction(0)) / total


def objective_progress(objectives: Sequence[ObjectiveInput],
                       key_results: Sequence[KeyResultInput],
                       parents: Mapping[str, str | None]) -> ObjectiveReport:
    """Formula 11. An objective's progress is the weighted mean (weights wᵢ; all equal when
    they sum to 0) of its key results' progress (:func:`key_result_progress`) and its child
    objectives' progress; a child without progress (no key results, no child with progress) is
    left out, and an objective with nothing to average has no progress. A misaligned child
    still rolls up. A department's progress is the weighted mean of its objectives whose
    parent is not of the same department; the company's is that of the company-wide
    objectives (which roll up the departments' through their children). Flags: an objective
    whose parent is neither company-wide nor of its department or an ancestor's."""
    by_id = {o.id: o for o in objectives}
    krs: dict[str, list[KeyResultInput]] = {}
    for k in key_results:
        krs.setdefault(k.objective, []).append(k)
    kids: dict[str, list[str]] = {}
    for o in objectives:
        if o.parent is not None and o.parent in by_id:
            kids.setdefault(o.parent, []).append(o.id)
    done: dict[str, Fraction | None] = {}
    visiting: set[str] = set()

    def progress(oid: str) -> Fraction | None:
        if oid in done:
            return done[oid]
        if oid in visiting:
            raise InvalidInput(f"objective {oid} is its own ancestor", field="parent")
        visiting.add(oid)
        pairs = [(q(k.weight), _kr(k))
                 for k in krs.get(oid, [])]
        for c in sorted(kids.get(oid, [])):
            p = progress(c)
            if p is not None:
                pairs.append((q(by_id[c].weight), p))
        visiting.discard(oid)
        done[oid] = _wmean(pairs)
        return done[oid]

    def ancestors(d: str | None) -> set[str]:
        out: set[str] = set()
        while d is not None and d not in out:
            out.add(d)
            d = parents.get(d)
        return out

    out = []
    for o in sorted(objectives, key=lambda o: o.id):
        p = progress(o.id)
        parent = by_id.get(o.parent) if o.parent is not None else None
        aligned = (o.parent is None or parent is None or parent.department is None
                   or parent.department in ancestors(o.department))
        krp = tuple(KeyResultProgress(k.id, k.name, k.start, k.target, k.current, k.weight,
                                      _f(_kr(k)))
                    for k in sorted(krs.get(o.id, []), key=lambda k: k.id))
        ch = tuple(ChildProgress(c, by_id[c].weight, None if (cp := done[c]) is None
                                 else _f(cp)) for c in sorted(kids.get(o.id, [])))
        why = ("no progress: no key results and no child with progress" if p is None else
               f"{float(half_up(100 * p)):g} % from {len(krp)} key result(s) and "
               f"{sum(c.progress is not None for c in ch)} child objective(s)")
        if not aligned:
            why += (f"; misaligned: parent {o.parent} belongs to department "
                    f"{parent.department if parent else None}, not company-wide nor "
                    f"{o.department or 'company'} or above")
        out.append(ObjectiveProgress(o.id, o.name, o.department, o.parent, o.weight,
                                     None if p is None else _f(p),
                                     None if p is None else _f(half_up(100 * p)), krp, ch,
                                     aligned, why))
    depts = sorted({o.department for o in objectives if o.department is not None})
    dept_progress = []
    for d in depts:
        tops = [(q(o.weight), done[o.id]) for o in objectives if o.department == d
                and (o.parent not in by_id or by_id[o.parent].department != d)]
        m = _wmean([(w, p) for w, p in tops if p is not None])
        dept_progress.append((d, None if m is None else _f(m)))
    company = _wmean([(q(o.weight), p) for o in objectives
                      if o.department is None and (p := done[o.id]) is not None])
    return ObjectiveReport(tuple(out), tuple(dept_progress),
                           None if company is None else _f(company), OBJECTIVE_FORMULA)


@dataclass(frozen=True)
class UnalignedKpi:
    """A position's KPI that serves no key result."""

    position: str
    kpi: str
    explanation: str


def unaligned_kpis(position_kpis: Iterable[tuple[str, str]],
                   serves: Mapping[str, Collection[str]]) -> list[UnalignedKpi]:
    """Formula 11, alignment: each (position, KPI) whose KPI serves no key result
    (``serves`` maps a KPI to the key results it serves), by position then KPI."""
    return [UnalignedKpi(p, k, f"KPI {k} of position {p} serves no key result")
            for p, k in sorted(set(position_kpis)) if not serves.get(k)]
