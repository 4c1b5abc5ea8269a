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
from strawberry.types.execution import ExecutionContext

from domain.errors import DomainError
from resolvers.audit import AuditQueries
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


class QuietSchema(strawberry.Schema):
    """A schema that leaves logging to :func:`_should_mask`: the client's own mistakes (bad
    input, not found, forbidden, invalid documents) are answers, not server errors, and are
    not logged with tracebacks; unexpected errors are logged there in full."""

    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        return None


@cache
def root_types() -> tuple[type, type]:
    return build_query_type(extra_query_types()), build_mutation_type()


def extra_query_types() -> list[type]:
    """Query fields contributed by feature modules (boundary, fit, compliance, audit ...)."""
    from resolvers.compliance import ComplianceQuery

    return [BoundaryQueries, ComplianceQuery, FitQueries, AuditQueries]


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
    return QuietSchema(query=query, mutation=mutation, extensions=extensions)


def sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"


