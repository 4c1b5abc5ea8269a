"""Who held which position, when: the ``HOLDS_POSITION`` relationships with their dates.

Read by the period books (:mod:`graph.performance`) and by the KPI-result check
(:mod:`graph.kpi_results`, which the repository's writes run); a module of its own below both,
so that neither reads through the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from graph.db import Graph, native

HOLDS = "HOLDS_POSITION"


@dataclass(frozen=True)
class Held:
    """One assignment: an employee held a position from ``start`` (to ``end``, if it ended)."""

    employee: str
    position: str
    start: date
    end: date | None


async def assignments_of(graph: Graph, employees: Sequence[str] | None = None,
                         ) -> tuple[Held, ...]:
    """Every assignment (``HOLDS_POSITION``) with a start date, or those of ``employees``."""
    cy = graph.cy
    start, end = cy.rel_prop(HOLDS, "start_date"), cy.rel_prop(HOLDS, "end_date")
    head = "" if employees is None else "UNWIND $keys AS k "
    e = cy.node("e", "Employee") if employees is None else cy.node("e", "Employee", "k")
    found = await graph.read(
        f"{head}MATCH {e}-[h:{cy.rel(HOLDS)}]->{cy.node('p', 'Position')} "
        f"RETURN collect([e.{cy.key('Employee')}, p.{cy.key('Position')}, h.{start}, "
        f"h.{end}]) AS rows", keys=list(employees or ()))
    held = []
    for e_, p, s, x in (found[0]["rows"] if found else []):
        s, x = native(s), native(x)
        if s is not None:
            held.append(Held(str(e_), str(p), s, x))
    return tuple(held)
