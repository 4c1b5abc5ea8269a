"""The demo organisation: the seeds' example manufacturer, written as interchange CSV files.

``python -m samples.demo`` rewrites ``samples/demo_data/*.csv``.
The organisation (16 departments, 62 positions, ~150 responsibilities, 82 competencies,
~300 employees) comes from :mod:`samples.demo_catalog`; people are drawn with a fixed seed,
so the output is byte-for-byte the same on every run. The performance year 2026 (objectives
and key results from the catalog, quarterly KPI results and 360-degree feedback) is drawn from
a random generator of its own after everything else. Deliberate problems ("planted" cases,
one of each kind) are listed with their ids in ``demo_data/PLANTED.md``; everything else is
meant to be clean.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from domain.periods import parse_period
from samples import demo_catalog as cat
from samples.generator import Row, add_years, format_row, probation_wage, write_table

DEMO_DIR: Final[Path] = Path(__file__).with_name("demo_data")
DEMO_SEED: Final[int] = 20260101
#: Certificates must be valid on this day; experience is counted up to it.
REFERENCE_DATE: Final[date] = date(2026, 1, 1)
#: The local minimum monthly wage the planted wage cases refer to (a deployment parameter).
MINIMUM_WAGE: Final[int] = 2690
REVIEW_YEARS: Final[tuple[int, ...]] = (2023, 2024, 2025)
WAGE_BY_GRADE: Final[dict[int, int]] = {
    1: 3800, 2: 4300, 3: 5000, 4: 5800, 5: 6800, 6: 8000, 7: 9500, 8: 12000, 9: 15000,
    10: 20000, 11: 26000, 12: 38000,
}
#: Planted qualification cases: (position, incumbent index).
NO_CERTIFICATE: Final[tuple[str, int]] = ("P033", 0)
EXPIRED_CERTIFICATE: Final[tuple[str, int]] = ("P033", 1)
BELOW_MANDATORY: Final[tuple[str, int, str]] = ("P037", 1, "注塑工艺调试")
#: Planted fit cases: (holder position, incumbent index, key position they fit).
EXACT_FIT: Final[tuple[str, int, str]] = ("P058", 0, "P054")
FIT_WITHOUT_CERTIFICATE: Final[tuple[str, int, str]] = ("P062", 0, "P059")
FLIGHT_RISK_KEY: Final[str] = "P049"


@dataclass(frozen=True)
class Requirement:
    """A competency a position requires."""

    competency: str
    level: int
    weight: int
    mandatory: bool


@dataclass(frozen=True)
class Contract:
    """One employment contract (dates as ``date``; empty values as None/0)."""

    kind: str
    start: date
    end: date | None
    probation: int
    signed: date
    wage: int
    probation_wage: int
    insured: date


@dataclass
class Person:
    """An employee while the demo is being drawn."""

    id: str
    name: str
    position: str
    index: int
    hire: date
    start: date
    history: list[tuple[str, date, date]] = field(default_factory=list)
    education: str = ""
    major: str = ""
    years: float = 0.0
    potential: str = "medium"
    flight_risk: str = "low"
    levels: dict[str, int] = field(default_factory=dict)
    assessed: dict[str, date] = field(default_factory=dict)
    certificates: dict[str, tuple[date, date | None]] = field(default_factory=dict)
    contract: Contract | None = None
    reviews: dict[int, int] = field(default_factory=dict)


@dataclass
class Demo:
    """Everything drawn, plus lookups the steps share."""

    rng: random.Random
    competency_ids: dict[str, str]
    requirements: dict[str, list[Requirement]]
    positions: dict[str, tuple[str, str, str, str, int, str, int, bool, str]]
    people: list[Person] = field(default_factory=list)
    by_slot: dict[tuple[str, int], Person] = field(default_factory=dict)


# -- parsing the catalog ---------------------------------------------------------------------


def competency_ids() -> dict[str, str]:
    """Competency name -> id (C001.. in catalog order)."""
    names = [name for _, group in cat.COMPETENCIES for name in group]
    return {name: f"C{i:03d}" for i, name in enumerate(names, 1)}


def parse_requirements(ids: dict[str, str]) -> dict[str, list[Requirement]]:
    """Position -> its requirements, from the catalog's compact notation."""
    out: dict[str, list[Requirement]] = {}
    for position, text in cat.REQUIREMENTS.items():
        reqs = []
        for item in text.split(", "):
            parts = item.split(":")
            reqs.append(Requirement(ids[parts[0]], int(parts[1]), int(parts[2]),
                                    len(parts) > 3 and parts[3] == "m"))
        out[position] = reqs
    return out


def parse_raci(text: str) -> list[tuple[str, str]]:
    """``"R:P005 A:P004"`` -> ``[("P005", "R"), ("P004", "A")]``."""
    return [(item[2:], item[0]) for item in text.split()]


def key_positions() -> list[str]:
    """Ids of the key positions, in order."""
    return [p[0] for p in cat.POSITIONS if p[7]]


# -- the organisation tables -----------------------------------------------------------------


def organisation_tables() -> dict[str, list[Row]]:
    """Departments, positions, responsibilities, competencies, certificates and KPIs."""
    ids = competency_ids()
    tables: dict[str, list[Row]] = {
        "departments": [format_row(d) for d in cat.DEPARTMENTS],
        "positions": [format_row(p) for p in cat.POSITIONS],
        "responsibilities": [], "position_responsibilities": [],
        "competencies": [], "position_requirements": [],
        "certificates": [format_row(c[:3]) for c in cat.CERTIFICATES],
        "position_certificates": [format_row(pc) for pc in cat.POSITION_CERTIFICATES],
        "kpis": [format_row(k) for k in cat.KPIS], "position_kpis": [],
    }
    for i, (name, process, description, raci) in enumerate(cat.RESPONSIBILITIES, 1):
        rid = f"R{i:04d}"
        tables["responsibilities"].append([rid, name, description, process])
        tables["position_responsibilities"] += [[p, rid, r] for p, r in parse_raci(raci)]
    for category, names in cat.COMPETENCIES:
        template = cat.COMPETENCY_DESCRIPTIONS[category]
        tables["competencies"] += [[ids[n], n, category, template.format(name=n)]
                                   for n in names]
    for position, reqs in parse_requirements(ids).items():
        tables["position_requirements"] += [
            format_row((position, r.competency, r.level, r.weight, r.mandatory)) for r in reqs]
    for position, text in cat.POSITION_KPIS.items():
        for item in text.split():
            kpi, weight = item.split(":")
            tables["position_kpis"].append([position, kpi, weight])
    return tables


# -- drawing people --------------------------------------------------------------------------


def random_day(rng: random.Random, first: date, last: date) -> date:
    """A day between ``first`` and ``last`` inclusive."""
    return date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def unique_name(rng: random.Random, taken: set[str]) -> str:
    """A Chinese name (surname + one or two given characters) not used yet."""
    while True:
        given = rng.choice(cat.GIVEN_CHARS)
        if rng.random() < 0.6:
            given += rng.choice(cat.GIVEN_CHARS)
        name = rng.choice(cat.SURNAMES) + given
        if name not in taken:
            taken.add(name)
            return name


def contract_cases() -> dict[tuple[str, int], tuple[str, ...]]:
    """Planted and boundary contracts keyed by (position, incumbent index)."""
    return {(c[1], c[2]): tuple(str(v) for v in c) for c in cat.CONTRACT_CASES}


def draw_dates(rng: random.Random, grade: int, promoted: bool) -> tuple[date, date]:
    """(hire date, start in the current position)."""
    if promoted:
        hire = random_day(rng, date(2010, 3, 1), date(2021, 6, 30))
        return hire, random_day(rng, hire + timedelta(days=730), date(2025, 6, 30))
    if grade >= 9:
        hire = random_day(rng, date(2010, 3, 1), date(2020, 12, 31))
    elif grade >= 6:
        hire = random_day(rng, date(2012, 1, 1), date(2024, 12, 31))
    else:
        hire = random_day(rng, date(2013, 1, 1), date(2025, 11, 15))
    return hire, hire


def draw_person(demo: Demo, number: int, position: str, index: int, taken: set[str]) -> Person:
    """One incumbent, with dates and (sometimes) a past position."""
    rng = demo.rng
    grade = demo.positions[position][4]
    if (position, index) in (EXACT_FIT[:2], FIT_WITHOUT_CERTIFICATE[:2]):
        grade = 10  # the planted fits are long-serving: draw a senior's hire date
    case = contract_cases().get((position, index))
    feeder = cat.CAREER_FEEDERS.get(position)
    promoted = case is None and feeder is not None and rng.random() < 0.45
    hire, start = draw_dates(rng, grade, promoted)
    if case is not None:
        hire = start = date.fromisoformat(case[4])
    person = Person(f"E{number:04d}", unique_name(rng, taken), position, index, hire, start)
    if promoted and feeder is not None:
        person.history.append((feeder, hire, start - timedelta(days=1)))
    return person


def draw_people(demo: Demo) -> None:
    """All current incumbents, position by position (E0001 = 总经理)."""
    taken: set[str] = set()
    for p in cat.POSITIONS:
        for index in range(cat.INCUMBENTS.get(p[0], p[6])):
            person = draw_person(demo, len(demo.people) + 1, p[0], index, taken)
            demo.people.append(person)
            demo.by_slot[(p[0], index)] = person


def education_of(rng: random.Random, department: str, grade: int, category: str) -> str:
    """Highest education, by kind of work."""
    if department in ("D06", "D15") and category == "technical":
        return rng.choices(("本科", "硕士", "博士"), (3, 5, 2))[0]
    if category == "management" and grade >= 9:
        return rng.choices(("本科", "硕士", "博士"), (6, 4, 0.3))[0]
    if category == "operations" and grade <= 3:
        return rng.choices(("高中", "大专", "本科"), (5, 4.5, 0.5))[0]
    if category == "operations":
        return rng.choices(("高中", "大专", "本科"), (1, 6, 3))[0]
    return rng.choices(("大专", "本科", "硕士"), (3, 6, 1))[0]


def describe_people(demo: Demo) -> None:
    """Education, major, experience, potential and flight risk."""
    rng = demo.rng
    keys = set(key_positions())
    for person in demo.people:
        _, _, dept, _, grade, category, _, _, _ = demo.positions[person.position]
        person.education = education_of(rng, dept, grade, category)
        person.major = rng.choice(cat.MAJORS[dept])
        prior = rng.uniform(2, 8) if grade >= 9 else rng.uniform(0, 4)
        person.years = round((REFERENCE_DATE - person.hire).days / 365.25 + prior, 1)
        person.potential = rng.choices(("low", "medium", "high"), (25, 55, 20))[0]
        if person.position in keys:
            high = person.position == FLIGHT_RISK_KEY  # PLANTED 12
            person.flight_risk = "high" if high else rng.choice(("low", "low", "medium"))
        else:
            person.flight_risk = rng.choices(("low", "medium", "high"), (55, 35, 10))[0]


# -- competencies ----------------------------------------------------------------------------


def clamp(level: int) -> int:
    """A level on the 1-5 scale."""
    return max(1, min(5, level))


def assessment_day(rng: random.Random, person: Person) -> date:
    """When a competency was last assessed (in 2025, after hire)."""
    first = max(person.hire + timedelta(days=30), date(2025, 1, 10))
    return random_day(rng, first, max(first, date(2025, 12, 20)))


def assess(demo: Demo, person: Person) -> None:
    """Levels near the requirements of the current (and past) positions, plus a few extras."""
    rng = demo.rng
    levels: dict[str, int] = {}
    for past, _, _ in person.history:
        for r in demo.requirements[past]:
            levels[r.competency] = clamp(r.level + rng.choice((-1, 0, 0)))
    for r in demo.requirements[person.position]:
        if r.mandatory:
            level = r.level + (1 if rng.random() < 0.3 else 0)
        else:
            level = r.level + rng.choice((-1, 0, 0, 1))
        levels[r.competency] = max(levels.get(r.competency, 0), clamp(level))
    general = [demo.competency_ids[n] for n in dict(cat.COMPETENCIES)["通用能力"]]
    for cid in rng.sample(general, rng.randint(1, 3)):
        levels.setdefault(cid, rng.randint(2, 4))
    person.levels = levels
    person.assessed = {cid: assessment_day(rng, person) for cid in sorted(levels)}


def meets_all(person: Person, reqs: list[Requirement]) -> bool:
    """True when every required level is reached."""
    return all(person.levels.get(r.competency, 0) >= r.level for r in reqs)


def plant_competencies(demo: Demo) -> None:
    """PLANTED 10 (below a mandatory level) and 13 (exact fits for key positions)."""
    position, index, name = BELOW_MANDATORY
    person = demo.by_slot[(position, index)]
    req = next(r for r in demo.requirements[position]
               if r.competency == demo.competency_ids[name])
    person.levels[req.competency] = req.level - 1
    for holder, idx, target in (EXACT_FIT, FIT_WITHOUT_CERTIFICATE):
        person = demo.by_slot[(holder, idx)]
        for r in demo.requirements[target]:
            person.levels[r.competency] = r.level
            person.assessed.setdefault(r.competency, assessment_day(demo.rng, person))
        assert meets_all(person, [r for r in demo.requirements[holder] if r.mandatory])


def lower_one(demo: Demo, person: Person, reqs: list[Requirement]) -> None:
    """Lower one level so ``reqs`` are no longer all met, keeping own mandatory levels."""
    own = {r.competency: r.level for r in demo.requirements[person.position] if r.mandatory}
    for r in sorted(reqs, key=lambda r: (-r.level, r.competency)):
        if own.get(r.competency, 0) < r.level:
            person.levels[r.competency] = r.level - 1
            return
    raise AssertionError(f"{person.id} cannot be kept from fitting")


def guard_fits(demo: Demo) -> None:
    """Only the planted employees fully meet a key position they do not hold."""
    planted = {(demo.by_slot[(h, i)].id, t) for h, i, t in (EXACT_FIT, FIT_WITHOUT_CERTIFICATE)}
    for person in demo.people:
        for key in key_positions():
            reqs = demo.requirements[key]
            if key != person.position and (person.id, key) not in planted \
                    and meets_all(person, reqs):
                lower_one(demo, person, reqs)


# -- certificates ----------------------------------------------------------------------------


def valid_certificate(rng: random.Random, person: Person, years: int) -> tuple[date, date | None]:
    """(obtained, expires): valid on the reference date for at least half a year more."""
    if years == 0:
        first = max(date(2008, 1, 1), add_years(person.hire, -3))
        return random_day(rng, first, date(2025, 10, 31)), None
    first = add_years(REFERENCE_DATE, -years) + timedelta(days=180)
    obtained = random_day(rng, first, date(2025, 10, 31))
    return obtained, add_years(obtained, years) - timedelta(days=1)


def grant_certificates(demo: Demo) -> None:
    """Required certificates for incumbents (and ready-now nominees), some optional ones."""
    rng = demo.rng
    validity = {c[0]: c[3] for c in cat.CERTIFICATES}
    required: dict[str, list[str]] = {}
    for pos, cert in cat.POSITION_CERTIFICATES:
        required.setdefault(pos, []).append(cert)
    ready_now = {(p, i): t for t, p, i, r in cat.NOMINATIONS if r == "ready_now"}
    for person in demo.people:
        slot = (person.position, person.index)
        wanted = list(required.get(person.position, []))
        wanted += required.get(ready_now.get(slot, ""), [])
        optional = cat.OPTIONAL_CERTIFICATES.get(person.position)
        if optional and rng.random() < optional[1]:
            wanted.append(optional[0])
        for cert in wanted:
            person.certificates[cert] = valid_certificate(rng, person, validity[cert])
    demo.by_slot[NO_CERTIFICATE].certificates.pop("CERT01")  # PLANTED 10
    demo.by_slot[EXPIRED_CERTIFICATE].certificates["CERT01"] = (date(2019, 9, 1),
                                                                date(2025, 8, 31))


# -- contracts and reviews -------------------------------------------------------------------


def planted_contract(case: tuple[str, ...]) -> Contract:
    """A contract from :data:`demo_catalog.CONTRACT_CASES`."""
    _, _, _, kind, start, end, prob, signed, wage, pwage, insured, _ = case
    return Contract(kind, date.fromisoformat(start), date.fromisoformat(end) if end else None,
                    int(prob), date.fromisoformat(signed), int(wage), int(pwage),
                    date.fromisoformat(insured))


def clean_contract(rng: random.Random, person: Person, grade: int) -> Contract:
    """A legal contract starting on the hire date."""
    start = person.hire
    if start < date(2022, 1, 1):
        kind, end, probation = "open_ended", None, rng.choice((0, 3, 6))
    else:
        years = 5 if start < date(2024, 1, 1) else 3
        kind, end, probation = "fixed_term", add_years(start, years), rng.choice((3, 6))
    wage = round(WAGE_BY_GRADE[grade] * rng.uniform(0.92, 1.12) / 100) * 100
    pwage = probation_wage(wage, rng.choice((80, 85, 90, 100))) if probation else 0
    signed = start + timedelta(days=rng.randint(-7, 14))
    insured = start + timedelta(days=rng.randint(0, 20))
    return Contract(kind, start, end, probation, signed, wage, pwage, insured)


def draw_contracts(demo: Demo) -> None:
    """One contract per employee; the planted cases as specified."""
    cases = contract_cases()
    for person in demo.people:
        case = cases.get((person.position, person.index))
        grade = demo.positions[person.position][4]
        person.contract = planted_contract(case) if case else \
            clean_contract(demo.rng, person, grade)


def draw_reviews(demo: Demo) -> None:
    """Yearly ratings (about 20% 4-5, 70% 3, 10% 1-2) for years the person worked."""
    for person in demo.people:
        for year in REVIEW_YEARS:
            if person.hire <= date(year, 9, 30):
                person.reviews[year] = demo.rng.choices((5, 4, 3, 2, 1), (6, 14, 70, 7, 3))[0]


# -- rows ------------------------------------------------------------------------------------


def people_tables(demo: Demo) -> dict[str, list[Row]]:
    """Rows of every employee table."""
    t: dict[str, list[Row]] = {name: [] for name in (
        "employees", "employee_positions", "employee_competencies", "employee_certificates",
        "contracts", "performance_reviews", "successor_nominations")}
    for n, p in enumerate(demo.people, 1):
        t["employees"].append(format_row((p.id, p.name, p.hire, p.education, p.major, p.years,
                                          p.potential, p.flight_risk)))
        t["employee_positions"] += [format_row((p.id, pos, s, e)) for pos, s, e in p.history]
        t["employee_positions"].append(format_row((p.id, p.position, p.start, None)))
        t["employee_competencies"] += [format_row((p.id, c, lvl, p.assessed[c]))
                                       for c, lvl in p.levels.items()]
        t["employee_certificates"] += [format_row((p.id, c, o, e))
                                       for c, (o, e) in p.certificates.items()]
        t["contracts"].append(contract_row(f"CT{n:04d}", p))
        t["performance_reviews"] += [[p.id, str(y), str(r)] for y, r in p.reviews.items()]
    for target, holder, index, readiness in cat.NOMINATIONS:
        t["successor_nominations"].append([demo.by_slot[(holder, index)].id, target, readiness])
    return t


def contract_row(contract_id: str, person: Person) -> Row:
    """The contracts.csv row of a person's contract."""
    c = person.contract
    assert c is not None
    return format_row((contract_id, person.id, c.kind, c.start, c.end, c.probation, c.signed,
                       c.wage, c.probation_wage or None, c.insured))


# -- performance 2026: objectives, KPI results and 360-degree feedback -----------------------
#
# Every quarter of 2026 each employee gets a result for every KPI of the position held and
# feedback from a manager, one or two peers, sometimes subordinates and themself. Ratings are
# drawn first, per calibration group, so that every group keeps the 20/70/10 guideline (the
# planted over-generous group aside); results and feedback are then drawn to land inside the
# rating's band. The scoring below only steers the draws (margins of half a point or more
# keep it away from the thresholds); the product's formulas live in the domain layer.

PERFORMANCE_SEED: Final[int] = 20262026
QUARTERS: Final[tuple[str, ...]] = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
EXCELLENT, QUALIFIED, NEEDS_IMPROVEMENT = "excellent", "qualified", "needs_improvement"
#: rating -> final scores the draws aim at (inside the band, away from its edges)
FINAL_AIMS: Final[dict[str, tuple[float, float]]] = {
    EXCELLENT: (96.5, 103.0), QUALIFIED: (75.0, 90.0), NEEDS_IMPROVEMENT: (56.0, 67.5)}
#: a drawn final counts when it lies this far inside its band
FINAL_BANDS: Final[dict[str, tuple[float, float]]] = {
    EXCELLENT: (95.5, 200.0), QUALIFIED: (70.5, 94.5), NEEDS_IMPROVEMENT: (0.0, 69.5)}
RELATION_WEIGHTS: Final[dict[str, float]] = {"manager": 0.5, "peer": 0.3, "subordinate": 0.2}
#: reviewers' scores by the rating drawn for the person: (scores, weights)
REVIEW_SCORES: Final[dict[str, tuple[tuple[int, ...], tuple[int, ...]]]] = {
    EXCELLENT: ((5, 4), (7, 3)), QUALIFIED: ((5, 4, 3), (1, 6, 3)),
    NEEDS_IMPROVEMENT: ((4, 3, 2), (1, 4, 5))}
SELF_SCORES: Final[tuple[tuple[int, ...], tuple[int, ...]]] = ((5, 4, 3), (3, 6, 1))
#: drawn achievements stay at or above this (alerts are below 0.7 and planted only)
LOWEST_DRAWN: Final[float] = 0.71
#: PLANTED (Performance) KPI results: (employee, quarter, KPI) -> (actual, own target)
PLANTED_RESULTS: Final[dict[tuple[str, str, str], tuple[float, float | None]]] = {
    ("E0126", "2026-Q1", "K030"): (2.5, None),  # 注塑不良率 1.5 / 2.5 = 0.6: alert (C019 gap)
    ("E0042", "2026-Q1", "K012"): (4.8, None),  # 线上线索转化率 4.8 / 8 = 0.6: alert
    ("E0275", "2026-Q1", "K036"): (64.6, None),  # 生产计划达成率 64.6 / 95 = 0.68: alert
    ("E0030", "2026-Q1", "K007"): (210, None),  # 区域销售额 210 / 300 = 0.7: no alert
    ("E0025", "2026-Q1", "K007"): (190, 200),  # new hire, own target 200: 0.95
}
PLANTED_RATINGS: Final[dict[tuple[str, str], str]] = {
    ("E0126", "2026-Q1"): NEEDS_IMPROVEMENT, ("E0042", "2026-Q1"): NEEDS_IMPROVEMENT,
    ("E0275", "2026-Q1"): QUALIFIED, ("E0030", "2026-Q1"): QUALIFIED,
    ("E0025", "2026-Q1"): QUALIFIED,
}
#: PLANTED: only self feedback (final = KPI score); no KPI results at all (incomplete)
ONLY_SELF_FEEDBACK: Final[tuple[str, str]] = ("E0150", "2026-Q1")
NO_RESULTS: Final[tuple[str, str]] = ("E0230", "2026-Q3")
#: PLANTED: an over-generous department: (department, quarter, excellent, qualified, needs imp.)
GENEROUS: Final[tuple[str, str, int, int, int]] = ("D07", "2026-Q2", 6, 5, 0)
#: groups smaller than this merge into the parent department's group
MIN_GROUP: Final[int] = 10
#: units counted in whole numbers
WHOLE_UNITS: Final[frozenset[str]] = frozenset({"个", "件", "次", "人", "万次", "万元"})


@dataclass(frozen=True)
class Measure:
    """A KPI of a position: id, weight, direction, target, unit."""

    kpi: str
    weight: float
    lower: bool
    target: float
    unit: str


@dataclass
class Appraisal:
    """Lookups for drawing the year's results and feedback."""

    demo: Demo
    rng: random.Random
    measures: dict[str, list[Measure]]
    manager: dict[str, Person | None]
    colleagues: dict[str, list[Person]]
    reports: dict[str, list[Person]]


def objective_tables() -> dict[str, list[Row]]:
    """Objectives, key results and which KPIs serve which key result."""
    links = [[kpi, kr[0]] for kr in cat.KEY_RESULTS for kpi in kr[9].split()]
    return {
        "objectives": [format_row([v or None for v in o]) for o in cat.OBJECTIVES],
        "key_results": [format_row(kr[:9]) for kr in cat.KEY_RESULTS],
        "kpi_key_results": links,
    }


def position_measures() -> dict[str, list[Measure]]:
    """Position -> its KPIs with weights (from the catalog)."""
    kpis = {k[0]: k for k in cat.KPIS}
    out: dict[str, list[Measure]] = {}
    for position, text in cat.POSITION_KPIS.items():
        for item in text.split():
            kpi, weight = item.split(":")
            k = kpis[kpi]
            out.setdefault(position, []).append(
                Measure(kpi, float(weight), k[3] == "lower_is_better", float(k[4]), k[2]))
    return out


def achievement(measure: Measure, actual: float, target: float) -> float:
    """actual/target (higher is better) or target/actual (lower; actual 0 = cap), in [0, 1.2]."""
    value = (1.2 if actual == 0 else target / actual) if measure.lower else actual / target
    return max(0.0, min(1.2, value))


def round_half_up(value: float) -> float:
    """One decimal, halves up (for steering only)."""
    return math.floor(value * 10 + 0.5 + 1e-9) / 10


def on_half(value: float | None) -> bool:
    """Whether ``value`` ends in a 5 in the second decimal: such scores are never drawn, so
    the expected numbers do not hinge on how an implementation rounds binary fractions."""
    if value is None:
        return False
    hundredths = value * 100
    return abs(hundredths - round(hundredths)) < 1e-6 and round(hundredths) % 10 == 5


def actual_for(measure: Measure, wanted: float) -> float:
    """A realistic reading that achieves about ``wanted`` of the target."""
    value = measure.target / wanted if measure.lower else measure.target * wanted
    if measure.unit == "%" and measure.kpi != "K001":
        value = min(value, 100.0)
    elif measure.unit == "分":
        value = min(value, 5.0)
    if measure.unit in WHOLE_UNITS:
        return float(round(value))
    return round(value, 2 if measure.unit == "分" or (measure.unit == "%" and
                                                      measure.target < 10) else 1)


def feedback_score(reviews: list[tuple[Person, str, int]]) -> float | None:
    """20 x weighted mean of the per-relation mean scores (self left out), not rounded;
    None: no feedback."""
    by_relation: dict[str, list[int]] = {}
    for _, relation, score in reviews:
        if relation != "self":
            by_relation.setdefault(relation, []).append(score)
    if not by_relation:
        return None
    total = sum(RELATION_WEIGHTS[r] for r in by_relation)
    mean = sum(RELATION_WEIGHTS[r] * sum(s) / len(s) for r, s in by_relation.items()) / total
    return 20 * mean


def appraisal_of(demo: Demo) -> Appraisal:
    """Managers (an incumbent of the position reported to), colleagues and reports."""
    holders: dict[str, list[Person]] = {}
    for person in demo.people:
        holders.setdefault(person.position, []).append(person)
    manager: dict[str, Person | None] = {}
    colleagues: dict[str, list[Person]] = {}
    reports: dict[str, list[Person]] = {}
    for person in demo.people:
        boss = demo.positions[person.position][3]
        bosses = holders.get(boss, [])
        head = bosses[person.index % len(bosses)] if bosses else None
        manager[person.id] = head
        colleagues[person.id] = [p for p in demo.people if p is not person and boss
                                 and demo.positions[p.position][3] == boss]
        if head is not None:
            reports.setdefault(head.id, []).append(person)
    return Appraisal(demo, random.Random(PERFORMANCE_SEED), position_measures(), manager,
                     colleagues, reports)


def calibration_groups(demo: Demo, rated: list[Person]) -> dict[str, list[Person]]:
    """Department -> rated people of it and its merged sub-departments (groups under
    :data:`MIN_GROUP` merge into the parent's; the top group stands)."""
    parent = {d[0]: d[2] for d in cat.DEPARTMENTS}

    def depth(dept: str) -> int:
        return 0 if not parent[dept] else 1 + depth(parent[dept])

    groups: dict[str, list[Person]] = {d: [] for d in parent}
    for person in rated:
        groups[demo.positions[person.position][2]].append(person)
    for dept in sorted(parent, key=lambda d: (-depth(d), d)):
        if parent[dept] and len(groups[dept]) < MIN_GROUP:
            groups[parent[dept]] += groups.pop(dept)
    return {d: g for d, g in groups.items() if g}


def quotas(n: int) -> dict[str, int]:
    """How many of ``n`` people to rate excellent / qualified / needs improvement: 20/70/10,
    each count strictly inside the guideline's +-5 points."""
    excellent, needs = round(0.2 * n), max(1, round(0.1 * n))
    counts = {EXCELLENT: excellent, QUALIFIED: n - excellent - needs, NEEDS_IMPROVEMENT: needs}
    for rating, share in ((EXCELLENT, 0.2), (QUALIFIED, 0.7), (NEEDS_IMPROVEMENT, 0.1)):
        assert n * (share - 0.05) < counts[rating] < n * (share + 0.05), (n, counts)
    return counts


def score_range(app: Appraisal, person: Person, quarter: str) -> tuple[float, float]:
    """Lowest and highest KPI score the draws can give."""
    low = high = 0.0
    measures = app.measures[person.position]
    for m in measures:
        planted = PLANTED_RESULTS.get((person.id, quarter, m.kpi))
        if planted is not None:
            fixed = achievement(m, planted[0], planted[1] or m.target)
            low, high = low + m.weight * fixed, high + m.weight * fixed
        elif m.target == 0:
            low, high = low + m.weight * 1.2, high + m.weight * 1.2
        else:
            best = min(1.15, achievement(m, actual_for(m, 1.15), m.target))
            low, high = low + m.weight * 0.73, high + m.weight * best
    total = sum(m.weight for m in measures)
    return 100 * low / total, 100 * high / total


def can_be(app: Appraisal, person: Person, quarter: str, rating: str) -> bool:
    """Whether the draws can reach ``rating`` (with the usual feedback for it)."""
    low, high = score_range(app, person, quarter)
    if rating == EXCELLENT:
        return 0.7 * high + 0.3 * 92 >= 98
    if rating == NEEDS_IMPROVEMENT:
        return 0.7 * low + 0.3 * 56 <= 69
    return 0.7 * low + 0.3 * 64 <= 92 and 0.7 * high + 0.3 * 76 >= 78


def plan_ratings(app: Appraisal, quarter: str, rated: list[Person]) -> dict[str, str]:
    """Employee -> rating, group by group, every group inside the guideline except the
    planted over-generous one."""
    rng = app.rng
    ratings: dict[str, str] = {}
    for dept, members in sorted(calibration_groups(app.demo, rated).items()):
        counts = quotas(len(members))
        if (dept, quarter) == GENEROUS[:2]:
            counts = dict(zip((EXCELLENT, QUALIFIED, NEEDS_IMPROVEMENT), GENEROUS[2:], strict=True))
        free = []
        for person in members:
            forced = PLANTED_RATINGS.get((person.id, quarter))
            if forced is None:
                free.append(person)
            else:
                ratings[person.id] = forced
                counts[forced] -= 1
        rng.shuffle(free)
        for rating in (NEEDS_IMPROVEMENT, EXCELLENT):
            chosen = [p for p in free if can_be(app, p, quarter, rating)][:counts[rating]]
            assert len(chosen) == counts[rating], (dept, quarter, rating)
            for person in chosen:
                ratings[person.id] = rating
                free.remove(person)
        for person in free:
            assert can_be(app, person, quarter, QUALIFIED), (person.id, quarter)
            ratings[person.id] = QUALIFIED
    return ratings


def draw_feedback(app: Appraisal, person: Person, quarter: str,
                  rating: str) -> list[tuple[Person, str, int]]:
    """Reviewers and their scores: manager, 1-2 peers, sometimes reports and self."""
    rng = app.rng
    if (person.id, quarter) == ONLY_SELF_FEEDBACK:
        return [(person, "self", 4)]
    scores, weights = REVIEW_SCORES[rating]
    reviewers: list[tuple[Person, str]] = []
    boss = app.manager[person.id]
    if boss is not None:
        reviewers.append((boss, "manager"))
    peers = app.colleagues[person.id]
    if peers:
        reviewers += [(p, "peer") for p in rng.sample(peers, min(len(peers), rng.randint(1, 2)))]
    reports = app.reports.get(person.id, [])
    if reports and (boss is None or rng.random() < 0.5):
        reviewers += [(p, "subordinate")
                      for p in rng.sample(reports, min(len(reports), rng.randint(1, 2)))]
    reviews = [(p, relation, rng.choices(scores, weights)[0]) for p, relation in reviewers]
    if rng.random() < 0.3:
        reviews.append((person, "self", rng.choices(*SELF_SCORES)[0]))
    return reviews


def draw_results(app: Appraisal, person: Person, quarter: str,
                 wanted: float) -> list[tuple[Measure, float, float | None]] | None:
    """(measure, actual, own target) for every KPI, aiming at KPI score ``wanted``; None when
    a reading would fall below :data:`LOWEST_DRAWN`."""
    rng = app.rng
    measures = app.measures[person.position]
    fixed = {m.kpi: PLANTED_RESULTS[(person.id, quarter, m.kpi)] for m in measures
             if (person.id, quarter, m.kpi) in PLANTED_RESULTS}
    fixed |= {m.kpi: (0.0, None) for m in measures if m.target == 0}
    total = sum(m.weight for m in measures)
    free = sum(m.weight for m in measures if m.kpi not in fixed)
    done = sum(m.weight * achievement(m, fixed[m.kpi][0], fixed[m.kpi][1] or m.target)
               for m in measures if m.kpi in fixed)
    mean = (wanted / 100 * total - done) / free if free else 0.0
    out: list[tuple[Measure, float, float | None]] = []
    for m in measures:
        if m.kpi in fixed:
            out.append((m, *fixed[m.kpi]))
            continue
        wish = max(0.73, min(1.15, mean + rng.uniform(-0.04, 0.04)))
        actual = actual_for(m, wish)
        if achievement(m, actual, m.target) < LOWEST_DRAWN:
            return None
        out.append((m, actual, None))
    return out


def kpi_score(results: list[tuple[Measure, float, float | None]]) -> float:
    """10 x weighted mean of the points (10 x achievement), not rounded."""
    total = sum(m.weight for m, _, _ in results)
    points = sum(m.weight * 10 * achievement(m, a, t or m.target) for m, a, t in results)
    return 10 * points / total


def draw_quarter(app: Appraisal, person: Person, quarter: str, rating: str | None,
                 ) -> tuple[list[Row], list[Row]]:
    """One person's kpi_results and feedback rows for one quarter."""
    for _ in range(500):
        reviews = draw_feedback(app, person, quarter, rating or QUALIFIED)
        exact = feedback_score(reviews)
        if on_half(exact):
            continue
        feedback = None if exact is None else round_half_up(exact)
        if rating is None:  # no KPI results: feedback only
            return [], feedback_rows(person, quarter, reviews)
        low, high = FINAL_AIMS[rating]
        aim = app.rng.uniform(low, high)
        wanted = aim if feedback is None else (aim - 0.3 * feedback) / 0.7
        results = draw_results(app, person, quarter, wanted)
        if results is None or on_half(kpi_score(results)):
            continue
        score = round_half_up(kpi_score(results))
        final = score if feedback is None else 0.7 * score + 0.3 * feedback
        band = FINAL_BANDS[rating]
        if band[0] <= final <= band[1] and not on_half(final):
            rows = [format_row((m.kpi, person.id, quarter, a, t)) for m, a, t in results]
            return rows, feedback_rows(person, quarter, reviews)
    raise AssertionError(f"cannot draw {rating} for {person.id} in {quarter}")


def feedback_rows(person: Person, quarter: str,
                  reviews: list[tuple[Person, str, int]]) -> list[Row]:
    """feedback.csv rows."""
    return [[person.id, p.id, relation, quarter, str(score)] for p, relation, score in reviews]


def performance_tables(demo: Demo) -> dict[str, list[Row]]:
    """Objectives and key results, and every quarter's KPI results and feedback."""
    app = appraisal_of(demo)
    tables = objective_tables() | {"kpi_results": [], "feedback": []}
    for quarter in QUARTERS:
        period = parse_period(quarter)
        for person in demo.people:
            assert period.overlaps(person.start, None)
        rated = [p for p in demo.people
                 if p.position in app.measures and (p.id, quarter) != NO_RESULTS]
        ratings = plan_ratings(app, quarter, rated)
        for person in demo.people:
            results, feedback = draw_quarter(app, person, quarter, ratings.get(person.id))
            tables["kpi_results"] += results
            tables["feedback"] += feedback
    return tables


# -- entry points ----------------------------------------------------------------------------


def draw_demo() -> Demo:
    """Draw every person of the demo organisation (deterministic)."""
    ids = competency_ids()
    demo = Demo(random.Random(DEMO_SEED), ids, parse_requirements(ids),
                {p[0]: p for p in cat.POSITIONS})
    draw_people(demo)
    describe_people(demo)
    for person in demo.people:
        assess(demo, person)
    plant_competencies(demo)
    guard_fits(demo)
    grant_certificates(demo)
    draw_contracts(demo)
    draw_reviews(demo)
    return demo


def build_demo(out_dir: Path) -> None:
    """Write the demo organisation's CSV files into ``out_dir`` (PLANTED.md is maintained by
    hand beside them and checked by ``tests/test_generator.py``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    demo = draw_demo()
    tables = organisation_tables() | people_tables(demo) | performance_tables(demo)
    for name, rows in tables.items():
        write_table(out_dir, name, rows)


def main() -> None:
    """``python -m samples.demo``: rewrite :data:`DEMO_DIR`."""
    build_demo(DEMO_DIR)
    print(f"wrote the demo organisation to {DEMO_DIR}")


if __name__ == "__main__":
    main()
