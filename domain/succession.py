"""Succession (继任者计划): readiness computed from fit and reviews, beside the nominations.

The readiness bands are stated once, in :func:`bands` (their default thresholds in
:class:`Thresholds`); README, *Fit and succession*, explains them to planners. Candidates are
ordered by band, fit (high first), rating (high first), id. Manual nominations
(``NOMINATED_SUCCESSOR``) keep their own readiness and are shown beside the computed one.

Bench strength counts both per band (:class:`Bench` says when a position is covered); the
nine-box places people by performance (:func:`performance_level`) and potential (the
employee's ``potential``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from domain.fit import check_first, check_fit, check_range, position_fit
from domain.fit_model import BOOL, F64, I32, I64, LEVELS, READINESS, FitModel

NO_BAND = len(READINESS)
HIGH = LEVELS.index("high")


@dataclass(frozen=True)
class Thresholds:
    """The thresholds of the readiness bands (:func:`bands`; fit on the 0-100 scale, ratings
    1-5)."""

    ready_now_fit: float = 90.0
    ready_now_rating: int = 4
    ready_1_to_2_fit: float = 75.0
    ready_1_to_2_rating: int = 3
    ready_3_plus_fit: float = 60.0

    def check(self) -> None:
        for name in ("ready_now_fit", "ready_1_to_2_fit", "ready_3_plus_fit"):
            check_fit(getattr(self, name), f"thresholds.{name}")
        for name in ("ready_now_rating", "ready_1_to_2_rating"):
            check_range(getattr(self, name), 1, 5, f"thresholds.{name}")


DEFAULT_THRESHOLDS = Thresholds()


def bands(m: FitModel, p: int, as_of: int, thr: Thresholds) -> tuple[I32, F64, BOOL]:
    """Per employee: readiness band for position ``p`` (index into READINESS, NO_BAND for
    none), rounded fit and eligibility. Everyone who is not a current incumbent of the
    position falls in the best band whose conditions they meet (here with the defaults of
    :class:`Thresholds`)::

        ready now          eligible, fit ≥ 90 and latest rating ≥ 4
        ready in 1-2 years           fit ≥ 75 and latest rating ≥ 3
        ready in 3+ years            fit ≥ 60

    with fit and eligibility as :func:`domain.fit.explain` states them (the rounded fit) and
    the latest rating that of the employee's review with the greatest period (no review: no
    rating, so only the 3+ band is open).
    """
    scores, eligible = position_fit(m, p, as_of)
    rating = m.per_employee.rating
    band = np.full(m.n_emp, NO_BAND, dtype=np.int32)
    band[scores >= thr.ready_3_plus_fit] = 2
    band[(scores >= thr.ready_1_to_2_fit) & (rating >= thr.ready_1_to_2_rating)] = 1
    band[eligible & (scores >= thr.ready_now_fit) & (rating >= thr.ready_now_rating)] = 0
    band[~m.per_employee.alive] = NO_BAND
    band[m.incumbents(p)] = NO_BAND
    return band, scores, eligible


@dataclass(frozen=True)
class Successor:
    """A possible successor: computed band (None: below every band, or an incumbent) and the
    nominated readiness (None: not nominated), as indices into READINESS."""

    employee: int
    position: int
    readiness: int | None
    nominated: int | None
    score: float
    eligible: bool
    rating: int | None


def _order_key(m: FitModel, band: I32, scores: F64, idx: NDArray[np.int64]) -> I64:
    """band, then fit (high first), rating (high first), id, as one integer per employee."""
    emp = m.per_employee
    n = len(emp.rank) + 1
    fit10 = np.rint(scores[idx] * 10).astype(np.int64)
    key: I64 = (((band[idx].astype(np.int64) * 1001 + (1000 - fit10)) * 6
                 + (5 - emp.rating[idx].astype(np.int64))) * n + emp.rank[idx])
    return key


def _successor(m: FitModel, e: int, p: int, band: I32, scores: F64, eligible: BOOL,
               nominated: dict[int, int]) -> Successor:
    b = int(band[e])
    rating = int(m.per_employee.rating[e])
    return Successor(e, p, None if b == NO_BAND else b, nominated.get(e), float(scores[e]),
                     bool(eligible[e]), rating or None)


def _nominations(m: FitModel, p: int) -> dict[int, int]:
    noms = m.nominations_by_position
    rows = noms.rows(p)
    found: dict[int, int] = {}
    alive = m.per_employee.alive
    for e, r in zip(noms.cols.employee[rows].tolist(), noms.cols.readiness[rows].tolist(),
                    strict=True):
        if alive[e]:
            found[e] = min(found.get(e, r), r)
    return found


def successors(m: FitModel, p: int, as_of: date,
               thr: Thresholds = DEFAULT_THRESHOLDS) -> list[Successor]:
    """Every computed successor of position ``p`` (all bands), in plan order."""
    band, scores, eligible = bands(m, p, as_of.toordinal(), thr)
    idx = np.flatnonzero(band < NO_BAND)
    idx = idx[np.argsort(_order_key(m, band, scores, idx), kind="stable")]
    nominated = _nominations(m, p)
    return [_successor(m, int(e), p, band, scores, eligible, nominated) for e in idx]


@dataclass(frozen=True)
class Plan:
    position: int
    candidates: tuple[Successor, ...]
    counts: tuple[int, ...]  # per band, before the per-band limit
    nominations: tuple[Successor, ...]
    thresholds: Thresholds
    as_of: date


def succession_plan(m: FitModel, position: str, as_of: date,
                    thr: Thresholds = DEFAULT_THRESHOLDS, first: int = 10) -> Plan:
    """The succession plan of a position: the ``first`` best computed candidates of each band
    (band, fit, rating, id) with their nomination if any, the number in each band, and every
    nomination with its computed band beside the nominated one."""
    p = m.positions.get(position, "Position", "position")
    check_first(first)
    thr.check()
    band, scores, eligible = bands(m, p, as_of.toordinal(), thr)
    nominated = _nominations(m, p)
    chosen: list[int] = []
    counts = []
    for b in range(NO_BAND):
        idx = np.flatnonzero(band == b)
        counts.append(len(idx))
        key = _order_key(m, band, scores, idx)
        if len(idx) > first:
            part = np.argpartition(key, first - 1)[:first]
            idx, key = idx[part], key[part]
        chosen += idx[np.argsort(key, kind="stable")].tolist()
    noms = np.fromiter(nominated, dtype=np.int64, count=len(nominated))
    nom_band = np.array([nominated[int(e)] for e in noms], dtype=np.int64)
    order = np.lexsort((_order_key(m, band, scores, noms), nom_band)) if len(noms) else noms
    return Plan(
        position=p,
        candidates=tuple(_successor(m, e, p, band, scores, eligible, nominated)
                         for e in chosen),
        counts=tuple(counts),
        nominations=tuple(_successor(m, int(e), p, band, scores, eligible, nominated)
                          for e in noms[order]),
        thresholds=thr, as_of=as_of)


@dataclass(frozen=True)
class Bench:
    """Bench strength of one position: computed and nominated successors per band."""

    position: int
    incumbents: tuple[int, ...]
    computed: tuple[int, ...]
    nominated: tuple[int, ...]

    @property
    def covered(self) -> bool:
        """Someone is ready now or in 1-2 years (computed or nominated)."""
        return bool(self.computed[0] or self.computed[1] or self.nominated[0]
                    or self.nominated[1])

    @property
    def ready_now(self) -> bool:
        return bool(self.computed[0] or self.nominated[0])


def _positions(m: FitModel, position_ids: list[str] | None) -> list[int]:
    if position_ids is None:
        pos = m.per_position
        return sorted(np.flatnonzero(pos.is_key & pos.alive).tolist(), key=lambda p: pos.rank[p])
    return [m.positions.get(pid, "Position", "positions") for pid in position_ids]


def bench_strength(m: FitModel, as_of: date, thr: Thresholds = DEFAULT_THRESHOLDS,
                   position_ids: list[str] | None = None) -> list[Bench]:
    """Per position (default: every key position, by id): how many successors each band holds,
    computed and nominated."""
    thr.check()
    out = []
    for p in _positions(m, position_ids):
        band, _, _ = bands(m, p, as_of.toordinal(), thr)
        computed = np.bincount(band, minlength=NO_BAND + 1)[:NO_BAND]
        nominated = np.bincount(np.fromiter(_nominations(m, p).values(), dtype=np.int64),
                                minlength=NO_BAND)[:NO_BAND]
        out.append(Bench(p, tuple(sorted(m.incumbents(p).tolist(),
                                         key=lambda e: m.per_employee.rank[e])),
                         tuple(int(x) for x in computed), tuple(int(x) for x in nominated)))
    return out


@dataclass(frozen=True)
class Risk:
    """An incumbent of a key position likely to leave, with nobody ready now to take over."""

    employee: int
    bench: Bench


def succession_risks(m: FitModel, as_of: date,
                     thr: Thresholds = DEFAULT_THRESHOLDS) -> list[Risk]:
    """Incumbents of key positions with ``flight_risk`` high whose position has no successor
    ready now (neither computed nor nominated); by position id, then employee id."""
    out = []
    for bench in bench_strength(m, as_of, thr):
        if bench.ready_now:
            continue
        out += [Risk(e, bench) for e in bench.incumbents
                if m.per_employee.flight_risk[e] == HIGH]
    return out


@dataclass(frozen=True)
class NineBox:
    """Employees by (performance, potential), each 0 low, 1 medium, 2 high; ``unplaced``: no
    review or no potential on file."""

    cells: dict[tuple[int, int], tuple[int, ...]]
    unplaced: tuple[int, ...]


def performance_level(rating: int) -> int | None:
    """Latest rating 1-2 low (0), 3 medium (1), 4-5 high (2); no rating None."""
    if rating <= 0:
        return None
    return 0 if rating <= 2 else 1 if rating == 3 else 2


def nine_box(m: FitModel, department: str | None = None) -> NineBox:
    """The nine-box of the current holders of positions in a department (or below it), or of
    every employee when no department is given."""
    emp = m.per_employee
    if department is None:
        people = emp.alive
    else:
        people = m.employees_in(m.positions_in(m.department_subtree(department)))
    cells: dict[tuple[int, int], list[int]] = {(perf, pot): [] for perf in range(3)
                                               for pot in range(3)}
    unplaced: list[int] = []
    for e in sorted(np.flatnonzero(people).tolist(), key=lambda e: emp.rank[e]):
        perf, pot = performance_level(int(emp.rating[e])), int(emp.potential[e])
        if perf is None or pot < 0:
            unplaced.append(e)
        else:
            cells[(perf, pot)].append(e)
    return NineBox({k: tuple(v) for k, v in cells.items()}, tuple(unplaced))

