"""Job descriptions rendered from a hand-made record, without the engine: the layout (language,
grouping, empty sections, staffing), Markdown and HTML escaping, and the Word file read back
with python-docx."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn

from domain.job_description import (
    CertificateRef,
    DepartmentRef,
    HeldResponsibility,
    Incumbent,
    JobDescription,
    PositionKpi,
    PositionRef,
    Requirement,
    group_by_role,
    has_cjk,
)
from reports.job_description import (
    Facts,
    Note,
    Subheading,
    Table,
    filename,
    layout,
    md_text,
    number,
    to_html,
    to_markdown,
)
from reports.job_description_docx import to_docx

HELD = [HeldResponsibility("I", "R9", "月报知会"), HeldResponsibility("C", "R5", "预算评审"),
        HeldResponsibility("R", "R3", "总账 | 核算", "第一行\n第二行", "财务管理"),
        HeldResponsibility("A", "R4", "税务申报"), HeldResponsibility("R", "R1", "报表编制")]

CHINESE = JobDescription(
    id="P9", title="财务部经理", grade=11, category="management", headcount=1, is_key=True,
    summary="负责财务管理",
    department_path=(DepartmentRef("D1", "总经办"), DepartmentRef("D9", "财务部")),
    reports_to=PositionRef("P1", "总经理"),
    direct_reports=(PositionRef("P10", "会计"), PositionRef("P11", "出纳")),
    responsibilities=group_by_role(HELD),
    requirements=(Requirement("C2", "税法", "知识", 4, 2.0, False),
                  Requirement("C1", "团队管理", "领导力", 4, 3.0, True)),
    certificates=(CertificateRef("CERT1", "注册会计师", "中国注册会计师协会"),),
    kpis=(PositionKpi("K1", "净利润率", 60.0, 8.0, "%", "higher_is_better", "yearly"),
          PositionKpi("K2", "差错率", 40.0, 0.5, "%", "lower_is_better", "monthly")),
    incumbents=(Incumbent("E1", "许英", date(2020, 1, 21)),),
    incumbent_count=3)

ENGLISH = JobDescription(id="X1", title="Research Engineer", grade=7, category="technical",
                         headcount=2, is_key=False,
                         department_path=(DepartmentRef("XD", "R&D"),),
                         incumbents=(Incumbent("XE1", None, None),
                                     Incumbent("XE2", "Ada", date(2021, 3, 1))),
                         incumbent_count=3)


def test_cjk_decides_the_language() -> None:
    assert has_cjk("财务部经理") and has_cjk("QA 工程师") and has_cjk("カメラ")
    assert not has_cjk("Chief Financial Officer") and not has_cjk("")
    assert CHINESE.chinese and not ENGLISH.chinese
    assert layout(CHINESE).lang == "zh-CN" and layout(ENGLISH).lang == "en"


def test_groups_in_raci_order_with_empty_ones() -> None:
    groups = group_by_role(HELD)
    assert [(g.raci, [h.id for h in g.items], g.core) for g in groups] == [
        ("R", ["R1", "R3"], True), ("A", ["R4"], True), ("C", ["R5"], False),
        ("I", ["R9"], False)]
    assert [(g.raci, g.items) for g in group_by_role(HELD[:1])] == [
        ("R", ()), ("A", ()), ("C", ()), ("I", (HELD[0],))]


def test_counts() -> None:
    assert (CHINESE.vacancies, CHINESE.hidden_incumbents, CHINESE.kpi_weight_total) == (-2, 2, 100)
    assert (ENGLISH.vacancies, ENGLISH.hidden_incumbents) == (-1, 1)
    assert [number(x) for x in (40.0, 97.5, 3, 0.25)] == ["40", "97.5", "3", "0.25"]


def test_chinese_layout() -> None:
    page = layout(CHINESE)
    assert page.title == "岗位说明书：财务部经理"
    assert page.subtitle == "P9 · 总经办 / 财务部"
    assert [s.title for s in page.sections] == [
        "一、基本信息", "二、岗位职责", "三、任职资格", "四、资格证书", "五、绩效指标（KPI）",
        "六、在岗人员", "七、编制与空缺"]
    basics, duties, requirements, certificates, kpis, people, staffing = page.sections
    assert basics.blocks == (Facts((
        ("岗位名称", "财务部经理"), ("岗位编号", "P9"), ("所属部门", "总经办 / 财务部 (D9)"),
        ("直接上级", "总经理 (P1)"), ("直接下级", "会计 (P10); 出纳 (P11)"), ("岗位等级", "11"),
        ("岗位类别", "管理类"), ("编制人数", "1"), ("核心岗位", "是"),
        ("岗位概述", "负责财务管理"))),)
    assert [b.text for b in duties.blocks if isinstance(b, Subheading)] == [
        "负责执行（R） · 核心职责", "审批负责（A） · 核心职责", "咨询配合（C）", "知会（I）"]
    first = duties.blocks[1]
    assert isinstance(first, Table)
    assert first.rows == (("R1", "报表编制", "", ""),
                          ("R3", "总账 | 核算", "第一行\n第二行", "财务管理"))
    assert requirements.blocks == (Table(
        ("能力", "类别", "要求等级（1-5）", "权重", "必备"),
        (("团队管理 (C1)", "领导力", "4", "3", "是"), ("税法 (C2)", "知识", "4", "2", "否"))),)
    assert certificates.blocks[0] == Table(("证书", "发证机构"),
                                           (("注册会计师 (CERT1)", "中国注册会计师协会"),))
    table = kpis.blocks[0]
    assert isinstance(table, Table) and table.total
    assert table.rows == (("净利润率 (K1)", "60%", "8", "%", "越高越好", "年度"),
                          ("差错率 (K2)", "40%", "0.5", "%", "越低越好", "月度"),
                          ("合计", "100%", "", "", "", ""))
    assert people.blocks == (
        Table(("员工编号", "姓名", "到岗日期"), (("E1", "许英", "2020-01-21"),)),
        Note("另有 2 名在岗人员不在您的查看范围内，未列出。"))
    assert staffing.blocks == (Facts((("编制人数", "1"), ("在岗人数", "3"),
                                      ("空缺", "超编 2 人"))),)


def test_empty_sections_say_none() -> None:
    bare = JobDescription(id="P0", title="司机", grade=3, category="operations", headcount=2,
                          is_key=False, responsibilities=group_by_role([]))
    page = layout(bare)
    facts = dict(page.sections[0].blocks[0].rows)
    assert (facts["所属部门"], facts["直接上级"], facts["直接下级"]) == ("无", "无", "无")
    assert "岗位概述" not in facts
    assert [s.blocks for s in page.sections[1:6]] == [(Note("无"),)] * 5
    assert page.sections[6].blocks[0] == Facts((("编制人数", "2"), ("在岗人数", "0"),
                                                ("空缺", "空缺 2 人")))
    full = replace(bare, incumbent_count=2)
    assert dict(layout(full).sections[6].blocks[0].rows)["空缺"] == "满编，无空缺"


def test_english_layout() -> None:
    page = layout(ENGLISH)
    assert page.title == "Job description: Research Engineer"
    assert [s.title for s in page.sections][1:] == [
        "2. Responsibilities", "3. Requirements", "4. Required certificates", "5. KPIs",
        "6. Incumbents", "7. Headcount and vacancies"]
    assert page.sections[1].blocks == (Note("none"),)
    assert page.sections[5].blocks == (
        Table(("Employee id", "Name", "Since"), (("XE1", "(not shown)", ""),
                                                 ("XE2", "Ada", "2021-03-01"))),
        Note("1 more incumbent(s) not shown: outside what you may see."))
    assert dict(page.sections[6].blocks[0].rows)["Vacancies"] == "over headcount by 1"
    assert filename(ENGLISH, "docx") == "job-description-X1.docx"
    assert filename(CHINESE, "docx") == "岗位说明书-P9.docx"


def test_markdown() -> None:
    md = to_markdown(layout(CHINESE))
    lines = md.splitlines()
    assert lines[0] == "# 岗位说明书：财务部经理"
    assert "- **所属部门**: 总经办 / 财务部 (D9)" in lines
    assert next(line for line in lines if line.startswith("## ")) == "## 一、基本信息"
    assert [line for line in lines if line.startswith("### ")] == [
        "### 负责执行（R） · 核心职责", "### 审批负责（A） · 核心职责", "### 咨询配合（C）",
        "### 知会（I）"]
    # a table row stays one line, and a | in a cell does not split it
    assert "| R3 | 总账 \\| 核算 | 第一行 第二行 | 财务管理 |" in lines
    assert "| 编号 | 职责名称 | 职责描述 | 所属流程 |" in lines
    assert "| --- | --- | --- | --- |" in lines
    assert "另有 2 名在岗人员不在您的查看范围内，未列出。" in lines


@pytest.mark.parametrize(("text", "shown"), [
    ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
    ("*bold* _it_ [link](x) `code`", "\\*bold\\* \\_it\\_ \\[link\\](x) \\`code\\`"),
    ("# not a heading", "\\# not a heading"),
    ("- not a list", "\\- not a list"),
    ("12. not numbered", "12\\. not numbered"),
    ("R&D &amp; more", "R&D \\&amp; more"),
    ("a | b", "a \\| b"),
    ("a\r\nb\tc", "a b c"),
])
def test_markdown_shows_text_literally(text: str, shown: str) -> None:
    assert md_text(text) == shown


def test_html_escapes_every_text() -> None:
    evil = replace(CHINESE, title="财务<script>alert(1)</script>", summary='a & "b"',
                   department_path=(DepartmentRef("D1", "<img src=x onerror=alert(1)>"),))
    page = to_html(layout(evil))
    assert "<script>" not in page and "<img" not in page
    assert "财务&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a &amp; &quot;b&quot;" in page
    assert page.count("<title>") == 1
    assert '<meta charset="utf-8">' in page and '<html lang="zh-CN">' in page
    assert '<col style="width: 54%">' in page
    assert not re.search(r"<(script|link|img)\b", page)


def _document(jd: JobDescription) -> docx.document.Document:
    return docx.Document(io.BytesIO(to_docx(layout(jd))))


def test_docx_headings_and_tables() -> None:
    document = _document(CHINESE)
    headings = [p.text for p in document.paragraphs
                if p.style is not None and p.style.name.startswith(("Heading", "Title"))]
    assert headings[:4] == ["岗位说明书：财务部经理", "一、基本信息", "二、岗位职责",
                            "负责执行（R） · 核心职责"]
    assert headings[-1] == "七、编制与空缺"
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert tables[1] == [["编号", "职责名称", "职责描述", "所属流程"], ["R1", "报表编制", "", ""],
                         ["R3", "总账 | 核算", "第一行\n第二行", "财务管理"]]
    kpis = next(t for t in tables if t[0][0] == "指标")
    assert kpis[-1] == ["合计", "100%", "", "", "", ""]
    assert document.tables[1].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert "另有 2 名在岗人员不在您的查看范围内，未列出。" in [p.text for p in document.paragraphs]
    assert document.core_properties.title == "岗位说明书：财务部经理"


def test_docx_east_asian_fonts() -> None:
    styles = _document(ENGLISH).styles  # set whatever the language: names may be Chinese
    for name, font in (("Normal", "SimSun"), ("Title", "SimHei"), ("Heading 1", "SimHei"),
                       ("Heading 2", "SimHei")):
        fonts = styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == font, name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name


def test_docx_drops_what_xml_cannot_hold() -> None:
    document = _document(replace(ENGLISH, title="Engineer\x01\x0b", summary="ok\x00"))
    assert document.paragraphs[0].text == "Job description: Engineer"
