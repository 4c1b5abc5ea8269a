"""The graph's change stamp: how a process holding a cache of the graph knows it is stale.

Every write through Rolegraph (the repository's mutations, an import) calls
:func:`begin_write` and :func:`record_change` inside its own write transaction. They update one
internal node (label ``ChangeStamp`` of the ontology's ``internal`` section, key ``"graph"``):

* ``epoch``: a random token set when the stamp is created; a graph that was cleared (stamp
  deleted) and written again starts a new epoch, so a cache never mistakes it for the old one;
* ``version``: the number of writes in this epoch;
* ``log``: what the last :data:`LOG_SIZE` writes touched, oldest first, one entry per write:
  the ``[class, key]`` pairs of the records written and of their neighbours over reference
  columns (e.g. the employee of a review), or ``"*"`` for "anything" (an import).

A cache reads the stamp with :func:`read_stamp` (one small query) and asks
:meth:`Stamp.changes_since` what changed after the version it was built from: nothing, a list
of touched records (update just those), or ``None`` (rebuild). The stamp commits with the
write, so a reader that sees the new version also sees the write's data, in this process or any
other serving the same graph. Writes made outside Rolegraph (plain Cypher) are not seen.

**Writes are serialised on the stamp.** Every write transaction starts with
:func:`begin_write`, which counts the write (``version`` + 1) before the transaction reads
anything, and ends with :func:`record_change`, which logs what it touched. Neo4j locks the
stamp node at the first statement until the commit, so the next write waits and then reads
what this one committed; the embedded engine (ArcadeDB, optimistic) refuses the commit of a
transaction whose stamp changed since it was read (a transient error, which the driver retries
from the start). Either way each write transaction reads what every earlier one committed, so
"look, then write" steps (``MERGE`` of a relationship, "does this id exist", "who still points
at this record") cannot interleave, and 50 identical concurrent ``assignPosition`` requests
leave one assignment.

Why it must be the *first* statement: both engines run transactions at read-committed
isolation. When the stamp was bumped at the end of a write, a transaction could read "no such
relationship", create one, and only then read the stamp, after a concurrent twin had
committed: it read the twin's stamp, so nothing conflicted, and both relationships stayed (2
of 5 rounds of 20 identical requests). Locking the endpoints instead (``SET n._lock = true
REMOVE n._lock``, or ``SET n.id = n.id``, the usual Neo4j idiom) works on Neo4j but not on the
embedded engine: a change that leaves a record as it was never conflicts there (duplicates in
5-6 of 10 rounds of 50, measured), and a real change would leave a property behind.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from neo4j import AsyncManagedTransaction

from graph.db import Graph, WritesHeld

STAMP = "ChangeStamp"
STAMP_KEY = "graph"
LOG_SIZE = 100
EVERYTHING = "*"

#: A record a write touched: (ontology class, key).
Touched = tuple[str, str]


@dataclass(frozen=True)
class Stamp:
    """The stamp as read: ``epoch`` is None while no write went through Rolegraph."""

    epoch: str | None
    version: int
    log: tuple[str, ...] = ()

    def changes_since(self, epoch: str | None, version: int) -> list[Touched] | None:
        """What the writes after ``version`` of ``epoch`` touched: an empty list when nothing
        changed, ``None`` when the caller must rebuild (another epoch, an import, or more
        writes than the log remembers). A cache built while the graph had no stamp yet
        (``epoch`` None, version 0) replays the log from its first write."""
        if epoch is None and version == 0 and self.epoch is not None:
            epoch = self.epoch  # built before the first recorded write: replay the log from 1
        if epoch != self.epoch or version > self.version:
            return None
        missed = self.version - version
        if missed == 0:
            return []
        if missed > len(self.log):
            return None
        touched: list[Touched] = []
        for entry in self.log[len(self.log) - missed:]:
            items = json.loads(entry)
            if items == EVERYTHING:
                return None
            touched += [(str(c), str(k)) for c, k in items]
        return touched


def _stamp_pattern(graph: Graph) -> str:
    cy = graph.cy
    return f"(s:{cy.internal_label(STAMP)} {{{cy.internal_prop(STAMP, 'id')}: $stamp}})"


async def begin_write(graph: Graph, tx: AsyncManagedTransaction) -> None:
    """The first statement of every write transaction: count the write on the stamp (creating
    it with a new epoch), which locks it until the commit (see the module docstring).

    Raises :class:`graph.db.WritesHeld` while a backup holds writes (:mod:`graph.hold`; read
    after the stamp is written, so on Neo4j once its lock is taken); the write is retried."""
    epoch, version, log, held = (graph.cy.internal_prop(STAMP, p)
                                 for p in ("epoch", "version", "log", "held_until"))
    rows = await graph.run_in(
        tx, f"MERGE {_stamp_pattern(graph)} "
            f"ON CREATE SET s.{epoch} = $epoch, s.{version} = 0, s.{log} = [] "
            f"SET s.{version} = s.{version} + 1 RETURN s.{held} AS held_until",
        stamp=STAMP_KEY, epoch=uuid.uuid4().hex)
    if rows and rows[0]["held_until"] is not None and rows[0]["held_until"] > time.time() * 1000:
        raise WritesHeld("a backup holds writes")


async def record_change(graph: Graph, tx: AsyncManagedTransaction,
                        touched: Iterable[Touched] | None) -> None:
    """Log what the write begun with :func:`begin_write` in ``tx`` touched; ``touched`` None =
    everything."""
    log = graph.cy.internal_prop(STAMP, "log")
    entry = json.dumps(EVERYTHING if touched is None else sorted(set(touched)),
                       ensure_ascii=False)
    await graph.run_in(
        tx, f"MATCH {_stamp_pattern(graph)} SET s.{log} = (s.{log} + [$entry])[-$keep..]",
        stamp=STAMP_KEY, entry=entry, keep=LOG_SIZE)


async def read_stamp(graph: Graph) -> Stamp:
    """The current stamp (one read)."""
    epoch, version, log = (graph.cy.internal_prop(STAMP, p) for p in ("epoch", "version", "log"))
    rows = await graph.read(
        f"OPTIONAL MATCH {_stamp_pattern(graph)} "
        f"RETURN s.{epoch} AS epoch, s.{version} AS version, s.{log} AS log", stamp=STAMP_KEY)
    row = rows[0] if rows else {}
    return Stamp(epoch=row.get("epoch"), version=int(row.get("version") or 0),
                 log=tuple(row.get("log") or ()))
