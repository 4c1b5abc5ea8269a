"""The boundary answers' own arithmetic (domain/boundary.py), without a graph: department
shapes from layers and spans, owners, contested roles, staffing."""

from __future__ import annotations

from domain.boundary import (
    Holder,
    InterfaceDuty,
    PositionLayer,
    PositionSpan,
    Staffing,
    owned_by,
    raci_key,
    shapes,
)

D1 = {"id": "D1", "name": "总经办"}
D2 = {"id": "D2", "name": "质量部"}


def _pos(key: str, headcount: int = 1) -> dict[str, object]:
    return {"id": key, "title": key, "headcount": headcount}


def test_a_department_shape_counts_its_own_layers_and_widest_span() -> None:
    """Layers are bottom - top + 1 over the department's own positions; the widest span
    keeps every position that ties for it; departments come by id."""
    top, head, a, b = _pos("P1"), _pos("P2"), _pos("P3"), _pos("P4")
    layers = [PositionLayer(top, D1, [top]), PositionLayer(head, D2, [top, head]),
              PositionLayer(a, D2, [top, head, a]), PositionLayer(b, D2, [top, head, b])]
    spans = [PositionSpan(top, D1, [head]), PositionSpan(head, D2, [a, b]),
             PositionSpan(a, D2, [b, top])]
    found = shapes(layers, spans)
    assert [(s.department["id"], s.layers, s.widest_span) for s in found] == [
        ("D1", 1, 1), ("D2", 2, 2)]
    assert [p["id"] for p in found[1].widest] == ["P2", "P3"]


def test_owners_are_r_and_a_only() -> None:
    held = {"R1": {"R": {"P1"}, "C": {"P2"}}, "R2": {"I": {"P3"}}, "R3": {"A": {"P4", "P5"}}}
    assert owned_by(held) == {"R1": frozenset({"P1"}), "R3": frozenset({"P4", "P5"})}


def test_contested_roles_are_owning_roles_held_on_both_sides() -> None:
    duty = InterfaceDuty({"id": "R1"}, [Holder(_pos("P1"), D1, "R"), Holder(_pos("P2"), D1, "C")],
                         [Holder(_pos("P3"), D2, "R"), Holder(_pos("P4"), D2, "A")])
    assert duty.contested_roles == ["R"]


def test_roles_sort_r_a_c_i() -> None:
    assert sorted(["I", "C", "A", "R", "X"], key=raci_key) == ["R", "A", "C", "I", "X"]


def test_staffing_difference_is_incumbents_minus_headcount() -> None:
    assert Staffing(_pos("P1", headcount=2), D1, incumbents=3).difference == 1
    assert Staffing(_pos("P2", headcount=2), D1, incumbents=0).difference == -2
