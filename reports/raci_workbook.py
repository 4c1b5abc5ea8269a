"""The RACI matrix as an Excel workbook (``GET /raci.xlsx``, ``rolegraph raci --format xlsx``).

The same matrix as ``/raci.csv`` (:func:`graph.boundary.raci_matrix`), laid out for people:

* sheet ``RACI``: rows are responsibilities (id, name, process, problem), columns positions,
  grouped by department under a merged header row, departments in tree order: the positions
  of the department asked for (and those below it) first, then the positions elsewhere that
  hold a role in one of its duties (headers in grey italics); a process's matrix has only the
  first kind. Cells hold ``R``, ``A``, ``C``, ``I`` (several joined by ``/``), each role
  filled with its colour (:data:`ROLE_COLOURS`; a cell of several roles takes its first
  role's). A row breaking the RACI pack's rules (no A, two or more A, no R:
  :attr:`domain.boundary.RaciRow.problems`) has its responsibility cells filled
  (:data:`PROBLEM_FILL`) and says what is wrong in the ``problem`` column. The two header rows
  and the four responsibility columns are frozen.
* sheet ``Legend``: what R, A, C and I mean, in English and Chinese, with their colours, and
  what the highlights mean.

Every text is written with ``write_string`` (reports/xlsx.py): never a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.boundary import RaciColumn, RaciMatrix, RaciRow
from domain.records import Record
from graph.boundary import raci_matrix
from graph.db import Graph
from graph.departments import department_tree
from reports.xlsx import HEADER, Book, texts, width

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: the fill of a cell holding each role
ROLE_COLOURS = {"R": "#9BC2E6", "A": "#F4B084", "C": "#A9D08E", "I": "#D9D9D9"}
#: the fill of the responsibility cells of a row breaking the RACI rules
PROBLEM_FILL = "#FFE699"
PROBLEM_FONT = "#C00000"
#: the columns before the positions', as in /raci.csv, then what is wrong with the row
FIXED = ("responsibility_id", "responsibility", "process", "problem")
HEADER_ROWS = 2
SHEET, LEGEND = "RACI", "Legend"
#: R, A, C, I: English name, Chinese term, meaning, 含义
ROLES = (
    ("R", "Responsible", "负责", "does the work", "执行工作、完成任务"),
    ("A", "Accountable", "批准（负责到底）",
     "answers for the result and approves it; exactly one position per responsibility",
     "对结果负最终责任并批准；每项职责有且只有一个"),
    ("C", "Consulted", "咨询", "asked for advice before the work or decision (two-way)",
     "事前征求意见（双向沟通）"),
    ("I", "Informed", "知会", "told of the progress or the result (one-way)",
     "事后告知进展或结果（单向沟通）"),
)
#: what the problem column says, and what it means
PROBLEMS = (
    ("no A", "nobody is accountable: nobody answers for the duty", "无人批准（负责到底）"),
    ("2 A", "two or more positions are accountable (the number says how many): the boundary "
            "between them is unclear", "多个岗位批准，职责边界不清"),
    ("no R", "nobody is responsible: nobody does the work", "无人负责执行"),
)


async def build(graph: Graph, department: str | None, process: str | None) -> bytes:
    """The workbook of a department's (with all below it) or a process's RACI matrix; the
    errors of :func:`graph.boundary.raci_matrix` for bad or unknown parameters."""
    matrix = await raci_matrix(graph, department, process)
    return render(matrix, [placed.department for placed in await department_tree(graph)])


@dataclass(frozen=True)
class Group:
    """Adjacent columns of one department (``department`` None: positions in none)."""

    department: Record | None
    in_scope: bool
    columns: list[RaciColumn]


def grouped(matrix: RaciMatrix, tree: Sequence[Record]) -> list[Group]:
    """The matrix's columns grouped by department: in-scope first, then by the department's
    place in ``tree`` (departments in tree order), then by position id."""
    place = {str(d["id"]): i for i, d in enumerate(tree)}

    def key(c: RaciColumn) -> tuple[bool, int, str]:
        where = place.get(str(c.department["id"]), len(place)) if c.department else len(place)
        return (not c.in_scope, where, str(c.position["id"]))

    groups: list[Group] = []
    for column in sorted(matrix.columns, key=key):
        dept_id = column.department["id"] if column.department else None
        last = groups[-1] if groups else None
        if last and last.in_scope == column.in_scope and \
                (last.department["id"] if last.department else None) == dept_id:
            last.columns.append(column)
        else:
            groups.append(Group(column.department, column.in_scope, [column]))
    return groups


def title(matrix: RaciMatrix) -> str:
    """``RACI: 组装部 (D10)`` or ``RACI: process 质量管理``."""
    if matrix.department is not None:
        return f"RACI: {matrix.department['name']} ({matrix.department['id']})"
    return f"RACI: process {matrix.process}"


def render(matrix: RaciMatrix, tree: Sequence[Record]) -> bytes:
    """The workbook's bytes (see the module docstring); ``tree``: every department in tree
    order (as :func:`graph.departments.department_tree` gives them)."""
    book = Book(title(matrix))
    groups = grouped(matrix, tree)
    index = {c.position["id"]: i for i, c in enumerate(matrix.columns)}
    # the matrix's column index -> the sheet column showing it
    column = {index[c.position["id"]]: n
              for n, c in enumerate((c for g in groups for c in g.columns), start=len(FIXED))}
    sheet = book.workbook.add_worksheet(SHEET)
    _headers(book, sheet, matrix, groups)
    for r, row in enumerate(matrix.rows, start=HEADER_ROWS):
        _row(book, sheet, r, row, column)
    rows = [row.responsibility for row in matrix.rows]
    for c, values in enumerate((
            [str(r["id"]) for r in rows], [str(r["name"]) for r in rows],
            [str(r.get("process") or "") for r in rows],
            ["; ".join(row.problems) for row in matrix.rows])):
        sheet.set_column(c, c, width([FIXED[c], *values], most=40))
    first = len(FIXED)
    sheet.set_column(first, first + max(len(column), 1) - 1, 12)
    sheet.set_row(1, 45)
    sheet.freeze_panes(HEADER_ROWS, len(FIXED))
    _legend(book)
    return book.close()


def _headers(book: Book, sheet: Any, matrix: RaciMatrix, groups: list[Group]) -> None:
    """Row 1: the title over the fixed columns, merged department headers over the positions;
    row 2: the fixed columns' names and one header per position (id, then title)."""
    fmt = book.format(**HEADER, align="center")
    outside = book.format(**{**HEADER, "bg_color": "#EDEDED"}, align="center", italic=True,
                          font_color="#595959")
    sheet.merge_range(0, 0, 0, len(FIXED) - 1, "", book.format(bold=True, font_size=13))
    sheet.write_string(0, 0, title(matrix), book.format(bold=True, font_size=13))
    texts(sheet, 1, 0, FIXED, book.format(**HEADER))
    col = len(FIXED)
    for group in groups:
        style = fmt if group.in_scope else outside
        name = str(group.department["name"]) if group.department else "(no department)"
        last = col + len(group.columns) - 1
        if last > col:  # a single cell cannot be merged
            sheet.merge_range(0, col, 0, last, "", style)
        sheet.write_string(0, col, name, style)
        texts(sheet, 1, col, (f"{c.position['id']}\n{c.position['title']}"
                              for c in group.columns), style)
        col = last + 1


def _row(book: Book, sheet: Any, r: int, row: RaciRow, column: dict[int, int]) -> None:
    """One responsibility: its cells, highlighted when it breaks the RACI rules, then the
    roles of each position, in the sheet column ``column`` gives the matrix's column."""
    problems = row.problems
    fill = {"fg_color": PROBLEM_FILL, "pattern": 1} if problems else {}
    plain = book.format(border=1, valign="top", **fill)
    resp = row.responsibility
    texts(sheet, r, 0, (str(resp["id"]), str(resp["name"]), str(resp.get("process") or "")),
          plain)
    if problems:
        sheet.write_string(r, 3, "; ".join(problems), book.format(
            border=1, valign="top", bold=True, font_color=PROBLEM_FONT, **fill))
    else:
        sheet.write_blank(r, 3, None, plain)
    for index, roles in row.cells.items():  # only the filled cells: a large matrix is sparse
        sheet.write_string(r, column[index], "/".join(roles), book.format(
            border=1, align="center", bold=True, fg_color=ROLE_COLOURS[roles[0]], pattern=1))


def _legend(book: Book) -> None:
    """The ``Legend`` sheet: the roles with their colours, the highlights, how columns are
    laid out."""
    sheet = book.workbook.add_worksheet(LEGEND)
    head = book.format(**HEADER)
    wrap = book.format(text_wrap=True, valign="top")
    texts(sheet, 0, 0, ("code", "role", "角色", "meaning", "含义"), head)
    for r, (code, name, term, meaning, chinese) in enumerate(ROLES, start=1):
        sheet.write_string(r, 0, code, book.format(bold=True, align="center", border=1,
                                                   fg_color=ROLE_COLOURS[code], pattern=1))
        texts(sheet, r, 1, (name, term, meaning, chinese), wrap)
    at = len(ROLES) + 2
    texts(sheet, at, 0, ("problem", "highlight", "", "meaning", "含义"), head)
    for r, (code, meaning, chinese) in enumerate(PROBLEMS, start=at + 1):
        sheet.write_string(r, 0, code, book.format(bold=True, font_color=PROBLEM_FONT,
                                                   border=1, fg_color=PROBLEM_FILL, pattern=1))
        texts(sheet, r, 1, ("row filled", "", meaning, chinese), wrap)
    at += len(PROBLEMS) + 2
    notes = (
        "A row whose responsibility cells are filled breaks the RACI rules (exactly one A, "
        "at least one R); the problem column says how.",
        "A cell holding several roles (R/A) takes the colour of its first role, in the "
        "order R, A, C, I.",
        "Columns: the positions of the department and the departments below it, grouped by "
        "department in tree order; then, with grey italic headers, positions of other "
        "departments holding a role in one of these responsibilities.",
        "填色的职责行不符合 RACI 规则（每项职责有且只有一个 A，至少一个 R）；problem 列说明原因。",
    )
    for r, note in enumerate(notes, start=at):
        sheet.write_string(r, 0, note)
    sheet.set_column(0, 0, 9)
    sheet.set_column(1, 2, 18)
    sheet.set_column(3, 4, 48)
