"""GraphQL mutations over real HTTP, on a copy of the demo organisation of their own.

Each bad input must come back as an error naming the field and the reason, with nothing
written; each good one must show in the next query.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_client import data, error
from conftest import GraphHandle, LiveServer, LoopThread, demo_copy, serving

from graph.engine import EmbeddedEngine


@pytest.fixture(scope="module")
def org(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    with demo_copy(engine, loop_thread, "mut") as handle:
        yield handle


@pytest.fixture(scope="module")
def server(org: GraphHandle) -> Iterator[LiveServer]:
    with serving(org.connection) as live:
        yield live


def test_department_create_update_delete(server: LiveServer, org: GraphHandle) -> None:
    c = server.client
    made = data(c, """mutation { createDepartment(input: {id: "DX1", name: "数字化部",
        parentId: "D01"}) { id name parent { id } } }""")["createDepartment"]
    assert made == {"id": "DX1", "name": "数字化部", "parent": {"id": "D01"}}
    changed = data(c, """mutation { updateDepartment(id: "DX1", input: {name: "数字化中心",
        description: "IT"}) { name description parent { id } } }""")["updateDepartment"]
    assert changed == {"name": "数字化中心", "description": "IT", "parent": {"id": "D01"}}
    cleared = data(c, """mutation { updateDepartment(id: "DX1", input: {description: null})
        { description } }""")["updateDepartment"]
    assert cleared == {"description": None}
    assert data(c, 'mutation { deleteDepartment(id: "DX1") { id cascaded } }') == {
        "deleteDepartment": {"id": "DX1", "cascaded": []}}
    assert org.count("Department") == 16


def test_position_with_references_and_relationships(server: LiveServer) -> None:
    c = server.client
    data(c, """mutation { createPosition(input: {id: "PX1", title: "数据工程师", grade: 6,
        category: TECHNICAL, headcount: 2, departmentId: "D06", reportsToId: "P020"}) { id } }""")
    data(c, """mutation { assignResponsibility(input: {positionId: "PX1",
        responsibilityId: "R0008", raci: C}) { id } }""")
    data(c, """mutation { setRequirement(input: {positionId: "PX1", competencyId: "C001",
        level: 3, weight: 2, mandatory: true}) { id } }""")
    data(c, 'mutation { requireCertificate(input: {positionId: "PX1", certificateId: "CERT01"}) '
            '{ id } }')
    data(c, 'mutation { setKpiWeight(input: {positionId: "PX1", kpiId: "K001", weight: 100}) '
            '{ id } }')
    data(c, """mutation { assignPosition(input: {employeeId: "E0010", positionId: "PX1",
        startDate: "2026-01-01"}) { id } }""")
    got = data(c, """{ position(id: "PX1") { department { id } reportsTo { id }
        responsibilities { raci responsibility { id } } requirements { level weight mandatory }
        requiredCertificates { id } kpis { weight } incumbents { employee { id } } vacancies
        } }""")["position"]
    assert got == {"department": {"id": "D06"}, "reportsTo": {"id": "P020"},
                   "responsibilities": [{"raci": "C", "responsibility": {"id": "R0008"}}],
                   "requirements": [{"level": 3, "weight": 2.0, "mandatory": True}],
                   "requiredCertificates": [{"id": "CERT01"}], "kpis": [{"weight": 100.0}],
                   "incumbents": [{"employee": {"id": "E0010"}}], "vacancies": 1}
    # setting again updates; a new start date is another assignment; moving and clearing refs
    data(c, """mutation { setRequirement(input: {positionId: "PX1", competencyId: "C001",
        level: 4}) { id } }""")
    data(c, """mutation { updatePosition(id: "PX1", input: {departmentId: "D02",
        reportsToId: null}) { id } }""")
    got = data(c, """{ position(id: "PX1") { department { id } reportsTo { id }
        requirements { level } } }""")["position"]
    assert got == {"department": {"id": "D02"}, "reportsTo": None,
                   "requirements": [{"level": 4}]}
    # a position someone holds cannot be deleted until the assignment goes
    err = error(c, 'mutation { deletePosition(id: "PX1") { id } }')
    assert err["extensions"]["code"] == "CONFLICT"
    assert "HOLDS_POSITION from Employee E0010" in err["message"]
    removed = data(c, """mutation { unassignPosition(input: {employeeId: "E0010",
        positionId: "PX1"}) { removed } }""")
    assert removed == {"unassignPosition": {"removed": 1}}
    for mutation, fields in [
        ("unassignResponsibility", 'responsibilityId: "R0008", raci: C'),
        ("removeRequirement", 'competencyId: "C001"'),
        ("unrequireCertificate", 'certificateId: "CERT01"'),
        ("removeKpi", 'kpiId: "K001"'),
    ]:
        got = data(c, f'mutation {{ {mutation}(input: {{positionId: "PX1", {fields}}}) '
                      '{ removed } }')
        assert got == {mutation: {"removed": 1}}, mutation
    assert data(c, 'mutation { deletePosition(id: "PX1") { id } }') == {
        "deletePosition": {"id": "PX1"}}


def test_employee_life_cycle_and_cascade(server: LiveServer, org: GraphHandle) -> None:
    c = server.client
    data(c, """mutation { createEmployee(input: {id: "EX1", name: "林晓", hireDate: "2026-03-01",
        potential: HIGH, flightRisk: LOW, yearsExperience: 4.5}) { id } }""")
    data(c, """mutation { createContract(input: {id: "CTX1", employeeId: "EX1",
        type: FIXED_TERM, startDate: "2026-03-01", endDate: "2029-02-28", probationMonths: 3,
        signedOn: "2026-03-01", monthlyWage: 9000, probationWage: 7200}) { id } }""")
    data(c, """mutation { createPerformanceReview(input: {employeeId: "EX1", period: "2026",
        rating: 4}) { id } }""")
    data(c, """mutation { assessCompetency(input: {employeeId: "EX1", competencyId: "C001",
        level: 3, assessedOn: "2026-06-30"}) { id } }""")
    data(c, """mutation { grantCertificate(input: {employeeId: "EX1", certificateId: "CERT01",
        obtainedOn: "2026-04-01", expiresOn: "2029-04-01"}) { id } }""")
    data(c, """mutation { nominateSuccessor(input: {employeeId: "EX1", positionId: "P001",
        readiness: READY_3_PLUS_YEARS}) { id } }""")
    got = data(c, """{ employee(id: "EX1") { name potential yearsExperience
        contracts { id probationMonths employee { id } } reviews { id rating }
        competencies { level assessedOn } certificates { expiresOn }
        nominations { readiness position { id } } } }""")["employee"]
    assert got == {"name": "林晓", "potential": "HIGH", "yearsExperience": 4.5,
                   "contracts": [{"id": "CTX1", "probationMonths": 3,
                                  "employee": {"id": "EX1"}}],
                   "reviews": [{"id": "EX1/2026", "rating": 4}],
                   "competencies": [{"level": 3, "assessedOn": "2026-06-30"}],
                   "certificates": [{"expiresOn": "2029-04-01"}],
                   "nominations": [{"readiness": "READY_3_PLUS_YEARS",
                                    "position": {"id": "P001"}}]}
    data(c, """mutation { updatePerformanceReview(id: "EX1/2026", input: {rating: 5})
        { rating } }""")
    for mutation, fields in [("removeCompetencyAssessment", 'competencyId: "C001"'),
                             ("revokeCertificate", 'certificateId: "CERT01"'),
                             ("removeNomination", 'positionId: "P001"')]:
        assert data(c, f'mutation {{ {mutation}(input: {{employeeId: "EX1", {fields}}}) '
                       '{ removed } }') == {mutation: {"removed": 1}}
    deleted = data(c, 'mutation { deleteEmployee(id: "EX1") { id cascaded } }')
    assert deleted == {"deleteEmployee": {"id": "EX1", "cascaded": [
        "Contract CTX1", "PerformanceReview EX1/2026"]}}
    assert org.read("MATCH (n) WHERE n.id IN ['EX1', 'CTX1', 'EX1/2026'] RETURN n.id AS id") == []


def test_other_classes_create_update_delete(server: LiveServer) -> None:
    c = server.client
    for create, update, delete, key in [
        ('createResponsibility(input: {id: "RX1", name: "数据治理", process: "信息化"})',
         'updateResponsibility(id: "RX1", input: {description: "主数据"})',
         'deleteResponsibility(id: "RX1")', "RX1"),
        ('createCompetency(input: {id: "CX1", name: "Python", category: "专业技能"})',
         'updateCompetency(id: "CX1", input: {name: "Python 编程"})',
         'deleteCompetency(id: "CX1")', "CX1"),
        ('createCertificate(input: {id: "CERTX", name: "PMP", issuer: "PMI"})',
         'updateCertificate(id: "CERTX", input: {issuer: "PMI 中国"})',
         'deleteCertificate(id: "CERTX")', "CERTX"),
        ('createKpi(input: {id: "KX1", name: "数据质量", direction: HIGHER_IS_BETTER, '
         'target: 98})', 'updateKpi(id: "KX1", input: {target: 99.5})', 'deleteKpi(id: "KX1")',
         "KX1"),
    ]:
        assert data(c, f"mutation {{ {create} {{ id }} }}") == {
            create.split("(")[0]: {"id": key}}
        data(c, f"mutation {{ {update} {{ id }} }}")
        assert data(c, f"mutation {{ {delete} {{ id }} }}") == {
            delete.split("(")[0]: {"id": key}}
    got = data(c, '{ kpi(id: "KX1") { id } }')
    assert got == {"kpi": None}


BAD_INPUTS = [
    # (mutation, field, code, reason)
    ('createPosition(input: {id: "PB1", title: "x", grade: 40, category: SUPPORT, headcount: 1, '
     'departmentId: "D01"}) { id }', "grade", "BAD_INPUT", "less than or equal to 30"),
    ('createPosition(input: {id: "PB1", title: "", grade: 4, category: SUPPORT, headcount: 1, '
     'departmentId: "D01"}) { id }', "title", "BAD_INPUT", "at least 1 character"),
    ('createPosition(input: {id: "PB1", title: "x", grade: 4, category: SUPPORT, headcount: -2, '
     'departmentId: "D01"}) { id }', "headcount", "BAD_INPUT", "greater than or equal to 0"),
    ('createPosition(input: {id: "PB1", title: "x", grade: 4, category: SUPPORT, headcount: 1, '
     'departmentId: "D99"}) { id }', "departmentId", "NOT_FOUND", "no Department with id 'D99'"),
    ('createPosition(input: {id: "P001", title: "x", grade: 4, category: SUPPORT, headcount: 1, '
     'departmentId: "D01"}) { id }', "id", "CONFLICT", "already exists"),
    ('updatePosition(id: "P001", input: {reportsToId: "P020"}) { id }', "reportsToId",
     "CONFLICT", "REPORTS_TO would form a cycle"),
    ('updatePosition(id: "P999", input: {grade: 3}) { id }', "id", "NOT_FOUND",
     "no Position with id 'P999'"),
    ('updatePosition(id: "P001", input: {title: null}) { id }', "title", "BAD_INPUT",
     "a value is required"),
    ('setRequirement(input: {positionId: "P001", competencyId: "C001", level: 7}) { id }',
     "level", "BAD_INPUT", "less than or equal to 5"),
    ('setRequirement(input: {positionId: "P001", competencyId: "C001", level: 3, weight: 0}) '
     '{ id }', "weight", "BAD_INPUT", "greater than or equal to"),
    ('setKpiWeight(input: {positionId: "P001", kpiId: "K001", weight: 120}) { id }', "weight",
     "BAD_INPUT", "less than or equal to 100"),
    ('assignResponsibility(input: {positionId: "P999", responsibilityId: "R0001", raci: R}) '
     '{ id }', "positionId", "NOT_FOUND", "no Position with id 'P999'"),
    ('assessCompetency(input: {employeeId: "E0001", competencyId: "C999", level: 3}) { id }',
     "competencyId", "NOT_FOUND", "no Competency with id 'C999'"),
    ('createPerformanceReview(input: {employeeId: "E0001", period: "2030", rating: 9}) { id }',
     "rating", "BAD_INPUT", "less than or equal to 5"),
    ('createContract(input: {id: "CTB", employeeId: "E9999", type: OPEN_ENDED, '
     'startDate: "2026-01-01"}) { id }', "employeeId", "NOT_FOUND", "no Employee"),
    ('deleteResponsibility(id: "R0008") { id }', "id", "CONFLICT",
     "is still referenced: HAS_RESPONSIBILITY from Position"),
    ('deleteCompetency(id: "nope") { id }', "id", "NOT_FOUND", "no Competency with id 'nope'"),
]


@pytest.mark.parametrize(("mutation", "field", "code", "reason"), BAD_INPUTS)
def test_bad_input_names_the_field_and_writes_nothing(
        server: LiveServer, org: GraphHandle, mutation: str, field: str, code: str,
        reason: str) -> None:
    before = org.read("MATCH (n) WITH count(n) AS nodes MATCH ()-[r]->() "
                      "RETURN nodes, count(r) AS rels")
    err = error(server.client, f"mutation {{ {mutation} }}")
    assert err["extensions"]["code"] == code
    assert err["extensions"]["field"] == field
    assert reason in err["message"]
    after = org.read("MATCH (n) WITH count(n) AS nodes MATCH ()-[r]->() "
                     "RETURN nodes, count(r) AS rels")
    assert after == before
    assert org.read("MATCH (p:Position {id: 'P001'}) RETURN p.title AS t, "
                    "[(p)-[:REPORTS_TO]->(m) | m.id] AS up") == [{"t": "总经理", "up": []}]


def test_graphql_level_mistakes_are_reported_not_masked(server: LiveServer) -> None:
    err = error(server.client, 'mutation { createPosition(input: {id: "X", title: "x", '
                               'grade: 4, category: CLERK, headcount: 1, departmentId: "D01"}) '
                               '{ id } }')
    assert "CLERK" in err["message"]
    err = error(server.client, '{ position(id: "P001") { salary } }')
    assert "Cannot query field 'salary'" in err["message"]


def test_performance_records_through_the_api(server: LiveServer, org: GraphHandle) -> None:
    """Objectives, key results, the KPIs serving them, KPI results and feedback (issue 12):
    created and read back with their relationships; a bad value names its field."""
    c = server.client
    data(c, """mutation { createObjective(input: {id: "OX1", title: "质量第一", period: "2026",
        departmentId: "D06"}) { id } }""")
    child = data(c, """mutation { createObjective(input: {id: "OX2", title: "降低返工",
        period: " 2026-H1 ", parentId: "OX1", weight: 2}) { period weight parent { id } } }""")
    assert child["createObjective"] == {"period": "2026-H1", "weight": 2.0,
                                        "parent": {"id": "OX1"}}
    data(c, """mutation { createKeyResult(input: {id: "KRX1", objectiveId: "OX2",
        title: "返工率", unit: "%", direction: LOWER_IS_BETTER, start: 5, target: 2}) { id } }""")
    data(c, 'mutation { linkKpiKeyResult(input: {kpiId: "K001", keyResultId: "KRX1"}) { id } }')
    data(c, """mutation { createPosition(input: {id: "PXK", title: "质量专员", grade: 5,
        category: TECHNICAL, headcount: 1, departmentId: "D06"}) { id } }""")
    data(c, 'mutation { setKpiWeight(input: {positionId: "PXK", kpiId: "K001", weight: 50}) '
            '{ id } }')
    data(c, """mutation { assignPosition(input: {employeeId: "E0012", positionId: "PXK",
        startDate: "2025-05-01"}) { id } }""")
    made = data(c, """mutation { createKpiResult(input: {kpiId: "K001", employeeId: "E0012",
        period: "2025-Q2", actual: 97.5, target: 95}) { id actual target kpi { id }
        employee { id } } }""")["createKpiResult"]
    assert made == {"id": "K001/E0012/2025-Q2", "actual": 97.5, "target": 95.0,
                    "kpi": {"id": "K001"}, "employee": {"id": "E0012"}}
    data(c, """mutation { createFeedback(input: {employeeId: "E0012", reviewerId: "E0011",
        relation: PEER, period: "2025-Q2", score: 4}) { id } }""")
    got = data(c, """{ objective(id: "OX1") { department { id } children { id
        keyResults { id objective { id } kpis { id keyResults { id } } } } }
        employee(id: "E0012") { kpiResults { id } feedbackReceived { relation score
        reviewer { id } employee { id } } }
        kpi(id: "K001") { results { id } } }""")
    assert got["objective"]["department"] == {"id": "D06"}
    [child_found] = got["objective"]["children"]
    [key_result] = child_found["keyResults"]
    assert key_result["objective"] == {"id": "OX2"}
    [kpi] = key_result["kpis"]
    assert kpi["id"] == "K001" and {"id": "KRX1"} in kpi["keyResults"]
    assert {"id": "K001/E0012/2025-Q2"} in got["employee"]["kpiResults"]
    assert {"relation": "PEER", "score": 4, "reviewer": {"id": "E0011"},
            "employee": {"id": "E0012"}} in got["employee"]["feedbackReceived"]
    assert {"id": "K001/E0012/2025-Q2"} in got["kpi"]["results"]
    listed = data(c, '{ kpiResults(filter: {department: "D06"}, first: 100) { edges { node '
                     '{ id } } } }')["kpiResults"]["edges"]
    assert {"node": {"id": "K001/E0012/2025-Q2"}} in listed
    before = org.count("KpiResult"), org.count("Objective")
    for mutation, field in [
        # a KPI on no position held in the period: before the assignment, another KPI
        ('createKpiResult(input: {kpiId: "K001", employeeId: "E0012", period: "2025-Q1", '
         'actual: 1})', "kpiId"),
        ('createKpiResult(input: {kpiId: "K002", employeeId: "E0012", period: "2025-Q3", '
         'actual: 1})', "kpiId"),
        ('updateKpiResult(id: "K001/E0012/2025-Q2", input: {kpiId: "K002"})', "kpiId"),
        ('createKpiResult(input: {kpiId: "K001", employeeId: "E0012", period: "2025-Q5", '
         'actual: 1})', "period"),
        ('createFeedback(input: {employeeId: "E0012", reviewerId: "E0010", relation: PEER, '
         'period: "2025", score: 6})', "score"),
        ('createObjective(input: {id: "OX3", title: "x", period: "2026", weight: 0})',
         "weight"),
        ('updateKeyResult(id: "KRX1", input: {weight: -1})', "weight"),
        ('createObjective(input: {id: "OX3", title: "x", period: "2026/1"})', "period"),
    ]:
        err = error(c, f"mutation {{ {mutation} {{ id }} }}")
        assert err["extensions"] == {"code": "BAD_INPUT", "field": field} | (
            {"problems": err["extensions"]["problems"]} if "problems" in err["extensions"]
            else {}), (mutation, err)
    assert (org.count("KpiResult"), org.count("Objective")) == before
    cycle = error(c, 'mutation { updateObjective(id: "OX1", input: {parentId: "OX2"}) { id } }')
    assert cycle["extensions"]["code"] == "CONFLICT" and "cycle" in cycle["message"]
    assert data(c, 'mutation { unlinkKpiKeyResult(input: {kpiId: "K001", keyResultId: "KRX1"})'
                   ' { removed } }') == {"unlinkKpiKeyResult": {"removed": 1}}
    refused = error(c, 'mutation { deleteEmployee(id: "E0011") { id } }')  # gave feedback
    assert refused["extensions"]["code"] == "CONFLICT", refused
    assert data(c, 'mutation { deleteKpiResult(id: "K001/E0012/2025-Q2") { id } }') == {
        "deleteKpiResult": {"id": "K001/E0012/2025-Q2"}}
