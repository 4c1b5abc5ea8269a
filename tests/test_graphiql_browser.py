"""GraphiQL in a real browser: headless Chromium (Debian's ``chromium``) opens the page the
development server serves and GraphiQL renders, with its editors and the example query, from
Rolegraph's own files (this machine has no internet, and the page's Content-Security-Policy
allows scripts from the app only).

Without Chromium the test is skipped with a message, except in CI (``CI`` set), where
``.ci/run`` installs it and a missing browser is a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest
from conftest import LiveServer

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def _browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    message = "no Chromium found (apt-get install chromium): the GraphiQL browser test needs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _rendered(url: str) -> str:
    """The page's DOM once its scripts have run (Chromium's virtual time: up to 15 s)."""
    with tempfile.TemporaryDirectory(prefix="rolegraph-chromium-") as profile:
        done = subprocess.run(
            [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=15000",
             "--dump-dom", url],
            capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_graphiql_renders_from_the_apps_own_files(demo_server: LiveServer) -> None:
    dom = _rendered(f"{demo_server.url}/graphql")
    assert 'class="graphiql-container"' in dom, dom[:2000]
    assert "graphiql-query-editor" in dom
    # the example query, rendered by the editor line by line (CodeMirror)
    assert "rolegraph token --subject me --role admin" in dom
    assert "cm-punctuation" in dom  # highlighted: GraphiQL's GraphQL mode is running
