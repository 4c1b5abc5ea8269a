"""The compiled path: a read-only query answered with one Cypher query per root field and
without graphql-core's value-by-value completion.

A front end sends the same few documents again and again, and most are lookups and pages of
records with their relationships. For such a document (it passed validation once) the
selection of each root field is compiled, once, into

- a :class:`graph.repository.Shape`: what to read of the root records and of the records
  along the relationships selected, nested to any depth (the required properties, which the
  types' ``of`` and the relationship fields' orders use, and the optional ones selected);
  the repository turns it into one query of nested pattern comprehensions and map
  projections, filtered by the caller's scope exactly as the DataLoaders' queries are (the
  same predicates, the same redaction);
- a plan of the answer: for each selected field, its response key and how its value is made.
  Values are made by the same code as on the general path: the types' ``of`` builds an object
  from a record, a relationship field's own function builds its value (order, filters) from the
  relationships found, and each leaf is serialised by its GraphQL type's ``serialize``, as
  graphql-core's completion does.

Anything the plan cannot answer exactly as the general path would is left to it: a document
with directives, introspection beyond ``__typename``, a field computed by a resolver of its own
(analytics, ``employees``), a relationship field given arguments, a back-reference to the
record a relationship starts from; and at run time variables that do not fit, a cost over the
budget, any error and any null in a non-null place. The general path then answers, errors
included, so errors stay exactly as they were. ``tests/test_compiled.py`` compares both paths'
JSON on selections generated from the schema, for several roles.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
    parse,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.types.arguments import convert_arguments
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.utils.str_converters import to_camel_case

from graph.repository import Shape, Tree
from resolvers.context import Context
from resolvers.cost import CostModel, estimate
from resolvers.query import connection_of, list_query
from schema.gql.names import QUERY_FIELDS
from schema.gql.relations import relation_of, take_turn
from schema.gql.types import NODE_TYPES
from schema.ontology import default_ontology


class NotCompiled(Exception):
    """The general path answers this document (or this request) instead."""


LEAF, CONST, CHILD, REL = range(4)


class FieldPlan:
    """How one response key of an object is made (see the module docstring)."""

    __slots__ = ("attr", "build", "index", "item_nonnull", "key", "kind", "many", "nonnull",
                 "plan", "serialize", "value")

    def __init__(self, kind: int, key: str, attr: str = "", nonnull: bool = False,
                 serialize: Callable[[Any], Any] | None = None, value: Any = None,
                 plan: ObjectPlan | None = None, many: bool = False, item_nonnull: bool = False,
                 index: int = -1, build: Callable[..., Any] | None = None) -> None:
        self.kind, self.key, self.attr, self.nonnull = kind, key, attr, nonnull
        self.serialize, self.value, self.plan, self.many = serialize, value, plan, many
        self.item_nonnull, self.index, self.build = item_nonnull, index, build


class ObjectPlan:
    """The fields of one object's answer; ``node``: the object is a record whose relationships
    are read (its tree is found by its key among the trees of where it came from); ``deep``:
    it or an object below it is such a record (so the trees are looked up)."""

    __slots__ = ("deep", "fields", "node")

    def __init__(self) -> None:
        self.fields: list[FieldPlan] = []
        self.node = False
        self.deep = False

    def done(self) -> ObjectPlan:
        self.deep = self.node or any(f.plan is not None and f.plan.deep for f in self.fields)
        return self


def _memo(serialize: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An enum's ``serialize``, remembered per value (a handful of values, serialised for
    every record of a page)."""
    seen: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            found = seen[value] = serialize(value)
            return found

    return cached


@dataclass(frozen=True)
class RootPlan:
    key: str
    kind: str  # "typename", "one", "list"
    class_name: str = ""
    node_type: Any = None
    plan: ObjectPlan | None = None
    shape: Shape = field(default_factory=Shape)
    field_node: FieldNode | None = None
    count: bool = False  # a list's totalCount is selected
    arguments: list[Any] = field(default_factory=list)  # the root field's (strawberry's)


@dataclass(frozen=True)
class Compiled:
    operation: OperationDefinitionNode
    document: DocumentNode
    roots: tuple[RootPlan, ...]


def _unwrap(t: GraphQLOutputType) -> tuple[bool, bool, bool, Any]:
    """(non-null, a list, items non-null, the named type)."""
    nonnull = isinstance(t, GraphQLNonNull)
    inner = t.of_type if isinstance(t, GraphQLNonNull) else t
    if isinstance(inner, GraphQLList):
        item = inner.of_type
        item_nonnull = isinstance(item, GraphQLNonNull)
        item = item.of_type if isinstance(item, GraphQLNonNull) else item
        if isinstance(item, GraphQLList):
            raise NotCompiled("a list of lists")
        return nonnull, True, item_nonnull, item
    return nonnull, False, False, inner


class _Slot:
    """Where a record's shape is built while compiling: the optional properties and the
    relationships its selection reads."""

    def __init__(self, class_name: str) -> None:
        self.class_name = class_name
        self.optional: list[str] = []
        self.edges: list[tuple[Any, _Slot]] = []
        #: the slot of a page's records has been given to its ``edges { node }``
        self.taken = False

    def shape(self) -> Shape:
        return Shape(tuple(self.optional), tuple((k, s.shape()) for k, s in self.edges))


class Compiler:
    """Compiles documents against one strawberry schema (see the module docstring)."""

    def __init__(self, schema: strawberry.Schema) -> None:
        self.schema = schema
        self.gql = schema._schema
        self.ontology = default_ontology()
        self.by_type_name = {t.__strawberry_definition__.name: name
                             for name, t in NODE_TYPES.items()}
        self.one = {to_camel_case(single): cls for cls, (single, _) in QUERY_FIELDS.items()}
        self.many = {to_camel_case(plural): cls for cls, (_, plural) in QUERY_FIELDS.items()}

    # -- selections ----------------------------------------------------------------------------

    def _collect(self, type_name: str, sets: list[SelectionSetNode],
                 fragments: Mapping[str, FragmentDefinitionNode]
                 ) -> OrderedDict[str, list[FieldNode]]:
        """The fields selected on an object of ``type_name``, by response key, in the order
        graphql-core completes them (fragments spread in place; no directives here)."""
        found: OrderedDict[str, list[FieldNode]] = OrderedDict()

        def walk(selection_set: SelectionSetNode) -> None:
            for s in selection_set.selections:
                if isinstance(s, FieldNode):
                    found.setdefault(s.alias.value if s.alias else s.name.value, []).append(s)
                elif isinstance(s, InlineFragmentNode):
                    if s.type_condition is None or s.type_condition.name.value == type_name:
                        walk(s.selection_set)
                    elif s.type_condition.name.value != type_name:
                        raise NotCompiled("a fragment on another type")
                elif isinstance(s, FragmentSpreadNode):
                    fragment = fragments[s.name.value]
                    if fragment.type_condition.name.value != type_name:
                        raise NotCompiled("a fragment on another type")
                    walk(fragment.selection_set)

        for selection_set in sets:
            walk(selection_set)
        return found

    def _fields(self, type_name: str) -> dict[str, Any]:
        """The strawberry fields of an object type, by GraphQL name."""
        found = self.schema.get_type_by_name(type_name)
        if not isinstance(found, StrawberryObjectDefinition):
            raise NotCompiled(f"{type_name} is not an object type")
        return {f.graphql_name or to_camel_case(f.python_name): f for f in found.fields}

    def _object(self, gql_type: GraphQLObjectType, nodes: list[FieldNode],
                fragments: Mapping[str, FragmentDefinitionNode], slot: _Slot | None,
                near: str | None = None, far: _Slot | None = None,
                page: _Slot | None = None) -> ObjectPlan:
        """The plan of an object of ``gql_type`` selected by ``nodes``: a record of a class
        (``slot``: its shape is built there), an object made from a relationship (``near``:
        the class the relationship starts from, ``far``: the slot of the record at its other
        end) or a plain object (a page, an edge of a page: ``page`` is the slot of the page's
        records, given once)."""
        sets = [n.selection_set for n in nodes if n.selection_set is not None]
        fields = self._collect(gql_type.name, sets, fragments)
        by_name = self._fields(gql_type.name)
        plan = ObjectPlan()
        far_used = False
        for key, field_nodes in fields.items():
            name = field_nodes[0].name.value
            if name == "__typename":
                plan.fields.append(FieldPlan(CONST, key, value=gql_type.name))
                continue
            sf = by_name.get(name)
            if sf is None or name.startswith("__"):
                raise NotCompiled(f"{name} is not a plain field")
            nonnull, many, item_nonnull, named = _unwrap(gql_type.fields[name].type)
            relation = relation_of(sf)
            if relation is not None:
                if slot is None or any(n.arguments for n in field_nodes):
                    raise NotCompiled(f"{name}: a relationship field with arguments")
                kind, build = relation
                far_class = self.ontology.rel(kind.rel).ends(kind)[1]
                far_slot = _Slot(far_class)
                slot.edges.append((kind, far_slot))
                rel_plan = FieldPlan(REL, key, nonnull=nonnull, many=many,
                                     item_nonnull=item_nonnull, index=len(slot.edges) - 1,
                                     build=build)
                if is_leaf_type(named):
                    if many:
                        raise NotCompiled(f"{name}: a list of values")
                    rel_plan.serialize = named.serialize
                else:
                    item_class = self.by_type_name.get(named.name)
                    if item_class is not None:  # the far records themselves
                        rel_plan.plan = self._object(named, field_nodes, fragments, far_slot)
                    else:  # an object made of the relationship and its far record
                        rel_plan.plan = self._object(named, field_nodes, fragments, None,
                                                  near=slot.class_name, far=far_slot)
                plan.fields.append(rel_plan)
                plan.node = True
                continue
            if sf.base_resolver is not None:
                raise NotCompiled(f"{name} is computed by a resolver")
            if is_leaf_type(named):
                if many:
                    raise NotCompiled(f"{name}: a list of values")
                if slot is not None:
                    prop = self.ontology.cls(slot.class_name).properties.get(sf.python_name)
                    if prop is not None and not prop.required \
                            and sf.python_name not in slot.optional:
                        slot.optional.append(sf.python_name)
                serialize = _memo(named.serialize) if isinstance(named, GraphQLEnumType) \
                    else named.serialize
                plan.fields.append(FieldPlan(LEAF, key, attr=sf.python_name, nonnull=nonnull,
                                             serialize=serialize))
                continue
            child_class = self.by_type_name.get(named.name)
            child_slot: _Slot | None = None
            if child_class is not None:
                if near is not None and child_class == near and (far is None
                                                                 or far.class_name != near):
                    raise NotCompiled(f"{name}: the record the relationship starts from")
                if far is not None and child_class == far.class_name:
                    if far_used:
                        raise NotCompiled(f"{name}: the far record selected twice")
                    far_used, child_slot = True, far
                elif page is not None and page.class_name == child_class and not page.taken:
                    page.taken, child_slot = True, page
                else:
                    raise NotCompiled(f"{name}: a record reached another way, or a page's "
                                      "records selected twice")
            plan.fields.append(FieldPlan(
                CHILD, key, attr=sf.python_name, nonnull=nonnull, many=many,
                item_nonnull=item_nonnull,
                plan=self._object(named, field_nodes, fragments, child_slot,
                                  page=None if child_slot is not None else page)))
        return plan.done()

    # -- documents -----------------------------------------------------------------------------

    def compile(self, text: str, operation_name: str | None) -> Compiled:
        document = parse(text)
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is None:
            if len(operations) != 1:
                raise NotCompiled("which operation")
            operation = operations[0]
        else:
            named = [o for o in operations if o.name and o.name.value == operation_name]
            if len(named) != 1:
                raise NotCompiled("no such operation")
            operation = named[0]
        if operation.operation != OperationType.QUERY:
            raise NotCompiled("not a query")
        if _has_directives(document):
            raise NotCompiled("directives")
        fragments = {d.name.value: d for d in document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        query_type = self.gql.query_type
        assert query_type is not None
        roots = []
        for key, nodes in self._collect(query_type.name, [operation.selection_set],
                                        fragments).items():
            name = nodes[0].name.value
            if name == "__typename":
                roots.append(RootPlan(key, "typename"))
                continue
            if len(nodes) != 1:
                raise NotCompiled("a root field selected twice")
            named = get_named_type(query_type.fields[name].type)
            arguments = self._fields(query_type.name)[name].arguments
            if name in self.one:
                class_name = self.one[name]
                slot = _Slot(class_name)
                plan = self._object(named, nodes, fragments, slot)
                roots.append(RootPlan(key, "one", class_name, NODE_TYPES[class_name], plan,
                                      slot.shape(), nodes[0], arguments=arguments))
            elif name in self.many:
                class_name = self.many[name]
                page = _Slot(class_name)
                plan = self._object(named, nodes, fragments, None, page=page)
                count = any(f.attr == "total_count" for f in plan.fields)
                roots.append(RootPlan(key, "list", class_name, NODE_TYPES[class_name], plan,
                                      page.shape(), nodes[0], count, arguments))
            else:
                raise NotCompiled(f"{name} is not a lookup or a list")
        return Compiled(operation, document, tuple(roots))


def _has_directives(document: DocumentNode) -> bool:
    """Whether any selection, fragment or operation carries a directive."""
    def walk(node: Any) -> bool:
        if getattr(node, "directives", None):
            return True
        selection_set = getattr(node, "selection_set", None)
        return selection_set is not None and any(walk(s) for s in selection_set.selections)
    return any(walk(d) for d in document.definitions)


# -- answers -------------------------------------------------------------------------------------


def _complete(obj: Any, plan: ObjectPlan, lookup: Mapping[Any, Tree]) -> dict[str, Any]:
    """The answer for one object (see :class:`FieldPlan`); :class:`NotCompiled` for a null
    in a non-null place (the general path makes that error)."""
    tree = lookup[obj.id] if plan.node else None
    out: dict[str, Any] = {}
    for f in plan.fields:
        kind = f.kind
        if kind == LEAF:
            value = getattr(obj, f.attr)
            if value is None:
                if f.nonnull:
                    raise NotCompiled("null")
                out[f.key] = None
            else:
                serialized = f.serialize(value)  # type: ignore[misc]
                if serialized is None:
                    raise NotCompiled("not serialisable")
                out[f.key] = serialized
        elif kind == CONST:
            out[f.key] = f.value
        elif kind == CHILD:
            out[f.key] = _value(getattr(obj, f.attr), f, lookup)
        else:
            assert tree is not None
            found = tree.edges[f.index]
            value = f.build(obj, [edge for edge, _ in found])  # type: ignore[misc]
            if f.plan is None:  # a value, e.g. vacancies
                if value is None:
                    if f.nonnull:
                        raise NotCompiled("null")
                    out[f.key] = None
                else:
                    out[f.key] = f.serialize(value)  # type: ignore[misc]
                continue
            out[f.key] = _value(value, f, {t.record["id"]: t for _, t in found}
                                if f.plan.deep else _NO_TREES)
    return out


_NO_TREES: Mapping[Any, Tree] = {}
#: how long a page's answer is built before other requests get a turn (``/health`` among
#: them: README, "Sharing the server")
TURN_SECONDS = 0.005


async def _complete_page(page: Any, plan: ObjectPlan, lookup: Mapping[Any, Tree]
                         ) -> dict[str, Any]:
    """:func:`_complete` for a page, its records in turns (:func:`take_turn`) of at most
    :data:`TURN_SECONDS`, as the general path's records take theirs."""
    out: dict[str, Any] = {}
    for f in plan.fields:
        if f.kind != CHILD or f.attr != "edges":
            single = ObjectPlan()
            single.fields.append(f)
            out.update(_complete(page, single.done(), lookup))
            continue
        assert f.plan is not None
        items, began = [], time.perf_counter()
        for edge in page.edges:
            items.append(_complete(edge, f.plan, lookup))
            if time.perf_counter() - began > TURN_SECONDS:
                await take_turn()
                began = time.perf_counter()
        out[f.key] = items
    return out


def _value(value: Any, f: FieldPlan, lookup: Mapping[Any, Tree]) -> Any:
    if value is None:
        if f.nonnull:
            raise NotCompiled("null")
        return None
    plan = f.plan
    assert plan is not None
    if not f.many:
        return _complete(value, plan, lookup)
    items: list[dict[str, Any] | None] = []
    for item in value:
        if item is None:
            if f.item_nonnull:
                raise NotCompiled("null")
            items.append(None)
        else:
            items.append(_complete(item, plan, lookup))
    return items


class CompiledPath:
    """Compiled documents (a bounded cache, per document text and operation name; documents
    the general path must answer are remembered too) and their execution."""

    def __init__(self, schema: strawberry.Schema, model: CostModel, budget: int,
                 size: int) -> None:
        self.schema = schema
        self.compiler = Compiler(schema)
        self.model, self.budget, self.size = model, budget, size
        self._plans: OrderedDict[tuple[str, str | None], Compiled | None] = OrderedDict()
        #: requests answered here, and left to the general path (for the tests and benchmarks)
        self.answered = 0
        self.declined = 0

    def plan(self, text: str, operation_name: str | None) -> Compiled | None:
        key = (text, operation_name)
        if key in self._plans:
            self._plans.move_to_end(key)
            return self._plans[key]
        try:
            compiled: Compiled | None = self.compiler.compile(text, operation_name)
        except Exception:  # NotCompiled, or a document the general path will refuse
            compiled = None
        self._plans[key] = compiled
        if len(self._plans) > self.size:
            self._plans.popitem(last=False)
        return compiled

    async def run(self, context: Context, text: str, operation_name: str | None,
                  variables: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The answer's ``data``, or None when the general path must answer."""
        compiled = self.plan(text, operation_name)
        if compiled is None:
            self.declined += 1
            return None
        try:
            data = await self._execute(compiled, context, dict(variables or {}))
        except NotCompiled:
            self.declined += 1
            return None
        except Exception:  # the general path answers, with the error it makes of it
            self.declined += 1
            return None
        self.answered += 1
        return data

    async def _execute(self, compiled: Compiled, context: Context,
                       inputs: dict[str, Any]) -> dict[str, Any]:
        gql = self.schema._schema
        coerced = get_variable_values(gql, compiled.operation.variable_definitions or (), inputs)
        if isinstance(coerced, list):
            raise NotCompiled("variables")
        for found in estimate(gql, compiled.document, self.model, inputs,
                              compiled.operation.name.value if compiled.operation.name
                              else None):
            if found.cost > self.budget:
                raise NotCompiled("over budget")
        query_type = gql.query_type
        assert query_type is not None
        data: dict[str, Any] = {}
        for root in compiled.roots:
            if root.kind == "typename":
                data[root.key] = query_type.name
                continue
            assert root.field_node is not None and root.plan is not None
            name = root.field_node.name.value
            raw = get_argument_values(query_type.fields[name], root.field_node, coerced)
            args = convert_arguments(raw, root.arguments,
                                     scalar_registry=self.schema.schema_converter.scalar_registry,
                                     config=self.schema.config)
            repo = context.repo
            if root.kind == "one":
                tree = await repo.tree(root.class_name, str(args["id"]), root.shape)
                if tree is None:
                    data[root.key] = None
                    continue
                obj = root.node_type.of(tree.record)
                data[root.key] = _complete(obj, root.plan, {obj.id: tree})
            else:
                q = list_query(context, root.class_name, args.get("filter"),
                               args.get("order_by"), args["first"], args.get("after"))
                trees, total, has_next = await repo.tree_page(root.class_name, q, root.shape,
                                                              root.count)
                page = connection_of(q, [t.record for t in trees], total, has_next,
                                     root.node_type)
                data[root.key] = await _complete_page(page, root.plan,
                                                      {t.record["id"]: t for t in trees})
        return data
