"""Which placeholders a rule's message may use: checked when a rule is loaded.

A message template (syntax in :mod:`rules.templates`) may show:

=====================  ==========================================================
``{focus.id}``         the key of the record at fault (e.g. ``CT0014``)
``{focus.name}``       its display name (e.g. a position's title)
``{focus.class}``      its class (e.g. ``Contract``)
``{focus.<property>}`` any property of the target class (e.g. ``{focus.start_date}``)
``{param.<name>}``     the value of a rule parameter (e.g. ``{param.minimum_wage}``)
``{<field>}``          a field of the rule's kind (its module's ``FIELDS``)
=====================  ==========================================================

Every kind offers ``{value}`` (the offending value: a count, a property value, a total ...)
and ``{path}`` (where it was found); some add their own: ``{limit}`` (the bound the value
breaks), ``{case}`` (the case of a limits table that applied), ``{nominated}`` and
``{computed}`` (successors found of each sort). :data:`KIND_FIELDS` gathers them from the
registry, :mod:`rules.kinds`.
"""

from __future__ import annotations

from collections.abc import Collection

from rules.kinds import KINDS
from rules.templates import FOCUS_FIELDS, template_fields

#: the placeholders each kind offers besides ``{focus.*}`` and ``{param.*}``, by kind name
KIND_FIELDS: dict[str, frozenset[str]] = {kind.name: kind.fields for kind in KINDS}


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
