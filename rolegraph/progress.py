"""Progress lines for long work, written to stderr (a computed report is printed separately)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressPrinter:
    """Prints ``what done/total`` at most every ``interval`` seconds, and when a step completes.

    On a terminal the line is rewritten in place; elsewhere (CI logs) each update is a line.
    """

    def __init__(self, stream: TextIO | None = None, interval: float = 1.0) -> None:
        self.stream = stream or sys.stderr
        self.interval = interval
        self._last = 0.0
        self._tty = self.stream.isatty()

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = done >= total
        if not finished and now - self._last < self.interval:
            return
        self._last = now
        text = f"  {what}: {done:,}/{total:,}"
        if self._tty:
            self.stream.write("\r\033[K" + text + ("\n" if finished else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
