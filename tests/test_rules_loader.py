"""Loading rule files: every kind of bad rule file fails with its file, line and reason.

Each case writes a small rule file in which the offending line carries the comment ``# here``;
the loader must name that file and that line, and say what is wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.loader import RuleLoadError, lint, load_rules, load_rules_text
from rules.model import Span
from rules.params import load_settings, parse_override, resolve_parameters
from rules.reader import parse_span

HEADER = """\
pack: test
title: A test pack
parameters:
  minimum_wage:
    type: float
    default: 2690
    description: the local minimum wage
  max_span:
    type: integer
    default: 10
    description: the widest span of control
rules:
"""


def rule(target: str, body: str, message: str = "{focus.name} is at fault",
         rule_id: str = "test-rule") -> str:
    """A rule of the test pack; ``body`` is its constraint, indented by four spaces."""
    return (f"  - id: {rule_id}\n"
            f"    title: A test rule\n"
            f"    description: What it checks.\n"
            f"    severity: error\n"
            f"    target: {target}\n"
            f"{body}"
            f'    message: "{message}"\n')


def mark(text: str, fragment: str) -> str:
    """``text`` with ``# here`` after the first line containing ``fragment``."""
    lines = text.splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if fragment in line)
    lines[n] = lines[n].rstrip("\n") + "  # here\n"
    return "".join(lines)


def line_of_marker(text: str) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if "# here" in line]
    assert len(lines) == 1, "mark exactly one line with '# here'"
    return lines[0]


def problems_of(tmp_path: Path, text: str, name: str = "pack.yaml") -> list[tuple[str, int, str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [(e.file, e.line, e.message) for e in lint([path])]


def assert_fails(tmp_path: Path, text: str, reason: str) -> None:
    """Exactly one problem, on the marked line of the file, whose message contains reason."""
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1, problems
    file, line, message = problems[0]
    assert (Path(file).name, line) == ("pack.yaml", line_of_marker(text)), problems
    assert reason in message, message


COUNT_RESPONSIBILITIES = ("    count:\n      path: -HAS_RESPONSIBILITY-> Responsibility\n"
                          "      min: 1\n")

BAD_RULES = {
    "unknown class": (
        HEADER + rule("Postion  # here", COUNT_RESPONSIBILITIES),
        "unknown class 'Postion' in 'target'"),
    "unknown class in a path": (
        HEADER + rule("Position", "    count:\n"
                                  "      path: -HAS_RESPONSIBILITY-> Duty  # here\n"
                                  "      min: 1\n"),
        "unknown class 'Duty'"),
    "unknown relationship": (
        HEADER + rule("Position", "    count:\n"
                                  "      path: -HAS_RESPONSIBILTY-> Responsibility  # here\n"
                                  "      min: 1\n"),
        "unknown relationship 'HAS_RESPONSIBILTY'"),
    "unknown property": (
        HEADER + rule("Contract", "    property:\n"
                                  "      name: signed_at  # here\n"
                                  "      required: true\n"),
        "unknown property Contract.signed_at"),
    "unknown property of a relationship": (
        HEADER + rule("Responsibility", "    count:\n"
                                        "      path: <-HAS_RESPONSIBILITY- Position\n"
                                        "      where: {rci: A}  # here\n"
                                        "      exactly: 1\n"),
        "unknown property HAS_RESPONSIBILITY.rci"),
    "unknown property in the target condition": (
        HEADER + rule("Position", "    where: {key: true}  # here\n" + COUNT_RESPONSIBILITIES),
        "unknown property Position.key"),
    "wrong endpoint: the step starts elsewhere": (
        HEADER + rule("Responsibility", "    count:\n"
                                        "      path: -HAS_RESPONSIBILITY-> Position  # here\n"
                                        "      min: 1\n"),
        "wrong endpoint: HAS_RESPONSIBILITY goes from Position to Responsibility, so "
        "-HAS_RESPONSIBILITY-> cannot start at Responsibility"),
    "wrong endpoint: the step reaches another class": (
        HEADER + rule("Position", "    count:\n"
                                  "      path: -HAS_RESPONSIBILITY-> KPI  # here\n"
                                  "      min: 1\n"),
        "wrong endpoint: -HAS_RESPONSIBILITY-> from Position reaches Responsibility, not KPI"),
    "wrong endpoint in the second step": (
        HEADER + rule("Employee", "    count:\n"
                                  "      path: -HOLDS_POSITION-> Position -HAS_CONTRACT-> "
                                  "Contract  # here\n"
                                  "      max: 1\n"),
        "HAS_CONTRACT goes from Employee to Contract, so -HAS_CONTRACT-> cannot start at "
        "Position"),
    "type mismatch: a date compared with a number": (
        HEADER + rule("Contract", "    property:\n"
                                  "      name: signed_on\n"
                                  "      at_most: 30  # here\n"),
        "type mismatch: expected a date (YYYY-MM-DD), found the number 30"),
    "type mismatch: a date compared with a numeric parameter": (
        HEADER + rule("Contract", "    property:\n"
                                  "      name: signed_on\n"
                                  "      at_least: {param: minimum_wage}  # here\n"),
        "type mismatch: parameter minimum_wage is a float, a date is needed here"),
    "type mismatch: a date compared with a number property": (
        HEADER + rule("Contract", "    property:\n"
                                  "      name: signed_on\n"
                                  "      at_most: {property: monthly_wage}  # here\n"),
        "type mismatch: date compared with monthly_wage, a float"),
    "type mismatch: a duration added to a number": (
        HEADER + rule("Contract", "    property:\n"
                                  "      name: probation_wage\n"
                                  "      at_least: {property: monthly_wage, plus: 1 month}"
                                  "  # here\n"),
        "type mismatch: plus/minus add a duration to a date; monthly_wage is a float"),
    "type mismatch: a pattern on a number": (
        HEADER + rule("Position", "    property:\n"
                                  "      name: grade\n"
                                  "      pattern: '^[0-9]+$'  # here\n"),
        "a pattern applies to text; grade is a integer"),
    "a value the property does not allow": (
        HEADER + rule("Responsibility", "    count:\n"
                                        "      path: <-HAS_RESPONSIBILITY- Position\n"
                                        "      where: {raci: X}  # here\n"
                                        "      exactly: 1\n"),
        "'X' is not an allowed value of raci (R, A, C, I)"),
    "a bad duration": (
        HEADER + rule("Contract", "    property:\n"
                                  "      name: signed_on\n"
                                  "      at_most: {property: start_date, plus: 1 moon}"
                                  "  # here\n"),
        "'1 moon' is not a duration such as '1 month' or '30 days'"),
    "unknown parameter": (
        HEADER + rule("Position", "    count:\n"
                                  "      path: <-REPORTS_TO- Position\n"
                                  "      max: {param: max_span_of_control}  # here\n"),
        "unknown parameter 'max_span_of_control'"),
    "unknown parameter in the message": (
        mark(HEADER + rule("Position", COUNT_RESPONSIBILITIES,
                           message="{focus.name} above {param.minimum_wag}"), "message:"),
        "unknown parameter 'minimum_wag' in {param.minimum_wag}"),
    "unknown parameter in a Cypher rule": (
        HEADER + rule("Employee", "    cypher: |  # here\n"
                                  "      MATCH (focus:Employee) WHERE focus.x > $minimum_wag\n"
                                  "      RETURN focus, '' AS path, '' AS value\n"),
        "unknown parameter $minimum_wag"),
    "unknown placeholder in the message": (
        mark(HEADER + rule("Position", COUNT_RESPONSIBILITIES, message="{focus.name} has {count}"),
             "message:"),
        "unknown placeholder {count}"),
    "duplicate YAML key": (
        HEADER + "  - id: test-rule\n"
                 "    title: A test rule\n"
                 "    description: What it checks.\n"
                 "    severity: error\n"
                 "    severity: warning  # here\n"
                 "    target: Position\n" + COUNT_RESPONSIBILITIES
        + '    message: "{focus.name}"\n',
        "duplicate key 'severity' (first at line 16)"),
    "duplicate rule id": (
        HEADER + rule("Position", COUNT_RESPONSIBILITIES)
        + rule("Position", COUNT_RESPONSIBILITIES).replace("id: test-rule",
                                                           "id: test-rule  # here"),
        "duplicate rule id 'test-rule' (first in"),
    "a misspelt key": (
        HEADER + rule("Position", COUNT_RESPONSIBILITIES).replace(
            "    severity: error\n", "    severity: error\n    refrence: 第十条  # here\n"),
        "unknown key 'refrence' in a rule"),
    "an unknown severity": (
        HEADER + rule("Position", COUNT_RESPONSIBILITIES).replace(
            "severity: error", "severity: fatal  # here"),
        "severity must be one of error, warning, info, not 'fatal'"),
    "two constraint kinds in one rule": (
        mark(HEADER + rule("Position", COUNT_RESPONSIBILITIES
                           + "    property: {name: grade, at_least: 1}\n"), "- id: test-rule"),
        "exactly one of count, property, aggregate, limits, cypher"),
    "a step written the wrong way round": (
        HEADER + rule("Position", "    count:\n"
                                  "      path: <-HAS_RESPONSIBILITY-> Responsibility  # here\n"
                                  "      min: 1\n"),
        "write -HAS_RESPONSIBILITY-> or <-HAS_RESPONSIBILITY-"),
    "a repeated step between two classes": (
        HEADER + rule("Position", "    count:\n"
                                  "      path: -IN_DEPARTMENT*1..3-> Department  # here\n"
                                  "      max: 1\n"),
        "only a relationship from a class to itself can repeat"),
    "a sum of a text": (
        HEADER + rule("Position", "    aggregate:\n"
                                  "      sum: KPI.name  # here\n"
                                  "      path: -MEASURED_BY-> KPI\n"
                                  "      equals: 100\n"),
        "sum needs a numeric property; KPI.name is a string"),
    "a count bound that is not a whole number": (
        HEADER + rule("Position", "    count:\n"
                                  "      path: <-REPORTS_TO- Position\n"
                                  "      max: {param: minimum_wage}  # here\n"),
        "parameter minimum_wage is a float, a whole number is needed here"),
    "a limits table with a case but no span declared": (
        HEADER + rule("Contract", "    limits:\n"
                                  "      property: probation_months\n"
                                  "      cases:\n"
                                  "        - case: short\n"
                                  "          span: {under: 3 months}  # here\n"
                                  "          max: 0\n"),
        "declare the table's span"),
    "a missing value written as null": (
        HEADER + rule("Position", "    count:\n"
                                  "      path: <-HOLDS_POSITION- Employee\n"
                                  "      where: {end_date: null}  # here\n"
                                  "      max: 1\n"),
        "write 'end_date: {present: false}' for a missing value"),
    "an unknown readiness band": (
        HEADER + rule("Position", "    successors:\n"
                                  "      count: [nominated, computed]\n"
                                  "      bands: [ready_now, ready_next_year]  # here\n"
                                  "      min: 1\n"
                                  "      as_of: 2026-01-01\n"),
        "bands: unknown band 'ready_next_year' (one of ready_now, ready_1_2_years, "
        "ready_3_plus_years)"),
    "a band listed twice": (
        HEADER + rule("Position", "    successors:\n"
                                  "      count: [nominated]\n"
                                  "      bands: [ready_now, ready_now]  # here\n"
                                  "      min: 1\n"),
        "bands: ready_now is listed twice"),
    "no bands": (
        HEADER + rule("Position", "    successors:\n"
                                  "      count: [nominated]\n"
                                  "      bands: []  # here\n"
                                  "      min: 1\n"),
        "bands must be a non-empty list of ready_now, ready_1_2_years, ready_3_plus_years"),
    "an unknown source of successors": (
        HEADER + rule("Position", "    successors:\n"
                                  "      count: [nominated, guessed]  # here\n"
                                  "      bands: [ready_now]\n"
                                  "      min: 1\n"),
        "count: unknown source 'guessed' (one of nominated, computed)"),
    "successors of something that is not a position": (
        HEADER + rule("Department", "    successors:  # here\n"
                                    "      count: [nominated]\n"
                                    "      bands: [ready_now]\n"
                                    "      min: 1\n"),
        "successors are counted for Position (NOMINATED_SUCCESSOR goes from Employee to "
        "Position), not for Department"),
    "computed successors without a day": (
        HEADER + rule("Position", "    successors:\n"
                                  "      count: [nominated, computed]  # here\n"
                                  "      bands: [ready_now]\n"
                                  "      min: 1\n"),
        "computed successors depend on the day (certificates, eligibility): give as_of"),
    "a day without computed successors": (
        HEADER + rule("Position", "    successors:\n"
                                  "      count: [nominated]\n"
                                  "      bands: [ready_now]\n"
                                  "      min: 1\n"
                                  "      as_of: 2026-01-01  # here\n"),
        "add computed to count or remove as_of"),
    "a day that is not a date": (
        HEADER + rule("Position", "    successors:\n"
                                  "      count: [computed]\n"
                                  "      bands: [ready_now]\n"
                                  "      min: 1\n"
                                  "      as_of: {param: max_span}  # here\n"),
        "parameter max_span is a integer, a date is needed here"),
    "no successor needed": (
        HEADER + rule("Position", "    successors:\n"
                                  "      count: [nominated]\n"
                                  "      bands: [ready_now]\n"
                                  "      min: 0  # here\n"),
        "min must be at least 1"),
    "a misspelt key of successors": (
        HEADER + rule("Position", "    successors:\n"
                                  "      count: [nominated]\n"
                                  "      band: [ready_now]  # here\n"
                                  "      bands: [ready_now]\n"
                                  "      min: 1\n"),
        "unknown key 'band' in rule test-rule: successors"),
    "a placeholder successors rules do not have": (
        HEADER + rule("Position", "    successors: {count: [nominated], bands: [ready_now], "
                                  "min: 1}\n",
                      message="{focus.name}: {nominees}").replace(
                          '    message: "{focus.name}: {nominees}"',
                          '    message: "{focus.name}: {nominees}"  # here'),
        "unknown placeholder {nominees} (a successors rule offers {computed}, {limit}, "
        "{nominated}, {path}, {value}"),
}


@pytest.mark.parametrize("case", list(BAD_RULES), ids=list(BAD_RULES))
def test_a_bad_rule_file_fails_with_file_line_and_reason(tmp_path: Path, case: str) -> None:
    """Each kind of mistake a rule author makes is reported on its own line, with the reason:
    a loader that only says "invalid rule" (or names the rule's first line) leaves the
    reviewer searching."""
    text, reason = BAD_RULES[case]
    assert_fails(tmp_path, text, reason)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    """A YAML syntax error is reported like the other problems, not as a traceback."""
    text = HEADER + rule("Position", COUNT_RESPONSIBILITIES) + "  - id: [unclosed  # here\n"
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert problems[0][1] == line_of_marker(text) + 1  # the parser notices at the next line
    assert "invalid YAML" in problems[0][2]


def test_lint_reports_every_problem_of_every_file(tmp_path: Path) -> None:
    """Lint is a pass of its own: it does not stop at the first problem or the first file, and
    a rule id or parameter repeated in another file is caught across files."""
    (tmp_path / "a.yaml").write_text(
        HEADER + rule("Postion", COUNT_RESPONSIBILITIES)
        + rule("Contract", "    property: {name: signed_on, at_most: 30}\n", rule_id="second")
        + rule("Position", COUNT_RESPONSIBILITIES, rule_id="shared-id"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(
        HEADER.replace("pack: test", "pack: other")
        + rule("Position", COUNT_RESPONSIBILITIES, rule_id="shared-id"), encoding="utf-8")
    found = [(Path(e.file).name, e.line, e.message.split(":")[0]) for e in lint([tmp_path])]
    a = tmp_path / "a.yaml"
    assert found == [
        ("a.yaml", 17, "rule test-rule"),
        ("a.yaml", 27, "rule second"),
        ("b.yaml", 4, f"parameter 'minimum_wage' is already declared in {a}"),
        ("b.yaml", 8, f"parameter 'max_span' is already declared in {a}"),
        ("b.yaml", 13, f"duplicate rule id 'shared-id' (first in {a}"),
    ]


def test_load_rules_raises_with_every_problem(tmp_path: Path) -> None:
    """load_rules refuses a bad file as a whole: no partial rule set is returned."""
    path = tmp_path / "pack.yaml"
    path.write_text(HEADER + rule("Postion", COUNT_RESPONSIBILITIES), encoding="utf-8")
    with pytest.raises(RuleLoadError) as caught:
        load_rules([path])
    assert [e.line for e in caught.value.errors] == [17]
    assert str(path) in str(caught.value)


def test_the_shipped_packs_load_cleanly() -> None:
    """The packs shipped in rules/packs pass their own lint, and their ids are the ones the
    README and the features refer to."""
    assert lint() == []
    ruleset = load_rules()
    assert [p.name for p in ruleset.packs] == [
        "common", "labour_law", "organisation", "performance", "qualification", "raci",
        "succession"]
    assert len(ruleset.rules) == 23
    assert all(r.reference for r in ruleset.rules if r.pack == "labour_law")


def test_durations() -> None:
    """Durations keep months and days apart, as Cypher does (a month is not 30 days)."""
    assert parse_span("1 month") == Span(1, 0, "1 month")
    assert parse_span("3 years") == Span(36, 0, "3 years")
    assert parse_span("2 weeks") == Span(0, 14, "2 weeks")
    assert parse_span("30 days") == Span(0, 30, "30 days")
    with pytest.raises(ValueError, match="not a duration"):
        parse_span("a month")


def test_settings_file_overrides_defaults(tmp_path: Path) -> None:
    """A deployment's settings file changes a parameter; the rest keep their defaults."""
    ruleset = load_rules()
    path = tmp_path / "settings.yaml"
    path.write_text("parameters:\n  minimum_wage: 2520\n  written_contract_deadline: 2 weeks\n",
                    encoding="utf-8")
    values = resolve_parameters(ruleset, path)
    assert values["minimum_wage"] == 2520
    assert values["written_contract_deadline"] == Span(0, 14, "2 weeks")
    assert values["max_span_of_control"] == 10


def test_settings_file_with_an_unknown_parameter(tmp_path: Path) -> None:
    """A misspelt parameter in the settings file is an error naming the file and line, not
    silently ignored (the deployment would run with the default)."""
    path = tmp_path / "settings.yaml"
    path.write_text("parameters:\n  minimum_wage: 2520\n  minimum_wages: 2690\n"
                    "  max_span_of_control: ten\n", encoding="utf-8")
    with pytest.raises(RuleLoadError) as caught:
        load_settings(path, load_rules())
    assert [(e.file, e.line) for e in caught.value.errors] == [(str(path), 3), (str(path), 4)]
    assert "unknown parameter 'minimum_wages'" in caught.value.errors[0].message
    assert "expected a whole number, found the text 'ten'" in caught.value.errors[1].message


def test_command_line_overrides() -> None:
    """``--param name=value`` is typed by the parameter's declaration."""
    ruleset = load_rules()
    assert parse_override(ruleset, "minimum_wage=2520") == ("minimum_wage", 2520)
    assert parse_override(ruleset, "as_of=2026-01-01")[1].isoformat() == "2026-01-01"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="unknown parameter 'minimum'"):
        parse_override(ruleset, "minimum=1")
    with pytest.raises(ValueError, match="expected a whole number"):
        parse_override(ruleset, "max_span_of_control=1.5")


def test_an_impossible_date_is_located() -> None:
    """An unquoted date that is no date (month 13) is a file:line error, not a crash."""
    text = "pack: x\ntitle: X\nparameters:\n  day:\n    type: date\n    default: 2020-13-01\n"
    with pytest.raises(RuleLoadError) as info:
        load_rules_text(text, "bad.yaml")
    assert str(info.value) == "bad.yaml:6: '2020-13-01' is not a valid date: month must be in 1..12"
