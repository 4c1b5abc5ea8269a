"""Access control inside the Cypher: what one caller sees of people's records, and may change.

:func:`resolve` turns a caller's :class:`domain.access.Grant` into a :class:`Visibility` with
one query (is the caller an employee; the departments of an ``hr`` claim with those below
them; the positions of a manager's reporting line), kept until the next write to the graph.
The visibility then gives

* predicates that the repository puts into its queries (:meth:`Visibility.record` for a
  record, :meth:`Visibility.edge` for a relationship seen from one end), so records a caller
  may not see never leave the database; organisation structure (records and relationships of
  the lowest sensitivity) is never restricted;
* :meth:`Visibility.redact`: the values above the caller's sensitivity level, removed from a
  record (the GraphQL field then answers null);
* for the in-memory analytics (fit, succession), the departments, positions and own id that
  say which people they may show.

Who is a person, which classes they own and how sensitive everything is come from the
ontology and the policy (``schema/policy.yaml``): an owned class is one a ``cascade``
relationship from the person class reaches (contracts, reviews).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from domain.access import AccessDenied, Grant, Policy, Principal
from domain.records import Record
from graph.changes import Stamp, read_stamp
from graph.cypher import cypher_of
from graph.db import Graph
from schema.ontology import ClassSpec, EdgeKind, Ontology, RelationshipSpec


@dataclass(frozen=True)
class Visibility:
    """One caller's view of the graph (see the module docstring)."""

    grant: Grant
    policy: Policy
    ontology: Ontology
    departments: tuple[str, ...] | None = None  # ids of the claimed departments and below
    positions: tuple[str, ...] | None = None  # ids of the positions of the reporting line
    params: dict[str, Any] = field(default_factory=dict)
    #: the change stamp read when the scope was resolved (None: not read); later work of the
    #: same request (the fit model) uses it instead of reading it again
    stamp: Stamp | None = None
    #: per class and relationship type: its highest property level, and each one's
    _levels: dict[str, tuple[int, dict[str, int]]] = field(
        init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_levels", _levels(self.policy, self.ontology))

    @property
    def unrestricted(self) -> bool:
        return self.grant.unrestricted

    @property
    def self_id(self) -> str | None:
        return self.grant.self_id

    # -- levels ------------------------------------------------------------------------------

    def level(self, owner: str, prop: str | None = None) -> int:
        """The sensitivity level of a class or relationship (or of one of its properties)."""
        if prop is not None:
            return self._levels[owner][1][prop]
        o = self.ontology
        spec = o.classes[owner] if owner in o.classes else o.relationships[owner]
        return self.policy.level(spec.sensitivity)

    def reads_class(self, owner: str) -> bool:
        """The caller reads records of this class or relationship type (not only its own)."""
        return self.grant.may_read(self.level(owner))

    def personal(self, class_name: str) -> bool:
        """Records of the class belong to people: the person class and what it owns."""
        return class_name == self.policy.person or self._owner_rel(class_name) is not None

    def _owner_rel(self, class_name: str) -> str | None:
        for rel in self.ontology.relationships.values():
            if rel.cascade and rel.source == self.policy.person and rel.target == class_name:
                return rel.name
        return None

    # -- predicates --------------------------------------------------------------------------

    def person(self, var: str, own_only: bool = False, include_self: bool = True
               ) -> str | None:
        """A predicate on a node of the person class: the caller sees it (None: always)."""
        o = self.ontology
        cy = cypher_of(o)
        key = f"{var}.{cy.key(self.policy.person)}"
        parts: list[str] = []
        if self.self_id is not None and include_self:
            parts.append(f"{key} = $scope_self")
        if not own_only:
            if self.unrestricted:
                return None
            if self.departments is not None:
                parts.append(cy.in_departments(self.policy.person, var, "$scope_departments"))
            if self.positions is not None:
                held, condition = cy.edge(EdgeKind(self.policy.holds, "out", current=True),
                                          f"{var}_h", f"{var}_p")
                parts.append(f"EXISTS {{ MATCH ({var}){held} WHERE {condition} AND "
                             f"{var}_p.{cy.key(o.rel(self.policy.holds).target)} "
                             "IN $scope_positions }")
        if not parts:
            return "false"
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def record(self, class_name: str, var: str) -> str | None:
        """A predicate: the caller sees the record ``var`` of ``class_name`` (None: always).
        Records of a class above the caller's level are seen only when they are its own."""
        if not self.personal(class_name):
            return None if self.reads_class(class_name) else "false"
        own_only = not self.reads_class(class_name)
        if class_name == self.policy.person:
            return self.person(var, own_only)
        rel = self._owner_rel(class_name)
        assert rel is not None
        cy = cypher_of(self.ontology)
        predicate = self.person(f"{var}_o", own_only)
        if predicate is None:
            return None
        return (f"EXISTS {{ MATCH ({var})<-[:{cy.rel(rel)}]-({var}_o:"
                f"{cy.label(self.policy.person)}) WHERE {predicate} }}")

    def edge(self, kind: EdgeKind, near: str, far: str) -> str | None:
        """A predicate on a relationship seen from ``near`` (already visible) to ``far``: the
        far record is visible, and a relationship above the caller's level is seen only when
        its person end is the caller."""
        rel = self.ontology.rel(kind.rel)
        near_class, far_class = rel.ends(kind)
        parts = [p for p in (self.record(far_class, far),) if p is not None]
        if not self.reads_class(kind.rel):
            person_end = (far if far_class == self.policy.person else
                          near if near_class == self.policy.person else None)
            own = None if person_end is None else self.person(person_end, own_only=True)
            parts.append(own or "false")
        if not parts:
            return None
        return " AND ".join(parts)

    # -- writes ------------------------------------------------------------------------------

    def check_write(self, what: str, rel: str | None = None) -> None:
        """FORBIDDEN unless the caller's roles make changes of this kind (any change, or
        setting relationships of type ``rel``)."""
        grant = self.grant
        if grant.changes != "none" or (rel is not None and rel in grant.relationships):
            return
        roles = ", ".join(grant.principal.roles) or "none"
        raise AccessDenied(f"{what}: your roles ({roles}) may not make this change")

    @property
    def limited_writes(self) -> bool:
        """Changes are limited to records in scope (not every record)."""
        return self.grant.changes != "all"

    # -- values ------------------------------------------------------------------------------

    def redact(self, owner: str, record: Record, own: bool = False) -> Record:
        """The record without the values the caller may not read (``owner``: its class or
        relationship type; ``own``: it is about the caller)."""
        top, levels = self._levels[owner]
        if self.grant.fields >= top and not own:
            return record
        # a record of a class above the caller's level is seen only when it is its own
        own = own or not self.reads_class(owner) or (
            owner == self.policy.person and record.get("id") == self.self_id)
        may_read = self.grant.may_read
        return {k: v for k, v in record.items() if k not in levels or may_read(levels[k], own)}


#: per policy and ontology: for each class and relationship type, the highest sensitivity
#: level of its properties and the level of each (every read redacts with them)
_LEVELS: dict[tuple[int, int], tuple[Policy, Ontology, dict[str, tuple[int, dict[str, int]]]]] \
    = {}


def _levels(policy: Policy, ontology: Ontology) -> dict[str, tuple[int, dict[str, int]]]:
    key = (id(policy), id(ontology))
    found = _LEVELS.get(key)
    if found is None or found[0] is not policy or found[1] is not ontology:
        specs: list[tuple[str, ClassSpec | RelationshipSpec]] = [
            *ontology.classes.items(), *ontology.relationships.items()]
        table = {}
        for owner, spec in specs:
            props = {p: policy.level(ps.sensitivity) for p, ps in spec.properties.items()}
            table[owner] = (max(props.values(), default=0), props)
        found = _LEVELS[key] = (policy, ontology, table)
    return found[2]


#: scopes kept per graph (see :func:`resolve`); a bound, oldest dropped first
MAX_SCOPES = 4096


@dataclass
class _Scopes:
    """The scope rows of one graph, all read at one change stamp."""

    epoch: str | None = None
    version: int = -1
    rows: OrderedDict[tuple[Any, ...], dict[str, Any]] = field(default_factory=OrderedDict)

    def get(self, stamp: Stamp, key: tuple[Any, ...]) -> dict[str, Any] | None:
        if (stamp.epoch, stamp.version) != (self.epoch, self.version):
            self.rows.clear()
            self.epoch, self.version = stamp.epoch, stamp.version
            return None
        row = self.rows.get(key)
        if row is not None:
            self.rows.move_to_end(key)
        return row

    def put(self, stamp: Stamp, key: tuple[Any, ...], row: dict[str, Any]) -> None:
        if (stamp.epoch, stamp.version) == (self.epoch, self.version):
            self.rows[key] = row
            if len(self.rows) > MAX_SCOPES:
                self.rows.popitem(last=False)


_SCOPES: weakref.WeakKeyDictionary[Graph, _Scopes] = weakref.WeakKeyDictionary()


async def resolve(graph: Graph, policy: Policy, principal: Principal) -> Visibility:
    """The caller's visibility: none needed for a caller who sees every record and every
    value anyway (an admin); else its scope (see the module docstring) with one query.

    Scopes are kept per graph and change stamp (:mod:`graph.changes`): a request reads the
    stamp (one small query) and, when no write happened since the same scope was resolved,
    uses it again; any write through Rolegraph (who holds which position, the reporting
    lines, the department tree) makes every scope resolve anew."""
    cy, o = graph.cy, graph.ontology
    unknown_self = policy.grant(principal)
    if unknown_self.unrestricted and unknown_self.fields == len(policy.sensitivities) - 1:
        return Visibility(unknown_self, policy, o, None, None, _params(unknown_self, (), ()))
    person = policy.person
    roles = [policy.roles[r] for r in principal.roles if r in policy.roles]
    scopes = {r.sees for r in roles}
    want_departments = "departments" in scopes and principal.departments is not None
    want_line = "reporting_line" in scopes
    key = (principal.sub, want_departments, tuple(principal.departments or ()), want_line)
    stamp = await read_stamp(graph)
    kept = _SCOPES.get(graph)
    if kept is None:
        kept = _SCOPES.setdefault(graph, _Scopes())
    row = kept.get(stamp, key)
    if row is None:
        held, condition = cy.edge(EdgeKind(policy.holds, "out", current=True), "h", "top")
        position = o.rel(policy.holds).target
        reports = cy.arrow(EdgeKind(policy.reports_to, "in"), hops="*1..")
        dept = o.department_class
        rows = await graph.read(
            f"OPTIONAL MATCH {cy.node('me', person, '$sub')} "
            "CALL { "
            f"MATCH (root:{cy.label(dept)}) WHERE $want_departments AND "
            f"root.{cy.key(dept)} IN $claimed MATCH {cy.subtree('root', 'd')} "
            f"RETURN collect(DISTINCT d.{cy.key(dept)}) AS departments }} "
            "CALL { WITH me "
            f"MATCH (me){held} WHERE $want_line AND {condition} "
            f"MATCH (top){reports}(p:{cy.label(position)}) "
            f"RETURN collect(DISTINCT p.{cy.key(position)}) AS positions }} "
            "RETURN me IS NOT NULL AS employee, departments, positions",
            sub=principal.sub, claimed=list(principal.departments or ()),
            want_departments=want_departments, want_line=want_line)
        row = dict(rows[0]) if rows else {}
        kept.put(stamp, key, row)
    grant = policy.grant(principal, [principal.sub] if row.get("employee") else [])
    departments = tuple(sorted(row.get("departments") or ())) if want_departments else None
    positions = tuple(sorted(row.get("positions") or ())) if want_line else None
    return Visibility(grant, policy, o, departments, positions,
                      _params(grant, departments or (), positions or ()), stamp)


def _params(grant: Grant, departments: tuple[str, ...], positions: tuple[str, ...]
            ) -> dict[str, Any]:
    return {"scope_self": grant.self_id, "scope_departments": list(departments),
            "scope_positions": list(positions)}


def everything(graph: Graph, policy: Policy) -> Visibility:
    """The view of a trusted caller (the command line, internal work): no restriction."""
    top = len(policy.sensitivities) - 1
    grant = Grant(principal=Principal(sub="system", roles=()), scopes=frozenset({"all"}),
                  fields=top, self_fields=top, changes="all", relationships=frozenset(),
                  imports=True, audit=True)
    return Visibility(grant, policy, graph.ontology, None, None, _params(grant, (), ()))
