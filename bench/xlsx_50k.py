"""Benchmark: the interchange format as CSV files and as one workbook, on the 50,000-employee
organisation: export each way, read and check each way, import each way into an empty graph.

    python -m bench.xlsx_50k [--employees 50000] [--seed 1] [--data-dir DIR]

An export is reading the graph (the same queries for both formats, timed once) and writing
the files; both writers write the same tables. Prints each time, the workbook's over the CSV
files' (the goal: under 2x each way), and the sizes. ``--data-dir`` keeps the engine's data
(a later run reuses the organisation instead of generating and importing it again). Each
import runs into an emptied graph (``reset``, not timed), so both take the same path (CREATE,
one transaction).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bench.common import large_org
from graph.audit import trail_table
from graph.backup import reset
from graph.db import Connection, Graph
from graph.exporter import Table, export_tables, write_file
from graph.importer import import_source
from graph.interchange import CsvDirectory, Source, read_source
from graph.stats import node_counts
from reports.interchange_xlsx import WorkbookSource, write_workbook

T = TypeVar("T")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep the engine's data here (default: a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            large_org(args.employees, args.seed, args.data_dir) as conn:
        asyncio.run(_bench(conn, Path(tmp)))
    return 0


async def _bench(conn: Connection, tmp: Path) -> None:
    graph = Graph.connect(conn)
    try:
        await _run(graph, tmp)
    finally:
        await graph.close()


async def _run(graph: Graph, tmp: Path) -> None:
    directory, book = tmp / "org", tmp / "org.xlsx"
    before = await node_counts(graph)

    tables: list[Table] = []

    async def read_graph() -> None:
        tables.extend([table async for table in export_tables(graph)])
        tables.append(await trail_table(graph))

    async def write_csv() -> None:
        directory.mkdir()
        for table in tables:
            write_file(directory / table.file, table.columns, table.lines)

    async def write_xlsx() -> None:
        write_workbook(book, tables)

    reading = await _timed("export: read the graph", read_graph)
    csv_out = reading + await _timed("export: write csv", write_csv)
    xlsx_out = reading + await _timed("export: write xlsx", write_xlsx)
    tables.clear()
    csv_bytes = sum(p.stat().st_size for p in directory.glob("*.csv"))
    print(f"sizes: csv files {csv_bytes / 1e6:.1f} MB, workbook {book.stat().st_size / 1e6:.1f} MB")

    def check(source: Source) -> Callable[[], Awaitable[None]]:
        async def read() -> None:
            parsed = read_source(source, graph.ontology)
            assert not parsed.problems, parsed.problems[:3]
        return read

    with WorkbookSource(book) as workbook:
        csv_read = await _timed("read and check csv", check(CsvDirectory(directory)))
        xlsx_read = await _timed("read and check xlsx", check(workbook))
        await reset(graph)
        csv_in = await _timed("import csv", lambda: import_source(graph, CsvDirectory(directory)))
        await reset(graph)
        xlsx_in = await _timed("import xlsx", lambda: import_source(graph, workbook))
    assert await node_counts(graph) == before, "the workbook's import differs from the graph"
    print(f"export csv {csv_out:.1f} s, xlsx {xlsx_out:.1f} s")
    print(f"ratios xlsx/csv: export {xlsx_out / csv_out:.2f}x, read and check "
          f"{xlsx_read / csv_read:.2f}x, import {xlsx_in / csv_in:.2f}x (goal: under 2x)")


async def _timed(what: str, work: Callable[[], Awaitable[T]]) -> float:
    started = time.perf_counter()
    await work()
    seconds = time.perf_counter() - started
    print(f"{what:<24} {seconds:7.1f} s", flush=True)
    return seconds


if __name__ == "__main__":
    sys.exit(main())
