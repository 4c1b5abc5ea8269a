"""Message templates: checked when a rule loads, rendered for each violation."""

from __future__ import annotations

from datetime import date

from neo4j.time import Date

from rules.messages import check_template
from rules.model import Span
from rules.templates import render, text


def test_templates_are_checked_against_the_rule() -> None:
    """A placeholder the rule cannot fill is a load error, not a KeyError (or a silent blank)
    in the middle of a compliance run."""
    props = ["id", "start_date"]
    assert check_template("{focus.name} {focus.start_date} {value} {limit} {param.as_of}",
                          "count", props, ["as_of"]) == []
    assert check_template("{case}", "count", props, []) == [
        "message: unknown placeholder {case} (a count rule offers {limit}, {path}, {value}, "
        "{focus.<property>} and {param.<name>})"]
    assert check_template("{focus.end_date}", "property", props, []) == [
        "message: {focus.end_date}: the target class has no property 'end_date'"]
    assert check_template("{value:.2f}", "property", props, []) == [
        "message: placeholder {value}: format specifications and conversions are not "
        "supported"]
    assert check_template("{value", "property", props, []) == [
        "message: expected '}' before end of string (write {{ and }} for literal braces)"]


def test_values_render_as_a_reviewer_reads_them() -> None:
    """Whole numbers without '.0', other numbers in full (never 1.23457e+06), dates in ISO
    form whether they come from Python or the driver, durations as written."""
    assert [text(v) for v in (90.0, 2689.99, 1234567.5, 3, None, True)] == \
        ["90", "2689.99", "1234567.5", "3", "none", "true"]
    assert text(Date(2024, 5, 10)) == text(date(2024, 5, 10)) == "2024-05-10"
    assert text(Span(1, 0, "1 month")) == "1 month"
    assert render("{focus.id} signed {value}, {{late}} by {param.deadline}",
                  {"focus.id": "CT1", "value": Date(2024, 5, 10),
                   "param.deadline": Span(1, 0, "1 month")}) == \
        "CT1 signed 2024-05-10, {late} by 1 month"
