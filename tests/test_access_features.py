"""Steps of features/access.feature: the access policy as an HR administrator reads it, asked
through GraphQL over real HTTP with each caller's own token, against the demo organisation (or a
copy of it to change). Expected people come from the demo's files (:mod:`access_oracle`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from access_oracle import department_people, owners, reporting_line
from api_client import demo_rows
from conftest import GraphHandle, LiveServer, LoopThread, demo_copy, serving, token
from pytest_bdd import given, parsers, scenarios, then, when

from graph.engine import EmbeddedEngine

scenarios("access.feature")

FILE = """query($id: ID!) { employee(id: $id) { id potential flightRisk
    reviews { period rating } competencies { level competency { id } }
    contracts { id monthlyWage } } }"""
EMPLOYEES = """query($after: String) { employees(first: 100, after: $after) { totalCount
    pageInfo { hasNextPage endCursor } edges { node { id } } } }"""
REPORT = "{ complianceReport { violations { ruleId focusClass focusId message } } }"
CHANGES = {
    "change the wage": ("""mutation($id: ID!) { updateContract(id: $id,
        input: {monthlyWage: 5555}) { id } }""", "contract"),
    "change the potential": ("""mutation($id: ID!) { updateEmployee(id: $id,
        input: {potential: HIGH}) { id } }""", "employee"),
    "assess a competency": ("""mutation($id: ID!) { assessCompetency(input: {employeeId: $id,
        competencyId: "C021", level: 5}) { id } }""", "employee"),
    "nominate a successor": ("""mutation($id: ID!) { nominateSuccessor(input: {employeeId: $id,
        positionId: "P041", readiness: READY_1_2_YEARS}) { id } }""", "employee"),
}
OUTCOMES = {"made": None, "forbidden": "FORBIDDEN", "not found": "NOT_FOUND"}


@dataclass
class Reader:
    """Who asks (its token), against which server, and the last answer."""

    server: LiveServer
    sub: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    answer: Any = None
    status: int = 200
    graph: GraphHandle | None = None
    before: Any = None
    whose: str = ""

    def ask(self, query: str, **variables: Any) -> Any:
        with httpx.Client(base_url=self.server.url, timeout=60, headers=self.headers) as c:
            response = c.post("/graphql", json={"query": query, "variables": variables})
        self.status = response.status_code
        self.answer = response.json()
        return self.answer

    def data(self, query: str, **variables: Any) -> Any:
        body = self.ask(query, **variables)
        assert self.status == 200 and "errors" not in body, body
        return body["data"]


@pytest.fixture(scope="module")
def changeable_org(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    with demo_copy(engine, loop_thread, "bddaccess") as handle:
        yield handle


@pytest.fixture(scope="module")
def changeable_server(changeable_org: GraphHandle) -> Iterator[LiveServer]:
    with serving(changeable_org.connection) as live:
        yield live


def _contract(employee: str) -> str:
    return next(k for k, v in owners().items() if v == employee and k.startswith("CT"))


def _employees(reader: Reader) -> set[str]:
    ids: set[str] = set()
    after = None
    while True:
        page = reader.data(EMPLOYEES, after=after)["employees"]
        ids |= {e["node"]["id"] for e in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(ids)
            return ids
        after = page["pageInfo"]["endCursor"]


# -- given ---------------------------------------------------------------------------------


@given(parsers.parse('the demo organisation, where "{manager}" manages "{position}" 组装部经理 '
                     'and "{report}" reports to them'), target_fixture="reader")
def _demo(demo_server: LiveServer, manager: str, position: str, report: str) -> Reader:
    held = {r["position_id"] for r in demo_rows("employee_positions.csv")
            if r["employee_id"] == manager and not r["end_date"]}
    assert held == {position}
    assert report in reporting_line(manager)
    return Reader(demo_server)


@given("a copy of the demo organisation that may be changed")
def _changeable(reader: Reader, changeable_server: LiveServer,
                changeable_org: GraphHandle) -> None:
    reader.server, reader.graph = changeable_server, changeable_org


@given(parsers.re(r'I sign in as "(?P<sub>[^"]+)" with the role "(?P<role>[^"]+)"'
                  r'( for the departments "(?P<departments>[^"]*)")?$'))
def _sign_in(reader: Reader, sub: str, role: str, departments: str | None) -> None:
    claimed = tuple(d for d in (departments or "").split(",") if d)
    reader.sub = sub
    reader.headers = {"Authorization": f"Bearer {token(role, sub=sub, departments=claimed)}"}


@given("I have not signed in")
def _anonymous(reader: Reader) -> None:
    reader.headers = {}


# -- when ----------------------------------------------------------------------------------


@when("I list the employees")
def _list(reader: Reader) -> None:
    body = reader.ask(EMPLOYEES)
    reader.answer = _employees(reader) if reader.status == 200 else body


@when(parsers.parse('I open the file of "{employee}"'))
def _open(reader: Reader, employee: str) -> None:
    reader.answer = reader.data(FILE, id=employee)["employee"]


@when("I run the compliance report")
def _report(reader: Reader) -> None:
    reader.answer = reader.data(REPORT)["complianceReport"]["violations"]


@when(parsers.parse('I try to {change} of "{whose}"'))
def _try(reader: Reader, change: str, whose: str) -> None:
    query, target = CHANGES[change]
    assert reader.graph is not None
    reader.whose, reader.before = whose, _state(reader.graph, whose)
    reader.ask(query, id=_contract(whose) if target == "contract" else whose)


def _state(graph: GraphHandle, employee: str) -> Any:
    return graph.read(
        "MATCH (e:Employee {id: $e}) RETURN properties(e) AS person, "
        "[(e)-[:HAS_CONTRACT]->(c) | properties(c)] AS contracts, "
        "[(e)-[r:HAS_COMPETENCY]->(c) | [c.id, r.level]] AS competencies, "
        "[(e)-[r:NOMINATED_SUCCESSOR]->(p) | [p.id, r.readiness]] AS nominations", e=employee)


# -- then ----------------------------------------------------------------------------------


@then(parsers.parse('I see myself and the current holders of every position below "{top}"'))
def _line(reader: Reader, top: str) -> None:
    assert reader.answer == reporting_line(reader.sub)


@then(parsers.parse('I see myself and the current holders of positions in "{department}" and '
                    "below it"))
def _department(reader: Reader, department: str) -> None:
    assert reader.answer == department_people({department}) | {reader.sub}


@then("I see their potential, flight risk, ratings and competencies")
def _sensitive(reader: Reader) -> None:
    person = reader.answer
    row = next(r for r in demo_rows("employees.csv") if r["id"] == person["id"])
    assert (person["potential"], person["flightRisk"]) == (row["potential"].upper(),
                                                           row["flight_risk"].upper())
    assert len(person["reviews"]) == sum(1 for r in demo_rows("performance_reviews.csv")
                                         if r["employee_id"] == person["id"])
    assert person["competencies"]


@then("I see no contract in it")
def _no_contract(reader: Reader) -> None:
    assert reader.answer["contracts"] == []


@then("I see the contract with its wage")
def _contract_shown(reader: Reader) -> None:
    person = reader.answer
    row = next(r for r in demo_rows("contracts.csv") if r["employee_id"] == person["id"])
    assert person["contracts"] == [{"id": row["id"], "monthlyWage": float(row["monthly_wage"])}]


@then("there is no such file")
def _absent(reader: Reader) -> None:
    assert reader.answer is None


@then("I am asked to sign in")
def _asked(reader: Reader) -> None:
    assert reader.status == 401
    assert reader.answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in reader.answer


@then(parsers.parse('it does not mention "{record}"'))
def _not_mentioned(reader: Reader, record: str) -> None:
    assert not [v for v in reader.answer if record in (v["focusId"], *v["message"].split())]


@then(parsers.parse('it does not report "{rule}", which would tell the flight risk of '
                    '"{employee}"'))
def _not_reported(reader: Reader, rule: str, employee: str) -> None:
    assert employee not in reporting_line(reader.sub)
    assert not [v for v in reader.answer if v["ruleId"] == rule]


@then(parsers.parse('it reports "{record}"'))
def _reported(reader: Reader, record: str) -> None:
    assert [v for v in reader.answer if v["focusId"] == record]


@then(parsers.parse("the file is {state}"))
def _file_is(reader: Reader, state: str) -> None:
    assert (reader.answer is not None) == (state == "shown")


@then(parsers.parse("the potential and flight risk are {state}"))
def _potential_is(reader: Reader, state: str) -> None:
    person = reader.answer or {}
    shown = person.get("potential") is not None and person.get("flightRisk") is not None
    assert shown == (state == "shown")


@then(parsers.parse("the wage is {state}"))
def _wage_is(reader: Reader, state: str) -> None:
    contracts = [] if reader.answer is None else reader.answer["contracts"]
    assert [c["monthlyWage"] is not None for c in contracts] == (
        [True] if state == "shown" else [])


@then(parsers.parse('the department "{department}" still counts all its people'))
def _counts(reader: Reader, department: str) -> None:
    got = reader.data('query($d: ID!) { department(id: $d) { employeeCount } }', d=department)
    assert got["department"]["employeeCount"] == len(department_people({department}))


@then(parsers.parse("the change is {outcome}"))
def _outcome(reader: Reader, outcome: str) -> None:
    code = OUTCOMES[outcome]
    assert reader.graph is not None
    after = _state(reader.graph, reader.whose)
    if code is None:
        assert "errors" not in reader.answer, reader.answer
        assert after != reader.before
        return
    assert reader.answer["data"] is None
    assert [e["extensions"]["code"] for e in reader.answer["errors"]] == [code]
    assert after == reader.before
