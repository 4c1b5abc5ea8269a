"""Errors the graph layer reports to its callers (and, through the API, to users).

Each carries a machine-readable ``code``, the input ``field`` at fault when there is one, and a
message a person can act on. The GraphQL layer passes them to clients unmasked; every other
exception is masked and logged.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the graph cannot honour, with the reason and the field at fault."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    @property
    def extensions(self) -> dict[str, Any]:
        """GraphQL error extensions (graphql-core copies them from the original error)."""
        ext: dict[str, Any] = {"code": self.code}
        if self.field is not None:
            ext["field"] = camel_case(self.field)
        ext.update(self.details)
        return ext


class InvalidInput(DomainError):
    """A value does not fit the ontology (type, range, allowed values, required)."""

    code = "BAD_INPUT"


class NotFound(DomainError):
    """A record named by id does not exist."""

    code = "NOT_FOUND"


class Conflict(DomainError):
    """The request contradicts what the graph holds (an id taken, a record still referenced)."""

    code = "CONFLICT"


class Unavailable(DomainError):
    """The graph engine cannot be reached right now (stopped, restarting, or writes held while
    a backup is taken): nothing was done, and the same request may succeed a moment later."""

    code = "UNAVAILABLE"


def camel_case(name: str) -> str:
    """``department_id`` -> ``departmentId`` (how GraphQL spells the ontology's names);
    dotted paths are converted part by part."""
    parts = []
    for part in name.split("."):
        head, *rest = part.split("_")
        parts.append(head + "".join(w[:1].upper() + w[1:] for w in rest))
    return ".".join(parts)
