"""GraphQL types of fit and succession answers.

They wrap the results of :mod:`domain.fit` and :mod:`domain.succession` and reuse the
record types (Employee, Position, Competency, Certificate), so a client can go on from an
answer (a candidate's current positions, a position's incumbents ...). Every score carries its
explanation, computed only when a client asks for it: the formula, each requirement's
required and actual level, weight, coverage and contribution, and missing certificates.

The descriptions name what a field is and refer to README, *Fit and succession*, for how it
is computed (the formula and the readiness bands are stated in :mod:`domain.fit` and
:mod:`domain.succession`, and in the README, not again here).
"""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

from domain import fit as domain
from domain import succession
from domain.fit_model import LEVELS, READINESS, FitModel
from schema.gql.enums import Level, Readiness
from schema.gql.types import Certificate, Competency, Employee, Position

#: Where the descriptions send a reader for the formulas and the band conditions.
SEE = "see README, Fit and succession"


def employee(m: FitModel, e: int) -> Employee:
    return Employee.of(m.employees.record(e))


def position(m: FitModel, p: int) -> Position:
    return Position.of(m.positions.record(p))


def readiness(index: int | None) -> Readiness | None:
    return None if index is None else Readiness(READINESS[index])


@strawberry.enum(description="Why a required certificate does not count")
class CertificateIssue(Enum):
    NOT_HELD = "not_held"
    EXPIRED = "expired"


@strawberry.type(description=f"One requirement of the position, as the fit formula uses it "
                             f"({SEE})")
class FitTerm:
    competency: Competency
    required: int = strawberry.field(description="the level the position requires")
    actual: int = strawberry.field(description="the employee's assessed level (0: none)")
    weight: float = strawberry.field(description="the requirement's weight")
    mandatory: bool
    coverage: float = strawberry.field(
        description=f"how far the actual level covers the required one, 0-1 ({SEE})")
    contribution: float = strawberry.field(
        description=f"points this requirement adds to the score ({SEE}); rounded to 2 "
                    "decimals, while the score rounds the exact sum")
    met: bool = strawberry.field(description="the actual level reaches the required one")

    @classmethod
    def of(cls, m: FitModel, t: domain.Term) -> FitTerm:
        return cls(competency=Competency.of(m.competencies.record(t.competency)),
                   required=t.required, actual=t.actual, weight=t.weight,
                   mandatory=t.mandatory, coverage=round(t.coverage, 4),
                   contribution=round(t.contribution, 2), met=t.met)


@strawberry.type(description="A certificate the position requires that the employee lacks")
class MissingCertificate:
    certificate: Certificate
    issue: CertificateIssue
    expired_on: date | None


@strawberry.type(description="The fit of an employee for a position, with its explanation")
class FitScore:
    employee: Employee
    position: Position
    score: float = strawberry.field(description=f"0-100, one decimal ({SEE})")
    eligible: bool = strawberry.field(
        description=f"meets the mandatory requirements and holds the required certificates, "
                    f"valid on asOf ({SEE})")
    as_of: date = strawberry.field(description="the date certificates are checked against")
    _model: strawberry.Private[FitModel]
    _e: strawberry.Private[int]
    _p: strawberry.Private[int]
    _explained: strawberry.Private[list[domain.Explanation]]

    @classmethod
    def of(cls, m: FitModel, s: domain.Scored, as_of: date) -> FitScore:
        return cls(employee=employee(m, s.employee), position=position(m, s.position),
                   score=s.score, eligible=s.eligible, as_of=as_of, _model=m, _e=s.employee,
                   _p=s.position, _explained=[])

    def _explanation(self) -> domain.Explanation:
        if not self._explained:
            self._explained.append(domain.explain(self._model, self._e, self._p, self.as_of))
        return self._explained[0]

    def _formula(self) -> str:
        return domain.FORMULA

    def _total_weight(self) -> float:
        return self._explanation().total_weight

    def _terms(self) -> list[FitTerm]:
        return [FitTerm.of(self._model, t) for t in self._explanation().terms]

    def _gaps(self) -> list[FitTerm]:
        return [FitTerm.of(self._model, t) for t in self._explanation().gaps]

    def _missing_certificates(self) -> list[MissingCertificate]:
        m = self._model
        return [MissingCertificate(
            certificate=Certificate.of(m.certificates.record(g.certificate)),
            issue=CertificateIssue.NOT_HELD if g.expired_on is None else CertificateIssue.EXPIRED,
            expired_on=g.expired_on) for g in self._explanation().missing_certificates]

    # explained on demand (the resolvers above), so long lists pay only for what is asked
    formula: str = strawberry.field(resolver=_formula, description="How the score is computed")
    total_weight: float = strawberry.field(
        resolver=_total_weight, description="the sum of the position's requirement weights")
    terms: list[FitTerm] = strawberry.field(
        resolver=_terms, description="Every requirement of the position, by competency")
    gaps: list[FitTerm] = strawberry.field(
        resolver=_gaps, description="The requirements not met (actual below required)")
    missing_certificates: list[MissingCertificate] = strawberry.field(
        resolver=_missing_certificates,
        description="Required certificates not held, or expired on asOf")


@strawberry.type(description="An incumbent who does not fit their own position (人岗错位)")
class Mismatch:
    fit: FitScore
    reasons: list[str] = strawberry.field(description="why, in words")


@strawberry.type(description="An employee at or above a competency level")
class CapableEmployee:
    employee: Employee
    level: int
    certificate_expires_on: date | None = strawberry.field(
        description="expiry of the certificate asked for (null: none asked, or it never "
                    "expires)")


@strawberry.type(description="An incumbent below the level their position requires")
class CoverageShortfall:
    employee: Employee
    position: Position
    required: int
    actual: int


@strawberry.type(description="A competency the department's positions require, and how many "
                             "of their incumbents meet the level their position requires")
class CompetencyCoverage:
    competency: Competency
    positions: list[Position]
    incumbents: int
    meeting: int
    coverage: float = strawberry.field(
        description=f"the share of incumbents meeting the level, 0-1 ({SEE})")
    shortfalls: list[CoverageShortfall]

    @classmethod
    def of(cls, m: FitModel, c: domain.Coverage) -> CompetencyCoverage:
        return cls(competency=Competency.of(m.competencies.record(c.competency)),
                   positions=[position(m, p) for p in c.positions], incumbents=c.incumbents,
                   meeting=c.meeting, coverage=round(c.ratio, 4),
                   shortfalls=[CoverageShortfall(employee=employee(m, s.employee),
                                                 position=position(m, s.position),
                                                 required=s.required, actual=s.actual)
                               for s in c.shortfalls])


@strawberry.input(description=f"Thresholds of the readiness bands, fit 0-100 and ratings 1-5 "
                              f"({SEE})")
class ReadinessThresholds:
    ready_now_fit: float = succession.DEFAULT_THRESHOLDS.ready_now_fit
    ready_now_rating: int = succession.DEFAULT_THRESHOLDS.ready_now_rating
    ready_1_to_2_fit: float = succession.DEFAULT_THRESHOLDS.ready_1_to_2_fit
    ready_1_to_2_rating: int = succession.DEFAULT_THRESHOLDS.ready_1_to_2_rating
    ready_3_plus_fit: float = succession.DEFAULT_THRESHOLDS.ready_3_plus_fit

    def to_domain(self) -> succession.Thresholds:
        return succession.Thresholds(
            ready_now_fit=self.ready_now_fit, ready_now_rating=self.ready_now_rating,
            ready_1_to_2_fit=self.ready_1_to_2_fit, ready_1_to_2_rating=self.ready_1_to_2_rating,
            ready_3_plus_fit=self.ready_3_plus_fit)


@strawberry.type(description="How many successors each readiness band holds")
class BandCounts:
    ready_now: int
    ready_1_to_2_years: int
    ready_3_plus_years: int

    @classmethod
    def of(cls, counts: tuple[int, ...]) -> BandCounts:
        return cls(ready_now=counts[0], ready_1_to_2_years=counts[1],
                   ready_3_plus_years=counts[2])


@strawberry.type(description="A possible successor: computed readiness beside the nominated one")
class SuccessionCandidate:
    employee: Employee
    readiness: Readiness | None = strawberry.field(
        description=f"computed band ({SEE}; null: below every band, or an incumbent)")
    nominated_readiness: Readiness | None = strawberry.field(
        description="readiness of a manual nomination (null: not nominated)")
    rating: int | None = strawberry.field(description="latest review rating")
    fit: FitScore

    @classmethod
    def of(cls, m: FitModel, s: succession.Successor, as_of: date) -> SuccessionCandidate:
        return cls(employee=employee(m, s.employee), readiness=readiness(s.readiness),
                   nominated_readiness=readiness(s.nominated), rating=s.rating,
                   fit=FitScore.of(m, domain.Scored(s.employee, s.position, s.score,
                                                    s.eligible), as_of))


@strawberry.type(description="继任者计划: computed successors by band, and the nominations")
class SuccessionPlan:
    position: Position
    as_of: date
    counts: BandCounts = strawberry.field(description="computed successors per band (all)")
    candidates: list[SuccessionCandidate] = strawberry.field(
        description="the best of each band (first per band): band, fit, rating, id")
    nominations: list[SuccessionCandidate] = strawberry.field(
        description="every nomination, by nominated readiness, with the computed band beside")


@strawberry.type(description="Bench strength of a position")
class BenchStrength:
    position: Position
    incumbents: list[Employee]
    computed: BandCounts
    nominated: BandCounts
    covered: bool = strawberry.field(
        description="someone is ready now or in 1-2 years (computed or nominated)")
    ready_now: bool = strawberry.field(description="someone is ready now (computed or nominated)")

    @classmethod
    def of(cls, m: FitModel, b: succession.Bench) -> BenchStrength:
        return cls(position=position(m, b.position),
                   incumbents=[employee(m, e) for e in b.incumbents],
                   computed=BandCounts.of(b.computed), nominated=BandCounts.of(b.nominated),
                   covered=b.covered, ready_now=b.ready_now)


@strawberry.type(description="A key-position incumbent likely to leave, with nobody ready now")
class SuccessionRisk:
    employee: Employee
    position: Position
    flight_risk: Level
    bench: BenchStrength


@strawberry.type(description="One cell of the nine-box")
class NineBoxCell:
    performance: Level = strawberry.field(description=f"from the latest rating ({SEE})")
    potential: Level
    count: int
    employees: list[Employee]


@strawberry.type(description="九宫格: people by performance and potential")
class NineBox:
    cells: list[NineBoxCell] = strawberry.field(
        description="nine cells: potential HIGH to LOW, then performance LOW to HIGH")
    unplaced: list[Employee] = strawberry.field(
        description="no review or no potential on file")

    @classmethod
    def of(cls, m: FitModel, box: succession.NineBox) -> NineBox:
        cells = []
        for pot in (2, 1, 0):
            for perf in (0, 1, 2):
                people = box.cells[(perf, pot)]
                cells.append(NineBoxCell(performance=Level(LEVELS[perf]),
                                         potential=Level(LEVELS[pot]), count=len(people),
                                         employees=[employee(m, e) for e in people]))
        return cls(cells=cells, unplaced=[employee(m, e) for e in box.unplaced])
