"""GraphQL input types, made from the ontology so the API accepts exactly what it defines.

For each class: ``<Class>Input`` (create: required properties are non-null) and
``<Class>Patch`` (update: every field optional; a field left out is unchanged, ``null``
removes it). Reference columns of the interchange format are fields too (``departmentId``,
``reportsToId``, ``parentId``, a contract's ``employeeId``). For each relationship type that
the API edits: ``<Mutation>Input`` with both ends and the relationship's properties. The
values are then validated with pydantic against the same ontology (schema/validation.py).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum
from functools import cache
from typing import Any

import strawberry
from strawberry.types.unset import UNSET

from schema.gql.enums import ENUM_PROPERTIES, SortDirection
from schema.gql.names import input_prefix
from schema.ontology import Ontology, PropertySpec, default_ontology

_PY: dict[str, Any] = {"string": str, "integer": int, "float": float, "boolean": bool,
                       "date": date}


def _annotation(owner: str, spec: PropertySpec) -> Any:
    return ENUM_PROPERTIES.get((owner, spec.name), _PY[spec.type])


def _build(name: str, description: str, fields: list[tuple[str, Any, bool, Any]]) -> Any:
    """fields: (name, annotation, required, default)"""
    ordered = [f for f in fields if f[2]] + [f for f in fields if not f[2]]
    spec = [(n, a, dataclasses.field(default=d)) if not req else (n, a)
            for n, a, req, d in ordered]
    cls = dataclasses.make_dataclass(name, spec)
    cls.__module__ = __name__
    return strawberry.input(cls, description=description)


@cache
def node_input(class_name: str, partial: bool, ontology: Ontology | None = None) -> Any:
    """The create (``partial=False``) or update input type of a class."""
    o = ontology or default_ontology()
    spec = o.cls(class_name)
    fields: list[tuple[str, Any, bool, Any]] = []
    for prop in spec.properties.values():
        if partial and prop.name == spec.key:
            continue  # the id is the mutation's own argument
        if spec.derived_key and prop.name == spec.key:
            continue  # made from other fields (e.g. employee and period of a review)
        annotation = _annotation(class_name, prop)
        required = prop.required and not partial
        default = UNSET if partial else None
        fields.append((prop.name, annotation if required else annotation | None, required,
                       default))
    for ref in o.reference_columns(class_name):
        column = ref.imports.column
        assert column is not None
        required = (ref.required or ref.imports.reverse) and not partial
        fields.append((column, strawberry.ID if required else strawberry.ID | None, required,
                       UNSET if partial else None))
    kind = "Patch" if partial else "Input"
    what = "Changes to" if partial else "A new"
    return _build(f"{input_prefix(class_name)}{kind}",
                  f"{what} {class_name} (fields as in the ontology)", fields)


@cache
def edge_input(rel_name: str, mutation: str, remove: bool,
               ontology: Ontology | None = None) -> Any:
    """The input of a mutation that sets (or removes) one relationship of type ``rel_name``."""
    o = ontology or default_ontology()
    rel = o.rel(rel_name)
    assert rel.imports.from_column and rel.imports.to_column
    fields: list[tuple[str, Any, bool, Any]] = [
        (rel.imports.from_column, strawberry.ID, True, None),
        (rel.imports.to_column, strawberry.ID, True, None),
    ]
    for prop in rel.properties.values():
        if remove and prop.name not in rel.key:
            continue
        annotation = _annotation(rel_name, prop)
        required = prop.required and not remove
        fields.append((prop.name, annotation if required else annotation | None, required,
                       None))
    name = mutation[:1].upper() + mutation[1:] + "Input"
    return _build(name, f"{'Removes' if remove else 'Sets'} a {rel_name} relationship", fields)


@strawberry.input(description="Narrows a list; each filter applies where the class has it")
class ListFilter:
    text: str | None = strawberry.field(
        default=None, description="case-insensitive part of the name (title for positions)")
    department: strawberry.ID | None = strawberry.field(
        default=None, description="a department id: records in it or any sub-department "
                                  "(departments, positions, employees, responsibilities)")
    category: str | None = strawberry.field(
        default=None, description="positions: management|technical|operations|support; "
                                  "competencies: their category")


@strawberry.input(description="Sort by a property of the class (e.g. grade, name)")
class OrderBy:
    field: str
    direction: SortDirection = SortDirection.ASC


def input_values(obj: Any) -> dict[str, Any]:
    """The fields of a strawberry input that were given, enums as their stored values."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is UNSET:
            continue
        values[f.name] = value.value if isinstance(value, Enum) else value
    return values
