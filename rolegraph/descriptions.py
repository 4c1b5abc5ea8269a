"""The job description routes: ``GET /positions/{id}/description.html`` (a page to read or
print) and ``GET /positions/{id}/description.docx`` (a Word document to download).

Both need a token (the authentication middleware covers every route not listed as open) and
read with the caller's scope, as the GraphQL API does (:func:`graph.access.resolve`, then the
repository's scoped reads): incumbents the caller may not see are counted, not named. An
unknown position is HTTP 404 naming the id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated

from litestar import Response, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.params import Parameter
from litestar.types import ControllerRouterHandler, Scope

from domain.access import Policy, Principal
from domain.errors import NotFound
from domain.job_description import JobDescription
from graph.access import resolve
from graph.db import Graph
from graph.descriptions import job_description
from graph.repository import Repository
from reports.job_description import filename, layout, to_html
from reports.job_description_docx import to_docx
from rolegraph.raci_csv import content_disposition

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PositionId = Annotated[str, Parameter(description="a position id (P005)")]


async def read_description(graph: Graph, policy: Policy, principal: Principal,
                           key: str) -> JobDescription:
    """The description of position ``key`` as ``principal`` may see it; HTTP 404 when there
    is no such position (an engine that is down stays a 503: the app's handler)."""
    visibility = await resolve(graph, policy, principal)
    try:
        return await job_description(Repository(graph, visibility), key)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from None


def description_routes(policy: Policy, principal_of: Callable[[Scope], Principal]
                       ) -> list[ControllerRouterHandler]:
    """The two routes, reading with ``policy`` for the caller ``principal_of`` finds in the
    request (the one the authentication middleware verified)."""

    @get("/positions/{position_id:str}/description.html")
    async def description_html(state: State, scope: Scope,
                               position_id: PositionId) -> Response[str]:
        """The job description as a self-contained HTML page (prints on A4)."""
        jd = await read_description(state.graph, policy, principal_of(scope), position_id)
        return Response(to_html(layout(jd)), media_type="text/html")  # + charset

    @get("/positions/{position_id:str}/description.docx")
    async def description_docx(state: State, scope: Scope,
                               position_id: PositionId) -> Response[bytes]:
        """The job description as a Word document, as a download. Written in a worker thread:
        python-docx takes some 50-150 ms per document, which would hold every other request
        (``/health`` too) on the event loop."""
        jd = await read_description(state.graph, policy, principal_of(scope), position_id)
        document = await asyncio.to_thread(to_docx, layout(jd))
        return Response(document, media_type=DOCX, headers={
            "Content-Disposition": content_disposition(filename(jd, "docx"))})

    return [description_html, description_docx]
