"""Headless Chromium (Debian's ``chromium``) for the tests of what a person looks at: the DOM
after the page's scripts ran, and screenshots kept as artefacts.

Without Chromium a test is skipped with a message, except in CI (``CI`` set), where
``.ci/run`` installs it and a missing browser is a failure. Screenshots go to
``artifacts/screenshots/`` at the top of the checkout (or ``$ROLEGRAPH_ARTIFACTS``), which git
ignores. Chromium is found and run by :mod:`reports.pictures`, as the README's pictures are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reports.pictures import find_browser, headless

REPO = Path(__file__).resolve().parents[1]


def browser() -> str:
    """The browser's executable; skips the test (fails it in CI) when there is none."""
    found = find_browser()
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
    done = headless(browser(), "--virtual-time-budget=15000", *args)
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
