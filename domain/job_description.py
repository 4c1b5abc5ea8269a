"""A job description (岗位说明书) as one record: what a position is, does, needs and who holds it.

The graph layer builds it once per request (:mod:`graph.descriptions`, with the caller's
scope); the renderers (:mod:`reports.job_description`) turn the same record into Markdown,
HTML and Word. So the content is decided here and in the graph layer, never three times.

Terms:

* **core responsibilities**: those the position holds as an owner, R or A
  (:data:`domain.boundary.OWNER_ROLES`); every responsibility is listed, grouped by RACI
  role in the order R, A, C, I (:data:`domain.boundary.RACI_ORDER`);
* **vacancies** = headcount - current incumbents (all of them, also those the caller may not
  see: counts are organisation structure); below zero the position is over its headcount;
* **hidden incumbents** = current incumbents - those listed: people the caller may not see,
  counted but not named (as the API's ``vacancies`` counts everyone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.boundary import OWNER_ROLES, RACI_ORDER

#: Unicode blocks of Chinese, Japanese and Korean characters (ideographs, kana, hangul, CJK
#: punctuation and full-width forms): a title holding one is written in an East Asian script
_CJK_RANGES = ((0x2E80, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF),
               (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3134F))


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a CJK character (``"财务部经理"``: yes; ``"CFO"``: no)."""
    return any(lo <= ord(c) <= hi for c in text for lo, hi in _CJK_RANGES)


@dataclass(frozen=True)
class PositionRef:
    """Another position named in the description (the one above, those below)."""

    id: str
    title: str


@dataclass(frozen=True)
class DepartmentRef:
    id: str
    name: str


@dataclass(frozen=True)
class HeldResponsibility:
    """A responsibility the position holds in one RACI role."""

    raci: str
    id: str
    name: str
    description: str | None = None
    process: str | None = None


@dataclass(frozen=True)
class RaciGroup:
    """The responsibilities held in one RACI role (``core``: an owning role, R or A)."""

    raci: str
    items: tuple[HeldResponsibility, ...]

    @property
    def core(self) -> bool:
        return self.raci in OWNER_ROLES


@dataclass(frozen=True)
class Requirement:
    """A competency the position requires (level 1-5, weight, mandatory or not)."""

    id: str
    name: str
    category: str | None
    level: int
    weight: float
    mandatory: bool


@dataclass(frozen=True)
class CertificateRef:
    id: str
    name: str
    issuer: str | None = None


@dataclass(frozen=True)
class PositionKpi:
    """A KPI measuring the position, with its weight (percent) and target."""

    id: str
    name: str
    weight: float
    target: float | None = None
    unit: str | None = None
    direction: str | None = None  # higher_is_better | lower_is_better
    period: str | None = None


@dataclass(frozen=True)
class Incumbent:
    """A current holder the caller may see (``name`` None: a value above its level)."""

    id: str
    name: str | None
    start_date: date | None


@dataclass(frozen=True)
class JobDescription:
    """Everything a job description shows about one position (see the module docstring)."""

    id: str
    title: str
    grade: int
    category: str
    headcount: int
    is_key: bool
    summary: str | None = None
    #: the position's department and those above it, the top first (总经办, 财务部)
    department_path: tuple[DepartmentRef, ...] = ()
    reports_to: PositionRef | None = None
    direct_reports: tuple[PositionRef, ...] = ()
    #: one group per RACI role, in the order R, A, C, I, empty groups included
    responsibilities: tuple[RaciGroup, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    certificates: tuple[CertificateRef, ...] = ()
    kpis: tuple[PositionKpi, ...] = ()
    #: the current incumbents the caller may see
    incumbents: tuple[Incumbent, ...] = ()
    #: every current incumbent, seen or not
    incumbent_count: int = 0

    @property
    def chinese(self) -> bool:
        """Written as a Chinese document: the title holds CJK characters."""
        return has_cjk(self.title)

    @property
    def department(self) -> DepartmentRef | None:
        return self.department_path[-1] if self.department_path else None

    @property
    def vacancies(self) -> int:
        """headcount - current incumbents (negative: over headcount)."""
        return self.headcount - self.incumbent_count

    @property
    def hidden_incumbents(self) -> int:
        """Current incumbents the caller may not see (counted, not named)."""
        return self.incumbent_count - len(self.incumbents)

    @property
    def kpi_weight_total(self) -> float:
        return sum(k.weight for k in self.kpis)


def group_by_role(held: list[HeldResponsibility]) -> tuple[RaciGroup, ...]:
    """One group per RACI role in the order R, A, C, I (empty ones too), each sorted by
    responsibility id; a role outside RACI would come last."""
    roles = [*RACI_ORDER, *sorted({h.raci for h in held} - set(RACI_ORDER))]
    return tuple(RaciGroup(role, tuple(sorted((h for h in held if h.raci == role),
                                              key=lambda h: h.id)))
                 for role in roles)


def requirement_order(r: Requirement) -> tuple[bool, float, str]:
    """How a description lists requirements: mandatory ones first, then by weight (heaviest
    first), then by id."""
    return (not r.mandatory, -r.weight, r.id)


def kpi_order(k: PositionKpi) -> tuple[float, str]:
    """How a description lists KPIs: by weight (heaviest first), then by id."""
    return (-k.weight, k.id)
