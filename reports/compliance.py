"""The compliance report for reviewers: a workbook and a printable page
(``rolegraph check --format xlsx|html``).

Both render a :class:`Review`: a check's :class:`rules.report.Report` (already as the caller
may see it) with what a reader needs beside it: the departments each record at fault belongs
to (organisation structure, :func:`graph.departments.departments_of`), the department tree,
what the organisation holds, when the check ran and as of which day.

* workbook: sheet ``Summary`` (a row per rule: pack, rule, title, severity, legal reference,
  violations, status), sheet ``Violations`` (pack, rule, severity, department, record,
  label, value, message); header rows frozen, autofilters over both, widths from the text;
  every text written with ``write_string``;
* page: one self-contained HTML file (inline CSS, no script, nothing fetched) that prints on
  A4: a header with the date and the organisation's counts, the summary table, each rule's
  description and reference, then the violations by department (tree order), then by rule.
  Every text is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.records import Record
from graph.db import Graph
from graph.departments import Placed, department_tree, departments_of
from graph.stats import node_counts
from reports.xlsx import Book, table
from rules.report import Report, RuleResult, Violation, summary

#: what the header counts, in this order: class -> how it reads
COUNTED = (("Department", "departments"), ("Position", "positions"),
           ("Employee", "employees"), ("Responsibility", "responsibilities"),
           ("KPI", "KPIs"), ("Contract", "contracts"))
#: the status of a rule with violations, by its severity (none: ``pass``)
STATUS = {"error": "fail", "warning": "warn", "info": "note"}
NO_DEPARTMENT = "(no department)"
SUMMARY_COLUMNS = ("pack", "rule", "title", "severity", "reference", "violations", "status")
VIOLATION_COLUMNS = ("pack", "rule", "severity", "department", "record", "label", "value",
                     "message")


@dataclass(frozen=True)
class Review:
    """A report and what its renderings show beside it (see the module docstring)."""

    report: Report
    #: (class, id) of each record at fault -> the departments it belongs to, by id
    departments: dict[tuple[str, str], list[Record]]
    #: every department, in tree order, with the one above it
    tree: list[Placed]
    #: class -> how many records the graph holds
    counts: dict[str, int]
    made: datetime
    as_of: str | None = None

    def departments_of(self, v: Violation) -> list[Record]:
        """The departments the record at fault belongs to (none: an empty list)."""
        return self.departments.get((v.focus_class, v.focus_id), [])


async def review(graph: Graph, report: Report, made: datetime,
                 as_of: str | None = None) -> Review:
    """The :class:`Review` of ``report``: one query per class of record at fault, one for
    the tree, one per class counted."""
    by_class: dict[str, set[str]] = {}
    for v in report.violations:
        by_class.setdefault(v.focus_class, set()).add(v.focus_id)
    found: dict[tuple[str, str], list[Record]] = {}
    for class_name, ids in sorted(by_class.items()):
        if class_name not in graph.ontology.classes:
            continue
        for key, depts in (await departments_of(graph, class_name, ids)).items():
            found[(class_name, key)] = depts
    return Review(report, found, await department_tree(graph), await node_counts(graph), made,
                  as_of)


def status(result: RuleResult) -> str:
    """``pass`` without violations, else ``fail`` (error), ``warn`` (warning), ``note``."""
    return STATUS[result.rule.severity] if result.count else "pass"


def organisation(review: Review) -> str:
    """``16 departments, 62 positions, 300 employees, ...``."""
    return ", ".join(f"{review.counts[c]:,} {label}" for c, label in COUNTED
                     if c in review.counts)


def when(review: Review) -> str:
    """``checked 2026-12-01 11:20 UTC, as of 2026-01-01``."""
    made = f"checked {review.made:%Y-%m-%d %H:%M %Z}".rstrip()
    return f"{made}, as of {review.as_of}" if review.as_of else made


def department_text(departments: Sequence[Record]) -> str:
    """``D02 市场部; D06 研究所``."""
    return "; ".join(f"{d['id']} {d['name']}" for d in departments)


# -- the workbook ------------------------------------------------------------------------------


def render_xlsx(review: Review) -> bytes:
    """The workbook's bytes: ``Summary`` and ``Violations`` (see the module docstring)."""
    book = Book("Compliance report")
    results = review.report.results
    summary_rows = [(r.rule.pack, r.rule.id, r.rule.title, r.rule.severity, r.rule.reference,
                     r.count, status(r)) for r in results]
    table(book, "Summary", SUMMARY_COLUMNS, summary_rows, wrap=("title", "reference"))
    table(book, "Violations", VIOLATION_COLUMNS, [
        (v.pack, v.rule_id, v.severity, department_text(review.departments_of(v)),
         f"{v.focus_class} {v.focus_id}", v.focus_name, v.value, v.message)
        for v in review.report.violations], wrap=("message", "department"))
    return book.close()


# -- the page ----------------------------------------------------------------------------------

STYLE = """
:root { color-scheme: light; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       system-ui, sans-serif; margin: 24px; color: #1a1a1a; font-size: 14px; line-height: 1.45; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; border-bottom: 2px solid #333; padding-bottom: 2px; margin-top: 28px; }
h3 { font-size: 16px; margin: 22px 0 6px; }
h3 .path { font-weight: normal; color: #555; font-size: 13px; }
h4 { font-size: 14px; margin: 12px 0 4px; }
.meta { color: #444; margin: 2px 0; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; }
th, td { border: 1px solid #999; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #e8edf5; }
td.num { text-align: right; }
table.violations { table-layout: fixed; }
table.violations th:nth-child(1) { width: 17%; } table.violations th:nth-child(2) { width: 15%; }
table.violations th:nth-child(3) { width: 15%; }
table.violations td { overflow-wrap: anywhere; }
.status { font-weight: bold; }
.fail { color: #b00020; } .warn { color: #8a5a00; } .note { color: #1f4e9c; }
.pass { color: #2e7d32; }
dl.rules dt { font-weight: bold; margin-top: 8px; }
dl.rules dd { margin: 2px 0 0 18px; }
.reference { color: #333; font-style: italic; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { margin: 0; font-size: 9.5pt; }
  th { background: none; }
  thead { display: table-header-group; }
  tr, dt, dd { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
}
"""


def render_html(review: Review) -> str:
    """The page (see the module docstring)."""
    report = review.report
    parts = [
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Compliance report · 合规检查报告</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n<header>\n"
        "<h1>Compliance report · 合规检查报告</h1>\n"
        f"<p class=\"meta\" id=\"when\">{_e(when(review))}</p>\n"
        f"<p class=\"meta\" id=\"organisation\">The organisation: {_e(organisation(review))}"
        "</p>\n"
        f"<p class=\"meta\" id=\"totals\"><strong>{_e(summary(report))}</strong></p>\n"
        "</header>\n",
        _summary(report), _rules(report), _violations(review), "</body>\n</html>\n",
    ]
    return "".join(parts)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(header: Iterable[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
    """A table of already escaped cells (``cells`` may carry their own ``<td>``)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in row)
                   + "</tr>\n" for row in rows)
    return (f"<table class=\"{cls}\">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}"
            "</tbody>\n</table>\n")


def _summary(report: Report) -> str:
    rows = [(_e(r.rule.pack), f"<a href=\"#rule-{_e(r.rule.id)}\">{_e(r.rule.id)}</a>",
             _e(r.rule.title), _e(r.rule.severity), _e(r.rule.reference),
             f"<td class=\"num\">{r.count}</td>",
             f"<td class=\"status {status(r)}\">{status(r)}</td>") for r in report.results]
    return ("<section id=\"summary\">\n<h2>Summary</h2>\n"
            + _table(SUMMARY_COLUMNS, rows, "summary") + "</section>\n")


def _rules(report: Report) -> str:
    items = "".join(
        f"<dt id=\"rule-{_e(r.rule.id)}\">{_e(r.rule.id)}: {_e(r.rule.title)} "
        f"({_e(r.rule.severity)}, pack {_e(r.rule.pack)})</dt>\n"
        f"<dd>{_e(' '.join(r.rule.description.split()))}"
        + (f"<br><span class=\"reference\">Reference: {_e(r.rule.reference)}</span>"
           if r.rule.reference else "") + "</dd>\n"
        for r in report.results)
    return f"<section id=\"rules\">\n<h2>The rules</h2>\n<dl class=\"rules\">\n{items}</dl>\n" \
           "</section>\n"


def _violations(review: Review) -> str:
    """The violations by department in tree order (a record in two departments is listed
    under both), then those of records in none; within a department by rule, in report
    order."""
    groups: dict[str | None, list[Violation]] = {}
    for v in review.report.violations:
        keys: list[str | None] = [str(d["id"]) for d in review.departments_of(v)]
        for key in keys or [None]:
            groups.setdefault(key, []).append(v)
    placed = {str(p.department["id"]): p for p in review.tree}
    order = [k for k in placed if k in groups]
    order += sorted(k for k in groups if k is not None and k not in placed)
    parts = ["<section id=\"violations\">\n<h2>Violations by department</h2>\n"]
    if not groups:
        parts.append("<p>No violations.</p>\n")
    for key in [*order, *([None] if None in groups else [])]:
        found = groups[key]
        if key is None:
            title, path = NO_DEPARTMENT, "records of no department"
        else:
            name = placed[key].department["name"] if key in placed else key
            title, path = f"{name} ({key})", _path(key, placed)
        parts.append(f"<section class=\"department\" id=\"department-{_e(key or 'none')}\">\n"
                     f"<h3>{_e(title)} <span class=\"path\">{_e(path)} · "
                     f"{len(found)} violation{'' if len(found) == 1 else 's'}</span></h3>\n")
        parts += _by_rule(review.report, found)
        parts.append("</section>\n")
    parts.append("</section>\n")
    return "".join(parts)


def _path(key: str, placed: dict[str, Placed]) -> str:
    """``总经办 › 研究所 › 材料实验室``: where the department sits in the tree."""
    names: list[str] = []
    at: str | None = key
    while at is not None and at in placed and len(names) <= len(placed):
        names.append(str(placed[at].department["name"]))
        at = placed[at].parent
    return " › ".join(reversed(names))


def _by_rule(report: Report, found: list[Violation]) -> list[str]:
    out = []
    for result in report.results:
        mine = [v for v in found if v.rule_id == result.rule.id]
        if not mine:
            continue
        rule = result.rule
        out.append(f"<h4>{_e(rule.id)}: {_e(rule.title)} <span class=\"status "
                   f"{STATUS[rule.severity]}\">({_e(rule.severity)})</span></h4>\n")
        out.append(_table(("record", "label", "value", "message"), [
            (_e(f"{v.focus_class} {v.focus_id}"), _e(v.focus_name), _e(v.value), _e(v.message))
            for v in mine], "violations"))
    return out


RENDERERS: dict[str, Callable[[Review], str | bytes]] = {"html": render_html, "xlsx": render_xlsx}
