"""Import the interchange format (a directory of CSV files, or any other
:class:`graph.interchange.Source`, e.g. a workbook): all or nothing, idempotent.

1. :func:`graph.interchange.read_source` reads and checks every row (types, ranges, enums,
   duplicates, references between the files);
2. references the files cannot resolve are looked up in the graph;
3. if anything is wrong, nothing is written and :class:`ImportFailed` lists every problem;
4. otherwise one write transaction MERGEs the nodes, then the relationships, in batches of
   ``UNWIND $rows``. A label or relationship type the graph does not hold yet is written with
   CREATE instead (the rows are known to be unique), which is what makes a first import fast.
   The same transaction bumps the change stamp (:mod:`graph.changes`) with "everything",
   restores the events of an exported audit trail (``audit_events.csv``, keyed by id) and
   writes the import's own audit event (:mod:`graph.audit`): who, the files, the counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neo4j import AsyncManagedTransaction

from domain.bulk import gc_paused
from graph import kpi_results
from graph.audit import (
    AUDIT_FILE,
    COLUMNS,
    IMPORT,
    AuditContext,
    AuditEvent,
    parse_rows,
    restore,
    write_detail_event,
)
from graph.changes import begin_write, record_change
from graph.db import Graph
from graph.interchange import (
    CsvDirectory,
    Location,
    NodeBatch,
    ParsedDirectory,
    Problem,
    RelBatch,
    Source,
    located,
    read_source,
)

BATCH_SIZE = 5000
Progress = Callable[[str, int, int], None]


class ImportFailed(Exception):
    """The import wrote nothing; ``problems`` lists every bad row."""

    def __init__(self, problems: list[Problem], warnings: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the import; nothing was written")
        self.problems = problems
        self.warnings = warnings


@dataclass
class ImportReport:
    """What an import wrote."""

    files: dict[str, int] = field(default_factory=dict)
    nodes: int = 0
    relationships: int = 0
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    #: events of an exported audit trail that the graph did not hold yet
    audit_events: int = 0


async def import_directory(graph: Graph, directory: Path, progress: Progress | None = None,
                           batch_size: int = BATCH_SIZE,
                           audit: AuditContext | None = None,
                           own_event: bool = True) -> ImportReport:
    """Validate and import ``directory`` of CSV files (see :func:`import_source`)."""
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a directory")
    return await import_source(graph, CsvDirectory(directory), progress, batch_size, audit,
                               own_event)


async def import_source(graph: Graph, source: Source, progress: Progress | None = None,
                        batch_size: int = BATCH_SIZE, audit: AuditContext | None = None,
                        own_event: bool = True) -> ImportReport:
    """Validate and import what ``source`` holds; raises :class:`ImportFailed` with every
    problem, each naming the file as the source does (``org.xlsx:employees:4``).
    ``audit``: who imports, for the audit trail (default: the command line); ``own_event``
    False: write no event of the import itself (a restore gives back the trail as it was)."""
    with gc_paused():  # a million rows and more are no garbage (domain/bulk.py)
        return await _import(graph, source, progress, batch_size, audit, own_event)


async def _import(graph: Graph, source: Source, progress: Progress | None, batch_size: int,
                  audit: AuditContext | None, own_event: bool) -> ImportReport:
    started = time.perf_counter()
    parsed = read_source(source, graph.ontology, {AUDIT_FILE: COLUMNS})
    events, problems = parse_rows(parsed.extra.get(AUDIT_FILE, []))
    problems += parsed.problems
    missing: set[tuple[str, str]] = set()
    problems += await _unresolved_references(graph, parsed, missing)
    problems += await kpi_results.import_problems(graph, parsed, missing)
    warnings = [located(w, source) for w in parsed.warnings]
    if problems:
        raise ImportFailed(sorted(located(p, source) for p in problems), warnings)
    writer = _Writer(graph, parsed, progress or (lambda what, done, total: None), batch_size,
                     events, audit or AuditContext.command_line(IMPORT), own_event)
    restored = await graph.write_tx(writer.write_all)
    return ImportReport(files={source.where(f): n for f, n in parsed.files_read.items()},
                        nodes=parsed.node_count, relationships=parsed.rel_count,
                        warnings=warnings, seconds=time.perf_counter() - started,
                        audit_events=restored)


async def _unresolved_references(graph: Graph, parsed: ParsedDirectory,
                                 missing: set[tuple[str, str]]) -> list[Problem]:
    """A problem for each reference found neither in the files nor in the graph (each also
    added to ``missing`` as class and key)."""
    problems: list[Problem] = []
    cy = graph.cy
    for class_name, refs in parsed.unresolved.items():
        found: set[str] = set()
        keys = sorted(refs)
        for start in range(0, len(keys), BATCH_SIZE):
            rows = await graph.read(
                f"UNWIND $keys AS k MATCH {cy.node('n', class_name, 'k')} "
                f"RETURN n.{cy.key(class_name)} AS k",
                keys=keys[start:start + BATCH_SIZE])
            found.update(str(r["k"]) for r in rows)
        for key in keys:
            if key not in found:
                missing.add((class_name, key))
                problems += [_missing(loc, class_name, key) for loc in refs[key]]
    return problems


def _missing(loc: Location, class_name: str, key: str) -> Problem:
    return Problem(loc.file, loc.line, loc.column,
                   f"{class_name} {key!r} exists neither in the files nor in the graph")


class _Writer:
    def __init__(self, graph: Graph, parsed: ParsedDirectory, progress: Progress,
                 batch_size: int, events: list[AuditEvent], audit: AuditContext,
                 own_event: bool = True) -> None:
        self.own_event = own_event
        self.batch_size = batch_size
        self.graph = graph
        self.cy = graph.cy
        self.parsed = parsed
        self.progress = progress
        self.events = events
        self.audit = audit

    async def write_all(self, tx: AsyncManagedTransaction) -> int:
        """Write everything; returns how many events of the audit file were restored."""
        await begin_write(self.graph, tx)  # first: serialises it with every other write
        together: dict[str, list[RelBatch]] = {}
        for batch in self.parsed.nodes.values():
            refs = await self._created_with(tx, batch)
            if refs:
                together[batch.spec.name] = refs
            else:
                await self._write_nodes(tx, batch)
        for name, refs in together.items():  # after every other node: what they point at
            await self._write_nodes_with(tx, self.parsed.nodes[name], refs)
        done = {id(r) for refs in together.values() for r in refs}
        for rel_batch in self.parsed.rels.values():
            if id(rel_batch) not in done:
                await self._write_rels(tx, rel_batch)
        await record_change(self.graph, tx, None)
        restored = await restore(self.graph, tx, self.events)
        if not self.own_event:
            return restored
        await write_detail_event(self.graph, tx, self.audit, {
            "files": dict(self.parsed.files_read), "nodes": self.parsed.node_count,
            "relationships": self.parsed.rel_count, "audit_events": restored})
        return restored

    async def _exists(self, tx: AsyncManagedTransaction, pattern: str) -> bool:
        rows = await self.graph.run_in(tx, f"MATCH {pattern} RETURN 1 AS one LIMIT 1")
        return bool(rows)

    async def _batched(self, tx: AsyncManagedTransaction, what: str, query: str,
                       rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), self.batch_size):
            await self.graph.run_in(tx, query, rows=rows[start:start + self.batch_size])
            self.progress(what, min(start + self.batch_size, len(rows)), len(rows))

    async def _write_nodes(self, tx: AsyncManagedTransaction, batch: NodeBatch) -> None:
        spec = batch.spec
        if not batch.rows:
            return
        cy = self.cy
        if await self._exists(tx, cy.node("n", spec.name)):
            query = (f"UNWIND $rows AS row MERGE {cy.node('n', spec.name, 'row.key')} "
                     "SET n += row.props")
            rows = batch.rows
        else:
            query = f"UNWIND $rows AS row CREATE {cy.node('n', spec.name)} SET n = row.props"
            rows = [{"props": _without_nulls(r["props"])} for r in batch.rows]
        await self._batched(tx, spec.file, query, rows)

    async def _created_with(self, tx: AsyncManagedTransaction,
                            batch: NodeBatch) -> list[RelBatch]:
        """The relationships of ``batch``'s reference columns, when the nodes and those can be
        created together, one statement a batch of rows (a KPI result with its employee and
        KPI): the class and the relationship types are new to the graph, and every row names
        each reference exactly once. Else none: nodes and relationships go one after the
        other (MERGE, or references optional or repeated)."""
        spec = batch.spec
        refs = [r for r in self.parsed.rels.values() if r.spec.imports.file == spec.file
                and r.spec.imports.column is not None]
        if not batch.rows or not refs:
            return []
        keys = {r["key"] for r in batch.rows}
        for ref in refs:
            own = "to" if ref.spec.imports.reverse else "from"
            other = "from" if ref.spec.imports.reverse else "to"
            if ref.spec.properties or len(ref.rows) != len(keys) \
                    or any(r[other] is None for r in ref.rows) \
                    or {r[own] for r in ref.rows} != keys:
                return []
        if await self._exists(tx, self.cy.node("n", spec.name)):
            return []
        for ref in refs:
            if await self._exists(tx, f"()-[:{self.cy.rel(ref.spec.name)}]->()"):
                return []
        return refs

    async def _write_nodes_with(self, tx: AsyncManagedTransaction, batch: NodeBatch,
                                refs: list[RelBatch]) -> None:
        """CREATE the nodes of ``batch`` with the relationships ``refs`` (see
        :meth:`_created_with`); each statement's count is checked, so a node whose
        reference was not found fails the import instead of going missing."""
        cy, spec = self.cy, batch.spec
        ends: list[dict[str, str]] = []
        matches, creates = [], []
        for i, ref in enumerate(refs):
            rel = ref.spec
            own = "to" if rel.imports.reverse else "from"
            other_key = "from" if rel.imports.reverse else "to"
            ends.append({r[own]: r[other_key] for r in ref.rows})
            other = rel.source if rel.imports.reverse else rel.target
            matches.append(f"MATCH {cy.node(f'o{i}', other, f'row.r{i}')}")
            arrow = (f"(o{i})-[:{cy.rel(rel.name)}]->(n)" if rel.imports.reverse
                     else f"(n)-[:{cy.rel(rel.name)}]->(o{i})")
            creates.append(f"CREATE {arrow}")
        query = (f"UNWIND $rows AS row {' '.join(matches)} CREATE {cy.node('n', spec.name)} "
                 f"SET n = row.props {' '.join(creates)} RETURN count(n) AS created")
        rows = [{"props": _without_nulls(r["props"]),
                 **{f"r{i}": end[r["key"]] for i, end in enumerate(ends)}}
                for r in batch.rows]
        what = f"{spec.file} (with {', '.join(r.spec.name for r in refs)})"
        for start in range(0, len(rows), self.batch_size):
            part = rows[start:start + self.batch_size]
            found = await self.graph.run_in(tx, query, rows=part)
            created = int(found[0]["created"]) if found else 0
            if created != len(part):
                raise RuntimeError(f"{what}: {created} of {len(part)} rows written (a "
                                   "reference not found); nothing was imported")
            self.progress(what, min(start + self.batch_size, len(rows)), len(rows))

    async def _write_rels(self, tx: AsyncManagedTransaction, batch: RelBatch) -> None:
        rel = batch.spec
        if not batch.rows:
            return
        cy = self.cy
        a, b = cy.node("a", rel.source, "row.from"), cy.node("b", rel.target, "row.to")
        rtype = cy.rel(rel.name)
        what = f"{rel.imports.file} ({rel.name})"
        existing = await self._exists(tx, f"()-[:{rtype}]->()")
        if existing and batch.replace:
            await self._batched(tx, what, self._replace_query(batch), batch.rows)
        rows = [r for r in batch.rows if r["to"] is not None]
        if existing:
            key = ", ".join(f"{cy.rel_prop(rel.name, k)}: row.key.{k}" for k in rel.key)
            identity = f" {{{key}}}" if key else ""
            query = (f"UNWIND $rows AS row MATCH {a} MATCH {b} "
                     f"MERGE (a)-[r:{rtype}{identity}]->(b) SET r += row.props")
        else:
            query = (f"UNWIND $rows AS row MATCH {a} MATCH {b} "
                     f"CREATE (a)-[r:{rtype}]->(b) SET r = row.props")
            rows = [{"from": r["from"], "to": r["to"], "props": _without_nulls(r["props"])}
                    for r in rows]
        await self._batched(tx, what, query, rows)

    def _replace_query(self, batch: RelBatch) -> str:
        """Delete the relationship a reference column replaces (its old target or source)."""
        cy, rel = self.cy, batch.spec
        rtype = cy.rel(rel.name)
        if rel.imports.reverse:  # e.g. a contract moved to another employee
            owned, owned_key = rel.target, "row.to"
            pattern = f"(x)-[old:{rtype}]->(n)"
            cond = f"x.{cy.key(rel.source)} <> row.from"
        else:  # e.g. a position moved to another department
            owned, owned_key = rel.source, "row.from"
            pattern = f"(n)-[old:{rtype}]->(x)"
            cond = f"(row.to IS NULL OR x.{cy.key(rel.target)} <> row.to)"
        return (f"UNWIND $rows AS row MATCH {cy.node('n', owned, owned_key)} "
                f"MATCH {pattern} WHERE {cond} DELETE old")


def _without_nulls(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None}

