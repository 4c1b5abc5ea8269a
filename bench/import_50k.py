"""Benchmark: generate the 50,000-employee organisation and import it into a fresh embedded engine.

    python -m bench.import_50k [--employees 50000] [--seed 1] [--keep DIR]

Prints rows per file, nodes/s, relationships/s and the total time of the import (validation
included). The engine runs with its default heap (ROLEGRAPH_ENGINE_HEAP, 2g).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from graph.constraints import ensure_schema
from graph.db import Graph, graph_runtime
from graph.importer import BATCH_SIZE, ImportReport, import_directory
from graph.settings import Settings
from rolegraph.progress import ProgressPrinter
from samples.generator import generate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                        help=f"rows per UNWIND ({BATCH_SIZE})")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the engine's data here (default: a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        org = Path(tmp) / "org"
        started = time.perf_counter()
        counts = generate(org, args.employees, args.seed, performance=False)
        print(f"generated {sum(counts.values()):,} rows in {time.perf_counter() - started:.1f} s")
        data_dir = args.keep or Path(tmp) / "engine"
        settings = Settings(neo4j_uri=None, data_dir=data_dir)
        with graph_runtime(settings) as conn:
            report = asyncio.run(_import(Graph.connect(conn), org, args.batch_size))
    seconds = report.seconds
    print("files: " + ", ".join(f"{k} {v:,}" for k, v in report.files.items()))
    print(f"nodes:         {report.nodes:>9,}  {report.nodes / seconds:>9,.0f} nodes/s")
    rels = report.relationships
    print(f"relationships: {rels:>9,}  {rels / seconds:>9,.0f} rels/s")
    print(f"total:         {seconds:.1f} s (validation and writing, one transaction)")
    return 0


async def _import(graph: Graph, org: Path, batch_size: int) -> ImportReport:
    try:
        await ensure_schema(graph)
        return await import_directory(graph, org, ProgressPrinter(sys.stderr, interval=5),
                                      batch_size=batch_size)
    finally:
        await graph.close()


if __name__ == "__main__":
    sys.exit(main())
