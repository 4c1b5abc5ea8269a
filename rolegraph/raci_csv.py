"""The RACI matrix as a CSV file (``GET /raci.csv``), for HR to open in a spreadsheet.

One row per responsibility, one column per position; a cell holds the roles the position has
(``R``, ``A``, ``C``, ``I``, several joined by ``/``) or is empty. Written in UTF-8 with a
byte-order mark, so spreadsheet programs show the Chinese names; every cell passes through
:func:`domain.csvtext.spreadsheet_cell`, so a name such as ``=HYPERLINK(...)`` shows as text.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from domain.boundary import RaciMatrix
from domain.csvtext import spreadsheet_cell

FIXED_COLUMNS = ("responsibility_id", "responsibility", "process")


def render(matrix: RaciMatrix) -> str:
    """The matrix as CSV text (with a byte-order mark)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")  # quotes fields holding CR or LF

    def write(cells: list[str]) -> None:
        writer.writerow([spreadsheet_cell(cell) for cell in cells])

    write([*FIXED_COLUMNS, *(column_title(c.position, c.department) for c in matrix.columns)])
    width = len(matrix.columns)
    for row in matrix.rows:
        r = row.responsibility
        write([str(r["id"]), str(r["name"]), str(r.get("process") or ""),
               *("/".join(row.cells.get(i, ())) for i in range(width))])
    return out.getvalue()


def column_title(position: dict[str, object], department: dict[str, object] | None) -> str:
    """``P005 产品经理 (市场部)``."""
    where = f" ({department['name']})" if department else ""
    return f"{position['id']} {position['title']}{where}"


def filename(department: str | None, process: str | None, ext: str = "csv") -> str:
    """``raci-D10.csv``, ``raci-质量管理.xlsx``: the download's name."""
    return f"raci-{department or process}.{ext}"


def content_disposition(name: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 6266, 5987)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                       for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
