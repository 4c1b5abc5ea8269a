"""The ``rolegraph`` command as a process on a database of the test engine (reached as a
Neo4j URI, so the command starts no engine of its own: a second or two per run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import GraphHandle

REPO = Path(__file__).resolve().parent.parent


def rolegraph_on(graph: GraphHandle, *args: str) -> subprocess.CompletedProcess[str]:
    """``rolegraph ARGS`` on ``graph``'s database; stdout and stderr decoded as UTF-8 with
    their line ends kept (text mode would turn a CSV's CR LF into LF)."""
    c = graph.connection
    env = dict(os.environ, ROLEGRAPH_NEO4J_URI=c.uri, ROLEGRAPH_NEO4J_USER=c.user,
               ROLEGRAPH_NEO4J_PASSWORD=c.password, ROLEGRAPH_NEO4J_DATABASE=c.database or "")
    env.pop("ROLEGRAPH_RULES_SETTINGS", None)
    done = subprocess.run([sys.executable, "-m", "rolegraph.cli", *args], env=env,
                          capture_output=True, timeout=300, cwd=REPO)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(),
                                       done.stderr.decode())
