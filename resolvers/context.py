"""The per-request GraphQL context: the shared graph handle, the caller and fresh DataLoaders.

Sessions are never kept here: sibling resolvers run concurrently and a driver session is not
safe to share, so every loader batch opens its own session from the one shared driver.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from strawberry.litestar import BaseContext
from strawberry.types import Info as _Info

from graph.db import Graph
from graph.repository import Repository
from resolvers.loaders import Loaders


@dataclass(frozen=True)
class Principal:
    """Who is calling. Everyone is anonymous until access control lands; resolvers that show
    salaries, contracts or reviews will check ``roles`` here."""

    name: str = "anonymous"
    roles: tuple[str, ...] = ()


class Context(BaseContext, kw_only=True):
    """What every resolver gets as ``info.context``."""

    graph: Graph
    repo: Repository
    loaders: Loaders
    principal: Principal
    rules_settings: Path | None = None


Info = _Info[Context, None]


def make_context(graph: Graph, principal: Principal | None = None,
                 rules_settings: Path | None = None) -> Context:
    repo = Repository(graph)
    return Context(graph=graph, repo=repo, loaders=Loaders(repo),
                   principal=principal or Principal(), rules_settings=rules_settings)
