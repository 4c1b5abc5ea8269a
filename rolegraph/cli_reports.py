"""``rolegraph raci``: the RACI matrix of a department or a process, as CSV or a workbook.

The same matrix and files as ``GET /raci.csv`` and ``GET /raci.xlsx`` (the command line acts
as an administrator; the matrix is organisation structure, the same for every caller anyway).
Exit status: 0 written, 1 the engine failed, 2 usage (an unknown department or process, a
workbook without ``--output``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from domain.errors import DomainError, Unavailable
from graph.boundary import raci_matrix
from graph.constraints import ensure_schema
from graph.db import Graph, graph_runtime
from graph.settings import Settings
from reports import raci_workbook
from rolegraph import raci_csv

T = TypeVar("T")
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def add_report_commands(sub: Any) -> None:
    """Add ``raci`` to the ``rolegraph`` subcommands ``sub``."""
    p = sub.add_parser(
        "raci", help="the RACI matrix of a department or a process, as CSV or a workbook",
        description="Write the RACI matrix (responsibilities x positions) of a department "
                    "(with all departments below it) or of a business process, as /raci.csv "
                    "and /raci.xlsx serve it. CSV goes to standard output without --output; "
                    "a workbook needs --output.")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--department", metavar="ID", help="a department id, e.g. D10")
    which.add_argument("--process", metavar="NAME", help="a business process, e.g. 质量管理")
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="file format (csv)")
    p.add_argument("--output", type=Path, default=None, metavar="FILE",
                   help="write here instead of to standard output (required for xlsx)")
    p.set_defaults(handler=cmd_raci)


def cmd_raci(args: argparse.Namespace, settings: Settings) -> int:
    if args.format == "xlsx" and args.output is None:
        print("error: --format xlsx needs --output FILE (a workbook is not text)",
              file=sys.stderr)
        return EXIT_USAGE
    department, process = args.department or None, args.process or None
    if department is None and process is None:
        print("error: --department or --process must not be empty", file=sys.stderr)
        return EXIT_USAGE

    async def csv_text(graph: Graph) -> str:
        return raci_csv.render(await raci_matrix(graph, department, process))

    async def workbook(graph: Graph) -> bytes:
        return await raci_workbook.build(graph, department, process)

    try:
        if args.format == "xlsx":
            args.output.write_bytes(run(settings, workbook))
        else:
            text = run(settings, csv_text)
            if args.output is None:
                sys.stdout.write(text)
            else:
                args.output.write_text(text, encoding="utf-8", newline="")
    except Unavailable:
        raise  # rolegraph.cli.main reports it (exit 1)
    except DomainError as exc:  # an unknown department or process
        option = "--process" if exc.field == "process" else "--department"
        print(f"error: {option}: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"error: --output: {exc.strerror or exc}: {args.output}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def run(settings: Settings, work: Callable[[Graph], Awaitable[T]]) -> T:
    """``work`` on the graph of ``settings`` (the running server's engine, or one started for
    the command), then the connection closed."""
    async def on(graph: Graph) -> T:
        try:
            await ensure_schema(graph)
            return await work(graph)
        finally:
            await graph.close()

    with graph_runtime(settings) as conn:
        return asyncio.run(on(Graph.connect(conn)))
