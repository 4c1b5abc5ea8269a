"""The compliance commands of ``rolegraph``: ``check``, ``rules lint``, ``rules list``.

``check`` exits 1 when any error-severity rule is violated (so it can gate a pipeline), 0
otherwise, and 2 when the rule or settings files are bad or the command line is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.errors import InvalidInput, NotFound
from domain.performance import AppraisalSettings
from graph.constraints import ensure_schema
from graph.db import Graph, graph_runtime
from graph.settings import Settings
from reports.compliance import RENDERERS as REVIEWS
from reports.compliance import Review, review
from rules.loader import RuleLoadError, default_rule_paths, lint, load_rules, rule_files
from rules.model import SEVERITIES, RuleSet, Scalar
from rules.params import parse_override, resolve_parameters
from rules.report import RENDERERS, Report, rule_rows, summary
from rules.runner import check
from rules.templates import text
from schema.appraisal import appraisal_settings
from schema.yamlload import SourceError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def add_rule_commands(sub: Any) -> None:
    """Add ``check`` and ``rules`` to the ``rolegraph`` subcommands ``sub``."""
    p = sub.add_parser(
        "check", help="check the compliance rules against the graph",
        description="Run the compliance rules (all shipped packs unless filtered) against the "
                    "graph and report every violation. Exit status: 0 no error-severity "
                    "violation, 1 some, 2 bad rule or settings files or usage.")
    p.add_argument("--pack", action="append", default=[], metavar="PACK",
                   help="only this pack (repeatable)")
    p.add_argument("--rule", action="append", default=[], metavar="ID",
                   help="only this rule (repeatable)")
    p.add_argument("--severity", action="append", default=[], choices=SEVERITIES,
                   help="only rules of this severity (repeatable)")
    p.add_argument("--department", default=None, metavar="ID",
                   help="only records of this department and those below it")
    p.add_argument("--format", choices=sorted({*RENDERERS, *REVIEWS}), default="table",
                   help="report format (table); xlsx and html are for reviewers")
    p.add_argument("--output", type=Path, default=None, metavar="FILE",
                   help="write the report here instead of to standard output (required for "
                        "xlsx)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="override a rule parameter (repeatable), e.g. minimum_wage=2690")
    _rules_options(p)
    p.set_defaults(handler=cmd_check)

    rules = sub.add_parser("rules", help="lint or list the compliance rules",
                           description="Work with the compliance rule files.")
    rules.set_defaults(handler=lambda args, settings: _help(rules))
    rsub = rules.add_subparsers(title="commands", metavar="COMMAND")
    p = rsub.add_parser(
        "lint", help="check rule files against the ontology (no database needed)",
        description="Load rule files and report every problem as file:line: message. "
                    "Exit status 1 when there are problems.")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="rule files or directories (default: the shipped packs)")
    p.set_defaults(handler=cmd_lint)
    p = rsub.add_parser("list", help="list the rules and their parameters",
                        description="List every rule with its pack, severity and title, "
                                    "then the parameters with their values.")
    p.add_argument("--format", choices=("table", "json"), default="table")
    _rules_options(p)
    p.set_defaults(handler=cmd_list)


def _rules_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", action="append", type=Path, default=None, metavar="PATH",
                   help="rule files or directories to use instead of the shipped packs")
    p.add_argument("--settings", type=Path, default=None, metavar="FILE",
                   help="parameter settings (default: $ROLEGRAPH_RULES_SETTINGS)")


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _load(args: argparse.Namespace, settings: Settings) -> tuple[RuleSet, dict[str, Scalar]]:
    """The rule set and parameter values; RuleLoadError or ValueError on bad input."""
    ruleset = load_rules(args.rules)
    overrides = dict(parse_override(ruleset, item) for item in getattr(args, "param", []))
    settings_file = args.settings or settings.rules_settings
    return ruleset, resolve_parameters(ruleset, settings_file, overrides)


def _print_errors(exc: RuleLoadError) -> None:
    for error in exc.errors:
        print(f"error: {error}", file=sys.stderr)


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    if args.format == "xlsx" and args.output is None:
        print("error: --format xlsx needs --output FILE (a workbook is not text)",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        ruleset, params = _load(args, settings)
        selected = ruleset.select(args.pack, args.rule, args.severity)
        appraisal = appraisal_settings(settings.appraisal)
    except SourceError as exc:  # the appraisal settings file (ROLEGRAPH_APPRAISAL)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RuleLoadError as exc:
        _print_errors(exc)
        return EXIT_USAGE
    except (ValueError, KeyError) as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_USAGE
    rule_ids = [r.id for r in selected]
    as_of = text(params["as_of"]) if "as_of" in params else None
    with graph_runtime(settings) as conn:
        try:
            report, reviewed = asyncio.run(_check(
                Graph.connect(conn), ruleset, params, rule_ids, args.department, appraisal,
                reviewed=args.format in REVIEWS, as_of=as_of))
        except NotFound as exc:  # an unknown --department
            print(f"error: --department: {exc.message}", file=sys.stderr)
            return EXIT_USAGE
        except InvalidInput as exc:  # e.g. an appraisal_period that is not a period
            print(f"error: --param {exc.field}: {exc.message}", file=sys.stderr)
            return EXIT_USAGE
    rendered = RENDERERS[args.format](report) if reviewed is None \
        else REVIEWS[args.format](reviewed)
    if isinstance(rendered, bytes):
        args.output.write_bytes(rendered)
    elif args.output is not None:
        args.output.write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered)
    if args.output is not None or args.format != "table":
        print(summary(report), file=sys.stderr)
    return EXIT_PROBLEMS if report.has_errors else EXIT_OK


async def _check(graph: Graph, ruleset: RuleSet, params: dict[str, Scalar], rule_ids: list[str],
                 department: str | None, appraisal: AppraisalSettings,
                 reviewed: bool = False,
                 as_of: str | None = None) -> tuple[Report, Review | None]:
    """The report, and when ``reviewed`` (the reviewers' formats) its :class:`Review`
    (``as_of``: the day the rules checked, as the page says)."""
    try:
        await ensure_schema(graph)
        report = await check(graph, ruleset, params, rule_ids=rule_ids, department=department,
                             appraisal=appraisal)
        if not reviewed:
            return report, None
        return report, await review(graph, report, datetime.now(UTC), as_of)
    finally:
        await graph.close()


def cmd_lint(args: argparse.Namespace, settings: Settings) -> int:
    paths: list[Path] = args.paths or default_rule_paths()
    errors = lint(paths)
    for error in errors:
        print(error)
    files = len(rule_files(paths))
    if errors:
        print(f"{len(errors)} problem(s) in {files} rule file(s)", file=sys.stderr)
        return EXIT_PROBLEMS
    rules = len(load_rules(paths).rules)
    print(f"{files} rule file(s), {rules} rules: no problems", file=sys.stderr)
    return EXIT_OK


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    try:
        ruleset, params = _load(args, settings)
    except RuleLoadError as exc:
        _print_errors(exc)
        return EXIT_USAGE
    rows = rule_rows(ruleset.rules)
    parameters = [
        {"name": p.name, "pack": p.pack, "type": p.type, "default": text(p.default),
         "value": text(params[p.name]), "description": " ".join(p.description.split())}
        for p in ruleset.parameters.values()
    ]
    if args.format == "json":
        print(json.dumps({"rules": rows, "parameters": parameters}, ensure_ascii=False,
                         indent=2))
        return EXIT_OK
    width = max((len(str(r["id"])) for r in rows), default=4)
    print(f"{'rule':<{width}}  {'pack':<13}  {'severity':<8}  {'kind':<9}  title")
    for r in rows:
        print(f"{r['id']!s:<{width}}  {r['pack']!s:<13}  {r['severity']!s:<8}  "
              f"{r['kind']!s:<9}  {r['title']}")
    name_width = max((len(p["name"]) for p in parameters), default=9)
    value_width = max((len(p["value"]) for p in parameters), default=5)
    print(f"\n{'parameter':<{name_width}}  {'value':<{value_width}}  description (default)")
    for p in parameters:
        print(f"{p['name']:<{name_width}}  {p['value']:<{value_width}}  {p['description']} "
              f"({p['default']})")
    return EXIT_OK
