"""Holding writes while a backup reads the graph, so that what it reads is one point in time.

Neither engine gives a transaction a snapshot: Neo4j and the embedded engine both read
committed data, so a backup reading class after class in one long transaction would see the
writes committed meanwhile in the later classes only (measured: a read transaction on the
embedded engine counts nodes created by another one after it began). So a backup **holds
writes** instead: it marks the change stamp as held (``held_by``, ``held_until``) in a write
of its own, reads at leisure, and removes the mark.

Every write transaction through Rolegraph begins by writing the stamp
(:func:`graph.changes.begin_write`), and that statement reads the mark: a write that finds it
raises :class:`graph.db.WritesHeld`, is rolled back, and :class:`graph.db.Graph` runs it again
once the hold is gone. Writes committed before the mark are in the backup; writes after it
wait. On Neo4j the mark and the writes queue on the stamp's lock; on the embedded engine
(optimistic), a write that read the stamp before the mark was committed fails its own commit
and starts again. Reads are never held, and a hold expires by itself after
:data:`HOLD_SECONDS` should its backup die. Writes made outside Rolegraph (plain Cypher) are
not held.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from graph.changes import STAMP, STAMP_KEY, Stamp
from graph.db import Graph, WritesHeld

#: how long a hold on writes lasts at most (a backup that takes longer fails)
HOLD_SECONDS = 300.0


class HoldLost(Exception):
    """The hold expired (or was taken over) before its backup finished reading: what it read
    is not one point in time."""


def _now_ms() -> int:
    return int(time.time() * 1000)


@asynccontextmanager
async def hold_writes(graph: Graph, seconds: float = HOLD_SECONDS) -> AsyncIterator[Stamp]:
    """Hold every write through Rolegraph for the block; yields the stamp of the held graph.

    Raises :class:`graph.db.WritesHeld` when another hold is in force, and :class:`HoldLost`
    after the block when this one ended before it did."""
    cy = graph.cy
    epoch, version, log, by, until = (cy.internal_prop(STAMP, p) for p in (
        "epoch", "version", "log", "held_by", "held_until"))
    stamp = f"(s:{cy.internal_label(STAMP)} {{{cy.internal_prop(STAMP, 'id')}: $stamp}})"
    token = uuid.uuid4().hex
    rows = await graph.write(
        f"MERGE {stamp} ON CREATE SET s.{epoch} = $epoch, s.{version} = 0, s.{log} = [] "
        f"WITH s WHERE s.{until} IS NULL OR s.{until} <= $now "
        f"SET s.{by} = $token, s.{until} = $until "
        f"RETURN s.{epoch} AS epoch, s.{version} AS version, s.{log} AS log",
        stamp=STAMP_KEY, epoch=uuid.uuid4().hex, token=token, now=_now_ms(),
        until=_now_ms() + int(seconds * 1000))
    if not rows:
        raise WritesHeld("another backup holds writes right now")
    row = rows[0]
    try:
        yield Stamp(epoch=row["epoch"], version=int(row["version"]), log=tuple(row["log"]))
        kept = await graph.read(
            f"MATCH {stamp} RETURN s.{by} AS token, s.{until} AS until, s.{version} AS version",
            stamp=STAMP_KEY)
        if not kept or kept[0]["token"] != token or kept[0]["until"] <= _now_ms() \
                or kept[0]["version"] != row["version"]:
            raise HoldLost(f"writes can be held for {seconds:.0f} s, and reading took longer")
    finally:
        await graph.write(f"MATCH {stamp} WHERE s.{by} = $token "
                          f"SET s.{by} = null, s.{until} = null", stamp=STAMP_KEY, token=token)
