"""Validation of API input against the ontology, with pydantic models made from it, then the
value rules the importer applies too (:mod:`schema.values`).

For each class (and relationship type) a pydantic model is built from the ontology's property
specs: the type, ``required``, allowed values (``Literal``), ranges (``ge``/``le``) and patterns.
A create validates a whole record; an update only the fields it sets. Errors name the field.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from domain.errors import InvalidInput
from schema.ontology import Ontology, PropertySpec, default_ontology
from schema.values import ValueProblem, check_span, check_value, clean

_PY_TYPES: dict[str, type] = {
    "string": str, "integer": int, "float": float, "boolean": bool, "date": date,
}


def _field(spec: PropertySpec, partial: bool) -> tuple[Any, Any]:
    annotation: Any = _PY_TYPES[spec.type]
    if spec.enum is not None:
        annotation = Literal[spec.enum]
    constraints: dict[str, Any] = {}
    if spec.min is not None:
        constraints["ge"] = spec.min
    if spec.max is not None:
        constraints["le"] = spec.max
    # a pattern is checked by the value rules, after the string is cleaned (trimmed, NFC), as
    # the importer checks it: here it would refuse " 2026-Q1 ", which the importer accepts
    if spec.type == "string" and spec.required:
        constraints["min_length"] = 1
    if spec.required and not partial:
        return annotation, Field(..., **constraints)
    default = None if partial else spec.default
    optional: Any = annotation | None
    return optional, Field(default, **constraints)


@cache
def _model(owner: str, partial: bool, ontology: Ontology) -> type[BaseModel]:
    props = (ontology.classes[owner].properties if owner in ontology.classes
             else ontology.relationships[owner].properties)
    fields = {name: _field(spec, partial) for name, spec in props.items()}
    config = ConfigDict(extra="forbid", strict=True)
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        f"{owner}{'Patch' if partial else 'Input'}", __config__=config, **fields)
    return model


def validate_props(owner: str, data: dict[str, Any], partial: bool = False,
                   ontology: Ontology | None = None) -> dict[str, Any]:
    """Check ``data`` against the properties of class or relationship ``owner``.

    Returns the validated values (for ``partial``, only the fields given, ``None`` meaning
    "remove"). Raises :class:`InvalidInput` naming the first field at fault and listing all.
    """
    o = ontology or default_ontology()
    model = _model(owner, partial, o)
    try:
        value = model.model_validate(data)
    except ValidationError as exc:
        problems = [(".".join(str(p) for p in err["loc"]), _reason(err)) for err in exc.errors()]
        first_field, first_reason = problems[0]
        raise InvalidInput(f"{first_field}: {first_reason}", field=first_field,
                           problems=[{"field": f, "reason": r} for f, r in problems]) from None
    spec = o.classes[owner] if owner in o.classes else o.relationships[owner]
    props = spec.properties
    dumped = value.model_dump()
    for name in list(dumped) if not partial else [n for n in data if n in props]:
        dumped[name] = clean(props[name], dumped.get(name))
        if dumped[name] is None and partial and not props[name].required:
            continue
        try:
            check_value(props[name], dumped[name])
        except ValueProblem as exc:
            raise InvalidInput(f"{name}: {exc}", field=name) from None
    try:
        check_span(spec.span, dumped)
    except ValueProblem as exc:
        assert spec.span is not None
        raise InvalidInput(f"{spec.span[1]}: {exc}", field=spec.span[1]) from None
    if partial:
        return {k: v for k, v in dumped.items() if k in data}
    return dumped


def _reason(err: Any) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "a value is required"
    if kind == "extra_forbidden":
        return "unknown field"
    return str(err.get("msg", "invalid value"))
