"""The ``auditLog`` root field: the audit trail, newest first, for the roles with ``audit`` in
the access policy (FORBIDDEN for any other). Thin: the query is graph/audit.py's."""

# no `from __future__ import annotations`: strawberry reads the annotations below

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from domain.errors import InvalidInput
from graph import audit
from resolvers.context import Info
from resolvers.query import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Connection,
    ConnectionEdge,
    PageInfo,
    decode_cursor,
    encode_cursor,
)
from schema.gql.audit import AuditChange, AuditEvent, ImportedFile, ImportSummary


def _event(e: audit.AuditEvent) -> AuditEvent:
    return AuditEvent(
        id=strawberry.ID(e.id), at=e.at, actor=e.actor, roles=list(e.roles),
        request_id=e.request_id or None, operation=e.operation, class_name=e.class_name,
        record_id=None if e.record_id is None else strawberry.ID(e.record_id),
        records=[strawberry.ID(r) for r in e.records],
        changes=[AuditChange(field=to_camel_case(c.field), before=c.before, after=c.after)
                 for c in e.changes],
        imported=None if e.details is None else _imported(e.details))


def _imported(details: dict[str, Any]) -> ImportSummary:
    return ImportSummary(
        files=[ImportedFile(file=f, rows=int(n)) for f, n in details.get("files", {}).items()],
        nodes=int(details.get("nodes", 0)), relationships=int(details.get("relationships", 0)),
        audit_events=int(details.get("audit_events", 0)))


class AuditQueries:
    """Query fields merged into the root Query type (resolvers/schema.py)."""

    @strawberry.field(description="The audit trail, newest first: every change made by a "
                                  "mutation or an import, with who, when and the values before "
                                  "and after. Only for the roles that read the audit trail "
                                  "(admin, auditor).")
    async def audit_log(
            self, info: Info,
            record: Annotated[strawberry.ID | None, strawberry.argument(
                description="events concerning this record (either end of a relationship)")]
            = None,
            actor: Annotated[str | None, strawberry.argument(
                description="events by this actor (a token's subject, cli:<user>)")] = None,
            class_name: Annotated[str | None, strawberry.argument(
                description="events of this class or relationship type")] = None,
            from_: Annotated[datetime | None, strawberry.argument(
                name="from", description="at or after this time (no zone: UTC)")] = None,
            to: Annotated[datetime | None, strawberry.argument(
                description="before this time (no zone: UTC)")] = None,
            first: int = DEFAULT_PAGE_SIZE, after: str | None = None,
    ) -> Connection[AuditEvent]:
        info.context.require_audit()
        if not 1 <= first <= MAX_PAGE_SIZE:
            raise InvalidInput(f"first must be between 1 and {MAX_PAGE_SIZE}, not {first}",
                               field="first")
        offset = decode_cursor(after) + 1 if after else 0
        page = await audit.read_page(
            info.context.graph,
            audit.AuditFilter(None if record is None else str(record), actor, class_name,
                              from_, to), offset, first)
        edges = [ConnectionEdge(cursor=encode_cursor(offset + i), node=_event(e))
                 for i, e in enumerate(page.events)]
        return Connection(
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next, has_previous_page=offset > 0,
                               start_cursor=edges[0].cursor if edges else None,
                               end_cursor=edges[-1].cursor if edges else None),
            total_count=page.total)
