"""The Cypher vocabulary (graph/cypher.py): names from the ontology only, and department
membership compiled from the ontology's one declaration of it. Pure: no engine."""

from __future__ import annotations

import pytest

from graph.cypher import cypher_of
from schema.ontology import EdgeKind, default_ontology

CY = cypher_of(default_ontology())


def test_identifiers_are_checked_and_quoted() -> None:
    assert (CY.label("Position"), CY.rel("IN_DEPARTMENT"), CY.key("Employee")) == (
        "`Position`", "`IN_DEPARTMENT`", "`id`")
    assert (CY.L.Position, CY.T.HOLDS_POSITION) == ("`Position`", "`HOLDS_POSITION`")
    assert CY.display("Position") == "`title`"
    with pytest.raises(KeyError, match="unknown class 'Positon'"):
        CY.label("Positon")
    with pytest.raises(KeyError, match=r"unknown property Position\.salary"):
        CY.prop("Position", "salary")
    with pytest.raises(AttributeError, match="unknown relationship 'HOLDS'"):
        _ = CY.T.HOLDS


def test_patterns() -> None:
    assert CY.node("n", "Position", "$k") == "(n:`Position` {`id`: $k})"
    kind = EdgeKind("HOLDS_POSITION", "in", current=True)
    assert CY.edge(kind, "r", "m") == ("<-[r:`HOLDS_POSITION`]-(m:`Employee`)",
                                       "r.`end_date` IS NULL")
    with pytest.raises(KeyError, match="REPORTS_TO has no ended_by"):
        CY.current("REPORTS_TO", "r")


def test_department_membership_follows_the_ontology() -> None:
    """Guards against a second, hand-written notion of "which department a record is in":
    an employee belongs where they hold a position now, a contract where its employee does."""
    assert CY.in_departments("Department", "n") == "n.`id` IN $depts"
    assert CY.in_departments("Position", "n") == (
        "EXISTS { MATCH (n)-[:`IN_DEPARTMENT`]->(d_:`Department`) WHERE d_.`id` IN $depts }")
    assert CY.in_departments("Employee", "n") == (
        "EXISTS { MATCH (n)-[d__r1:`HOLDS_POSITION`]->(:`Position`)-[:`IN_DEPARTMENT`]->"
        "(d_:`Department`) WHERE d__r1.`end_date` IS NULL AND d_.`id` IN $depts }")
    pattern, conditions = CY.department_path("Contract", "c", "d") or ("", [])
    assert pattern == ("(c)<-[:`HAS_CONTRACT`]-(:`Employee`)-[d_r2:`HOLDS_POSITION`]->"
                       "(:`Position`)-[:`IN_DEPARTMENT`]->(d:`Department`)")
    assert conditions == ["d_r2.`end_date` IS NULL"]
    assert CY.members("Employee", "d", "e") == (
        "(d)<-[:`IN_DEPARTMENT`]-(:`Position`)<-[e_r2:`HOLDS_POSITION`]-(e:`Employee`)",
        ["e_r2.`end_date` IS NULL"])
    assert CY.subtree("root", "d") == "(root)<-[:`SUB_DEPARTMENT_OF`*0..]-(d:`Department`)"


def test_classes_outside_departments() -> None:
    assert CY.department_path("Competency", "c", "d") is None
    with pytest.raises(KeyError, match="Certificate records belong to no department"):
        CY.in_departments("Certificate", "n")
