"""The audit trail: every mutation and import leaves events in its own transaction, with who,
when and the values before and after; refused writes leave none; only the audit roles read it;
it survives export and import, and the command line shows it (also while a server runs)."""

from __future__ import annotations

import csv
import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_client import data, demo_rows, error
from conftest import GraphHandle, LiveServer, LoopThread, demo_copy, new_database, serving
from test_cli import rolegraph, start_serve, wait_for_health

from graph.audit import (
    AUDIT_FILE,
    AuditContext,
    AuditEvent,
    AuditFilter,
    FieldChange,
    cli_actor,
    export_trail,
    read_page,
)
from graph.engine import EmbeddedEngine
from graph.engine_process import free_port
from graph.exporter import export_directory
from graph.repository import Repository
from rolegraph.auth import SECRET_FILE, issue_token

SMALL = Path(__file__).parent / "data" / "small_org"
EVENT = """id at actor roles requestId operation className recordId records
    changes { field before after } imported { files { file rows } nodes relationships
    auditEvents }"""
LOG = f"""query($record: ID, $actor: String, $className: String, $from: DateTime,
    $to: DateTime, $first: Int! = 100, $after: String) {{
  auditLog(record: $record, actor: $actor, className: $className, from: $from, to: $to,
           first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage hasPreviousPage endCursor }}
    edges {{ cursor node {{ {EVENT} }} }} }} }}"""


@pytest.fixture(scope="module")
def org(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    with demo_copy(engine, loop_thread, "audit") as handle:
        yield handle


@pytest.fixture(scope="module")
def server(org: GraphHandle) -> Iterator[LiveServer]:
    with serving(org.connection) as live:
        yield live


def log(server: LiveServer, **variables: Any) -> list[dict[str, Any]]:
    """The events ``auditLog`` answers an auditor with, newest first."""
    got = data(server.as_("auditor", sub="auditor-1"), LOG, **variables)["auditLog"]
    return [edge["node"] for edge in got["edges"]]


def mutate(client: httpx.Client, mutation: str) -> tuple[dict[str, Any], str]:
    """Run a mutation that must succeed; its data and the response's X-Request-Id."""
    response = client.post("/graphql", json={"query": f"mutation {{ {mutation} }}"})
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"], response.headers["x-request-id"]


def changes(event: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    return {c["field"]: (c["before"], c["after"]) for c in event["changes"]}


def test_an_update_records_who_when_what_and_the_values_before_and_after(
        server: LiveServer) -> None:
    contract = demo_rows("contracts.csv")[0]
    client = server.as_("admin", sub="payroll-admin")
    _, request_id = mutate(client, f'updateContract(id: "{contract["id"]}", input: '
                                   '{monthlyWage: 41000, endDate: "2030-12-31"}) { id }')
    event = log(server, record=contract["id"])[0]
    assert {k: event[k] for k in ("actor", "roles", "requestId", "operation", "className",
                                  "recordId", "records", "imported")} == {
        "actor": "payroll-admin", "roles": ["admin"], "requestId": request_id,
        "operation": "updateContract", "className": "Contract", "recordId": contract["id"],
        "records": [contract["id"]], "imported": None}
    assert changes(event) == {"monthlyWage": (contract["monthly_wage"], "41000"),
                              "endDate": (None, "2030-12-31")}  # only what changed


def test_a_reference_column_is_a_change_found_under_both_departments(
        server: LiveServer) -> None:
    position = next(r for r in demo_rows("positions.csv") if r["department_id"] == "D02")
    _, request_id = mutate(server.client, f'updatePosition(id: "{position["id"]}", '
                                          'input: {departmentId: "D03", grade: 9}) { id }')
    event = log(server, record="D02")[0]
    assert event["requestId"] == request_id
    assert changes(event) == {"departmentId": ("D02", "D03"),
                              "grade": (position["grade"], "9")}
    assert event["records"] == [position["id"], "D02", "D03"]
    assert log(server, record="D03")[0]["id"] == event["id"]


def test_create_then_delete_with_cascade(server: LiveServer) -> None:
    c = server.as_("admin", sub="hr-admin")
    _, created = mutate(c, 'createEmployee(input: {id: "EA1", name: "审计员", '
                           'hireDate: "2026-03-01", potential: HIGH}) { id }')
    mutate(c, 'createContract(input: {id: "CTA1", employeeId: "EA1", type: OPEN_ENDED, '
              'startDate: "2026-03-01", monthlyWage: 9000}) { id }')
    mutate(c, 'createPerformanceReview(input: {employeeId: "EA1", period: "2026", '
              'rating: 4}) { id }')
    mutate(c, 'assessCompetency(input: {employeeId: "EA1", competencyId: "C001", level: 3}) '
              '{ id }')
    deleted, request_id = mutate(c, 'deleteEmployee(id: "EA1") { cascaded }')
    assert deleted == {"deleteEmployee": {"cascaded": ["Contract CTA1",
                                                       "PerformanceReview EA1/2026"]}}
    events = log(server, record="EA1")
    made = events[-1]
    assert (made["operation"], made["requestId"]) == ("createEmployee", created)
    assert changes(made) == {"id": (None, "EA1"), "name": (None, "审计员"),
                             "hireDate": (None, "2026-03-01"), "potential": (None, "high")}
    gone = [e for e in events if e["operation"] == "deleteEmployee"]
    assert {(e["className"], e["recordId"]) for e in gone} == {
        ("Employee", "EA1"), ("Contract", "CTA1"), ("PerformanceReview", "EA1/2026"),
        ("HAS_COMPETENCY", "EA1")}
    assert {e["requestId"] for e in gone} == {request_id} and len({e["at"] for e in gone}) == 1
    by_class = {e["className"]: changes(e) for e in gone}
    assert by_class["Employee"] == {"id": ("EA1", None), "name": ("审计员", None),
                                    "hireDate": ("2026-03-01", None), "potential": ("high", None)}
    assert by_class["Contract"]["employeeId"] == ("EA1", None)
    assert by_class["Contract"]["monthlyWage"] == ("9000", None)
    assert by_class["PerformanceReview"] == {"employeeId": ("EA1", None),
                                             "period": ("2026", None), "rating": ("4", None)}
    assert by_class["HAS_COMPETENCY"] == {"employeeId": ("EA1", None),
                                          "competencyId": ("C001", None), "level": ("3", None)}


def test_setting_and_removing_a_relationship(server: LiveServer) -> None:
    c = server.client
    employee = demo_rows("employees.csv")[5]["id"]
    held = {r["competency_id"] for r in demo_rows("employee_competencies.csv")
            if r["employee_id"] == employee}
    competency = next(r["id"] for r in demo_rows("competencies.csv") if r["id"] not in held)
    ends = f'employeeId: "{employee}", competencyId: "{competency}"'
    for level in (2, 3, 3):  # the second 3 changes nothing: no event
        mutate(c, f'assessCompetency(input: {{{ends}, level: {level}, '
                  'assessedOn: "2026-01-10"}) { id }')
    _, removed = mutate(c, f"removeCompetencyAssessment(input: {{{ends}}}) {{ removed }}")
    events = log(server, record=competency, className="HAS_COMPETENCY")  # the far end
    assert [e["operation"] for e in events] == [
        "removeCompetencyAssessment", "assessCompetency", "assessCompetency"]
    assert [changes(e) for e in events] == [
        {"employeeId": (employee, None), "competencyId": (competency, None),
         "level": ("3", None), "assessedOn": ("2026-01-10", None)},
        {"level": ("2", "3")},
        {"employeeId": (None, employee), "competencyId": (None, competency),
         "level": (None, "2"), "assessedOn": (None, "2026-01-10")}]
    assert events[0]["requestId"] == removed
    assert all(e["records"] == [employee, competency] and e["recordId"] == employee
               for e in events)
    assert log(server, record=employee, className="HAS_COMPETENCY") == events


@pytest.mark.parametrize(("roles", "departments", "mutation", "code"), [
    (("employee",), (), 'updatePosition(id: "P001", input: {grade: 11}) { id }', "FORBIDDEN"),
    (("hr",), ("D02",), 'updatePosition(id: "P001", input: {grade: 11}) { id }', "FORBIDDEN"),
    (("admin",), (), 'updatePosition(id: "P001", input: {grade: 40}) { id }', "BAD_INPUT"),
    (("admin",), (), 'updatePosition(id: "P999", input: {grade: 4}) { id }', "NOT_FOUND"),
    (("admin",), (), 'deleteResponsibility(id: "R0008") { id }', "CONFLICT"),
    (("admin",), (), 'assessCompetency(input: {employeeId: "E0001", competencyId: "C999", '
                     'level: 3}) { id }', "NOT_FOUND"),
])
def test_a_refused_write_leaves_no_event(server: LiveServer, roles: tuple[str, ...],
                                         departments: tuple[str, ...], mutation: str,
                                         code: str) -> None:
    def total() -> int:
        got = data(server.client, "{ auditLog(first: 1) { totalCount } }")
        return int(got["auditLog"]["totalCount"])

    before = total()
    err = error(server.as_(*roles, sub="E0002", departments=departments),
                f"mutation {{ {mutation} }}")
    assert err["extensions"]["code"] == code
    assert total() == before


@pytest.mark.parametrize("role", ["hr", "manager", "employee", "compliance"])
def test_only_the_audit_roles_read_the_trail(server: LiveServer, role: str) -> None:
    err = error(server.as_(role, sub="E0001", departments=("D01",)),
                "{ auditLog { totalCount } }")
    assert err["extensions"]["code"] == "FORBIDDEN"
    for reader in ("admin", "auditor"):
        assert data(server.as_(reader), "{ auditLog(first: 1) { totalCount } }")


def test_filters_and_pages_newest_first(server: LiveServer) -> None:
    c = server.as_("admin", sub="pager")
    for grade in (3, 4, 5):
        mutate(c, f'updatePosition(id: "P005", input: {{grade: {grade}}}) {{ id }}')
        mutate(c, f'updateKpi(id: "K001", input: {{target: {90 + grade}}}) {{ id }}')
    every = log(server, actor="pager")
    assert len(every) == 6
    assert [e["at"] for e in every] == sorted((e["at"] for e in every), reverse=True)
    assert [changes(e)["grade"] for e in every if e["className"] == "Position"] == [
        ("4", "5"), ("3", "4"), (next(r["grade"] for r in demo_rows("positions.csv")
                                      if r["id"] == "P005"), "3")]
    assert [e["recordId"] for e in log(server, actor="pager", className="KPI")] == ["K001"] * 3

    seen: list[dict[str, Any]] = []
    after = None
    for _ in range(3):
        page = data(server.as_("auditor"), LOG, actor="pager", first=2,
                    after=after)["auditLog"]
        assert page["totalCount"] == 6
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        seen += [edge["node"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"]
    assert not page["pageInfo"]["hasNextPage"]
    assert seen == every

    middle = every[2]["at"]
    assert log(server, actor="pager", **{"from": middle}) == every[:3]
    assert log(server, actor="pager", to=middle) == every[3:]
    assert log(server, actor="pager", **{"from": "2000-01-01", "to": "2000-12-31"}) == []


def test_an_import_leaves_one_event_with_its_files_and_counts(
        empty_graph: GraphHandle) -> None:
    report = empty_graph.import_dir(SMALL)
    page = empty_graph.run(lambda g: read_page(g, AuditFilter()))
    assert page.total == 1
    event = page.events[0]
    assert (event.operation, event.actor, event.roles, event.class_name, event.changes) == (
        "import", cli_actor(), ("admin",), None, ())
    assert event.details == {"files": report.files, "nodes": report.nodes,
                             "relationships": report.relationships, "audit_events": 0}
    assert len(report.files) == 17


def test_the_trail_survives_export_and_import(empty_graph: GraphHandle, engine: EmbeddedEngine,
                                              loop_thread: LoopThread, tmp_path: Path) -> None:
    empty_graph.import_dir(SMALL)
    who = AuditContext("E0001", ("hr",), "updatePosition", "req-1")
    repo = Repository(empty_graph.graph)
    empty_graph.run(lambda g: repo.update_node("Position", "P5", {"grade": 4},
                                               {"department_id": "D1"}, who))
    original = empty_graph.run(lambda g: read_page(g, AuditFilter())).events
    out = tmp_path / "backup"
    empty_graph.run(lambda g: export_directory(g, out))
    assert empty_graph.run(lambda g: export_trail(g, out)) == 2

    restored = new_database(engine, loop_thread)
    try:
        report = restored.import_dir(out)
        assert report.audit_events == 2 and not report.warnings
        events = restored.run(lambda g: read_page(g, AuditFilter())).events
        assert events[1:] == original  # the same ids, times, actors and values
        assert events[0].operation == "import" and events[0].details is not None
        assert events[0].details["files"][AUDIT_FILE] == 2

        # importing again adds only its own event, and never changes an event it holds
        with (out / AUDIT_FILE).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        rows[0]["actor"] = "someone-else"
        with (out / AUDIT_FILE).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        assert restored.import_dir(out).audit_events == 0
        again = restored.run(lambda g: read_page(g, AuditFilter())).events
        assert again[1:] == events
        assert "someone-else" not in {e.actor for e in again}
    finally:
        restored.close()


def test_a_bad_audit_file_stops_the_import(empty_graph: GraphHandle, tmp_path: Path) -> None:
    from graph.importer import ImportFailed

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / AUDIT_FILE).write_text(
        "id,at,seq,actor,roles,request_id,operation,class_name,record_id,records,changes,"
        "details\nx1,yesterday,0,me,[],r,import,,,[],[],\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        empty_graph.import_dir(bad)
    assert [str(p) for p in failed.value.problems] == [
        "audit_events.csv:2: column at: 'yesterday' is not an ISO date and time"]
    assert empty_graph.count("AuditEvent") == 0


def test_the_command_line_shows_the_trail_also_while_serve_runs(
        tmp_path: Path, engine: EmbeddedEngine) -> None:
    """(``engine`` marks it as a test that needs one: it starts its own.)"""
    data_dir = tmp_path / "data"
    assert rolegraph(data_dir, "import", str(SMALL)).returncode == 0
    shown = rolegraph(data_dir, "audit", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    (imported,) = json.loads(shown.stdout)
    assert (imported["operation"], imported["actor"]) == ("import", cli_actor())
    assert imported["details"]["nodes"] == 28  # the small organisation's records

    port = free_port()
    proc = start_serve(data_dir, port)
    try:
        wait_for_health(port, proc)
        secret = (data_dir / SECRET_FILE).read_text(encoding="utf-8").strip()
        headers = {"Authorization": f"Bearer {issue_token(secret, 'E1', ['admin'])}"}
        response = httpx.post(f"http://127.0.0.1:{port}/graphql", headers=headers, json={
            "query": 'mutation { updatePosition(id: "P5", input: {departmentId: "D1"}) '
                     '{ id } }'})
        assert "errors" not in response.json()
        shown = rolegraph(data_dir, "audit", "--record", "D1", "--format", "json",
                          "--url", f"http://127.0.0.1:{port}")
        table = rolegraph(data_dir, "audit", "--url", f"http://127.0.0.1:{port}")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "reading the audit trail from the server" in shown.stderr
    (moved,) = json.loads(shown.stdout)
    assert (moved["operation"], moved["actor"], moved["request_id"]) == (
        "updatePosition", "E1", response.headers["x-request-id"])
    assert moved["changes"] == [{"field": "department_id", "before": "D3", "after": "D1"}]
    assert table.returncode == 0
    assert "department_id: D3 -> D1" in table.stdout and "2 event(s)" in table.stdout


def test_the_json_and_csv_renderings() -> None:
    from datetime import UTC, datetime

    from rolegraph.cli import render_csv, render_json

    event = AuditEvent("e1", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), 0, "E1", ("hr",), "r1",
                       "updateContract", "Contract", "CT1", ("CT1",),
                       (FieldChange("monthly_wage", "9000", "9500"),))
    assert json.loads(render_json([event]))[0]["changes"] == [
        {"field": "monthly_wage", "before": "9000", "after": "9500"}]
    rows = list(csv.DictReader(render_csv([event]).splitlines()))
    assert rows[0]["at"] == "2026-01-02T03:04:05+00:00"
    assert json.loads(rows[0]["changes"]) == [
        {"after": "9500", "before": "9000", "field": "monthly_wage"}]
