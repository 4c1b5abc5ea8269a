"""The web application: ``create_app(settings, connection) -> Litestar``.

Routes: ``/graphql`` (the GraphQL API; GraphiQL in development mode only, its files under
``/graphiql/``: rolegraph/graphql_route.py), ``/health``, ``/raci.csv`` and ``/raci.xlsx`` (the
RACI matrix of a department or a process as a CSV download or a workbook),
``/positions/{id}/description.html|docx`` (job descriptions: rolegraph/descriptions.py),
``/org-chart.svg`` and ``/nine-box.svg`` (pictures drawn by reports/, read with the caller's
scope). Every request passes the Host allow-list, then authentication; every response carries
the security headers (rolegraph/hardening.py).

The app owns one async driver (opened at start-up, closed at shutdown); it does not own the
embedded engine, which the caller (``rolegraph serve``, the tests) starts and stops around it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar, cast

from litestar import Litestar, Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.params import QueryParameter
from litestar.types import ASGIApp, ControllerRouterHandler, Scope

from domain.access import Policy, Principal
from domain.errors import DomainError, Unavailable
from domain.orgchart import parse_depth
from domain.performance import AppraisalSettings
from graph.access import resolve
from graph.boundary import raci_matrix
from graph.constraints import ensure_schema
from graph.db import Connection, Graph
from graph.fit_loader import fit_model
from graph.health import Health, HealthMonitor
from graph.performance import prepare
from graph.settings import Settings
from reports import raci_workbook
from reports.ninebox import nine_box_svg
from reports.orgchart import chart_svg
from reports.svg import MEDIA_TYPE as SVG
from resolvers.context import Context, make_context
from resolvers.schema import build_schema
from rolegraph import raci_csv
from rolegraph.auth import Authenticator, AuthMiddleware, OpenRoute
from rolegraph.descriptions import description_routes
from rolegraph.graphql_route import graphiql_assets, graphiql_router, graphql_controller
from rolegraph.hardening import HostGuard, add_security_headers, log_exception
from schema.appraisal import appraisal_settings
from schema.policy import default_policy, load_policy

log = logging.getLogger("rolegraph")
T = TypeVar("T")


def policy_of(settings: Settings) -> Policy:
    """The access policy the settings name (``ROLEGRAPH_POLICY``), else the shipped one."""
    return default_policy() if settings.policy is None else load_policy(settings.policy)


async def _prepare(graph: Graph, appraisal: AppraisalSettings, ready: asyncio.Event) -> None:
    """What the first requests would otherwise wait for, made in the background at start-up:
    the fit model (graph/fit_loader.py) and the latest period's appraisals
    (graph/performance.py, ``prepare``). ``/health`` says ``starting`` until it is done; a
    failure is only logged (the engine may be down: requests will say so, and make what they
    need themselves)."""
    try:
        for what, work in (("the fit model", lambda: fit_model(graph)),
                           ("the latest period's appraisals", lambda: prepare(graph, appraisal))):
            started = time.perf_counter()
            try:
                await work()
            except Exception as exc:
                log.warning("could not prepare %s: %s", what, type(exc).__name__)
                return
            log.info("prepared %s in %.1f s", what, time.perf_counter() - started)
        # what start-up made (millions of objects at 50,000 employees) is long-lived: after
        # one collection, out of the cyclic collector's way, whose full collections would walk
        # it all again and again (replaced values are still freed by reference counting)
        gc.collect()
        gc.freeze()
    finally:
        ready.set()


def create_app(settings: Settings, connection: Connection,
               policy: Policy | None = None) -> Litestar:
    """Build the Litestar app serving Rolegraph over the graph at ``connection``, with the
    access ``policy`` (default: the settings' policy file, else the shipped one)."""
    policy = policy or policy_of(settings)
    appraisal = appraisal_settings(settings.appraisal)  # a bad file stops the start, named
    authenticator = Authenticator.of(settings, policy)

    @asynccontextmanager
    async def graph_lifespan(app: Litestar) -> AsyncIterator[None]:
        # the health monitor owns the engine's status (the supervisor's, for `serve`'s own
        # engine); the app's graph reads it before each transaction (graph/health.py)
        graph: Graph | None = None

        async def make_schema() -> None:
            assert graph is not None
            await ensure_schema(graph)

        monitor = HealthMonitor(connection, on_recovery=make_schema)
        graph = Graph.connect(monitor.connection)
        try:
            await ensure_schema(graph)
        except Exception:  # serve anyway: /health says what is wrong, requests fail cleanly
            log.exception("could not reach the graph to create the schema")
        await monitor.start()
        app.state.graph = graph
        app.state.health = monitor
        ready = app.state.ready = asyncio.Event()
        preparing = asyncio.create_task(_prepare(graph, appraisal, ready))
        try:
            yield
        finally:
            preparing.cancel()
            await monitor.stop()
            await graph.close()

    @get("/health")
    async def health(state: State) -> Response[dict[str, Any]]:
        """Whether the app is ready (HTTP 200) or not (503): ``unavailable`` while the
        graph engine does not answer (the health monitor's last probe: it never waits for the
        engine), ``starting`` until what the first requests need is prepared (the fit model,
        the latest period's appraisals). In development also the engine and how many nodes of
        each class the graph holds."""
        now: Health = state.health.health()
        starting = now.up and not state.ready.is_set()
        body: dict[str, Any] = {"status": "starting" if starting
                                else "ok" if now.up else "unavailable"}
        if settings.mode != "production":  # no internals in production
            body["engine"] = {"kind": "embedded" if connection.embedded else "server",
                              "uri": state.health.status.uri, "database": connection.database,
                              "up": now.up, "restarts": now.restarts}
            if not now.up:
                body["engine"]["error"] = now.reason
            if now.counts is not None:
                body["counts"] = now.counts
        return Response(body, status_code=200 if now.up and not starting else 503,
                        headers={"Cache-Control": "no-store"})

    @get("/raci.csv")
    async def raci(state: State,
                   department: Annotated[str | None, QueryParameter(
                       description="a department id (with all departments below it)")] = None,
                   process: Annotated[str | None, QueryParameter(
                       description="a business process")] = None) -> Response[str]:
        """The RACI matrix of a department (with all below it) or of a process, as CSV."""
        department, process = raci_parameters(department, process)
        matrix = await client_errors(raci_matrix(state.graph, department, process))
        return Response(
            raci_csv.render(matrix), media_type="text/csv",  # Litestar adds the charset
            headers={"Content-Disposition": raci_csv.content_disposition(
                raci_csv.filename(department, process))})

    @get("/raci.xlsx")
    async def raci_xlsx(state: State,
                        department: Annotated[str | None, QueryParameter(
                            description="a department id (with all departments below it)")
                        ] = None,
                        process: Annotated[str | None, QueryParameter(
                            description="a business process")] = None) -> Response[bytes]:
        """The same RACI matrix as ``/raci.csv``, as a workbook with coloured roles, the rows
        breaking the RACI rules highlighted, and a legend (reports/raci_workbook.py)."""
        department, process = raci_parameters(department, process)
        book = await client_errors(raci_workbook.build(state.graph, department, process))
        return Response(book, media_type=raci_workbook.MEDIA_TYPE, headers={
            "Content-Disposition": raci_csv.content_disposition(
                raci_csv.filename(department, process, "xlsx"))})

    @get("/org-chart.svg")
    async def org_chart(state: State, scope: Scope,
                        department: Annotated[str | None, QueryParameter(
                            description="a department id (with all departments below it); "
                                        "default: the whole organisation")] = None,
                        depth: Annotated[str | None, QueryParameter(
                            description="levels of the reporting lines shown (1-100, "
                                        "default 10)")] = None) -> Response[str]:
        """The reporting lines of the positions as an SVG tree; incumbents' names as the
        caller may see them (reports/orgchart.py)."""
        async def draw() -> str:
            levels = parse_depth(depth)
            visibility = await resolve(state.graph, policy, principal_of(scope))
            return await chart_svg(state.graph, visibility, department or None, levels)
        return await _picture(draw)

    @get("/nine-box.svg")
    async def nine_box(state: State, scope: Scope,
                       department: Annotated[str | None, QueryParameter(
                           description="a department id (its people and those of the "
                                       "departments below it); default: everyone")] = None
                       ) -> Response[str]:
        """The nine-box of the people the caller sees, as the GraphQL ``nineBox`` places
        them, as SVG (reports/ninebox.py)."""
        async def draw() -> str:
            visibility = await resolve(state.graph, policy, principal_of(scope))
            return await nine_box_svg(state.graph, visibility, department or None)
        return await _picture(draw)

    async def graphql_context(state: State, scope: Scope) -> Context:
        return await make_context(state.graph, policy, principal_of(scope),
                                  rules_settings=settings.rules_settings, appraisal=appraisal)

    production = settings.mode == "production"
    schema = build_schema(production=production, cost_budget=settings.cost_budget,
                          time_limit=settings.time_limit)
    graphql = graphql_controller(
        schema, production, context_getter=graphql_context,
        trusted_documents_only=settings.trusted_documents_only)
    routes: list[ControllerRouterHandler] = [health, raci, raci_xlsx, org_chart, nine_box, graphql,
                                             *description_routes(policy, principal_of)]

    open_routes = [OpenRoute("GET", "/health")]
    if not production:  # GraphiQL: the page and its files hold no data
        open_routes += [OpenRoute("GET", "/graphql", bare=True),
                        *(OpenRoute("GET", path) for path in graphiql_assets())]
        routes.append(graphiql_router())

    def host_guard(app: ASGIApp) -> ASGIApp:
        return cast(ASGIApp, HostGuard(cast(Any, app), settings.allowed_hosts))

    def authentication(app: ASGIApp) -> ASGIApp:
        # plain ASGI both ways; Litestar's TypedDict view of it is narrower than the middleware's
        return cast(ASGIApp, AuthMiddleware(cast(Any, app), authenticator, open_routes))

    return Litestar(
        route_handlers=routes,
        state=State({"schema": schema}),  # the GraphQL schema (its compiled path's counts)
        lifespan=[graph_lifespan],
        middleware=[host_guard, authentication],  # in this order: the host first
        before_send=[add_security_headers],
        after_exception=[log_exception],
        openapi_config=None,  # no /schema pages: the API is described by schema.graphql
        logging_config=None,  # `rolegraph serve` configures logging (rolegraph/logs.py)
        request_max_body_size=settings.max_body_bytes,
        exception_handlers={Unavailable: engine_unavailable},
        debug=settings.mode == "development",
    )


async def _picture(draw: Callable[[], Awaitable[str]]) -> Response[str]:
    """An SVG drawn by ``draw``; a bad parameter or an unknown department is HTTP 400 naming
    the parameter (as ``/raci.csv`` answers), the engine down 503."""
    try:
        svg = await draw()
    except Unavailable:  # the engine is down: 503 (engine_unavailable), not the client's
        raise
    except DomainError as exc:
        where = f"{exc.field}: " if exc.field and not exc.message.startswith(exc.field) else ""
        raise HTTPException(status_code=400, detail=f"{where}{exc.message}") from None
    return Response(svg, media_type=SVG)


#: the caller of an open route (the GraphiQL page, which runs no query): no rights at all
ANONYMOUS = Principal(sub="anonymous", roles=())


def raci_parameters(department: str | None,
                    process: str | None) -> tuple[str | None, str | None]:
    """The RACI routes' parameters: exactly one of them (an empty value counts as absent),
    else HTTP 400."""
    department, process = department or None, process or None
    if (department is None) == (process is None):
        raise HTTPException(status_code=400, detail="give either ?department=<id> or "
                                                    "?process=<name>, not both")
    return department, process


async def client_errors(work: Awaitable[T]) -> T:
    """``work``'s answer; its :class:`DomainError` (an unknown department or process, a bad
    value) as HTTP 400 with the message. The engine being down is not the client's error:
    :class:`Unavailable` goes on to :func:`engine_unavailable` (503)."""
    try:
        return await work
    except Unavailable:
        raise
    except DomainError as exc:
        raise HTTPException(status_code=400, detail=exc.message) from None


def principal_of(scope: Scope) -> Principal:
    """The caller the authentication middleware verified (only the open routes get here
    without one)."""
    user = scope.get("user")
    return user if isinstance(user, Principal) else ANONYMOUS


def engine_unavailable(request: Request[Any, Any, Any],
                       exc: Unavailable) -> Response[dict[str, Any]]:
    """The engine is down before a query ran (while the caller's scope was resolved): HTTP
    503 with the GraphQL error every resolver gives then, ``UNAVAILABLE``."""
    return Response({"data": None, "errors": [{"message": exc.message,
                                               "extensions": exc.extensions}]},
                    status_code=503, headers={"Retry-After": "1"})
