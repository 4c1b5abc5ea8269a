"""The synthetic generator and the demo organisation: format, integrity, scale, planted cases.

Plain tests, no database: the CSV files are read back with the csv module and checked against
the interchange format's rules (every reference resolves, no duplicate keys, no cycles, KPI
weights, one current position per employee) and, for the demo, against PLANTED.md.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from samples.demo import DEMO_DIR, MINIMUM_WAGE, REFERENCE_DATE, build_demo
from samples.generator import TABLES, generate

Table = list[dict[str, str]]
Tables = dict[str, Table]

#: (table, column) -> referenced table
REFERENCES: dict[tuple[str, str], str] = {
    ("departments", "parent_id"): "departments",
    ("positions", "department_id"): "departments",
    ("positions", "reports_to_id"): "positions",
    ("position_responsibilities", "position_id"): "positions",
    ("position_responsibilities", "responsibility_id"): "responsibilities",
    ("position_requirements", "position_id"): "positions",
    ("position_requirements", "competency_id"): "competencies",
    ("position_certificates", "position_id"): "positions",
    ("position_certificates", "certificate_id"): "certificates",
    ("employee_positions", "employee_id"): "employees",
    ("employee_positions", "position_id"): "positions",
    ("employee_competencies", "employee_id"): "employees",
    ("employee_competencies", "competency_id"): "competencies",
    ("employee_certificates", "employee_id"): "employees",
    ("employee_certificates", "certificate_id"): "certificates",
    ("position_kpis", "position_id"): "positions",
    ("position_kpis", "kpi_id"): "kpis",
    ("contracts", "employee_id"): "employees",
    ("performance_reviews", "employee_id"): "employees",
    ("successor_nominations", "employee_id"): "employees",
    ("successor_nominations", "position_id"): "positions",
    ("objectives", "department_id"): "departments",
    ("objectives", "parent_id"): "objectives",
    ("key_results", "objective_id"): "objectives",
    ("kpi_key_results", "kpi_id"): "kpis",
    ("kpi_key_results", "key_result_id"): "key_results",
    ("kpi_results", "kpi_id"): "kpis",
    ("kpi_results", "employee_id"): "employees",
    ("feedback", "employee_id"): "employees",
    ("feedback", "reviewer_id"): "employees",
}

#: table -> key columns (entity tables: id)
KEYS: dict[str, tuple[str, ...]] = {
    name: ("id",) for name, cols in TABLES.items() if cols[0] == "id"
} | {
    "position_responsibilities": ("position_id", "responsibility_id", "raci"),
    "position_requirements": ("position_id", "competency_id"),
    "position_certificates": ("position_id", "certificate_id"),
    "employee_positions": ("employee_id", "position_id", "start_date"),
    "employee_competencies": ("employee_id", "competency_id"),
    "employee_certificates": ("employee_id", "certificate_id"),
    "position_kpis": ("position_id", "kpi_id"),
    "performance_reviews": ("employee_id", "period"),
    "successor_nominations": ("employee_id", "position_id"),
    "kpi_key_results": ("kpi_id", "key_result_id"),
    "kpi_results": ("kpi_id", "employee_id", "period"),
    "feedback": ("employee_id", "reviewer_id", "period"),
}

ENUMS: dict[tuple[str, str], set[str]] = {
    ("positions", "category"): {"management", "technical", "operations", "support"},
    ("positions", "is_key"): {"true", "false"},
    ("position_responsibilities", "raci"): {"R", "A", "C", "I"},
    ("position_requirements", "mandatory"): {"true", "false"},
    ("employees", "potential"): {"low", "medium", "high"},
    ("employees", "flight_risk"): {"low", "medium", "high"},
    ("employees", "education"): {"高中", "大专", "本科", "硕士", "博士"},
    ("kpis", "direction"): {"higher_is_better", "lower_is_better"},
    ("kpis", "period"): {"monthly", "quarterly", "yearly"},
    ("contracts", "type"): {"fixed_term", "open_ended", "task_based"},
    ("successor_nominations", "readiness"): {"ready_now", "ready_1_2_years",
                                             "ready_3_plus_years"},
    ("key_results", "direction"): {"higher_is_better", "lower_is_better"},
    ("feedback", "relation"): {"manager", "peer", "subordinate", "self"},
}

#: (table, column) -> (low, high) for whole numbers
INTEGERS: dict[tuple[str, str], tuple[int, int]] = {
    ("positions", "grade"): (1, 12),
    ("positions", "headcount"): (0, 10**6),
    ("position_requirements", "level"): (1, 5),
    ("employee_competencies", "level"): (1, 5),
    ("contracts", "probation_months"): (0, 6),
    ("performance_reviews", "rating"): (1, 5),
    ("feedback", "score"): (1, 5),
}
DATES: set[str] = {"hire_date", "start_date", "end_date", "assessed_on", "obtained_on",
                   "expires_on", "signed_on", "social_insurance_registered_on"}


# -- reading ---------------------------------------------------------------------------------


def load(directory: Path) -> Tables:
    """Every interchange file of ``directory``, checking the header and the encoding."""
    tables: Tables = {}
    for name, columns in TABLES.items():
        raw = (directory / f"{name}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{name}.csv starts with a BOM"
        rows = list(csv.reader(raw.decode("utf-8").splitlines()))
        assert tuple(rows[0]) == columns, f"{name}.csv header"
        assert all(len(r) == len(columns) for r in rows[1:]), f"{name}.csv cell count"
        assert rows[1:] == sorted(rows[1:]), f"{name}.csv is not sorted by key"
        tables[name] = [dict(zip(columns, r, strict=True)) for r in rows[1:]]
    return tables


def ids(tables: Tables, name: str) -> set[str]:
    """The ids of an entity table."""
    return {r["id"] for r in tables[name]}


# -- integrity -------------------------------------------------------------------------------


def reference_problems(t: Tables) -> list[str]:
    """Reference columns pointing at ids that do not exist."""
    known = {name: ids(t, name) for name in TABLES if TABLES[name][0] == "id"}
    out = []
    for (table, column), target in REFERENCES.items():
        for row in t[table]:
            value = row[column]
            if value and value not in known[target]:
                out.append(f"{table}.{column} {value} does not exist")
            optional = column in ("parent_id", "reports_to_id") or \
                (table, column) == ("objectives", "department_id")  # company-wide
            if not value and not optional:
                out.append(f"{table}.{column} is empty")
    return out


def duplicate_problems(t: Tables) -> list[str]:
    """Keys appearing twice."""
    out = []
    for table, key in KEYS.items():
        counts = Counter(tuple(r[c] for c in key) for r in t[table])
        out += [f"{table} duplicate {k}" for k, n in counts.items() if n > 1]
    return out


def value_problems(t: Tables) -> list[str]:
    """Enumerations, whole numbers, numbers, dates."""
    out = []
    for (table, column), allowed in ENUMS.items():
        out += [f"{table}.{column} {r[column]!r}" for r in t[table] if r[column] not in allowed]
    for (table, column), (low, high) in INTEGERS.items():
        out += [f"{table}.{column} {r[column]!r}" for r in t[table]
                if not r[column].isdigit() or not low <= int(r[column]) <= high]
    for table, column in (("position_requirements", "weight"), ("position_kpis", "weight"),
                          ("contracts", "monthly_wage"), ("kpis", "target")):
        out += [f"{table}.{column} {r[column]!r}" for r in t[table]
                if float(r[column]) < 0 or (column == "weight" and float(r[column]) <= 0)]
    out += [f"years_experience {r['years_experience']}" for r in t["employees"]
            if float(r["years_experience"]) < 0]
    out += [f"period {r['period']!r}" for r in t["performance_reviews"]
            if not (len(r["period"]) == 4 and r["period"].isdigit())]
    for rows in t.values():
        for row in rows:
            for column in DATES & row.keys():
                if row[column]:
                    date.fromisoformat(row[column])  # raises on a bad date
    return out


def contract_shape_problems(t: Tables) -> list[str]:
    """End date empty exactly for open-ended contracts; probation wage only with probation."""
    out = []
    for c in t["contracts"]:
        if (c["type"] == "open_ended") != (c["end_date"] == ""):
            out.append(f"{c['id']} end_date/type")
        if (c["probation_months"] == "0") != (c["probation_wage"] == ""):
            out.append(f"{c['id']} probation_wage/probation_months")
        if c["end_date"] and c["end_date"] <= c["start_date"]:
            out.append(f"{c['id']} ends before it starts")
    return out


def position_history_problems(t: Tables) -> list[str]:
    """At most one current position per employee; periods end after they start."""
    current = Counter(r["employee_id"] for r in t["employee_positions"] if not r["end_date"])
    out = [f"{e} holds {n} current positions" for e, n in current.items() if n > 1]
    out += [f"{r['employee_id']} {r['position_id']} ends before it starts"
            for r in t["employee_positions"] if r["end_date"] and r["end_date"] < r["start_date"]]
    return out


def cycle_problems(t: Tables) -> list[str]:
    """Department parents and reporting lines form no cycle; one root department."""
    out = []
    for table, column in (("departments", "parent_id"), ("positions", "reports_to_id")):
        parent = {r["id"]: r[column] for r in t[table] if r[column]}
        for start in parent:
            seen, node = set(), start
            while node in parent and node not in seen:
                seen.add(node)
                node = parent[node]
            if node in seen:
                out.append(f"{table}: cycle through {start}")
    roots = [d["id"] for d in t["departments"] if not d["parent_id"]]
    if len(roots) != 1:
        out.append(f"departments: {len(roots)} roots")
    return out


def integrity_problems(t: Tables) -> list[str]:
    """Every format and integrity problem of a directory's tables."""
    return (reference_problems(t) + duplicate_problems(t) + value_problems(t)
            + contract_shape_problems(t) + position_history_problems(t) + cycle_problems(t))


# -- derived facts ---------------------------------------------------------------------------


def kpi_sums(t: Tables) -> dict[str, float]:
    """Position -> sum of its KPI weights (positions without KPIs are absent)."""
    sums: dict[str, float] = defaultdict(float)
    for r in t["position_kpis"]:
        sums[r["position_id"]] += float(r["weight"])
    return dict(sums)


def raci(t: Tables) -> dict[str, Counter[str]]:
    """Responsibility -> count of each RACI role."""
    roles: dict[str, Counter[str]] = {r["id"]: Counter() for r in t["responsibilities"]}
    for r in t["position_responsibilities"]:
        roles[r["responsibility_id"]][r["raci"]] += 1
    return roles


def incumbents(t: Tables) -> dict[str, list[str]]:
    """Position -> current holders (sorted)."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in t["employee_positions"]:
        if not r["end_date"]:
            out[r["position_id"]].append(r["employee_id"])
    return {p: sorted(e) for p, e in out.items()}


def current_position(t: Tables) -> dict[str, str]:
    """Employee -> current position."""
    return {r["employee_id"]: r["position_id"] for r in t["employee_positions"]
            if not r["end_date"]}


def depths(parent: dict[str, str]) -> dict[str, int]:
    """Node -> level in its tree (1 = a root; counts the nodes on the chain to the root)."""
    out = {}
    for start in parent:
        depth, node = 1, start
        while parent[node]:
            depth, node = depth + 1, parent[node]
        out[start] = depth
    return out


def layers(t: Tables) -> dict[str, int]:
    """Position -> layer (1 = top; counts positions on the reporting chain)."""
    return depths({p["id"]: p["reports_to_id"] for p in t["positions"]})


def levels(t: Tables) -> dict[str, dict[str, int]]:
    """Employee -> competency -> level."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for r in t["employee_competencies"]:
        out[r["employee_id"]][r["competency_id"]] = int(r["level"])
    return out


def requirements(t: Tables) -> dict[str, list[tuple[str, int, bool]]]:
    """Position -> (competency, level, mandatory)."""
    out: dict[str, list[tuple[str, int, bool]]] = defaultdict(list)
    for r in t["position_requirements"]:
        out[r["position_id"]].append((r["competency_id"], int(r["level"]),
                                      r["mandatory"] == "true"))
    return out


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (clamped to the month's end)."""
    year, month = divmod(day.month - 1 + months, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(day.year + year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError(day)


def probation_limit(contract: dict[str, str]) -> int:
    """Longest probation the contract's term allows (劳动合同法 第十九条)."""
    if contract["type"] == "task_based":
        return 0
    if not contract["end_date"]:
        return 6
    start, end = (date.fromisoformat(contract[c]) for c in ("start_date", "end_date"))
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return 0 if months < 3 else 1 if months < 12 else 2 if months < 36 else 6


def labour_law_findings(t: Tables, minimum_wage: int) -> dict[str, list[str]]:
    """Contract id -> rules broken (empty when legal)."""
    out: dict[str, list[str]] = {}
    for c in t["contracts"]:
        start = date.fromisoformat(c["start_date"])
        wage = float(c["monthly_wage"])
        pwage = float(c["probation_wage"]) if c["probation_wage"] else None
        found = []
        if date.fromisoformat(c["signed_on"]) > add_months(start, 1):
            found.append("late_signing")
        if int(c["probation_months"]) > probation_limit(c):
            found.append("probation_too_long")
        if pwage is not None and pwage < 0.8 * wage:
            found.append("probation_wage_below_80")
        if pwage is not None and pwage < minimum_wage:
            found.append("probation_wage_below_minimum")
        if wage < minimum_wage:
            found.append("wage_below_minimum")
        insured = date.fromisoformat(c["social_insurance_registered_on"])
        if insured - start > timedelta(days=30):
            found.append("late_social_insurance")
        if found:
            out[c["id"]] = found
    return out


def bigram_jaccard(a: str, b: str) -> float:
    """Similarity of two texts by their sets of character bigrams."""
    ga, gb = {a[i:i + 2] for i in range(len(a) - 1)}, {b[i:i + 2] for i in range(len(b) - 1)}
    return len(ga & gb) / len(ga | gb)


# -- generator -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Path, dict[str, int]]]:
    """Generated directories for 10 and 2,000 employees (seed 1)."""
    out = {}
    for size in (10, 2000):
        directory = tmp_path_factory.mktemp(f"gen{size}")
        out[size] = (directory, generate(directory, size, seed=1))
    return out


def file_bytes(directory: Path) -> dict[str, bytes]:
    """Name -> content of every CSV file."""
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.csv"))}


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", 500, seed=7)
    generate(tmp_path / "b", 500, seed=7)
    first, second = file_bytes(tmp_path / "a"), file_bytes(tmp_path / "b")
    assert len(first) == len(TABLES)
    assert first == second


def test_different_seed_gives_different_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", 500, seed=7)
    generate(tmp_path / "b", 500, seed=8)
    first, second = file_bytes(tmp_path / "a"), file_bytes(tmp_path / "b")
    assert first["employees.csv"] != second["employees.csv"]
    assert first["responsibilities.csv"] != second["responsibilities.csv"]


def test_counts_and_progress(tmp_path: Path) -> None:
    messages: list[str] = []
    counts = generate(tmp_path, 50, seed=3, progress=messages.append)
    assert set(counts) == {f"{name}.csv" for name in TABLES}
    assert len(messages) == len(TABLES)
    for name, rows in counts.items():
        assert sum(1 for _ in csv.reader((tmp_path / name).open(encoding="utf-8"))) == rows + 1


@pytest.mark.parametrize("size", [10, 2000])
def test_generated_integrity(generated: dict[int, tuple[Path, dict[str, int]]],
                             size: int) -> None:
    assert integrity_problems(load(generated[size][0])) == []


@pytest.mark.parametrize("size", [10, 2000])
def test_generated_organisation_rules(generated: dict[int, tuple[Path, dict[str, int]]],
                                      size: int) -> None:
    t = load(generated[size][0])
    positions = ids(t, "positions")
    assert kpi_sums(t) == {p: 100.0 for p in positions}
    for rid, roles in raci(t).items():
        assert roles["A"] == 1 and roles["R"] >= 1, rid
    holders = incumbents(t)
    for p in t["positions"]:
        assert len(holders.get(p["id"], [])) <= int(p["headcount"]), p["id"]
    assert set(current_position(t)) == ids(t, "employees")
    assert Counter(c["employee_id"] for c in t["contracts"]) == Counter(ids(t, "employees"))
    duties = Counter(p for p, _ in {(r["position_id"], r["responsibility_id"])
                                    for r in t["position_responsibilities"]})
    assert set(duties) == positions
    assert all(n <= 10 for n in duties.values())
    assert sum(n >= 4 for n in duties.values()) >= 0.95 * len(positions)


def test_generated_scale_ratios(generated: dict[int, tuple[Path, dict[str, int]]]) -> None:
    counts = generated[2000][1]
    assert counts["employees.csv"] == 2000
    assert counts["departments.csv"] == 8
    assert 108 <= counts["positions.csv"] <= 132  # 2000 / 16.7
    assert counts["responsibilities.csv"] == 800  # 2000 / 2.5
    assert counts["competencies.csv"] == 80  # 2000 / 25
    assert counts["kpis.csv"] == 40  # 2000 / 50
    assert 16_000 <= counts["employee_competencies.csv"] <= 24_000  # ~10 each
    assert counts["contracts.csv"] == 2000
    assert 5_000 <= counts["performance_reviews.csv"] <= 6_000
    t = load(generated[2000][0])
    keys = sum(p["is_key"] == "true" for p in t["positions"])
    assert keys == round(counts["positions.csv"] * 0.1)
    assert counts["successor_nominations.csv"] > 0
    assert max(layers(t).values()) >= 3
    assert max(depths({d["id"]: d["parent_id"] for d in t["departments"]}).values()) in (3, 4)
    shared = Counter(r["responsibility_id"] for r in t["position_responsibilities"]
                     if r["raci"] != "A")
    assert any(n > 1 for n in shared.values())


def test_generated_performance(generated: dict[int, tuple[Path, dict[str, int]]]) -> None:
    """Objectives for every department, key results served by KPIs, four quarters of KPI
    results on the KPIs of a position held in the quarter, about three reviewers each."""
    from domain.periods import is_period, parse_period

    counts = generated[2000][1]
    t = load(generated[2000][0])
    assert counts["objectives.csv"] == 3 + 2 * counts["departments.csv"]
    assert {o["department_id"] for o in t["objectives"]} == ids(t, "departments") | {""}
    assert all(float(o["weight"]) > 0 for o in t["objectives"])
    assert all(float(k["weight"]) > 0 for k in t["key_results"])
    assert {r["key_result_id"] for r in t["kpi_key_results"]} == ids(t, "key_results")
    assert all(is_period(r["period"]) for name in ("objectives", "kpi_results", "feedback")
               for r in t[name])
    measured = defaultdict(set)
    for r in t["position_kpis"]:
        measured[r["position_id"]].add(r["kpi_id"])
    held = defaultdict(list)
    for r in t["employee_positions"]:
        held[r["employee_id"]].append((r["position_id"], date.fromisoformat(r["start_date"]),
                                       date.fromisoformat(r["end_date"]) if r["end_date"]
                                       else None))
    for r in t["kpi_results"]:
        period = parse_period(r["period"])
        assert any(r["kpi_id"] in measured[p] and period.overlaps(start, end)
                   for p, start, end in held[r["employee_id"]]), r
    assert {r["period"] for r in t["kpi_results"]} == {f"2025-Q{q}" for q in range(1, 5)}
    per_employee = counts["kpi_results.csv"] / (4 * counts["employees.csv"])
    assert 1.5 <= per_employee <= 5  # the 2-5 KPIs of the position, the quarters held
    per_quarter = Counter((r["employee_id"], r["period"]) for r in t["feedback"])
    assert 2.5 <= sum(per_quarter.values()) / len(per_quarter) <= 3.5
    assert {"manager", "peer", "subordinate"} <= {r["relation"] for r in t["feedback"]}


def test_tiny_organisation(generated: dict[int, tuple[Path, dict[str, int]]]) -> None:
    counts = generated[10][1]
    assert counts["employees.csv"] == 10
    assert counts["departments.csv"] == 5
    assert counts["positions.csv"] >= 6
    assert counts["competencies.csv"] == 30


def test_generated_contracts_are_mostly_legal(
        generated: dict[int, tuple[Path, dict[str, int]]]) -> None:
    t = load(generated[2000][0])
    findings = labour_law_findings(t, MINIMUM_WAGE)
    assert len(findings) <= 0.02 * len(t["contracts"])
    assert all(len(rules) == 1 for rules in findings.values())


# -- demo organisation -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Tables:
    """The committed demo organisation."""
    return load(DEMO_DIR)


def test_demo_files_are_up_to_date(tmp_path: Path) -> None:
    build_demo(tmp_path)
    assert file_bytes(tmp_path) == file_bytes(DEMO_DIR)


def test_demo_integrity(demo: Tables) -> None:
    assert integrity_problems(demo) == []


def test_demo_size(demo: Tables) -> None:
    depts = {d["name"] for d in demo["departments"]}
    assert {"总经办", "市场部", "营销部", "项目开发部", "采购部", "研究所", "模具部", "机加工部",
            "成型部", "组装部", "品质部", "生产管理部", "人事部", "财务部"} <= depts
    assert 55 <= len(demo["positions"]) <= 65
    assert 140 <= len(demo["responsibilities"]) <= 160
    assert 75 <= len(demo["competencies"]) <= 85
    assert len(demo["employees"]) == 300
    assert sum(p["is_key"] == "true" for p in demo["positions"]) == 12
    assert 35 <= len(demo["kpis"]) <= 55
    assert {r["period"] for r in demo["performance_reviews"]} == {"2023", "2024", "2025"}
    assert len(demo["successor_nominations"]) == 26


def test_planted_raci(demo: Tables) -> None:
    roles = raci(demo)
    assert {r for r, c in roles.items() if c["A"] != 1} == {"R0008", "R0086"}
    assert roles["R0008"]["A"] == 2 and roles["R0086"]["A"] == 0
    assert {r for r, c in roles.items() if c["R"] == 0} == {"R0038"}
    names = {r["id"]: r["name"] for r in demo["responsibilities"]}
    assert (names["R0008"], names["R0086"], names["R0038"]) == ("需求分析", "零件清点",
                                                                 "供应商年度评审")
    holders = {(r["position_id"], r["raci"]) for r in demo["position_responsibilities"]
               if r["responsibility_id"] == "R0008"}
    assert {("P005", "R"), ("P021", "R"), ("P004", "A"), ("P020", "A")} <= holders
    dept = {p["id"]: p["department_id"] for p in demo["positions"]}
    assert dept["P004"] != dept["P020"] and dept["P005"] != dept["P021"]


def test_planted_near_duplicates(demo: Tables) -> None:
    text = {r["id"]: r["description"] for r in demo["responsibilities"]}
    scores = sorted(((bigram_jaccard(text[a], text[b]), a, b)
                     for a, b in itertools.combinations(sorted(text), 2)), reverse=True)
    assert [(a, b) for _, a, b in scores[:2]] == [("R0008", "R0045"), ("R0079", "R0087")]
    assert scores[1][0] > 0.5 > 0.25 > scores[2][0]


def test_planted_positions_and_departments(demo: Tables) -> None:
    positions = ids(demo, "positions")
    held = {r["position_id"] for r in demo["position_responsibilities"]}
    assert positions - held == {"P016"}
    sums = kpi_sums(demo)
    assert positions - set(sums) == {"P003"}
    assert {p: s for p, s in sums.items() if s != 100} == {"P012": 90.0}
    staffed = {p["department_id"] for p in demo["positions"]}
    assert ids(demo, "departments") - staffed == {"D16"}
    holders = incumbents(demo)
    over = {p["id"] for p in demo["positions"] if len(holders.get(p["id"], []))
            > int(p["headcount"])}
    assert over == {"P046"} and holders["P046"] == ["E0253", "E0254", "E0255"]
    vacant = {p["id"] for p in demo["positions"] if len(holders.get(p["id"], []))
              < int(p["headcount"])}
    assert vacant == {"P006", "P010", "P033", "P038", "P043"}


def test_planted_span_and_layers(demo: Tables) -> None:
    span = Counter(p["reports_to_id"] for p in demo["positions"] if p["reports_to_id"])
    assert span["P001"] == 14
    assert max(n for p, n in span.items() if p != "P001") <= 4
    layer = layers(demo)
    assert {p: n for p, n in layer.items() if n > 4} == {"P026": 5, "P027": 6}


def test_planted_qualification(demo: Tables) -> None:
    required = defaultdict(set)
    for r in demo["position_certificates"]:
        required[r["position_id"]].add(r["certificate_id"])
    valid = defaultdict(set)
    for r in demo["employee_certificates"]:
        if not r["expires_on"] or date.fromisoformat(r["expires_on"]) >= REFERENCE_DATE:
            valid[r["employee_id"]].add(r["certificate_id"])
    missing = {e for e, p in current_position(demo).items() if required[p] - valid[e]}
    assert missing == {"E0096", "E0097"}
    expired = {(r["employee_id"], r["certificate_id"], r["expires_on"])
               for r in demo["employee_certificates"]
               if r["expires_on"] and date.fromisoformat(r["expires_on"]) < REFERENCE_DATE}
    assert expired == {("E0097", "CERT01", "2025-08-31")}
    lv, reqs = levels(demo), requirements(demo)
    below = {(e, c) for e, p in current_position(demo).items()
             for c, level, mandatory in reqs[p] if mandatory and lv[e].get(c, 0) < level}
    assert below == {("E0126", "C019")}


def test_planted_fit(demo: Tables) -> None:
    lv, reqs, now = levels(demo), requirements(demo), current_position(demo)
    keys = [p["id"] for p in demo["positions"] if p["is_key"] == "true"]
    fits = {(e, k) for e in now for k in keys
            if k != now[e] and all(lv[e].get(c, 0) >= level for c, level, _ in reqs[k])}
    assert fits == {("E0293", "P054"), ("E0300", "P059")}
    assert all(lv["E0293"][c] == level for c, level, _ in reqs["P054"])
    certs = {(r["employee_id"], r["certificate_id"]) for r in demo["employee_certificates"]}
    needed = {r["certificate_id"] for r in demo["position_certificates"]
              if r["position_id"] == "P059"}
    assert needed == {"CERT04"} and ("E0300", "CERT04") not in certs
    assert not any(r["position_id"] == "P054" for r in demo["position_certificates"])


def test_planted_succession(demo: Tables) -> None:
    keys = {p["id"] for p in demo["positions"] if p["is_key"] == "true"}
    bands: dict[str, set[str]] = defaultdict(set)
    for n in demo["successor_nominations"]:
        bands[n["position_id"]].add(n["readiness"])
    assert set(bands) <= keys
    assert keys - set(bands) == {"P022", "P028"}
    assert {k for k in keys if "ready_now" not in bands[k]} == {"P022", "P028", "P049"}
    every_band = {"ready_now", "ready_1_2_years", "ready_3_plus_years"}
    assert {k for k, b in bands.items() if b == every_band} == {"P001", "P008", "P013",
                                                                  "P020", "P045"}
    risk = {e["id"] for e in demo["employees"] if e["flight_risk"] == "high"}
    holders = incumbents(demo)
    assert {k for k in keys if set(holders[k]) & risk} == {"P049"}
    assert holders["P049"] == ["E0273"]
    nominations = {(n["employee_id"], n["position_id"]): n["readiness"]
                   for n in demo["successor_nominations"]}
    assert nominations[("E0293", "P054")] == "ready_now"
    assert nominations[("E0300", "P059")] == "ready_1_2_years"


def test_planted_contracts(demo: Tables) -> None:
    assert labour_law_findings(demo, MINIMUM_WAGE) == {
        "CT0014": ["late_signing"],
        "CT0131": ["probation_too_long"],
        "CT0180": ["probation_too_long"],
        "CT0181": ["probation_too_long"],
        "CT0048": ["probation_wage_below_80"],
        "CT0182": ["probation_wage_below_minimum"],
        "CT0132": ["wage_below_minimum"],
        "CT0256": ["late_social_insurance"],
    }
    contracts = {c["id"]: c for c in demo["contracts"]}
    assert contracts["CT0180"]["type"] == "fixed_term"
    assert contracts["CT0181"]["type"] == "task_based"
    assert (contracts["CT0183"]["probation_months"], contracts["CT0183"]["end_date"]) == \
        ("2", "2026-03-03")
    assert contracts["CT0015"]["type"] == "open_ended"
    assert contracts["CT0015"]["probation_months"] == "6"


def test_planted_md_names_the_ids(demo: Tables) -> None:
    text = (DEMO_DIR / "PLANTED.md").read_text(encoding="utf-8")
    for token in ("R0008", "R0045", "R0079", "R0087", "R0086", "R0038", "P016", "P003",
                  "P012", "D16", "P046", "P001", "P027", "E0096", "E0097", "E0126", "E0293",
                  "E0300", "P022", "P028", "P049", "E0273", "CT0014", "CT0131", "CT0180",
                  "CT0181", "CT0048", "CT0182", "CT0132", "CT0256", "2690"):
        assert token in text, token
    every = set().union(*(ids(demo, name) for name, cols in TABLES.items() if cols[0] == "id"))
    mentioned = set(re.findall(r"\b(?:R\d{4}|P\d{3}|E\d{4}|CT\d{4}|D\d{2}|C\d{3}|CERT\d{2}|"
                               r"K\d{3})\b", text))
    assert mentioned <= every


def test_project_reader_accepts_the_files(
        generated: dict[int, tuple[Path, dict[str, int]]]) -> None:
    """The import's own reader finds nothing wrong in the demo and in generated files."""
    from graph.interchange import read_directory
    from schema.ontology import load_ontology

    for directory in (DEMO_DIR, generated[10][0], generated[2000][0]):
        parsed = read_directory(directory, load_ontology())
        assert parsed.problems == [] and parsed.warnings == [] and not parsed.unresolved
