# ruff: noqa: E501  (golden Cypher lines are compared exactly, as long as the compiler writes them)
"""Golden tests of the rule compiler: rule YAML in, exact Cypher (and parameters) out, for each
constraint kind. Each test's docstring says which mistake it guards against.

The same queries are then run on the demo organisation on the embedded engine, which checks
that the engine accepts them and that they find what they should.

A new rule kind is one file in ``rules/kinds/`` (listed in the registry,
``rules/kinds/__init__.py``) plus one golden test here.
"""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

import pytest
from conftest import GraphHandle
from neo4j.time import Duration

from domain.succession import Successor
from graph.db import Graph
from rules.compiler import CompiledRule, compile_rule
from rules.loader import load_rules_text
from rules.model import Rule
from rules.params import resolve_parameters
from rules.report import Report
from rules.runner import run_rules

HEADER = """pack: golden
title: Golden rules
parameters:
  as_of: {type: date, default: today, description: the day of the check}
  deadline: {type: duration, default: 1 month, description: a deadline}
  max_span: {type: integer, default: 10, description: the widest span}
  max_layers: {type: integer, default: 4, description: the most layers}
  max_target: {type: float, default: 1000, description: the highest target}
  max_probation: {type: integer, default: 6, description: the longest probation}
  min_rating: {type: integer, default: 2, description: the lowest rating}
  percent: {type: float, default: 80, description: a percentage}
  min_successors: {type: integer, default: 1, description: the fewest successors}
  period: {type: string, default: latest, description: the appraisal period}
rules:
"""


def rule_text(body: str) -> str:
    """A pack holding one rule whose target and constraint are ``body``."""
    return (HEADER + "  - id: golden\n    title: A golden rule\n    description: What it checks.\n"
            "    severity: error\n    message: '{focus.name}'\n"
            + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n")


def compiled(body: str) -> CompiledRule:
    return compile_rule(load_rules_text(rule_text(body)).rules[0])


def assert_golden(body: str, cypher: str, literals: dict[str, Any],
                  parameters: tuple[str, ...] = ()) -> None:
    result = compiled(body)
    assert result.cypher == textwrap.dedent(cypher).strip("\n")
    assert result.literals == literals
    assert result.parameters == parameters


COUNT_MIN = """
target: Position
count:
  path: -MEASURED_BY-> KPI
  min: 1
"""


def test_count_min() -> None:
    """A count with ``min`` fails below the bound: guards against an inverted comparison and
    against counting in the wrong direction (``<-`` for ``->``)."""
    assert_golden(
        COUNT_MIN,
        """
        MATCH (focus:`Position`)
        WITH focus, COUNT { (focus)-[r1:`MEASURED_BY`]->(n1:`KPI`) } AS value
        WHERE value < $v1
        RETURN focus.`id` AS focus_id, focus.`title` AS focus_name, $v2 AS path, value, $v1 AS limit
        """,
        {'v1': 1, 'v2': '-MEASURED_BY-> KPI'},
        (),
    )


COUNT_EXACTLY_FILTERED = """
target: Responsibility
count:
  path: <-HAS_RESPONSIBILITY- Position
  where: {raci: A}
  exactly: 1
"""


def test_count_exactly_filtered() -> None:
    """``exactly`` with a relationship filter: the filter must sit inside the count (filtering
    the focus instead would drop responsibilities with no A at all, i.e. miss R0086)."""
    assert_golden(
        COUNT_EXACTLY_FILTERED,
        """
        MATCH (focus:`Responsibility`)
        WITH focus, COUNT { (focus)<-[r1:`HAS_RESPONSIBILITY`]-(n1:`Position`) WHERE r1.`raci` = $v1 } AS value
        WHERE value <> $v2
        RETURN focus.`id` AS focus_id, focus.`name` AS focus_name, $v3 AS path, value, $v2 AS limit
        """,
        {'v1': 'A', 'v2': 1, 'v3': '<-HAS_RESPONSIBILITY- [raci = A] Position'},
        (),
    )


COUNT_MAX_PROPERTY = """
target: Position
count:
  path: <-HOLDS_POSITION- Employee
  where: {end_date: {present: false}}
  max: {property: headcount}
"""


def test_count_max_property() -> None:
    """A bound read from the focus node (headcount) and a missing-value filter: guards against
    comparing with a parameter or literal, and against ``= null`` (never true) for
    "no end date"."""
    assert_golden(
        COUNT_MAX_PROPERTY,
        """
        MATCH (focus:`Position`)
        WITH focus, COUNT { (focus)<-[r1:`HOLDS_POSITION`]-(n1:`Employee`) WHERE r1.`end_date` IS NULL } AS value
        WHERE value > focus.`headcount`
        RETURN focus.`id` AS focus_id, focus.`title` AS focus_name, $v1 AS path, value, focus.`headcount` AS limit
        """,
        {'v1': '<-HOLDS_POSITION- [end_date missing] Employee'},
        (),
    )


COUNT_VARIABLE_LENGTH = """
target: Position
count:
  path: -REPORTS_TO*0..30-> Position
  max: {param: max_layers}
"""


def test_count_variable_length() -> None:
    """A repeated step: the bounds are written into the pattern (Cypher does not allow
    parameters there) while the limit stays a parameter; ``*0..`` counts the position itself,
    so the count is the layer."""
    assert_golden(
        COUNT_VARIABLE_LENGTH,
        """
        MATCH (focus:`Position`)
        WITH focus, COUNT { (focus)-[:`REPORTS_TO`*0..30]->(n1:`Position`) } AS value
        WHERE value > $max_layers
        RETURN focus.`id` AS focus_id, focus.`title` AS focus_name, $v1 AS path, value, $max_layers AS limit
        """,
        {'v1': '-REPORTS_TO*0..30-> Position'},
        ('max_layers',),
    )


COUNT_BETWEEN_NODE_CONDITION = """
target: Department
count:
  path: <-IN_DEPARTMENT- Position
  node: {category: {in: [management, technical]}, grade: {at_least: 5}}
  min: 1
  max: {param: max_span}
"""


def test_count_between_node_condition() -> None:
    """``min`` and ``max`` together report the bound actually broken; conditions on the node
    reached are applied inside the count, joined with AND."""
    assert_golden(
        COUNT_BETWEEN_NODE_CONDITION,
        """
        MATCH (focus:`Department`)
        WITH focus, COUNT { (focus)<-[r1:`IN_DEPARTMENT`]-(n1:`Position`) WHERE n1.`category` IN $v1 AND n1.`grade` >= $v2 } AS value
        WHERE value < $v3 OR value > $max_span
        RETURN focus.`id` AS focus_id, focus.`name` AS focus_name, $v4 AS path, value, CASE WHEN value < $v3 THEN $v3 ELSE $max_span END AS limit
        """,
        {'v1': ['management', 'technical'],
         'v2': 5,
         'v3': 1,
         'v4': '<-IN_DEPARTMENT- Position [category in [management, technical], grade >= 5]'},
        ('max_span',),
    )


TARGET_HAS = """
target: Position
where:
  is_key: true
  has:
    path:
      - step: <-HOLDS_POSITION- Employee
        where: {end_date: {present: false}}
        node: {flight_risk: high}
      - -HAS_CONTRACT-> Contract
    node: {type: fixed_term}
  has_no:
    path: <-NOMINATED_SUCCESSOR- Employee
count:
  path: -REPORTS_TO-> Position
  max: 1
"""


def test_target_has() -> None:
    """Target narrowing by relationships: a multi-step ``has`` with conditions per step and a
    ``has_no``; every variable is fresh, so the subqueries cannot capture each other's
    variables (r1/n1 reused would silently join them)."""
    assert_golden(
        TARGET_HAS,
        """
        MATCH (focus:`Position`)
        WHERE focus.`is_key` = $v1 AND EXISTS { (focus)<-[r1:`HOLDS_POSITION`]-(n1:`Employee`)-[r2:`HAS_CONTRACT`]->(n2:`Contract`) WHERE r1.`end_date` IS NULL AND n1.`flight_risk` = $v2 AND n2.`type` = $v3 } AND NOT EXISTS { (focus)<-[r3:`NOMINATED_SUCCESSOR`]-(n3:`Employee`) }
        WITH focus, COUNT { (focus)-[r4:`REPORTS_TO`]->(n4:`Position`) } AS value
        WHERE value > $v4
        RETURN focus.`id` AS focus_id, focus.`title` AS focus_name, $v5 AS path, value, $v4 AS limit
        """,
        {'v1': True, 'v2': 'high', 'v3': 'fixed_term', 'v4': 1, 'v5': '-REPORTS_TO-> Position'},
        (),
    )


PROPERTY_FACETS = """
target: Contract
where: {type: {not: task_based}}
property:
  name: probation_months
  required: true
  in: [0, 1, 2, 3, 6]
  less_than: 7
"""


def test_property_facets() -> None:
    """Several facets of one property: a record is reported if any fails (OR), and ``required``
    reports a missing value while the other facets ignore it (SHACL semantics)."""
    assert_golden(
        PROPERTY_FACETS,
        """
        MATCH (focus:`Contract`)
        WHERE focus.`type` <> $v1
        WITH focus, focus.`probation_months` AS value
        WHERE value IS NULL OR NOT value IN $v2 OR value >= $v3
        RETURN focus.`id` AS focus_id, focus.`id` AS focus_name, $v4 AS path, value
        """,
        {'v1': 'task_based', 'v2': [0, 1, 2, 3, 6], 'v3': 7, 'v4': 'probation_months'},
        (),
    )


PROPERTY_DATE_WITHIN = """
target: Contract
property:
  name: signed_on
  at_most: {property: start_date, plus: {param: deadline}}
  if_missing: {param: as_of}
"""


def test_property_date_within() -> None:
    """A date compared with another date plus a duration parameter, a missing value standing in
    as ``as_of``: guards against a contract never signed escaping the rule."""
    assert_golden(
        PROPERTY_DATE_WITHIN,
        """
        MATCH (focus:`Contract`)
        WITH focus, focus.`signed_on` AS value
        WHERE coalesce(value, $as_of) > focus.`start_date` + $deadline
        RETURN focus.`id` AS focus_id, focus.`id` AS focus_name, $v1 AS path, value
        """,
        {'v1': 'signed_on'},
        ('as_of', 'deadline'),
    )


PROPERTY_DATE_LITERAL_DURATION = """
target: Contract
property:
  name: end_date
  more_than: {property: start_date, plus: 3 months, minus: 1 day}
  at_least: 2020-01-01
"""


def test_property_date_literal_duration() -> None:
    """Literal durations and dates become parameters (never text in the query), with
    ``plus`` and ``minus`` applied in order."""
    assert_golden(
        PROPERTY_DATE_LITERAL_DURATION,
        """
        MATCH (focus:`Contract`)
        WITH focus, focus.`end_date` AS value
        WHERE value < $v1 OR value <= focus.`start_date` + $v2 - $v3
        RETURN focus.`id` AS focus_id, focus.`id` AS focus_name, $v4 AS path, value
        """,
        {'v1': date(2020, 1, 1),
         'v2': Duration(months=3, days=0),
         'v3': Duration(months=0, days=1),
         'v4': 'end_date'},
        (),
    )


PROPERTY_PERCENT = """
target: Contract
where: {probation_months: {more_than: 0}}
property:
  name: probation_wage
  at_least: {property: monthly_wage, percent: {param: percent}}
"""


def test_property_percent() -> None:
    """A percentage of another property compares ``value * 100`` with ``other * percent``:
    exact at the boundary (``0.8 * 5000`` in floating point is not exactly 4000)."""
    assert_golden(
        PROPERTY_PERCENT,
        """
        MATCH (focus:`Contract`)
        WHERE focus.`probation_months` > $v1
        WITH focus, focus.`probation_wage` AS value
        WHERE value * 100 < focus.`monthly_wage` * $percent
        RETURN focus.`id` AS focus_id, focus.`id` AS focus_name, $v2 AS path, value
        """,
        {'v1': 0, 'v2': 'probation_wage'},
        ('percent',),
    )


PROPERTY_PATTERN = r"""
target: Employee
property:
  name: name
  pattern: '^\S.*$'
  not_in: [unknown, 未知]
"""


def test_property_pattern() -> None:
    """``pattern`` and ``not_in`` on text: the violation is the negation of each facet."""
    assert_golden(
        PROPERTY_PATTERN,
        """
        MATCH (focus:`Employee`)
        WITH focus, focus.`name` AS value
        WHERE value IN $v1 OR NOT value =~ $v2
        RETURN focus.`id` AS focus_id, focus.`name` AS focus_name, $v3 AS path, value
        """,
        {'v1': ['unknown', '未知'], 'v2': '^\\S.*$', 'v3': 'name'},
        (),
    )


AGGREGATE_SUM_TOLERANCE = """
target: Position
aggregate:
  sum: MEASURED_BY.weight
  path: -MEASURED_BY-> KPI
  equals: 100
  tolerance: 0.01
  empty: ignore
"""


def test_aggregate_sum_tolerance() -> None:
    """A sum along a path compared with a tolerance; records with nothing to sum are skipped
    (``empty: ignore``), so a position without KPIs is left to the count rule."""
    assert_golden(
        AGGREGATE_SUM_TOLERANCE,
        """
        MATCH (focus:`Position`)
        WITH focus, [(focus)-[r1:`MEASURED_BY`]->(n1:`KPI`) | r1.`weight`] AS vals
        WHERE size(vals) > 0
        WITH focus, size(vals) AS n, reduce(total = 0.0, x IN vals | total + x) AS value
        WHERE abs(value - $v1) > $v2
        RETURN focus.`id` AS focus_id, focus.`title` AS focus_name, $v3 AS path, value, $v1 AS limit
        """,
        {'v1': 100, 'v2': 0.01, 'v3': 'sum of MEASURED_BY.weight along -MEASURED_BY-> KPI'},
        (),
    )


AGGREGATE_AVG_REPORT_EMPTY = """
target: Position
aggregate:
  avg: REQUIRES_COMPETENCY.level
  path: -REQUIRES_COMPETENCY-> Competency
  where: {mandatory: true}
  at_most: 4
  empty: report
"""


def test_aggregate_avg_report_empty() -> None:
    """``empty: report`` reports a record with nothing to aggregate; the average of nothing is
    null, not a division by zero."""
    assert_golden(
        AGGREGATE_AVG_REPORT_EMPTY,
        """
        MATCH (focus:`Position`)
        WITH focus, [(focus)-[r1:`REQUIRES_COMPETENCY`]->(n1:`Competency`) WHERE r1.`mandatory` = $v1 | r1.`level`] AS vals
        WITH focus, size(vals) AS n, CASE WHEN size(vals) = 0 THEN null ELSE reduce(total = 0.0, x IN vals | total + x) / size(vals) END AS value
        WHERE n = 0 OR value > $v2
        RETURN focus.`id` AS focus_id, focus.`title` AS focus_name, $v3 AS path, value, $v2 AS limit
        """,
        {'v1': True,
         'v2': 4,
         'v3': 'avg of REQUIRES_COMPETENCY.level along -REQUIRES_COMPETENCY-> [mandatory = '
               'true] Competency'},
        (),
    )


AGGREGATE_MAX_OPTIONAL_NODE_PROPERTY = """
target: Position
aggregate:
  max: KPI.target
  path: -MEASURED_BY-> KPI
  at_least: 1
  at_most: {param: max_target}
"""


def test_aggregate_max_optional_node_property() -> None:
    """An optional node property is aggregated over present values only (a null would make
    the whole aggregate null)."""
    assert_golden(
        AGGREGATE_MAX_OPTIONAL_NODE_PROPERTY,
        """
        MATCH (focus:`Position`)
        WITH focus, [(focus)-[r1:`MEASURED_BY`]->(n1:`KPI`) WHERE n1.`target` IS NOT NULL | n1.`target`] AS vals
        WHERE size(vals) > 0
        WITH focus, size(vals) AS n, reduce(m = null, x IN vals | CASE WHEN m IS NULL OR x > m THEN x ELSE m END) AS value
        WHERE value < $v1 OR value > $max_target
        RETURN focus.`id` AS focus_id, focus.`title` AS focus_name, $v2 AS path, value, CASE WHEN value < $v1 THEN $v1 ELSE $max_target END AS limit
        """,
        {'v1': 1, 'v2': 'max of KPI.target along -MEASURED_BY-> KPI'},
        ('max_target',),
    )


LIMITS_SPAN = """
target: Contract
limits:
  property: probation_months
  span: {from: start_date, to: end_date, end_inclusive: true}
  cases:
    - case: task-based
      when: {type: task_based}
      max: 0
    - case: under 3 months
      span: {under: 3 months}
      max: 0
    - case: 3 months to under 1 year
      span: {at_least: 3 months, under: 1 year}
      max: 1
    - case: 1 year or more
      span: {at_least: 1 year}
      max: {param: max_probation}
"""


def test_limits_span() -> None:
    """A limits table: the first case that applies gives the limit; the span counts the end
    date as the contract's last day (``end + 1 day``), so a 2024-01-01 to 2024-12-31
    contract is one year."""
    assert_golden(
        LIMITS_SPAN,
        """
        MATCH (focus:`Contract`)
        WITH focus, CASE
          WHEN focus.`type` = $v1 THEN 0
          WHEN focus.`end_date` + duration({days: 1}) < focus.`start_date` + $v2 THEN 1
          WHEN focus.`end_date` + duration({days: 1}) >= focus.`start_date` + $v3 AND focus.`end_date` + duration({days: 1}) < focus.`start_date` + $v4 THEN 2
          WHEN focus.`end_date` + duration({days: 1}) >= focus.`start_date` + $v5 THEN 3
        END AS k
        WHERE k IS NOT NULL
        WITH focus, k, focus.`probation_months` AS value, [$v6, $v7, $v8, $max_probation][k] AS high
        WHERE value > high
        RETURN focus.`id` AS focus_id, focus.`id` AS focus_name, $v10 AS path, value, high AS limit, $v9[k] AS case
        """,
        {'v1': 'task_based',
         'v2': Duration(months=3, days=0),
         'v3': Duration(months=3, days=0),
         'v4': Duration(months=12, days=0),
         'v5': Duration(months=12, days=0),
         'v6': 0,
         'v7': 0,
         'v8': 1,
         'v9': ['task-based', 'under 3 months', '3 months to under 1 year', '1 year or more'],
         'v10': 'probation_months'},
        ('max_probation',),
    )


LIMITS_MIN_AND_MAX = """
target: Position
limits:
  property: grade
  cases:
    - case: management
      when: {category: management}
      min: 8
    - case: operations
      when: {category: operations}
      min: 1
      max: 6
    - case: others
      max: 12
"""


def test_limits_min_and_max() -> None:
    """A table with lower and upper limits: cases without a bound contribute null (no limit),
    a case with no condition always applies."""
    assert_golden(
        LIMITS_MIN_AND_MAX,
        """
        MATCH (focus:`Position`)
        WITH focus, CASE
          WHEN focus.`category` = $v1 THEN 0
          WHEN focus.`category` = $v2 THEN 1
          WHEN true THEN 2
        END AS k
        WHERE k IS NOT NULL
        WITH focus, k, focus.`grade` AS value, [$v3, $v4, null][k] AS low, [null, $v5, $v6][k] AS high
        WHERE value < low OR value > high
        RETURN focus.`id` AS focus_id, focus.`title` AS focus_name, $v8 AS path, value, CASE WHEN value < low THEN low ELSE high END AS limit, $v7[k] AS case
        """,
        {'v1': 'management',
         'v2': 'operations',
         'v3': 8,
         'v4': 1,
         'v5': 6,
         'v6': 12,
         'v7': ['management', 'operations', 'others'],
         'v8': 'grade'},
        (),
    )


CYPHER_ESCAPE_HATCH = """
target: Employee
where: {potential: high}
cypher: |
  MATCH (focus:Employee)-[:HAS_REVIEW]->(r:PerformanceReview)
  WHERE r.rating < $min_rating
  RETURN focus, 'HAS_REVIEW ' + r.period AS path, r.rating AS value
"""


def test_cypher_escape_hatch() -> None:
    """The escape hatch runs the author's query as a subquery and keeps only focus nodes of the
    declared target class (and its where), so a query returning the wrong nodes reports
    nothing rather than mislabelled records."""
    assert_golden(
        CYPHER_ESCAPE_HATCH,
        """
        CALL {
          MATCH (focus:Employee)-[:HAS_REVIEW]->(r:PerformanceReview)
          WHERE r.rating < $min_rating
          RETURN focus, 'HAS_REVIEW ' + r.period AS path, r.rating AS value
        }
        WITH focus, path, value
        WHERE focus:`Employee` AND focus.`potential` = $v1
        RETURN focus.`id` AS focus_id, focus.`name` AS focus_name, path, value
        """,
        {'v1': 'high'},
        ('min_rating',),
    )


SUCCESSORS = """
target: Position
where: {is_key: true}
successors:
  count: [nominated, computed]
  bands: [ready_now, ready_1_2_years, ready_3_plus_years]
  min: 1
  as_of: {param: as_of}
"""


def test_successors() -> None:
    """The database keeps only the positions short on nominations in the bands (the computed
    successors are asked for those alone), with the nominees' ids so that someone both
    nominated and computed counts once: guards against filtering on the wrong readiness
    property, against counting nominations outside the bands, and against the as_of
    parameter leaking into a query that does not use it."""
    assert_golden(
        SUCCESSORS,
        """
        MATCH (focus:`Position`)
        WHERE focus.`is_key` = $v1
        WITH focus, [(focus)<-[r1:`NOMINATED_SUCCESSOR`]-(n1:`Employee`) WHERE r1.`readiness` IN $v2 | n1.`id`] AS nominees
        WHERE size(nominees) < $v3
        RETURN focus.`id` AS focus_id, focus.`title` AS focus_name, $v4 AS path, size(nominees) AS value, $v3 AS limit, nominees
        """,
        {'v1': True, 'v2': ['ready_now', 'ready_1_2_years', 'ready_3_plus_years'], 'v3': 1,
         'v4': 'nominated <-NOMINATED_SUCCESSOR- [readiness in [ready_now, ready_1_2_years, '
               'ready_3_plus_years]] Employee or computed [ready_now, ready_1_2_years, '
               'ready_3_plus_years]'},
        (),
    )
    assert load_rules_text(rule_text(SUCCESSORS)).rules[0].parameters == ("as_of",)


SUCCESSORS_READY_NOW_NOMINATED = """
target: Position
where: {is_key: true}
successors: {count: [nominated], bands: [ready_now], min: {param: min_successors}}
"""


def test_successors_nominated_in_one_band() -> None:
    """Nominations alone, one band, a parameter as the bound: guards against the bound being
    inlined (a deployment could not change it) and against computed successors being
    described when they are not counted."""
    assert_golden(
        SUCCESSORS_READY_NOW_NOMINATED,
        """
        MATCH (focus:`Position`)
        WHERE focus.`is_key` = $v1
        WITH focus, [(focus)<-[r1:`NOMINATED_SUCCESSOR`]-(n1:`Employee`) WHERE r1.`readiness` IN $v2 | n1.`id`] AS nominees
        WHERE size(nominees) < $min_successors
        RETURN focus.`id` AS focus_id, focus.`title` AS focus_name, $v3 AS path, size(nominees) AS value, $min_successors AS limit, nominees
        """,
        {'v1': True, 'v2': ['ready_now'],
         'v3': 'nominated <-NOMINATED_SUCCESSOR- [readiness in [ready_now]] Employee'},
        ('min_successors',),
    )


SUCCESSORS_COMPUTED_ONLY = """
target: Position
where: {is_key: true}
successors:
  count: [computed]
  bands: [ready_3_plus_years]
  min: 1
  as_of: 2026-01-01
"""


def test_successors_computed_only() -> None:
    """Computed successors alone: every target position goes on to fit scoring, none is
    dropped because of its nominations."""
    assert_golden(
        SUCCESSORS_COMPUTED_ONLY,
        """
        MATCH (focus:`Position`)
        WHERE focus.`is_key` = $v1
        WITH focus, [] AS nominees
        WHERE size(nominees) < $v2
        RETURN focus.`id` AS focus_id, focus.`title` AS focus_name, $v3 AS path, size(nominees) AS value, $v2 AS limit, nominees
        """,
        {'v1': True, 'v2': 1, 'v3': 'computed [ready_3_plus_years]'},
        (),
    )


APPRAISAL_COMPLETE = """
target: Employee
where: {flight_risk: {not: high}}
appraisal: {check: complete, period: {param: period}}
"""


def test_appraisal_complete() -> None:
    """The database's part of an appraisal rule is the target records meeting the rule's
    ``where``, with the period as a parameter: guards against the period being inlined (a
    deployment could not choose it), against the ``where`` being dropped (the step after the
    query keeps only these records) and against the appraisals being judged in Cypher."""
    assert_golden(
        APPRAISAL_COMPLETE,
        """
        MATCH (focus:`Employee`)
        WHERE focus.`flight_risk` <> $v1
        RETURN focus.`id` AS focus_id, focus.`name` AS focus_name, $v2 AS path, null AS value, $period AS period
        """,
        {'v1': 'high', 'v2': 'complete appraisal'},
        ('period',),
    )


APPRAISAL_CALIBRATION = """
target: Department
appraisal: {check: calibration, period: 2026-Q2}
"""


def test_appraisal_calibration() -> None:
    """A calibration rule targets departments (one row per group and rating comes from the
    step after the query), a literal period is a ``$v`` parameter like every value."""
    assert_golden(
        APPRAISAL_CALIBRATION,
        """
        MATCH (focus:`Department`)
        RETURN focus.`id` AS focus_id, focus.`name` AS focus_name, $v1 AS path, null AS value, $v2 AS period
        """,
        {'v1': 'rating distribution within the guideline', 'v2': '2026-Q2'},
        (),
    )


def test_message_properties_become_columns() -> None:
    """A ``{focus.<property>}`` in the message is returned by the query (no second query per
    violation to fetch it), and the shipped labour-law rules' durations are parameters."""
    result = compile_rule(load_rules_text(rule_text(PROPERTY_DATE_WITHIN).replace(
        "message: '{focus.name}'", "message: '{focus.id} from {focus.start_date}'")).rules[0])
    assert result.cypher.endswith(
        "RETURN focus.`id` AS focus_id, focus.`id` AS focus_name, $v1 AS path, value, "
        "focus.`start_date` AS focus_start_date")


# what each golden query finds in the demo organisation on 2026-01-01 (see PLANTED.md)
KEY_POSITIONS = {"P001", "P004", "P005", "P008", "P013", "P020", "P022", "P028", "P045", "P049",
                 "P054", "P059"}
ON_THE_DEMO = {
    "count_min": (COUNT_MIN, {"P003"}),
    "count_exactly_filtered": (COUNT_EXACTLY_FILTERED, {"R0008", "R0086"}),
    "count_max_property": (COUNT_MAX_PROPERTY, {"P046"}),
    "count_variable_length": (COUNT_VARIABLE_LENGTH, {"P026", "P027"}),
    "count_between_node_condition": (COUNT_BETWEEN_NODE_CONDITION, {"D16"}),
    "target_has": (TARGET_HAS, set()),
    "property_facets": (PROPERTY_FACETS, set()),
    "property_date_within": (PROPERTY_DATE_WITHIN, {"CT0014"}),
    "property_date_literal_duration": (PROPERTY_DATE_LITERAL_DURATION, {"CT0180"}),
    "property_percent": (PROPERTY_PERCENT, {"CT0048"}),
    "property_pattern": (PROPERTY_PATTERN, set()),
    "aggregate_sum_tolerance": (AGGREGATE_SUM_TOLERANCE, {"P012"}),
    "aggregate_avg_report_empty": (AGGREGATE_AVG_REPORT_EMPTY, {"P001", "P016", "P059"}),
    "aggregate_max_optional_node_property": (AGGREGATE_MAX_OPTIONAL_NODE_PROPERTY, {"P012"}),
    "limits_span": (LIMITS_SPAN, {"CT0180", "CT0181"}),
    "limits_min_and_max": (LIMITS_MIN_AND_MAX, {"P032", "P039", "P042"}),
    "cypher_escape_hatch": (CYPHER_ESCAPE_HATCH,
                            {"E0079", "E0093", "E0107", "E0226", "E0257"}),
    # the database's part: key positions short on nominations (12a, and 12b for ready now)
    "successors": (SUCCESSORS, {"P022", "P028"}),
    "successors_ready_now_nominated": (SUCCESSORS_READY_NOW_NOMINATED,
                                       {"P022", "P028", "P049"}),
    "successors_computed_only": (SUCCESSORS_COMPUTED_ONLY, KEY_POSITIONS),
    # the database's part: every employee but those likely to leave; every department
    "appraisal_complete": (APPRAISAL_COMPLETE, None),
    "appraisal_calibration": (APPRAISAL_CALIBRATION, None),
}


@pytest.mark.parametrize("case", list(ON_THE_DEMO), ids=list(ON_THE_DEMO))
def test_golden_queries_run_on_the_engine(demo_graph: GraphHandle, case: str) -> None:
    """Each construct the compiler writes is one the embedded engine runs (it has quirks), and
    finds what it should on the demo organisation, with the report's columns."""
    body, expected = ON_THE_DEMO[case]
    ruleset = load_rules_text(rule_text(body))
    result = compile_rule(ruleset.rules[0])
    params = result.params(resolve_parameters(ruleset, today=date(2026, 1, 1)))
    rows = demo_graph.read(result.cypher, **params)
    if expected is None:  # every record of the target meeting the rule's where
        expected = {row["id"] for row in demo_graph.read(_everyone(ruleset.rules[0]))}
    assert {row["focus_id"] for row in rows} == expected
    for row in rows:
        assert {"focus_id", "focus_name", "path", "value"} <= set(row)


def _everyone(rule: Rule) -> str:
    """The ids of the target records of ``rule`` meeting its where, by a query of their own."""
    if rule.target == "Employee":
        return "MATCH (e:Employee) WHERE e.flight_risk IS NULL OR e.flight_risk <> 'high' " \
               "RETURN e.id AS id"
    return f"MATCH (d:{rule.target}) RETURN d.id AS id"


# what appraisal rules report on the demo, period by period (PLANTED.md 15a-15c, 15g, 15h, 16)
APPRAISALS_ON_THE_DEMO = {
    "alerts_q1": ("target: Employee\nappraisal: {check: alerts, period: 2026-Q1}",
                  [("E0042", "60 %"), ("E0126", "60 %"), ("E0275", "68 %")]),
    "alerts_latest": ("target: Employee\nappraisal: {check: alerts, period: latest}", []),
    "complete_q3": ("target: Employee\nappraisal: {check: complete, period: 2026-Q3}",
                    [("E0003", "0 of 0 KPIs scored"), ("E0004", "0 of 0 KPIs scored"),
                     ("E0230", "0 of 2 KPIs scored")]),
    "calibration_q2": ("target: Department\nappraisal: {check: calibration, period: 2026-Q2}",
                       [("D07", "6 of 11"), ("D07", "0 of 11"), ("D07", "5 of 11")]),
    "calibration_q1": ("target: Department\nappraisal: {check: calibration, period: 2026-Q1}",
                       []),
}


@pytest.mark.parametrize("case", list(APPRAISALS_ON_THE_DEMO), ids=list(APPRAISALS_ON_THE_DEMO))
def test_appraisal_rules_on_the_demo(demo_graph: GraphHandle, case: str) -> None:
    """The whole rule, the database's part then the appraisal formulas': each period reports
    its own planted cases (guards against the period being ignored, and against the complete
    check flagging rated people or the alerts check the 70 % boundary, E0030 in 2026-Q1)."""
    body, expected = APPRAISALS_ON_THE_DEMO[case]
    report = run_rule(demo_graph, body)
    assert [(v.focus_id, v.value) for v in report.violations] == expected
    assert report.results[0].computed_seconds > 0 or not expected


# what successors rules report once computed successors count too: nobody in the demo is
# computed ready now; P054 and P059 have someone in 1-2 years; P008, P013, P020 and P022 in 3+
SUCCESSORS_ON_THE_DEMO = {
    "successors": (SUCCESSORS, {"P028"}),
    "successors_ready_now": (
        SUCCESSORS.replace("[ready_now, ready_1_2_years, ready_3_plus_years]", "[ready_now]"),
        {"P022", "P028", "P049"}),
    "successors_computed_only": (SUCCESSORS_COMPUTED_ONLY,
                                 KEY_POSITIONS - {"P008", "P013", "P020", "P022"}),
}


def run_rule(graph: GraphHandle, body: str) -> Report:
    ruleset = load_rules_text(rule_text(body))
    params = resolve_parameters(ruleset, today=date(2026, 1, 1))
    return graph.run(lambda g: run_rules(g, ruleset.rules, params))


@pytest.mark.parametrize("case", list(SUCCESSORS_ON_THE_DEMO), ids=list(SUCCESSORS_ON_THE_DEMO))
def test_successors_rules_on_the_demo(demo_graph: GraphHandle, case: str) -> None:
    """The whole rule, the database's part then fit scoring's: only computed successors in the
    rule's bands count (guards against a 3+ years successor covering a ready-now rule)."""
    body, expected = SUCCESSORS_ON_THE_DEMO[case]
    assert {v.focus_id for v in run_rule(demo_graph, body).violations} == expected


def test_someone_nominated_and_computed_counts_once(demo_graph: GraphHandle) -> None:
    """P054: E0293 is nominated ready now and computed ready in 1-2 years (E0288, nominated
    for 3+ years, is outside the bands); that is one successor, not two. P059 has two nominees
    in the bands and never reaches fit scoring."""
    body = SUCCESSORS.replace("[ready_now, ready_1_2_years, ready_3_plus_years]",
                              "[ready_now, ready_1_2_years]").replace("min: 1", "min: 2")
    found = {v.focus_id: v.value for v in run_rule(demo_graph, body).violations}
    assert found["P054"] == "1 nominated, 1 computed"
    assert "P059" not in found


def test_successors_are_computed_on_as_of(demo_graph: GraphHandle) -> None:
    """The rule's as_of (here the as_of parameter) is the day fit scoring judges on
    (eligibility for ready now needs certificates valid that day), not today; and fit scoring
    is asked about the positions short on nominations only (12a), not every key position."""
    asked: list[tuple[list[str], date | None]] = []

    async def fake(graph: Graph, position_ids: list[str], as_of: date,
                   ) -> dict[str, list[Successor]]:
        asked.append((position_ids, as_of))
        return {}

    ruleset = load_rules_text(rule_text(SUCCESSORS))
    params = resolve_parameters(ruleset, overrides={"as_of": date(2024, 6, 30)})
    report = demo_graph.run(lambda g: run_rules(g, ruleset.rules, params, successors=fake))
    assert [(sorted(ids), day) for ids, day in asked] == [(["P022", "P028"], date(2024, 6, 30))]
    assert report.results[0].computed_seconds > 0
