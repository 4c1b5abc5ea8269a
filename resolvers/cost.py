"""The static cost of a GraphQL document, and the limit that refuses it before anything runs.

Every document is estimated from its text, the request's variables and the schema, during
validation (before any Cypher), as the number of values its answer may hold::

    cost(selection set) = sum over its fields f of  work(f) + size(f) * (1 + cost(f's selection))

- ``size(f)`` is 1 for a field that is not a list. For a list it is the ``first`` or ``limit``
  argument of ``f`` or, when ``f`` has none, of the nearest field above it on the same path with
  no list in between (``departments(first: 100)`` sizes its ``edges``): the value the document
  or its variables give, else the argument's default in the schema. Lists without such an
  argument count as :attr:`CostModel.people_list` values when they list people (a
  competency's ``holders``, a position's ``incumbents``), :attr:`CostModel.relationship_list`
  for the other relationship fields of the ontology's types (a department's ``positions``, an
  employee's ``competencies``), as many as the enum has values for a list of an enum (a RACI
  cell's roles), and :attr:`CostModel.other_list` otherwise (an analytic's answer, a report's
  rows). So a scalar costs 1, an object 1 plus its fields, a list of n objects n times that.
- ``work(f)`` is 0, or what :attr:`CostModel.work` gives the field: the analytics, which read
  far more than they return, each time they run. Introspection is counted as its work alone.

Aliases count: each field written in the document counts, however it is named, and fragments
count where they are spread. ``@skip`` and ``@include`` are ignored (the estimate assumes the
field is there). A document above the budget is refused with ``extensions.code`` ``COST_LIMIT``
naming the estimate and the budget. README, "Limits", lists the figures.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BREAK,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    ValueNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

#: arguments that bound the length of the list a field returns (or of the first list below it)
SIZE_ARGUMENTS = ("first", "limit")
#: introspection fields: bounded by the schema, counted as their work alone
INTROSPECTION = ("__schema", "__type")
COST_LIMIT = "COST_LIMIT"


@dataclass(frozen=True)
class CostModel:
    """The figures of the estimate (see the module docstring)."""

    #: (type name, field name) of every relationship field (``schema.gql.types.EDGE_FIELDS``)
    relationship_fields: frozenset[tuple[str, str]]
    #: those of them listing people (the policy's person class): a competency's holders, a
    #: position's incumbents; they grow with the organisation
    people_fields: frozenset[tuple[str, str]] = frozenset()
    #: (type name, field name) -> the work it does each time it runs; 0 for the others
    work: Mapping[tuple[str, str], int] = field(default_factory=dict)
    #: assumed length of a relationship list (a position's responsibilities, an employee's
    #: competencies)
    relationship_list: int = 10
    #: assumed length of a relationship list of people (a competency's holders)
    people_list: int = 100
    #: assumed length of any other list without a size argument
    other_list: int = 50

    def work_of(self, type_name: str, field_name: str) -> int:
        return self.work.get((type_name, field_name), 0)

    def list_length(self, type_name: str, field_name: str, item: GraphQLNamedType) -> int:
        """The assumed length of a list field without a size argument."""
        if isinstance(item, GraphQLEnumType):  # a set of enum values (a cell's RACI roles)
            return len(item.values)
        if (type_name, field_name) in self.people_fields:
            return self.people_list
        if (type_name, field_name) in self.relationship_fields:
            return self.relationship_list
        return self.other_list


@dataclass(frozen=True)
class Estimate:
    """The cost of one operation of a document."""

    operation: OperationDefinitionNode
    cost: int

    @property
    def name(self) -> str | None:
        return self.operation.name.value if self.operation.name else None


class _Walk:
    """One estimate of one document (fragments memoised, so a document spreading fragments
    in fragments costs time linear in its length, not in the answer it describes)."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, model: CostModel,
                 variables: Mapping[str, Any]) -> None:
        self.schema = schema
        self.model = model
        self.variables = variables
        self.defaults: dict[str, Any] = {}
        self.fragments = {d.name.value: d for d in document.definitions
                          if isinstance(d, FragmentDefinitionNode)}
        self._fragment_costs: dict[tuple[str, int | None], int] = {}
        self._expanding: set[str] = set()

    def operation(self, op: OperationDefinitionNode) -> int:
        self.defaults = {d.variable.name.value: _integer(d.default_value, {}, {})
                         for d in op.variable_definitions or () if d.default_value is not None}
        root = self.schema.get_root_type(op.operation)
        return 0 if root is None else self.selections(root, op.selection_set, None)

    def selections(self, parent: GraphQLNamedType, selection_set: SelectionSetNode | None,
                   inherited: int | None) -> int:
        total = 0
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                total += self.field(parent, node, inherited)
            elif isinstance(node, InlineFragmentNode):
                on = (self.schema.get_type(node.type_condition.name.value)
                      if node.type_condition else parent)
                if on is not None:
                    total += self.selections(on, node.selection_set, inherited)
            elif isinstance(node, FragmentSpreadNode):
                total += self.fragment(node.name.value, inherited)
        return total

    def fragment(self, name: str, inherited: int | None) -> int:
        key = (name, inherited)
        if key in self._fragment_costs:
            return self._fragment_costs[key]
        definition = self.fragments.get(name)
        on = None if definition is None else self.schema.get_type(
            definition.type_condition.name.value)
        if definition is None or on is None or name in self._expanding:
            return 0  # unknown or cyclic: validation reports it
        self._expanding.add(name)
        try:
            cost = self.selections(on, definition.selection_set, inherited)
        finally:
            self._expanding.discard(name)
        self._fragment_costs[key] = cost
        return cost

    def field(self, parent: GraphQLNamedType, node: FieldNode, inherited: int | None) -> int:
        name = node.name.value
        if name == "__typename":
            return 1
        if name in INTROSPECTION:
            return self.model.work_of("", name)
        fields: Mapping[str, GraphQLField] = getattr(parent, "fields", {})
        definition = fields.get(name)
        if definition is None:
            return 0  # not a field of the type: validation reports it
        own = self.size_argument(definition, node)
        named, lists = _unwrap(definition.type)
        if lists:
            assumed = self.model.list_length(parent.name, name, named)
            size = own or inherited or assumed
            for _ in range(lists - 1):  # a list of lists: the inner ones are assumed
                size *= assumed
            below = None
        else:
            size, below = 1, own or inherited
        children = self.selections(named, node.selection_set, below)
        return self.model.work_of(parent.name, name) + size * (1 + children)

    def size_argument(self, definition: GraphQLField, node: FieldNode) -> int | None:
        """The field's ``first`` or ``limit``: as written, else its default; at least 1 (a
        smaller value is refused when the field runs)."""
        for arg_name in SIZE_ARGUMENTS:
            argument = definition.args.get(arg_name)
            if argument is None:
                continue
            written = next((a.value for a in node.arguments or () if a.name.value == arg_name),
                           None)
            value = argument.default_value if written is None else _integer(
                written, self.variables, self.defaults, argument.default_value)
            if isinstance(value, int) and not isinstance(value, bool):
                return max(value, 1)
        return None


def _integer(node: ValueNode | None, variables: Mapping[str, Any], defaults: Mapping[str, Any],
             otherwise: Any = None) -> Any:
    """An integer argument's value: a literal, or the variable's value (else the variable's
    default); ``otherwise`` for anything else (the request then fails on its type)."""
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, VariableNode):
        name = node.name.value
        return variables[name] if name in variables else defaults.get(name, otherwise)
    return otherwise


def _unwrap(gql_type: GraphQLType) -> tuple[GraphQLNamedType, int]:
    """The named type under the wrappers, and how many lists wrap it."""
    lists = 0
    while isinstance(gql_type, GraphQLNonNull | GraphQLList):
        if isinstance(gql_type, GraphQLList):
            lists += 1
        gql_type = gql_type.of_type
    return gql_type, lists  # type: ignore[return-value]


def _operations(document: DocumentNode,
                operation_name: str | None) -> Iterator[OperationDefinitionNode]:
    """The operation the request runs (by name, or the only one); every one when that is
    not clear (the request then fails anyway, and costs nothing)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    named = [o for o in operations if o.name and o.name.value == operation_name]
    yield from named if operation_name and named else operations


def estimate(schema: GraphQLSchema, document: DocumentNode, model: CostModel,
             variables: Mapping[str, Any] | None = None,
             operation_name: str | None = None) -> list[Estimate]:
    """The cost of the document's operation (of each, when the name does not pick one)."""
    walk = _Walk(schema, document, model, variables or {})
    return [Estimate(op, walk.operation(op)) for op in _operations(document, operation_name)]


def cost_error(found: Estimate, budget: int) -> GraphQLError:
    return GraphQLError(
        f"The query is too expensive: its estimated cost is {found.cost:,}, above the budget "
        f"of {budget:,}. Ask for fewer records per page (first, limit), fewer nested lists "
        "or fewer aliases, and page through the rest.",
        nodes=found.operation,
        extensions={"code": COST_LIMIT, "cost": found.cost, "budget": budget})


class CostLimit(SchemaExtension):
    """Refuses, during validation, a document whose estimated cost is above ``budget``. A
    validation rule bound to the request's variables and operation name does the estimate,
    so nothing runs before it (and it reads only graphql-core's public validation context)."""

    def __init__(self, model: CostModel, budget: int) -> None:
        self.model = model
        self.budget = budget

    def on_operation(self) -> Iterator[None]:
        ec = self.execution_context
        model, budget = self.model, self.budget
        variables = ec.variables if isinstance(ec.variables, Mapping) else {}

        class Rule(ValidationRule):
            def enter_document(self, node: DocumentNode, *_: Any) -> Any:
                for found in estimate(self.context.schema, node, model, variables,
                                      ec.operation_name):
                    if found.cost > budget:
                        self.report_error(cost_error(found, budget))
                        break
                return BREAK

        ec.validation_rules = (*ec.validation_rules, Rule)
        yield
