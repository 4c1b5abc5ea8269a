"""Steps of features/boundary.feature: HR's boundary questions, asked of the demo organisation
over the GraphQL API (and the CSV download) on real HTTP."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from api_client import data
from conftest import LiveServer
from pytest_bdd import given, parsers, scenarios, then, when

scenarios("boundary.feature")

HOLDER = "raci position { title } department { name }"


@pytest.fixture
def answer() -> dict[str, Any]:
    """What the last question returned."""
    return {}


@given("the demo organisation", target_fixture="api")
def _demo(demo_server: LiveServer) -> LiveServer:
    return demo_server


def _department_id(api: LiveServer, name: str) -> str:
    found = data(api.client, """query($name: String!) { departments(filter: {text: $name},
        first: 100) { edges { node { id name } } } }""", name=name)["departments"]["edges"]
    ids = [e["node"]["id"] for e in found if e["node"]["name"] == name]
    assert len(ids) == 1, f"no single department called {name}"
    return str(ids[0])


def _titles(positions: list[dict[str, Any]]) -> str:
    return " > ".join(p["title"] for p in positions)


def _departments(owners: list[dict[str, Any]]) -> str:
    return ", ".join(sorted({o["department"]["name"] for o in owners}))


# -- shared responsibilities ----------------------------------------------------------------------


@when("HR asks which duties two or more positions own in the same role")
def _ask_shared(api: LiveServer, answer: dict[str, Any]) -> None:
    answer.update(data(api.client, f"""{{ sharedResponsibilities {{ items {{
        responsibility {{ name }} ownerCount crossDepartment owners {{ {HOLDER} }} }} }} }}""")
                  ["sharedResponsibilities"])


@then("these duties are named:")
def _shared_named(answer: dict[str, Any], datatable: list[list[str]]) -> None:
    got = [[i["responsibility"]["name"], str(i["ownerCount"]),
            "yes" if i["crossDepartment"] else "no"] for i in answer["items"]]
    assert got == datatable[1:]


@then(parsers.parse('"{duty}" is owned by:'))
def _owned_by(answer: dict[str, Any], duty: str, datatable: list[list[str]]) -> None:
    item = next(i for i in answer["items"] if i["responsibility"]["name"] == duty)
    got = [[o["raci"], o["position"]["title"], o["department"]["name"]] for o in item["owners"]]
    assert got == datatable[1:]


# -- accountability gaps ----------------------------------------------------------------------


@when("HR asks for accountability gaps")
def _ask_gaps(api: LiveServer, answer: dict[str, Any]) -> None:
    answer.update(data(api.client, """{ accountabilityGaps {
        noAccountable { responsibility { name } } multipleAccountable { responsibility { name } }
        noResponsible { responsibility { name } }
        positionsWithoutResponsibilities { position { title } } } }""")["accountabilityGaps"])


@then("the gaps are:")
def _gaps(answer: dict[str, Any], datatable: list[list[str]]) -> None:
    kinds = {"nobody accountable": "noAccountable", "several accountable": "multipleAccountable",
             "nobody responsible": "noResponsible",
             "position without duties": "positionsWithoutResponsibilities"}
    got = [[kind, x["responsibility"]["name"] if "responsibility" in x
            else x["position"]["title"]]
           for kind, key in kinds.items() for x in answer[key]]
    assert got == datatable[1:]


# -- department interface -----------------------------------------------------------------------


@when(parsers.parse('HR asks what "{a}" and "{b}" share'))
def _ask_interface(api: LiveServer, answer: dict[str, Any], a: str, b: str) -> None:
    answer.update(data(api.client, f"""query($a: ID!, $b: ID!) {{ departmentInterface(a: $a,
        b: $b) {{ a {{ name }} b {{ name }}
          shared {{ responsibility {{ name }} contested holdersA {{ {HOLDER} }}
                    holdersB {{ {HOLDER} }} }}
          similar {{ pairs {{ a {{ responsibility {{ name }} }}
                              b {{ responsibility {{ name }} }} }} }}
          reportingLines {{ position {{ title }} }} }} }}""",
                        a=_department_id(api, a), b=_department_id(api, b))
                   ["departmentInterface"])


@then("neither department claims a duty the other also claims")
def _nothing_contested(answer: dict[str, Any]) -> None:
    assert answer["shared"] and not any(s["contested"] for s in answer["shared"])


@then("both hold a role in these duties:")
def _both_hold(answer: dict[str, Any], datatable: list[list[str]]) -> None:
    assert datatable[0][1:] == [answer["a"]["name"], answer["b"]["name"]]
    got = [[s["responsibility"]["name"], "/".join(h["raci"] for h in s["holdersA"]),
            "/".join(h["raci"] for h in s["holdersB"])] for s in answer["shared"]]
    assert got == datatable[1:]


@then("these duties say the same thing in different words:")
def _interface_similar(answer: dict[str, Any], datatable: list[list[str]]) -> None:
    got = [[p["a"]["responsibility"]["name"], p["b"]["responsibility"]["name"]]
           for p in answer["similar"]["pairs"]]
    assert got == datatable[1:]


@then("no reporting line crosses between them")
def _no_lines(answer: dict[str, Any]) -> None:
    assert answer["reportingLines"] == []


# -- similar responsibilities -------------------------------------------------------------------


@when("HR asks for similar duties anywhere in the organisation")
def _ask_similar(api: LiveServer, answer: dict[str, Any]) -> None:
    answer.update(data(api.client, f"""{{ similarResponsibilities {{ threshold pairs {{
        score sharedTerms a {{ responsibility {{ name }} owners {{ {HOLDER} }} }}
        b {{ responsibility {{ name }} owners {{ {HOLDER} }} }} }} }} }}""")
                  ["similarResponsibilities"])


@then("these pairs are found, most similar first:")
def _similar_pairs(answer: dict[str, Any], datatable: list[list[str]]) -> None:
    got = [[p["a"]["responsibility"]["name"], _departments(p["a"]["owners"]),
            p["b"]["responsibility"]["name"], _departments(p["b"]["owners"])]
           for p in answer["pairs"]]
    assert got == datatable[1:]


@then(parsers.parse("every pair shows a score above {threshold:f} and the words both duties "
                    "share"))
def _explained(answer: dict[str, Any], threshold: float) -> None:
    assert answer["threshold"] == threshold
    for pair in answer["pairs"]:
        assert threshold < pair["score"] <= 1
        texts = [pair[side]["responsibility"]["name"] for side in ("a", "b")]
        assert pair["sharedTerms"], texts


# -- RACI matrix ---------------------------------------------------------------------------------


@when(parsers.parse('HR downloads the RACI matrix of "{department}" as a spreadsheet'))
def _download(api: LiveServer, answer: dict[str, Any], department: str) -> None:
    response = api.client.get("/raci.csv", params={"department": _department_id(api, department)})
    assert response.status_code == 200
    answer["filename"] = response.headers["content-disposition"]
    answer["table"] = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))


@then(parsers.parse('the file is named "{name}"'))
def _file_name(answer: dict[str, Any], name: str) -> None:
    assert f'filename="{name}"' in answer["filename"]


@then(parsers.parse('the row "{duty}" reads:'))
def _row(answer: dict[str, Any], duty: str, datatable: list[list[str]]) -> None:
    header, *rows = answer["table"]
    row = next(r for r in rows if r[1] == duty)
    # column titles read "P042 组装班组长 (组装部)"
    got = [[title.split(" ")[1], role] for title, role in zip(header[3:], row[3:], strict=True)
           if role]
    assert got == datatable[1:]


# -- spans, layers, shapes ------------------------------------------------------------------------


@when(parsers.parse("HR asks which positions have more than {limit:d} direct reports"))
def _ask_spans(api: LiveServer, answer: dict[str, Any], limit: int) -> None:
    answer["spans"] = data(api.client, """query($limit: Int!) { positionSpans(maxSpan: $limit,
        overLimitOnly: true) { position { title } span } }""", limit=limit)["positionSpans"]


@then(parsers.parse('the only one is "{title}" with {span:d} direct reports'))
def _only_span(answer: dict[str, Any], title: str, span: int) -> None:
    assert answer["spans"] == [{"position": {"title": title}, "span": span}]


@when(parsers.parse("HR asks which positions sit below layer {limit:d}"))
def _ask_layers(api: LiveServer, answer: dict[str, Any], limit: int) -> None:
    answer["layers"] = data(api.client, """query($limit: Int!) { positionLayers(
        maxLayers: $limit, overLimitOnly: true) { position { title } layer
        chain { title } } }""", limit=limit)["positionLayers"]


@then("these positions are named:")
def _layers(answer: dict[str, Any], datatable: list[list[str]]) -> None:
    got = [[p["position"]["title"], str(p["layer"]), _titles(p["chain"])]
           for p in answer["layers"]]
    assert got == datatable[1:]


@then(parsers.parse("with at most {depth:d} layers and {span:d} direct reports per department, "
                    "these departments stand out:"))
def _shapes(api: LiveServer, depth: int, span: int, datatable: list[list[str]]) -> None:
    shapes = data(api.client, """query($depth: Int!, $span: Int!) { departmentShapes(
        maxDepth: $depth, maxSpan: $span) { department { name } layers widestSpan tooDeep
        tooWide } }""", depth=depth, span=span)["departmentShapes"]
    got = [[s["department"]["name"], str(s["layers"]), str(s["widestSpan"]),
            ", ".join(w for w, on in (("layers", s["tooDeep"]), ("span", s["tooWide"])) if on)]
           for s in shapes]
    assert got == datatable[1:]


# -- headcount -----------------------------------------------------------------------------------


@when("HR asks for positions whose incumbents differ from their headcount")
def _ask_headcount(api: LiveServer, answer: dict[str, Any]) -> None:
    answer.update(data(api.client, """{ headcountStatus {
        overflow { position { title } headcount incumbents }
        vacancies { position { title } headcount incumbents } } }""")["headcountStatus"])


def _staffing(rows: list[dict[str, Any]]) -> list[list[str]]:
    return [[r["position"]["title"], str(r["headcount"]), str(r["incumbents"])] for r in rows]


@then("these positions are over headcount:")
def _overflow(answer: dict[str, Any], datatable: list[list[str]]) -> None:
    assert _staffing(answer["overflow"]) == datatable[1:]


@then("these positions have vacancies:")
def _vacancies(answer: dict[str, Any], datatable: list[list[str]]) -> None:
    assert _staffing(answer["vacancies"]) == datatable[1:]
