"""What the workbooks share: an XlsxWriter workbook written in memory, text cells written as
text, column widths from the text they hold.

Every text cell goes through :func:`texts` / ``write_string``: XlsxWriter's ``write()`` would
turn a name such as ``=HYPERLINK(...)`` into a formula (OWASP "CSV injection"), and
``write_string`` never does. Chinese text needs nothing special: the file is UTF-8 XML, and a
spreadsheet program falls back to a font with CJK glyphs.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter

from rules.report import display_width

#: a column is never narrower or wider than this (characters)
MIN_WIDTH, MAX_WIDTH = 6, 60
HEADER = {"bold": True, "bg_color": "#D9E1F2", "border": 1, "valign": "top", "text_wrap": True}


class Book:
    """An XlsxWriter workbook written into memory; :meth:`close` gives the file's bytes."""

    def __init__(self, title: str) -> None:
        self._buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self._buffer, {"in_memory": True})
        self.workbook.set_properties({"title": title, "author": "Rolegraph"})
        self._formats: dict[tuple[tuple[str, Any], ...], Any] = {}

    def format(self, **properties: Any) -> Any:
        """A cell format with these properties, made once per workbook."""
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self.workbook.add_format(properties)
        return self._formats[key]

    def close(self) -> bytes:
        self.workbook.close()
        return self._buffer.getvalue()


def texts(sheet: Any, row: int, first_col: int, values: Iterable[str], fmt: Any = None) -> None:
    """Text cells along a row from ``first_col``, each written as text (never a formula)."""
    for col, value in enumerate(values, start=first_col):
        sheet.write_string(row, col, value, fmt)


def width(values: Iterable[str], least: int = MIN_WIDTH, most: int = MAX_WIDTH) -> int:
    """A column width fitting the longest line of ``values`` (CJK counted double), within
    ``least`` .. ``most``."""
    longest = max((display_width(line) for v in values for line in v.splitlines()), default=0)
    return max(least, min(most, longest + 2))


def table(book: Book, name: str, header: Sequence[str], rows: Sequence[Sequence[str | int]],
          wrap: Sequence[str] = ()) -> Any:
    """A sheet holding a plain table: a header row (frozen, with an autofilter over the
    table), then the rows: text written as text, whole numbers as numbers; widths from the
    text (columns named in ``wrap`` wrap instead of growing past :data:`MAX_WIDTH`)."""
    sheet = book.workbook.add_worksheet(name)
    texts(sheet, 0, 0, header, book.format(**HEADER))
    wrapped = book.format(text_wrap=True, valign="top")
    top = book.format(valign="top")
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, c, value, top)
            else:
                sheet.write_string(r, c, value, wrapped if header[c] in wrap else top)
    for c, title in enumerate(header):
        sheet.set_column(c, c, width([title, *(str(row[c]) for row in rows)]))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    return sheet
