"""The interchange format as one workbook: a sheet per file, written and read back exactly.

**Writing** (:func:`write_workbook`, :func:`export_workbook`): one sheet per interchange file
(sheet ``employees`` for ``employees.csv``), the same columns in the same order and the same
rows as the CSV export (the tables of :func:`graph.exporter.export_tables`, then the audit
trail's), with XlsxWriter in ``constant_memory`` mode (rows are streamed to disk). The header
row is bold, frozen and has an autofilter; each column's width comes from its header and its
first :data:`WIDTH_SAMPLE` values, at most :data:`MAX_WIDTH`. Each cell is typed by its
column's ontology type: dates are Excel dates shown ``yyyy-mm-dd``, whole numbers and numbers
are numbers, booleans TRUE/FALSE, and everything else (ids, references, text) a text cell
written with ``write_string``, so ``00123`` stays ``00123`` and ``=SUM(A1)`` is never a formula
(the text is also escaped as in the CSV files: ``'=SUM(A1)``, :mod:`domain.csvtext`). Text
columns are formatted as text (``@``), so what a user types into them stays text too.

Two values cannot be Excel numbers exactly: XlsxWriter writes 16 significant digits, so a
number that needs 17 (``0.30000000000000004``, ``1.7976931348623157e308``) is written as text
and reads back exact. A text cell holding U+FFFE or U+FFFF (no XML character) does not survive
(python-calamine reads it as ``_xFFFF_``).

**Reading** (:class:`WorkbookSource`): python-calamine reads each sheet; each cell becomes the
text the CSV path would hold (:func:`cell_text`: a date ``YYYY-MM-DD``, a whole number ``3``
not ``3.0``, another number its shortest exact form, booleans ``true``/``false``, an empty cell
empty), and :func:`graph.interchange.read_source` checks those rows exactly as it checks a
directory's: same checks, same messages, located as ``org.xlsx:employees:4`` (row 4 of the
sheet, the header being row 1). A sheet the ontology does not know is a warning.
"""

from __future__ import annotations

import math
import os
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import xlsxwriter
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from graph.audit import trail_table
from graph.db import Graph
from graph.exporter import Table, export_tables
from graph.interchange import BadRecord, Records
from schema.ontology import PropertyType
from schema.values import format_text

SUFFIX = ".csv"
#: how many values of a column its width is made from (with the header)
WIDTH_SAMPLE = 200
#: the widest a column is made, in characters (a description wraps beyond it in Excel)
MAX_WIDTH = 60
MIN_WIDTH = 6
DATE_FORMAT = "yyyy-mm-dd"
#: Excel's dates (the 1900 date system) begin on 1900-01-01
EXCEL_FIRST_YEAR = 1900
#: Excel's limit on a sheet's name
MAX_SHEET_NAME = 31


class BadWorkbook(Exception):
    """The file is missing, or no workbook python-calamine can read; the message names it."""


def sheet_name(file: str) -> str:
    """The sheet of an interchange file: its name without ``.csv`` (``employees``)."""
    name = file.removesuffix(SUFFIX)
    assert len(name) <= MAX_SHEET_NAME, f"{file}: too long for a sheet's name"
    return name


# -- writing ---------------------------------------------------------------------------------

async def export_workbook(graph: Graph, path: Path) -> dict[str, int]:
    """Write the whole graph and its audit trail to the workbook ``path``, as
    ``rolegraph export --format xlsx`` does; rows written per sheet."""
    tables = [table async for table in export_tables(graph)]  # before the file is touched
    tables.append(await trail_table(graph))
    return write_workbook(path, tables)


def write_workbook(path: Path, tables: Iterable[Table]) -> dict[str, int]:
    """Write ``tables`` as the sheets of one workbook at ``path`` (written to a scratch name
    beside it, then renamed: a failure leaves no partial file); rows written per sheet."""
    scratch = path.with_name(f".{path.name}.{os.getpid()}.part")
    written: dict[str, int] = {}
    try:
        book = xlsxwriter.Workbook(str(scratch), {"constant_memory": True})
        styles = _Styles(book)
        for table in tables:
            written[sheet_name(table.file)] = _write_sheet(book, styles, table)
        book.close()
        os.replace(scratch, path)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise
    return written


class _Styles:
    """The workbook's formats: the header's, dates', text columns'."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.header: Format = book.add_format({"bold": True})
        self.date: Format = book.add_format({"num_format": DATE_FORMAT})
        self.text: Format = book.add_format({"num_format": "@"})


def _write_sheet(book: xlsxwriter.Workbook, styles: _Styles, table: Table) -> int:
    sheet = book.add_worksheet(sheet_name(table.file))
    for col, (column, kind) in enumerate(zip(table.columns, table.types, strict=True)):
        width = column_width(column, kind, (cells[col] for cells in table.lines[:WIDTH_SAMPLE]))
        sheet.set_column(col, col, width, styles.text if kind == "string" else None)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(table.lines), len(table.columns) - 1)
    for col, column in enumerate(table.columns):
        sheet.write_string(0, col, column, styles.header)
    writers = [_cell_writer(sheet, kind, styles) for kind in table.types]
    for row, cells in enumerate(table.lines, start=1):
        for col, text in enumerate(cells):
            if text:
                writers[col](row, col, text)
    return len(table.lines)


def _cell_writer(sheet: Worksheet, kind: PropertyType,
                 styles: _Styles) -> Callable[[int, int, str], Any]:
    """How a column's text cells are written: typed by the column's ontology type, text that
    is no value of the type (never in an export of valid data) as text."""
    write_string: Callable[[int, int, str], Any] = sheet.write_string
    if kind == "string":
        return write_string
    if kind == "boolean":
        return lambda row, col, text: (
            sheet.write_boolean(row, col, text == "true") if text in ("true", "false")
            else write_string(row, col, text))
    if kind == "date":
        def write_date(row: int, col: int, text: str) -> Any:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                return write_string(row, col, text)
            if day.year < EXCEL_FIRST_YEAR:  # before Excel's first date: text, as the CSV's
                return write_string(row, col, text)
            return sheet.write_datetime(row, col, day, styles.date)
        return write_date

    def write_number(row: int, col: int, text: str) -> Any:
        number = excel_number(text)
        if number is None:
            return write_string(row, col, text)
        return sheet.write_number(row, col, number)
    return write_number


def excel_number(text: str) -> int | float | None:
    """The number ``text`` spells when an Excel cell holds it exactly (XlsxWriter writes 16
    significant digits), else None: the cell is written as text and reads back exact."""
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number) or float(f"{number:.16G}") != number:
        return None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def column_width(header: str, kind: PropertyType, sample: Iterable[str]) -> int:
    """A column's width in characters: its header's or its widest sampled value's, whichever
    is wider (a date 10), a character of East Asian width counting 2; between
    :data:`MIN_WIDTH` and :data:`MAX_WIDTH`."""
    widest = max([display_width(header), *(10 if kind == "date" and text else
                                            display_width(text) for text in sample)])
    return max(MIN_WIDTH, min(MAX_WIDTH, widest + 2))


def display_width(text: str) -> int:
    """How many columns ``text`` takes in a grid font: 2 for wide and full-width characters
    (Chinese), 1 for the others; a multi-line text counts its longest line."""
    if text.isascii():
        return max(map(len, text.split("\n")))
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
               for line in text.split("\n"))


# -- reading ---------------------------------------------------------------------------------

class WorkbookSource:
    """A workbook as a :class:`graph.interchange.Source`: sheet ``employees`` is the file
    ``employees.csv``; messages name ``<workbook>:<sheet>``. Open it with ``with``."""

    part = "sheet"

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise BadWorkbook(f"{path}: no such file" if not path.exists()
                              else f"{path}: not a file")
        try:
            self._book = CalamineWorkbook.from_path(str(path))
        except (CalamineError, OSError, ValueError) as exc:
            raise BadWorkbook(f"{path}: not a readable .xlsx workbook ({exc})") from None
        self.path = path
        self._sheets = [m.name for m in self._book.sheets_metadata
                        if m.typ == SheetTypeEnum.WorkSheet]

    def __enter__(self) -> WorkbookSource:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._book.close()

    def names(self) -> list[str]:
        return [name + SUFFIX for name in self._sheets]

    def records(self, file: str) -> Records | None:
        name = file.removesuffix(SUFFIX)
        return self._records(name) if name in self._sheets else None

    def where(self, file: str) -> str:
        return f"{self.path.name}:{file.removesuffix(SUFFIX)}"

    def _records(self, name: str) -> Records:
        try:
            grid = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except CalamineError as exc:
            raise BadRecord(1, None, f"unreadable: {exc}") from None
        width = 0
        for line, row in enumerate(grid, start=1):
            cells = sheet_row(row)
            if line == 1:  # the header: up to its last named column
                while cells and not cells[-1]:
                    cells.pop()
                width = len(cells)
            elif len(cells) > width and not any(cells[width:]):
                del cells[width:]  # cells right of the header, all empty (the sheet is wider)
            yield line, cells


def sheet_row(row: Sequence[object]) -> list[str]:
    """A row of python-calamine cells as interchange text (:func:`cell_text`)."""
    return [c if type(c) is str else cell_text(c) for c in row]


def cell_text(value: object) -> str:
    """A cell's value as the interchange text the CSV path reads: text as it is, a date
    ``YYYY-MM-DD`` (a date and time at midnight too; another time ISO 8601), a whole number
    ``3`` (not ``3.0``, in a text column too: ``123`` in an id column is ``123``), another
    number its shortest exact form (``0.1``), booleans ``true``/``false``
    (:func:`schema.values.format_text`)."""
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, bool | int | float | date):
        return format_text(value)
    return str(value)
