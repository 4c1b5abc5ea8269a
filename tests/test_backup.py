"""Backup and restore (issue 11): one point in time of everything, checked whole before a
restore writes anything, and restored to the same export byte for byte."""

from __future__ import annotations

import json
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GraphHandle, LoopThread, demo_copy, new_database, serving

from graph.audit import AUDIT_FILE, export_trail
from graph.backup import MANIFEST, BadBackup, NotEmpty, backup, reset, restore
from graph.changes import read_stamp
from graph.db import Graph
from graph.engine import EmbeddedEngine
from graph.exporter import export_directory
from graph.importer import ImportFailed


def export(handle: GraphHandle, directory: Path) -> dict[str, bytes]:
    """What ``rolegraph export`` writes, file by file."""

    async def run(graph: Graph) -> None:
        await export_directory(graph, directory)
        await export_trail(graph, directory)

    handle.run(run)
    return {f.name: f.read_bytes() for f in sorted(directory.iterdir())}


@pytest.fixture
def org(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    """The demo organisation in a database of its own (its trail: the import's event)."""
    with demo_copy(engine, loop_thread, "bk") as handle:
        yield handle


def test_a_restored_backup_exports_byte_for_byte(org: GraphHandle, empty_graph: GraphHandle,
                                                tmp_path: Path) -> None:
    stamp = org.run(read_stamp)
    done = org.run(lambda g: backup(g, tmp_path / "org.backup"))
    assert done.manifest.stamp == stamp
    assert (tmp_path / "org.backup").stat().st_mode & 0o777 == 0o600
    with zipfile.ZipFile(tmp_path / "org.backup") as zf:
        manifest = json.loads(zf.read(MANIFEST))
    assert manifest["stamp"] == {"epoch": stamp.epoch, "version": stamp.version}
    assert manifest["files"][AUDIT_FILE]["rows"] == 1  # the demo's import

    manifest_read, report = empty_graph.run(lambda g: restore(g, tmp_path / "org.backup"))
    assert (manifest_read.stamp.epoch, manifest_read.stamp.version) == (stamp.epoch,
                                                                        stamp.version)
    assert report.audit_events == 1
    original = export(org, tmp_path / "original")
    assert export(empty_graph, tmp_path / "restored") == original
    assert empty_graph.run(read_stamp).epoch != stamp.epoch  # a new epoch: no stale caches


def _rewrite(source: Path, target: Path, name: str, text: bytes,
             manifest_too: bool = False) -> None:
    """A copy of a backup with one file replaced (and its checksum, if ``manifest_too``)."""
    import hashlib

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        manifest = json.loads(zin.read(MANIFEST))
        if manifest_too:
            manifest["files"][name]["sha256"] = hashlib.sha256(text).hexdigest()
        for info in zin.infolist():
            if info.filename == MANIFEST:
                zout.writestr(MANIFEST, json.dumps(manifest))
            else:
                zout.writestr(info.filename,
                              text if info.filename == name else zin.read(info.filename))


def test_a_restore_checks_the_whole_file_before_writing(
        org: GraphHandle, empty_graph: GraphHandle, tmp_path: Path) -> None:
    good = tmp_path / "good.backup"
    org.run(lambda g: backup(g, good))
    with zipfile.ZipFile(good) as zf:
        employees = zf.read("employees.csv")

    def refused(path: Path) -> str:
        with pytest.raises((BadBackup, ImportFailed)) as failure:
            empty_graph.run(lambda g: restore(g, path))
        assert empty_graph.count("Employee") == 0 and empty_graph.count("AuditEvent") == 0
        return str(failure.value)

    damaged = tmp_path / "damaged.backup"
    _rewrite(good, damaged, "employees.csv", employees.replace(b"E0001,", b"E0001x,"))
    assert "employees.csv is damaged" in refused(damaged)
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert "not a readable backup archive" in refused(truncated)
    not_zip = tmp_path / "notes.txt"
    not_zip.write_text("hello", encoding="utf-8")
    assert "not a readable backup archive" in refused(not_zip)
    # the checksums agree, but a row is bad: the importer refuses it before writing
    bad_row = tmp_path / "bad-row.backup"
    _rewrite(good, bad_row, "employees.csv",
             employees.replace(b"E0002,", b"E0001,"), manifest_too=True)
    assert "problem(s) in the import; nothing was written" in refused(bad_row)

    with pytest.raises(NotEmpty, match="not empty"):
        org.run(lambda g: restore(g, good))


def test_reset_empties_the_graph_including_the_trail(org: GraphHandle) -> None:
    deleted = org.run(reset)
    assert deleted["AuditEvent"] == 1 and deleted["Employee"] > 0
    assert org.count("Employee") == 0 and org.count("AuditEvent") == 0
    assert org.run(read_stamp).epoch is None


def test_a_backup_while_20_clients_write_is_one_point_in_time(
        engine: EmbeddedEngine, loop_thread: LoopThread, tmp_path: Path) -> None:
    """The acceptance test of issue 11. 20 clients create competencies through the API (each
    create: a record, an audit event, a step of the change stamp) while a backup is taken.
    Restored into an empty graph, it holds every write acknowledged before the backup began,
    and exactly as many records as audit events of them and steps of the stamp since the
    start: one point in time. Without the hold on writes the backup read the records first
    and the trail later, and held more events than records."""
    source = new_database(engine, loop_thread, "bw")
    target = new_database(engine, loop_thread, "br")
    base = source.run(read_stamp).version
    acknowledged: list[tuple[float, str]] = []
    stop = threading.Event()
    with serving(source.connection) as server:

        def write(client_no: int) -> None:
            client = server.as_("admin", sub=f"writer-{client_no}")
            n = 0
            while not stop.is_set():
                n += 1
                key = f"KB{client_no:02d}-{n:04d}"
                body = client.post("/graphql", json={"query": (
                    f'mutation {{ createCompetency(input: {{id: "{key}", name: "能力 {key}"}}) '
                    "{ id } }")}).json()
                if "errors" not in body:
                    acknowledged.append((time.monotonic(), key))

        writers = [threading.Thread(target=write, args=(i,), daemon=True) for i in range(20)]
        for w in writers:
            w.start()
        while len(acknowledged) < 60:
            time.sleep(0.02)
        began = time.monotonic()
        done = source.run(lambda g: backup(g, tmp_path / "busy.backup"))
        while len(acknowledged) < len([a for a in acknowledged if a[0] <= began]) + 40:
            time.sleep(0.02)  # the writers went on after the hold
        stop.set()
        for w in writers:
            w.join(30)
    target.run(lambda g: restore(g, tmp_path / "busy.backup"))
    out = export(target, tmp_path / "restored")
    competencies = {line.split(",")[0] for line in out["competencies.csv"].decode().splitlines()
                    if line.startswith("KB")}
    events = [line for line in out[AUDIT_FILE].decode().splitlines()
              if "createCompetency" in line]
    before = {key for at, key in acknowledged if at <= began}
    assert before - competencies == set(), "acknowledged writes missing from the backup"
    assert len(competencies) == len(events) == done.manifest.stamp.version - base
    assert len(competencies) < len(acknowledged), "the backup was taken while clients wrote"
    print(f"{len(acknowledged)} writes acknowledged, {len(competencies)} in the backup; "
          f"writes held {done.held_seconds:.2f} s, backup {done.seconds:.2f} s")
    source.close()
    target.close()
