"""The picture commands of ``rolegraph``: ``chart org`` and ``chart nine-box``, the SVGs of
``GET /org-chart.svg`` and ``GET /nine-box.svg`` drawn by the same code, as an administrator
sees them (the command line is trusted, as ``export`` and ``check`` are).

Exit status: 0 written, 1 the graph could not be read, 2 a bad option (a depth that is not a
whole number from 1 to 100, an unknown department), each with a one-line message.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from domain.errors import DomainError, Unavailable
from domain.orgchart import DEFAULT_DEPTH, MAX_DEPTH, parse_depth
from graph.access import everything
from graph.constraints import ensure_schema
from graph.db import Graph, graph_runtime
from graph.settings import Settings

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def add_chart_commands(sub: Any) -> None:
    """Add ``chart org`` and ``chart nine-box`` to the ``rolegraph`` subcommands ``sub``."""
    chart = sub.add_parser("chart", help="draw the org chart or the nine-box as SVG",
                           description="Draw a picture of the graph as an SVG file.")
    chart.set_defaults(handler=lambda args, settings: _help(chart))
    charts = chart.add_subparsers(title="pictures", metavar="PICTURE")
    p = charts.add_parser(
        "org", help="the reporting lines of the positions as a tree",
        description="The positions of a department (with those below it) or of the whole "
                    "organisation as a tree of reporting lines: title, id, headcount, "
                    "incumbents' names, vacancies (空缺) and over-headcount (超编) marked, "
                    "coloured by department. At most 400 boxes: a larger chart says it was "
                    "cut.")
    p.add_argument("--department", default=None, metavar="ID",
                   help="only this department and those below it (default: everything)")
    p.add_argument("--depth", default=None, metavar="N",
                   help=f"levels shown from the top positions, 1-{MAX_DEPTH} "
                        f"(default {DEFAULT_DEPTH})")
    _output(p)
    p.set_defaults(handler=cmd_chart_org)
    p = charts.add_parser(
        "nine-box", help="the nine-box (九宫格): people by performance and potential",
        description="The 3x3 grid of performance (latest rating) by potential (personnel "
                    "file), with the people in each box, as the GraphQL nineBox field "
                    "places them.")
    p.add_argument("--department", default=None, metavar="ID",
                   help="only the people of this department and those below it")
    _output(p)
    p.set_defaults(handler=cmd_chart_nine_box)


def _output(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", type=Path, default=None, metavar="FILE.svg",
                   help="write the SVG here instead of to standard output")


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def cmd_chart_org(args: argparse.Namespace, settings: Settings) -> int:
    try:
        depth = parse_depth(args.depth)
    except DomainError as exc:
        print(f"error: --depth: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    from reports.orgchart import chart_svg  # the drawing code is loaded when needed

    return _draw(args, settings, lambda graph: chart_svg(graph, None, args.department, depth))


def cmd_chart_nine_box(args: argparse.Namespace, settings: Settings) -> int:
    from reports.ninebox import nine_box_svg
    from rolegraph.app import policy_of  # as `serve` loads it: only when needed

    policy = policy_of(settings)
    return _draw(args, settings, lambda graph: nine_box_svg(
        graph, everything(graph, policy), args.department))


def _draw(args: argparse.Namespace, settings: Settings,
          draw: Callable[[Graph], Awaitable[str]]) -> int:
    """Draw with the configured graph and write the SVG to ``--output`` or stdout."""
    with graph_runtime(settings) as conn:
        try:
            svg = asyncio.run(_on_graph(Graph.connect(conn), draw))
        except Unavailable:
            raise  # main() reports it (exit 1)
        except DomainError as exc:  # an unknown --department
            print(f"error: --{exc.field or 'department'}: {exc.message}", file=sys.stderr)
            return EXIT_USAGE
    if args.output is None:
        sys.stdout.write(svg)
        return EXIT_OK
    try:
        args.output.write_text(svg, encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"wrote {args.output}", file=sys.stderr)
    return EXIT_OK


async def _on_graph(graph: Graph, draw: Callable[[Graph], Awaitable[str]]) -> str:
    try:
        await ensure_schema(graph)
        return await draw(graph)
    finally:
        await graph.close()
