"""An independent, deliberately plain implementation of the fit formula and the readiness
bands, straight from interchange CSV files, in exact arithmetic (fractions). The tests compare
the API's answers with it; it shares no code with domain.fit.

    coverage_i = min(a_i / r_i, 1);  fit = 100 × Σ w_i·coverage_i / Σ w_i, rounded half up
    to one decimal (100 without requirements); eligible = every mandatory a_i ≥ r_i and every
    required certificate held with expires_on empty or ≥ as-of.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import cache
from pathlib import Path

from samples.demo import DEMO_DIR


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    path = directory / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def half_up(x: Fraction) -> float:
    """Round half up to one decimal."""
    return math.floor(x * 10 + Fraction(1, 2)) / 10


@dataclass
class Org:
    employees: dict[str, dict[str, str]] = field(default_factory=dict)
    positions: dict[str, dict[str, str]] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)
    requirements: dict[str, list[tuple[str, int, Fraction, bool]]] = field(
        default_factory=lambda: defaultdict(list))
    certs_required: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    levels: dict[tuple[str, str], int] = field(default_factory=dict)
    certs_held: dict[tuple[str, str], list[date | None]] = field(
        default_factory=lambda: defaultdict(list))
    current: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    reviews: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    nominations: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    @classmethod
    def read(cls, directory: Path) -> Org:
        org = cls()
        org.employees = {r["id"]: r for r in _rows(directory, "employees.csv")}
        org.positions = {r["id"]: r for r in _rows(directory, "positions.csv")}
        org.parent = {r["id"]: r.get("parent_id", "") for r in _rows(directory, "departments.csv")}
        for r in _rows(directory, "position_requirements.csv"):
            org.requirements[r["position_id"]].append(
                (r["competency_id"], int(r["level"]), Fraction(r.get("weight") or "1"),
                 r.get("mandatory") == "true"))
        for r in _rows(directory, "position_certificates.csv"):
            org.certs_required[r["position_id"]].add(r["certificate_id"])
        for r in _rows(directory, "employee_competencies.csv"):
            key = (r["employee_id"], r["competency_id"])
            org.levels[key] = max(org.levels.get(key, 0), int(r["level"]))
        for r in _rows(directory, "employee_certificates.csv"):
            expires = date.fromisoformat(r["expires_on"]) if r.get("expires_on") else None
            org.certs_held[(r["employee_id"], r["certificate_id"])].append(expires)
        for r in _rows(directory, "employee_positions.csv"):
            if not r.get("end_date"):
                org.current[r["employee_id"]].add(r["position_id"])
        for r in _rows(directory, "performance_reviews.csv"):
            org.reviews[r["employee_id"]].append((r["period"], int(r["rating"])))
        for r in _rows(directory, "successor_nominations.csv"):
            org.nominations[r["position_id"]][r["employee_id"]] = r["readiness"]
        return org

    # -- the formula -----------------------------------------------------------------------

    def exact_fit(self, e: str, p: str) -> Fraction:
        reqs = self.requirements.get(p, [])
        total = sum((w for _, _, w, _ in reqs), Fraction(0))
        if not reqs:
            return Fraction(100)
        got = sum((w * min(Fraction(self.levels.get((e, c), 0), r), Fraction(1))
                   for c, r, w, _ in reqs), Fraction(0))
        return 100 * got / total

    def fit(self, e: str, p: str) -> float:
        return half_up(self.exact_fit(e, p))

    def valid_cert(self, e: str, cert: str, as_of: date) -> bool:
        return any(x is None or x >= as_of for x in self.certs_held.get((e, cert), []))

    def eligible(self, e: str, p: str, as_of: date) -> bool:
        mandatory_met = all(self.levels.get((e, c), 0) >= r
                            for c, r, _, m in self.requirements.get(p, []) if m)
        return mandatory_met and all(self.valid_cert(e, c, as_of)
                                     for c in self.certs_required.get(p, set()))

    # -- helpers for the questions -----------------------------------------------------------

    def incumbents(self, p: str) -> set[str]:
        return {e for e, held in self.current.items() if p in held}

    def subtree(self, department: str) -> set[str]:
        found = {department}
        changed = True
        while changed:
            more = {d for d, up in self.parent.items() if up in found} - found
            changed = bool(more)
            found |= more
        return found

    def in_department(self, e: str, department: str) -> bool:
        depts = self.subtree(department)
        return any(self.positions[p]["department_id"] in depts for p in self.current.get(e, ()))

    def grade(self, e: str) -> int | None:
        grades = [int(self.positions[p]["grade"]) for p in self.current.get(e, ())]
        return max(grades) if grades else None

    def rating(self, e: str) -> int | None:
        reviews = self.reviews.get(e)
        return max(reviews)[1] if reviews else None

    def band(self, e: str, p: str, as_of: date, now: tuple[float, int] = (90, 4),
             soon: tuple[float, int] = (75, 3), later: float = 60) -> str | None:
        """ready now: eligible, fit ≥ 90, rating ≥ 4; 1-2 years: fit ≥ 75, rating ≥ 3;
        3+ years: fit ≥ 60; incumbents are nobody's successors."""
        if e in self.incumbents(p):
            return None
        score, rating = self.fit(e, p), self.rating(e) or 0
        if self.eligible(e, p, as_of) and score >= now[0] and rating >= now[1]:
            return "ready_now"
        if score >= soon[0] and rating >= soon[1]:
            return "ready_1_2_years"
        if score >= later:
            return "ready_3_plus_years"
        return None

    def ranked(self, p: str, people: list[str]) -> list[str]:
        """By fit (high first), then id."""
        return sorted(people, key=lambda e: (-self.fit(e, p), e))


@cache
def demo() -> Org:
    """The demo organisation, read from its CSV files."""
    return Org.read(DEMO_DIR)
