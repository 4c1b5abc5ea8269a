"""The nine-box (九宫格) as SVG (``GET /nine-box.svg``, ``rolegraph chart nine-box``).

The people are placed exactly as the GraphQL field ``nineBox`` places them: the same fit
model as the caller sees it (:func:`graph.fit_loader.fit_model_for`: a manager sees its line,
an employee itself, an ``hr`` role its departments) and the same placement
(:func:`domain.succession.nine_box`: performance from the latest rating, potential from the
personnel file). The grid has potential high to low from top to bottom and performance low
to high from left to right, as the GraphQL answer lists its cells. Each cell shows its label,
its count and the first names that fit ("另 N 人" / "+N others" for the rest); the people
with no rating or no potential on file are counted under the grid.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import succession
from domain.records import Record
from graph.access import Visibility
from graph.db import Graph
from graph.fit_loader import fit_model_for
from reports.svg import chinese, document, flow, rect, text

#: the usual names of the nine boxes, by (performance, potential), each 0 low .. 2 high
#: (the grid popularised by McKinsey/GE for talent reviews; Chinese as HR practice says them)
CELL_LABELS: dict[tuple[int, int], tuple[str, str]] = {
    (2, 2): ("明星", "Star"),
    (1, 2): ("潜力之星", "High potential"),
    (0, 2): ("待发掘", "Enigma"),
    (2, 1): ("核心骨干", "High performer"),
    (1, 1): ("中坚力量", "Core player"),
    (0, 1): ("待提升", "Inconsistent player"),
    (2, 0): ("专业能手", "Trusted professional"),
    (1, 0): ("稳定贡献者", "Effective employee"),
    (0, 0): ("待改进", "Underperformer"),
}
#: cell colours by performance + potential: green at the top right, red at the bottom left
SHADES = ("#fde2e2", "#fdebd3", "#fdf6c9", "#e6f5d0", "#d3f0dc")

LABELS = {
    "zh": {"chart": "九宫格", "all": "全公司", "performance": "绩效 →", "potential": "潜力 →",
           "count": "{n} 人", "others": "另 {n} 人", "sep": "、",
           "sub": "绩效取最近一次评级，潜力取自人事档案 · 共 {n} 人",
           "unplaced": "未放入（无评级或无潜力评估）：{n} 人"},
    "en": {"chart": "Nine-box", "all": "whole organisation", "performance": "performance →",
           "potential": "potential →", "count": "{n}", "others": "+{n} others", "sep": ", ",
           "sub": "performance: latest rating; potential: personnel file · {n} people",
           "unplaced": "Not placed (no rating or no potential on file): {n}"},
}

#: the three levels of each axis, low to high
LEVELS = {"zh": ("低", "中", "高"), "en": ("low", "medium", "high")}

CELL_W, CELL_H, AXIS, MARGIN = 300, 210, 64, 24
NAME_SIZE, NAME_LINES = 12, 9
STYLE = (".h { font-size: 20px; font-weight: 700; } .sub { font-size: 12px; fill: #52606d; } "
         ".label { font-size: 15px; font-weight: 700; } .count { font-size: 15px; "
         "font-weight: 700; fill: #334e68; } .n { font-size: 12px; } "
         ".axis { font-size: 13px; font-weight: 700; fill: #334e68; } "
         ".tick { font-size: 12px; fill: #52606d; }")


@dataclass(frozen=True)
class NineBoxChart:
    """The names in each cell (by (performance, potential)), the people not placed, the
    department (None: everyone) and the language of the labels."""

    cells: dict[tuple[int, int], tuple[str, ...]]
    unplaced: int
    department: Record | None
    lang: str

    @property
    def people(self) -> int:
        return sum(len(v) for v in self.cells.values()) + self.unplaced


async def nine_box_chart(graph: Graph, visibility: Visibility, department: str | None
                         ) -> NineBoxChart:
    """The nine-box as ``visibility`` sees it (the GraphQL ``nineBox`` computation); an
    unknown department is :class:`domain.errors.NotFound` naming ``department``."""
    m = await fit_model_for(graph, visibility)
    box = succession.nine_box(m, department)
    cells = {k: tuple(str(m.employees.record(e)["name"]) for e in people)
             for k, people in box.cells.items()}
    dept = (None if department is None
            else m.departments.record(m.departments.get(department, "Department", "department")))
    names = [str(r.get("name", "")) for r in m.departments.records if r is not None]
    return NineBoxChart(cells, len(box.unplaced), dept, "zh" if chinese(names) else "en")


async def nine_box_svg(graph: Graph, visibility: Visibility, department: str | None) -> str:
    return render(await nine_box_chart(graph, visibility, department))


def cell(chart: NineBoxChart, perf: int, pot: int, x: float, y: float) -> list[str]:
    """One cell: its shade, label, count and the names that fit."""
    words = LABELS[chart.lang]
    names = chart.cells.get((perf, pot), ())
    label = CELL_LABELS[(perf, pot)][0 if chart.lang == "zh" else 1]
    out = [f'<g class="cell" data-performance="{perf}" data-potential="{pot}">',
           rect(x, y, CELL_W, CELL_H, SHADES[perf + pot], "#ffffff", 0, ' stroke-width="3"'),
           text(x + 12, y + 24, label, "label"),
           text(x + CELL_W - 12, y + 24, words["count"].format(n=len(names)), "count", "end")]
    lines = flow(list(names), 0, words["others"], words["sep"], NAME_SIZE, CELL_W - 24,
                 NAME_LINES) if names else []
    out += [text(x + 12, y + 48 + 17 * i, line, "n") for i, line in enumerate(lines)]
    out.append("</g>")
    return out


def render(chart: NineBoxChart) -> str:
    """The SVG document of a nine-box."""
    words = LABELS[chart.lang]
    d = chart.department
    where = words["all"] if d is None else f"{d['name']} ({d['id']})"
    title = f"{words['chart']} · {where}"
    body = [text(MARGIN, MARGIN + 20, title, "h"),
            text(MARGIN, MARGIN + 42, words["sub"].format(n=chart.people), "sub")]
    left, top = MARGIN + AXIS, MARGIN + 64
    levels = LEVELS[chart.lang]
    for row, pot in enumerate((2, 1, 0)):
        y = top + row * CELL_H
        body.append(text(left - 10, y + CELL_H / 2 + 4, levels[pot], "tick", "end"))
        for perf in (0, 1, 2):
            body += cell(chart, perf, pot, left + perf * CELL_W, y)
    grid_bottom = top + 3 * CELL_H
    for perf in (0, 1, 2):
        body.append(text(left + perf * CELL_W + CELL_W / 2, grid_bottom + 18, levels[perf],
                         "tick", "middle"))
    body.append(text(left + 1.5 * CELL_W, grid_bottom + 40, words["performance"],
                     "axis", "middle"))
    cx, cy = MARGIN + 14, top + 1.5 * CELL_H
    body.append(f'<g transform="rotate(-90 {cx:.1f} {cy:.1f})">'
                f'{text(cx, cy + 4, words["potential"], "axis", "middle")}</g>')
    body.append(text(left, grid_bottom + 66, words["unplaced"].format(n=chart.unplaced),
                     "sub"))
    return document(left + 3 * CELL_W + MARGIN, grid_bottom + 66 + MARGIN, title, body, STYLE)
