"""The org chart and the nine-box as people see them: SVGs fetched over real HTTP from the
live server on the demo organisation, parsed, and rendered in headless Chromium (screenshots
kept as ``artifacts/screenshots/org-chart.png`` and ``nine-box.png``); scoping with several
roles; bad parameters; the token required; the ``rolegraph chart`` command.

Expectations come from the demo's CSV files (and the GraphQL API for the nine-box), not from
the code under test.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from access_oracle import ADMIN, CALLERS, Caller, View, names_out_of_scope
from api_client import data, demo_current_holders, demo_rows, demo_subtree
from browser import rendered, screenshot
from cli_client import rolegraph_on
from conftest import GraphHandle, LiveServer

from domain.orgchart import MAX_BOXES
from graph.orgchart import org_chart
from reports.orgchart import render
from samples.generator import (
    Org,
    department_rows,
    draw_organisation,
    plan_scale,
    position_rows,
    write_table,
)

SVG_NS = "{http://www.w3.org/2000/svg}"
REPO = Path(__file__).resolve().parents[1]
PICTURES = REPO / "docs"


# -- helpers ---------------------------------------------------------------------------------


def fetch(client: httpx.Client, route: str, **params: str) -> str:
    """The SVG of a route; it must be HTTP 200 with the SVG media type."""
    response = client.get(route, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml; charset=utf-8"
    return response.text


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG_NS}svg"
    return root


def boxes(root: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    """Each position box: id -> (x, y, width, height) of its rectangle."""
    found = {}
    for g in root.iter(f"{SVG_NS}g"):
        if g.get("class") == "position":
            r = g.find(f"{SVG_NS}rect")
            assert r is not None
            found[str(g.get("data-id"))] = tuple(float(r.get(a, "0")) for a in
                                                 ("x", "y", "width", "height"))
    return found  # type: ignore[return-value]


def texts(root: ET.Element, position: str | None = None) -> list[str]:
    """The texts of the whole SVG or of one position's box."""
    scope = root
    if position is not None:
        scope = next(g for g in root.iter(f"{SVG_NS}g") if g.get("data-id") == position)
    return ["".join(t.itertext()) for t in scope.iter(f"{SVG_NS}text")]


def overlapping(found: dict[str, tuple[float, float, float, float]]) -> list[tuple[str, str]]:
    items = sorted(found.items(), key=lambda kv: kv[1][0])
    clashes = []
    for i, (a, (ax, ay, aw, ah)) in enumerate(items):
        for b, (bx, by, _bw, bh) in items[i + 1:]:
            if bx >= ax + aw:
                break
            if ay < by + bh and by < ay + ah:
                clashes.append((a, b))
    return clashes


def keep_for_docs(shot: Path) -> None:
    """With ``ROLEGRAPH_UPDATE_DOCS=1``, the screenshot is also copied to ``docs/`` (the
    pictures the README shows: ``docs/org-chart.png``, ``docs/nine-box.png``)."""
    if os.environ.get("ROLEGRAPH_UPDATE_DOCS") == "1":
        PICTURES.mkdir(exist_ok=True)
        shutil.copyfile(shot, PICTURES / shot.name)


def as_page(svg: str, tmp_path: Path, name: str) -> str:
    """The SVG written to a file, as a file:// URL for Chromium."""
    path = tmp_path / f"{name}.svg"
    path.write_text(svg, encoding="utf-8")
    return path.as_uri()


def staffing() -> dict[str, tuple[int, int]]:
    """Per demo position: (headcount, current incumbents), from the CSV files."""
    held: dict[str, int] = {}
    for r in demo_rows("employee_positions.csv"):
        if not r["end_date"]:
            held[r["position_id"]] = held.get(r["position_id"], 0) + 1
    return {p["id"]: (int(p["headcount"]), held.get(p["id"], 0))
            for p in demo_rows("positions.csv")}


def names() -> dict[str, str]:
    return {r["id"]: r["name"] for r in demo_rows("employees.csv")}


# -- the org chart ---------------------------------------------------------------------------


def test_org_chart_shows_every_demo_position_without_overlaps(
        demo_server: LiveServer, tmp_path: Path) -> None:
    svg = fetch(demo_server.client, "/org-chart.svg")
    root = parse(svg)
    found = boxes(root)
    assert set(found) == {p["id"] for p in demo_rows("positions.csv")}  # default depth: all
    assert overlapping(found) == []
    assert root.find(f"{SVG_NS}title") is not None
    assert "组织架构图 · 全公司" in "".join(root.find(f"{SVG_NS}title").itertext())  # type: ignore[union-attr]
    assert "Noto Sans CJK SC" in str(root.get("font-family"))
    # parents centred over their reports' span (a hanging column counts once)
    positions = {p["id"]: p for p in demo_rows("positions.csv")}
    reports: dict[str, list[str]] = {}
    for p in positions.values():
        if p["reports_to_id"]:
            reports.setdefault(p["reports_to_id"], []).append(p["id"])
    for boss, kids in reports.items():
        centres = [found[k][0] + found[k][2] / 2 for k in kids]
        assert found[boss][0] + found[boss][2] / 2 == pytest.approx(
            (min(centres) + max(centres)) / 2, abs=0.2), boss
        assert all(found[k][1] > found[boss][1] for k in kids)
    # vacancies and over-headcount marked, as the CSV files say
    for key, (headcount, held) in staffing().items():
        box = texts(root, key)
        assert positions[key]["title"] in box[0] or box[0].endswith("…")
        assert any(f"{key} · 编制 {headcount} · 在岗 {held}" == t for t in box), box
        if held < headcount:
            assert f"空缺 {headcount - held}" in box
        elif held > headcount:
            assert f"超编 {held - headcount}" in box
        else:
            assert not any(t.startswith(("空缺", "超编")) for t in box)
    # the admin sees the names: P001's incumbent by name
    p001 = [r["employee_id"] for r in demo_rows("employee_positions.csv")
            if r["position_id"] == "P001" and not r["end_date"]]
    assert names()[p001[0]] in texts(root, "P001")
    # the browser shows the same texts
    url = as_page(svg, tmp_path, "org-chart")
    dom = rendered(url)
    for must in ("组织架构图", "总经理", "研究所所长", "实验员", "空缺", "部门"):
        assert must in dom
    shot = screenshot(url, "org-chart", size=(int(float(root.get("width", "0"))),
                                              int(float(root.get("height", "0")))))
    assert shot.stat().st_size > 10_000
    keep_for_docs(shot)


def test_org_chart_of_a_department_cut_by_depth(demo_server: LiveServer) -> None:
    root = parse(fetch(demo_server.client, "/org-chart.svg", department="D06", depth="2"))
    in_scope = {p["id"]: p for p in demo_rows("positions.csv")
                if p["department_id"] in demo_subtree("D06")}
    # D06 and D15 below it: P020 on top, its direct reports on level 2
    assert set(boxes(root)) == {"P020", "P022", "P023", "P024"}
    assert "组织架构图 · 研究所 (D06)" in texts(root)
    below = {"P022": 1, "P024": 3}  # P021; P025, P026, P027
    for key, n in below.items():
        assert f"+{n} 个下级岗位" in texts(root, key)
    assert not any("下级岗位" in t for t in texts(root, "P023"))
    assert len(in_scope) == 8
    # 计量室 (D16) has no positions yet: an empty chart that says so
    empty = parse(fetch(demo_server.client, "/org-chart.svg", department="D16"))
    assert boxes(empty) == {} and "该范围内没有岗位。" in texts(empty)


def test_the_box_limit_cuts_the_chart_and_says_how_to_narrow_it(demo_graph: GraphHandle
                                                                 ) -> None:
    """At 50,000 employees (about 3,000 positions) the whole chart would be huge: it is cut
    at the box limit, by whole levels, and says so. The same code at a limit of 20 on the
    demo (the top two levels, 1 + 14 positions, fit; the third, 35 more, does not)."""
    chart = demo_graph.run(lambda g: org_chart(g, None, None, 10, 20))
    assert chart.tree.capped and chart.tree.levels == 2 and len(chart.positions) == 15
    root = parse(render(chart))
    assert ("岗位过多：只显示了 15 / 62 个岗位（前 2 层）。请选择一个部门（department）或减小深度"
            "（depth）。") in texts(root)
    assert "+7 个下级岗位" in texts(root, "P020")  # P021 to P027
    assert MAX_BOXES == 400


def test_org_chart_names_only_whom_the_caller_sees(demo_server: LiveServer) -> None:
    """Names are personal: an employee sees its own name and counts for the others; the
    counts, headcounts and vacancies are the same for every caller (public structure)."""
    everyone = names()
    held = {r["employee_id"]: r["position_id"] for r in demo_rows("employee_positions.csv")
            if not r["end_date"]}
    me = "E0180"
    mine = held[me]
    admin = parse(fetch(demo_server.client, "/org-chart.svg", department="D10"))
    employee = parse(fetch(demo_server.as_("employee", sub=me), "/org-chart.svg",
                           department="D10"))
    assert set(boxes(admin)) == set(boxes(employee))
    admin_text, employee_text = " ".join(texts(admin)), " ".join(texts(employee))
    others = {everyone[e] for e in demo_current_holders(set(boxes(admin))) if e != me}
    shown_to_admin = {n for n in others if n in admin_text}
    assert len(shown_to_admin) > 5
    assert not {n for n in shown_to_admin if n in employee_text}
    assert everyone[me] in " ".join(texts(employee, mine))
    for key in boxes(admin):
        assert texts(admin, key)[1] == texts(employee, key)[1]  # id, headcount, incumbents
    assert "另" in " ".join(texts(employee, mine))  # the colleagues, counted
    # a manager sees its reporting line by name
    manager = "".join(r["employee_id"] for r in demo_rows("employee_positions.csv")
                      if r["position_id"] == "P042" and not r["end_date"])[:5]
    line = parse(fetch(demo_server.as_("manager", sub=manager), "/org-chart.svg",
                       department="D10"))
    p043 = {everyone[e] for e in demo_current_holders({"P043"})}
    assert any(n in " ".join(texts(line, "P043")) for n in p043)
    assert not any(n in " ".join(texts(line, "P041")) for n in
                   {everyone[e] for e in demo_current_holders({"P041"})})


@pytest.mark.parametrize(("params", "message"), [
    ({"department": "D99"}, "department: no Department with id 'D99'"),
    ({"depth": "0"}, "depth must be a whole number from 1 to 100, not '0'"),
    ({"depth": "101"}, "depth must be a whole number from 1 to 100, not '101'"),
    ({"depth": "two"}, "depth must be a whole number from 1 to 100, not 'two'"),
    ({"depth": "-1"}, "depth must be a whole number from 1 to 100, not '-1'"),
])
def test_org_chart_bad_parameters(demo_server: LiveServer, params: dict[str, str],
                                  message: str) -> None:
    response = demo_server.client.get("/org-chart.svg", params=params)
    assert response.status_code == 400
    assert message in response.text


@pytest.mark.parametrize("route", ["/org-chart.svg", "/nine-box.svg"])
def test_pictures_need_a_token(demo_server: LiveServer, route: str) -> None:
    anonymous = httpx.get(demo_server.url + route, timeout=30)
    assert anonymous.status_code == 401
    assert "<svg" not in anonymous.text
    forged = httpx.get(demo_server.url + route, timeout=30,
                       headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401


def tokens(root: ET.Element) -> list[str]:
    """Every text of a picture, cut at the separators of name lists."""
    return [part for t in texts(root) for part in t.replace(", ", "、").split("、")]


@pytest.mark.parametrize("caller", CALLERS, ids=[c.name for c in CALLERS])
def test_pictures_name_only_whom_each_role_sees(demo_server: LiveServer, caller: Caller
                                                ) -> None:
    """Every role of the policy (and a caller without one): the org chart's structure is the
    admin's, and neither picture names anyone the caller may not see; the nine-box counts
    what the GraphQL nineBox answers that caller."""
    client = caller.client(demo_server)
    view = View(caller)
    for department in ("D01", "D06", "D10"):
        chart = parse(fetch(client, "/org-chart.svg", department=department))
        admin = parse(fetch(ADMIN.client(demo_server), "/org-chart.svg",
                            department=department))
        assert set(boxes(chart)) == set(boxes(admin))
        for key in boxes(admin):
            assert texts(chart, key)[1] == texts(admin, key)[1]
        assert names_out_of_scope(tokens(chart), view) == set()
        if caller.name in ("hr-D06", "manager", "employee", "no-role") and department == "D01":
            assert names_out_of_scope(tokens(admin), view), "the oracle would see a leak"
    box = parse(fetch(client, "/nine-box.svg"))
    assert names_out_of_scope(tokens(box), view) == set()
    assert_like_graphql(box, client, None)


# -- the nine-box ----------------------------------------------------------------------------

NINE_BOX = """query($d: ID) { nineBox(department: $d) { cells { performance potential count
  employees { name } } unplaced { id } } }"""
LEVEL = {"LOW": 0, "MEDIUM": 1, "HIGH": 2}


def cells(root: ET.Element) -> dict[tuple[int, int], list[str]]:
    return {(int(g.get("data-performance", "")), int(g.get("data-potential", ""))):
            ["".join(t.itertext()) for t in g.iter(f"{SVG_NS}text")]
            for g in root.iter(f"{SVG_NS}g") if g.get("class") == "cell"}


def assert_like_graphql(root: ET.Element, client: httpx.Client, department: str | None
                        ) -> dict[tuple[int, int], list[str]]:
    """Each cell holds the count and the first names of the GraphQL nineBox's cell."""
    answer = data(client, NINE_BOX, d=department)["nineBox"]
    found = cells(root)
    assert len(found) == 9
    for c in answer["cells"]:
        key = (LEVEL[c["performance"]], LEVEL[c["potential"]])
        _label, count, *lines = found[key]
        assert count == f"{c['count']} 人"
        shown = "、".join(lines)
        if c["employees"]:
            assert c["employees"][0]["name"] in shown
        names_shown = [n for n in shown.split("、") if n and not n.startswith("另")]
        assert names_shown == [e["name"] for e in c["employees"]][:len(names_shown)]
        if len(names_shown) < c["count"]:
            assert f"另 {c['count'] - len(names_shown)} 人" in shown
    assert f"未放入（无评级或无潜力评估）：{len(answer['unplaced'])} 人" in texts(root)
    return found


def test_nine_box_as_the_graphql_answer(demo_server: LiveServer, tmp_path: Path) -> None:
    svg = fetch(demo_server.client, "/nine-box.svg")
    root = parse(svg)
    found = assert_like_graphql(root, demo_server.client, None)
    assert found[(2, 2)][0] == "明星" and found[(0, 0)][0] == "待改进"
    assert "九宫格 · 全公司" in "".join(root.find(f"{SVG_NS}title").itertext())  # type: ignore[union-attr]
    url = as_page(svg, tmp_path, "nine-box")
    dom = rendered(url)
    for must in ("九宫格", "明星", "核心骨干", "绩效", "潜力"):
        assert must in dom
    shot = screenshot(url, "nine-box", size=(int(float(root.get("width", "0"))),
                                             int(float(root.get("height", "0")))))
    assert shot.stat().st_size > 10_000
    keep_for_docs(shot)
    d10 = parse(fetch(demo_server.client, "/nine-box.svg", department="D10"))
    assert_like_graphql(d10, demo_server.client, "D10")
    assert "九宫格 · 组装部 (D10)" in texts(d10)


def test_nine_box_is_scoped_as_the_graphql_field(demo_server: LiveServer) -> None:
    """A manager sees its line, an employee itself only, exactly as nineBox answers them."""
    held = {r["employee_id"]: r["position_id"] for r in demo_rows("employee_positions.csv")
            if not r["end_date"]}
    manager = next(e for e, p in sorted(held.items()) if p == "P042")
    potential = {r["id"] for r in demo_rows("employees.csv") if r["potential"]}
    rated = sorted({r["employee_id"] for r in demo_rows("performance_reviews.csv")}
                   & potential & set(held))
    someone = rated[0]
    admin = sum(int(t[1].split()[0]) for t in cells(parse(fetch(
        demo_server.client, "/nine-box.svg"))).values())
    for roles, sub in ((("manager",), manager), (("employee",), someone)):
        client = demo_server.as_(*roles, sub=sub)
        found = assert_like_graphql(parse(fetch(client, "/nine-box.svg")), client, None)
        total = sum(int(t[1].split()[0]) for t in found.values())
        assert 0 < total < admin
        if roles == ("employee",):
            assert total == 1
            assert names()[someone] in " ".join(" ".join(t) for t in found.values())


def test_nine_box_bad_department(demo_server: LiveServer) -> None:
    response = demo_server.client.get("/nine-box.svg", params={"department": "D99"})
    assert response.status_code == 400
    assert "department: no Department with id 'D99'" in response.text


# -- the command line --------------------------------------------------------------------------


def chart_command(demo_graph: GraphHandle, *args: str) -> subprocess.CompletedProcess[str]:
    """``rolegraph chart ...`` against the tests' engine and the demo's database."""
    return rolegraph_on(demo_graph, "chart", *args)


def test_chart_command(demo_graph: GraphHandle, demo_server: LiveServer,
                       tmp_path: Path) -> None:
    out = tmp_path / "d06.svg"
    done = chart_command(demo_graph, "org", "--department", "D06", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert set(boxes(parse(out.read_text(encoding="utf-8")))) == {
        p["id"] for p in demo_rows("positions.csv") if p["department_id"] in {"D06", "D15"}}
    served = fetch(demo_server.client, "/org-chart.svg", department="D06")
    assert out.read_text(encoding="utf-8") == served  # the CLI acts as admin
    done = chart_command(demo_graph, "nine-box", "--department", "D10")
    assert done.returncode == 0, done.stderr
    assert done.stdout == fetch(demo_server.client, "/nine-box.svg", department="D10")


@pytest.mark.parametrize(("args", "message"), [
    (("org", "--depth", "0"), "error: --depth: depth must be a whole number from 1 to 100"),
    (("org", "--department", "D99"), "error: --department: no Department with id 'D99'"),
    (("nine-box", "--department", "D99"), "error: --department: no Department with id 'D99'"),
])
def test_chart_command_usage_errors(demo_graph: GraphHandle, args: tuple[str, ...],
                                    message: str) -> None:
    done = chart_command(demo_graph, *args)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith(message), done.stderr
    assert "Traceback" not in done.stderr


def test_the_chart_of_the_50000_employee_organisation(empty_graph: GraphHandle,
                                                      tmp_path: Path) -> None:
    """The departments and positions of the synthetic organisation of 50,000 employees
    (samples/generator.py: about 3,000 positions) read through the engine: the default chart
    is cut at the box limit by whole levels and says so, read and drawn in about a second."""
    org = Org(random.Random(1), plan_scale(50_000))
    draw_organisation(org)
    write_table(tmp_path, "departments", department_rows(org))
    write_table(tmp_path, "positions", position_rows(org))
    empty_graph.import_dir(tmp_path)
    started = time.perf_counter()
    chart = empty_graph.run(lambda g: org_chart(g, None, None, 10, MAX_BOXES))
    svg = render(chart)
    seconds = time.perf_counter() - started
    print(f"\n50,000 employees' organisation: {chart.tree.total} positions, "
          f"{len(chart.positions)} boxes, {chart.tree.levels} levels, "
          f"{len(svg.encode()) / 1e6:.2f} MB, read and drawn in {seconds:.2f} s")
    assert chart.tree.total == len(org.positions) and chart.tree.capped
    assert 0 < len(chart.positions) <= MAX_BOXES
    assert "岗位过多" in svg and len(svg.encode()) < 2_000_000
