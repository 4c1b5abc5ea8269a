"""Who may see and change what: callers, the policy's roles, and what a caller is granted.

The policy is data (``schema/policy.yaml``, loaded and checked by :mod:`schema.policy`); these
are its records and the decisions that need no database:

* a :class:`Principal` is the verified caller: ``sub`` (an employee id or a service name),
  ``roles`` and, for an ``hr`` caller, the ``departments`` its rights are limited to;
* each ontology property and relationship carries a **sensitivity**, from ``public`` (the
  organisation's structure) up to the most confidential (wages and terms); a role sees the
  values up to its ``fields`` level, and a record of a class above that level not at all;
* each role **sees** records of people (the ``person`` class and the records it owns) in one
  of the :data:`SCOPES`; organisation structure is visible to every caller;
* each role **changes** ``all`` records, ``in_scope`` records, ``none``, or only the listed
  relationship types of the people it sees.

Several roles give the union of their rights (:meth:`Policy.grant`). Every caller whose
``sub`` is an employee also sees their own records, with the policy's ``self_fields`` level.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from domain.errors import DomainError

Scope = Literal["all", "departments", "reporting_line", "self", "none"]
#: what a role's callers see of people's records, widest first
SCOPES: Final[tuple[Scope, ...]] = ("all", "departments", "reporting_line", "self", "none")
Changes = Literal["all", "in_scope", "none"]
CHANGES: Final[tuple[Changes, ...]] = ("all", "in_scope", "none")


class AccessDenied(DomainError):
    """A request the caller's roles may never make: FORBIDDEN (nothing is written)."""

    code = "FORBIDDEN"


@dataclass(frozen=True)
class Principal:
    """A verified caller. ``sub`` is an employee id or a service name (``cli:<user>`` for the
    command line, which is trusted as ``admin``)."""

    sub: str
    roles: tuple[str, ...]
    #: the ``departments`` claim: None when the token has none (an empty claim limits an
    #: ``hr`` caller to no department at all, never to every one)
    departments: tuple[str, ...] | None = None
    request_id: str = ""


@dataclass(frozen=True)
class RolePolicy:
    """One role of the policy."""

    name: str
    sees: Scope
    fields: int  # the highest sensitivity level it reads (index into Policy.sensitivities)
    changes: Changes
    relationships: tuple[str, ...] = ()  # with changes "none": the types it may still set
    imports: bool = False
    audit: bool = False
    description: str = ""


@dataclass(frozen=True)
class Grant:
    """What one caller may do: the union of its roles' rights.

    ``scopes`` are the scopes of people's records it sees (``departments`` limited to
    ``departments`` when the claim lists some); ``fields`` the sensitivity level it reads;
    ``self_id`` the employee whose own records it always sees, with ``self_fields``."""

    principal: Principal
    scopes: frozenset[Scope]
    fields: int
    self_fields: int
    changes: Changes
    relationships: frozenset[str]
    imports: bool
    audit: bool
    self_id: str | None = None
    departments: tuple[str, ...] | None = None

    @property
    def unrestricted(self) -> bool:
        """Sees every person's records (``all``, or ``departments`` without a claim)."""
        return "all" in self.scopes or (
            "departments" in self.scopes and self.departments is None)

    def may_read(self, level: int, own: bool = False) -> bool:
        """Whether a value of sensitivity ``level`` is shown (``own``: about the caller)."""
        return level <= (max(self.fields, self.self_fields) if own else self.fields)


@dataclass(frozen=True)
class Policy:
    """The roles, the sensitivity levels (weakest first) and the class of people."""

    sensitivities: tuple[str, ...]
    roles: dict[str, RolePolicy]
    person: str
    self_fields: int
    source: str = ""
    holds: str = ""  # the person's relationship to the positions they hold (reporting line)
    reports_to: str = ""  # a position's relationship to the one it reports to

    def level(self, sensitivity: str) -> int:
        return self.sensitivities.index(sensitivity)

    def readers(self, level: int) -> list[str]:
        """The roles that read values of sensitivity ``level`` (for descriptions)."""
        return [r.name for r in self.roles.values() if r.fields >= level]

    def unknown_roles(self, roles: Iterable[str]) -> list[str]:
        return sorted(set(roles) - set(self.roles))

    def grant(self, principal: Principal, employee_ids: Sequence[str] = ()) -> Grant:
        """The union of the principal's roles; ``employee_ids`` says whether its ``sub`` is
        an employee (then it sees its own records). Unknown roles grant nothing."""
        roles = [self.roles[r] for r in principal.roles if r in self.roles]
        changes: Changes = "none"
        if any(r.changes == "all" for r in roles):
            changes = "all"
        elif any(r.changes == "in_scope" for r in roles):
            changes = "in_scope"
        is_employee = principal.sub in employee_ids
        return Grant(
            principal=principal,
            scopes=frozenset(r.sees for r in roles if r.sees != "none"),
            fields=max((r.fields for r in roles), default=0),
            self_fields=self.self_fields,
            changes=changes,
            relationships=frozenset(rel for r in roles for rel in r.relationships),
            imports=any(r.imports for r in roles),
            audit=any(r.audit for r in roles),
            self_id=principal.sub if is_employee else None,
            departments=principal.departments)
