"""The ``rolegraph`` command as a user runs it: real processes, real files, real signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from test_engine import processes_using, wait_until_gone

from graph.engine_process import free_port

SMALL = Path(__file__).parent / "data" / "small_org"
REPO = Path(__file__).resolve().parent.parent


def rolegraph(data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ROLEGRAPH_DATA_DIR=str(data_dir), ROLEGRAPH_ENGINE_HEAP="512m")
    env.pop("ROLEGRAPH_NEO4J_URI", None)
    return subprocess.run([sys.executable, "-m", "rolegraph.cli", *args], env=env, text=True,
                          capture_output=True, timeout=timeout, cwd=REPO)


def start_serve(data_dir: Path, port: int, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, ROLEGRAPH_DATA_DIR=str(data_dir), ROLEGRAPH_ENGINE_HEAP="512m")
    env.pop("ROLEGRAPH_NEO4J_URI", None)
    return subprocess.Popen([sys.executable, "-m", "rolegraph.cli", "serve", "--port", str(port),
                             *args], env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, cwd=REPO)


def wait_for_health(port: int, proc: subprocess.Popen[str],
                    seconds: float = 180) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"serve exited with {proc.returncode}:\n{out}")
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
            if response.status_code == 200:
                body: dict[str, object] = response.json()
                return body
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("serve did not answer /health")


def test_import_with_three_bad_rows_reports_all_and_writes_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert rolegraph(data_dir, "import", str(SMALL)).returncode == 0
    bad = tmp_path / "bad"
    shutil.copytree(SMALL, bad)
    positions = (bad / "positions.csv").read_text(encoding="utf-8")
    positions = positions.replace("P3,研发工程师,D2,P2,6,", "P3,高级研发工程师,D2,P2,six,")
    (bad / "positions.csv").write_text(positions, encoding="utf-8")
    employees = (bad / "employees.csv").read_text(encoding="utf-8")
    employees = employees.replace("2021-09-01,本科", "2021-13-01,本科")
    (bad / "employees.csv").write_text(employees, encoding="utf-8")
    (bad / "employee_positions.csv").write_text(
        (bad / "employee_positions.csv").read_text(encoding="utf-8") + "E4,P9,2024-01-01,\n",
        encoding="utf-8")

    result = rolegraph(data_dir, "import", str(bad))

    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: employee_positions.csv:7: column position_id: Position 'P9' exists neither in "
        "the files nor in the graph",
        "error: employees.csv:4: column hire_date: '2021-13-01' is not a valid calendar date",
        "error: positions.csv:4: column grade: 'six' is not a whole number",
    ]
    assert "3 problem(s) found; nothing was imported." in result.stderr
    exported = tmp_path / "exported"
    assert rolegraph(data_dir, "export", str(exported)).returncode == 0
    for name in ("positions.csv", "employees.csv", "employee_positions.csv"):
        assert sorted((exported / name).read_text(encoding="utf-8").splitlines()) == \
            sorted((SMALL / name).read_text(encoding="utf-8").splitlines()), name


def test_generate_then_import(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    result = rolegraph(tmp_path / "unused", "generate", "--employees", "200", "--seed", "7",
                       str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "employees.csv").read_text(encoding="utf-8").count("\n") == 201
    imported = rolegraph(tmp_path / "data", "import", str(out))
    assert imported.returncode == 0, imported.stderr
    assert "imported " in imported.stdout


@pytest.mark.parametrize("command", ["import", "export", "generate", "serve", "backup",
                                     "restore", "reset"])
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    result = rolegraph(tmp_path, command, "--help")
    assert result.returncode == 0
    assert f"usage: rolegraph {command}" in result.stdout


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_demo_health_and_clean_stop(tmp_path: Path, stop_signal: int) -> None:
    """serve --demo loads the demo, /health reports it; Ctrl-C or SIGTERM stop the app and the
    engine (no Java process left) and the data is there at the next start."""
    from samples.demo import DEMO_DIR

    data_dir = tmp_path / "data"
    port = free_port()
    proc = start_serve(data_dir, port, "--demo")
    try:
        health = wait_for_health(port, proc)
    finally:
        proc.send_signal(stop_signal)
        out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    assert health["status"] == "ok"
    assert health["engine"] == {"kind": "embedded", "uri": health["engine"]["uri"],  # type: ignore[index]
                                "database": "rolegraph", "up": True, "restarts": 0}
    departments = (DEMO_DIR / "departments.csv").read_text(encoding="utf-8").count("\n") - 1
    employees = (DEMO_DIR / "employees.csv").read_text(encoding="utf-8").count("\n") - 1
    counts = health["counts"]
    assert counts["Department"] == departments  # type: ignore[index]
    assert counts["Employee"] == employees  # type: ignore[index]
    assert wait_until_gone(data_dir) == [], "an engine process outlived serve"

    port = free_port()
    proc = start_serve(data_dir, port, "--demo")  # a graph with data: kept, and said so
    try:
        assert wait_for_health(port, proc)["counts"] == counts
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=120)
    assert processes_using(data_dir) == [] or wait_until_gone(data_dir) == []
    assert "the demo organisation was not loaded: the data already there was kept" in out
    assert "rolegraph serve --demo --reset" in out


def test_the_commands_work_beside_a_running_server(tmp_path: Path) -> None:
    """Defect 13 of issue 11: while `serve` ran, export, check and import stopped with "data
    directory is in use by another Rolegraph engine"; `--data-dir` after the command name was
    refused; there was no way to start over. Now every command uses the server's engine, and
    a backup taken beside it, after a reset, restores to the same export, byte for byte."""
    from samples.demo import DEMO_DIR

    data_dir = tmp_path / "data"
    port = free_port()
    proc = start_serve(data_dir, port, "--demo")
    try:
        wait_for_health(port, proc)
        imported = rolegraph(data_dir, "import", "--data-dir", str(data_dir), str(SMALL))
        assert imported.returncode == 0, imported.stderr
        assert "using the graph engine of the server" in imported.stderr
        employees = _count(DEMO_DIR / "employees.csv") + _count(SMALL / "employees.csv")
        deadline = time.monotonic() + 10
        while wait_for_health(port, proc)["counts"]["Employee"] != employees:  # type: ignore[index]
            assert time.monotonic() < deadline, "the server did not see the import"
            time.sleep(0.2)
        checked = rolegraph(data_dir, "check", "--pack", "organisation", "--format", "json")
        assert checked.returncode in (0, 1), checked.stderr
        assert json.loads(checked.stdout)["violations"]
        shown = rolegraph(data_dir, "audit", "--limit", "1", "--format", "json")
        assert json.loads(shown.stdout)[0]["operation"] == "import", shown.stderr

        before = tmp_path / "before"
        assert rolegraph(data_dir, "export", str(before)).returncode == 0
        backup = tmp_path / "org.backup"
        done = rolegraph(data_dir, "backup", str(backup))
        assert done.returncode == 0, done.stderr
        assert backup.stat().st_mode & 0o777 == 0o600

        refused = rolegraph(data_dir, "restore", str(backup))
        assert refused.returncode == 1
        assert "the graph is not empty" in refused.stderr
        assert "nothing was restored" in refused.stderr
        unconfirmed = rolegraph(data_dir, "reset")  # stdin is no terminal: --yes is needed
        assert unconfirmed.returncode == 2 and "give --yes" in unconfirmed.stderr
        assert rolegraph(data_dir, "reset", "--yes").returncode == 0
        restored = rolegraph(data_dir, "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        after = tmp_path / "after"
        assert rolegraph(data_dir, "export", str(after)).returncode == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=120)
    names = sorted(f.name for f in before.iterdir())
    assert names == sorted(f.name for f in after.iterdir())
    for name in names:
        assert (after / name).read_bytes() == (before / name).read_bytes(), name

    port = free_port()
    proc = start_serve(data_dir, port, "--demo", "--reset", "--yes")  # start over
    try:
        counts = wait_for_health(port, proc)["counts"]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=120)
    assert counts["Employee"] == _count(DEMO_DIR / "employees.csv"), out  # type: ignore[index]


def _count(csv_file: Path) -> int:
    return csv_file.read_text(encoding="utf-8").count("\n") - 1


def test_a_closed_pipe_ends_the_output_quietly(tmp_path: Path) -> None:
    """`rolegraph rules list | head` ended in a BrokenPipeError traceback."""
    env = dict(os.environ, ROLEGRAPH_DATA_DIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "rolegraph.cli", "rules", "list"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before anything is written
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_export_and_import_a_workbook(tmp_path: Path) -> None:
    """`export --format xlsx` then `import org.xlsx` into another data directory gives the
    same CSV export; a workbook a person edited in a spreadsheet program (saved by openpyxl:
    shared strings, not XlsxWriter's inline ones) with a bad date is refused naming workbook,
    sheet and row; a missing file or one that is no workbook is one line, exit 1."""
    import openpyxl

    assert rolegraph(tmp_path / "d1", "import", str(SMALL)).returncode == 0
    book = tmp_path / "org.xlsx"
    exported = rolegraph(tmp_path / "d1", "export", "--format", "xlsx", str(book))
    assert exported.returncode == 0, exported.stderr
    assert "  employees: 4 rows" in exported.stdout and f"to {book}" in exported.stdout
    assert rolegraph(tmp_path / "d1", "export", str(tmp_path / "csv1")).returncode == 0

    imported = rolegraph(tmp_path / "d2", "import", str(book))
    assert imported.returncode == 0, imported.stderr
    assert "  org.xlsx:employees: 4 rows" in imported.stdout
    assert rolegraph(tmp_path / "d2", "export", str(tmp_path / "csv2")).returncode == 0
    for name in (p.name for p in (tmp_path / "csv1").glob("*.csv")):
        if name != "audit_events.csv":  # the second import's own event is added
            assert (tmp_path / "csv2" / name).read_bytes() == \
                (tmp_path / "csv1" / name).read_bytes(), name

    edited = openpyxl.load_workbook(book)
    sheet = edited["employees"]
    column = [c.value for c in sheet[1]].index("hire_date") + 1
    sheet.cell(row=4, column=column).value = "2021-13-01"
    edited.save(tmp_path / "edited.xlsx")
    refused = rolegraph(tmp_path / "d3", "import", str(tmp_path / "edited.xlsx"))
    assert refused.returncode == 1
    assert [line for line in refused.stderr.splitlines() if line.startswith("error:")] == [
        "error: edited.xlsx:employees:4: column hire_date: '2021-13-01' is not a valid "
        "calendar date"]

    (tmp_path / "text.xlsx").write_text("id,name\nE1,x\n", encoding="utf-8")
    for path, says in ((tmp_path / "missing.xlsx", "no such file"),
                       (tmp_path / "text.xlsx", "not a readable .xlsx workbook")):
        result = rolegraph(tmp_path / "d3", "import", str(path))
        lines = result.stderr.splitlines()
        assert result.returncode == 1
        assert len(lines) == 1 and lines[0].startswith(f"error: {path}: {says}"), lines
