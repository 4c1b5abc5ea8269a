"""Headless Chromium (Debian's ``chromium``) for the tests of what a person looks at: the DOM
after the page's scripts ran, and screenshots kept as CI artefacts.

Without Chromium a test is skipped with a message, except in CI (``CI`` set), where
``.ci/run`` installs it and a missing browser is a failure. Screenshots go to
``artifacts/screenshots/`` at the top of the checkout (or ``$ROLEGRAPH_ARTIFACTS``), which CI
keeps and git ignores."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
REPO = Path(__file__).resolve().parents[1]


def browser() -> str:
    """The browser's executable; skips the test (fails it in CI) when there is none."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    message = "no Chromium found (apt-get install chromium): this browser test needs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def artifacts() -> Path:
    """Where screenshots are kept (made on first use)."""
    where = Path(os.environ.get("ROLEGRAPH_ARTIFACTS") or REPO / "artifacts") / "screenshots"
    where.mkdir(parents=True, exist_ok=True)
    return where


def _run(*args: str) -> str:
    with tempfile.TemporaryDirectory(prefix="rolegraph-chromium-") as profile:
        done = subprocess.run(
            [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=15000",
             *args],
            capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def rendered(url: str) -> str:
    """The page's DOM once its scripts have run (Chromium's virtual time: up to 15 s).
    ``url`` may be ``http://...`` or ``file:///...``."""
    return _run("--dump-dom", url)


def screenshot(url: str, name: str, size: tuple[int, int] = (1280, 1600)) -> Path:
    """A PNG of the page, kept as ``artifacts/screenshots/<name>.png``; returns its path."""
    out = artifacts() / f"{name}.png"
    out.unlink(missing_ok=True)
    _run(f"--screenshot={out}", f"--window-size={size[0]},{size[1]}",
         "--hide-scrollbars", url)
    assert out.exists() and out.stat().st_size > 0, f"no screenshot written for {url}"
    return out
