"""Boundary answers: who owns which duty, where ownership overlaps or is missing, what two
departments share, the RACI matrix, spans of control, management layers and staffing.

The records here are what the graph layer's queries (:mod:`graph.boundary`) return, and the
few computations that need no database. Terms used throughout:

* **owner** of a responsibility: a position holding it as R (responsible) or A (accountable);
  C (consulted) and I (informed) are holders, not owners;
* **layer** of a position: the top position (one that reports to nobody) is at layer 1, and
  every position is one layer below the position it reports to:
  ``layer(p) = 1 + number of REPORTS_TO steps from p to the top``;
* **span of control** of a position: the number of positions reporting to it directly;
* **layers of a department**: ``max(layer) - min(layer) + 1`` over the department's own
  positions (not those of its sub-departments): how many management levels it stacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from domain.records import Record

#: RACI roles that own a duty
OWNER_ROLES: tuple[str, ...] = ("R", "A")
RACI_ORDER = "RACI"
#: spans of control above this are reported (positions reporting directly)
DEFAULT_MAX_SPAN = 10
#: positions below this layer are reported (the top position is layer 1)
DEFAULT_MAX_LAYERS = 4
#: departments stacking more layers of their own positions than this are reported
DEFAULT_MAX_DEPTH = 3


class SharedOrder(Enum):
    """How shared responsibilities are sorted (ties by responsibility id)."""

    OWNERS_DESC = "owners_desc"
    OWNERS_ASC = "owners_asc"
    ID = "id"


@dataclass(frozen=True)
class Holder:
    """A position holding a responsibility in one RACI role, with its department."""

    position: Record
    department: Record | None
    raci: str


@dataclass(frozen=True)
class SharedDuty:
    """A responsibility that two or more positions hold in the same owning role."""

    responsibility: Record
    owners: list[Holder]  # every R and A holder, wherever it sits
    responsible: int  # positions holding R
    accountable: int  # positions holding A

    @property
    def owner_count(self) -> int:
        return len({h.position["id"] for h in self.owners})

    @property
    def departments(self) -> list[Record]:
        """The owners' departments, by id."""
        found = {h.department["id"]: h.department for h in self.owners if h.department}
        return [found[k] for k in sorted(found)]

    @property
    def cross_department(self) -> bool:
        return len(self.departments) > 1


@dataclass(frozen=True)
class SharedPage:
    total: int
    items: list[SharedDuty]


@dataclass(frozen=True)
class DutyGap:
    """A responsibility with an ownership gap, and everyone who holds it in any role."""

    responsibility: Record
    holders: list[Holder]
    accountable: int
    responsible: int


@dataclass(frozen=True)
class PlacedPosition:
    """A position with its department."""

    position: Record
    department: Record | None


@dataclass(frozen=True)
class Gaps:
    no_accountable: list[DutyGap]
    multiple_accountable: list[DutyGap]
    no_responsible: list[DutyGap]
    without_responsibility: list[PlacedPosition]


@dataclass(frozen=True)
class InterfaceDuty:
    """A responsibility held on both sides of a department interface."""

    responsibility: Record
    side_a: list[Holder]
    side_b: list[Holder]

    @property
    def contested_roles(self) -> list[str]:
        """Owning roles (R, A) held on both sides: both think the duty is theirs."""
        a = {h.raci for h in self.side_a}
        b = {h.raci for h in self.side_b}
        return [role for role in OWNER_ROLES if role in a and role in b]


@dataclass(frozen=True)
class ReportingLine:
    """A position reporting to a position on the other side of an interface."""

    position: Record
    department: Record
    reports_to: Record
    reports_to_department: Record


@dataclass(frozen=True)
class InterfaceSides:
    """The two sides of an interface: department ids, each side without the other."""

    a: Record
    b: Record
    a_ids: list[str]
    b_ids: list[str]


@dataclass(frozen=True)
class Interface:
    sides: InterfaceSides
    shared: list[InterfaceDuty]
    reporting_lines: list[ReportingLine]
    owned_a: dict[str, frozenset[str]]  # duties owned on side a -> their owners on side a
    owned_b: dict[str, frozenset[str]]


@dataclass(frozen=True)
class RaciColumn:
    position: Record
    department: Record | None
    in_scope: bool  # in the department asked for (False: holds a role in one of its duties)


@dataclass(frozen=True)
class RaciRow:
    responsibility: Record
    cells: dict[int, list[str]]  # column index -> the roles held there (RACI order)

    def holding(self, role: str) -> int:
        """How many positions (columns) hold the responsibility in ``role``."""
        return sum(role in roles for roles in self.cells.values())

    @property
    def problems(self) -> list[str]:
        """What breaks the RACI pack's rules (rules/packs/raci.yaml) in this row: exactly one
        position accountable (``no A``, ``2 A``...) and at least one responsible (``no R``).
        The matrix's columns hold every holder of its rows' duties, so the counts are whole."""
        accountable, found = self.holding("A"), []
        if accountable != 1:
            found.append("no A" if accountable == 0 else f"{accountable} A")
        if self.holding("R") == 0:
            found.append("no R")
        return found


@dataclass(frozen=True)
class RaciMatrix:
    department: Record | None
    process: str | None
    columns: list[RaciColumn]
    rows: list[RaciRow]


@dataclass(frozen=True)
class PositionSpan:
    position: Record
    department: Record | None
    direct_reports: list[Record]

    @property
    def span(self) -> int:
        return len(self.direct_reports)


@dataclass(frozen=True)
class PositionLayer:
    position: Record
    department: Record | None
    chain: list[Record]  # from the top position down to this one

    @property
    def layer(self) -> int:
        return len(self.chain)


@dataclass(frozen=True)
class DepartmentShape:
    department: Record
    top_layer: int
    bottom_layer: int
    widest_span: int
    widest: list[Record] = field(default_factory=list)  # the positions with the widest span

    @property
    def layers(self) -> int:
        return self.bottom_layer - self.top_layer + 1


@dataclass(frozen=True)
class Staffing:
    position: Record
    department: Record | None
    incumbents: int

    @property
    def headcount(self) -> int:
        return int(self.position["headcount"])

    @property
    def difference(self) -> int:
        """Incumbents minus headcount: above 0 overflow (编制溢出), below 0 vacancies."""
        return self.incumbents - self.headcount


@dataclass(frozen=True)
class HeadcountStatus:
    overflow: list[Staffing]
    vacancies: list[Staffing]


def raci_key(role: str) -> int:
    """Where a RACI role sorts: R, A, C, I, then anything else."""
    return RACI_ORDER.index(role) if role in RACI_ORDER else len(RACI_ORDER)


def owned_by(held: dict[str, dict[str, set[str]]]) -> dict[str, frozenset[str]]:
    """Responsibility id -> its owners (R, A) among the holdings (owned duties only)."""
    owned = {k: frozenset(p for role in OWNER_ROLES for p in roles.get(role, ()))
             for k, roles in held.items()}
    return {k: v for k, v in owned.items() if v}


def shapes(layers: list[PositionLayer], spans: list[PositionSpan]) -> list[DepartmentShape]:
    """Each department that has positions: the layers its own positions span (``layers`` of
    every position) and its widest span of control (``spans`` of every position with direct
    reports), by department id."""
    by_dept: dict[str, tuple[Record, list[int]]] = {}
    for pl in layers:
        if pl.department is not None:
            by_dept.setdefault(pl.department["id"], (pl.department, []))[1].append(pl.layer)
    widest: dict[str, list[PositionSpan]] = {}
    for ps in spans:
        if ps.department is not None:
            best = widest.setdefault(ps.department["id"], [])
            if not best or ps.span == best[0].span:
                best.append(ps)
            elif ps.span > best[0].span:
                best[:] = [ps]
    shapes = []
    for key in sorted(by_dept):
        record, found = by_dept[key]
        wide = widest.get(key, [])
        shapes.append(DepartmentShape(record, min(found), max(found),
                                      wide[0].span if wide else 0,
                                      [w.position for w in wide]))
    return shapes
