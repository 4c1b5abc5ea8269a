"""Pictures of workbooks, for the README: a sheet read back from the real file (values, fills,
fonts, merged cells, column widths) drawn as an HTML table, then photographed by headless
Chromium. There is no spreadsheet program on a server; this shows what the file holds, not a
mock-up of it.

    python -m reports.pictures raci-D10.xlsx docs/raci-workbook.png [--sheet RACI]

Needs openpyxl (the ``test`` extras) and Chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import html
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

#: pixels per unit of a spreadsheet column width (Calibri 11: about 7)
PX_PER_WIDTH = 7.5
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def sheet_html(workbook: bytes, sheet: str) -> str:
    """One sheet of ``workbook`` (the file's bytes) as a self-contained HTML page: a cell per
    cell with its text, fill colour, bold, italic and font colour, merged cells spanning
    their columns, columns as wide as the sheet sets them."""
    ws = openpyxl.load_workbook(io.BytesIO(workbook))[sheet]
    spans = {(m.min_row, m.min_col): (m.max_row - m.min_row + 1, m.max_col - m.min_col + 1)
             for m in ws.merged_cells.ranges}
    covered = {(r, c) for m in ws.merged_cells.ranges
               for r in range(m.min_row, m.max_row + 1)
               for c in range(m.min_col, m.max_col + 1)} - set(spans)
    widths = [ws.column_dimensions[get_column_letter(c)].width or 8.43
              for c in range(1, ws.max_column + 1)]
    cols = "".join(f'<col style="width:{round(w * PX_PER_WIDTH)}px">' for w in widths)
    rows = []
    for r in range(1, ws.max_row + 1):
        cells = []
        for c in range(1, ws.max_column + 1):
            if (r, c) in covered:
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            cells.append(_cell(ws.cell(r, c), rowspan, colspan))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ("<!doctype html><html><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(sheet)}</title><style>"
            "body{margin:12px;font-family:Calibri,'Noto Sans CJK SC',sans-serif;font-size:13px}"
            "table{border-collapse:collapse;table-layout:fixed}"
            "td{border:1px solid #bfbfbf;padding:2px 4px;vertical-align:top;"
            "white-space:pre-wrap;overflow:hidden}"
            f"</style></head><body><table><colgroup>{cols}</colgroup>"
            + "".join(rows) + "</table></body></html>")


def _cell(cell: Any, rowspan: int, colspan: int) -> str:
    style = []
    if cell.fill is not None and cell.fill.fill_type == "solid":
        style.append(f"background:#{str(cell.fill.fgColor.rgb)[-6:]}")
    font = cell.font
    if font is not None:
        if font.b:
            style.append("font-weight:bold")
        if font.i:
            style.append("font-style:italic")
        if font.color is not None and isinstance(font.color.rgb, str):
            style.append(f"color:#{font.color.rgb[-6:]}")
    if cell.alignment is not None and cell.alignment.horizontal == "center":
        style.append("text-align:center")
    span = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + \
        (f' colspan="{colspan}"' if colspan > 1 else "")
    text = "" if cell.value is None else html.escape(str(cell.value))
    return f'<td{span} style="{";".join(style)}">{text}</td>'


def find_browser() -> str | None:
    """Headless Chromium's executable, or None when there is none."""
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def headless(browser: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``browser`` headless, with a profile of its own and nothing fetched on the side
    (the tests take their screenshots and DOMs this way too: ``tests/browser.py``)."""
    with tempfile.TemporaryDirectory(prefix="rolegraph-chromium-") as profile:
        return subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120, check=False)


def screenshot(page: Path, out: Path, size: tuple[int, int]) -> None:
    """A PNG of ``page`` (an HTML file) at ``size`` pixels, taken by headless Chromium."""
    browser = find_browser()
    if browser is None:
        raise SystemExit("error: no Chromium found (apt-get install chromium)")
    done = headless(browser, "--hide-scrollbars", f"--window-size={size[0]},{size[1]}",
                    f"--screenshot={out.resolve()}", page.resolve().as_uri())
    if done.returncode != 0:
        raise SystemExit(f"error: Chromium failed: {done.stderr[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.pictures",
                                     description="Photograph one sheet of a workbook.")
    parser.add_argument("workbook", type=Path)
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--sheet", default="RACI")
    parser.add_argument("--size", default="1500x560", help="pixels, WIDTHxHEIGHT (1500x560)")
    args = parser.parse_args(argv)
    width, _, height = args.size.partition("x")
    with tempfile.TemporaryDirectory() as work:
        page = Path(work) / "sheet.html"
        page.write_text(sheet_html(args.workbook.read_bytes(), args.sheet), encoding="utf-8")
        screenshot(page, args.out, (int(width), int(height)))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
