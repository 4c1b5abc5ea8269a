"""``rolegraph check`` and ``rolegraph rules`` as a pipeline runs them: real processes, a real
data directory, exit codes and machine-readable output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

SMALL = Path(__file__).parent / "data" / "small_org"
CLEAN = Path(__file__).parent / "data" / "clean_org"
REPO = Path(__file__).resolve().parent.parent
AS_OF = "as_of=2026-01-01"

# tests/data/small_org breaks these rules (checked on 2026-01-01)
SMALL_ORG_VIOLATIONS = {
    ("position-has-responsibility", "P1"),
    ("position-has-kpi", "P1"), ("position-has-kpi", "P3"), ("position-has-kpi", "P4"),
    ("required-certificates", "E4"),  # CERT1 expired 2025-03-01
    ("mandatory-competencies", "E4"),  # C1 at level 2, 3 required
    ("raci-one-accountable", "R3"),  # 零件清点: nobody accountable
    # no objectives: the KPIs serve no key result (no KPI results: no appraisal period)
    ("kpi-serves-key-result", "K1"), ("kpi-serves-key-result", "K2"),
}


def rolegraph(data_dir: Path, *args: str, settings: Path | None = None,
              timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ROLEGRAPH_DATA_DIR=str(data_dir), ROLEGRAPH_ENGINE_HEAP="512m")
    env.pop("ROLEGRAPH_NEO4J_URI", None)
    env.pop("ROLEGRAPH_RULES_SETTINGS", None)
    if settings is not None:
        env["ROLEGRAPH_RULES_SETTINGS"] = str(settings)
    return subprocess.run([sys.executable, "-m", "rolegraph.cli", *args], env=env, text=True,
                          capture_output=True, timeout=timeout, cwd=REPO)


@pytest.fixture(scope="module")
def small_org_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding tests/data/small_org, imported with ``rolegraph import``."""
    data_dir = tmp_path_factory.mktemp("small")
    done = rolegraph(data_dir, "import", str(SMALL))
    assert done.returncode == 0, done.stderr
    return data_dir


def test_check_fails_the_pipeline_on_errors(small_org_dir: Path) -> None:
    """Errors exit 1, so ``rolegraph check`` can gate a pipeline; the table lists them."""
    done = rolegraph(small_org_dir, "check", "--param", AS_OF)
    assert done.returncode == 1, done.stderr
    assert "赵强 (E4): P5 CNC操作员 requires CERT1 CNC操作证, but the certificate is expired " \
           "2025-03-01 (checked on 2026-01-01)." in done.stdout
    assert "9 errors, 0 warnings, 0 infos in 23 rules" in done.stdout


def test_check_as_json(small_org_dir: Path) -> None:
    """JSON carries every violation with its record, path, value, message and reference,
    and per-rule counts and times."""
    done = rolegraph(small_org_dir, "check", "--format", "json", "--param", AS_OF)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["conforms"] is False
    assert {(v["rule"], v["focus"]["id"]) for v in report["violations"]} == SMALL_ORG_VIOLATIONS
    assert report["counts"] == {"error": 9, "warning": 0, "info": 0}
    assert len(report["rules"]) == 23
    kpi = next(v for v in report["violations"] if v["focus"]["id"] == "P3")
    assert kpi["focus"] == {"class": "Position", "id": "P3", "name": "研发工程师"}
    assert (kpi["severity"], kpi["path"], kpi["value"]) == ("error", "-MEASURED_BY-> KPI", "0")


def test_check_as_junit_to_a_file(small_org_dir: Path, tmp_path: Path) -> None:
    """JUnit XML for CI: a suite per pack, a case per rule, a failure per failing rule."""
    out = tmp_path / "compliance.xml"
    done = rolegraph(small_org_dir, "check", "--format", "junit", "--output", str(out),
                     "--param", AS_OF)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert "9 errors" in done.stderr
    suites = ET.fromstring(out.read_text(encoding="utf-8"))
    assert [s.get("name") for s in suites] == [
        "labour_law", "organisation", "performance", "qualification", "raci", "succession"]
    assert suites.get("tests") == "23"
    failed = sorted(case.get("classname", "") for case in suites.iter("testcase")
                    if case.find("failure") is not None)
    assert failed == ["organisation.position-has-kpi", "organisation.position-has-responsibility",
                      "performance.kpi-serves-key-result",
                      "qualification.mandatory-competencies",
                      "qualification.required-certificates", "raci.raci-one-accountable"]


def test_check_a_pack_without_errors_exits_0(small_org_dir: Path, tmp_path: Path) -> None:
    """Filters select the rules; no error-severity violation means exit 0. A settings file
    (ROLEGRAPH_RULES_SETTINGS) changes parameters."""
    settings = tmp_path / "settings.yaml"
    settings.write_text("parameters:\n  max_span_of_control: 1\n", encoding="utf-8")
    done = rolegraph(small_org_dir, "check", "--pack", "organisation", "--severity", "warning",
                     "--format", "csv", settings=settings)
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()
    assert rows[0].startswith("rule,pack,severity,focus_class,focus_id")
    assert [row.split(",")[4] for row in rows[1:]] == ["P1"]  # P2 and P4 report to P1


def test_bad_parameters_exit_2(tmp_path: Path) -> None:
    """An unknown parameter, on the command line or in the settings file, is a usage error
    (exit 2) naming it, and the file and line; nothing is checked."""
    done = rolegraph(tmp_path, "check", "--param", "minimum_wages=2520")
    assert done.returncode == 2
    assert "unknown parameter 'minimum_wages'" in done.stderr
    settings = tmp_path / "settings.yaml"
    settings.write_text("parameters:\n  minimum_wage: 2520\n  max_span: 8\n", encoding="utf-8")
    done = rolegraph(tmp_path, "check", settings=settings)
    assert done.returncode == 2
    assert f"error: {settings}:3: unknown parameter 'max_span'" in done.stderr
    done = rolegraph(tmp_path, "check", "--pack", "labour")
    assert done.returncode == 2
    assert "unknown pack 'labour'" in done.stderr


def test_an_unknown_department_is_a_usage_error(small_org_dir: Path) -> None:
    """``--department D99`` answered "conforms" (issue 11, defect 7): now exit 2 naming it,
    and no report."""
    done = rolegraph(small_org_dir, "check", "--department", "D99", "--format", "json")
    assert done.returncode == 2, done.stderr
    assert "error: --department: no Department with id 'D99'" in done.stderr
    assert done.stdout == ""


def test_a_clean_organisation_exits_0(tmp_path: Path) -> None:
    """tests/data/clean_org passes every shipped rule."""
    assert rolegraph(tmp_path, "import", str(CLEAN)).returncode == 0
    done = rolegraph(tmp_path, "check", "--format", "json", "--param", AS_OF)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["conforms"] is True


def test_lint(tmp_path: Path) -> None:
    """``rules lint`` needs no database: exit 0 on the shipped packs, and 1 with one
    ``file:line: message`` line per problem on bad files."""
    done = rolegraph(tmp_path, "rules", "lint")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "23 rules: no problems" in done.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("pack: bad\ntitle: Bad rules\nrules:\n"
                   "  - id: bad-rule\n    title: A bad rule\n    description: It is bad.\n"
                   "    severity: error\n    target: Postion\n    count:\n"
                   "      path: -HAS_RESPONSIBILITY-> Responsibility\n      min: 1\n"
                   "    message: '{focus.name}'\n", encoding="utf-8")
    done = rolegraph(tmp_path, "rules", "lint", str(bad))
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{bad}:8: rule bad-rule: unknown class 'Postion' in 'target' (classes: Department, "
        "Position, Responsibility, Competency, Certificate, Employee, KPI, Contract, "
        "PerformanceReview, Objective, KeyResult, KpiResult, Feedback)"]
    done = rolegraph(tmp_path, "check", "--rules", str(bad))
    assert done.returncode == 2
    assert f"{bad}:8:" in done.stderr


def test_list(tmp_path: Path) -> None:
    """``rules list`` shows each rule with its description and the parameters with values."""
    done = rolegraph(tmp_path, "rules", "list", "--format", "json", "--param", "x=1")
    assert done.returncode == 2  # rules list takes no --param
    done = rolegraph(tmp_path, "rules", "list", "--format", "json")
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    assert len(listing["rules"]) == 23
    probation = next(r for r in listing["rules"] if r["id"] == "probation-limit")
    assert (probation["pack"], probation["kind"], probation["reference"]) == \
        ("labour_law", "limits", "劳动合同法 第十九条")
    wage = next(p for p in listing["parameters"] if p["name"] == "minimum_wage")
    assert (wage["type"], wage["value"]) == ("float", "2690")
