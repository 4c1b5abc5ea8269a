"""Person-to-position fit (人岗匹配): scores, eligibility, explanations, and the questions built
on them (candidates, career moves, mismatches, who can, team coverage).

The formula is stated once for clients, in :data:`FORMULA` (which the API returns with every
score), and once for readers, in :func:`explain`, which evaluates it for one pair term by
term; README, *Fit and succession*, explains it to planners.

Every function takes a :class:`domain.fit_model.FitModel` snapshot and ids; an unknown id raises
:class:`domain.errors.NotFound`, a bad argument :class:`domain.errors.InvalidInput`, each naming
the argument. The same formula is evaluated three ways (one position against every employee,
one employee against every position, many pairs at once) with the same order of additions, so
they agree to the last bit with :func:`explain`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from domain.errors import InvalidInput, camel_case
from domain.fit_model import BOOL, F64, I64, NO_EXPIRY, FitModel, Requirements

FORMULA = ("fit = 100 × Σ wᵢ·min(aᵢ/rᵢ, 1) / Σ wᵢ over the position's required competencies "
           "(rᵢ required level, aᵢ assessed level or 0, wᵢ weight), rounded half up to one "
           "decimal; eligible = every mandatory aᵢ ≥ rᵢ and every required certificate held "
           "and unexpired on the as-of date")
MAX_FIRST = 100
DEFAULT_THRESHOLD = 75.0


def round_fit(raw: NDArray[np.floating[Any]]) -> F64:
    """Round half up to one decimal (the epsilon absorbs float error such as 62.4999999)."""
    return np.asarray(np.floor(raw * 10.0 + 0.5 + 1e-9) / 10.0, dtype=np.float64)


def round_one(raw: float) -> float:
    return float(np.floor(raw * 10.0 + 0.5 + 1e-9) / 10.0)


# -- the formula, three ways (as :func:`explain` states it) ----------------------------------


def _finish(num: F64, weight: F64) -> F64:
    """100 × num / Σw, rounded; 100 where the position requires nothing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(weight > 0, 100.0 * num / np.where(weight > 0, weight, 1.0), 100.0)
    return round_fit(raw)


def _terms(req: Requirements, rows: slice) -> Iterator[tuple[int, int, float, bool]]:
    """Some requirements as (competency, level, weight, mandatory), in their order."""
    return zip(req.competency[rows].tolist(), req.level[rows].tolist(),
               req.weight[rows].tolist(), req.mandatory[rows].tolist(), strict=True)


def position_fit(m: FitModel, p: int, as_of: int) -> tuple[F64, BOOL]:
    """Every employee's (rounded) fit for position ``p`` and whether they are eligible."""
    num = np.zeros(m.n_emp, dtype=np.float64)
    met = np.zeros(m.n_emp, dtype=np.int64)
    reqs = m.requirements_by_position
    holders = m.levels_by_competency
    holder, holder_level = holders.cols.employee, holders.cols.level
    for c, r, w, mandatory in _terms(reqs.cols, reqs.rows(p)):
        rows = holders.rows(c)
        emps, levels = holder[rows], holder_level[rows]
        num[emps] += w * np.minimum(levels / r, 1.0)
        if mandatory:
            met[emps] += levels >= r
    pos = m.per_position
    eligible = met == pos.mandatory[p]
    certs = m.required_certificates_by_position
    for cert in certs.cols.certificate[certs.rows(p)].tolist():
        eligible &= valid_holders(m, cert, as_of)
    scores = _finish(num, np.full(m.n_emp, pos.weight[p]))
    return scores, eligible


def valid_holders(m: FitModel, cert: int, as_of: int) -> BOOL:
    """Per employee: holds certificate ``cert``, unexpired on ``as_of``."""
    held = m.held_certificates_by_certificate
    rows = held.rows(cert)
    valid = np.zeros(m.n_emp, dtype=np.bool_)
    valid[held.cols.employee[rows][held.cols.expiry[rows] >= as_of]] = True
    return valid


def employee_fit(m: FitModel, e: int, as_of: int) -> tuple[F64, BOOL]:
    """Employee ``e``'s (rounded) fit for every position and whether they are eligible."""
    num = np.zeros(m.n_pos, dtype=np.float64)
    met = np.zeros(m.n_pos, dtype=np.int64)
    assessed = m.levels_by_employee
    mine = assessed.rows(e)
    reqs = m.requirements_by_competency
    req = reqs.cols
    for c, a in zip(assessed.cols.competency[mine].tolist(),  # in competency order
                    assessed.cols.level[mine].tolist(), strict=True):
        rows = reqs.rows(c)
        pos, r = req.position[rows], req.level[rows]
        np.add.at(num, pos, req.weight[rows] * np.minimum(a / r, 1.0))
        np.add.at(met, pos, req.mandatory[rows] & (a >= r))
    certs = np.zeros(m.n_pos, dtype=np.int64)
    held = m.held_certificates_by_employee
    rows = held.rows(e)
    requiring = m.required_certificates_by_certificate
    for c in np.unique(held.cols.certificate[rows][held.cols.expiry[rows] >= as_of]).tolist():
        certs[requiring.cols.position[requiring.rows(c)]] += 1
    eligible = (met == m.per_position.mandatory) & (certs == m.per_position.certificates)
    return _finish(num, m.per_position.weight), eligible


def pair_fit(m: FitModel, emps: I64, poss: I64, as_of: int) -> tuple[F64, BOOL]:
    """The (rounded) fit and eligibility of many (employee, position) pairs at once."""
    k = len(emps)
    reqs = m.requirements_by_position
    pair, req = reqs.gather(poss)
    r = reqs.cols.level[req]
    a = m.levels(emps[pair], reqs.cols.competency[req].astype(np.int64))
    num = np.bincount(pair, weights=reqs.cols.weight[req] * np.minimum(a / r, 1.0), minlength=k)
    met = np.bincount(pair, weights=(reqs.cols.mandatory[req] & (a >= r)).astype(np.float64),
                      minlength=k)
    pos = m.per_position
    eligible = met == pos.mandatory[poss]
    # certificates: each required (pair, certificate) must have an unexpired holding
    ccounts = pos.certificates[poss]
    if ccounts.sum():
        required = m.required_certificates_by_position
        cpair, row = required.gather(poss)
        cert = required.cols.certificate[row]
        held = m.held_certificates_by_employee.cols
        valid = held.expiry >= as_of
        held_keys = np.unique(held.employee[valid].astype(np.int64) * max(m.n_cert, 1)
                              + held.certificate[valid])
        ok = np.isin(emps[cpair] * max(m.n_cert, 1) + cert, held_keys)
        eligible &= np.bincount(cpair, weights=ok.astype(np.float64), minlength=k) == ccounts
    return _finish(num.astype(np.float64), pos.weight[poss]), eligible


# -- explanations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One requirement of the position, as the formula uses it."""

    competency: int
    required: int
    actual: int
    weight: float
    mandatory: bool
    total_weight: float

    @property
    def coverage(self) -> float:
        """min(actual / required, 1)"""
        return min(self.actual / self.required, 1.0)

    @property
    def contribution(self) -> float:
        """The points this requirement adds to the score: 100 × w × coverage / Σw."""
        return 100.0 * self.weight * self.coverage / self.total_weight

    @property
    def met(self) -> bool:
        return self.actual >= self.required


@dataclass(frozen=True)
class CertificateGap:
    """A required certificate that is not held (``expired_on`` None) or expired."""

    certificate: int
    expired_on: date | None


@dataclass(frozen=True)
class Explanation:
    employee: int
    position: int
    score: float
    eligible: bool
    total_weight: float
    terms: tuple[Term, ...]
    missing_certificates: tuple[CertificateGap, ...]
    as_of: date

    @property
    def gaps(self) -> tuple[Term, ...]:
        """The requirements the employee does not meet (actual below required)."""
        return tuple(t for t in self.terms if not t.met)

    def reasons(self, m: FitModel, threshold: float | None = None) -> list[str]:
        """Why a planner should look at this pair, in words."""
        out: list[str] = []
        if threshold is not None and self.score < threshold:
            out.append(f"fit {self.score:g} is below {threshold:g}")
        for t in self.gaps:
            if t.mandatory:
                out.append(f"mandatory {m.competencies.record(t.competency)['id']} at level "
                           f"{t.actual}, {t.required} required")
        for g in self.missing_certificates:
            cert = m.certificates.record(g.certificate)["id"]
            out.append(f"certificate {cert} not held" if g.expired_on is None
                       else f"certificate {cert} expired on {g.expired_on.isoformat()}")
        return out


def explain(m: FitModel, e: int, p: int, as_of: date) -> Explanation:
    """The fit of employee ``e`` for position ``p``, term by term: the formula::

        coverageᵢ = min(aᵢ / rᵢ, 1)
        fit       = 100 × Σᵢ wᵢ · coverageᵢ / Σᵢ wᵢ

    over the competencies *i* the position requires, with *rᵢ* the required level, *wᵢ* the
    requirement's weight (1 when not given) and *aᵢ* the employee's assessed level (0 when not
    assessed). The score is rounded half up to one decimal, and every comparison (ordering,
    ``min_fit``, thresholds, readiness bands) uses the rounded score a planner sees. A position
    that requires no competency fits everyone at 100.

    **Eligible** means every mandatory requirement is met (*aᵢ* ≥ *rᵢ*) and every certificate
    the position requires is held and not expired on ``as_of`` (``expires_on`` ≥ as-of; no
    ``expires_on`` = never expires).

    The additions are those of :func:`position_fit`, :func:`employee_fit` and
    :func:`pair_fit`, in the same order, so the four agree to the last bit.
    """
    total = float(m.per_position.weight[p])
    terms: list[Term] = []
    num = 0.0
    reqs = m.requirements_by_position
    for c, r, w, mandatory in _terms(reqs.cols, reqs.rows(p)):
        a = m.level(e, c)
        num += w * min(a / r, 1.0)
        terms.append(Term(c, r, a, w, mandatory, total))
    score = round_one(100.0 * num / total) if total > 0 else 100.0
    day = as_of.toordinal()
    held_rows = m.held_certificates_by_employee
    rows = held_rows.rows(e)
    held: dict[int, int] = {}
    for c, x in zip(held_rows.cols.certificate[rows].tolist(),
                    held_rows.cols.expiry[rows].tolist(), strict=True):
        held[c] = max(held.get(c, x), x)
    missing = []
    required = m.required_certificates_by_position
    for c in required.cols.certificate[required.rows(p)].tolist():
        if c not in held:
            missing.append(CertificateGap(c, None))
        elif held[c] < day:
            missing.append(CertificateGap(c, date.fromordinal(held[c])))
    eligible = all(t.met for t in terms if t.mandatory) and not missing
    return Explanation(e, p, score, eligible, total, tuple(terms), tuple(missing), as_of)


# -- argument checks ---------------------------------------------------------------------------


def check_first(first: int, field: str = "first") -> None:
    if not 1 <= first <= MAX_FIRST:
        raise InvalidInput(f"{camel_case(field)} must be between 1 and {MAX_FIRST}, not {first}",
                           field=field)


def check_fit(value: float | None, field: str) -> None:
    if value is not None and not 0 <= value <= 100:
        raise InvalidInput(f"{camel_case(field)} must be between 0 and 100, not {value:g}",
                           field=field)


def check_range(value: int | None, low: int, high: int, field: str) -> None:
    if value is not None and not low <= value <= high:
        raise InvalidInput(f"{camel_case(field)} must be between {low} and {high}, not {value}",
                           field=field)


def top(m_rank: I64, scores: F64, mask: BOOL, first: int) -> list[int]:
    """Indices of the ``first`` highest scores among ``mask``, ties by id (rank)."""
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return []
    # one integer key: higher score first, then lower id rank
    key = (1000 - np.rint(scores[idx] * 10).astype(np.int64)) * (len(m_rank) + 1) + m_rank[idx]
    if len(idx) > first:
        part = np.argpartition(key, first - 1)[:first]
        idx, key = idx[part], key[part]
    return [int(i) for i in idx[np.argsort(key, kind="stable")]]


# -- the questions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """One employee-position pair with its score (explained on demand with :func:`explain`)."""

    employee: int
    position: int
    score: float
    eligible: bool


def candidates(m: FitModel, position: str, as_of: date, first: int = 20,
               eligible_only: bool = False, department: str | None = None,
               min_fit: float | None = None, grade_min: int | None = None,
               grade_max: int | None = None) -> list[Scored]:
    """The ``first`` employees with the highest fit for a position (ties by id), not counting
    its current incumbents; optionally only eligible ones, those holding a position in a
    department (or below it), those with a fit of at least ``min_fit``, and those whose
    current grade (the highest grade they hold) lies in ``grade_min``..``grade_max``."""
    p = m.positions.get(position, "Position", "position")
    check_first(first)
    check_fit(min_fit, "min_fit")
    check_range(grade_min, 1, 30, "grade_min")
    check_range(grade_max, 1, 30, "grade_max")
    if grade_min is not None and grade_max is not None and grade_min > grade_max:
        raise InvalidInput(f"gradeMin {grade_min} is above gradeMax {grade_max}",
                           field="grade_min")
    scores, eligible = position_fit(m, p, as_of.toordinal())
    emp = m.per_employee
    mask = emp.alive.copy()
    mask[m.incumbents(p)] = False
    if eligible_only:
        mask &= eligible
    if department is not None:
        mask &= m.employees_in(m.positions_in(m.department_subtree(department)))
    if min_fit is not None:
        mask &= scores >= min_fit
    if grade_min is not None:
        mask &= emp.grade >= grade_min
    if grade_max is not None:
        mask &= (emp.grade <= grade_max) & (emp.grade >= 0)
    return [Scored(e, p, float(scores[e]), bool(eligible[e]))
            for e in top(emp.rank, scores, mask, first)]


def career_moves(m: FitModel, employee: str, as_of: date, first: int = 20,
                 max_grade_step: int | None = None, eligible_only: bool = False) -> list[Scored]:
    """The ``first`` positions an employee fits best (ties by id), not counting those held
    now; with ``max_grade_step`` only positions up to that many grades above the employee's
    current grade (the highest they hold; 1 = at most one grade up)."""
    e = m.employee(employee)
    check_first(first)
    scores, eligible = employee_fit(m, e, as_of.toordinal())
    pos, grade = m.per_position, m.per_employee.grade[e]
    mask = pos.alive.copy()
    mask[m.held_positions(e)] = False
    if max_grade_step is not None:
        check_range(max_grade_step, 0, 29, "max_grade_step")
        if grade < 0:
            raise InvalidInput(f"employee {employee!r} holds no position, so has no current "
                               "grade to step up from", field="max_grade_step")
        mask &= pos.grade <= grade + max_grade_step
    if eligible_only:
        mask &= eligible
    return [Scored(e, p, float(scores[p]), bool(eligible[p]))
            for p in top(pos.rank, scores, mask, first)]


@dataclass(frozen=True)
class Mismatch:
    scored: Scored
    reasons: tuple[str, ...]


def mismatches(m: FitModel, as_of: date, department: str | None = None,
               threshold: float = DEFAULT_THRESHOLD) -> list[Mismatch]:
    """Every current incumbent whose fit to their own position is below ``threshold`` or who is
    not eligible for it (人岗错位), org-wide or for the positions of a department and the
    departments below it; lowest fit first, then employee and position id."""
    check_fit(threshold, "threshold")
    held = m.assignments_by_employee.cols
    emp_rank, pos_rank = m.per_employee.rank, m.per_position.rank
    keep = m.per_employee.alive[held.employee] & m.per_position.alive[held.position]
    if department is not None:
        keep &= m.positions_in(m.department_subtree(department))[held.position]
    emps, poss = held.employee[keep].astype(np.int64), held.position[keep].astype(np.int64)
    scores, eligible = pair_fit(m, emps, poss, as_of.toordinal())
    bad = np.flatnonzero((scores < threshold) | ~eligible)
    order = sorted(bad.tolist(), key=lambda i: (scores[i], emp_rank[emps[i]],
                                                pos_rank[poss[i]]))
    out = []
    for i in order:
        e, p = int(emps[i]), int(poss[i])
        ex = explain(m, e, p, as_of)
        out.append(Mismatch(Scored(e, p, float(scores[i]), bool(eligible[i])),
                            tuple(ex.reasons(m, threshold))))
    return out


@dataclass(frozen=True)
class Capable:
    """An employee who can: their level, and the certificate's expiry when one was asked."""

    employee: int
    level: int
    certificate_expires_on: date | None


def who_can(m: FitModel, competency: str, as_of: date, min_level: int = 1,
            certificate: str | None = None, department: str | None = None) -> list[Capable]:
    """Employees assessed at ``min_level`` or above in a competency (and, when asked, holding a
    certificate unexpired on the as-of date; optionally only those holding a position in a
    department or below it); highest level first, then id."""
    c = m.competencies.get(competency, "Competency", "competency")
    check_range(min_level, 1, 5, "min_level")
    holders = m.levels_by_competency
    rows = holders.rows(c)
    emps, levels = holders.cols.employee[rows], holders.cols.level[rows]
    mask = (levels >= min_level) & m.per_employee.alive[emps]
    expiry: dict[int, int] = {}
    if certificate is not None:
        k = m.certificates.get(certificate, "Certificate", "certificate")
        day = as_of.toordinal()
        held = m.held_certificates_by_certificate
        rows = held.rows(k)
        for e, x in zip(held.cols.employee[rows].tolist(), held.cols.expiry[rows].tolist(),
                        strict=True):
            if x >= day:
                expiry[e] = max(expiry.get(e, x), x)
        mask &= np.isin(emps, np.fromiter(expiry, dtype=np.int32, count=len(expiry)))
    if department is not None:
        mask &= m.employees_in(m.positions_in(m.department_subtree(department)))[emps]
    rank = m.per_employee.rank
    chosen = sorted(zip(emps[mask].tolist(), levels[mask].tolist(), strict=True),
                    key=lambda x: (-x[1], rank[x[0]]))
    return [Capable(e, lv, None if certificate is None or expiry[e] >= NO_EXPIRY
                    else date.fromordinal(expiry[e])) for e, lv in chosen]



@dataclass(frozen=True)
class Shortfall:
    employee: int
    position: int
    required: int
    actual: int


@dataclass(frozen=True)
class Coverage:
    """One competency a department's positions require, and how its incumbents measure up."""

    competency: int
    positions: tuple[int, ...]
    incumbents: int
    meeting: int
    shortfalls: tuple[Shortfall, ...]

    @property
    def ratio(self) -> float:
        """meeting / incumbents (1 when the requiring positions are vacant)."""
        return self.meeting / self.incumbents if self.incumbents else 1.0


def team_coverage(m: FitModel, department: str) -> list[Coverage]:
    """For each competency required by a position of the department (or of one below it): the
    positions requiring it, their current incumbents, and how many of those are at or above
    the level their own position requires; by competency id."""
    in_dept = m.positions_in(m.department_subtree(department))
    reqs = m.requirements_by_position
    per_comp: dict[int, list[tuple[int, int]]] = {}
    for p in np.flatnonzero(in_dept).tolist():
        rows = reqs.rows(p)
        for c, r in zip(reqs.cols.competency[rows].tolist(), reqs.cols.level[rows].tolist(),
                        strict=True):
            per_comp.setdefault(c, []).append((p, r))
    alive, emp_rank, pos_rank = m.per_employee.alive, m.per_employee.rank, m.per_position.rank
    out = []
    for c in sorted(per_comp, key=lambda c: str(m.competencies.record(c)["id"])):
        incumbents = meeting = 0
        shortfalls = []
        for p, r in per_comp[c]:
            for e in m.incumbents(p).tolist():
                if not alive[e]:
                    continue
                incumbents += 1
                a = m.level(e, c)
                if a >= r:
                    meeting += 1
                else:
                    shortfalls.append(Shortfall(e, p, r, a))
        shortfalls.sort(key=lambda s: (emp_rank[s.employee], pos_rank[s.position]))
        positions = tuple(sorted({p for p, _ in per_comp[c]}, key=lambda p: pos_rank[p]))
        out.append(Coverage(c, positions, incumbents, meeting, tuple(shortfalls)))
    return out

