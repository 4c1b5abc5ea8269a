"""``rolegraph describe POSITION``: a position's job description (岗位说明书) as Markdown,
HTML or Word.

Markdown and HTML go to standard output unless ``--output FILE`` is given; Word (a binary
file) needs ``--output``. The command line acts as an administrator (README, Access
control), so the incumbents are all named. Exit status: 0 written, 1 no such position (or the
graph cannot be reached), 2 usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from domain.errors import NotFound
from domain.job_description import JobDescription
from graph.constraints import ensure_schema
from graph.db import Graph, graph_runtime
from graph.descriptions import job_description
from graph.repository import Repository
from graph.settings import Settings
from reports.job_description import Page, layout, to_html, to_markdown
from reports.job_description_docx import to_docx

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
#: each format's writer; text formats may go to standard output
FORMATS: dict[str, Callable[[Page], str | bytes]] = {
    "md": to_markdown, "html": to_html, "docx": to_docx}


def add_describe_command(sub: Any) -> None:
    """Add ``describe`` to the ``rolegraph`` subcommands ``sub``."""
    p = sub.add_parser(
        "describe", help="write a position's job description (岗位说明书)",
        description="Write the job description of a position: department and reporting "
                    "line, responsibilities grouped by RACI role, requirements, certificates, "
                    "KPIs, incumbents and vacancies. In Chinese when the position's title is "
                    "Chinese. md and html go to standard output unless --output is given; "
                    "docx needs --output.")
    p.add_argument("position", metavar="POSITION", help="the position's id, e.g. P005")
    p.add_argument("--format", choices=tuple(FORMATS), default="md",
                   help="md (Markdown, the default), html (a page that prints on A4) or docx "
                        "(Word)")
    p.add_argument("--output", type=Path, default=None, metavar="FILE",
                   help="write to this file instead of standard output (required for docx)")
    p.set_defaults(handler=cmd_describe)


def cmd_describe(args: argparse.Namespace, settings: Settings) -> int:
    output: Path | None = args.output
    if args.format == "docx" and output is None:
        print("error: --format docx writes a binary file: give --output FILE",
              file=sys.stderr)
        return EXIT_USAGE
    if output is not None and not output.parent.is_dir():
        print(f"error: --output: {output.parent} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    try:
        with graph_runtime(settings) as conn:
            jd = asyncio.run(_read(Graph.connect(conn), args.position))
    except NotFound as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_PROBLEMS
    written = FORMATS[args.format](layout(jd))
    if output is None:
        assert isinstance(written, str)  # docx needs --output (checked above)
        sys.stdout.write(written)
    elif isinstance(written, bytes):
        output.write_bytes(written)
    else:
        output.write_text(written, encoding="utf-8")
    if output is not None:
        print(f"wrote the job description of {jd.id} {jd.title} to {output}", file=sys.stderr)
    return EXIT_OK


async def _read(graph: Graph, key: str) -> JobDescription:
    try:
        await ensure_schema(graph)
        return await job_description(Repository(graph), key)
    finally:
        await graph.close()
