"""GraphQL types of compliance: rules, their parameters, and a check's report (SHACL-like).

Resolvers fill them from :mod:`rules` (resolvers/compliance.py)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@strawberry.type
class RuleParameter:
    name: str
    type: str
    default: str
    value: str = strawberry.field(description="the value in force (default, settings file)")
    description: str


@strawberry.type(description="A compliance rule from the shipped packs")
class ComplianceRule:
    id: str
    pack: str
    severity: Severity
    title: str
    description: str
    reference: str | None = strawberry.field(description="the law or policy it checks")
    target: str = strawberry.field(description="the class of record it checks")
    kind: str = strawberry.field(description="count | property | aggregate | limits | cypher | "
                                              "successors")
    parameters: list[RuleParameter]


@strawberry.type(description="One record breaking one rule")
class Violation:
    rule_id: str
    pack: str
    severity: Severity
    focus_class: str
    focus_id: str
    focus_name: str
    path: str = strawberry.field(description="where the offending value was found")
    value: str = strawberry.field(description="the offending value")
    message: str
    reference: str | None


@strawberry.type(description="How one rule ran")
class RuleRun:
    rule_id: str
    pack: str
    severity: Severity
    violations: int
    seconds: float


@strawberry.type(description="The result of a compliance check")
class ComplianceReport:
    conforms: bool = strawberry.field(description="no violation at all")
    errors: int
    warnings: int
    infos: int
    seconds: float
    violations: list[Violation]
    rules: list[RuleRun]
