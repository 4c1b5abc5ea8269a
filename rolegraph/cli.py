"""The ``rolegraph`` command: import, export, generate, serve.

Configuration comes from ``ROLEGRAPH_*`` environment variables (see ``graph.settings``); with
no ``ROLEGRAPH_NEO4J_URI`` the embedded engine is started for the duration of the command.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from graph.constraints import ensure_schema
from graph.db import Connection, Graph, graph_runtime
from graph.engine import EngineError
from graph.exporter import export_directory
from graph.importer import ImportFailed, ImportReport, import_directory
from graph.settings import Settings
from graph.stats import is_empty, node_counts
from rolegraph.cli_rules import add_rule_commands
from rolegraph.progress import ProgressPrinter

T = TypeVar("T")
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
        if args.data_dir is not None:
            settings = settings.model_copy(update={"data_dir": args.data_dir})
        code: int = args.handler(args, settings)
        return code
    except EngineError as exc:
        print(f"error: the embedded engine: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rolegraph",
        description="Rolegraph: an organisation as a graph (departments, positions, "
                    "responsibilities, competencies, employees, KPIs).",
    )
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="data directory of the embedded engine (default: "
                             "$ROLEGRAPH_DATA_DIR or ~/.local/share/rolegraph)")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("import", help="import a directory of interchange CSV files",
                       description="Import a directory of CSV files in the interchange format "
                                   "(see README). All or nothing: if any row is bad, nothing is "
                                   "written and every bad row is listed. Idempotent.")
    p.add_argument("directory", type=Path)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="export the graph as interchange CSV files",
                       description="Write the graph as CSV files in the interchange format.")
    p.add_argument("directory", type=Path)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("generate", help="generate a synthetic organisation as CSV files",
                       description="Write a realistic synthetic organisation in the interchange "
                                   "format; deterministic for a seed.")
    p.add_argument("--employees", type=int, default=1000, help="number of employees (1000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (1)")
    p.add_argument("out_dir", type=Path)
    p.set_defaults(handler=cmd_generate)

    p = sub.add_parser("schema", help="print the GraphQL schema (SDL)",
                       description="Print the GraphQL schema in SDL, as committed in "
                                   "schema.graphql (front ends generate their clients from it).")
    p.set_defaults(handler=cmd_schema)

    p = sub.add_parser("serve", help="run the web app (and the embedded engine if needed)",
                       description="Serve the Rolegraph web app. Starts the embedded engine "
                                   "when no ROLEGRAPH_NEO4J_URI is set; Ctrl-C stops both.")
    p.add_argument("--demo", action="store_true",
                   help="load the demo organisation first if the graph is empty")
    p.add_argument("--host", default=None, help="address to listen on (ROLEGRAPH_HOST, 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (ROLEGRAPH_PORT, 8000)")
    p.set_defaults(handler=cmd_serve)
    add_rule_commands(sub)
    return parser


def _with_graph(settings: Settings, work: Callable[[Graph], Awaitable[T]]) -> T:
    """Run ``work`` against the configured graph (starting the embedded engine if needed)."""
    with graph_runtime(settings) as conn:
        return asyncio.run(_on_graph(conn, work))


async def _on_graph(conn: Connection, work: Callable[[Graph], Awaitable[T]]) -> T:
    graph = Graph.connect(conn)
    try:
        await ensure_schema(graph)
        return await work(graph)
    finally:
        await graph.close()


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    directory: Path = args.directory
    if not directory.is_dir():
        print(f"error: {directory} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    print(f"importing {directory} ...", file=sys.stderr)
    try:
        report = _with_graph(settings, lambda g: import_directory(g, directory, ProgressPrinter()))
    except ImportFailed as exc:
        for warning in exc.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found; nothing was imported.", file=sys.stderr)
        return EXIT_PROBLEMS
    print_import_report(report)
    return EXIT_OK


def print_import_report(report: ImportReport) -> None:
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for name, rows in report.files.items():
        print(f"  {name}: {rows:,} rows")
    print(f"imported {report.nodes:,} nodes and {report.relationships:,} relationships "
          f"in {report.seconds:.1f} s")


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    directory: Path = args.directory
    written = _with_graph(settings, lambda g: export_directory(g, directory))
    for name, rows in written.items():
        print(f"  {name}: {rows:,} rows")
    print(f"exported {sum(written.values()):,} rows to {directory}")
    return EXIT_OK


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from samples.generator import generate

    if args.employees < 1:
        print("error: --employees must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    counts = generate(args.out_dir, args.employees, args.seed,
                      progress=lambda msg: print(f"  {msg}", file=sys.stderr))
    print(f"wrote {sum(counts.values()):,} rows in {len(counts)} files to {args.out_dir} "
          f"in {time.perf_counter() - started:.1f} s")
    return EXIT_OK


async def load_demo_if_empty(graph: Graph) -> ImportReport | None:
    """Import the demo organisation when the graph holds nothing yet."""
    from samples.demo import DEMO_DIR

    if not await is_empty(graph):
        return None
    return await import_directory(graph, DEMO_DIR, ProgressPrinter())


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    from resolvers.schema import sdl

    sys.stdout.write(sdl())
    return EXIT_OK


class _Shutdown(Exception):
    """SIGTERM, turned into an exception so that the engine is stopped on the way out."""


def _raise_shutdown(signum: int, frame: object) -> None:
    raise _Shutdown(signum)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until Ctrl-C or SIGTERM, then stop the app and the engine, in that order.

    uvicorn shuts the app down on either signal and then re-raises it; SIGINT arrives as
    KeyboardInterrupt and SIGTERM as :class:`_Shutdown`, and both unwind through
    :func:`graph_runtime`, which stops the engine cleanly.
    """
    previous = signal.signal(signal.SIGTERM, _raise_shutdown)
    try:
        _serve(args, settings)
    except (KeyboardInterrupt, _Shutdown):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("stopped", file=sys.stderr)
    return EXIT_OK


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from rolegraph.app import create_app

    host = args.host or settings.host
    port = args.port or settings.port
    with graph_runtime(settings) as conn:
        where = f"embedded engine, data in {settings.data_dir}" if conn.embedded else conn.uri
        print(f"graph: {where}", file=sys.stderr)
        if args.demo:
            report = asyncio.run(_on_graph(conn, load_demo_if_empty))
            if report is None:
                print("the graph is not empty: the demo organisation was not loaded",
                      file=sys.stderr)
            else:
                print_import_report(report)
        counts = asyncio.run(_on_graph(conn, node_counts))
        print("graph holds " + ", ".join(f"{n} {c}" for c, n in counts.items()), file=sys.stderr)
        print(f"serving on http://{host}:{port} (health: /health); Ctrl-C to stop",
              file=sys.stderr)
        uvicorn.run(create_app(settings, conn), host=host, port=port, log_level="info")


if __name__ == "__main__":
    sys.exit(main())
