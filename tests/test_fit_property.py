"""Property tests: on random small organisations the fit equals an independent implementation
of the formula (tests/fit_reference.py, exact fractions).

* through the whole stack: the organisation is written as interchange CSV files, imported into
  a database on the embedded engine and asked through GraphQL over HTTP;
* on the model alone: the three vectorised evaluations (one position against everyone, one
  employee against every position, many pairs at once) and the itemised explanation agree with
  the reference, and a model patched with reloaded employees or positions (what a write
  through the API causes) answers exactly like one built from scratch.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from api_client import data
from conftest import GraphHandle, LiveServer, LoopThread, new_database
from fit_reference import Org
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import fit
from domain.fit_model import (
    EmployeeSlice,
    GraphRows,
    PositionSlice,
    build_model,
    make_tables,
    with_employees,
    with_positions,
)
from graph.engine import EmbeddedEngine

AS_OF = date(2026, 1, 1)
WEIGHTS = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]  # exact in binary, so the reference is exact too


@dataclass(frozen=True)
class RandomOrg:
    """A small organisation: ids E1.., P1.., C1.., K1.. (certificates)."""

    employees: int
    positions: int
    competencies: int
    certificates: int
    grades: tuple[int, ...]
    requirements: tuple[tuple[str, str, int, float, bool], ...]
    required_certs: tuple[tuple[str, str], ...]
    levels: tuple[tuple[str, str, int], ...]
    held: tuple[tuple[str, str, date | None], ...]
    holds: tuple[tuple[str, str], ...]
    reviews: tuple[tuple[str, str, int], ...]


@st.composite
def organisations(draw: st.DrawFn, max_employees: int = 5, max_positions: int = 3) -> RandomOrg:
    n_emp = draw(st.integers(1, max_employees))
    n_pos = draw(st.integers(1, max_positions))
    n_comp = draw(st.integers(1, 5))
    n_cert = draw(st.integers(0, 2))
    emps = [f"E{i + 1}" for i in range(n_emp)]
    poss = [f"P{i + 1}" for i in range(n_pos)]
    comps = [f"C{i + 1}" for i in range(n_comp)]
    certs = [f"K{i + 1}" for i in range(n_cert)]
    requirements = []
    for p in poss:
        for c in draw(st.lists(st.sampled_from(comps), unique=True, max_size=n_comp)):
            requirements.append((p, c, draw(st.integers(1, 5)), draw(st.sampled_from(WEIGHTS)),
                                 draw(st.booleans())))
    required_certs = [(p, k) for p in poss for k in certs if draw(st.booleans())]
    levels = [(e, c, draw(st.integers(1, 5))) for e in emps for c in comps
              if draw(st.integers(0, 2))]
    expiry = st.one_of(st.none(), st.integers(-400, 400).map(lambda d: AS_OF + timedelta(d)),
                       st.just(AS_OF), st.just(AS_OF - timedelta(1)))
    held = [(e, k, draw(expiry)) for e in emps for k in certs if draw(st.booleans())]
    holds = [(e, p) for e in emps for p in poss if draw(st.integers(0, 3)) == 0]
    reviews = [(e, period, draw(st.integers(1, 5))) for e in emps
               for period in ("2024", "2025") if draw(st.booleans())]
    return RandomOrg(n_emp, n_pos, n_comp, n_cert,
                     tuple(draw(st.integers(1, 12)) for _ in poss), tuple(requirements),
                     tuple(required_certs), tuple(levels), tuple(held), tuple(holds),
                     tuple(reviews))


def write_csv(org: RandomOrg, directory: Path) -> None:
    def table(name: str, header: list[str], rows: list[list[Any]]) -> None:
        with (directory / name).open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(["" if v is None else str(v).lower() if isinstance(v, bool) else v
                         for v in row] for row in rows)

    emps = [f"E{i + 1}" for i in range(org.employees)]
    table("departments.csv", ["id", "name"], [["D1", "总经办"]])
    table("positions.csv", ["id", "title", "department_id", "grade", "category", "headcount"],
          [[f"P{i + 1}", f"岗位{i + 1}", "D1", g, "technical", 5]
           for i, g in enumerate(org.grades)])
    table("competencies.csv", ["id", "name"],
          [[f"C{i + 1}", f"能力{i + 1}"] for i in range(org.competencies)])
    table("certificates.csv", ["id", "name"],
          [[f"K{i + 1}", f"证书{i + 1}"] for i in range(org.certificates)])
    table("employees.csv", ["id", "name"], [[e, f"员工{e}"] for e in emps])
    table("position_requirements.csv",
          ["position_id", "competency_id", "level", "weight", "mandatory"],
          [list(r) for r in org.requirements])
    table("position_certificates.csv", ["position_id", "certificate_id"],
          [list(r) for r in org.required_certs])
    table("employee_competencies.csv", ["employee_id", "competency_id", "level"],
          [list(r) for r in org.levels])
    table("employee_certificates.csv", ["employee_id", "certificate_id", "expires_on"],
          [[e, k, x.isoformat() if x else ""] for e, k, x in org.held])
    table("employee_positions.csv", ["employee_id", "position_id", "start_date"],
          [[e, p, "2020-01-01"] for e, p in org.holds])
    table("performance_reviews.csv", ["employee_id", "period", "rating"],
          [list(r) for r in org.reviews])


def reference(org: RandomOrg) -> Org:
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(org, Path(tmp))
        return Org.read(Path(tmp))


# -- through the whole stack -------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    handle = new_database(engine, loop_thread, prefix="prop")
    yield handle
    handle.close()


@pytest.fixture(scope="module")
def scratch_server(scratch: GraphHandle) -> Iterator[LiveServer]:
    live = LiveServer(scratch.connection)
    yield live
    live.close()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(org=organisations())
def test_api_scores_equal_the_formula(scratch: GraphHandle, scratch_server: LiveServer,
                                      org: RandomOrg) -> None:
    """Import a random organisation into an emptied database, then ask every pair's fit, each
    position's candidates and the mismatch report through GraphQL."""
    scratch.run(lambda g: g.write("MATCH (n) DETACH DELETE n"))
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(org, Path(tmp))
        scratch.import_dir(Path(tmp))
        ref = Org.read(Path(tmp))
    emps, poss = sorted(ref.employees), sorted(ref.positions)
    fields = [f'f_{e}_{p}: fit(employee: "{e}", position: "{p}", asOf: "2026-01-01") '
              "{ score eligible gaps { competency { id } required actual } }"
              for e in emps for p in poss]
    fields += [f'c_{p}: candidates(position: "{p}", first: 100, asOf: "2026-01-01") '
               "{ employee { id } score }" for p in poss]
    fields.append('mismatches(threshold: 80, asOf: "2026-01-01") '
                  "{ fit { employee { id } position { id } } }")
    got = data(scratch_server.client, "{ " + " ".join(fields) + " }")
    for e in emps:
        for p in poss:
            answer = got[f"f_{e}_{p}"]
            assert answer["score"] == ref.fit(e, p), (e, p)
            assert answer["eligible"] == ref.eligible(e, p, AS_OF), (e, p)
            assert answer["gaps"] == [
                {"competency": {"id": c}, "required": r, "actual": ref.levels.get((e, c), 0)}
                for c, r, _, _ in sorted(ref.requirements.get(p, []))
                if ref.levels.get((e, c), 0) < r]
    for p in poss:
        others = [e for e in emps if e not in ref.incumbents(p)]
        assert [(c["employee"]["id"], c["score"]) for c in got[f"c_{p}"]] == [
            (e, ref.fit(e, p)) for e in ref.ranked(p, others)]
    expected = sorted((ref.fit(e, p), e, p) for e, held in ref.current.items() for p in held
                      if ref.fit(e, p) < 80 or not ref.eligible(e, p, AS_OF))
    assert [(m["fit"]["employee"]["id"], m["fit"]["position"]["id"])
            for m in got["mismatches"]] == [(e, p) for _, e, p in expected]


# -- on the model ------------------------------------------------------------------------------


def graph_rows(org: RandomOrg) -> GraphRows:
    requirements: dict[str, list[tuple[str, int, float, bool]]] = {}
    for p, c, lv, w, m in org.requirements:
        requirements.setdefault(p, []).append((c, lv, w, m))
    certs: dict[str, list[str]] = {}
    for p, k in org.required_certs:
        certs.setdefault(p, []).append(k)
    return GraphRows(
        employees=[{"id": f"E{i + 1}", "name": f"E{i + 1}"} for i in range(org.employees)],
        competencies=[{"id": f"C{i + 1}", "name": "c"} for i in range(org.competencies)],
        certificates=[{"id": f"K{i + 1}", "name": "k"} for i in range(org.certificates)],
        departments=[({"id": "D1", "name": "d"}, None)],
        positions=[PositionSlice({"id": f"P{i + 1}", "title": "p", "grade": g,
                                  "category": "technical", "headcount": 5}, "D1",
                                 requirements.get(f"P{i + 1}", []), certs.get(f"P{i + 1}", []))
                   for i, g in enumerate(org.grades)],
        levels=list(org.levels), held=list(org.held), holds=list(org.holds),
        reviews=list(org.reviews), nominations=[])


def all_scores(rows: GraphRows) -> dict[tuple[str, str], tuple[float, bool]]:
    """Every pair's (score, eligible) by explanation, checked against the three vectors."""
    m = build_model(make_tables(rows))
    emps = [e for e in range(m.n_emp) if m.per_employee.alive[e]]
    poss = [p for p in range(m.n_pos) if m.per_position.alive[p]]
    out = {}
    by_position = {p: fit.position_fit(m, p, AS_OF.toordinal()) for p in poss}
    by_employee = {e: fit.employee_fit(m, e, AS_OF.toordinal()) for e in emps}
    pairs = [(e, p) for e in emps for p in poss]
    scores, eligible = fit.pair_fit(m, np.array([e for e, _ in pairs], dtype=np.int64),
                                    np.array([p for _, p in pairs], dtype=np.int64),
                                    AS_OF.toordinal())
    for i, (e, p) in enumerate(pairs):
        ex = fit.explain(m, e, p, AS_OF)
        assert by_position[p][0][e] == by_employee[e][0][p] == scores[i] == ex.score
        assert by_position[p][1][e] == by_employee[e][1][p] == eligible[i] == ex.eligible
        out[(str(m.employees.record(e)["id"]), str(m.positions.record(p)["id"]))] = (
            ex.score, ex.eligible)
    return out


@settings(max_examples=150, deadline=None)
@given(org=organisations(max_employees=7, max_positions=5))
def test_every_evaluation_of_the_model_equals_the_formula(org: RandomOrg) -> None:
    ref = reference(org)
    got = all_scores(graph_rows(org))
    assert got == {(e, p): (ref.fit(e, p), ref.eligible(e, p, AS_OF))
                   for e in ref.employees for p in ref.positions}


@settings(max_examples=100, deadline=None)
@given(org=organisations(max_employees=6, max_positions=4), new=organisations(6, 4),
       data_=st.data())
def test_a_patched_model_equals_a_rebuilt_one(org: RandomOrg, new: RandomOrg,
                                              data_: st.DataObject) -> None:
    """Reloading some employees and positions (as after writes through the API) gives the same
    answers as building the model from the changed rows."""
    rows = graph_rows(org)
    comps = {c["id"] for c in rows.competencies}
    certs = {k["id"] for k in rows.certificates}
    poss = {s.record["id"] for s in rows.positions}
    donor = graph_rows(new)
    changed_e = data_.draw(st.sets(st.sampled_from([f"E{i}" for i in range(1, 8)])))
    deleted_e = {e for e in changed_e if data_.draw(st.integers(0, 3)) == 0}
    changed_p = data_.draw(st.sets(st.sampled_from(sorted(poss))))

    def donor_rows(e: str) -> dict[str, list[Any]]:
        return {"levels": [r for r in donor.levels if r[0] == e and r[1] in comps],
                "held": [r for r in donor.held if r[0] == e and r[1] in certs],
                "holds": [r for r in donor.holds if r[0] == e and r[1] in poss],
                "reviews": [r for r in donor.reviews if r[0] == e]}

    after = rows
    for e in sorted(changed_e):
        mine = donor_rows(e)
        keep = {name: [r for r in getattr(after, name) if r[0] != e]
                for name in ("levels", "held", "holds", "reviews")}
        emps = [r for r in after.employees if r["id"] != e]
        if e not in deleted_e:
            emps.append({"id": e, "name": "new"})
            keep = {name: keep[name] + mine[name] for name in keep}
        after = replace(after, employees=emps, **keep)
    for p in sorted(changed_p):
        src = next((s for s in donor.positions if s.record["id"] == p), None)
        reqs = [] if src is None else [r for r in src.requirements if r[0] in comps]
        pcs = [] if src is None else [k for k in src.certificates if k in certs]
        after = replace(after, positions=[
            PositionSlice(s.record, s.department, reqs, pcs) if s.record["id"] == p else s
            for s in after.positions])

    slices: dict[str, EmployeeSlice | None] = {}
    for e in changed_e:
        mine = donor_rows(e)
        slices[e] = None if e in deleted_e else EmployeeSlice(
            {"id": e, "name": "new"}, [(c, lv) for _, c, lv in mine["levels"]],
            [(k, x) for _, k, x in mine["held"]], [p for _, p in mine["holds"]],
            [(pd, r) for _, pd, r in mine["reviews"]], [])
    patched = with_positions(make_tables(rows), {
        s.record["id"]: s for s in after.positions if s.record["id"] in changed_p})
    patched = with_employees(patched, slices)
    m_patched, m_built = build_model(patched), build_model(make_tables(after))

    def answers(m: Any) -> dict[tuple[str, str], tuple[float, bool]]:
        return {(str(m.employees.record(e)["id"]), str(m.positions.record(p)["id"])):
                (fit.explain(m, e, p, AS_OF).score, fit.explain(m, e, p, AS_OF).eligible)
                for e in range(m.n_emp) if m.per_employee.alive[e]
                for p in range(m.n_pos) if m.per_position.alive[p]}

    assert answers(m_patched) == answers(m_built) == all_scores(after)
    for p in range(m_built.n_pos):
        pid = str(m_built.positions.record(p)["id"])
        a = [(str(m_patched.employees.record(s.employee)["id"]), s.score)
             for s in fit.candidates(m_patched, pid, AS_OF, first=100)]
        b = [(str(m_built.employees.record(s.employee)["id"]), s.score)
             for s in fit.candidates(m_built, pid, AS_OF, first=100)]
        assert a == b
