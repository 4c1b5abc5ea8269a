"""The compliance report, modelled on the W3C SHACL validation report, and its renderings.

A :class:`Report` is computed by :func:`rules.runner.run_rules`; the functions here only
turn one into text (a table for people, JSON and CSV for tools, JUnit XML for CI pipelines).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from domain.csvtext import csv_line, spreadsheet_cell
from rules.model import SEVERITIES, Rule, Severity


@dataclass(frozen=True)
class Violation:
    """One record breaking one rule (SHACL: a validation result)."""

    rule_id: str
    pack: str
    severity: Severity
    focus_class: str
    focus_id: str
    focus_name: str
    path: str
    value: str
    message: str
    reference: str


@dataclass(frozen=True)
class RuleResult:
    """How one rule ran: its violations counted and the seconds it took; of those,
    ``computed_seconds`` went on computed successors (a successors rule: fit scoring, which
    builds this process' fit model of the graph on first use)."""

    rule: Rule
    count: int
    seconds: float
    computed_seconds: float = 0.0


@dataclass(frozen=True)
class Report:
    """Violations in rule order (then by record), one result per rule run, the total time."""

    violations: tuple[Violation, ...]
    results: tuple[RuleResult, ...]
    seconds: float

    @property
    def conforms(self) -> bool:
        """No violation at all (SHACL ``sh:conforms``)."""
        return not self.violations

    def count(self, severity: Severity) -> int:
        """How many violations have this severity."""
        return sum(1 for v in self.violations if v.severity == severity)

    @property
    def has_errors(self) -> bool:
        """Some violation has severity ``error`` (``rolegraph check`` then exits 1)."""
        return any(v.severity == "error" for v in self.violations)

    def only(self, keep: Callable[[Violation], bool]) -> Report:
        """The report with only the violations ``keep`` accepts (counts follow)."""
        kept = tuple(v for v in self.violations if keep(v))
        results = tuple(RuleResult(r.rule, sum(1 for v in kept if v.rule_id == r.rule.id),
                                   r.seconds, r.computed_seconds) for r in self.results)
        return Report(kept, results, self.seconds)


def summary(report: Report) -> str:
    """``3 errors, 1 warning, 0 infos in 12 rules (0.4 s)``."""
    parts = [f"{report.count(s)} {s}{'' if report.count(s) == 1 else 's'}" for s in SEVERITIES]
    return f"{', '.join(parts)} in {len(report.results)} rules ({report.seconds:.2f} s)"


def render_table(report: Report) -> str:
    """A plain-text table of the violations, then per-rule counts and times."""
    out = io.StringIO()
    rows = [("severity", "rule", "record", "name", "value", "message")]
    rows += [(v.severity, v.rule_id, f"{v.focus_class} {v.focus_id}", v.focus_name, v.value,
              v.message) for v in report.violations]
    if report.violations:
        _table(out, rows)
        out.write("\n")
    _table(out, [("rule", "pack", "severity", "violations", "seconds")] + [
        (r.rule.id, r.rule.pack, r.rule.severity, str(r.count), f"{r.seconds:.3f}")
        for r in report.results
    ])
    out.write(f"\n{summary(report)}\n")
    return out.getvalue()


def _table(out: io.StringIO, rows: Sequence[Sequence[str]]) -> None:
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        cells = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row)]
        out.write("  ".join(cells).rstrip() + "\n")
        if n == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


def display_width(text: str) -> int:
    """Display width: CJK characters take two columns (a terminal's, a spreadsheet's)."""
    return sum(2 if "\u1100" <= ch <= "\uffdc" else 1 for ch in text)


def report_dict(report: Report) -> dict[str, object]:
    """The report as plain data (JSON and the future GraphQL type follow this shape)."""
    return {
        "conforms": report.conforms,
        "seconds": round(report.seconds, 3),
        "counts": {s: report.count(s) for s in SEVERITIES},
        "violations": [
            {"rule": v.rule_id, "pack": v.pack, "severity": v.severity,
             "focus": {"class": v.focus_class, "id": v.focus_id, "name": v.focus_name},
             "path": v.path, "value": v.value, "message": v.message, "reference": v.reference}
            for v in report.violations
        ],
        "rules": [
            {"rule": r.rule.id, "pack": r.rule.pack, "severity": r.rule.severity,
             "title": r.rule.title, "violations": r.count, "seconds": round(r.seconds, 4)}
            for r in report.results
        ],
    }


def render_json(report: Report) -> str:
    """The report as JSON (:func:`report_dict`), for tools."""
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ("rule", "pack", "severity", "focus_class", "focus_id", "focus_name", "path",
               "value", "message", "reference")


def render_csv(report: Report) -> str:
    """One row per violation, with a header row; every cell safe to open in a spreadsheet
    program (:func:`domain.csvtext.spreadsheet_cell`: a name such as ``=HYPERLINK(...)``
    shows as text, never runs)."""
    rows = [CSV_COLUMNS, *((v.rule_id, v.pack, v.severity, v.focus_class, v.focus_id,
                            v.focus_name, v.path, v.value, v.message, v.reference)
                           for v in report.violations)]
    return "".join(csv_line(spreadsheet_cell(cell) for cell in row) for row in rows)


def render_junit(report: Report) -> str:
    """JUnit XML: a test suite per pack, a test case per rule, a failure per violation of an
    error or warning rule (infos are listed in the case's output)."""
    suites = ET.Element("testsuites", name="rolegraph compliance",
                        tests=str(len(report.results)), time=f"{report.seconds:.3f}")
    by_rule: dict[str, list[Violation]] = {}
    for v in report.violations:
        by_rule.setdefault(v.rule_id, []).append(v)
    packs: dict[str, list[RuleResult]] = {}
    for result in report.results:
        packs.setdefault(result.rule.pack, []).append(result)
    total_failures = 0
    for pack, results in packs.items():
        failing = [r for r in results if r.count and r.rule.severity != "info"]
        total_failures += len(failing)
        suite = ET.SubElement(suites, "testsuite", name=pack, tests=str(len(results)),
                              failures=str(len(failing)), errors="0",
                              time=f"{sum(r.seconds for r in results):.3f}")
        for result in results:
            rule = result.rule
            case = ET.SubElement(suite, "testcase", classname=f"{pack}.{rule.id}",
                                 name=rule.title, time=f"{result.seconds:.3f}")
            found = by_rule.get(rule.id, [])
            if not found:
                continue
            lines = "\n".join(_junit_line(v) for v in found)
            if rule.severity == "info":
                ET.SubElement(case, "system-out").text = lines
            else:
                failure = ET.SubElement(case, "failure", type=rule.severity,
                                        message=f"{len(found)} violation(s) of {rule.id}")
                failure.text = lines
    suites.set("failures", str(total_failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def _junit_line(v: Violation) -> str:
    ref = f" ({v.reference})" if v.reference else ""
    return f"{v.focus_class} {v.focus_id} {v.focus_name}: {v.message}{ref}"


RENDERERS: dict[str, Callable[[Report], str]] = {
    "table": render_table, "json": render_json, "csv": render_csv, "junit": render_junit,
}


def rule_rows(rules: Iterable[Rule]) -> list[dict[str, object]]:
    """The rules as plain data, for ``rolegraph rules list`` and the GraphQL rule list."""
    return [
        {"id": r.id, "pack": r.pack, "severity": r.severity, "title": r.title,
         "description": r.description, "reference": r.reference, "target": r.target,
         "kind": r.kind, "parameters": list(r.parameters)}
        for r in rules
    ]
