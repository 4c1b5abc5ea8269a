"""Message templates of rules: checked when a rule is loaded, rendered for each violation.

A template is text with placeholders in braces (``{{`` and ``}}`` for literal braces):

=====================  ==========================================================
``{focus.id}``         the key of the record at fault (e.g. ``CT0014``)
``{focus.name}``       its display name (e.g. a position's title)
``{focus.class}``      its class (e.g. ``Contract``)
``{focus.<property>}`` any property of the target class (e.g. ``{focus.start_date}``)
``{value}``            the offending value (a count, a property value, a total ...)
``{path}``             where the value was found
``{limit}``            the bound the value breaks (count, aggregate, limits, successors)
``{case}``             the case of a limits table that applied
``{nominated}``        successors rules: the nominees found in the bands
``{computed}``         successors rules: the computed successors found in the bands
``{param.<name>}``     the value of a rule parameter (e.g. ``{param.minimum_wage}``)
=====================  ==========================================================

No format specifications or conversions: values are rendered as text (dates ISO 8601, whole
numbers without decimals, a missing value as ``none``).
"""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from rules.model import Span

_FORMATTER = string.Formatter()
KIND_FIELDS: dict[str, frozenset[str]] = {
    "count": frozenset({"value", "path", "limit"}),
    "property": frozenset({"value", "path"}),
    "aggregate": frozenset({"value", "path", "limit"}),
    "limits": frozenset({"value", "path", "limit", "case"}),
    "cypher": frozenset({"value", "path"}),
    "successors": frozenset({"value", "path", "limit", "nominated", "computed"}),
}
FOCUS_FIELDS = frozenset({"id", "name", "class"})


def template_fields(template: str) -> list[str]:
    """The placeholders of ``template`` in order; ValueError if it is malformed."""
    fields: list[str] = []
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise ValueError(f"{exc} (write {{{{ and }}}} for literal braces)") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(f"placeholder {{{name}}}: format specifications and conversions "
                             "are not supported")
        if not name:
            raise ValueError("empty placeholder {}: name a value, e.g. {focus.name}")
        fields.append(name)
    return fields


def check_template(template: str, kind: str, properties: Collection[str],
                   parameters: Collection[str]) -> list[str]:
    """What is wrong with ``template`` for a rule of ``kind`` whose target class has
    ``properties``, with ``parameters`` declared; empty when it is fine."""
    try:
        fields = template_fields(template)
    except ValueError as exc:
        return [f"message: {exc}"]
    problems = []
    for name in fields:
        root, _, rest = name.partition(".")
        if root == "focus" and (rest in FOCUS_FIELDS or rest in properties):
            continue
        if root == "param" and rest in parameters:
            continue
        if not rest and name in KIND_FIELDS[kind]:
            continue
        if root == "param":
            problems.append(f"message: unknown parameter {rest!r} in {{{name}}}")
        elif root == "focus":
            problems.append(f"message: {{{name}}}: the target class has no property {rest!r}")
        else:
            allowed = ", ".join(f"{{{f}}}" for f in sorted(KIND_FIELDS[kind]))
            problems.append(f"message: unknown placeholder {{{name}}} (a {kind} rule offers "
                            f"{allowed}, {{focus.<property>}} and {{param.<name>}})")
    return problems


def focus_properties(template: str) -> list[str]:
    """The target properties a template shows (``{focus.<property>}`` less id, name, class)."""
    seen: list[str] = []
    for name in template_fields(template):
        root, _, rest = name.partition(".")
        if root == "focus" and rest not in FOCUS_FIELDS and rest not in seen:
            seen.append(rest)
    return seen


def text(value: Any) -> str:
    """A value as a reviewer reads it: dates ISO 8601, whole floats without decimals."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (date, Span)):
        return str(value)
    to_native = getattr(value, "to_native", None)  # neo4j.time.Date and friends
    if callable(to_native):
        return text(to_native())
    if isinstance(value, (list, tuple)):
        return ", ".join(text(v) for v in value)
    return str(value)


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``template`` from ``values`` keyed by placeholder (``"focus.name"``, ``"value"``)."""
    out = []
    for literal, name, _, _ in _FORMATTER.parse(template):
        out.append(literal)
        if name is not None:
            out.append(text(values.get(name)))
    return "".join(out)
