"""The GraphQL schema: root types, hardening extensions, and its SDL (``schema.graphql``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from domain.errors import DomainError
from resolvers.boundary import BoundaryQueries
from resolvers.fit import FitQueries
from resolvers.mutation import build_mutation_type
from resolvers.query import build_query_type

log = logging.getLogger("rolegraph.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000


def _should_mask(error: GraphQLError) -> bool:
    """Mask everything but the client's own mistakes: validation errors (no original error),
    variables that do not fit their types (no path: raised before execution) and
    :class:`DomainError` (bad input, not found, conflict). The rest (driver errors with
    Cypher text, bugs) is logged in full and reaches the client as "Unexpected error."."""
    original = error.original_error
    if original is None or isinstance(original, DomainError):
        return False
    if not error.path:  # before execution: a variable that does not fit its type
        return False
    log.error("unexpected error in %s", error.path, exc_info=original)
    return True


@cache
def root_types() -> tuple[type, type]:
    return build_query_type(extra_query_types()), build_mutation_type()


def extra_query_types() -> list[type]:
    """Query fields contributed by feature modules (boundary, fit, compliance ...)."""
    from resolvers.compliance import ComplianceQuery

    return [BoundaryQueries, ComplianceQuery, FitQueries]


def build_schema(production: bool = False) -> strawberry.Schema:
    query, mutation = root_types()
    # factories: strawberry builds fresh extensions for each request
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaskErrors(should_mask_error=_should_mask),
    ]
    if production:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(query=query, mutation=mutation, extensions=extensions)


def sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"


