"""A position's job description (岗位说明书), read with the caller's scope.

Two queries: the position with its relationships, read by the repository exactly as the
GraphQL ``position(id)`` field reads them (:meth:`graph.repository.Repository.node_with_edges`,
so the incumbents are the ones the caller's visibility lets through, with the values it may
read); and the organisation structure around it that every caller sees: the department path
from the top and how many people hold the position now (counted, never named, like the API's
``vacancies``).
"""

from __future__ import annotations

from typing import Any

from domain.errors import NotFound
from domain.job_description import (
    CertificateRef,
    DepartmentRef,
    HeldResponsibility,
    Incumbent,
    JobDescription,
    PositionKpi,
    PositionRef,
    Requirement,
    group_by_role,
)
from domain.records import Edge, Record
from graph.repository import Repository
from schema.ontology import EdgeKind

POSITION = "Position"
REPORTS_TO = EdgeKind("REPORTS_TO", "out")
DIRECT_REPORTS = EdgeKind("REPORTS_TO", "in")
RESPONSIBILITIES = EdgeKind("HAS_RESPONSIBILITY", "out")
REQUIREMENTS = EdgeKind("REQUIRES_COMPETENCY", "out")
CERTIFICATES = EdgeKind("REQUIRES_CERTIFICATE", "out")
KPIS = EdgeKind("MEASURED_BY", "out")
INCUMBENTS = EdgeKind("HOLDS_POSITION", "in", current=True)
#: the relationships a description shows, read with the position in one query (its
#: department comes with the department path: :func:`_structure`)
WANTED = (REPORTS_TO, DIRECT_REPORTS, RESPONSIBILITIES, REQUIREMENTS, CERTIFICATES, KPIS,
          INCUMBENTS)


async def job_description(repo: Repository, key: str) -> JobDescription:
    """The description of position ``key`` as the repository's caller may see it;
    :class:`NotFound` (naming ``id``) when there is no such position."""
    record, edges = await repo.node_with_edges(POSITION, key, WANTED)
    if record is None:
        raise NotFound(f"no {POSITION} with id {key!r}", field="id")
    path, holders = await _structure(repo, key)
    return JobDescription(
        id=str(record["id"]), title=str(record["title"]), grade=int(record["grade"]),
        category=str(record["category"]), headcount=int(record["headcount"]),
        is_key=bool(record.get("is_key")), summary=record.get("description"),
        department_path=path,
        reports_to=next((_position(e.node) for e in edges[REPORTS_TO]), None),
        direct_reports=tuple(sorted((_position(e.node) for e in edges[DIRECT_REPORTS]),
                                    key=lambda p: p.id)),
        responsibilities=group_by_role([_held(e) for e in edges[RESPONSIBILITIES]]),
        requirements=tuple(sorted((_requirement(e) for e in edges[REQUIREMENTS]),
                                  key=lambda r: r.id)),
        certificates=tuple(sorted((CertificateRef(str(e.node["id"]), str(e.node["name"]),
                                                  e.node.get("issuer"))
                                   for e in edges[CERTIFICATES]), key=lambda c: c.id)),
        kpis=tuple(sorted((_kpi(e) for e in edges[KPIS]), key=lambda k: k.id)),
        incumbents=tuple(sorted((Incumbent(str(e.node["id"]), e.node.get("name"),
                                           e.props.get("start_date"))
                                 for e in edges[INCUMBENTS]), key=lambda i: i.id)),
        incumbent_count=holders)


async def _structure(repo: Repository, key: str) -> tuple[tuple[DepartmentRef, ...], int]:
    """The department path from the top down to the position's department, and how many
    people hold the position now (organisation structure: the same for every caller)."""
    cy, o = repo.cy, repo.o
    tree = o.department_tree
    up = cy.arrow(EdgeKind(tree.name, "out"), hops="*0..")
    dept = o.department_class
    held, current = cy.edge(INCUMBENTS, "h", "e")
    rows: list[dict[str, Any]] = await repo.graph.read(
        f"MATCH {cy.node('p', POSITION, '$k')} "
        f"OPTIONAL MATCH {cy.department_of(POSITION, 'p', 'd')} "
        f"OPTIONAL MATCH chain = (d){up}(top:{cy.label(dept)}) "
        f"WHERE NOT EXISTS {{ MATCH (top){cy.arrow(EdgeKind(tree.name, 'out'))}() }} "
        f"RETURN [x IN nodes(chain) | [x.{cy.key(dept)}, x.{cy.display(dept)}]] AS path, "
        f"COUNT {{ MATCH (p){held} WHERE {current} }} AS holders", k=key)
    if not rows:
        return (), 0
    chain = rows[0]["path"] or []
    return (tuple(DepartmentRef(str(i), str(n)) for i, n in reversed(chain)),
            int(rows[0]["holders"]))


def _position(r: Record) -> PositionRef:
    return PositionRef(str(r["id"]), str(r["title"]))


def _held(e: Edge) -> HeldResponsibility:
    r = e.node
    return HeldResponsibility(str(e.props["raci"]), str(r["id"]), str(r["name"]),
                              r.get("description"), r.get("process"))


def _requirement(e: Edge) -> Requirement:
    c = e.node
    return Requirement(str(c["id"]), str(c["name"]), c.get("category"), int(e.props["level"]),
                       float(e.props.get("weight", 1)), bool(e.props.get("mandatory")))


def _kpi(e: Edge) -> PositionKpi:
    k = e.node
    return PositionKpi(str(k["id"]), str(k["name"]), float(e.props["weight"]), k.get("target"),
                       k.get("unit"), k.get("direction"), k.get("period"))
