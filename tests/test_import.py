"""CSV import into the embedded engine: what lands, bad rows, all-or-nothing, idempotency."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import GraphHandle

from graph.exporter import export_directory
from graph.importer import ImportFailed

SMALL = Path(__file__).parent / "data" / "small_org"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "org"
    shutil.copytree(SMALL, target)
    return target


def _export(graph: GraphHandle, directory: Path) -> dict[str, str]:
    graph.run(lambda g: export_directory(g, directory))
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.csv"))}


def _replace_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_small_org_lands_typed_and_connected(empty_graph: GraphHandle) -> None:
    report = empty_graph.import_dir(SMALL)
    assert report.nodes == 3 + 5 + 3 + 2 + 1 + 4 + 2 + 4 + 4
    assert {label: empty_graph.count(label) for label in ("Department", "Position", "Employee",
                                                          "Contract", "PerformanceReview")} == \
        {"Department": 3, "Position": 5, "Employee": 4, "Contract": 4, "PerformanceReview": 4}
    row = empty_graph.read(
        "MATCH (p:Position {id: 'P5'})-[:IN_DEPARTMENT]->(d:Department), "
        "(p)-[:REPORTS_TO]->(m:Position) "
        "RETURN p.grade AS grade, p.is_key AS key, d.name AS dept, m.id AS manager")[0]
    assert row == {"grade": 3, "key": False, "dept": "机加工部", "manager": "P4"}
    history = empty_graph.read(
        "MATCH (:Employee {id: 'E2'})-[h:HOLDS_POSITION]->(p:Position) "
        "RETURN p.id AS p, h.start_date AS start, h.end_date AS end ORDER BY start")
    assert (history[0]["p"], history[0]["start"].to_native()) == ("P3", date(2018, 7, 1))
    assert history[0]["end"].to_native() == date(2022, 12, 31)
    assert history[1]["end"] is None
    review = empty_graph.read("MATCH (:Employee {id: 'E2'})-[:HAS_REVIEW]->(r) "
                              "RETURN r.id AS id, r.rating AS rating ORDER BY id")
    assert review == [{"id": "E2/2024", "rating": 4}, {"id": "E2/2025", "rating": 5}]
    raci = empty_graph.read("MATCH (p:Position)-[r:HAS_RESPONSIBILITY]->(:Responsibility "
                            "{id: 'R1'}) RETURN p.id AS p, r.raci AS raci ORDER BY p")
    assert raci == [{"p": "P2", "raci": "A"}, {"p": "P3", "raci": "R"}]


def test_import_twice_changes_nothing(empty_graph: GraphHandle, tmp_path: Path) -> None:
    empty_graph.import_dir(SMALL)
    first = _export(empty_graph, tmp_path / "first")
    rels = empty_graph.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    empty_graph.import_dir(SMALL)
    assert _export(empty_graph, tmp_path / "second") == first
    assert empty_graph.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"] == rels


def test_export_import_round_trip(engine: object, loop_thread: object, empty_graph: GraphHandle,
                                  tmp_path: Path) -> None:
    from conftest import new_database

    empty_graph.import_dir(SMALL)
    first = _export(empty_graph, tmp_path / "first")
    other = new_database(engine, loop_thread)  # type: ignore[arg-type]
    try:
        other.import_dir(tmp_path / "first")
        assert _export(other, tmp_path / "second") == first
    finally:
        other.close()
    # the export says what the source files say (rows may come in another order)
    for name, text in first.items():
        if not (SMALL / name).exists():  # a file the organisation has no rows for: a header
            assert len(text.splitlines()) == 1, name
            continue
        source = (SMALL / name).read_text(encoding="utf-8").splitlines()
        assert sorted(text.splitlines()) == sorted(source), name


BAD_ROWS = [
    # (file, line, new line text, column, reason)
    ("positions.csv", 3, "P2,研究所所长,D2,P1,nine,management,1,true,", "grade",
     "'nine' is not a whole number"),
    ("positions.csv", 4, "P3,研发工程师,D2,P2,6,engineering,3,false,", "category",
     "'engineering' is not one of management, technical, operations, support"),
    ("positions.csv", 4, "P3,研发工程师,D2,P2,6,technical,-1,false,", "headcount",
     "-1 is below the minimum 0"),
    ("positions.csv", 4, "P3,研发工程师,D2,P2,6,technical,3,yes,", "is_key",
     "'yes' is not true or false"),
    ("employees.csv", 2, "E1,王总,2010-02-30,硕士,管理,20,high,low", "hire_date",
     "'2010-02-30' is not a valid calendar date"),
    ("employees.csv", 2, "E1,王总,01/03/2010,硕士,管理,20,high,low", "hire_date",
     "is not a date in the form YYYY-MM-DD"),
    ("employees.csv", 3, "E1,李明,2018-07-01,博士,材料,8,high,medium", "id",
     "duplicate of line 2 (E1)"),
    ("employees.csv", 2, "E1,,2010-03-01,硕士,管理,20,high,low", "name", "a value is required"),
    ("position_requirements.csv", 2, "P3,C2,6,2,false", "level", "6 is above the maximum 5"),
    ("position_requirements.csv", 2, "P3,C2,3,0,false", "weight", "below the minimum"),
    ("position_responsibilities.csv", 3, "P3,R1,X", "raci", "'X' is not one of R, A, C, I"),
    ("position_responsibilities.csv", 3, "P2,R1,A", "position_id",
     "duplicate of line 2 (P2, R1, A)"),
    ("employee_positions.csv", 2, "E9,P1,2010-03-01,", "employee_id",
     "Employee 'E9' exists neither in the files nor in the graph"),
    ("positions.csv", 6, "P5,CNC操作员,D7,P4,3,operations,4,false,", "department_id",
     "Department 'D7' exists neither in the files nor in the graph"),
    ("positions.csv", 2, "P1,总经理,D1,P5,12,management,1,true,", "reports_to_id",
     "REPORTS_TO forms a cycle: P1 -> P5 -> P4 -> P1"),
    ("contracts.csv", 2, "CT1,,open_ended,2010-03-01,,6,2010-03-01,50000,40000,2010-03-15",
     "employee_id", "a value is required"),
    ("performance_reviews.csv", 2, "E2,2024,0", "rating", "0 is below the minimum 1"),
    ("positions.csv", 3, "P2,研究所所长,D2,P1,9,management,1,true,,extra", "",
     "10 cells but the header has 9 columns"),
]


@pytest.mark.parametrize(("file", "line", "text", "column", "reason"), BAD_ROWS)
def test_bad_row_is_reported_and_nothing_is_written(
        empty_graph: GraphHandle, tmp_path: Path, file: str, line: int, text: str, column: str,
        reason: str) -> None:
    """Each kind of bad row names file, line, column and reason, and the graph stays as it was."""
    empty_graph.import_dir(SMALL)
    before = _export(empty_graph, tmp_path / "before")
    bad = _copy(tmp_path)
    (bad / "employees.csv").write_text(
        (bad / "employees.csv").read_text(encoding="utf-8").replace("王总", "王总经理"),
        encoding="utf-8")  # a valid change too: it must not be written either
    _replace_line(bad / file, line, text)
    with pytest.raises(ImportFailed) as info:
        empty_graph.import_dir(bad)
    found = [(p.file, p.line, p.column) for p in info.value.problems]
    assert (file, line, column) in found, info.value.problems
    problem = info.value.problems[found.index((file, line, column))]
    assert reason in problem.reason
    assert _export(empty_graph, tmp_path / "after") == before


def test_every_bad_row_is_listed_at_once(empty_graph: GraphHandle, tmp_path: Path) -> None:
    bad = _copy(tmp_path)
    _replace_line(bad / "positions.csv", 3, "P2,研究所所长,D2,P1,nine,management,1,true,")
    _replace_line(bad / "employees.csv", 4, "E3,张伟,2021-09-01,本科,机械,3.5,huge,low")
    _replace_line(bad / "position_kpis.csv", 2, "P2,K9,100")
    with pytest.raises(ImportFailed) as info:
        empty_graph.import_dir(bad)
    assert [str(p) for p in info.value.problems] == [
        "employees.csv:4: column potential: 'huge' is not one of low, medium, high",
        "position_kpis.csv:2: column kpi_id: KPI 'K9' exists neither in the files nor in the graph",
        "positions.csv:3: column grade: 'nine' is not a whole number",
    ]
    assert empty_graph.count("Position") == 0


def test_rows_referring_to_a_bad_row_are_not_blamed(empty_graph: GraphHandle,
                                                     tmp_path: Path) -> None:
    """Only the bad row is reported, not the rows of other files that name its key."""
    bad = _copy(tmp_path)
    _replace_line(bad / "positions.csv", 6, "P5,CNC操作员,D3,P4,three,operations,4,false,")
    with pytest.raises(ImportFailed) as info:
        empty_graph.import_dir(bad)
    assert [str(p) for p in info.value.problems] == [
        "positions.csv:6: column grade: 'three' is not a whole number"]


def test_missing_required_column(empty_graph: GraphHandle, tmp_path: Path) -> None:
    bad = _copy(tmp_path)
    (bad / "kpis.csv").write_text("id,name,unit,target,period\nK1,周期,天,90,quarterly\n",
                                  encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        empty_graph.import_dir(bad)
    assert [str(p) for p in info.value.problems if p.file == "kpis.csv"] == [
        "kpis.csv:1: column direction: required column is missing"]


def test_unknown_columns_and_files_are_warnings(empty_graph: GraphHandle, tmp_path: Path) -> None:
    org = _copy(tmp_path)
    (org / "certificates.csv").write_text("id,name,issuer,colour\nCERT1,CNC操作证,人社局,blue\n",
                                          encoding="utf-8-sig")  # with a BOM, as Excel writes
    (org / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    report = empty_graph.import_dir(org)
    assert [str(w) for w in report.warnings] == [
        "notes.csv:0: unknown file, ignored",
        "certificates.csv:1: column colour: unknown column, ignored",
    ]
    assert empty_graph.read("MATCH (c:Certificate) RETURN c.id AS id, c.colour AS colour") == [
        {"id": "CERT1", "colour": None}]


def test_reimport_moves_and_clears_references(empty_graph: GraphHandle, tmp_path: Path) -> None:
    """A reference column is the truth for its many-to-one relationship: re-importing a row
    with another department moves the position, and an empty reports_to clears the line."""
    empty_graph.import_dir(SMALL)
    org = _copy(tmp_path)
    _replace_line(org / "positions.csv", 6, "P5,CNC操作员,D2,,3,operations,4,false,")
    empty_graph.import_dir(org)
    rows = empty_graph.read("MATCH (p:Position {id: 'P5'}) "
                            "RETURN [(p)-[:IN_DEPARTMENT]->(d) | d.id] AS depts, "
                            "[(p)-[:REPORTS_TO]->(m) | m.id] AS managers")
    assert rows == [{"depts": ["D2"], "managers": []}]


def test_empty_cell_removes_a_property(empty_graph: GraphHandle, tmp_path: Path) -> None:
    empty_graph.import_dir(SMALL)
    org = _copy(tmp_path)
    _replace_line(org / "positions.csv", 2, "P1,总经理,D1,,12,management,1,true,")
    empty_graph.import_dir(org)
    assert empty_graph.read("MATCH (p:Position {id: 'P1'}) RETURN p.description AS d") == [
        {"d": None}]


def test_progress_is_reported(empty_graph: GraphHandle) -> None:
    from graph.importer import import_directory

    seen: list[tuple[str, int, int]] = []
    empty_graph.run(lambda g: import_directory(g, SMALL, lambda *a: seen.append(a)))
    assert ("positions.csv", 5, 5) in seen
    assert ("employee_positions.csv (HOLDS_POSITION)", 5, 5) in seen
