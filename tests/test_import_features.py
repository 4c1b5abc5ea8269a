"""Steps of features/import.feature: the files are written from the scenario's tables and
imported into a fresh database on the embedded engine."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from conftest import GraphHandle
from pytest_bdd import given, parsers, scenarios, then, when

from graph.importer import ImportFailed, ImportReport

scenarios("import.feature")


@pytest.fixture
def org_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "org"
    directory.mkdir()
    return directory


@given("an empty graph", target_fixture="graph")
def _an_empty_graph(empty_graph: GraphHandle) -> GraphHandle:
    return empty_graph


@given(parsers.parse('the file "{name}":'))
def _the_file(org_dir: Path, name: str, datatable: list[list[str]]) -> None:
    with (org_dir / name).open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(datatable)


@pytest.fixture
def outcome() -> dict[str, Any]:
    return {}


@when("I import the directory")
def _import(graph: GraphHandle, org_dir: Path, outcome: dict[str, Any]) -> None:
    try:
        outcome["report"] = graph.import_dir(org_dir)
        outcome.pop("failure", None)
    except ImportFailed as exc:
        outcome["failure"] = exc


@then("the import succeeds")
def _succeeds(outcome: dict[str, Any]) -> None:
    assert "failure" not in outcome, outcome.get("failure") and outcome["failure"].problems
    assert isinstance(outcome["report"], ImportReport)


@then(parsers.parse("the graph holds {d:d} departments, {p:d} positions and {e:d} employees"))
def _holds(graph: GraphHandle, d: int, p: int, e: int) -> None:
    assert (graph.count("Department"), graph.count("Position"), graph.count("Employee")) == \
        (d, p, e)


@then(parsers.parse("the graph holds {n:d} relationships"))
def _holds_rels(graph: GraphHandle, n: int) -> None:
    assert graph.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"] == n


@then(parsers.parse('"{child}" is a sub-department of "{parent}"'))
def _sub_department(graph: GraphHandle, child: str, parent: str) -> None:
    assert graph.read("MATCH (:Department {name: $c})-[:SUB_DEPARTMENT_OF]->"
                      "(:Department {name: $p}) RETURN 1 AS ok", c=child, p=parent)


@then(parsers.parse('"{position}" reports to "{manager}"'))
def _reports_to(graph: GraphHandle, position: str, manager: str) -> None:
    assert graph.read("MATCH (:Position {title: $a})-[:REPORTS_TO]->(:Position {title: $b}) "
                      "RETURN 1 AS ok", a=position, b=manager)


@then(parsers.parse('"{name}" currently holds the position "{title}"'))
def _holds_position(graph: GraphHandle, name: str, title: str) -> None:
    assert graph.read("MATCH (:Employee {name: $n})-[h:HOLDS_POSITION]->(:Position {title: $t}) "
                      "WHERE h.end_date IS NULL RETURN 1 AS ok", n=name, t=title)


@then("the import is refused with these problems:")
def _refused(outcome: dict[str, Any], datatable: list[list[str]]) -> None:
    failure = outcome.get("failure")
    assert isinstance(failure, ImportFailed)
    expected = [(f, int(line), col, reason) for f, line, col, reason in datatable[1:]]
    assert [(p.file, p.line, p.column, p.reason) for p in failure.problems] == expected
