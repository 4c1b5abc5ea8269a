"""Appraisal periods: ``YYYY`` a calendar year, ``YYYY-Qn`` a quarter, ``YYYY-Hn`` a half,
``YYYY-MM`` a month (README, "Performance management").

A period is a closed range of days; a position counts for a period when an assignment
overlaps it (:func:`overlaps`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_PATTERN = r"^[0-9]{4}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$"
_PERIOD = re.compile(PERIOD_PATTERN)
#: the years a period or a date may name (the value rules' dates too: schema/values.py)
MIN_YEAR, MAX_YEAR = 1900, 2100


class BadPeriod(ValueError):
    """A text that is not a period; the message says what a period looks like."""


@dataclass(frozen=True, order=True)
class Period:
    """A named range of days, ``start`` to ``end`` inclusive."""

    start: date
    end: date
    text: str

    def overlaps(self, start: date | None, end: date | None) -> bool:
        """Whether ``start``..``end`` (``None``: open) shares a day with the period."""
        return (start is None or start <= self.end) and (end is None or end >= self.start)

    def __str__(self) -> str:
        return self.text


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def parse_period(text: str) -> Period:
    """``2026``, ``2026-Q1``, ``2026-H2`` or ``2026-03`` as a :class:`Period`."""
    if not isinstance(text, str):
        raise BadPeriod(f"{text!r} is not a period: YYYY, YYYY-Qn, YYYY-Hn or YYYY-MM "
                        "(e.g. 2026, 2026-Q1, 2026-H2, 2026-03)")
    return _parse_period(text)


@functools.lru_cache(maxsize=4096)
def _parse_period(text: str) -> Period:
    """:func:`parse_period` of a string (kept: the same few periods recur)."""
    if not isinstance(text, str) or not _PERIOD.match(text):
        raise BadPeriod(f"{text!r} is not a period: YYYY, YYYY-Qn, YYYY-Hn or YYYY-MM "
                        "(e.g. 2026, 2026-Q1, 2026-H2, 2026-03)")
    year = int(text[:4])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadPeriod(f"{text!r}: the year must lie between {MIN_YEAR} and {MAX_YEAR}")
    rest = text[5:]
    if not rest:
        first, last = 1, 12
    elif rest[0] == "Q":
        first = 3 * (int(rest[1]) - 1) + 1
        last = first + 2
    elif rest[0] == "H":
        first = 6 * (int(rest[1]) - 1) + 1
        last = first + 5
    else:
        first = last = int(rest)
    return Period(date(year, first, 1), _month_end(year, last), text)


def is_period(text: str) -> bool:
    try:
        parse_period(text)
    except BadPeriod:
        return False
    return True


def overlaps(period: Period, start: date | None, end: date | None) -> bool:
    """Whether an assignment from ``start`` to ``end`` (``None``: still held) overlaps."""
    return period.overlaps(start, end)
