"""Message templates' syntax, and how a value reads in a report.

A template is text with placeholders in braces (``{{`` and ``}}`` for literal braces), such as
``{focus.name}`` or ``{param.minimum_wage}``; which placeholders a rule may use is
:mod:`rules.messages`' business. No format specifications or conversions: values are rendered
as text (dates ISO 8601, whole numbers without decimals, a missing value as ``none``).

This is the part of messages every stage needs: the compiler adds a column for each
``{focus.<property>}``, the kinds describe their paths with :func:`text`, the runner renders.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from schema.values import format_text

_FORMATTER = string.Formatter()
#: the placeholders ``{focus.<field>}`` that are not properties of the target class
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


def focus_properties(template: str) -> list[str]:
    """The target properties a template shows (``{focus.<property>}`` less id, name, class)."""
    seen: list[str] = []
    for name in template_fields(template):
        root, _, rest = name.partition(".")
        if root == "focus" and rest not in FOCUS_FIELDS and rest not in seen:
            seen.append(rest)
    return seen


def text(value: Any) -> str:
    """A value as a reviewer reads it: as the interchange format spells it
    (:func:`schema.values.format_text`: dates ISO 8601, whole floats without decimals), a
    missing value as ``none``, a list as its items joined by commas."""
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(text(v) for v in value)
    return format_text(value)


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``template`` from ``values`` keyed by placeholder (``"focus.name"``, ``"value"``)."""
    out = []
    for literal, name, _, _ in _FORMATTER.parse(template):
        out.append(literal)
        if name is not None:
            out.append(text(values.get(name)))
    return "".join(out)
