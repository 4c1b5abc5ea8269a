"""Steps of the rule features (features/organisation.feature, raci.feature,
qualification.feature, labour_law.feature, succession.feature).

The organisation is given as friendly tables ("the positions:", "the contracts:"); each table
becomes a file in the interchange format (its columns renamed, required columns the table leaves
out filled with harmless defaults) and the directory is imported into a fresh database on the
embedded engine. Then the real rules run there, and the steps look at the real report.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from conftest import GraphHandle
from pytest_bdd import given, parsers, scenarios, then, when

from graph.importer import ImportFailed
from rules.loader import load_rules
from rules.model import RuleSet, Scalar
from rules.params import parse_override, resolve_parameters
from rules.report import Report
from rules.runner import run_rules

scenarios("organisation.feature", "raci.feature", "qualification.feature",
          "labour_law.feature", "succession.feature")

Default = str | Callable[[dict[str, str]], str]


@dataclass(frozen=True)
class Table:
    """How a friendly table maps to an interchange file; ``defaults`` fill the file's columns
    a table leaves out (an empty cell stays empty: "not signed yet")."""

    file: str
    columns: dict[str, str] = field(default_factory=dict)  # friendly name -> file column
    defaults: dict[str, Default] = field(default_factory=dict)  # file column -> default


TABLES: dict[str, Table] = {
    "departments": Table("departments.csv", {"parent": "parent_id"}),
    "positions": Table(
        "positions.csv",
        {"department": "department_id", "reports to": "reports_to_id", "key": "is_key"},
        {"grade": "5", "category": "operations", "headcount": "1"}),
    "responsibilities": Table("responsibilities.csv"),
    "RACI assignments": Table(
        "position_responsibilities.csv",
        {"position": "position_id", "responsibility": "responsibility_id", "role": "raci"}),
    "KPIs": Table("kpis.csv", defaults={"direction": "higher_is_better"}),
    "KPI weights": Table("position_kpis.csv", {"position": "position_id", "kpi": "kpi_id"}),
    "employees": Table("employees.csv", {"flight risk": "flight_risk"}),
    "assignments": Table(
        "employee_positions.csv",
        {"employee": "employee_id", "position": "position_id", "from": "start_date",
         "until": "end_date"},
        {"start_date": "2020-01-01"}),
    "certificates": Table("certificates.csv"),
    "required certificates": Table(
        "position_certificates.csv", {"position": "position_id", "certificate": "certificate_id"}),
    "certificates held": Table(
        "employee_certificates.csv",
        {"employee": "employee_id", "certificate": "certificate_id", "obtained": "obtained_on",
         "expires": "expires_on"}),
    "competencies": Table("competencies.csv"),
    "required competencies": Table(
        "position_requirements.csv", {"position": "position_id", "competency": "competency_id"}),
    "assessed competencies": Table(
        "employee_competencies.csv", {"employee": "employee_id", "competency": "competency_id"}),
    "contracts": Table(
        "contracts.csv",
        {"employee": "employee_id", "start": "start_date", "end": "end_date",
         "probation": "probation_months", "signed": "signed_on", "wage": "monthly_wage",
         "probation wage": "probation_wage", "insured": "social_insurance_registered_on"},
        {"employee_id": "E1", "type": "fixed_term", "signed_on": lambda r: r["start_date"],
         "social_insurance_registered_on": lambda r: r["start_date"], "monthly_wage": "6000"}),
    "successor nominations": Table(
        "successor_nominations.csv", {"employee": "employee_id", "position": "position_id"}),
    "performance reviews": Table("performance_reviews.csv", {"employee": "employee_id"}),
}
PACKS = {"organisation": "organisation", "RACI": "raci", "qualification": "qualification",
         "labour-law": "labour_law", "succession": "succession"}


@dataclass
class Organisation:
    """The rows the scenario gave so far, by interchange file, and the check's inputs."""

    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    overrides: dict[str, Scalar] = field(default_factory=dict)
    report: Report | None = None

    def write(self, directory: Path) -> None:
        for file, rows in self.rows.items():
            columns = list(dict.fromkeys(c for row in rows for c in row))
            with (directory / file).open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, columns, restval="")
                writer.writeheader()
                writer.writerows(rows)


@pytest.fixture
def organisation() -> Organisation:
    return Organisation()


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_rules()


@given(parsers.parse("the {what}:"))
def _the_table(organisation: Organisation, what: str, datatable: list[list[str]]) -> None:
    table = TABLES[what]
    header = [table.columns.get(name.strip(), name.strip()) for name in datatable[0]]
    for cells in datatable[1:]:
        row = dict(zip(header, (c.strip() for c in cells), strict=True))
        for column, default in table.defaults.items():  # only for columns the table leaves out
            if column not in row:
                row[column] = default(row) if callable(default) else default
        organisation.rows.setdefault(table.file, []).append(row)


@given(parsers.parse('the parameter "{name}" is {value}'))
def _parameter(organisation: Organisation, ruleset: RuleSet, name: str, value: str) -> None:
    key, typed = parse_override(ruleset, f"{name}={value}")
    organisation.overrides[key] = typed


def _check(empty_graph: GraphHandle, organisation: Organisation, ruleset: RuleSet,
           tmp_path: Path, pack: str, day: date | None) -> None:
    directory = tmp_path / "organisation"
    directory.mkdir()
    organisation.write(directory)
    try:
        empty_graph.import_dir(directory)
    except ImportFailed as exc:
        raise AssertionError("the scenario's tables do not import:\n"
                             + "\n".join(str(p) for p in exc.problems)) from exc
    params = resolve_parameters(ruleset, overrides=organisation.overrides, today=day)
    rules = ruleset.select(packs=[PACKS[pack]])
    organisation.report = empty_graph.run(lambda graph: run_rules(graph, rules, params))


@when(parsers.parse("the {pack} rules are checked on {day}"))
def _check_on(empty_graph: GraphHandle, organisation: Organisation, ruleset: RuleSet,
              tmp_path: Path, pack: str, day: str) -> None:
    _check(empty_graph, organisation, ruleset, tmp_path, pack, date.fromisoformat(day))


@when(parsers.parse("the {pack} rules are checked"))
def _check_today(empty_graph: GraphHandle, organisation: Organisation, ruleset: RuleSet,
                 tmp_path: Path, pack: str) -> None:
    _check(empty_graph, organisation, ruleset, tmp_path, pack, None)


def _report(organisation: Organisation) -> Report:
    assert organisation.report is not None, "no 'When the ... rules are checked' step ran"
    return organisation.report


@then(parsers.parse("the {pack} rules report nothing"))
def _pack_reports_nothing(organisation: Organisation, pack: str) -> None:
    report = _report(organisation)
    assert report.results, "no rule ran"
    assert [(v.rule_id, v.focus_id) for v in report.violations] == []


@then(parsers.parse('"{rule_id}" reports {records}'))
def _rule_reports(organisation: Organisation, rule_id: str, records: str) -> None:
    """``nothing`` or the ids of the records at fault, comma-separated."""
    report = _report(organisation)
    assert rule_id in {r.rule.id for r in report.results}, f"{rule_id} did not run"
    expected = [] if records == "nothing" else sorted(r.strip() for r in records.split(","))
    assert sorted(v.focus_id for v in report.violations if v.rule_id == rule_id) == expected


@then(parsers.parse('"{rule_id}" reports:'))
def _rule_reports_table(organisation: Organisation, rule_id: str,
                        datatable: list[list[str]]) -> None:
    """The violations of the rule, with the columns the table names (record = focus id)."""
    report = _report(organisation)
    names = {"record": "focus_id", "name": "focus_name", "class": "focus_class"}
    header = [names.get(h.strip(), h.strip()) for h in datatable[0]]
    expected = [tuple(c.strip() for c in row) for row in datatable[1:]]
    found = [tuple(str(getattr(v, column)) for column in header)
             for v in report.violations if v.rule_id == rule_id]
    assert found == expected
