"""Root mutation fields: create / update / delete each class, and set / remove the
relationships HR edits day to day (a responsibility with its RACI role, a requirement, a KPI
weight, a position held, a competency assessment, a certificate, a successor nomination).

Every input is validated against the ontology before anything is written; a bad input is a
GraphQL error naming the field and the reason. Each mutation is one write transaction, which
also writes its audit events: the caller, the request and the mutation's GraphQL name.
"""

# no `from __future__ import annotations`: the factories below hand strawberry real types

from typing import Any

import strawberry

from domain.errors import InvalidInput
from graph.audit import AuditContext
from resolvers.context import Info
from schema.gql.inputs import edge_input, input_values, node_input
from schema.gql.names import EDGE_MUTATIONS, QUERY_FIELDS
from schema.gql.types import NODE_TYPES
from schema.ontology import ClassSpec, default_ontology
from schema.validation import validate_props
from schema.values import ValueProblem, check_key, clean_text


@strawberry.type(description="What a delete removed")
class DeleteResult:
    id: strawberry.ID
    cascaded: list[str] = strawberry.field(
        description="records owned by the deleted one and deleted with it (e.g. 'Contract CT1')")


@strawberry.type(description="How many relationships a remove mutation deleted")
class RemoveResult:
    removed: int


def _split(class_name: str, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate property values from reference columns (``departmentId`` ...)."""
    o = default_ontology()
    columns = {r.imports.column for r in o.reference_columns(class_name)}
    props = {k: v for k, v in values.items() if k not in columns}
    refs = {k: (None if v is None else clean_text(str(v))) for k, v in values.items()
            if k in columns}  # an id as the importer reads it: NFC, trimmed
    return props, refs


def _derived_key(spec: ClassSpec, props: dict[str, Any], refs: dict[str, Any]) -> str:
    """A key made of other columns (a review's ``<employee_id>/<period>``), each cleaned as
    the importer cleans it and checked as an id, so a bad part is BAD_INPUT naming it."""
    parts = []
    for column in spec.derived_key:
        part = clean_text(str(props.get(column) or refs.get(column) or ""))
        if part:
            try:
                check_key(part)
            except ValueProblem as exc:
                raise InvalidInput(f"{column}: {exc}", field=column) from None
        parts.append(part)
    return spec.derive_key(parts)


def _audit(info: Info) -> AuditContext:
    """The audit events' who and what: the caller and this mutation's GraphQL name."""
    return AuditContext.of(info.context.principal, info.field_name)


def _create_field(class_name: str) -> Any:
    gql_type, input_type = NODE_TYPES[class_name], node_input(class_name, False)
    spec = default_ontology().cls(class_name)

    async def resolve(info: Info, input: Any) -> Any:
        props, refs = _split(class_name, input_values(input))
        if spec.derived_key:  # e.g. a review's id is "<employee_id>/<period>"
            props[spec.key] = _derived_key(spec, props, refs)
        props = validate_props(class_name, props)
        if not spec.derived_key and not str(props[spec.key]).strip():
            raise InvalidInput("id: a value is required", field="id")
        record = await info.context.repo.create_node(class_name, props, refs, _audit(info))
        return gql_type.of(record)

    resolve.__annotations__.update(input=input_type, **{"return": gql_type})
    return strawberry.mutation(resolver=resolve, description=f"Create a {class_name}")


def _update_field(class_name: str) -> Any:
    gql_type, patch_type = NODE_TYPES[class_name], node_input(class_name, True)

    async def resolve(info: Info, id: strawberry.ID, input: Any) -> Any:
        props, refs = _split(class_name, input_values(input))
        props = validate_props(class_name, props, partial=True)
        record = await info.context.repo.update_node(class_name, str(id), props, refs,
                                                     _audit(info))
        return gql_type.of(record)

    resolve.__annotations__.update(input=patch_type, **{"return": gql_type})
    return strawberry.mutation(
        resolver=resolve,
        description=f"Change a {class_name}: fields left out stay, null removes a value")


def _delete_field(class_name: str) -> Any:
    async def resolve(info: Info, id: strawberry.ID) -> DeleteResult:
        outcome = await info.context.repo.delete_node(class_name, str(id), _audit(info))
        return DeleteResult(id=strawberry.ID(outcome.key), cascaded=outcome.cascaded)

    return strawberry.mutation(
        resolver=resolve,
        description=f"Delete a {class_name}; refused while other records refer to it")


def _set_edge_field(rel_name: str, mutation: str) -> Any:
    rel = default_ontology().rel(rel_name)
    source_type, input_type = NODE_TYPES[rel.source], edge_input(rel_name, mutation, False)
    assert rel.imports.from_column and rel.imports.to_column
    ends = (rel.imports.from_column, rel.imports.to_column)

    async def resolve(info: Info, input: Any) -> Any:
        values = input_values(input)
        from_key, to_key = (clean_text(str(values.pop(end))) for end in ends)
        props = validate_props(rel_name, values)
        record = await info.context.repo.set_edge(rel_name, from_key, to_key, props,
                                                  _audit(info))
        return source_type.of(record)

    resolve.__annotations__.update(input=input_type, **{"return": source_type})
    return strawberry.mutation(
        resolver=resolve,
        description=f"Set a {rel_name} relationship ({rel.source} -> {rel.target}); "
                    "setting it again updates its properties. Returns the "
                    f"{rel.source}.")


def _remove_edge_field(rel_name: str, mutation: str) -> Any:
    rel = default_ontology().rel(rel_name)
    input_type = edge_input(rel_name, mutation, True)
    assert rel.imports.from_column and rel.imports.to_column
    ends = (rel.imports.from_column, rel.imports.to_column)

    async def resolve(info: Info, input: Any) -> RemoveResult:
        values = input_values(input)
        from_key, to_key = (clean_text(str(values.pop(end))) for end in ends)
        keys = validate_props(rel_name, {k: v for k, v in values.items() if v is not None},
                              partial=True)
        removed = await info.context.repo.remove_edge(rel_name, from_key, to_key, keys,
                                                      _audit(info))
        return RemoveResult(removed=removed)

    resolve.__annotations__.update(input=input_type)
    return strawberry.mutation(
        resolver=resolve,
        description=f"Remove {rel_name} relationships between the two records "
                    f"(only those matching {', '.join(rel.key)} when given)" if rel.key else
                    f"Remove the {rel_name} relationship between the two records")


def build_mutation_type() -> type:
    namespace: dict[str, Any] = {}
    for class_name, (single, _) in QUERY_FIELDS.items():
        namespace[f"create_{single}"] = _create_field(class_name)
        namespace[f"update_{single}"] = _update_field(class_name)
        namespace[f"delete_{single}"] = _delete_field(class_name)
    for rel_name, (set_name, remove_name) in EDGE_MUTATIONS.items():
        namespace[set_name] = _set_edge_field(rel_name, set_name)
        namespace[remove_name] = _remove_edge_field(rel_name, remove_name)
    return strawberry.type(type("Mutation", (), namespace))
