"""Compliance in GraphQL: the rule list with parameters, and the report of a check run.

The same rules, parameters and report as ``rolegraph check`` (rules/);
the report is filterable by pack, rule, severity and department.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import strawberry

from domain.errors import InvalidInput
from resolvers.context import Info
from rules.loader import load_rules
from rules.model import RuleSet, Scalar
from rules.params import resolve_parameters
from rules.report import Report
from rules.runner import as_seen_by, check
from schema.gql.compliance import (
    ComplianceReport,
    ComplianceRule,
    RuleParameter,
    RuleRun,
    Severity,
    Violation,
)


@cache
def shipped_rules() -> RuleSet:
    """The shipped rule packs, loaded and checked once per process."""
    return load_rules()


def _text(value: Scalar) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _parameters(info: Info, as_of: date | None) -> dict[str, Scalar]:
    return resolve_parameters(shipped_rules(), info.context.rules_settings, today=as_of)


def _report(report: Report) -> ComplianceReport:
    """The GraphQL form of a check's report."""
    return ComplianceReport(
        conforms=report.conforms, errors=report.count("error"),
        warnings=report.count("warning"), infos=report.count("info"),
        seconds=round(report.seconds, 3),
        violations=[Violation(rule_id=v.rule_id, pack=v.pack, severity=Severity(v.severity),
                              focus_class=v.focus_class, focus_id=v.focus_id,
                              focus_name=v.focus_name, path=v.path, value=v.value,
                              message=v.message, reference=v.reference or None)
                    for v in report.violations],
        rules=[RuleRun(rule_id=r.rule.id, pack=r.rule.pack,
                       severity=Severity(r.rule.severity), violations=r.count,
                       seconds=round(r.seconds, 3)) for r in report.results],
    )


class ComplianceQuery:
    """Query fields merged into the root Query type (resolvers/schema.py)."""

    @strawberry.field(description="The compliance rules, with their parameters' values")
    def compliance_rules(self, info: Info, pack: str | None = None) -> list[ComplianceRule]:
        ruleset = shipped_rules()
        if pack is not None and pack not in {p.name for p in ruleset.packs}:
            raise InvalidInput(f"unknown pack {pack!r} (one of "
                               f"{', '.join(p.name for p in ruleset.packs)})", field="pack")
        values = _parameters(info, None)
        return [
            ComplianceRule(
                id=r.id, pack=r.pack, severity=Severity(r.severity), title=r.title,
                description=r.description, reference=r.reference or None, target=r.target,
                kind=r.kind,
                parameters=[RuleParameter(name=n, type=str(ruleset.parameters[n].type),
                                          default=_text(ruleset.parameters[n].default),
                                          value=_text(values[n]),
                                          description=ruleset.parameters[n].description)
                            for n in r.parameters])
            for r in ruleset.rules if pack is None or r.pack == pack
        ]

    @strawberry.field(description="Run the compliance rules (all, or those selected) and report "
                                  "every violation with its rule, record, value and message")
    async def compliance_report(
            self, info: Info, packs: list[str] | None = None, rules: list[str] | None = None,
            severities: list[Severity] | None = None, department: strawberry.ID | None = None,
            as_of: date | None = strawberry.UNSET) -> ComplianceReport:
        ruleset = shipped_rules()
        day = None if as_of is strawberry.UNSET else as_of
        try:
            report: Report = await check(
                info.context.graph, ruleset, _parameters(info, day), packs=packs or (),
                rule_ids=rules or (), severities=[s.value for s in severities or ()],
                department=str(department) if department is not None else None,
                appraisal=info.context.appraisal)
        except KeyError as exc:
            message = str(exc.args[0]) if exc.args else str(exc)
            field = "packs" if "pack" in message else "rules"
            raise InvalidInput(message, field=field) from None
        return _report(await as_seen_by(info.context.graph, report, info.context.visibility))
