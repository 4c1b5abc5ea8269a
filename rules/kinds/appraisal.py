"""``appraisal``: what the appraisals of a period (绩效考核) say, computed by the performance
formulas (:mod:`domain.performance`, README "Performance management") from what the graph
holds (:mod:`graph.performance`). SHACL has no counterpart: the value checked is not in the
graph but computed from it.

.. code-block:: yaml

    target: Employee                     # Department for calibration
    appraisal:
      check: complete                    # complete | calibration | alerts
      period: {param: appraisal_period}  # YYYY, YYYY-Qn, YYYY-Hn, YYYY-MM, or latest

The checks, and the records they report:

==============  =============  ===========================================================
``complete``    ``Employee``   every employee holding a position in the period has a
                               complete appraisal: a final score, from at least one KPI
                               result with a target (``Appraisal.complete``); one violation
                               per employee, ``{missing}`` saying what is missing
``calibration`` ``Department`` the rating distribution of each calibration group is within
                               the guideline (20 / 70 / 10 % ± 5 points by default, formula
                               7); one violation per group and rating outside it
``alerts``      ``Employee``   each KPI result whose achievement is below the alert
                               threshold (70 %, formula 8); one violation per alert
==============  =============  ===========================================================

``period`` ``latest`` (the default of ``appraisal_period``) is the latest period holding KPI
results: the one that ends last, and of those ending on the same day the one that starts last
(2026-Q4 before 2026-H2 and 2026); with no KPI result in the graph there is no period and
nothing is reported. The formulas' thresholds and weights are the appraisal settings
(``schema/appraisal.yaml``), not rule parameters: one place for them.

A kind with a step after its query, like ``successors``. The query returns the target records
meeting the rule's ``where`` (with the period the rule names); :func:`after` computes the
period's appraisals, calibration groups or alerts (for everyone: the report's department
filter and the caller's visibility apply afterwards, as for every rule) and keeps those of the
query's records. The whole organisation's calibration group (people of top departments too
small for a group of their own) is reported as department ``(organisation)``.

Message fields: ``{value}``, ``{path}``, ``{period}`` (the period checked) for every check;
``{missing}`` (complete); ``{rating}``, ``{count}``, ``{size}``, ``{share}``, ``{guideline}``,
``{low}``, ``{high}``, ``{move}``, ``{departments}`` (calibration); ``{kpi}``, ``{kpi_name}``,
``{position}``, ``{manager}``, ``{target}``, ``{actual}``, ``{achievement}``, ``{threshold}``
(alerts). A field of another check shows as ``none``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, Literal, cast

from domain.performance import (
    DEFAULT_SETTINGS,
    Appraisal,
    AppraisalSettings,
    CalibrationGroup,
    KpiAlert,
    RatingCount,
    half_up,
    q,
)
from domain.periods import BadPeriod, parse_period
from graph.access import everything
from graph.db import Graph
from graph.performance import (
    alerts_for,
    appraisals_for,
    calibration_for,
    latest_period,
    period_of,
)
from rules.kinds.base import Kind, Row, RunContext, StepResult
from rules.model import Constraint, Operand, Param, PathSpec, Prop, Rule, Scalar, Value
from rules.querybuilder import Query
from rules.reader import Entity, Reader
from schema.policy import default_policy

Check = Literal["complete", "calibration", "alerts"]
CHECKS: tuple[Check, ...] = ("complete", "calibration", "alerts")
#: the period value meaning "the latest period holding KPI results"
LATEST = "latest"
#: what a KPI result is in the ontology: its class and period property
RESULT, PERIOD = "KpiResult", "period"
PERSON = "Employee"
#: the focus id and name of the whole organisation's calibration group
ORGANISATION = ("(organisation)", "the whole organisation")
KEYS = frozenset({"check", "period"})
FIELDS = frozenset({
    "value", "path", "period", "missing",
    "rating", "count", "size", "share", "guideline", "low", "high", "move", "departments",
    "kpi", "kpi_name", "position", "manager", "target", "actual", "achievement", "threshold",
})
#: what each check reads about people, as paths from its target (for the report's redaction:
#: :func:`rules.runner.as_seen_by` walks a constraint's paths to judge what a rule reads)
_READS: dict[Check, tuple[str, ...]] = {
    "complete": ("-HAS_KPI_RESULT-> KpiResult", "-RECEIVED_FEEDBACK-> Feedback"),
    "alerts": ("-HAS_KPI_RESULT-> KpiResult",),
    "calibration": (
        "<-IN_DEPARTMENT- Position <-HOLDS_POSITION- Employee -HAS_KPI_RESULT-> KpiResult",
        "<-IN_DEPARTMENT- Position <-HOLDS_POSITION- Employee -RECEIVED_FEEDBACK-> Feedback"),
}
_WHAT: dict[Check, str] = {
    "complete": "complete appraisal",
    "calibration": "rating distribution within the guideline",
    "alerts": "KPI achievement at or above the alert threshold",
}


@dataclass(frozen=True)
class AppraisalConstraint(Constraint):
    """What the appraisals of ``period`` must show (see the module docstring for ``check``).

    ``reads`` are the paths from the target through which the check reads people's results
    and feedback, derived from ``check`` (not written in rule files)."""

    kind: ClassVar[str] = "appraisal"

    check: Check
    period: Operand
    reads: tuple[PathSpec, ...] = ()


# -- parsing ---------------------------------------------------------------------------------

def parse(r: Reader, raw: Any, line: int, target: str, what: str) -> AppraisalConstraint:
    """Checks the check's name, that the target is the class it reports (``Employee``, or the
    department class for calibration) and that the period is a period, ``latest`` or a
    string parameter."""
    m = r.section(raw, line, KEYS, what)
    check = m.get("check")
    if check not in CHECKS:
        raise r.invalid(m.line_of("check") if "check" in m else m.line,
                        f"{what}: check must be one of {', '.join(CHECKS)}, not {check!r}")
    check = cast(Check, check)
    wanted = r.ontology.department_class if check == "calibration" else PERSON
    if target != wanted:
        raise r.invalid(line, f"{what}: a {check} check reports {wanted} records, not "
                              f"{target} (target: {wanted})")
    if "period" not in m:
        raise r.invalid(m.line, f"{what}: give period, e.g. period: {{param: "
                                "appraisal_period}}")
    period = r.operand(m["period"], m.line_of("period"), Entity(target, is_class=True),
                       "string", f"{what}: period")
    if isinstance(period, Prop):
        raise r.invalid(m.line_of("period"), f"{what}: period is a period or a parameter, "
                                             "not a property")
    if isinstance(period, Value) and period.value != LATEST:
        try:
            parse_period(str(period.value))
        except BadPeriod as exc:
            raise r.invalid(m.line_of("period"), f"{what}: period: {exc} or {LATEST}") \
                from None
    reads = tuple(PathSpec(tuple(r.steps(path, target, line, what)), path)
                  for path in _READS[check])
    return AppraisalConstraint(check=check, period=period, reads=reads)


# -- compiling -------------------------------------------------------------------------------

def compile(q: Query, rule: Rule, c: AppraisalConstraint) -> list[str]:
    """The target records meeting the rule's ``where``, with the period the rule names (the
    step after the query decides which of them fail)."""
    head = q.match_focus(rule)
    path = q.lit(_WHAT[c.check])
    period = q.focus_operand(c.period, rule.target)
    return [*head, q.returns(rule, path, value="null", extra=f"{period} AS period")]


# -- the step after the query ----------------------------------------------------------------

async def after(ctx: RunContext, c: AppraisalConstraint, rows: list[Row]) -> StepResult:
    """The violations among the query's records (see :func:`appraisal_violations`); its time
    is the rule's ``computed_seconds``."""
    started = time.perf_counter()
    found = await appraisal_violations(ctx.graph, c, rows, ctx.params, ctx.appraisal)
    return StepResult(found, time.perf_counter() - started)


async def appraisal_violations(graph: Graph, c: AppraisalConstraint, rows: list[Row],
                               params: Mapping[str, Scalar],
                               settings: AppraisalSettings = DEFAULT_SETTINGS) -> list[Row]:
    """The rows of the records failing ``c`` in its period (``latest`` resolved by
    :func:`latest_period`), each with ``path``, ``value`` and the check's fields."""
    period = _period(c.period, params, rows)
    if period == LATEST:
        period = await latest_period(graph)
    if period is None:
        return []
    period_of(period, "appraisal_period")  # a bad one from the settings file: BAD_INPUT
    everyone = everything(graph, default_policy())
    records = {str(row["focus_id"]): row for row in rows}
    out: list[Row] = []
    if c.check == "complete":
        for a in await appraisals_for(graph, period, None, everyone, settings):
            if not a.complete and a.employee in records:
                out.append({**records[a.employee], **_incomplete(a), "period": period})
    elif c.check == "alerts":
        for alert in await alerts_for(graph, period, None, everyone, settings):
            if alert.employee in records:
                out.append({**records[alert.employee], **_alert(alert), "period": period})
    else:
        for group in await calibration_for(graph, period, None, everyone, settings):
            if group.department is None:
                row: Row = {"focus_id": ORGANISATION[0], "focus_name": ORGANISATION[1]}
            elif group.department in records:
                row = records[group.department]
            else:
                continue
            out += [{**row, **_off_guideline(group, count), "period": period}
                    for count in group.counts if not count.within]
    return out


def _period(operand: Operand, params: Mapping[str, Scalar], rows: list[Row]) -> str | None:
    if isinstance(operand, Param):
        return str(params[operand.name])
    if isinstance(operand, Value):
        return str(operand.value)
    return str(rows[0]["period"]) if rows else None


def _percent(x: float | Fraction) -> str:
    return f"{float(half_up(100 * q(x))):g} %"


def _incomplete(a: Appraisal) -> Row:
    """``value``: how many KPIs were scored; ``missing``: which KPIs lack what."""
    scored = len(a.kpis) - len(a.missing)
    if not a.kpis:
        missing = "no KPI measures a position held in the period"
    else:
        missing = ", ".join(
            " ".join(filter(None, (t.kpi, t.name)))
            + (": no result" if t.status == "missing_result" else ": no target")
            for t in a.missing)
    return {"path": "KPI results with a target", "value": f"{scored} of {len(a.kpis)} KPIs "
            "scored", "missing": missing}


def _alert(alert: KpiAlert) -> Row:
    achieved = _percent(alert.achievement)
    return {"path": f"{alert.kpi} on {alert.position}", "value": achieved,
            "kpi": alert.kpi, "kpi_name": alert.name, "position": alert.position,
            "manager": alert.manager, "target": alert.target, "actual": alert.actual,
            "achievement": achieved, "threshold": _percent(alert.threshold)}


def _off_guideline(group: CalibrationGroup, c: RatingCount) -> Row:
    move = f"move out {c.move_out}" if c.move_out else f"move in {c.move_in}"
    return {"path": f"rating {c.rating}", "value": f"{c.count} of {group.size}",
            "rating": c.rating, "count": c.count, "size": group.size,
            "share": _percent(c.share), "guideline": _percent(c.guideline), "low": c.low,
            "high": c.high, "move": move, "departments": list(group.departments)}


KIND = Kind(AppraisalConstraint, FIELDS, parse, compile, after)
