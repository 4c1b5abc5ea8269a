"""Typed values of ontology properties: parsing interchange text and checking constraints.

The one set of value rules, used by the CSV import and by the API's input validation, so both
accept and reject the same things with the same words:

* strings are normalised (Unicode NFC, line ends as ``\n``) and trimmed; a blank string is no
  value (so a required one is missing); a name holds no control characters and at most
  :data:`MAX_LINE` characters, a ``long`` text (descriptions) may hold tabs and line breaks and
  at most :data:`MAX_LONG` characters;
* no value is the property's default when it has one (``is_key`` false, a weight 1);
* an id (a class's key, and every reference to one) is at most :data:`MAX_KEY` characters of
  letters, digits and ``_ . - / :``, starting with a letter or digit;
* numbers are finite (``1e400`` is no number), whole numbers 32-bit;
* dates lie between :data:`MIN_YEAR` and :data:`MAX_YEAR`;
* the end of a ``span`` (a contract's, a position held) does not lie before its start.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.periods import MAX_YEAR, MIN_YEAR  # one range for dates and periods
from schema.ontology import PropertySpec

MAX_LINE = 200
MAX_LONG = 4000
MAX_KEY = 64
#: whole numbers are 32-bit, as GraphQL's ``Int`` (an imported 10**12 could not be read)
MIN_INT, MAX_INT = -(2**31), 2**31 - 1
_KEY = re.compile(r"[^\W_][\w.\-/:]*")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LONG_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true"}
_FALSE = {"false"}


class ValueProblem(ValueError):
    """A value that does not fit its property; the message says why."""


def parse_text(spec: PropertySpec, text: str) -> Any:
    """Parse one cell of interchange text into the property's type.

    Empty text means "no value": ``None``, or the property's default.
    """
    text = clean_text(text, spec.long)
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


def clean_text(text: str, long: bool = False) -> str:
    """A string as stored: NFC, line ends ``\n`` (in long texts), trimmed."""
    if not text.isascii():  # ASCII is NFC already
        text = unicodedata.normalize("NFC", text)
    if long:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def clean(spec: PropertySpec, value: Any) -> Any:
    """A value as stored: strings cleaned, a blank string no value, and no value the
    property's default when it has one (as :func:`parse_text` reads an empty cell, so a
    record the API wrote reads back the same from an export)."""
    if isinstance(value, str) and spec.type == "string":
        value = clean_text(value, spec.long) or None
    return spec.default if value is None else value


def check_key(text: str) -> None:
    """An id: letters, digits and ``_ . - / :``, at most :data:`MAX_KEY` characters."""
    if len(text) > MAX_KEY:
        raise ValueProblem(f"an id has at most {MAX_KEY} characters, not {len(text)}")
    if not _KEY.fullmatch(text):
        raise ValueProblem(f"{text!r} is not an id: letters, digits and _ . - / : only, "
                           "starting with a letter or digit")


def check_span(span: tuple[str, str] | None, values: Mapping[str, Any]) -> None:
    """The end of a span does not lie before its start (both given)."""
    if span is None:
        return
    start, end = values.get(span[0]), values.get(span[1])
    if isinstance(start, date) and isinstance(end, date) and end < start:
        raise ValueProblem(f"{span[1]} {end.isoformat()} lies before {span[0]} "
                           f"{start.isoformat()}")


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
    if isinstance(value, str):
        _check_text(spec, value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueProblem(f"{value!r} is not a finite number")
    elif spec.type == "integer" and not MIN_INT <= value <= MAX_INT:
        raise ValueProblem(f"{value} is not a whole number between {MIN_INT} and {MAX_INT}")
    elif isinstance(value, date) and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueProblem(f"{value.isoformat()} is not a date between {MIN_YEAR} and "
                           f"{MAX_YEAR}")
    if spec.enum is not None and value not in spec.enum:
        raise ValueProblem(f"{value!r} is not one of {', '.join(spec.enum)}")
    if spec.min is not None and value < spec.min:
        raise ValueProblem(f"{value!r} is below the minimum {spec.min:g}")
    if spec.max is not None and value > spec.max:
        raise ValueProblem(f"{value!r} is above the maximum {spec.max:g}")
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise ValueProblem(f"{value!r} does not match the pattern {spec.pattern}")


def _check_text(spec: PropertySpec, value: str) -> None:
    if spec.key:
        check_key(value)
        return
    limit = MAX_LONG if spec.long else MAX_LINE
    if len(value) > limit:
        raise ValueProblem(f"at most {limit} characters, not {len(value)}")
    bad = (_LONG_CONTROL if spec.long else _LINE_CONTROL).search(value)
    if bad:
        raise ValueProblem(f"holds a control character ({ord(bad.group()):#04x})")


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
