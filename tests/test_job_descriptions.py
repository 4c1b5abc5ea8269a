"""Job descriptions (岗位说明书) end to end: the routes over real HTTP against the demo
organisation on the embedded engine, the page in headless Chromium, the Word file opened with
python-docx, the ``rolegraph describe`` command as a real process, and the caller's scope.

Expected values come from the demo's CSV files, not from the code under test.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import docx
import httpx
import pytest
from api_client import data, demo_rows
from browser import browser, rendered, screenshot
from cli_client import rolegraph_on
from conftest import GraphHandle, LiveServer, serving
from docx.document import Document as DocumentObject

from domain.boundary import RACI_ORDER
from reports.pictures import headless

REPO = Path(__file__).resolve().parent.parent
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: 财务部经理: holds responsibilities in all four RACI roles, a certificate, three KPIs
P059 = "P059"
#: 质量工程师: headcount 2, three current incumbents (PLANTED 8), reports to P045
P046 = "P046"
P046_HOLDERS = {"E0253": "许英", "E0254": "熊梅胜", "E0255": "郝胜"}
#: holds P045 now, to which P046 reports (and held P046 before, ended)
P045_MANAGER = "E0252"


def _held(position: str) -> dict[str, list[str]]:
    """RACI role -> responsibility ids the position holds in it, from the CSV."""
    roles: dict[str, list[str]] = {}
    for r in demo_rows("position_responsibilities.csv"):
        if r["position_id"] == position:
            roles.setdefault(r["raci"], []).append(r["responsibility_id"])
    return {k: sorted(v) for k, v in roles.items()}


def _html(client: httpx.Client, position: str) -> str:
    response = client.get(f"/positions/{position}/description.html")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text


def _docx(client: httpx.Client, position: str) -> DocumentObject:
    response = client.get(f"/positions/{position}/description.docx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == DOCX
    return docx.Document(io.BytesIO(response.content))


def _text_of(page: str) -> str:
    """The visible text of an HTML page (tags dropped, entities kept escaped)."""
    page = re.sub(r"<(style|title)>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


# -- the page ----------------------------------------------------------------------------------


def test_html_page_of_a_chinese_position(demo_server: LiveServer, tmp_path: Path) -> None:
    """P059 as a person sees it in Chromium: Chinese section titles, the department path,
    the reporting line, every responsibility grouped R, A, C, I, requirements, certificate,
    KPIs with weights, the incumbent and the staffing."""
    page = _html(demo_server.client, P059)
    saved = tmp_path / "p059.html"
    saved.write_text(page, encoding="utf-8")
    dom = rendered(saved.as_uri())
    text = _text_of(dom)
    shot = screenshot(saved.as_uri(), "job-description", size=(1000, 3200))
    assert shot.stat().st_size > 10_000
    sections = ["一、基本信息", "二、岗位职责", "三、任职资格", "四、资格证书",
                "五、绩效指标（KPI）", "六、在岗人员", "七、编制与空缺"]
    assert [s for s in sections if s in text] == sections
    assert [text.index(s) for s in sections] == sorted(text.index(s) for s in sections)
    below = "; ".join(f"{r['title']} ({r['id']})" for r in demo_rows("positions.csv")
                      if r["reports_to_id"] == P059)
    assert below == "会计 (P060); 出纳 (P061); 成本会计 (P062)"
    for fact in ("岗位名称 财务部经理", "岗位编号 P059", "所属部门 总经办 / 财务部 (D14)",
                 "直接上级 总经理 (P001)", f"直接下级 {below}", "岗位等级 11",
                 "岗位类别 管理类", "编制人数 1", "核心岗位 是", "岗位概述 负责财务管理"):
        assert fact in text, fact
    # every responsibility, in its group, the groups in the order R, A, C, I
    held = _held(P059)
    assert set(held) == set(RACI_ORDER)
    group_starts = [text.index(f"（{role}）") for role in RACI_ORDER]
    assert group_starts == sorted(group_starts)
    for i, role in enumerate(RACI_ORDER):
        end = group_starts[i + 1] if i + 1 < len(RACI_ORDER) else text.index("三、任职资格")
        in_group = re.findall(r"\bR\d{4}\b", text[group_starts[i]:end])
        assert in_group == held[role], role
    assert "负责执行（R） · 核心职责" in text and "审批负责（A） · 核心职责" in text
    assert "注册会计师 (CERT04) 中国注册会计师协会" in text
    assert "净利润率 (K002) 40% 8 % 越高越好 年度" in text
    assert "成本核算差错率 (K047) 30% 1 % 越低越好 月度" in text
    assert "合计 100%" in text
    assert "E0294 马轩 2020-01-21" in text
    assert "编制人数 1 在岗人数 1 空缺 满编，无空缺" in text


def test_html_page_is_self_contained(demo_server: LiveServer) -> None:
    page = _html(demo_server.client, P059)
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page and '<html lang="zh-CN">' in page
    assert "@page { size: A4" in page
    assert not re.search(r"<(script|link|img)\b|src=|href=", page)


def test_html_page_prints_on_a4(demo_server: LiveServer, tmp_path: Path) -> None:
    """Chromium's print to PDF lays the page out on A4 sheets (595 x 842 points), over
    several pages for a position with many duties."""
    saved = tmp_path / "p059.html"
    saved.write_text(_html(demo_server.client, P059), encoding="utf-8")
    pdf = tmp_path / "p059.pdf"
    done = headless(browser(), "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    saved.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes())
    assert len(boxes) >= 2
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}


# -- the Word document -------------------------------------------------------------------------


def test_docx_of_a_chinese_position(demo_server: LiveServer) -> None:
    response = demo_server.client.get(f"/positions/{P059}/description.docx")
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"_____-P059.docx\"; "
        "filename*=UTF-8''%E5%B2%97%E4%BD%8D%E8%AF%B4%E6%98%8E%E4%B9%A6-P059.docx")
    document = _docx(demo_server.client, P059)
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style is not None and p.style.name.startswith(("Heading", "Title"))]
    assert headings == [
        ("Title", "岗位说明书：财务部经理"), ("Heading 1", "一、基本信息"),
        ("Heading 1", "二、岗位职责"), ("Heading 2", "负责执行（R） · 核心职责"),
        ("Heading 2", "审批负责（A） · 核心职责"), ("Heading 2", "咨询配合（C）"),
        ("Heading 2", "知会（I）"), ("Heading 1", "三、任职资格"), ("Heading 1", "四、资格证书"),
        ("Heading 1", "五、绩效指标（KPI）"), ("Heading 1", "六、在岗人员"),
        ("Heading 1", "七、编制与空缺")]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    facts, r, a, c, i, requirements, certificates, kpis, incumbents, staffing = tables
    assert dict(facts)["所属部门"] == "总经办 / 财务部 (D14)"
    held = _held(P059)
    for role, table in zip(RACI_ORDER, (r, a, c, i), strict=True):
        assert table[0] == ["编号", "职责名称", "职责描述", "所属流程"]
        assert [row[0] for row in table[1:]] == held[role]
    names = {x["id"]: x for x in demo_rows("responsibilities.csv")}
    assert r[1][1:] == [names[r[1][0]]["name"], names[r[1][0]]["description"],
                        names[r[1][0]]["process"]]
    competencies = {x["id"]: x for x in demo_rows("competencies.csv")}
    expected = sorted(((x["competency_id"], int(x["level"]), float(x["weight"]),
                        x["mandatory"] == "true") for x in demo_rows("position_requirements.csv")
                       if x["position_id"] == P059),
                      key=lambda x: (not x[3], -x[2], x[0]))
    assert requirements[0] == ["能力", "类别", "要求等级（1-5）", "权重", "必备"]
    assert requirements[1:] == [
        [f"{competencies[cid]['name']} ({cid})", competencies[cid]["category"], str(level),
         f"{weight:g}", "是" if mandatory else "否"] for cid, level, weight, mandatory in expected]
    assert certificates[1:] == [["注册会计师 (CERT04)", "中国注册会计师协会"]]
    assert [row[:2] for row in kpis[1:]] == [["净利润率 (K002)", "40%"],  # heaviest first
                                             ["财务报表按时提交率 (K045)", "30%"],
                                             ["成本核算差错率 (K047)", "30%"],
                                             ["合计", "100%"]]
    assert incumbents[1:] == [["E0294", "马轩", "2020-01-21"]]
    assert staffing == [["编制人数", "1"], ["在岗人数", "1"], ["空缺", "满编，无空缺"]]


def test_docx_names_an_east_asian_font(demo_server: LiveServer) -> None:
    """Word shows Chinese in the font the Normal style names for East Asian text."""
    from docx.oxml.ns import qn

    document = _docx(demo_server.client, P059)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "SimSun"
    heading = document.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(qn("w:eastAsia")) == "SimHei"
    assert heading.get(qn("w:eastAsiaTheme")) is None
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


# -- who sees whom -----------------------------------------------------------------------------


def test_over_headcount_and_scope(demo_server: LiveServer) -> None:
    """P046 holds three people on a headcount of two. An admin, the manager of its line and
    hr of its department see all three names; an employee sees only itself (or no one), hr of
    another department no one, and each is told how many are not shown; the counts are the
    same for everyone."""
    callers = {
        "admin": demo_server.client,
        "manager": demo_server.as_("manager", sub=P045_MANAGER),
        "holder": demo_server.as_("employee", sub="E0253"),
        "outsider": demo_server.as_("employee", sub="E0010"),
        "hr of 品质部": demo_server.as_("hr", sub="hr1", departments=("D11",)),
        "hr of 财务部": demo_server.as_("hr", sub="hr2", departments=("D14",)),
    }
    seen = {"admin": set(P046_HOLDERS), "manager": set(P046_HOLDERS), "holder": {"E0253"},
            "outsider": set(), "hr of 品质部": set(P046_HOLDERS), "hr of 财务部": set()}
    for caller, client in callers.items():
        text = _text_of(_html(client, P046))
        for eid, name in P046_HOLDERS.items():
            assert (eid in text) == (eid in seen[caller]), (caller, eid)
            assert (name in text) == (eid in seen[caller]), (caller, name)
        assert set(re.findall(r"\bE\d{4}\b", text)) == seen[caller], caller
        hidden = 3 - len(seen[caller])
        assert ("另有" in text) == bool(hidden), caller
        if hidden:
            assert f"另有 {hidden} 名在岗人员不在您的查看范围内，未列出。" in text
        assert "编制人数 2 在岗人数 3 空缺 超编 1 人" in text, caller
        listed = [row.cells[0].text for t in _docx(client, P046).tables for row in t.rows[1:]
                  if t.rows[0].cells[0].text == "员工编号"]
        assert listed == sorted(seen[caller]), caller
        # the same people as the GraphQL API shows this caller
        api = data(client, '{ position(id: "P046") { incumbents { employee { id } } } }')
        assert [i["employee"]["id"] for i in api["position"]["incumbents"]] == listed, caller


def test_docx_and_page_need_a_token(demo_server: LiveServer) -> None:
    for suffix in ("html", "docx"):
        response = httpx.get(f"{demo_server.url}/positions/{P059}/description.{suffix}")
        assert response.status_code == 401
        assert "财务部经理" not in response.text


@pytest.mark.parametrize("suffix", ["html", "docx"])
def test_unknown_position(demo_server: LiveServer, suffix: str) -> None:
    response = demo_server.client.get(f"/positions/P999/description.{suffix}")
    assert response.status_code == 404
    assert response.json()["detail"] == "no Position with id 'P999'"


# -- an English position, and empty sections ---------------------------------------------------


def _english_org(directory: Path) -> Path:
    directory.mkdir()
    files = {
        "departments.csv": "id,name,parent_id,description\nX1,Head Office,,\n"
                           "X2,R&D <Lab>,X1,\n",
        "positions.csv": "id,title,department_id,reports_to_id,grade,category,headcount,"
                         "is_key,description\n"
                         "XP1,Chief Executive,X1,,12,management,1,true,\n"
                         "XP2,Research | Engineer *lead*,X2,XP1,7,technical,3,false,"
                         "\"Builds <b>things</b>\"\n",
        "employees.csv": "id,name,hire_date\nXE1,Ada Lovelace,2020-01-01\n",
        "employee_positions.csv": "employee_id,position_id,start_date,end_date\n"
                                  "XE1,XP2,2021-03-01,\n",
    }
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_english_position_with_empty_sections(empty_graph: GraphHandle, tmp_path: Path) -> None:
    """A position whose title has no Chinese reads in English; what it lacks says "none";
    its text is escaped in HTML (no markup gets through) and shown as written."""
    empty_graph.import_dir(_english_org(tmp_path / "org"))
    with serving(empty_graph.connection) as live:
        page = _html(live.client, "XP2")
        assert '<html lang="en">' in page and "<b>things</b>" not in page
        assert "Builds &lt;b&gt;things&lt;/b&gt;" in page
        text = _text_of(page)
        for heading in ("1. Position", "2. Responsibilities", "3. Requirements",
                        "4. Required certificates", "5. KPIs", "6. Incumbents",
                        "7. Headcount and vacancies"):
            assert f"{heading} " in text, heading
        assert "Job description: Research | Engineer *lead*" in text
        assert "Department Head Office / R&amp;D &lt;Lab&gt; (X2)" in text
        assert "Reports to Chief Executive (XP1)" in text
        assert "2. Responsibilities none 3. Requirements none 4. Required certificates none" \
            " 5. KPIs none" in text
        assert "XE1 Ada Lovelace 2021-03-01" in text
        assert "Headcount 3 Incumbents 1 Vacancies 2 vacant" in text
        document = _docx(live.client, "XP2")
        assert document.paragraphs[0].text == "Job description: Research | Engineer *lead*"
        response = live.client.get("/positions/XP2/description.docx")
        assert response.headers["content-disposition"].startswith(
            'attachment; filename="job-description-XP2.docx"')


# -- the command line --------------------------------------------------------------------------


def describe(graph: GraphHandle, tmp_path: Path, *args: str
             ) -> subprocess.CompletedProcess[str]:
    """``rolegraph describe ...`` as a process, on the test engine's database of ``graph``."""
    return rolegraph_on(graph, "describe", *args)


def test_cli_markdown_to_stdout(demo_graph: GraphHandle, tmp_path: Path) -> None:
    done = describe(demo_graph, tmp_path, P046)
    assert done.returncode == 0, done.stderr
    md = done.stdout
    assert md.startswith("# 岗位说明书：质量工程师\n")
    assert "- **所属部门**: 总经办 / 品质部 (D11)" in md
    assert "## 七、编制与空缺" in md and "- **空缺**: 超编 1 人" in md
    for eid, name in P046_HOLDERS.items():  # the command line acts as admin
        assert f"| {eid} | {name} |" in md
    order = [md.index(f"（{role}）") for role in RACI_ORDER]
    assert order == sorted(order)


def test_cli_docx_and_html_files(demo_graph: GraphHandle, tmp_path: Path) -> None:
    out = tmp_path / "p059.docx"
    done = describe(demo_graph, tmp_path, P059, "--format", "docx", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert f"wrote the job description of P059 财务部经理 to {out}" in done.stderr
    assert docx.Document(str(out)).paragraphs[0].text == "岗位说明书：财务部经理"
    page = tmp_path / "p059.html"
    done = describe(demo_graph, tmp_path, P059, "--format", "html", "--output", str(page))
    assert done.returncode == 0, done.stderr
    assert "一、基本信息" in page.read_text(encoding="utf-8")
    done = describe(demo_graph, tmp_path, P059, "--format", "html")
    assert done.stdout.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(("args", "code", "message"), [
    (("P059", "--format", "docx"), 2, "error: --format docx writes a binary file: give "
                                      "--output FILE"),
    (("P059", "--output", "/no/such/dir/x.md"), 2, "error: --output: /no/such/dir is not a "
                                                   "directory"),
    (("P999",), 1, "error: no Position with id 'P999'"),
    (("P059", "--format", "pdf"), 2, "argument --format: invalid choice: 'pdf'"),
])
def test_cli_bad_input(demo_graph: GraphHandle, tmp_path: Path, args: tuple[str, ...],
                       code: int, message: str) -> None:
    done = describe(demo_graph, tmp_path, *args)
    assert done.returncode == code
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
