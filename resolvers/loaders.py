"""Per-request DataLoaders: every relationship field of a page of records costs one query.

Listing 100 positions with their departments, responsibilities, requirements and incumbents
issues one query per field kind, not one per position: each loader collects the keys asked
for in one tick of the event loop and fetches them with a single ``UNWIND $keys`` query.
"""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.records import Edge, Record
from graph.repository import Repository
from schema.ontology import EdgeKind


class Loaders:
    """The loaders of one request, made on first use."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self._nodes: dict[str, DataLoader[str, Record | None]] = {}
        self._edges: dict[EdgeKind, DataLoader[str, list[Edge]]] = {}
        self.department_employees: DataLoader[tuple[str, int], list[Record]] = DataLoader(
            load_fn=repo.department_employees)
        self.department_employee_counts: DataLoader[str, int] = DataLoader(
            load_fn=repo.department_employee_counts)

    def node(self, class_name: str) -> DataLoader[str, Record | None]:
        """Records of ``class_name`` by key."""
        loader = self._nodes.get(class_name)
        if loader is None:
            async def load(keys: list[str]) -> list[Record | None]:
                return await self.repo.nodes(class_name, keys)

            loader = self._nodes[class_name] = DataLoader(load_fn=load)
        return loader

    def edges(self, kind: EdgeKind) -> DataLoader[str, list[Edge]]:
        """Relationships of one kind at nodes, by the nodes' keys."""
        loader = self._edges.get(kind)
        if loader is None:
            async def load(keys: list[str]) -> list[list[Edge]]:
                return await self.repo.edges(kind, keys)

            loader = self._edges[kind] = DataLoader(load_fn=load)
        return loader
