"""The per-request GraphQL context: the shared graph handle, the caller, what it may see, and
fresh DataLoaders.

Sessions are never kept here: sibling resolvers run concurrently and a driver session is not
safe to share, so every loader batch opens its own session from the one shared driver.
"""

from __future__ import annotations

from pathlib import Path

from strawberry.litestar import BaseContext
from strawberry.types import Info as _Info

from domain.access import AccessDenied, Policy, Principal
from domain.performance import DEFAULT_SETTINGS, AppraisalSettings
from graph.access import Visibility, resolve
from graph.db import Graph
from graph.repository import Repository
from resolvers.loaders import Loaders


class Context(BaseContext, kw_only=True):
    """What every resolver gets as ``info.context``."""

    graph: Graph
    repo: Repository
    loaders: Loaders
    principal: Principal
    visibility: Visibility
    rules_settings: Path | None = None
    #: the appraisal formulas' parameters (``ROLEGRAPH_APPRAISAL``, read at start-up)
    appraisal: AppraisalSettings = DEFAULT_SETTINGS

    @property
    def request_id(self) -> str:
        return self.principal.request_id

    def require_audit(self) -> None:
        """Only roles that read the audit trail pass."""
        if not self.visibility.grant.audit:
            raise AccessDenied("reading the audit trail needs the admin or auditor role")


Info = _Info[Context, None]


async def make_context(graph: Graph, policy: Policy, principal: Principal,
                       rules_settings: Path | None = None,
                       appraisal: AppraisalSettings = DEFAULT_SETTINGS) -> Context:
    """The context of one request: the caller's visibility resolved with one query."""
    visibility = await resolve(graph, policy, principal)
    repo = Repository(graph, visibility)
    return Context(graph=graph, repo=repo, loaders=Loaders(repo), principal=principal,
                   visibility=visibility, rules_settings=rules_settings, appraisal=appraisal)
