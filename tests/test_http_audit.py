"""The GraphQL-over-HTTP specification's own audit suite (``graphql-http``'s serverAudits,
61 audits) against ``/graphql``: every audit ``ok``, none a warning or an error.

Needs Node.js (Debian's ``nodejs``) and the pinned npm package in ``tests/http_audit/``
(``npm ci`` there, done here when missing). Without ``node`` the test is skipped with a
message, except in CI (``CI`` set), where ``.ci/run`` installs it and a skip would hide a
failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import LiveServer, token

AUDIT = Path(__file__).resolve().parent / "http_audit"


def _tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if os.environ.get("CI"):
            pytest.fail("node and npm are needed for the GraphQL-over-HTTP audit (CI installs "
                        "Debian's nodejs and npm)")
        pytest.skip("the GraphQL-over-HTTP audit needs node and npm (Debian: apt-get install "
                    "nodejs npm); skipped")
    return node, npm


def test_graphql_over_http_audit(demo_server: LiveServer) -> None:
    node, npm = _tools()
    if not (AUDIT / "node_modules" / "graphql-http").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=AUDIT, check=True,
                       capture_output=True, timeout=300)
    done = subprocess.run([node, "audit.mjs", f"{demo_server.url}/graphql"], cwd=AUDIT,
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "AUDIT_TOKEN": token("admin")})
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    failed = [f"{r['status']}: {r['name']} ({r['reason']})" for r in results
              if r["status"] != "ok"]
    assert len(results) == 61 and not failed, "\n".join(failed)
