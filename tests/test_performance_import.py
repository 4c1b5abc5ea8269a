"""The interchange files of performance management (issue 12): objectives, key results, the
KPIs serving them, KPI results and feedback. They import, export byte for byte, and every bad
row is named; a KPI result needs a position its employee held in its period."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from conftest import GraphHandle

from domain.periods import is_period
from graph.exporter import export_directory
from graph.importer import ImportFailed
from schema.ontology import default_ontology

DATA = Path(__file__).parent / "data"
PERFORMANCE_FILES = ("objectives.csv", "key_results.csv", "kpi_key_results.csv",
                     "kpi_results.csv", "feedback.csv")


def _organisation(tmp_path: Path) -> Path:
    """The small organisation with the performance files beside it."""
    target = tmp_path / "org"
    shutil.copytree(DATA / "small_org", target)
    for name in PERFORMANCE_FILES:
        shutil.copy(DATA / "performance_org" / name, target / name)
    return target


def _replace_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("text", ["2026", "2026-Q1", "2026-H2", "2026-03", "1900", "2100-12",
                                  "1899", "2101", "2026-Q5", "2026-H3", "2026-13", "2026-00",
                                  "26", "2026Q1", "2026-q1", " 2026"])
def test_the_ontology_pattern_is_the_period_rule(text: str) -> None:
    """The ontology's pattern for periods accepts what domain/periods.py parses, years
    included: the value rules and the formulas read the same periods."""
    o = default_ontology()
    for owner in ("Objective", "KpiResult", "Feedback"):
        pattern = o.cls(owner).properties["period"].pattern
        assert pattern is not None
        assert bool(re.fullmatch(pattern, text)) == is_period(text), (owner, text)


def test_performance_files_import_and_export_byte_for_byte(
        empty_graph: GraphHandle, tmp_path: Path) -> None:
    report = empty_graph.import_dir(_organisation(tmp_path))
    assert {f: report.files[f] for f in PERFORMANCE_FILES} == {
        "objectives.csv": 3, "key_results.csv": 2, "kpi_key_results.csv": 2,
        "kpi_results.csv": 4, "feedback.csv": 4}
    row = empty_graph.read(
        "MATCH (e:Employee {id: 'E2'})-[:HAS_KPI_RESULT]->(r:KpiResult)-[:RESULT_OF]->"
        "(k:KPI)-[:SERVES]->(kr:KeyResult)-[:KEY_RESULT_OF]->(o:Objective)-[:SUPPORTS]->"
        "(top:Objective) WHERE r.period = '2024' "
        "RETURN r.id AS id, r.actual AS actual, r.target AS target, kr.id AS kr, o.id AS o, "
        "top.id AS top")
    assert row == [{"id": "K1/E2/2024", "actual": 88.0, "target": 85.0, "kr": "KR1",
                    "o": "O2", "top": "O1"}]
    feedback = empty_graph.read(
        "MATCH (:Employee {id: 'E2'})-[:RECEIVED_FEEDBACK]->(f:Feedback)-[:GIVEN_BY]->(r) "
        "RETURN f.id AS id, f.relation AS relation, f.score AS score, r.id AS reviewer "
        "ORDER BY reviewer")
    assert [(f["relation"], f["score"], f["reviewer"]) for f in feedback] == [
        ("manager", 4, "E1"), ("self", 5, "E2"), ("peer", 3, "E3")]
    # a feedback's id is opaque: it does not name the reviewer (whom the reader may not see)
    assert all(re.fullmatch("[0-9a-f]{20}", f["id"]) for f in feedback)
    assert feedback[0]["id"] == hashlib.sha256(b"E2/E1/2024").hexdigest()[:20]
    out = tmp_path / "export"
    empty_graph.run(lambda g: export_directory(g, out))
    for name in PERFORMANCE_FILES:
        assert (out / name).read_bytes() == (DATA / "performance_org" / name).read_bytes(), name


BAD_ROWS = [
    # (file, line, new line text, column, reason)
    ("objectives.csv", 3, "O2,缩短研发周期,2026-Q5,D2,O1,2,", "period",
     "'2026-Q5' does not match the pattern"),
    ("objectives.csv", 3, "O2,缩短研发周期,1899,D2,O1,2,", "period", "does not match"),
    ("objectives.csv", 3, "O2,缩短研发周期,2026,D2,O1,0,", "weight",
     "0.0 is below the minimum"),
    ("objectives.csv", 3, "O2,缩短研发周期,2026,D9,O1,1,", "department_id",
     "Department 'D9' exists neither in the files nor in the graph"),
    ("objectives.csv", 2, "O1,年度营收增长,2026,,O1,1,", "parent_id",
     "SUPPORTS forms a cycle: O1 -> O1"),
    ("objectives.csv", 2, "O1,年度营收增长,2026,,O3,1,", "parent_id",
     "SUPPORTS forms a cycle: O1 -> O3 -> O1"),
    ("key_results.csv", 2, "KR1,O2,新产品开发周期,天,smaller,120,90,105,1", "direction",
     "'smaller' is not one of higher_is_better, lower_is_better"),
    ("key_results.csv", 2, "KR1,O2,新产品开发周期,天,lower_is_better,120,90,105,-1", "weight",
     "below the minimum"),
    ("key_results.csv", 2, "KR1,O9,新产品开发周期,天,lower_is_better,120,90,105,1",
     "objective_id", "Objective 'O9' exists neither in the files nor in the graph"),
    ("key_results.csv", 2, "KR1,O2,新产品开发周期,天,lower_is_better,120,1e400,105,1",
     "target", "'1e400' is not a finite number"),
    ("kpi_key_results.csv", 2, "K9,KR1", "kpi_id",
     "KPI 'K9' exists neither in the files nor in the graph"),
    ("kpi_results.csv", 2, "K1,E2,2023-Q5,95,", "period", "does not match the pattern"),
    ("kpi_results.csv", 2, "K1,E2,2022-Q4,95,", "kpi_id",
     "KPI 'K1' measures no position that employee 'E2' held in 2022-Q4"),
    ("kpi_results.csv", 2, "K2,E2,2024,95,", "kpi_id",
     "KPI 'K2' measures no position that employee 'E2' held in 2024"),
    ("kpi_results.csv", 2, "K1,E9,2024,95,", "employee_id",
     "Employee 'E9' exists neither in the files nor in the graph"),
    ("kpi_results.csv", 2, "K1,E2,2023-Q1,,", "actual", "a value is required"),
    ("kpi_results.csv", 2, "K1,E2,2023-Q1,nan,", "actual", "is not a finite number"),
    ("feedback.csv", 2, "E2,E1,manager,2024,6", "score", "6 is above the maximum 5"),
    ("feedback.csv", 2, "E2,E1,boss,2024,4", "relation",
     "'boss' is not one of manager, peer, subordinate, self"),
    ("feedback.csv", 2, "E2,E8,manager,2024,4", "reviewer_id",
     "Employee 'E8' exists neither in the files nor in the graph"),
    ("feedback.csv", 3, "E2,E1,self,2024,5", "employee_id+reviewer_id+period",
     "duplicate of line 2"),
]


@pytest.mark.parametrize(("file", "line", "text", "column", "reason"), BAD_ROWS)
def test_bad_performance_row_is_named_and_nothing_is_written(
        empty_graph: GraphHandle, tmp_path: Path, file: str, line: int, text: str, column: str,
        reason: str) -> None:
    directory = _organisation(tmp_path)
    _replace_line(directory / file, line, text)
    with pytest.raises(ImportFailed) as info:
        empty_graph.import_dir(directory)
    found = [(p.file, p.line, p.column) for p in info.value.problems]
    assert (file, line, column) in found, info.value.problems
    problem = info.value.problems[found.index((file, line, column))]
    assert reason in problem.reason, problem
    assert empty_graph.count("Employee") == 0


def test_kpi_result_may_rest_on_assignments_already_in_the_graph(
        empty_graph: GraphHandle, tmp_path: Path) -> None:
    """The rule reads the graph too: a result imported alone, for a position held and a KPI
    weight imported before, is accepted; one for a period before the position is not."""
    empty_graph.import_dir(DATA / "small_org")
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "kpi_results.csv").write_text(
        "kpi_id,employee_id,period,actual,target\nK2,E4,2025-Q1,99,\nK2,E4,2021,97,\n",
        encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        empty_graph.import_dir(alone)
    assert [(p.line, p.column) for p in info.value.problems] == [(3, "kpi_id")]
    (alone / "kpi_results.csv").write_text(
        "kpi_id,employee_id,period,actual,target\nK2,E4,2025-Q1,99,\n", encoding="utf-8")
    empty_graph.import_dir(alone)
    assert empty_graph.count("KpiResult") == 1


def test_an_assignment_in_the_files_replaces_the_graphs(
        empty_graph: GraphHandle, tmp_path: Path) -> None:
    """The files' end date of an assignment is the one the import leaves: a result that only
    the graph's open assignment would allow is refused."""
    empty_graph.import_dir(DATA / "small_org")
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / "employee_positions.csv").write_text(
        "employee_id,position_id,start_date,end_date\nE4,P5,2022-02-15,2023-06-30\n",
        encoding="utf-8")
    (moved / "kpi_results.csv").write_text(
        "kpi_id,employee_id,period,actual,target\nK2,E4,2023-Q2,99,\nK2,E4,2023-Q3,98,\n",
        encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        empty_graph.import_dir(moved)
    assert [(p.file, p.line, p.column) for p in info.value.problems] == [
        ("kpi_results.csv", 3, "kpi_id")]
