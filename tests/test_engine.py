"""The embedded engine: start, stop, restart with data kept, one engine per data directory,
and no engine outliving its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import GraphHandle, LoopThread

from graph.constraints import ensure_schema
from graph.db import Connection
from graph.engine import EmbeddedEngine, EngineError

SMALL = Path(__file__).parent / "data" / "small_org"


def processes_using(data_dir: Path) -> list[int]:
    """Pids of live processes whose command line names ``data_dir``."""
    pids = []
    needle = str(data_dir.resolve()).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if needle in cmdline and state != "Z":
            pids.append(int(entry.name))
    return pids


def wait_until_gone(data_dir: Path, seconds: float = 60) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = processes_using(data_dir)
        if not left:
            return []
        time.sleep(0.2)
    return processes_using(data_dir)


def _graph(engine: EmbeddedEngine, loop: LoopThread) -> GraphHandle:
    info = engine.info
    assert info is not None
    return GraphHandle(loop, Connection(info.uri, info.user, info.password, "rolegraph", True))


def test_restart_keeps_the_data(tmp_path: Path, loop_thread: LoopThread) -> None:
    data_dir = tmp_path / "data"
    engine = EmbeddedEngine(data_dir, heap="512m", databases=["rolegraph"])
    engine.start()
    graph = _graph(engine, loop_thread)
    graph.run(ensure_schema)
    graph.import_dir(SMALL)
    graph.close()
    engine.stop()
    assert wait_until_gone(data_dir) == []

    engine = EmbeddedEngine(data_dir, heap="512m", databases=["rolegraph"])
    engine.start()
    try:
        graph = _graph(engine, loop_thread)
        assert graph.count("Position") == 5
        assert graph.count("Employee") == 4
        graph.close()
    finally:
        engine.stop()
    assert (data_dir / "log").is_dir(), "the engine's ./log belongs in the data directory"


def test_one_engine_per_data_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with EmbeddedEngine(data_dir, heap="512m"):
        second = EmbeddedEngine(data_dir, heap="512m")
        with pytest.raises(EngineError, match="is in use by another Rolegraph engine"):
            second.start()


def test_engine_stops_when_its_parent_is_killed(tmp_path: Path) -> None:
    """Even a parent killed with SIGKILL (no cleanup at all) leaves no engine behind."""
    data_dir = tmp_path / "data"
    script = (
        "import sys, time; from pathlib import Path; from graph.engine import EmbeddedEngine; "
        f"e = EmbeddedEngine(Path({str(data_dir)!r}), heap='512m'); info = e.start(); "
        "print(info.pid, flush=True); time.sleep(600)"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
    assert parent.stdout is not None
    engine_pid = int(parent.stdout.readline())
    assert engine_pid in processes_using(data_dir)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(10)
    assert wait_until_gone(data_dir) == []
    assert "Server is down" in (data_dir / "engine.log").read_text(encoding="utf-8")


def test_the_data_directory_is_private(tmp_path: Path) -> None:
    """Defect 12 of issue 11: the engine's data files were readable by other local users
    (0644 in 0755 directories). Now the directory is 0700 and every file in it 0600, also
    those an older version left (fixed on start)."""
    data_dir = tmp_path / "data"
    (data_dir / "log").mkdir(parents=True)
    os.chmod(data_dir, 0o755)
    os.chmod(data_dir / "log", 0o755)
    old = data_dir / "log" / "old.log"
    old.write_text("from before\n", encoding="utf-8")
    os.chmod(old, 0o644)
    with EmbeddedEngine(data_dir, heap="512m", databases=["rolegraph"]):
        loose = []
        for path in [data_dir, *data_dir.rglob("*")]:
            if path.is_symlink():
                continue
            mode = path.stat().st_mode & 0o777
            if mode != (0o700 if path.is_dir() else 0o600):
                loose.append(f"{path.relative_to(tmp_path)} {mode:o}")
        assert loose == []
        assert len(list((data_dir / "databases").rglob("*"))) > 3  # the engine's own files
