"""The GraphQL schema: root types, hardening extensions, and its SDL (``schema.graphql``).

Guard rails, all applied before anything runs: depth, aliases and tokens are limited, and
each document's estimated cost (:mod:`resolvers.cost`) must stay within the budget; then the
whole request must finish within the time limit. Errors are logged here, once: the client's
own mistakes at INFO without a traceback, unexpected errors at ERROR with one and with the
request id the client sees in ``extensions.requestId`` of its "Unexpected error.".
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from functools import cache, partial
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError, validate
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionResult
from strawberry.types.execution import ExecutionContext
from strawberry.types.field import StrawberryField
from strawberry.types.fields.resolver import StrawberryResolver
from strawberry.utils.str_converters import to_camel_case

from domain.errors import DomainError
from graph.settings import Settings
from resolvers.audit import AuditQueries
from resolvers.boundary import BoundaryQueries
from resolvers.compiled import CompiledPath
from resolvers.context import Context
from resolvers.cost import CostLimit, CostModel
from resolvers.fit import FitQueries
from resolvers.mutation import build_mutation_type
from resolvers.performance import PerformanceQueries
from resolvers.query import build_query_type
from schema.gql.types import EDGE_FIELDS
from schema.ontology import default_ontology
from schema.policy import default_policy

log = logging.getLogger("rolegraph.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000
DEFAULT_COST_BUDGET: int = Settings.model_fields["cost_budget"].default
#: the work of a root field that computes an analytic (boundary, fit, compliance) each time it
#: runs: the records it reads, beyond the values it returns
ANALYTIC_WORK = 1000
#: introspection is bounded by the schema: counted as this, whatever it selects
INTROSPECTION_WORK = 1000
TIMEOUT = "TIMEOUT"
#: codes of errors that are the server's condition, not the client's mistake, yet expected
#: (the engine restarting): a WARNING line without a traceback
WARNING_CODES = frozenset({"UNAVAILABLE"})


def _unexpected(error: GraphQLError) -> bool:
    """Everything but the client's own mistakes: validation errors (no original error),
    variables that do not fit their types (no path: raised before execution) and
    :class:`DomainError` (bad input, not found, conflict) are the client's. Unexpected errors
    (driver errors with Cypher text, bugs) reach the client as "Unexpected error." (masked)
    and are logged in full by :meth:`QuietSchema.process_errors`."""
    original = error.original_error
    if original is None or isinstance(original, DomainError):
        return False
    return bool(error.path)  # no path: before execution, a variable that does not fit its type


def _request_id(context: Any) -> str:
    return str(getattr(context, "request_id", "") or "-")


class RequestIdMaskErrors(MaskErrors):
    """:class:`MaskErrors` whose "Unexpected error." carries the request id
    (``extensions.requestId``), which the server log shows beside the traceback."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"requestId": _request_id(self.execution_context.context)}
        return masked


class VariableErrorsAreBadInput(SchemaExtension):
    """A variable whose value does not fit its type (``1e400`` for a ``Float``, which JSON
    reads as infinity; a string for an ``Int``) is the client's bad input, whether the value
    arrives as a literal (a resolver's ``BAD_INPUT``) or as a variable (refused by graphql-core
    before anything runs, without a code): both answer ``BAD_INPUT``."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or ():
            if not error.path and error.message.startswith("Variable '$") \
                    and "code" not in (error.extensions or {}):
                error.extensions = {**(error.extensions or {}), "code": "BAD_INPUT"}


class KnownValid:
    """The document texts that passed validation, the most recent :data:`DOCUMENT_CACHE`
    (per schema: the rules are fixed when the schema is built)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._texts: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, text: str) -> bool:
        if text in self._texts:
            self._texts.move_to_end(text)
            return True
        return False

    def add(self, text: str) -> None:
        self._texts[text] = None
        if len(self._texts) > self.size:
            self._texts.popitem(last=False)


class Validation(SchemaExtension):
    """Validation, once per document text: a front end sends the same few documents again
    and again, and validating one took more than half of a small request's time in Python.
    A document that passed is not validated again (its rules do not change: the limiters'
    are made once per schema); one that failed is validated each time (its errors are made
    anew). Production validates without suggestions ("Did you mean 'position'?"), which would
    show a client the schema that introspection hides. The rules are strawberry's: those the
    extensions added plus its own two."""

    def __init__(self, known: KnownValid, hide_suggestions: bool) -> None:
        super().__init__()
        self.known = known
        self.hide_suggestions = hide_suggestions

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.graphql_document is not None and ec.pre_execution_errors is None:
            text = ec.query
            if text is not None and text in self.known:
                ec.pre_execution_errors = []
            else:
                rules = (*ec.validation_rules, MaybeNullValidationRule,
                         OneOfInputValidationRule)
                ec.pre_execution_errors = validate(ec.schema._schema, ec.graphql_document,
                                                   rules, hide_suggestions=self.hide_suggestions)
                if text is not None and not ec.pre_execution_errors:
                    self.known.add(text)
        yield


#: documents kept parsed, and document texts known valid
DOCUMENT_CACHE = 512


class QuietSchema(strawberry.Schema):
    """The schema with the app's error logging and time limit.

    ``process_errors`` sees every error before it is masked, once: the client's own mistakes
    (bad input, not found, forbidden, invalid documents, limits) are answers, logged at INFO
    with their code and path but no traceback and no message (a message may quote a value);
    unexpected errors are logged at ERROR with the traceback. ``execute`` stops a request
    after ``time_limit`` seconds with a ``TIMEOUT`` error (the embedded engine ignores
    transaction timeouts, so the app keeps time itself)."""

    def __init__(self, *args: Any, time_limit: float | None = None,
                 hide_suggestions: bool = False, known: KnownValid | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_limit = time_limit
        self.hide_suggestions = hide_suggestions
        #: document texts that passed validation (:class:`Validation` adds them)
        self.known = known if known is not None else KnownValid(DOCUMENT_CACHE)
        #: the compiled path (:mod:`resolvers.compiled`), for documents known valid
        self.compiled: CompiledPath | None = None

    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        context = execution_context.context if execution_context else None
        request_id = _request_id(context)
        for error in errors:
            where = error.path or "the document"
            if _unexpected(error):
                log.error("unexpected error in %s", where, exc_info=error.original_error,
                          extra={"request_id": request_id})
                continue
            code = (error.extensions or {}).get("code") or "INVALID_REQUEST"
            level = logging.WARNING if code in WARNING_CODES else logging.INFO
            log.log(level, "client error %s at %s", code, where,
                    extra={"request_id": request_id})

    def _get_execute_function(self) -> Callable[..., Any]:
        """graphql-core's execute, told to hide suggestions in variables' coercion errors
        (an enum value or input field) when suggestions are hidden."""
        execute = super()._get_execute_function()
        return partial(execute, hide_suggestions=True) if self.hide_suggestions else execute

    async def execute(self, query: str | None, variable_values: dict[str, Any] | None = None,
                      context_value: Any | None = None, root_value: Any | None = None,
                      operation_name: str | None = None,
                      allowed_operation_types: Iterable[Any] | None = None,
                      operation_extensions: dict[str, Any] | None = None) -> ExecutionResult:
        run = self._either(query, variable_values, context_value, root_value,
                           operation_name, allowed_operation_types, operation_extensions)
        if self.time_limit is None:
            return await run
        limit = asyncio.timeout(self.time_limit)
        try:
            async with limit:
                return await run
        except TimeoutError:
            if not limit.expired():
                raise
        error = GraphQLError(
            f"The request was stopped after the time limit of {self.time_limit:g} s. Ask for "
            "less (fewer records, a department instead of the organisation), or page. A "
            "mutation stopped this way is rolled back unless it had reached its commit: the "
            "audit trail tells.",
            extensions={"code": TIMEOUT, "limit": self.time_limit})
        log.info("client error %s after %g s", TIMEOUT, self.time_limit,
                 extra={"request_id": _request_id(context_value)})
        return ExecutionResult(data=None, errors=[error])


    async def _either(self, query: str | None, variable_values: dict[str, Any] | None,
                      context_value: Any, root_value: Any, operation_name: str | None,
                      allowed_operation_types: Iterable[Any] | None,
                      operation_extensions: dict[str, Any] | None) -> ExecutionResult:
        """The compiled path's answer when it has one (a query it compiles, of a document
        that passed validation before), else the general path's."""
        compiled = self.compiled
        if compiled is not None and query is not None and root_value is None \
                and isinstance(context_value, Context) and query in self.known:
            data = await compiled.run(context_value, query, operation_name, variable_values)
            if data is not None:
                return ExecutionResult(data=data, errors=None)
        return await super().execute(query, variable_values, context_value, root_value,
                                     operation_name, allowed_operation_types,
                                     operation_extensions)


@cache
def root_types() -> tuple[type, type]:
    return build_query_type(extra_query_types()), build_mutation_type()


def extra_query_types() -> list[type]:
    """Query fields contributed by feature modules (boundary, fit, compliance, audit ...)."""
    from resolvers.compliance import ComplianceQuery

    return [BoundaryQueries, ComplianceQuery, FitQueries, PerformanceQueries, AuditQueries]


def analytic_fields() -> list[str]:
    """The root fields that compute an analytic: those of the boundary, fit, compliance and
    performance modules (the audit trail is a paged list like the others)."""
    from resolvers.compliance import ComplianceQuery

    names = []
    for cls in (BoundaryQueries, ComplianceQuery, FitQueries, PerformanceQueries):
        for name, value in vars(cls).items():
            if isinstance(value, StrawberryField | StrawberryResolver) \
                    and not name.startswith("_"):
                names.append(getattr(value, "graphql_name", None) or to_camel_case(name))
    return sorted(names)


@cache
def cost_model() -> CostModel:
    """The cost figures (README, "Limits"): relationship fields from the types' declarations,
    those listing people by the relationship's far end (the policy's person class),
    analytics from the modules contributing them."""
    work = {("Query", name): ANALYTIC_WORK for name in analytic_fields()}
    work |= {("", "__schema"): INTROSPECTION_WORK, ("", "__type"): INTROSPECTION_WORK}
    ontology, person = default_ontology(), default_policy().person
    people = set()
    for type_name, fields in EDGE_FIELDS.items():
        for field_name, kind in fields.items():
            rel = ontology.rel(kind.rel)
            if (rel.source if kind.direction == "in" else rel.target) == person:
                people.add((type_name, field_name))
    return CostModel(
        relationship_fields=frozenset((type_name, field_name)
                                      for type_name, fields in EDGE_FIELDS.items()
                                      for field_name in fields),
        people_fields=frozenset(people), work=work)


def build_schema(production: bool = False, cost_budget: int = DEFAULT_COST_BUDGET,
                 time_limit: float | None = None, compiled: bool = True) -> QuietSchema:
    """The schema; ``compiled``: with the compiled path (:mod:`resolvers.compiled`), which
    the tests turn off to compare it with the general path."""
    query, mutation = root_types()
    model = cost_model()
    # the limiters' rules made once, so that a document valid once stays valid (Validation)
    limits: list[type[ASTValidationRule]] = [depth_rule(MAX_DEPTH, None, None),
                                             alias_rule(MAX_ALIASES)]
    known = KnownValid(DOCUMENT_CACHE)
    # factories: strawberry builds fresh extensions for each request
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: AddValidationRules(limits),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: CostLimit(model, cost_budget),
        # each document text parsed once (a bounded cache shared by the requests)
        lambda: ParserCache(maxsize=DOCUMENT_CACHE),
        VariableErrorsAreBadInput,
        lambda: RequestIdMaskErrors(should_mask_error=_unexpected),
    ]
    if production:
        extensions.append(DisableIntrospection)
    # validates after the rules are in
    extensions.append(lambda: Validation(known, hide_suggestions=production))
    schema = QuietSchema(query=query, mutation=mutation, extensions=extensions,
                         time_limit=time_limit, hide_suggestions=production, known=known)
    if compiled:
        schema.compiled = CompiledPath(schema, model, cost_budget, DOCUMENT_CACHE)
    return schema


def sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"
