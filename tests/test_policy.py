"""The access policy as data (schema/policy.yaml): it loads, mistakes are located, and the
union of roles is what a caller gets. Pure: no engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.access import Principal
from schema.policy import POLICY_PATH, access_note, default_policy, load_policy
from schema.yamlload import SourceError

POLICY = default_policy()


def test_the_shipped_policy_has_the_six_roles() -> None:
    assert list(POLICY.roles) == ["admin", "hr", "manager", "employee", "compliance", "auditor"]
    assert POLICY.sensitivities == ("public", "personal", "sensitive", "confidential")
    assert (POLICY.person, POLICY.holds, POLICY.reports_to) == (
        "Employee", "HOLDS_POSITION", "REPORTS_TO")


@pytest.mark.parametrize(("old", "new", "needle", "reason"), [
    ("    sees: reporting_line\n", "    sees: team\n", "sees: team",
     "role manager: sees must be one of all, departments, reporting_line, self, none, "
     "not 'team'"),
    ("    fields: sensitive\n", "    fields: secret\n", "fields: secret",
     "role manager: fields must be one of public, personal, sensitive, confidential, "
     "not 'secret'"),
    ("[NOMINATED_SUCCESSOR, HAS_COMPETENCY]", "[NOMINATED_SUCCESOR]", "NOMINATED_SUCCESOR",
     "role manager: unknown relationship 'NOMINATED_SUCCESOR'"),
    ("    imports: true\n", "    imports: true\n    colour: red\n", "colour: red",
     "unknown key 'colour' in role admin"),
    ("person: Employee", "person: Staff", "person: Staff", "person: unknown class 'Staff'"),
    ("  reports_to: REPORTS_TO", "  reports_to: IN_DEPARTMENT", "reports_to: IN_DEPARTMENT",
     "reporting_line: reports_to must go from Position to Position"),
])
def test_a_broken_policy_names_file_line_and_reason(tmp_path: Path, old: str, new: str,
                                                   needle: str, reason: str) -> None:
    text = POLICY_PATH.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        load_policy(path)
    line = next(n for n, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in t)
    assert (info.value.line, info.value.message) == (line, reason)


def test_several_roles_give_the_union_of_their_rights() -> None:
    """Guards against the narrowest role winning: a manager who is also a compliance
    reviewer reads everything, and changes only what the manager role may."""
    grant = POLICY.grant(Principal("E0176", ("manager", "compliance")), ["E0176"])
    assert grant.unrestricted and grant.fields == 3 and grant.changes == "none"
    assert grant.relationships == {"NOMINATED_SUCCESSOR", "HAS_COMPETENCY"}
    assert grant.self_id == "E0176" and not grant.audit


def test_hr_is_limited_by_its_departments_claim_only() -> None:
    assert POLICY.grant(Principal("hr1", ("hr",))).unrestricted
    scoped = POLICY.grant(Principal("hr2", ("hr",), departments=("D10",)))
    assert not scoped.unrestricted and scoped.changes == "in_scope"


def test_reading_levels() -> None:
    manager = POLICY.grant(Principal("E1", ("manager",)), ["E1"])
    assert manager.may_read(2) and not manager.may_read(3)
    assert manager.may_read(3, own=True), "everyone reads their own contract"
    nobody = POLICY.grant(Principal("svc", ("unknown-role",)))
    assert nobody.scopes == frozenset() and nobody.fields == 0 and nobody.changes == "none"


def test_descriptions_name_the_readers() -> None:
    assert access_note("Position") == ""
    assert access_note("Contract").startswith("confidential: read by the roles admin, hr, "
                                              "employee, compliance, auditor")
