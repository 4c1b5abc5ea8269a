"""The trusted documents registered in the graph (internal label ``TrustedDocument``; see
:mod:`domain.documents`). Bookkeeping like the audit trail: not records of the organisation,
so writing one leaves the change stamp alone and no cache is refreshed; a registration leaves
an audit event (operation ``documents add``, the ids registered)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from neo4j import AsyncManagedTransaction

from graph.audit import AuditContext, write_detail_event
from graph.cypher import Cypher
from graph.db import Graph, native

DOC = "TrustedDocument"
FIELDS = ("id", "text", "operations", "added_at", "added_by")


def _props(cy: Cypher) -> dict[str, str]:
    return {name: cy.internal_prop(DOC, name) for name in FIELDS}


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    operations: tuple[str, ...]
    added_at: datetime | None = None
    added_by: str = ""


async def add_documents(graph: Graph, documents: Sequence[Document],
                        audit: AuditContext) -> int:
    """Register ``documents`` (all in one transaction, with the audit event of the new ones);
    returns how many were new."""
    cy = graph.cy
    label = cy.internal_label(DOC)
    p = _props(cy)
    rows = [{"id": d.id, "text": d.text, "operations": list(d.operations)} for d in documents]

    async def work(tx: AsyncManagedTransaction) -> int:
        found = await graph.run_in(
            tx, f"UNWIND $rows AS row OPTIONAL MATCH (old:{label} {{{p['id']}: row.id}}) "
                "WITH row WHERE old IS NULL "
                f"CREATE (d:{label}) SET d.{p['id']} = row.id, d.{p['text']} = row.text, "
                f"d.{p['operations']} = row.operations, d.{p['added_at']} = $at, "
                f"d.{p['added_by']} = $actor RETURN collect(row.id) AS ids",
            rows=rows, at=datetime.now(UTC), actor=audit.actor)
        new = sorted(found[0]["ids"]) if found else []
        if new:
            await write_detail_event(graph, tx, audit, {"documents": new})
        return len(new)

    return await graph.write_tx(work)


async def find_document(graph: Graph, key: str) -> str | None:
    """The text of the registered document ``key`` (None: not registered)."""
    cy = graph.cy
    rows = await graph.read(
        f"MATCH (d:{cy.internal_label(DOC)} {{{cy.internal_prop(DOC, 'id')}: $k}}) "
        f"RETURN d.{cy.internal_prop(DOC, 'text')} AS text", k=key)
    return str(rows[0]["text"]) if rows else None


async def list_documents(graph: Graph) -> list[Document]:
    """Every registered document, by id."""
    cy = graph.cy
    p = _props(cy)
    rows = await graph.read(
        f"MATCH (d:{cy.internal_label(DOC)}) RETURN d.{p['id']} AS id, d.{p['text']} AS text, "
        f"d.{p['operations']} AS operations, d.{p['added_at']} AS added_at, "
        f"d.{p['added_by']} AS added_by ORDER BY id")
    return [Document(str(r["id"]), str(r["text"]), tuple(r["operations"] or ()),
                     native(r["added_at"]), str(r["added_by"] or "")) for r in rows]
