"""The ``rolegraph`` command: import, export, generate, serve, audit, backup, restore, reset;
the compliance commands (``check`` and ``rules``: rolegraph/cli_rules.py), ``raci``
(rolegraph/cli_reports.py), ``describe`` (rolegraph/cli_describe.py) and ``chart``
(rolegraph/cli_chart.py).

Configuration comes from ``ROLEGRAPH_*`` environment variables (see ``graph.settings``); with
no ``ROLEGRAPH_NEO4J_URI`` a command uses the embedded engine that ``rolegraph serve`` runs on
the data directory, or starts one for its own duration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from domain.csvtext import csv_line
from domain.errors import Unavailable
from graph.audit import (
    AUDIT_FILE,
    COLUMNS,
    DOCUMENTS_ADD,
    IMPORT,
    AuditContext,
    AuditEvent,
    AuditFilter,
    FieldChange,
    cli_actor,
    event_cells,
    export_trail,
    read_page,
)
from graph.backup import BadBackup, NotEmpty, backup, reset, restore
from graph.constraints import ensure_schema
from graph.db import Connection, Graph, WritesHeld, graph_runtime
from graph.documents import add_documents, list_documents
from graph.engine import EngineError
from graph.exporter import export_directory
from graph.hold import HoldLost
from graph.importer import ImportFailed, ImportReport, import_directory, import_source
from graph.interchange import CsvDirectory, Source
from graph.settings import Settings
from graph.stats import is_empty, node_counts
from reports.interchange_xlsx import BadWorkbook, WorkbookSource, export_workbook
from rolegraph.cli_chart import add_chart_commands
from rolegraph.cli_describe import add_describe_command
from rolegraph.cli_reports import add_report_commands
from rolegraph.cli_rules import add_rule_commands
from rolegraph.documents import read_documents
from rolegraph.progress import ProgressPrinter
from schema.yamlload import SourceError

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
        sys.stdout.flush()  # here, so that a closed pipe is reported below, not at exit
        return code
    except BrokenPipeError:
        # the reader went away (`rolegraph rules list | head`): stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PROBLEMS
    except EngineError as exc:
        print(f"error: the embedded engine: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except Unavailable as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_PROBLEMS
    except SourceError as exc:  # a settings file (policy, appraisal) names its file and line
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rolegraph",
        description="Rolegraph: an organisation as a graph (departments, positions, "
                    "responsibilities, competencies, employees, KPIs).",
    )
    parser.add_argument("--data-dir", type=Path, default=None, help=DATA_DIR_HELP)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("import", help="import interchange CSV files (a directory) or a "
                                      "workbook (.xlsx)",
                       description="Import a directory of CSV files in the interchange format "
                                   "(see README), or a workbook (a path ending in .xlsx) with "
                                   "one sheet per file. All or nothing: if any row is bad, "
                                   "nothing is written and every bad row is listed. "
                                   "Idempotent.")
    p.add_argument("directory", type=Path, metavar="DIR|FILE.xlsx")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="export the graph as interchange CSV files or a workbook",
                       description="Write the graph as CSV files in the interchange format, "
                                   "and the audit trail as audit_events.csv beside them "
                                   "(importing the directory restores it); with --format xlsx "
                                   "as one workbook, a sheet per file.")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="csv",
                   help="csv: a directory of CSV files (the default); xlsx: one workbook")
    p.add_argument("directory", type=Path, metavar="DIR|FILE.xlsx")
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
    p.add_argument("--reset", action="store_true",
                   help="empty the graph first: every record and the audit trail (asks for "
                        "confirmation; see `rolegraph reset`)")
    p.add_argument("--yes", action="store_true", help="with --reset: do not ask")
    p.add_argument("--host", default=None, help="address to listen on (ROLEGRAPH_HOST, 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (ROLEGRAPH_PORT, 8000)")
    p.set_defaults(handler=cmd_serve)
    p = sub.add_parser(
        "token", help="print a signed access token (no server needed)",
        description="Print a JWT signed with the configured secret (ROLEGRAPH_AUTH_SECRET, or "
                    "the one in the data directory), for a caller with these roles. Send it as "
                    "'Authorization: Bearer <token>'.")
    p.add_argument("--subject", required=True, metavar="ID",
                   help="the caller: an employee id (E0126) or a service name")
    p.add_argument("--role", action="append", required=True, metavar="ROLE",
                   help="a role of the policy (repeatable): admin, hr, manager, employee, "
                        "compliance, auditor")
    p.add_argument("--departments", default="", metavar="D1,D2",
                   help="for hr: the departments (with those below) the caller is limited to")
    p.add_argument("--ttl", default="8h", help="lifetime, e.g. 30m, 8h, 7d (8h)")
    p.set_defaults(handler=cmd_token)
    p = sub.add_parser(
        "audit", help="show the audit trail: who changed what, when",
        description="Print the audit trail, newest first: the events of the mutations and "
                    "imports, with who, when and the values before and after. While `rolegraph "
                    "serve` holds the embedded engine's data directory, the events are read "
                    "from that server's GraphQL API instead (see README, Audit trail).")
    p.add_argument("--record", metavar="ID",
                   help="events concerning this record (either end of a relationship)")
    p.add_argument("--actor", metavar="SUB", help="events by this actor (a token's subject, "
                                                  "cli:<user> for the command line)")
    p.add_argument("--since", metavar="DATE", type=_moment,
                   help="events at or after this date (YYYY-MM-DD) or time (ISO 8601; "
                        "without a zone: UTC)")
    p.add_argument("--limit", type=int, default=100,
                   help="at most this many events, the newest (100; 0: all)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--url", default=None,
                   help="the running server to ask when the data directory is in use "
                        "(default: http://ROLEGRAPH_HOST:ROLEGRAPH_PORT)")
    p.set_defaults(handler=cmd_audit)

    p = sub.add_parser(
        "documents", help="register the GraphQL documents a front end sends (trusted "
                          "documents)",
        description="Register GraphQL documents so that clients can send their id (SHA-256) "
                    "instead of the text; with ROLEGRAPH_TRUSTED_DOCUMENTS_ONLY=true the "
                    "server runs nothing else (README, Trusted documents).")
    docs = p.add_subparsers(title="actions", metavar="ACTION", required=True)
    q = docs.add_parser("add", help="register documents: .graphql files or a build's "
                                    "manifest (.json)",
                        description="Each FILE is one GraphQL document, or (*.json) an Apollo "
                                    "persisted-query manifest or a map of ids to documents. "
                                    "Every document is checked against the schema first: all "
                                    "are registered, or none.")
    q.add_argument("files", nargs="+", type=Path, metavar="FILE")
    q.set_defaults(handler=cmd_documents_add)
    q = docs.add_parser("list", help="list the registered documents")
    q.set_defaults(handler=cmd_documents_list)

    p = sub.add_parser(
        "backup", help="write a consistent backup of the whole graph to a file",
        description="Write everything Rolegraph keeps (every record and relationship, the "
                    "audit trail, the change stamp) to one file, as of one point in time: "
                    "writes through Rolegraph wait while it reads, reads go on. Works while "
                    "`rolegraph serve` runs. The file (a zip archive, mode 0600) holds "
                    "people's files: keep it as safe as the data directory.")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser(
        "restore", help="restore a backup into an empty graph",
        description="Check a backup file whole (format, checksums, every row), then write it "
                    "into the graph in one transaction: all or nothing. The graph must be "
                    "empty (`rolegraph reset` empties it). Afterwards `rolegraph export` "
                    "writes exactly what it wrote when the backup was taken.")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser(
        "reset", help="delete everything in the graph (asks first)",
        description="Delete every record, relationship and audit event, and the change "
                    "stamp, in one transaction. Nothing is left to record the reset in: take "
                    "a backup first if the data may be needed. Asks for confirmation on a "
                    "terminal; elsewhere give --yes.")
    p.add_argument("--yes", action="store_true", help="do not ask")
    p.set_defaults(handler=cmd_reset)
    add_rule_commands(sub)
    add_report_commands(sub)
    add_describe_command(sub)
    add_chart_commands(sub)
    _data_dir_everywhere(parser)
    return parser


EXPORT_FORMATS = ("csv", "xlsx")
#: the suffix that makes `rolegraph import` read a workbook instead of a directory
WORKBOOK_SUFFIX = ".xlsx"

DATA_DIR_HELP = ("data directory of the embedded engine (default: $ROLEGRAPH_DATA_DIR or "
                 "~/.local/share/rolegraph)")


def _data_dir_everywhere(parser: argparse.ArgumentParser) -> None:
    """Accept ``--data-dir`` after each command's name too (``rolegraph import --data-dir X
    DIR``), not only before it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                command.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                                     help=DATA_DIR_HELP)
                _data_dir_everywhere(command)


def _moment(text: str) -> datetime:
    """``--since``: a date (midnight UTC) or an ISO 8601 date and time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (YYYY-MM-DD) or an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
    path: Path = args.directory
    if path.suffix.lower() == WORKBOOK_SUFFIX and not path.is_dir():
        try:
            with WorkbookSource(path) as book:  # opened (and checked) before the engine starts
                return _import_source(settings, path, book)
        except BadWorkbook as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_PROBLEMS
    if not path.is_dir():
        print(f"error: {path} is not a directory (or a workbook ending in "
              f"{WORKBOOK_SUFFIX})", file=sys.stderr)
        return EXIT_USAGE
    return _import_source(settings, path, CsvDirectory(path))


def _import_source(settings: Settings, path: Path, source: Source) -> int:
    print(f"importing {path} ...", file=sys.stderr)
    audit = AuditContext.command_line(IMPORT)
    try:
        report = _with_graph(settings, lambda g: import_source(
            g, source, ProgressPrinter(), audit=audit))
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
    if report.audit_events:
        print(f"restored {report.audit_events:,} audit events")


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    directory: Path = args.directory
    if args.format == "xlsx":
        problem = ("is a directory (--format xlsx writes one file)" if directory.is_dir()
                   else "" if directory.parent.is_dir() else f"{directory.parent} does not exist")
        if problem:
            print(f"error: {directory}: {problem}", file=sys.stderr)
            return EXIT_USAGE
        written = _with_graph(settings, lambda g: export_workbook(g, directory))
        return _exported(written, directory)

    async def export(graph: Graph) -> dict[str, int]:
        written = await export_directory(graph, directory)
        written[AUDIT_FILE] = await export_trail(graph, directory)
        return written

    return _exported(_with_graph(settings, export), directory)


def _exported(written: dict[str, int], target: Path) -> int:
    for name, rows in written.items():
        print(f"  {name}: {rows:,} rows")
    print(f"exported {sum(written.values()):,} rows to {target}")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    """Read the trail from the graph (the engine of a server running on the data directory,
    too); with ``--url``, from that server's ``auditLog`` instead."""
    if args.limit < 0:
        print("error: --limit must be 0 (all) or more", file=sys.stderr)
        return EXIT_USAGE
    which = AuditFilter(record=args.record, actor=args.actor, since=args.since)
    limit: int | None = args.limit or None
    if args.url is None:
        events = _with_graph(settings, lambda g: read_page(g, which, 0, limit)).events
    else:
        print(f"reading the audit trail from the server at {args.url}", file=sys.stderr)
        try:
            events = _events_from_server(settings, args.url, which, limit)
        except _ServerError as err:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_PROBLEMS
    sys.stdout.write(RENDERINGS[args.format](events))
    return EXIT_OK


def cmd_documents_add(args: argparse.Namespace, settings: Settings) -> int:
    from resolvers.schema import build_schema  # the schema is built only when needed

    schema = build_schema(production=True)._schema
    found, problems = read_documents(args.files, schema)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(problems)} problem(s); no document was registered", file=sys.stderr)
        return EXIT_PROBLEMS
    audit = AuditContext.command_line(DOCUMENTS_ADD)
    new = _with_graph(settings, lambda g: add_documents(g, found, audit))
    for document in found:
        print(f"  {document.id}  {', '.join(document.operations) or '(anonymous)'}")
    print(f"registered {new} new document(s) of {len(found)}")
    return EXIT_OK


def cmd_documents_list(args: argparse.Namespace, settings: Settings) -> int:
    for document in _with_graph(settings, list_documents):
        added = document.added_at.isoformat() if document.added_at else "-"
        print(f"{document.id}  {added}  {document.added_by}  "
              f"{', '.join(document.operations) or '(anonymous)'}")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    path: Path = args.file
    if not path.parent.is_dir():
        print(f"error: {path.parent} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    try:
        done = _with_graph(settings, lambda g: backup(g, path))
    except (WritesHeld, HoldLost) as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    m = done.manifest
    for name, entry in m.files.items():
        print(f"  {name}: {entry['rows']:,} rows")
    print(f"backed up {m.rows:,} rows to {path} in {done.seconds:.1f} s (change stamp "
          f"{m.stamp.epoch}/{m.stamp.version}; writes waited {done.held_seconds:.1f} s)")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"error: {path} is not a file", file=sys.stderr)
        return EXIT_USAGE
    print(f"restoring {path} ...", file=sys.stderr)
    try:
        manifest, report = _with_graph(settings, lambda g: restore(g, path))
    except BadBackup as exc:
        print(f"error: {exc}; nothing was restored", file=sys.stderr)
        return EXIT_PROBLEMS
    except NotEmpty as exc:
        print(f"error: {exc}: a backup is restored into an empty graph only; `rolegraph "
              "reset` empties it (deleting the audit trail too); nothing was restored",
              file=sys.stderr)
        return EXIT_PROBLEMS
    except ImportFailed as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found; nothing was restored.", file=sys.stderr)
        return EXIT_PROBLEMS
    print_import_report(report)
    print(f"restored the backup of {manifest.created} (change stamp "
          f"{manifest.stamp.epoch}/{manifest.stamp.version})")
    return EXIT_OK


def confirm_reset(settings: Settings, yes: bool) -> bool:
    """Whether the user confirmed a reset: ``--yes``, or typing ``yes`` on a terminal."""
    if yes:
        return True
    where = settings.neo4j_uri or f"the embedded engine's data in {settings.data_dir}"
    if not sys.stdin.isatty():
        print(f"error: a reset deletes everything in the graph ({where}), the audit trail "
              "too; give --yes to confirm", file=sys.stderr)
        return False
    print(f"This deletes every record, relationship and audit event in the graph ({where}). "
          "Nothing records the reset. Type yes to go on: ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() == "yes"


def cmd_reset(args: argparse.Namespace, settings: Settings) -> int:
    if not confirm_reset(settings, args.yes):
        return EXIT_USAGE
    deleted = _with_graph(settings, reset)
    print_reset(deleted)
    return EXIT_OK


def print_reset(deleted: dict[str, int]) -> None:
    print("deleted " + ", ".join(f"{n:,} {label}" for label, n in deleted.items() if n),
          file=sys.stderr)


def render_table(events: Sequence[AuditEvent]) -> str:
    """One line per event: when, who, what, which record, and its changes."""
    rows = [("at (UTC)", "actor", "operation", "record", "changes")]
    rows += [(e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.operation,
              f"{e.class_name} {e.record_id}" if e.class_name else "", _changes_text(e))
             for e in events]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[4]])
             for row in rows]
    return "\n".join([*lines, f"{len(events)} event(s)", ""])


def _changes_text(e: AuditEvent) -> str:
    if e.details is not None:
        d = e.details
        restored = f", {d['audit_events']} audit events" if d.get("audit_events") else ""
        return (f"{len(d.get('files', {}))} files: {d.get('nodes', 0)} nodes, "
                f"{d.get('relationships', 0)} relationships{restored}")
    return "; ".join(f"{c.field}: {c.before or '-'} -> {c.after or '-'}" for c in e.changes)


def render_json(events: Sequence[AuditEvent]) -> str:
    """The events as a JSON list (``at`` in ISO 8601)."""
    return json.dumps([{**asdict(e), "at": e.at.isoformat()} for e in events],
                      ensure_ascii=False, indent=2) + "\n"


def render_csv(events: Sequence[AuditEvent]) -> str:
    """The events as rows of the export's audit_events.csv, newest first."""
    return csv_line(COLUMNS) + "".join(csv_line(event_cells(e)) for e in events)


RENDERINGS: dict[str, Callable[[Sequence[AuditEvent]], str]] = {
    "table": render_table, "json": render_json, "csv": render_csv}


class _ServerError(Exception):
    """The running server could not be asked (the message says why)."""


_AUDIT_QUERY = """query($record: ID, $actor: String, $from: DateTime, $first: Int!, $after: String)
{ auditLog(record: $record, actor: $actor, from: $from, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id at actor roles requestId operation className recordId records
      changes { field before after }
      imported { files { file rows } nodes relationships auditEvents } } } } }"""
_PAGE = 100


def _events_from_server(settings: Settings, url: str, which: AuditFilter,
                        limit: int | None) -> list[AuditEvent]:
    """The events from ``auditLog`` of the server at ``url``, asked with a short-lived token
    of the command line (role auditor) signed with the shared secret."""
    from rolegraph.auth import issue_token, shared_secret

    if not url.startswith(("http://", "https://")):
        raise _ServerError(f"--url {url!r}: give an http:// or https:// address")
    secret = shared_secret(settings)
    if secret is None:
        raise _ServerError("only an identity provider's tokens are accepted, so the command "
                           "line cannot ask the server: query auditLog with your own token")
    token = issue_token(secret, cli_actor(), ["auditor"], ttl_seconds=300,
                        issuer=settings.auth_issuer, audience=settings.auth_audience)
    events: list[AuditEvent] = []
    after: str | None = None
    while limit is None or len(events) < limit:
        variables = {"record": which.record, "actor": which.actor, "after": after,
                     "from": None if which.since is None else which.since.isoformat(),
                     "first": _PAGE if limit is None else min(_PAGE, limit - len(events))}
        page = _post_graphql(url, token, variables)["auditLog"]
        events += [_event_of(edge["node"]) for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return events


def _post_graphql(url: str, token: str, variables: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{url.rstrip('/')}/graphql", method="POST",
        data=json.dumps({"query": _AUDIT_QUERY, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # http(s): checked above
            body: dict[str, Any] = json.load(response)
    except urllib.error.HTTPError as exc:
        raise _ServerError(f"the server at {url} answered {exc.code} (a server with another "
                           "ROLEGRAPH_AUTH_SECRET or data directory?)") from None
    except (urllib.error.URLError, OSError) as exc:
        raise _ServerError(f"no Rolegraph server answers at {url}: {exc}") from None
    if body.get("errors"):
        raise _ServerError(f"the server at {url}: {body['errors'][0].get('message')}")
    data: dict[str, Any] = body["data"]
    return data


def _event_of(node: dict[str, Any]) -> AuditEvent:
    """An event as ``auditLog`` gives it (fields in GraphQL spelling)."""
    imported = node["imported"]
    details = None if imported is None else {
        "files": {f["file"]: f["rows"] for f in imported["files"]}, "nodes": imported["nodes"],
        "relationships": imported["relationships"], "audit_events": imported["auditEvents"]}
    return AuditEvent(
        id=node["id"], at=datetime.fromisoformat(node["at"]), seq=0, actor=node["actor"],
        roles=tuple(node["roles"]), request_id=node["requestId"] or "",
        operation=node["operation"], class_name=node["className"],
        record_id=node["recordId"], records=tuple(node["records"]),
        changes=tuple(FieldChange(_snake(c["field"]), c["before"], c["after"])
                      for c in node["changes"]), details=details)


def _snake(name: str) -> str:
    """``departmentId`` -> ``department_id`` (the interchange spelling of a GraphQL field)."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


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


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from rolegraph.app import policy_of
    from rolegraph.auth import issue_token, parse_ttl, shared_secret

    policy = policy_of(settings)
    unknown = policy.unknown_roles(args.role)
    if unknown:
        print(f"error: unknown role {unknown[0]!r} (the policy knows "
              f"{', '.join(policy.roles)})", file=sys.stderr)
        return EXIT_USAGE
    try:
        ttl = parse_ttl(args.ttl)
    except ValueError as exc:
        print(f"error: --ttl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    secret = shared_secret(settings)
    if secret is None:
        print("error: only an identity provider's tokens are accepted here "
              "(ROLEGRAPH_AUTH_JWKS_URL is set and ROLEGRAPH_AUTH_SECRET is not)", file=sys.stderr)
        return EXIT_USAGE
    departments = [d.strip() for d in args.departments.split(",") if d.strip()]
    print(issue_token(secret, args.subject, args.role, departments, ttl,
                      settings.auth_issuer, settings.auth_audience))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    from resolvers.schema import sdl

    sys.stdout.write(sdl())
    return EXIT_OK


class _Shutdown(Exception):
    """SIGTERM, turned into an exception so that the engine is stopped on the way out."""


def _raise_shutdown(signum: int, frame: object) -> None:
    raise _Shutdown(signum)


def _print_demo_token(settings: Settings, host: str, port: int) -> None:
    """An admin token for trying the demo, and where to put it."""
    from rolegraph.auth import issue_token, shared_secret

    secret = shared_secret(settings)
    if secret is None:
        return
    token = issue_token(secret, "demo-admin", ["admin"], ttl_seconds=8 * 3600,
                        issuer=settings.auth_issuer, audience=settings.auth_audience)
    print("an admin token for the demo (valid 8 hours; `rolegraph token --help` makes others):\n"
          f"  {token}\n"
          f"In GraphiQL (http://{host}:{port}/graphql) open Headers and paste:\n"
          f'  {{"Authorization": "Bearer {token}"}}', file=sys.stderr)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until Ctrl-C or SIGTERM, then stop the app and the engine, in that order.

    uvicorn shuts the app down on either signal and then re-raises it; SIGINT arrives as
    KeyboardInterrupt and SIGTERM as :class:`_Shutdown`, and both unwind through
    :func:`graph_runtime`, which stops the engine cleanly.
    """
    if args.reset and not confirm_reset(settings, args.yes):
        return EXIT_USAGE
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
    with graph_runtime(settings, supervise=True) as conn:
        where = f"embedded engine, data in {settings.data_dir}" if conn.embedded else conn.uri
        print(f"graph: {where}", file=sys.stderr)
        if args.reset:
            print_reset(asyncio.run(_on_graph(conn, reset)))
        if args.demo:
            report = asyncio.run(_on_graph(conn, load_demo_if_empty))
            if report is None:
                print("the graph is not empty, so the demo organisation was not loaded: the "
                      "data already there was kept. To start over with the demo: "
                      "`rolegraph serve --demo --reset` (deletes everything, the audit trail "
                      "too; `rolegraph backup FILE` keeps a copy first).", file=sys.stderr)
            else:
                print_import_report(report)
        counts = asyncio.run(_on_graph(conn, node_counts))
        print("graph holds " + ", ".join(f"{n} {c}" for c, n in counts.items()), file=sys.stderr)
        if args.demo:
            _print_demo_token(settings, host, port)
        print(f"serving on http://{host}:{port} (health: /health); Ctrl-C to stop",
              file=sys.stderr)
        uvicorn.run(create_app(settings, conn), host=host, port=port, log_level="info")


if __name__ == "__main__":
    sys.exit(main())
