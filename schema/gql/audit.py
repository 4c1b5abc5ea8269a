"""GraphQL types of the audit trail (``auditLog``, for the roles with ``audit`` in the access
policy): an event, its changed fields, and an import's summary.

Plain leaf fields; ``resolvers/audit.py`` fills them from the records of ``graph/audit.py``,
which describes what an event holds.
"""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.type(description="One field a change changed: its value before and after, as "
                             "text (dates YYYY-MM-DD, booleans true/false); null: no value")
class AuditChange:
    field: str = strawberry.field(
        description="the field, as the mutations' inputs name it (departmentId, monthlyWage; "
                    "for a relationship also the ids of its two ends, e.g. employeeId)")
    before: str | None
    after: str | None


@strawberry.type(description="An interchange file an import read")
class ImportedFile:
    file: str
    rows: int


@strawberry.type(description="What an import read and wrote")
class ImportSummary:
    files: list[ImportedFile]
    nodes: int
    relationships: int
    audit_events: int = strawberry.field(
        description="events of an exported audit trail it restored (those not held yet)")


@strawberry.type(description="An entry of the audit trail: a record or relationship that a "
                             "mutation changed, or an import; written in the change's own "
                             "transaction and never changed or removed afterwards")
class AuditEvent:
    id: strawberry.ID
    at: datetime = strawberry.field(description="when the write ran (UTC)")
    actor: str = strawberry.field(
        description="who wrote: the token's subject; cli:<user> for the command line")
    roles: list[str]
    request_id: str | None = strawberry.field(
        description="the request's X-Request-Id (one id per command-line run)")
    operation: str = strawberry.field(
        description="the mutation's name (updateContract), or import")
    class_name: str | None = strawberry.field(
        description="the class or relationship type changed (null for an import)")
    record_id: strawberry.ID | None = strawberry.field(
        description="the record's id; for a relationship, the id at its from end")
    records: list[strawberry.ID] = strawberry.field(
        description="every id the event concerns: the record, the records its changed "
                    "references point at before and after, both ends of a relationship")
    changes: list[AuditChange]
    imported: ImportSummary | None = strawberry.field(
        description="for an import: its files and counts")
