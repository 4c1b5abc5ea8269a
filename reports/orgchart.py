"""The org chart as SVG (``GET /org-chart.svg``, ``rolegraph chart org``): the reporting lines
of a department's positions (or the whole organisation's) as a tree of boxes.

Each box shows the position's title, its id, headcount and incumbents, the names of the
incumbents the caller may see (the others counted), a badge when it has vacancies (空缺) or
more incumbents than headcount (超编), and its department's colour (legend at the top).
Positions whose reports are cut off by the depth say "+N" under their box; a chart cut at the
box limit says so at the top and how to narrow it. Labels are Chinese when the titles are.

The data comes from :func:`graph.orgchart.org_chart` (scoped names), the geometry from
:func:`domain.tidytree.layout`; this module only draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.orgchart import MAX_BOXES, ChartPosition
from domain.tidytree import Geometry, layout
from graph.access import Visibility
from graph.db import Graph
from graph.orgchart import OrgChart, org_chart
from reports.svg import (
    OVER,
    PALETTE,
    VACANT,
    chinese,
    document,
    esc,
    fit,
    flow,
    rect,
    text,
    text_width,
)

GEOMETRY = Geometry()
MARGIN = 24
TITLE, SMALL, NAMES = 14, 11, 12  # font sizes
NAME_LINES = 2

LABELS = {
    "zh": {
        "chart": "组织架构图", "all": "全公司", "positions": "{n} 个岗位",
        "levels": "显示 {levels} 层（深度 {depth}）",
        "capped": "岗位过多：只显示了 {shown} / {total} 个岗位（前 {levels} 层）。"
                  "请选择一个部门（department）或减小深度（depth）。",
        "empty": "该范围内没有岗位。",
        "staffing": "{id} · 编制 {headcount} · 在岗 {incumbents}",
        "vacant": "空缺 {n}", "over": "超编 {n}", "more": "+{n} 个下级岗位",
        "others": "另 {n} 人", "hidden": "{n} 人（姓名不可见）", "nobody": "（无人在岗）",
        "sep": "、", "departments": "部门", "marks": "标记",
    },
    "en": {
        "chart": "Org chart", "all": "whole organisation", "positions": "{n} positions",
        "levels": "{levels} levels shown (depth {depth})",
        "capped": "Too many positions: showing {shown} of {total} (the first {levels} "
                  "levels). Choose a department or a smaller depth.",
        "empty": "No positions in this selection.",
        "staffing": "{id} · {incumbents} of {headcount} filled",
        "vacant": "vacant {n}", "over": "over {n}", "more": "+{n} more",
        "others": "+{n} others", "hidden": "{n} (names not shown)", "nobody": "(nobody)",
        "sep": ", ", "departments": "Departments", "marks": "Marks",
    },
}

STYLE = (".t { font-size: 14px; font-weight: 700; } .s { font-size: 11px; fill: #52606d; } "
         ".n { font-size: 12px; } .h { font-size: 20px; font-weight: 700; } "
         ".sub { font-size: 12px; fill: #52606d; } .warn { font-size: 13px; fill: #b91c1c; "
         "font-weight: 700; } .more { font-size: 12px; fill: #3e4c59; } "
         ".badge { font-size: 11px; font-weight: 700; fill: #ffffff; } "
         ".legend { font-size: 12px; } .line { fill: none; stroke: #9aa5b1; "
         "stroke-width: 1.2; }")


async def chart_svg(graph: Graph, visibility: Visibility | None, department: str | None,
                    depth: int, max_boxes: int = MAX_BOXES) -> str:
    """Read the chart as the caller sees it and draw it."""
    return render(await org_chart(graph, visibility, department, depth, max_boxes))


def language(chart: OrgChart) -> str:
    """``zh`` when the positions' titles (or the department's name) are Chinese."""
    titles = [p.title for p in chart.positions.values()]
    if chart.department is not None:
        titles.append(str(chart.department.get("name", "")))
    return "zh" if chinese(titles) else "en"


@dataclass(frozen=True)
class Header:
    """The lines above the legend."""

    title: str
    lines: list[tuple[str, str]]  # (css class, text)


def header(chart: OrgChart, lang: str) -> Header:
    """The title (what the chart covers), the counts, and the warnings: cut at the box
    limit, or nothing to show."""
    words = LABELS[lang]
    d = chart.department
    where = words["all"] if d is None else f"{d['name']} ({d['id']})"
    tree = chart.tree
    lines = [("sub", " · ".join((words["positions"].format(n=tree.total),
                                 words["levels"].format(levels=tree.levels,
                                                        depth=chart.depth))))]
    if tree.capped:
        lines.append(("warn", words["capped"].format(shown=len(chart.positions),
                                                     total=tree.total, levels=tree.levels)))
    if not chart.positions:
        lines.append(("warn", words["empty"]))
    return Header(f"{words['chart']} · {where}", lines)


def department_colours(chart: OrgChart) -> dict[str | None, tuple[str, str]]:
    """A colour per department shown (by department id, cycling through the palette)."""
    ids = sorted({p.department for p in chart.positions.values()}, key=lambda d: d or "")
    return {d: PALETTE[i % len(PALETTE)] for i, d in enumerate(ids)}


def names_lines(p: ChartPosition, lang: str, width: float,
                max_lines: int = NAME_LINES) -> list[str]:
    """The incumbents' names the caller may see, filling at most ``max_lines`` lines of
    ``width``; the people not named (those that do not fit, those the caller may not see)
    are counted: "另 N 人" / "+N others"."""
    words = LABELS[lang]
    if p.staffing.incumbents == 0:
        return [words["nobody"]]
    if not p.names:
        return [fit(words["hidden"].format(n=p.hidden), NAMES, width)]
    return flow(list(p.names), p.hidden, words["others"], words["sep"], NAMES, width,
                max_lines)


def badge(p: ChartPosition, lang: str) -> tuple[str, str] | None:
    """The mark of a position with vacancies or over its headcount: (text, colour)."""
    words = LABELS[lang]
    if p.over:
        return words["over"].format(n=p.over), OVER
    if p.vacancies:
        return words["vacant"].format(n=p.vacancies), VACANT
    return None


def _badge(x: float, y: float, label: str, colour: str) -> list[str]:
    """A pill with white text, its right end at ``x``, centred on ``y``."""
    w = text_width(label, 11) + 12
    return [rect(x - w, y - 9, w, 18, colour, radius=9),
            text(x - w / 2, y + 4, label, "badge", "middle")]


def box(p: ChartPosition, x: float, y: float, colours: tuple[str, str], lang: str,
        more: int) -> list[str]:
    """One position's box, its badge and its "+N" note."""
    g, words = GEOMETRY, LABELS[lang]
    fill, border = colours
    mark = badge(p, lang)
    stroke = border if mark is None else mark[1]
    width = ' stroke-width="2"' if mark else ""
    inner = g.width - 16
    out = [f'<g class="position" data-id="{esc(p.id)}">',
           rect(x, y, g.width, g.height, fill, stroke, 6, width),
           text(x + 8, y + 22, fit(p.title, TITLE, inner), "t"),
           text(x + 8, y + 39, fit(words["staffing"].format(
               id=p.id, headcount=p.staffing.headcount, incumbents=p.staffing.incumbents),
               SMALL, inner), "s")]
    for i, line in enumerate(names_lines(p, lang, inner)):
        out.append(text(x + 8, y + 58 + 16 * i, line, "n"))
    if mark:
        out += _badge(x + g.width - 6, y - 1, *mark)  # on the border, above the title
    if more:
        out.append(text(x + g.width / 2, y + g.height + 15, words["more"].format(n=more),
                        "more", "middle"))
    out.append("</g>")
    return out


def legend(chart: OrgChart, colours: dict[str | None, tuple[str, str]], lang: str,
           top: float, width: float) -> tuple[list[str], float]:
    """The departments' colours and the marks, in rows across ``width``; returns the
    elements and the height used."""
    words = LABELS[lang]
    names = {p.department: p.department_name for p in chart.positions.values()}
    items: list[tuple[str, str, str]] = [
        (f"{names[d] or ''} {d or ''}".strip() or "-", fill, border)
        for d, (fill, border) in colours.items()]
    out = [text(MARGIN, top + 13, words["departments"], "legend")]
    x, y = MARGIN + text_width(words["departments"], 12) + 14, top
    for label, fill, border in items:
        w = 22 + text_width(label, 12) + 18
        if x + w > max(width - MARGIN, MARGIN + 400):
            x, y = MARGIN + text_width(words["departments"], 12) + 14, y + 22
        out += [rect(x, y + 2, 16, 14, fill, border, 3), text(x + 22, y + 13, label, "legend")]
        x += w
    y += 26
    out.append(text(MARGIN, y + 13, words["marks"], "legend"))
    x = MARGIN + text_width(words["marks"], 12) + 14
    for label, colour in ((words["vacant"].format(n=1), VACANT),
                          (words["over"].format(n=1), OVER)):
        w = text_width(label, 11) + 12
        out += _badge(x + w, y + 9, label, colour)
        x += w + 14
    return out, y + 26 - top


def render(chart: OrgChart) -> str:
    """The SVG document of a chart."""
    lang = language(chart)
    head = header(chart, lang)
    colours = department_colours(chart)
    tree = chart.tree
    placed = layout(tree.roots, tree.children, GEOMETRY, frozenset(tree.more))
    width = max(placed.width + 2 * MARGIN, 720.0)
    body = [text(MARGIN, MARGIN + 20, head.title, "h")]
    y = MARGIN + 30
    for css, line in head.lines:
        y += 20
        body.append(text(MARGIN, y, line, css))
    legend_items, used = legend(chart, colours, lang, y + 14, width)
    body += legend_items
    top = y + 14 + used + 16
    for polyline in placed.lines:
        points = " ".join(f"{x + MARGIN:.1f},{py + top:.1f}" for x, py in polyline)
        body.append(f'<polyline class="line" points="{points}"/>')
    for key, (x, py) in placed.boxes.items():
        p = chart.positions[key]
        body += box(p, x + MARGIN, py + top, colours[p.department], lang,
                    tree.more.get(key, 0))
    return document(width, top + placed.height + MARGIN, head.title, body, STYLE)
