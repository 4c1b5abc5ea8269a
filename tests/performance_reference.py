"""An independent, deliberately plain implementation of the appraisal formulas (README,
"Performance management"), written from their text in exact arithmetic (fractions) over plain
dicts and tuples. The property tests compare domain.performance with it; it shares no code
with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction as F

CAP = F(6, 5)
RELATION_WEIGHT = {"manager": F(1, 2), "peer": F(3, 10), "subordinate": F(1, 5), "self": F(0)}
GUIDE = {"excellent": F(1, 5), "qualified": F(7, 10), "needs_improvement": F(1, 10)}
TOL = F(1, 20)


def num(x: float) -> F:
    return F(str(x))


def round1(x: F) -> F:
    """Half up to one decimal."""
    return F(math.floor(x * 10 + F(1, 2)), 10)


def achieve(target: float | None, actual: float, higher: bool) -> F | None:
    if target is None or (higher and target == 0):
        return None
    if higher:
        r = num(actual) / num(target)
    elif actual == 0:
        r = CAP
    else:
        r = num(target) / num(actual)
    return max(F(0), min(CAP, r))


def appraisal(kpis: list[tuple[str, float, float | None, float | None, bool]],
              feedback: list[tuple[str, float]]) -> dict[str, object]:
    """kpis: (id, weight, target, actual, higher is better); feedback: (relation, score).
    Returns kpi, feedback, final (Fractions or None), rating and alerts (kpi ids)."""
    weights, points, alerts = [], [], []
    for kid, w, target, actual, higher in kpis:
        if actual is None:
            continue
        a = achieve(target, actual, higher)
        if a is None:
            continue
        weights.append(num(w))
        points.append(10 * a)
        if a < F(7, 10):
            alerts.append(kid)
    kpi = None
    if points:
        tw = sum(weights)
        if tw:
            kpi = round1(10 * sum((w * p for w, p in zip(weights, points, strict=True)), F(0))
                         / tw)
        else:
            kpi = round1(10 * sum(points, F(0)) / len(points))
    groups: dict[str, list[F]] = {}
    for rel, score in feedback:
        groups.setdefault(rel, []).append(num(score))
    wsum = sum(RELATION_WEIGHT[r] for r in groups)
    fb = None
    if wsum:
        fb = round1(20 * sum(RELATION_WEIGHT[r] * sum(v) / len(v)
                             for r, v in groups.items()) / wsum)
    final = rating = None
    if kpi is not None:
        final = kpi if fb is None else round1(F(7, 10) * kpi + F(3, 10) * fb)
        rating = ("excellent" if final >= 95 else "qualified" if final >= 70
                  else "needs_improvement")
    return {"kpi": kpi, "feedback": fb, "final": final, "rating": rating, "alerts": alerts}


def calibration_groups(root: str, parents: dict[str, str | None],
                       people: dict[str, list[tuple[str, F]]], min_size: int = 10,
                       ) -> dict[str, list[str]]:
    """Group department -> sorted employee ids, bottom-up merging of groups under min_size."""
    children: dict[str, list[str]] = {}
    for d, p in parents.items():
        if p is not None:
            children.setdefault(p, []).append(d)
    result: dict[str, list[str]] = {}

    def walk(d: str) -> list[str]:
        mine = [e for e, _ in people.get(d, [])]
        for c in children.get(d, []):
            mine += walk(c)
        if d == root or len(mine) >= min_size:
            result[d] = sorted(mine)
            return []
        return mine

    walk(root)
    return result


def guideline_check(counts: dict[str, int], n: int) -> dict[str, tuple[bool, int, int]]:
    """rating -> (within, move in, move out)."""
    out = {}
    for r, g in GUIDE.items():
        c = counts.get(r, 0)
        lo, hi = n * (g - TOL), n * (g + TOL)
        move_in = math.ceil(lo) - c if c < lo else 0
        move_out = c - math.floor(hi) if c > hi else 0
        out[r] = (lo <= c <= hi, move_in, move_out)
    return out


def kr_progress(start: float, target: float, current: float) -> F:
    s, t, c = num(start), num(target), num(current)
    if s == t:
        return F(1) if c >= t else F(0)
    return max(F(0), min(F(1), (c - s) / (t - s)))


def objective_progress(objectives: dict[str, tuple[str | None, float]],
                       krs: Sequence[tuple[str, float, float, float, float]],
                       ) -> dict[str, F | None]:
    """objectives: id -> (parent, weight); krs: (objective, start, target, current, weight)."""
    out: dict[str, F | None] = {}

    def prog(o: str) -> F | None:
        if o in out:
            return out[o]
        parts = [(num(w), kr_progress(s, t, c)) for ob, s, t, c, w in krs if ob == o]
        for child, (parent, w) in objectives.items():
            if parent == o:
                p = prog(child)
                if p is not None:
                    parts.append((num(w), p))
        if not parts:
            out[o] = None
        else:
            tw = sum((w for w, _ in parts), F(0))
            out[o] = (sum((w * p for w, p in parts), F(0)) / tw if tw
                      else sum((p for _, p in parts), F(0)) / len(parts))
        return out[o]

    for o in objectives:
        prog(o)
    return out
