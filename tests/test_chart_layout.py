"""The pure parts of the pictures, without an engine: which positions a chart shows
(domain/orgchart.py), the tidy layout (domain/tidytree.py), fitting text into boxes
(reports/svg.py) and the SVG a chart makes (reports/orgchart.py), also for the synthetic
organisation of 50,000 employees."""

from __future__ import annotations

import random
import time
import xml.etree.ElementTree as ET

import pytest

from domain.boundary import Staffing
from domain.errors import InvalidInput
from domain.orgchart import (
    DEFAULT_DEPTH,
    MAX_BOXES,
    ChartPosition,
    Forest,
    ShownTree,
    cut,
    parse_depth,
    reporting_forest,
)
from domain.tidytree import Geometry, Layout, layout
from graph.orgchart import OrgChart
from reports.orgchart import names_lines, render
from reports.svg import chinese, fit, flow, text_width
from samples.generator import Org, draw_organisation, plan_scale

SVG = "{http://www.w3.org/2000/svg}"

# -- depth -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "depth"), [(None, DEFAULT_DEPTH), ("", DEFAULT_DEPTH),
                                             ("1", 1), (" 7 ", 7), ("100", 100)])
def test_depth(text: str | None, depth: int) -> None:
    assert parse_depth(text) == depth


@pytest.mark.parametrize("text", ["0", "101", "-3", "2.5", "two", "１", "1e2"])
def test_bad_depth_names_the_parameter(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_depth(text)
    assert caught.value.field == "depth"
    assert caught.value.message == f"depth must be a whole number from 1 to 100, not {text!r}"


# -- the forest and its cut ----------------------------------------------------------------------


def test_tops_are_positions_reporting_outside_the_selection() -> None:
    forest = reporting_forest({"P2": "P1", "P3": "P2", "P4": "P2", "P5": None, "P6": "P9"})
    assert forest.roots == ("P2", "P5", "P6")  # P1 and P9 are outside
    assert forest.children == {"P2": ("P3", "P4")}


def test_a_cycle_still_shows_every_position_once() -> None:
    """The importer refuses reporting cycles; data written by other means might hold one."""
    forest = reporting_forest({"A": "C", "B": "A", "C": "B", "D": None})
    assert forest.roots == ("D", "A")
    tree = cut(forest, 10)
    assert sorted(tree.shown) == ["A", "B", "C", "D"]


def chain_forest() -> Forest:
    # P1 -> P2 (-> P4 -> P5), P3; P6 alone
    return reporting_forest({"P1": None, "P2": "P1", "P3": "P1", "P4": "P2", "P5": "P4",
                             "P6": None})


def test_depth_cuts_and_counts_what_is_below() -> None:
    tree = cut(chain_forest(), 2)
    assert tree.shown == ["P1", "P6", "P2", "P3"]
    assert tree.more == {"P2": 2}  # P4 and P5
    assert (tree.levels, tree.total, tree.capped) == (2, 6, False)
    assert cut(chain_forest(), 1).more == {"P1": 4}
    whole = cut(chain_forest(), DEFAULT_DEPTH)
    assert (whole.levels, whole.more, len(whole.shown)) == (4, {}, 6)


def test_the_box_limit_keeps_whole_levels() -> None:
    tree = cut(chain_forest(), 10, max_boxes=4)  # levels of 2, 2, 1, 1
    assert tree.shown == ["P1", "P6", "P2", "P3"] and tree.capped and tree.levels == 2
    assert tree.more == {"P2": 2}
    first = cut(reporting_forest({f"P{i:02}": None for i in range(10)}), 10, max_boxes=3)
    assert first.roots == ("P00", "P01", "P02") and first.capped and first.total == 10


# -- the layout ----------------------------------------------------------------------------------


def random_forest(rng: random.Random, n: int) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    bosses: dict[str, str | None] = {}
    for i in range(n):
        key = f"P{i:04}"
        bosses[key] = None if i == 0 or rng.random() < 0.05 else f"P{rng.randrange(i):04}"
    forest = reporting_forest(bosses)
    return forest.roots, dict(forest.children)


def assert_tidy(placed: Layout, roots: tuple[str, ...], children: dict[str, tuple[str, ...]],
                g: Geometry) -> None:
    """No two boxes overlap (nor a box and the note room under another); parents are centred
    over their reports and above them; everything lies inside the drawing."""
    items = sorted(placed.boxes.items(), key=lambda kv: kv[1][0])
    for i, (a, (ax, ay)) in enumerate(items):
        assert ax >= 0 and ax + g.width <= placed.width + 1e-6
        assert ay >= 0 and ay + g.height + g.note <= placed.height + 1e-6
        for b, (bx, by) in items[i + 1:]:
            if bx >= ax + g.width:
                break
            # b's box against a's box and the note under it, and the other way round
            assert not (ay < by + g.height + g.note and by < ay + g.height + g.note), (a, b)
    for boss, kids in children.items():
        centres = [placed.boxes[k][0] + g.width / 2 for k in kids]
        assert placed.boxes[boss][0] + g.width / 2 == pytest.approx(
            (min(centres) + max(centres)) / 2)
        assert all(placed.boxes[k][1] >= placed.boxes[boss][1] + g.height + g.vgap
                   for k in kids)
    assert len(placed.boxes) == len(roots) + sum(len(k) for k in children.values())


@pytest.mark.parametrize("seed", range(30))
def test_random_forests_are_laid_out_tidily(seed: int) -> None:
    rng = random.Random(seed)
    roots, children = random_forest(rng, rng.randrange(1, 120))
    g = Geometry()
    assert_tidy(layout(roots, children, g), roots, children, g)


def test_staff_positions_hang_in_a_column_and_one_stands_below() -> None:
    g = Geometry()
    placed = layout(("M",), {"M": ("A", "B", "C")}, g)
    xs = {placed.boxes[k][0] for k in "ABC"}
    assert xs == {placed.boxes["M"][0]}  # one column, centred under M
    assert [placed.boxes[k][1] for k in "ABC"] == [
        g.height + g.vgap + i * (g.height + g.stack_gap) for i in range(3)]
    one = layout(("M",), {"M": ("A",)}, g)
    assert one.boxes["A"] == (one.boxes["M"][0], g.height + g.vgap)
    assert placed.width == g.indent + g.width


def test_a_parent_with_teams_and_staff() -> None:
    """Reports with reports of their own side by side; the staff beside them in a column."""
    g = Geometry()
    children = {"M": ("A", "B", "S1", "S2"), "A": ("A1",), "B": ("B1", "B2")}
    placed = layout(("M",), children, g)
    assert_tidy(placed, ("M",), children, g)
    assert placed.boxes["S1"][0] == placed.boxes["S2"][0] > placed.boxes["B"][0]
    assert placed.boxes["A"][1] == placed.boxes["B"][1] == placed.boxes["S1"][1]


# -- text ----------------------------------------------------------------------------------------


def test_text_width_and_fit() -> None:
    assert text_width("研究所", 10) == 30 and text_width("ab", 10) == 12
    assert fit("高级材料工程师", 14, 60) == "高级材…"  # the ellipsis counted one em
    assert fit("Senior engineer", 10, 40) == "Senio…"
    assert fit("短", 14, 60) == "短"
    assert chinese(["Sales", "销售代表"]) and not chinese(["Sales rep"])


def test_flow_counts_whom_it_does_not_name() -> None:
    names = [f"员工{i:02}" for i in range(30)]
    lines = flow(names, 0, "另 {n} 人", "、", 12, 150, 2)
    assert len(lines) == 2 and all(text_width(x, 12) <= 150 for x in lines)
    shown = [n for n in "、".join(lines).split("、") if not n.startswith("另")]
    assert shown == names[:len(shown)]
    assert lines[-1].endswith(f"另 {30 - len(shown)} 人")
    assert flow(["张三"], 2, "另 {n} 人", "、", 12, 150, 2) == ["张三、另 2 人"]
    assert flow(["Ann", "Bo"], 0, "+{n} others", ", ", 12, 150, 2) == ["Ann, Bo"]


def position(key: str, title: str, headcount: int, incumbents: int, names: tuple[str, ...],
             boss: str | None = None, dept: str = "D1") -> ChartPosition:
    return ChartPosition(Staffing({"id": key, "title": title, "headcount": headcount},
                                  {"id": dept, "name": f"部门{dept}"}, incumbents), boss, names)


def test_names_of_a_box() -> None:
    assert names_lines(position("P1", "经理", 1, 0, ()), "zh", 150) == ["（无人在岗）"]
    assert names_lines(position("P1", "经理", 3, 3, ()), "zh", 150) == ["3 人（姓名不可见）"]
    assert names_lines(position("P1", "经理", 3, 3, ("张三",)), "zh", 150) == ["张三、另 2 人"]
    assert names_lines(position("P1", "Lead", 3, 3, ("Ann",)), "en", 150) == ["Ann, +2 others"]


def test_an_svg_escapes_every_text_and_marks_staffing() -> None:
    nasty = '<script>alert("x")</script> & 经理'
    positions = {
        "P1": position("P1", nasty, 1, 1, ("王<b>五",)),
        "P2": position("P2", "专员", 3, 1, ("李四",), "P1"),
        "P3": position("P3", "操作工", 2, 4, ("甲", "乙"), "P1", "D2"),
    }
    tree = cut(reporting_forest({k: p.reports_to for k, p in positions.items()}), 10)
    svg = render(OrgChart(None, tree, positions, 10))
    root = ET.fromstring(svg.encode("utf-8"))  # well-formed: everything escaped
    assert "<script>" not in svg
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert any(t.startswith('<script>alert("x")') or t.startswith("<script>") for t in texts)
    assert "王<b>五" in texts and "空缺 2" in texts and "超编 2" in texts
    assert "部门D1 D1" in texts and "部门D2 D2" in texts  # the legend


def generated_chart(employees: int) -> OrgChart:
    """The chart of the synthetic organisation (samples/generator.py) at its default depth,
    with each position filled to its headcount by made-up names."""
    org = Org(random.Random(1), plan_scale(employees))
    draw_organisation(org)
    depts = {i: {"id": d.id, "name": d.name} for i, d in enumerate(org.depts)}
    bosses = {p.id: (org.positions[p.reports_to].id if p.reports_to >= 0 else None)
              for p in org.positions}
    tree = cut(reporting_forest(bosses), DEFAULT_DEPTH)
    shown = set(tree.shown)
    positions = {p.id: ChartPosition(
        Staffing({"id": p.id, "title": p.title, "headcount": p.headcount}, depts[p.dept],
                 p.headcount), bosses[p.id], tuple(f"员工{i}" for i in range(p.headcount)))
        for p in org.positions if p.id in shown}
    return OrgChart(None, tree, positions, DEFAULT_DEPTH)


def test_the_chart_of_50000_employees_stays_sane() -> None:
    """About 3,000 positions: the chart is cut at the box limit by whole levels, says so, and
    stays a file a browser opens at once."""
    chart = generated_chart(50_000)
    started = time.perf_counter()
    svg = render(chart)
    seconds = time.perf_counter() - started
    tree: ShownTree = chart.tree
    assert tree.total > 2_500 and tree.capped
    assert 0 < len(chart.positions) <= MAX_BOXES
    assert "岗位过多" in svg
    root = ET.fromstring(svg.encode("utf-8"))
    width, height = float(root.get("width", "0")), float(root.get("height", "0"))
    print(f"50,000 employees: {tree.total} positions, {len(chart.positions)} boxes in "
          f"{tree.levels} levels, {len(svg.encode()) / 1e6:.2f} MB, {width:.0f} x "
          f"{height:.0f} px, drawn in {seconds:.2f} s")
    assert len(svg.encode()) < 2_000_000 and seconds < 5


def test_boxes_with_cut_reports_stand_in_their_row() -> None:
    """A box whose reports the depth cut off stands in the row (its "+N more" under it)
    rather than hanging in a column."""
    g = Geometry()
    placed = layout(("M",), {"M": ("A", "B")}, g, stand=frozenset({"A", "B"}))
    assert placed.boxes["A"][1] == placed.boxes["B"][1] == g.height + g.vgap
    assert placed.boxes["B"][0] == placed.boxes["A"][0] + g.width + g.hgap
