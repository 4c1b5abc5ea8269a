"""Records as the layers above the database see them: plain dicts of Python values.

The graph layer turns what the driver returns into these (dates as ``datetime.date``); the
domain code and the GraphQL types read them without knowing where they came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: One node's properties, by name (``{"id": "P005", "title": "产品经理", ...}``).
Record = dict[str, Any]


@dataclass(frozen=True)
class Edge:
    """A relationship seen from one end: its properties and the node at the other end."""

    props: Record
    node: Record
