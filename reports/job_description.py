"""Job descriptions (岗位说明书) laid out once, written as Markdown and HTML (and as Word by
:mod:`reports.job_description_docx`).

A :class:`domain.job_description.JobDescription` is laid out once (:func:`layout`) into a
:class:`Page`: titled sections of facts, tables, notes and subheadings, in the document's
language; each format then only writes those blocks out. The language follows the position's
title: one holding CJK characters gives a Chinese document (一、基本信息, 岗位职责, 任职资格 ...,
the wording of an HR department's 岗位说明书), any other an English one. A section with nothing
in it says so ("无", "none") instead of disappearing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from domain.job_description import JobDescription, RaciGroup, kpi_order, requirement_order


@dataclass(frozen=True)
class Labels:
    """The words of a job description in one language."""

    lang: str
    document: str
    file_stem: str  # of a downloaded file
    colon: str
    sections: tuple[str, str, str, str, str, str, str]
    facts: dict[str, str]
    raci: dict[str, str]
    core: str
    responsibility_header: tuple[str, str, str, str]
    requirement_header: tuple[str, str, str, str, str]
    certificate_header: tuple[str, str]
    kpi_header: tuple[str, str, str, str, str, str]
    incumbent_header: tuple[str, str, str]
    total: str
    none: str
    yes: str
    no: str
    categories: dict[str, str]
    directions: dict[str, str]
    periods: dict[str, str]
    hidden: str  # {n}: incumbents the caller may not see
    vacant: str  # {n}
    full: str
    over: str  # {n}
    not_shown: str  # a value the caller may not read


ZH = Labels(
    lang="zh-CN", document="岗位说明书", file_stem="岗位说明书", colon="：",
    sections=("一、基本信息", "二、岗位职责", "三、任职资格", "四、资格证书",
              "五、绩效指标（KPI）", "六、在岗人员", "七、编制与空缺"),
    facts={"title": "岗位名称", "id": "岗位编号", "department": "所属部门",
           "reports_to": "直接上级", "direct_reports": "直接下级", "grade": "岗位等级",
           "category": "岗位类别", "is_key": "核心岗位", "summary": "岗位概述",
           "headcount": "编制人数", "incumbents": "在岗人数", "vacancies": "空缺"},
    raci={"R": "负责执行（R）", "A": "审批负责（A）", "C": "咨询配合（C）", "I": "知会（I）"},
    core="核心职责",
    responsibility_header=("编号", "职责名称", "职责描述", "所属流程"),
    requirement_header=("能力", "类别", "要求等级（1-5）", "权重", "必备"),
    certificate_header=("证书", "发证机构"),
    kpi_header=("指标", "权重", "目标值", "单位", "方向", "考核周期"),
    incumbent_header=("员工编号", "姓名", "到岗日期"),
    total="合计", none="无", yes="是", no="否",
    categories={"management": "管理类", "technical": "技术类", "operations": "操作类",
                "support": "支持类"},
    directions={"higher_is_better": "越高越好", "lower_is_better": "越低越好"},
    periods={"yearly": "年度", "half_yearly": "半年度", "quarterly": "季度", "monthly": "月度",
             "weekly": "每周", "daily": "每日"},
    hidden="另有 {n} 名在岗人员不在您的查看范围内，未列出。",
    vacant="空缺 {n} 人", full="满编，无空缺", over="超编 {n} 人", not_shown="（无权查看）")

EN = Labels(
    lang="en", document="Job description", file_stem="job-description", colon=": ",
    sections=("1. Position", "2. Responsibilities", "3. Requirements",
              "4. Required certificates", "5. KPIs", "6. Incumbents",
              "7. Headcount and vacancies"),
    facts={"title": "Title", "id": "Position id", "department": "Department",
           "reports_to": "Reports to", "direct_reports": "Direct reports", "grade": "Grade",
           "category": "Category", "is_key": "Key position", "summary": "Summary",
           "headcount": "Headcount", "incumbents": "Incumbents", "vacancies": "Vacancies"},
    raci={"R": "Responsible (R)", "A": "Accountable (A)", "C": "Consulted (C)",
          "I": "Informed (I)"},
    core="core responsibility",
    responsibility_header=("Id", "Responsibility", "Description", "Process"),
    requirement_header=("Competency", "Category", "Level (1-5)", "Weight", "Mandatory"),
    certificate_header=("Certificate", "Issuer"),
    kpi_header=("KPI", "Weight", "Target", "Unit", "Direction", "Period"),
    incumbent_header=("Employee id", "Name", "Since"),
    total="Total", none="none", yes="yes", no="no",
    categories={"management": "management", "technical": "technical",
                "operations": "operations", "support": "support"},
    directions={"higher_is_better": "higher is better", "lower_is_better": "lower is better"},
    periods={},
    hidden="{n} more incumbent(s) not shown: outside what you may see.",
    vacant="{n} vacant", full="fully staffed, no vacancy", over="over headcount by {n}",
    not_shown="(not shown)")


def labels_for(jd: JobDescription) -> Labels:
    """Chinese words for a position whose title holds CJK characters, else English."""
    return ZH if jd.chinese else EN


# -- the layout: one page, shared by every format ----------------------------------------------

@dataclass(frozen=True)
class Facts:
    """Labelled values (岗位名称: 财务部经理)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A table with a header row; ``total``: the last row sums the ones above; ``widths``:
    each column's share of the width, in percent (none: as the cells need)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: bool = False
    widths: tuple[int, ...] = ()


@dataclass(frozen=True)
class Note:
    """A paragraph of text (a section that is empty says so with one)."""

    text: str


@dataclass(frozen=True)
class Subheading:
    text: str


Block = Facts | Table | Note | Subheading


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Page:
    """A laid-out job description: the title, the language and the sections in order."""

    title: str
    subtitle: str
    lang: str
    sections: tuple[Section, ...]


def layout(jd: JobDescription) -> Page:
    """The description as sections in its language (see the module docstring)."""
    w = labels_for(jd)
    return Page(
        title=f"{w.document}{w.colon}{jd.title}",
        subtitle=" · ".join([jd.id, *([department_text(jd)] if jd.department_path else [])]),
        lang=w.lang,
        sections=(
            Section(w.sections[0], (_basics(jd, w),)),
            Section(w.sections[1], _responsibilities(jd, w)),
            Section(w.sections[2], _requirements(jd, w)),
            Section(w.sections[3], _certificates(jd, w)),
            Section(w.sections[4], _kpis(jd, w)),
            Section(w.sections[5], _incumbents(jd, w)),
            Section(w.sections[6], (_staffing(jd, w),)),
        ))


def department_text(jd: JobDescription) -> str:
    """The department with its path from the top: ``总经办 / 财务部``."""
    return " / ".join(d.name for d in jd.department_path)


def _ref(title: str, key: str) -> str:
    return f"{title} ({key})"


def _basics(jd: JobDescription, w: Labels) -> Facts:
    f = w.facts
    dept = jd.department
    rows = [
        (f["title"], jd.title),
        (f["id"], jd.id),
        (f["department"], _ref(department_text(jd), dept.id) if dept else w.none),
        (f["reports_to"], _ref(jd.reports_to.title, jd.reports_to.id) if jd.reports_to
         else w.none),
        (f["direct_reports"], "; ".join(_ref(p.title, p.id) for p in jd.direct_reports)
         or w.none),
        (f["grade"], str(jd.grade)),
        (f["category"], w.categories.get(jd.category, jd.category)),
        (f["headcount"], str(jd.headcount)),
        (f["is_key"], w.yes if jd.is_key else w.no),
    ]
    if jd.summary:
        rows.append((f["summary"], jd.summary))
    return Facts(tuple(rows))


#: id, name, description, process: the same columns in every RACI group's table
RESPONSIBILITY_WIDTHS = (10, 20, 54, 16)


def _responsibilities(jd: JobDescription, w: Labels) -> tuple[Block, ...]:
    if not any(g.items for g in jd.responsibilities):
        return (Note(w.none),)
    blocks: list[Block] = []
    for group in jd.responsibilities:
        blocks.append(Subheading(_group_title(group, w)))
        blocks.append(Table(w.responsibility_header, tuple(
            (r.id, r.name, r.description or "", r.process or "") for r in group.items),
            widths=RESPONSIBILITY_WIDTHS) if group.items else Note(w.none))
    return tuple(blocks)


def _group_title(group: RaciGroup, w: Labels) -> str:
    title = w.raci.get(group.raci, group.raci)
    return f"{title} · {w.core}" if group.core else title


def _requirements(jd: JobDescription, w: Labels) -> tuple[Block, ...]:
    if not jd.requirements:
        return (Note(w.none),)
    return (Table(w.requirement_header, tuple(
        (_ref(r.name, r.id), r.category or "", str(r.level), number(r.weight),
         w.yes if r.mandatory else w.no)
        for r in sorted(jd.requirements, key=requirement_order))),)


def _certificates(jd: JobDescription, w: Labels) -> tuple[Block, ...]:
    if not jd.certificates:
        return (Note(w.none),)
    return (Table(w.certificate_header, tuple(
        (_ref(c.name, c.id), c.issuer or "") for c in jd.certificates)),)


def _kpis(jd: JobDescription, w: Labels) -> tuple[Block, ...]:
    if not jd.kpis:
        return (Note(w.none),)
    rows = [(_ref(k.name, k.id), f"{number(k.weight)}%",
             "" if k.target is None else number(k.target), k.unit or "",
             w.directions.get(k.direction or "", k.direction or ""),
             w.periods.get(k.period or "", k.period or ""))
            for k in sorted(jd.kpis, key=kpi_order)]
    rows.append((w.total, f"{number(jd.kpi_weight_total)}%", "", "", "", ""))
    return (Table(w.kpi_header, tuple(rows), total=True),)


def _incumbents(jd: JobDescription, w: Labels) -> tuple[Block, ...]:
    blocks: list[Block] = []
    if jd.incumbents:
        blocks.append(Table(w.incumbent_header, tuple(
            (i.id, i.name if i.name is not None else w.not_shown,
             i.start_date.isoformat() if isinstance(i.start_date, date) else "")
            for i in jd.incumbents)))
    if jd.hidden_incumbents:
        blocks.append(Note(w.hidden.format(n=jd.hidden_incumbents)))
    return tuple(blocks) or (Note(w.none),)


def _staffing(jd: JobDescription, w: Labels) -> Facts:
    f = w.facts
    gap = jd.vacancies
    state = (w.vacant.format(n=gap) if gap > 0 else w.over.format(n=-gap) if gap < 0
             else w.full)
    return Facts(((f["headcount"], str(jd.headcount)),
                  (f["incumbents"], str(jd.incumbent_count)), (f["vacancies"], state)))


def number(value: float) -> str:
    """A number as people write it: ``40`` for 40.0, ``97.5`` for 97.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# -- Markdown ----------------------------------------------------------------------------------

#: what Markdown reads anywhere in a line: emphasis, code, links, HTML, table cells, entities
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~]|&(?=#?\w+;))")
#: what it reads at the start of a line: headings, bullets, setext underlines; numbered items
_MD_LINE_START = re.compile(r"^([#+=-])")
_MD_NUMBERED = re.compile(r"^(\d+)([.)])")


def md_text(text: str) -> str:
    """Text as Markdown shows it literally: what Markdown would read as markup (``*``,
    ``|``, ``<``, ``[``, an entity, a leading ``#`` or ``-`` ...) escaped with a backslash,
    line breaks as spaces (a table row is one line)."""
    flat = _MD_INLINE.sub(r"\\\1", " ".join(text.split()))
    return _MD_NUMBERED.sub(r"\1\\\2", _MD_LINE_START.sub(r"\\\1", flat))


def to_markdown(page: Page) -> str:
    """The page as Markdown (GitHub's tables)."""
    lines = [f"# {md_text(page.title)}", "", md_text(page.subtitle), ""]
    for section in page.sections:
        lines += [f"## {md_text(section.title)}", ""]
        for block in section.blocks:
            lines += _md_block(block)
    return "\n".join(lines)


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Facts):
        return [*(f"- **{md_text(k)}**: {md_text(v)}" for k, v in block.rows), ""]
    if isinstance(block, Table):
        def row(cells: tuple[str, ...]) -> str:
            return "| " + " | ".join(md_text(c) for c in cells) + " |"
        return [row(block.header), "|" + " --- |" * len(block.header),
                *(row(r) for r in block.rows), ""]
    if isinstance(block, Subheading):
        return [f"### {md_text(block.text)}", ""]
    return [md_text(block.text), ""]


# -- HTML --------------------------------------------------------------------------------------

#: inline, so that the page needs nothing else (a saved copy, a printout); A4 when printed
STYLE = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
       "WenQuanYi Micro Hei", "SimSun", "Helvetica Neue", Arial, sans-serif; color: #1a1a1a;
       font-size: 10.5pt; line-height: 1.5; max-width: 190mm; margin: 12mm auto; padding: 0 8mm; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 2mm; }
p.subtitle { text-align: center; color: #555; margin: 0 0 6mm; }
h2 { font-size: 12.5pt; border-bottom: 1.5px solid #2f4f6f; padding-bottom: 1mm;
     margin: 7mm 0 3mm; color: #2f4f6f; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 2mm; break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 0 0 3mm; }
th, td { border: 1px solid #9aa5b1; padding: 1.5mm 2mm; text-align: left;
         vertical-align: top; }
thead th { background: #e8eef4; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.facts th { width: 28%; background: #f3f6f9; font-weight: 600; }
tr.total td { font-weight: 600; background: #f3f6f9; }
p.note { margin: 0 0 3mm; }
@media print { body { margin: 0; padding: 0; max-width: none; } }
"""


def to_html(page: Page) -> str:
    """The page as one self-contained HTML document (inline CSS, no scripts, no other
    files), every text escaped."""
    e = html.escape
    body = [f"<h1>{e(page.title)}</h1>", f'<p class="subtitle">{e(page.subtitle)}</p>']
    for section in page.sections:
        body.append(f"<section><h2>{e(section.title)}</h2>")
        body += [_html_block(block) for block in section.blocks]
        body.append("</section>")
    return ("<!DOCTYPE html>\n"
            f'<html lang="{e(page.lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(page.title)}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _html_block(block: Block) -> str:
    e = html.escape
    if isinstance(block, Facts):
        facts = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in block.rows)
        return f'<table class="facts"><tbody>{facts}</tbody></table>'
    if isinstance(block, Table):
        head = "".join(f"<th>{e(c)}</th>" for c in block.header)
        rows: list[str] = []
        for i, r in enumerate(block.rows):
            total = block.total and i == len(block.rows) - 1
            cells = "".join(f"<td>{e(c)}</td>" for c in r)
            rows.append(f'<tr class="total">{cells}</tr>' if total else f"<tr>{cells}</tr>")
        cols = "".join(f'<col style="width: {int(x)}%">' for x in block.widths)
        return (f"<table>{f'<colgroup>{cols}</colgroup>' if cols else ''}"
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    if isinstance(block, Subheading):
        return f"<h3>{e(block.text)}</h3>"
    return f'<p class="note">{e(block.text)}</p>'


def filename(jd: JobDescription, suffix: str) -> str:
    """The name of a downloaded description: ``岗位说明书-P059.docx``,
    ``job-description-X01.docx``."""
    return f"{labels_for(jd).file_stem}-{jd.id}.{suffix}"
