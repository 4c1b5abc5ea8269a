"""Typed values of ontology properties: parsing interchange text and checking constraints.

Used by the CSV import and by the API's input validation, so both reject the same things with
the same words.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from schema.ontology import PropertySpec

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true"}
_FALSE = {"false"}


class ValueProblem(ValueError):
    """A value that does not fit its property; the message says why."""


def parse_text(spec: PropertySpec, text: str) -> Any:
    """Parse one cell of interchange text into the property's type.

    Empty text means "no value": ``None``, or the property's default.
    """
    text = text.strip()
    if text == "":
        return spec.default
    if spec.type == "string":
        return text
    if spec.type == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueProblem(f"{text!r} is not a whole number") from None
    if spec.type == "float":
        try:
            value = float(text)
        except ValueError:
            raise ValueProblem(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueProblem(f"{text!r} is not a finite number")
        return value
    if spec.type == "boolean":
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueProblem(f"{text!r} is not true or false")
    return parse_date(text)


def parse_date(text: str) -> date:
    """An ISO ``YYYY-MM-DD`` date, strictly."""
    if not _DATE.match(text):
        raise ValueProblem(f"{text!r} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueProblem(f"{text!r} is not a valid calendar date") from None


def check_value(spec: PropertySpec, value: Any) -> None:
    """Check a typed value against the property's constraints; ``None`` only if optional."""
    if value is None:
        if spec.required:
            raise ValueProblem("a value is required")
        return
    _check_type(spec, value)
    if spec.enum is not None and value not in spec.enum:
        raise ValueProblem(f"{value!r} is not one of {', '.join(spec.enum)}")
    if spec.min is not None and value < spec.min:
        raise ValueProblem(f"{value!r} is below the minimum {spec.min:g}")
    if spec.max is not None and value > spec.max:
        raise ValueProblem(f"{value!r} is above the maximum {spec.max:g}")
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise ValueProblem(f"{value!r} does not match the pattern {spec.pattern}")


def _check_type(spec: PropertySpec, value: Any) -> None:
    ok: bool
    if spec.type == "string":
        ok = isinstance(value, str)
    elif spec.type == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif spec.type == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif spec.type == "boolean":
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, date)
    if not ok:
        raise ValueProblem(f"{value!r} is not of type {spec.type}")


def format_text(value: Any) -> str:
    """The interchange text of a typed value (the inverse of :func:`parse_text`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "iso_format"):  # neo4j.time.Date
        return str(value.iso_format())
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
