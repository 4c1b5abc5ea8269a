"""The acceptance matrix of access control (issue 10): role × class × field, and every analytic
answer, over real HTTP against the demo organisation.

Nothing here is written by hand per class or per field: the selections are built from the
GraphQL schema (every field of every record type, and of every analytic answer), the classes
come from the ontology, what each caller may see from the policy file and the demo's CSV files
(:mod:`access_oracle`). For each caller (every role of the policy, an ``hr`` caller limited to
one department, a manager, a service without a role):

* **lookups**: in-scope and out-of-scope records of every class, and a missing id, with every
  field; the answer must equal the admin's answer with what the caller may not see taken out
  (records absent or null, values null), and hold no leak;
* **lists**: every page of every class with every field; the same comparison, with
  ``totalCount``;
* **analytics**: every analytic field of the Query type; no record, relationship or value the
  caller may not see, no out-of-scope person named anywhere (ids in any text, names as
  values), and nobody in scope missing; the organisation answers equal the admin's;
* **the RACI CSV**: no person at all.

The leak counts are asserted to be 0, with every leak listed when not.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import httpx
import pytest
from access_oracle import (
    ADMIN,
    CALLERS,
    EMPLOYEE_ID,
    HIDDEN,
    Caller,
    Judge,
    View,
    camel,
    graphql_schema,
    names_out_of_scope,
    node_classes,
    owners,
    people_named,
    record_key,
    required,
    selection,
)
from api_client import data, demo_rows, gql
from conftest import GraphHandle, LiveServer, serving
from graphql import GraphQLObjectType, get_named_type

from graph.settings import Settings
from schema.gql.names import QUERY_FIELDS
from schema.ontology import default_ontology

CLASSES = list(QUERY_FIELDS)
SAMPLE = 3  # in-scope and out-of-scope records looked up per class
PAGE = 100
MISSING = "no-such-id"
CALLER_IDS = [c.name for c in CALLERS]


#: the selections ask for every field, every list at its maximum (so nothing is cut off): far
#: above what any client needs and what the cost limit admits (README, "Limits"); the matrix
#: is about who sees what, so its server admits them
EVERYTHING_BUDGET = 10**12


@pytest.fixture(scope="module")
def matrix_server(demo_graph: GraphHandle) -> Iterator[LiveServer]:
    with serving(demo_graph.connection,
                 Settings(mode="development", cost_budget=EVERYTHING_BUDGET)) as server:
        yield server


@pytest.fixture(scope="module")
def clients(matrix_server: LiveServer) -> dict[str, httpx.Client]:
    return {c.name: c.client(matrix_server) for c in CALLERS}


@pytest.fixture(scope="module")
def admin_answers(clients: dict[str, httpx.Client]) -> Callable[..., Any]:
    """The admin's answer to a query (asked once per module): what exists, unfiltered."""
    answers: dict[str, Any] = {}

    def ask(query: str, **variables: Any) -> Any:
        key = json.dumps([query, variables], sort_keys=True)
        if key not in answers:
            answers[key] = data(clients[ADMIN.name], query, **variables)
        return answers[key]

    return ask


@cache
def keys(class_name: str) -> tuple[str, ...]:
    spec = default_ontology().cls(class_name)
    return tuple(sorted(record_key(class_name, r) for r in demo_rows(spec.file)))


def sample(view: View, class_name: str) -> list[str]:
    """Up to SAMPLE records the caller sees and SAMPLE it does not (its own among them when
    it has some), and a missing id."""
    own = [k for k in keys(class_name) if view.self_id is not None
           and view.about(class_name, k) == view.self_id]
    seen = own[:1] + [k for k in keys(class_name) if view.sees(class_name, k)
                      and k not in own[:1]][:SAMPLE]
    unseen = [k for k in keys(class_name) if not view.sees(class_name, k)][:SAMPLE]
    return [*seen, *unseen, MISSING]


def lookup_query(class_name: str, ids: list[str]) -> str:
    single, _ = QUERY_FIELDS[class_name]
    type_name = _type_name(class_name)
    aliases = " ".join(f"r{i}: {camel(single)}(id: {json.dumps(k)}) {{ ...all }}"
                       for i, k in enumerate(ids))
    return f"{{ {aliases} }} fragment all on {type_name} {{ {selection(type_name, 2)} }}"


def _type_name(class_name: str) -> str:
    from schema.gql.types import NODE_TYPES

    return str(NODE_TYPES[class_name].__strawberry_definition__.name)


def _report(caller: Caller, what: str, leaks: list[str]) -> str:
    shown = "\n  ".join(leaks[:25])
    return f"{len(leaks)} leak(s) for {caller.name} in {what}:\n  {shown}"


# -- lookups and lists ----------------------------------------------------------------------


@pytest.mark.parametrize("class_name", CLASSES)
@pytest.mark.parametrize("caller", CALLERS, ids=CALLER_IDS)
def test_lookup_of_every_field(clients: dict[str, httpx.Client],
                               admin_answers: Callable[..., Any], caller: Caller,
                               class_name: str) -> None:
    """In-scope records answer with exactly the fields the caller reads (the rest null, the
    relationships to records it may not see left out); out-of-scope ones answer null, exactly
    like the missing id."""
    view = View(caller)
    ids = sample(view, class_name)
    query = lookup_query(class_name, ids)
    judge = Judge(view)
    got = data(clients[caller.name], query)
    leaks = judge.leaks(got, class_name)
    assert not leaks, _report(caller, f"{class_name} lookups", leaks)
    admin = admin_answers(query)
    expected = {alias: (None if (e := judge.expect(v)) is HIDDEN else e)
                for alias, v in admin.items()}
    for i, key in enumerate(ids):
        assert got[f"r{i}"] == expected[f"r{i}"], f"{caller.name}: {class_name} {key}"
    assert got[f"r{len(ids) - 1}"] is None  # the missing one
    hidden = [k for k in ids[:-1] if not view.sees(class_name, k)]
    assert all(got[f"r{ids.index(k)}"] is None for k in hidden)


def _all_pages(client: httpx.Client, class_name: str) -> tuple[list[Any], int]:
    """Every record of the list, with its fields and the ids of the records it links to (the
    linked records' own fields are judged by the lookups, two levels down)."""
    _, plural = QUERY_FIELDS[class_name]
    field = camel(plural)
    query = (f"query($after: String) {{ {field}(first: {PAGE}, after: $after) {{ totalCount "
             f"pageInfo {{ hasNextPage endCursor }} edges {{ node {{ "
             f"{selection(_type_name(class_name), 0)} }} }} }} }}")
    nodes: list[Any] = []
    after = None
    while True:
        page = data(client, query, after=after)[field]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


@pytest.fixture(scope="module")
def admin_lists(clients: dict[str, httpx.Client]) -> Callable[[str], tuple[list[Any], int]]:
    """Every page of a class's list as the admin gets it (asked once per module)."""
    found: dict[str, tuple[list[Any], int]] = {}

    def pages(class_name: str) -> tuple[list[Any], int]:
        if class_name not in found:
            found[class_name] = _all_pages(clients[ADMIN.name], class_name)
        return found[class_name]

    return pages


@pytest.mark.parametrize("class_name", CLASSES)
@pytest.mark.parametrize("caller", CALLERS, ids=CALLER_IDS)
def test_list_of_every_field(clients: dict[str, httpx.Client],
                             admin_lists: Callable[[str], tuple[list[Any], int]],
                             caller: Caller, class_name: str) -> None:
    """Every page of the list holds exactly the records the caller sees, redacted as for a
    lookup, and ``totalCount`` counts only those."""
    view = View(caller)
    judge = Judge(view)
    got, total = _all_pages(clients[caller.name], class_name)
    leaks = judge.leaks(got, f"{class_name} list")
    assert not leaks, _report(caller, f"the {class_name} list", leaks)
    admin, admin_total = admin_lists(class_name)
    assert admin_total == len(keys(class_name))  # the admin's answer is the whole demo
    expected = judge.expect(admin)
    assert total == len(got) == len(expected)
    assert [r["id"] for r in got] == [r["id"] for r in expected]
    assert got == expected
    assert {r["id"] for r in got} == {k for k in keys(class_name) if view.sees(class_name, k)}


# -- analytics -------------------------------------------------------------------------------


def _someone(view: View) -> str:
    """An employee the caller sees (itself first), else one it does not."""
    if view.self_id is not None:
        return view.self_id
    return min(view.people) if view.people else "E0180"


#: arguments for the analytic fields that need some; every analytic field of the Query type
#: is checked, so a new one fails here until it is given arguments (or none are needed)
def analytic_arguments(view: View) -> dict[str, dict[str, Any]]:
    someone = _someone(view)
    return {
        "departmentInterface": {"a": "D10", "b": "D12"},
        "raciMatrix": {"department": "D01"},
        "departmentShapes": {"overLimitOnly": False},
        "fit": {"employee": someone, "position": "P042"},
        "candidates": {"position": "P042", "first": 30},
        "careerMoves": {"employee": someone, "first": 30},
        "whoCan": {"competency": "C021"},
        "teamCoverage": {"department": "D01"},
        "successionPlan": {"position": "P041", "first": 30},
        "objectiveProgress": {"period": "2026"},
        "appraisal": {"employee": someone, "period": "2026-Q1"},
        "appraisals": {"period": "2026-Q1", "first": 100},
        "calibration": {"period": "2026-Q1"},
        "kpiAlerts": {"period": "2026-Q1"},
        "trainingNeeds": {"period": "2026-Q1"},
    }


#: answers cut to a first-N window: the caller's window is the admin's ranking restricted to
#: the people it sees, so only a prefix can be compared
TRUNCATED = frozenset({"candidates", "successionPlan"})
#: answers about organisation structure only: equal to the admin's, with nested records judged
ORGANISATION = frozenset({
    "sharedResponsibilities", "accountabilityGaps", "departmentInterface",
    "similarResponsibilities", "raciMatrix", "positionSpans", "positionLayers",
    "departmentShapes", "headcountStatus", "complianceRules", "objectiveProgress"})
#: answers about people: scoped to the people the caller sees
PEOPLE = frozenset({"complianceReport", "fit", "careerMoves", "mismatches", "whoCan",
                    "teamCoverage", "benchStrength", "successionRisks", "nineBox",
                    "appraisal", "appraisals", "calibration", "kpiAlerts", "trainingNeeds"})
#: the audit trail: only roles that read it (``audit: true``), FORBIDDEN for the others
AUDIT = frozenset({"auditLog"})


@cache
def analytic_fields() -> tuple[str, ...]:
    """The Query type's fields other than the generated lookups and lists."""
    query = graphql_schema().query_type
    assert query is not None
    generated = {camel(n) for pair in QUERY_FIELDS.values() for n in pair}
    return tuple(sorted(set(query.fields) - generated))


def analytic_query(field: str, arguments: dict[str, Any]) -> str:
    """The field with these arguments and every field of its answer, four levels down; the
    records in it with their fields and the ids of the records they link to."""
    query = graphql_schema().query_type
    assert query is not None
    f = query.fields[field]
    missing = [a for a, arg in f.args.items() if a not in arguments and required(arg)]
    assert not missing, f"give {field} values for {missing} in analytic_arguments"
    named = get_named_type(f.type)
    decl = ", ".join(f"${a}: {f.args[a].type}" for a in arguments)
    call = ", ".join(f"{a}: ${a}" for a in arguments)
    body = (f" {{ {selection(named.name, 4, node_depth=0)} }}"
            if isinstance(named, GraphQLObjectType) else "")
    head = f"query({decl}) " if decl else ""
    return f"{head}{{ {field}{f'({call})' if call else ''}{body} }}"


ANALYTICS = [(c, f) for c in CALLERS for f in analytic_fields()]


def test_every_analytic_field_is_in_the_matrix() -> None:
    """Every analytic field of the Query type is judged as one kind of answer: a new one
    fails here until it is classified."""
    kinds = TRUNCATED | ORGANISATION | PEOPLE | AUDIT
    assert not set(analytic_fields()) - kinds, "classify the new fields for the matrix"
    assert set(analytic_fields()) >= (TRUNCATED | ORGANISATION | PEOPLE)


@pytest.mark.parametrize(("caller", "field"), ANALYTICS,
                         ids=[f"{c.name}-{f}" for c, f in ANALYTICS])
def test_analytic_answer(clients: dict[str, httpx.Client], admin_answers: Callable[..., Any],
                         caller: Caller, field: str) -> None:
    """No one outside the caller's scope appears anywhere in the answer, no value it may not
    read, and no one in its scope is missing."""
    view = View(caller)
    judge = Judge(view)
    variables = analytic_arguments(view).get(field, {})
    query = analytic_query(field, variables)
    body = gql(clients[caller.name], query, **variables)
    admin = admin_answers(query, **variables)[field]
    if field in AUDIT and not any(view.policy.roles[r].audit for r in caller.roles):
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
        return
    if field in {"fit", "careerMoves", "appraisal"} \
            and not view.sees_person(variables["employee"]):
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
        return
    assert "errors" not in body, body["errors"]
    got = body["data"][field]
    leaks = judge.leaks(got, field)
    named = people_named(got)
    leaks += [f"{field}: names {p}, out of scope" for p in sorted(named - view.people)]
    leaks += [f"{field}: the name {n!r} of someone out of scope"
              for n in sorted(names_out_of_scope(got, view))]
    assert not leaks, _report(caller, field, leaks)
    expected = judge.expect(admin)
    if field in ORGANISATION:
        assert got == expected
    elif field in TRUNCATED:
        theirs = [p for p in _ranked(admin) if view.sees_person(p)]
        assert _ranked(got)[:len(theirs)] == theirs
    else:
        missing = (people_named(_about_seen(admin, view)) & view.people) - named
        assert not missing, f"{caller.name}: {field} leaves out {sorted(missing)}"


def _about_seen(value: Any, view: View) -> Any:
    """An answer without the items about people the caller does not see (an item of a list
    is about the people it links to directly, or through objects that are not records)."""
    if isinstance(value, list):
        return [_about_seen(v, view) for v in value
                if not (set(_subjects(v)) - view.people)]
    if isinstance(value, dict):
        return {k: _about_seen(v, view) for k, v in value.items()}
    return value


def _subjects(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return []
    if value.get("__typename") == "Employee":
        return [value["id"]]
    if value.get("__typename") in node_classes():
        return []
    return [p for v in value.values() for p in _subjects(v)]


def _ranked(answer: Any) -> list[str]:
    """The people of a ranked answer (candidates, a plan's candidates), in order."""
    items = answer if isinstance(answer, list) else answer["candidates"]
    return [item["employee"]["id"] for item in items]


def test_the_matrix_judges_something(clients: dict[str, httpx.Client]) -> None:
    """Guards the matrix itself: the judge must find the leaks of an answer that shows
    everything (the admin's) to a manager, or the zeros above prove nothing."""
    view = View(next(c for c in CALLERS if c.name == "manager"))
    admin = data(clients[ADMIN.name], lookup_query("Employee", ["E0001", "E0180"]))
    leaks = Judge(view).leaks(admin)
    assert any("E0001" in line and "may not see" in line for line in leaks)
    assert any("Contract" in line for line in leaks)  # E0180's contract: confidential
    assert owners()["CT0180"] == "E0180"


# -- the RACI CSV ----------------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS, ids=CALLER_IDS)
def test_raci_csv_names_no_one(clients: dict[str, httpx.Client], caller: Caller) -> None:
    """The RACI matrix is organisation structure: the same for every caller, no person in
    it."""
    for params in ({"department": "D01"}, {"department": "D10"}):
        got = clients[caller.name].get("/raci.csv", params=params)
        admin = clients[ADMIN.name].get("/raci.csv", params=params)
        assert got.status_code == 200, got.text
        assert got.text == admin.text
        assert not EMPLOYEE_ID.findall(got.text)
        view = View(caller)
        assert not names_out_of_scope(got.text.replace(",", "\n").splitlines(), view)
