"""The compiled path (resolvers/compiled.py) answers exactly as the general path does.

Documents are generated from the GraphQL schema (hypothesis): a lookup by id or a page of
any class, with random selections of leaves, relationship fields nested up to three levels,
aliases, fragments, ``__typename``, and fields the compiled path leaves to the general path
(arguments on relationship fields, fields with resolvers of their own). Each runs on the demo
for callers of several roles (scoped lists, redacted values, absent classes) through both
paths; where the compiled path answers, its JSON must be the general path's byte for byte
(key order included). That most documents are compiled is asserted too, and over HTTP the
second sending of a document is answered by the compiled path with the same body.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from access_oracle import CALLERS, Caller
from conftest import GraphHandle, LiveServer
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, get_named_type, is_leaf_type
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.utils.str_converters import to_camel_case

from domain.access import Principal
from resolvers.context import make_context
from resolvers.query import encode_cursor
from resolvers.schema import QuietSchema, build_schema
from schema.gql.names import QUERY_FIELDS
from schema.gql.types import NODE_TYPES
from schema.policy import default_policy

#: arguments of fields the generator may give (the others are left out, using defaults)
ARGUMENTS = {("Responsibility", "owners"): "(role: A)", ("Competency", "holders"): "(minLevel: 3)",
             ("Department", "employees"): "(first: 3)"}
ROLES = [c for c in CALLERS if c.name in ("admin", "hr-D06", "manager", "employee", "no-role")]


@pytest.fixture(scope="module")
def schemas() -> tuple[QuietSchema, QuietSchema]:
    return build_schema(compiled=False), build_schema()


@pytest.fixture(scope="module")
def ids(demo_graph: GraphHandle) -> dict[str, list[str]]:
    """A few ids of each class (for lookups), and a missing one."""
    found = {}
    for class_name in QUERY_FIELDS:
        label = demo_graph.graph.cy.label(class_name)
        rows = demo_graph.read(f"MATCH (n:{label}) RETURN n.id AS id ORDER BY id LIMIT 4")
        found[class_name] = [r["id"] for r in rows] + ["missing"]
    return found


def _selection(draw: Any, gql_type: GraphQLObjectType, depth: int) -> str:
    names = sorted(gql_type.fields)
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=6, unique=True))
    parts = []
    for i, name in enumerate(chosen):
        field = gql_type.fields[name]
        named = get_named_type(field.type)
        required = [a for a, d in field.args.items() if isinstance(d.type, GraphQLNonNull)]
        if required:
            continue
        alias = f"a{i}: " if draw(st.integers(0, 9)) == 0 else ""
        args = ARGUMENTS.get((gql_type.name, name), "") if draw(st.booleans()) else ""
        if is_leaf_type(named):
            parts.append(f"{alias}{name}{args}")
        elif depth > 0 and isinstance(named, GraphQLObjectType):
            inner = _selection(draw, named, depth - 1)
            if draw(st.integers(0, 7)) == 0:
                inner = f"... on {named.name} {{ {inner} }}"
            parts.append(f"{alias}{name}{args} {{ {inner} }}")
    if draw(st.integers(0, 5)) == 0:
        parts.append("__typename")
    return " ".join(parts) or "__typename"


@st.composite
def documents(draw: Any, schema: QuietSchema, ids: dict[str, list[str]]
              ) -> tuple[str, dict[str, Any]]:
    query_type = schema._schema.query_type
    assert query_type is not None
    class_name = draw(st.sampled_from(sorted(QUERY_FIELDS)))
    single, plural = (to_camel_case(name) for name in QUERY_FIELDS[class_name])
    node_type = schema._schema.get_type(NODE_TYPES[class_name].__strawberry_definition__.name)
    assert isinstance(node_type, GraphQLObjectType)
    inner = _selection(draw, node_type, depth=3)
    if draw(st.booleans()):
        key = draw(st.sampled_from(ids[class_name]))
        return f"query($id: ID!) {{ {single}(id: $id) {{ {inner} }} }}", {"id": key}
    first = draw(st.integers(1, 7))
    extra = " totalCount pageInfo { hasNextPage endCursor }" if draw(st.booleans()) else ""
    variables: dict[str, Any] = {"first": first}
    if draw(st.booleans()):  # a later page
        variables["after"] = encode_cursor(draw(st.integers(0, 5)))
    if draw(st.booleans()):  # filtered (a department that does not filter this class: an error)
        variables["filter"] = draw(st.sampled_from(
            [{"text": "a"}, {"text": "经理"}, {"department": "D06"}, {"category": "technical"},
             {"department": "D99"}]))
    if draw(st.booleans()):  # ordered (a property the class lacks: an error)
        variables["orderBy"] = [{"field": draw(st.sampled_from(["id", "name", "grade"])),
                                 "direction": draw(st.sampled_from(["ASC", "DESC"]))}]
    return (f"query($first: Int, $after: String, $filter: ListFilter, $orderBy: [OrderBy!]) "
            f"{{ {plural}(first: $first, after: $after, filter: $filter, orderBy: $orderBy) "
            f"{{ edges {{ cursor node {{ {inner} }} }}{extra} }} }}", variables)


def _context(demo_graph: GraphHandle, caller: Caller) -> Any:
    """A request's context (fresh DataLoaders) for ``caller``."""
    principal = Principal(caller.sub, caller.roles, caller.departments or None)
    return demo_graph.run(lambda g: make_context(g, default_policy(), principal))


def _is_list(t: Any) -> bool:
    return isinstance(t, GraphQLList) or (isinstance(t, GraphQLNonNull)
                                           and isinstance(t.of_type, GraphQLList))


def test_the_compiled_path_answers_as_the_general_path(
        demo_graph: GraphHandle, schemas: tuple[QuietSchema, QuietSchema],
        ids: dict[str, list[str]]) -> None:
    general, fast = schemas
    assert fast.compiled is not None
    tally = {"compiled": 0, "general": 0}

    @settings(max_examples=120, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(documents(fast, ids))
    def check(document: tuple[str, dict[str, Any]]) -> None:
        text, variables = document
        for caller in ROLES:
            first, second = _context(demo_graph, caller), _context(demo_graph, caller)
            expected = demo_graph.loop.run(general.execute(text, variables,
                                                           context_value=first))
            assert fast.compiled is not None
            got = demo_graph.loop.run(fast.compiled.run(second, text, None, variables))
            if got is None:
                tally["general"] += 1
                continue
            tally["compiled"] += 1
            assert not expected.errors, (caller.name, text, expected.errors)
            assert orjson.dumps(got) == orjson.dumps(expected.data), (caller.name, text)

    check()
    # most generated documents are within what the compiled path answers
    assert tally["compiled"] > tally["general"], tally


def test_a_document_sent_again_is_answered_by_the_compiled_path(
        demo_server: LiveServer) -> None:
    compiled = demo_server.app.state.schema.compiled
    document = ("query($id: ID!) { position(id: $id) { id title isKey category "
                "department { name } responsibilities { raci responsibility { id name } } "
                "requirements { level weight mandatory competency { name } } "
                "incumbents { startDate employee { id name potential } } } }")
    answered = compiled.answered
    bodies = [demo_server.client.post("/graphql", json={"query": document,
                                                        "variables": {"id": "P005"}}).content
              for _ in range(3)]
    assert bodies[0] == bodies[1] == bodies[2]
    assert b'"errors"' not in bodies[0] and "产品经理".encode() in bodies[0]
    # the first was validated by the general path, the two others were compiled
    assert compiled.answered == answered + 2
