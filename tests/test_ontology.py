"""The ontology loads, and a broken ontology file fails with file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from schema.ontology import ONTOLOGY_PATH, default_ontology, load_ontology
from schema.yamlload import SourceError


def test_shipped_ontology_has_every_interchange_file() -> None:
    o = default_ontology()
    assert set(o.classes) == {"Department", "Position", "Responsibility", "Competency",
                              "Certificate", "Employee", "KPI", "Contract", "PerformanceReview",
                              "Objective", "KeyResult", "KpiResult", "Feedback"}
    assert len(o.files()) == 22
    assert o.rel("HAS_RESPONSIBILITY").properties["raci"].enum == ("R", "A", "C", "I")
    assert o.cls("Position").columns[:4] == ("id", "title", "department_id", "reports_to_id")


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = ONTOLOGY_PATH.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "ontology.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.mark.parametrize(
    ("old", "new", "needle", "reason"),
    [
        ("    from: Position\n    to: Department\n", "    from: Position\n    to: Departmnet\n",
         "to: Departmnet", "relationship IN_DEPARTMENT: unknown class 'Departmnet' in 'to'"),
        ("      grade: {type: integer,", "      grade: {type: int,",
         "grade: {type: int,", "property Position.grade: type must be one of"),
        ("    display: title\n", "    display: headline\n",
         "display: headline", "class Position: display 'headline' is not one of its properties"),
        ("      title: {type: string, required: true}\n",
         "      title: {type: string, required: true}\n      title: {type: string}\n",
         "title: {type: string}", "duplicate key 'title'"),
        ("    cardinality: many_to_one\n    required: true\n",
         "    cardinality: several\n    required: true\n",
         "cardinality: several", "cardinality must be one of"),
        ("      weight: {type: float, min: 0.000001, default: 1}",
         "      weight: {type: string, min: 0.000001, default: 1}",
         "weight: {type: string, min", "min needs a numeric property"),
        ("    indexes: [title]", "    indexes: [title]\n    colour: blue",
         "colour: blue", "unknown key 'colour' in class Position"),
        ("  ChangeStamp:\n    key: id\n", "  ChangeStamp:\n    key: uid\n", "key: uid",
         "internal label ChangeStamp: key 'uid' is not one of its properties"),
        ("    department: -IN_DEPARTMENT-> Department\n",
         "    department: -REPORTS_TO-> Department\n", "department: -REPORTS_TO->",
         "class Position: department: REPORTS_TO goes from Position to Position, not from "
         "Position to Department"),
        ("-HOLDS_POSITION[current]-> Position -IN_DEPARTMENT-> Department\n    description: 员工",
         "-HOLDS_POSITION-> Position\n    description: 员工",
         "department: -HOLDS_POSITION-> Position",
         "class Employee: its department path ends at Position, not at Department"),
        ("<-MEASURED_BY- Position", "<-MEASURED_BY[current]- Position", "MEASURED_BY[current]",
         "class KPI: department: MEASURED_BY[current]: MEASURED_BY has no ended_by"),
        ("    ended_by: end_date\n", "    ended_by: start\n", "ended_by: start",
         "relationship HOLDS_POSITION: ended_by 'start' is not one of its date properties"),
    ],
)
def test_broken_ontology_names_file_line_and_reason(tmp_path: Path, old: str, new: str,
                                                    needle: str, reason: str) -> None:
    """Each kind of mistake in the ontology is reported where it is, not somewhere later."""
    path = _broken(tmp_path, old, new)
    with pytest.raises(SourceError) as info:
        load_ontology(path)
    assert info.value.file == str(path)
    assert info.value.line == _line_of(path, needle)
    assert reason in info.value.message


def test_columns_must_match_properties(tmp_path: Path) -> None:
    path = _broken(tmp_path, "columns: [id, name, issuer]", "columns: [id, name]")
    with pytest.raises(SourceError, match=r"class Certificate: columns do not match .*issuer"):
        load_ontology(path)


def test_invalid_yaml_is_located(tmp_path: Path) -> None:
    path = tmp_path / "ontology.yaml"
    path.write_text("version: 1\nclasses:\n  A: [unclosed\n", encoding="utf-8")
    with pytest.raises(SourceError) as info:
        load_ontology(path)
    assert info.value.line >= 3
    assert "invalid YAML" in info.value.message
