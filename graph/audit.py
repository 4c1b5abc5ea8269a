"""The audit trail: who changed which record, when, from what to what.

Every write through Rolegraph adds events **in its own transaction**, so an event exists if
and only if its change was committed: the repository's mutations (:mod:`graph.repository`) one
event per record or relationship whose values they changed, an import
(:mod:`graph.importer`) one event with its files and counts. An event is a node of the
internal label ``AuditEvent`` (the ontology's ``internal`` section):

* ``id`` (a random UUID), ``at`` (UTC; the events of one write share it) and ``seq`` (the
  event's place in its write);
* who: ``actor`` (the token's ``sub``; ``cli:<os user>`` for the command line), ``roles``,
  ``request_id`` (the request's ``X-Request-Id``; one id per command-line run) and
  ``operation`` (the mutation's GraphQL name, e.g. ``updateContract``, or ``import``);
* what: ``class_name`` (a class, or a relationship type), ``record_id`` (the record's key; a
  relationship's key at its ``from`` end) and ``records``, every key the event concerns (the
  record, the records its changed reference columns pointed at before and after; both ends of
  a relationship), so a lookup by either end finds it;
* ``changes``: JSON, ``[{"field", "before", "after"}]``, one entry per column of the
  record's interchange row (properties and reference columns such as ``department_id``; a
  relationship's file row) whose value changed, values as interchange text, null for no value.
  A create lists every column with a value (``before`` null), a delete every column with a
  value (``after`` null); a delete also removes the owned records (``cascade``) and the
  relationships of its own file, and each gets an event of its own. A write that changes
  nothing leaves no event;
* ``details``: for an import, JSON ``{"files": {file: rows}, "nodes", "relationships",
  "audit_events"}`` (how many events of an exported trail it restored).

Events are append-only: nothing in Rolegraph changes or removes one. The values are what the
records held, wages included; only the roles with ``audit`` in the access policy read them
(``auditLog`` in GraphQL, ``rolegraph audit``), and they never go to the logs.

``rolegraph export`` writes the trail as :data:`AUDIT_FILE` beside the interchange files (one
row per event, oldest first); importing such a directory restores the events, keyed by id:
importing it twice adds nothing, and an event already in the graph is never changed.
"""

from __future__ import annotations

import getpass
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neo4j import AsyncManagedTransaction

from domain.access import Principal
from domain.csvtext import formula_unescape
from domain.records import Record
from graph.db import Graph
from graph.exporter import Table, class_cells, class_query, rel_cells, text_table, write_file
from graph.interchange import Problem
from schema.ontology import EdgeKind, Ontology, RelationshipSpec

AUDIT = "AuditEvent"
AUDIT_FILE = "audit_events.csv"
#: the columns of :data:`AUDIT_FILE`: the event's properties
COLUMNS: tuple[str, ...] = ("id", "at", "seq", "actor", "roles", "request_id", "operation",
                            "class_name", "record_id", "records", "changes", "details")
IMPORT = "import"
#: the operation of `rolegraph documents add`
DOCUMENTS_ADD = "documents add"
CLI_ROLES = ("admin",)  # the command line is trusted as an admin (domain.access.Principal)
BATCH_SIZE = 5000

#: a record or relationship as its interchange row: column -> text ("" = no value)
Row = dict[str, str]


@dataclass(frozen=True)
class AuditContext:
    """Who writes, from which request, through which operation: what every event of a write
    carries."""

    actor: str
    roles: tuple[str, ...]
    operation: str
    request_id: str = ""

    @classmethod
    def of(cls, principal: Principal, operation: str) -> AuditContext:
        """A request's caller, making the mutation ``operation`` (its GraphQL name)."""
        return cls(principal.sub, tuple(principal.roles), operation, principal.request_id)

    @classmethod
    def command_line(cls, operation: str) -> AuditContext:
        """The command line (:func:`cli_actor`), with a fresh request id for the run."""
        return cls(cli_actor(), CLI_ROLES, operation, uuid.uuid4().hex)


def cli_actor() -> str:
    """Who the command line writes and reads as: ``cli:<os user>``."""
    return f"cli:{getpass.getuser()}"


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class AuditEvent:
    """One event of the trail (see the module docstring)."""

    id: str
    at: datetime
    seq: int
    actor: str
    roles: tuple[str, ...]
    request_id: str
    operation: str
    class_name: str | None
    record_id: str | None
    records: tuple[str, ...]
    changes: tuple[FieldChange, ...] = ()
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class Change:
    """A record or relationship one write changed, as its interchange row before and after
    (None: it did not exist before, or does not any more)."""

    class_name: str
    record_id: str
    before: Row | None
    after: Row | None
    records: tuple[str, ...]


# -- what a write changed --------------------------------------------------------------------

def node_change(o: Ontology, class_name: str, key: str, before: Record | None,
                after: Record | None) -> Change:
    """A record's change from rows of :func:`graph.exporter.class_query` (``{"p": props,
    <reference column>: key}``); the records it concerns are the record and the targets of
    the reference columns that changed."""
    spec = o.cls(class_name)
    rows = [None if r is None else dict(zip(spec.columns, class_cells(spec, r), strict=True))
            for r in (before, after)]
    old, new = rows
    linked = [row[c] for c in _ref_columns(o, class_name) for row in rows
              if row is not None and row[c] and (old is None or new is None or old[c] != new[c])]
    return Change(class_name, key, old, new, tuple(dict.fromkeys([key, *linked])))


def edge_change(rel: RelationshipSpec, from_key: str, to_key: str,
                before: Record | None, after: Record | None) -> Change:
    """A relationship's change from its properties before and after."""
    rows = [None if p is None else dict(zip(rel.columns, rel_cells(rel, from_key, to_key, p),
                                            strict=True)) for p in (before, after)]
    return Change(rel.name, from_key, rows[0], rows[1], (from_key, to_key))


def _ref_columns(o: Ontology, class_name: str) -> list[str]:
    return [r.imports.column for r in o.reference_columns(class_name) if r.imports.column]


def field_changes(before: Row | None, after: Row | None) -> tuple[FieldChange, ...]:
    """The columns whose value differs, in column order ("" is no value)."""
    columns = list(before or after or {})
    pairs = (((before or {}).get(c) or None, (after or {}).get(c) or None) for c in columns)
    return tuple(FieldChange(c, b, a) for c, (b, a) in zip(columns, pairs, strict=True)
                 if b != a)


async def read_record(graph: Graph, tx: AsyncManagedTransaction, class_name: str,
                      key: str) -> Record | None:
    """A record as :func:`graph.exporter.class_query` reads it (None: there is none)."""
    query = class_query(graph.cy, graph.ontology.cls(class_name),
                        graph.cy.node("n", class_name, "$k"))
    rows = await graph.run_in(tx, query, k=key)
    return rows[0] if rows else None


async def deleted(graph: Graph, tx: AsyncManagedTransaction, class_name: str,
                  key: str) -> list[Change]:
    """What deleting a record removes, read before the delete: the record, the records it
    owns (``cascade``) and the relationships of their own files at all of them."""
    o, cy = graph.ontology, graph.cy
    gone = await _gone(graph, tx, class_name, cy.node("n", class_name, "$k"), key)
    for rel in o.relationships_from(class_name):
        if rel.cascade:
            owned = f"{cy.node('o', class_name, '$k')}{cy.step(EdgeKind(rel.name, 'out'), '', 'n')}"
            gone += await _gone(graph, tx, rel.target, owned, key)
    return gone


async def _gone(graph: Graph, tx: AsyncManagedTransaction, class_name: str, match: str,
                key: str) -> list[Change]:
    o, cy = graph.ontology, graph.cy
    spec = o.cls(class_name)
    rows = await graph.run_in(tx, class_query(cy, spec, match), k=key)
    gone = [node_change(o, class_name, str(r["p"][spec.key]), r, None) for r in rows]
    kinds = [EdgeKind(r.name, "out" if r.source == class_name else "in")
             for r in o.relationship_files() if class_name in (r.source, r.target)]
    if not rows or not kinds:
        return gone
    columns = []
    for i, kind in enumerate(kinds):
        far = o.rel(kind.rel).ends(kind)[1]
        columns.append(f"[(n){cy.step(kind, 'r', 'm')} | [m.{cy.key(far)}, properties(r)]] "
                       f"AS l{i}")
    links = await graph.run_in(
        tx, f"MATCH {match} RETURN n.{cy.key(class_name)} AS k, {', '.join(columns)}", k=key)
    for row in links:
        for i, kind in enumerate(kinds):
            for other, props in row[f"l{i}"]:
                ends = (row["k"], other) if kind.direction == "out" else (other, row["k"])
                gone.append(edge_change(o.rel(kind.rel), str(ends[0]), str(ends[1]), props,
                                        None))
    return gone


# -- writing events --------------------------------------------------------------------------

async def write_events(graph: Graph, tx: AsyncManagedTransaction, context: AuditContext,
                       changes: Iterable[Change]) -> int:
    """One event per change that changed a value, inside the write transaction ``tx``;
    returns how many."""
    at = datetime.now(UTC)
    events: list[AuditEvent] = []
    for change in changes:
        fields = field_changes(change.before, change.after)
        if fields:
            events.append(_event(context, at, len(events), change.class_name, change.record_id,
                                 change.records, fields))
    await _create(graph, tx, events)
    return len(events)


async def write_detail_event(graph: Graph, tx: AsyncManagedTransaction, context: AuditContext,
                             details: dict[str, Any]) -> None:
    """An event of no one record, with its details: an import (files and counts), documents
    registered (their ids)."""
    await _create(graph, tx, [_event(context, datetime.now(UTC), 0, None, None, (), (),
                                     details)])


def _event(context: AuditContext, at: datetime, seq: int, class_name: str | None,
           record_id: str | None, records: Sequence[str], changes: tuple[FieldChange, ...],
           details: dict[str, Any] | None = None) -> AuditEvent:
    return AuditEvent(str(uuid.uuid4()), at, seq, context.actor, context.roles,
                      context.request_id, context.operation, class_name, record_id,
                      tuple(records), changes, details)


def _props(event: AuditEvent) -> dict[str, Any]:
    """The event as the properties of its node (lists stay lists; changes and details JSON)."""
    return {"id": event.id, "at": event.at, "seq": event.seq, "actor": event.actor,
            "roles": list(event.roles), "request_id": event.request_id,
            "operation": event.operation, "class_name": event.class_name,
            "record_id": event.record_id, "records": list(event.records),
            "changes": _json([vars(c) for c in event.changes]),
            "details": None if event.details is None else _json(event.details)}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


async def _create(graph: Graph, tx: AsyncManagedTransaction,
                  events: Sequence[AuditEvent]) -> None:
    cy = graph.cy
    names = [cy.internal_prop(AUDIT, p) for p in COLUMNS]
    props = ", ".join(f"{name}: e.{name}" for name in names)
    query = f"UNWIND $events AS e CREATE (x:{cy.internal_label(AUDIT)} {{{props}}})"
    for start in range(0, len(events), BATCH_SIZE):
        await graph.run_in(tx, query, events=[_props(e) for e in events[start:start + BATCH_SIZE]])


def _from_props(p: dict[str, Any]) -> AuditEvent:
    at = p["at"].to_native() if hasattr(p["at"], "to_native") else p["at"]
    details = p.get("details")
    return AuditEvent(
        id=str(p["id"]), at=at if at.tzinfo else at.replace(tzinfo=UTC), seq=int(p["seq"]),
        actor=str(p["actor"]), roles=tuple(p.get("roles") or ()),
        request_id=str(p.get("request_id") or ""), operation=str(p["operation"]),
        class_name=p.get("class_name"), record_id=p.get("record_id"),
        records=tuple(p.get("records") or ()),
        changes=tuple(FieldChange(**c) for c in json.loads(p.get("changes") or "[]")),
        details=None if details is None else json.loads(details))


# -- reading the trail -----------------------------------------------------------------------

@dataclass(frozen=True)
class AuditFilter:
    """Which events: of a record (either end of a relationship), by an actor, of a class or
    relationship type, at or after ``since``, before ``until``."""

    record: str | None = None
    actor: str | None = None
    class_name: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    has_next: bool = False


def _utc(moment: datetime) -> datetime:
    """A datetime without a zone is taken as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def read_page(graph: Graph, f: AuditFilter, offset: int = 0,
                    limit: int | None = None) -> AuditPage:
    """The events ``f`` selects, newest first, from ``offset`` (at most ``limit``), with
    their total count."""
    cy = graph.cy
    prop = {p: f"x.{cy.internal_prop(AUDIT, p)}" for p in COLUMNS}
    where, params = [], {}
    for value, condition, name in (
            (f.record, f"$record IN {prop['records']}", "record"),
            (f.actor, f"{prop['actor']} = $actor", "actor"),
            (f.class_name, f"{prop['class_name']} = $class_name", "class_name"),
            (f.since, f"{prop['at']} >= $since", "since"),
            (f.until, f"{prop['at']} < $until", "until")):
        if value is not None:
            where.append(condition)
            params[name] = _utc(value) if isinstance(value, datetime) else value
    match = f"MATCH (x:{cy.internal_label(AUDIT)})" + (
        f" WHERE {' AND '.join(where)}" if where else "")
    window = "" if limit is None else " LIMIT $limit"
    rows = await graph.read(
        f"{match} WITH x ORDER BY {prop['at']} DESC, {prop['seq']} DESC, {prop['id']} DESC "
        f"SKIP $skip{window} RETURN properties(x) AS p",
        skip=offset, limit=None if limit is None else limit + 1, **params)
    total = await graph.read(f"{match} RETURN count(x) AS c", **params)
    events = [_from_props(r["p"]) for r in rows]
    if limit is not None and len(events) > limit:
        return AuditPage(events[:limit], int(total[0]["c"]), has_next=True)
    return AuditPage(events, int(total[0]["c"]))


# -- the trail's file ------------------------------------------------------------------------

def event_cells(event: AuditEvent) -> list[str]:
    """An event as a row of :data:`AUDIT_FILE` (lists and objects as JSON)."""
    props = _props(event)
    props.update(at=event.at.isoformat(), seq=str(event.seq), roles=_json(list(event.roles)),
                 records=_json(list(event.records)))
    return ["" if props[c] is None else str(props[c]) for c in COLUMNS]


async def export_trail(graph: Graph, directory: Path) -> int:
    """Write every event to :data:`AUDIT_FILE` in ``directory``, oldest first."""
    table = await trail_table(graph)
    return write_file(directory / AUDIT_FILE, table.columns, table.lines)


async def trail_table(graph: Graph) -> Table:
    """Every event as a row of :data:`AUDIT_FILE`, oldest first; every cell is text (escaped
    against formulas as the interchange files' text is: an actor is a token's subject)."""
    page = await read_page(graph, AuditFilter())
    lines = [event_cells(e) for e in reversed(page.events)]
    return text_table(AUDIT_FILE, COLUMNS, tuple("string" for _ in COLUMNS), lines)


def parse_rows(rows: Iterable[tuple[int, dict[str, str]]]
               ) -> tuple[list[AuditEvent], list[Problem]]:
    """The events of :data:`AUDIT_FILE`'s rows, and a problem for each bad cell or
    duplicate id."""
    events: list[AuditEvent] = []
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for line, row in rows:
        try:
            event = _parse_row(row)
        except _BadCell as exc:
            problems.append(Problem(AUDIT_FILE, line, exc.column, exc.reason))
            continue
        if event.id in first:
            problems.append(Problem(AUDIT_FILE, line, "id",
                                    f"duplicate of line {first[event.id]} ({event.id})"))
            continue
        first[event.id] = line
        events.append(event)
    return events, problems


class _BadCell(ValueError):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def _parse_row(row: dict[str, str]) -> AuditEvent:
    def cell(column: str, required: bool = True) -> str:
        text = formula_unescape((row.get(column) or "").strip())
        if required and not text:
            raise _BadCell(column, "a value is required")
        return text

    def parsed(column: str, kind: type, required: bool = True) -> Any:
        text = cell(column, required)
        if not text:
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise _BadCell(column, f"{text[:40]!r} is not JSON") from None
        if not isinstance(value, kind):
            raise _BadCell(column, f"{text[:40]!r} is not a JSON {kind.__name__}")
        return value

    try:
        at = datetime.fromisoformat(cell("at"))
    except ValueError:
        raise _BadCell("at", f"{cell('at')!r} is not an ISO date and time") from None
    if at.tzinfo is None:
        raise _BadCell("at", f"{cell('at')!r} has no time zone")
    if not cell("seq").isdigit():
        raise _BadCell("seq", f"{cell('seq')!r} is not a whole number")
    try:
        changes = tuple(FieldChange(str(c["field"]), c.get("before"), c.get("after"))
                        for c in parsed("changes", list))
    except (TypeError, KeyError, AttributeError):
        raise _BadCell("changes", "each change needs a field, before and after") from None
    return AuditEvent(
        id=cell("id"), at=at, seq=int(cell("seq")), actor=cell("actor"),
        roles=tuple(str(r) for r in parsed("roles", list)),
        request_id=cell("request_id", required=False), operation=cell("operation"),
        class_name=cell("class_name", required=False) or None,
        record_id=cell("record_id", required=False) or None,
        records=tuple(str(r) for r in parsed("records", list)), changes=changes,
        details=parsed("details", dict, required=False))


async def restore(graph: Graph, tx: AsyncManagedTransaction,
                  events: Sequence[AuditEvent]) -> int:
    """Create the events whose ids the graph does not hold yet (an event already there is
    never changed); returns how many were created."""
    cy = graph.cy
    found: set[str] = set()
    ids = [e.id for e in events]
    for start in range(0, len(ids), BATCH_SIZE):
        rows = await graph.run_in(
            tx, f"UNWIND $ids AS i MATCH (x:{cy.internal_label(AUDIT)} "
                f"{{{cy.internal_prop(AUDIT, 'id')}: i}}) RETURN i",
            ids=ids[start:start + BATCH_SIZE])
        found.update(str(r["i"]) for r in rows)
    new = [e for e in events if e.id not in found]
    await _create(graph, tx, new)
    return len(new)
