"""Backup, restore and reset: the whole graph in one file and back, or nothing at all.

**A backup** is one point in time of everything Rolegraph keeps: every class and relationship
(the interchange files of :mod:`graph.exporter`), the audit trail (``audit_events.csv``,
:mod:`graph.audit`) and the change stamp it was taken at. Writes through Rolegraph are held
while it reads (:mod:`graph.hold`: neither engine's reads are snapshots), so every write
acknowledged before the backup began is in it and none that began after; reads go on. It
works the same on the embedded engine and on Neo4j (plain Cypher) and while a server runs.

The file is a zip archive (mode 0600: it holds people's files), written to a scratch name and
renamed, so a failed backup leaves no partial file:

* ``manifest.json``: ``{"format": "rolegraph-backup", "version": 1, "created": <ISO time>,
  "stamp": {"epoch": ..., "version": ...}, "files": {<name>: {"rows": n, "sha256": hex}}}``;
* the files it lists, exactly as ``rolegraph export`` writes them.

**A restore** checks the whole file before it writes anything (a zip archive, the manifest's
format and version, exactly the files it lists, each one's SHA-256, names the ontology knows),
refuses a graph that holds any record or audit event, then imports the files in one
transaction (the importer checks every row first: all or nothing). It writes no event of its
own, so the restored graph exports exactly what the backed-up one did, byte for byte, audit
trail included. Its change stamp starts a new epoch: no process mistakes the restored graph
for one it cached.

**A reset** deletes every record, relationship, audit event and the change stamp in one
transaction (after the writes before it, like any write). Nothing is left to record it in.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.audit import AUDIT, AUDIT_FILE, AuditContext, export_trail
from graph.changes import Stamp, begin_write
from graph.db import Graph
from graph.exporter import export_directory
from graph.hold import hold_writes
from graph.importer import ImportReport, import_directory
from graph.stats import node_counts

FORMAT = "rolegraph-backup"
VERSION = 1
MANIFEST = "manifest.json"
RESTORE = "restore"
_CHUNK = 1 << 20
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # entries carry no time: the manifest says when


class BadBackup(Exception):
    """The file is not a backup this version can restore; nothing was written."""


class NotEmpty(Exception):
    """The graph holds records or audit events, so a restore would mix two graphs."""


@dataclass(frozen=True)
class Manifest:
    """What a backup file says it holds."""

    created: str
    stamp: Stamp
    files: dict[str, dict[str, Any]]

    @property
    def rows(self) -> int:
        return sum(int(f["rows"]) for f in self.files.values())


@dataclass(frozen=True)
class BackupReport:
    """What a backup wrote, and how long writes were held for it."""

    path: Path
    manifest: Manifest
    held_seconds: float
    seconds: float


async def backup(graph: Graph, path: Path) -> BackupReport:
    """Write a backup of the whole graph to ``path`` (see the module docstring)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rolegraph-backup-") as scratch:
        directory = Path(scratch)
        async with hold_writes(graph) as stamp:
            held = time.monotonic()
            rows = await export_directory(graph, directory)
            rows[AUDIT_FILE] = await export_trail(graph, directory)
        held_seconds = time.monotonic() - held
        manifest = Manifest(created=datetime.now(UTC).isoformat(timespec="seconds"),
                            stamp=stamp, files={
                                name: {"rows": count, "sha256": _sha256(directory / name)}
                                for name, count in sorted(rows.items())})
        _write_archive(path, directory, manifest)
    return BackupReport(path, manifest, held_seconds, time.monotonic() - started)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest_json(manifest: Manifest) -> str:
    return json.dumps({"format": FORMAT, "version": VERSION, "created": manifest.created,
                       "stamp": {"epoch": manifest.stamp.epoch,
                                 "version": manifest.stamp.version},
                       "files": manifest.files}, ensure_ascii=False, indent=2) + "\n"


def _write_archive(path: Path, directory: Path, manifest: Manifest) -> None:
    scratch = path.with_name(f".{path.name}.{os.getpid()}.part")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(zipfile.ZipInfo(MANIFEST, _ZIP_TIME), _manifest_json(manifest))
            for name in manifest.files:
                info = zipfile.ZipInfo(name, _ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                with zf.open(info, "w") as out, (directory / name).open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
        os.replace(scratch, path)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise


def unpack(path: Path, directory: Path, known: set[str]) -> Manifest:
    """Check the backup at ``path`` and unpack its files into ``directory``; raises
    :class:`BadBackup` naming the first thing wrong. ``known``: the file names this version
    reads (the ontology's interchange files and the audit file)."""
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = _manifest(path, zf)
            names = {i.filename for i in zf.infolist()} - {MANIFEST}
            unknown = sorted(set(manifest.files) - known)
            if unknown:
                raise BadBackup(f"{path}: holds {', '.join(unknown)}, which this version of "
                                "Rolegraph does not know")
            if names != set(manifest.files):
                extra = sorted(names ^ set(manifest.files))
                raise BadBackup(f"{path}: the archive and its manifest list different files "
                                f"({', '.join(extra)})")
            for name, entry in manifest.files.items():
                digest = hashlib.sha256()
                with zf.open(name) as src, (directory / name).open("wb") as out:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != entry.get("sha256"):
                    raise BadBackup(f"{path}: {name} is damaged (its checksum differs from the "
                                    "manifest's)")
            return manifest
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise BadBackup(f"{path}: not a readable backup archive ({exc})") from None
    except OSError as exc:
        raise BadBackup(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _manifest(path: Path, zf: zipfile.ZipFile) -> Manifest:
    try:
        raw = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except KeyError:
        raise BadBackup(f"{path}: not a Rolegraph backup (no {MANIFEST})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadBackup(f"{path}: {MANIFEST} is not valid JSON ({exc})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BadBackup(f"{path}: not a Rolegraph backup ({MANIFEST} names another format)")
    if raw.get("version") != VERSION:
        raise BadBackup(f"{path}: backup format version {raw.get('version')!r}; this version "
                        f"of Rolegraph reads version {VERSION}")
    files, stamp = raw.get("files"), raw.get("stamp")
    if not isinstance(files, dict) or not isinstance(stamp, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("rows"), int) for v in files.values()):
        raise BadBackup(f"{path}: {MANIFEST} lacks its files or stamp")
    for name in files:
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise BadBackup(f"{path}: {MANIFEST} names a file {name!r} outside the archive")
    return Manifest(created=str(raw.get("created", "")),
                    stamp=Stamp(epoch=stamp.get("epoch"), version=int(stamp.get("version") or 0)),
                    files=files)


async def holdings(graph: Graph) -> tuple[int, int]:
    """How many records (nodes of the ontology's classes) and audit events the graph holds."""
    records = sum((await node_counts(graph)).values())
    rows = await graph.read(f"MATCH (e:{graph.cy.internal_label(AUDIT)}) RETURN count(e) AS n")
    return records, int(rows[0]["n"]) if rows else 0


def known_files(graph: Graph) -> set[str]:
    """The file names a backup may hold: the interchange files and the audit file."""
    o = graph.ontology
    return {spec.file for spec in o.classes.values()} | {
        rel.imports.file for rel in o.relationship_files()} | {AUDIT_FILE}


async def restore(graph: Graph, path: Path) -> tuple[Manifest, ImportReport]:
    """Restore the backup at ``path`` into ``graph``, which must be empty (see the module
    docstring). Raises :class:`BadBackup`, :class:`NotEmpty` or
    :class:`graph.importer.ImportFailed`; in each case nothing was written."""
    records, events = await holdings(graph)
    if records or events:
        raise NotEmpty(f"the graph is not empty ({records:,} records, {events:,} audit events)")
    with tempfile.TemporaryDirectory(prefix="rolegraph-restore-") as scratch:
        manifest = unpack(path, Path(scratch), known_files(graph))
        report = await import_directory(graph, Path(scratch),
                                        audit=AuditContext.command_line(RESTORE),
                                        own_event=False)
    return manifest, report


async def reset(graph: Graph) -> dict[str, int]:
    """Delete everything Rolegraph keeps in the graph, in one transaction: every record and
    relationship, the audit trail, the change stamp. Returns how many nodes of each label
    were deleted (relationships go with their nodes)."""
    cy, o = graph.cy, graph.ontology
    labels = [(name, cy.label(name)) for name in o.classes] + [
        (name, cy.internal_label(name)) for name in o.internal]

    async def work(tx: AsyncManagedTransaction) -> dict[str, int]:
        await begin_write(graph, tx)  # after every write before it (and not during a backup)
        deleted: dict[str, int] = {}
        for name, label in labels:
            rows = await graph.run_in(tx, f"MATCH (n:{label}) RETURN count(n) AS n")
            deleted[name] = int(rows[0]["n"]) if rows else 0
            await graph.run_in(tx, f"MATCH (n:{label}) DETACH DELETE n")
        return deleted

    return await graph.write_tx(work)
