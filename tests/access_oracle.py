"""What the access policy lets each caller see of the demo organisation, worked out apart from
the code under test: who is in a caller's scope is walked over the demo's CSV files (not with
graph/access.py's Cypher), how sensitive each value is comes from the ontology, and which
sensitivity each role reads from the policy file. The access tests compare the API's answers
with what this oracle expects, and count every value it says the caller should not have got.

The default policy (schema/policy.yaml) in one paragraph: ``admin``, ``compliance`` and
``auditor`` see everyone; ``hr`` everyone, or with a ``departments`` claim the current holders
of positions in those departments and below; ``manager`` itself and the current holders of
every position reporting, directly or not, to a position it holds now, up to ``sensitive``
values (no contracts but its own); ``employee`` itself. Organisation structure is seen by every
caller; a caller whose ``sub`` is an employee always sees its own file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx
from api_client import demo_current_holders, demo_rows, demo_subtree
from conftest import LiveServer
from graphql import (
    GraphQLArgument,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    build_schema,
    get_named_type,
    is_leaf_type,
)

from domain.access import Policy
from schema.gql.types import EDGE_FIELDS, NODE_TYPES
from schema.ontology import EdgeKind, Ontology, default_ontology
from schema.policy import default_policy

#: 组装部经理 (P041): the manager of the demo's assembly department, its reporting line below
MANAGER = "E0176"
EMPLOYEE_ID = re.compile(r"\bE\d{4}\b")


@dataclass(frozen=True)
class Caller:
    """Who calls: the claims of its token."""

    name: str
    roles: tuple[str, ...]
    sub: str
    departments: tuple[str, ...] = ()

    def client(self, server: LiveServer) -> httpx.Client:
        return server.as_(*self.roles, sub=self.sub, departments=self.departments)


#: every role of the default policy, an hr caller limited to one department (with the one
#: below it) and a service without any role
CALLERS: tuple[Caller, ...] = (
    Caller("admin", ("admin",), "ops-admin"),
    Caller("hr", ("hr",), "E0287"),
    Caller("hr-D06", ("hr",), "E0288", ("D06",)),
    Caller("manager", ("manager",), MANAGER),
    Caller("employee", ("employee",), "E0180"),
    Caller("compliance", ("compliance",), "compliance-reviewer"),
    Caller("auditor", ("auditor",), "audit-office"),
    Caller("no-role", (), "monitoring"),
)
ADMIN = CALLERS[0]


def caller(name: str) -> Caller:
    return next(c for c in CALLERS if c.name == name)


# -- the demo, from its files ----------------------------------------------------------------


@cache
def all_employees() -> frozenset[str]:
    return frozenset(r["id"] for r in demo_rows("employees.csv"))


@cache
def employee_names() -> dict[str, str]:
    return {r["id"]: r["name"] for r in demo_rows("employees.csv")}


def held_now(employee: str) -> set[str]:
    return {r["position_id"] for r in demo_rows("employee_positions.csv")
            if r["employee_id"] == employee and not r["end_date"]}


def reporting_line(employee: str) -> set[str]:
    """The employee and the current holders of every position reporting, directly or not, to
    a position the employee holds now."""
    below: dict[str, list[str]] = {}
    for row in demo_rows("positions.csv"):
        below.setdefault(row["reports_to_id"], []).append(row["id"])
    found: set[str] = set()
    todo = [p for top in held_now(employee) for p in below.get(top, [])]
    while todo:
        position = todo.pop()
        found.add(position)
        todo += below.get(position, [])
    return {employee} | demo_current_holders(found)


def department_people(departments: Iterable[str]) -> set[str]:
    """The current holders of positions in these departments or any below them."""
    depts = {d for top in departments for d in demo_subtree(top)}
    return demo_current_holders({r["id"] for r in demo_rows("positions.csv")
                                 if r["department_id"] in depts})


def _opaque(joined: str) -> str:
    """A feedback's id: a digest that does not name its reviewer (the ontology's opaque key)."""
    return hashlib.sha256(joined.encode()).hexdigest()[:20]


def record_key(class_name: str, row: dict[str, str]) -> str:
    """The id of the record a row of the class's demo file makes."""
    spec = default_ontology().cls(class_name)
    if not spec.derived_key:
        return row[spec.key]
    joined = "/".join(row[c] for c in spec.derived_key)
    return _opaque(joined) if spec.opaque_key else joined


@cache
def owners() -> dict[str, str]:
    """Contract, review, KPI result and feedback id -> the employee it belongs to."""
    found = {r["id"]: r["employee_id"] for r in demo_rows("contracts.csv")}
    found.update({f"{r['employee_id']}/{r['period']}": r["employee_id"]
                  for r in demo_rows("performance_reviews.csv")})
    found.update({f"{r['kpi_id']}/{r['employee_id']}/{r['period']}": r["employee_id"]
                  for r in demo_rows("kpi_results.csv")})
    found.update({record_key("Feedback", r): r["employee_id"] for r in demo_rows("feedback.csv")})
    return found


# -- what one caller may see -----------------------------------------------------------------


@dataclass
class View:
    """What the policy lets one caller see (see the module docstring)."""

    caller: Caller
    policy: Policy = field(default_factory=default_policy)
    ontology: Ontology = field(default_factory=default_ontology)

    def __post_init__(self) -> None:
        roles = [self.policy.roles[r] for r in self.caller.roles]
        self.self_id = self.caller.sub if self.caller.sub in all_employees() else None
        people: set[str] = set() if self.self_id is None else {self.self_id}
        for role in roles:
            if role.sees == "all" or (role.sees == "departments" and not self.caller.departments):
                people |= all_employees()
            elif role.sees == "departments":
                people |= department_people(self.caller.departments)
            elif role.sees == "reporting_line" and self.self_id is not None:
                people |= reporting_line(self.self_id)
        self.people = frozenset(people)
        self.fields = max((r.fields for r in roles), default=0)
        self.person = self.policy.person
        self.owned = {r.target for r in self.ontology.relationships.values()
                      if r.cascade and r.source == self.person}

    def level(self, owner: str, prop: str | None = None) -> int:
        o = self.ontology
        spec = o.classes[owner] if owner in o.classes else o.relationships[owner]
        name = spec.sensitivity if prop is None else spec.properties[prop].sensitivity
        return self.policy.level(name)

    def reads_level(self, level: int, about: str | None) -> bool:
        """A value of this sensitivity about employee ``about`` (None: no one) is shown."""
        own = about is not None and about == self.self_id
        return level <= (max(self.fields, self.policy.self_fields) if own else self.fields)

    def about(self, class_name: str, key: str) -> str | None:
        """The employee a record of this class is about (None: organisation structure)."""
        if class_name == self.person:
            return key
        return owners().get(key) if class_name in self.owned else None

    def sees(self, class_name: str, key: str) -> bool:
        """The record is seen (not absent, not null)."""
        if class_name != self.person and class_name not in self.owned:
            return self.reads_level(self.level(class_name), None)
        person = self.about(class_name, key)
        return person in self.people and self.reads_level(self.level(class_name), person)

    def reads(self, owner: str, prop: str, about: str | None) -> bool:
        """The property of a record (or relationship) about ``about`` is shown."""
        return self.reads_level(self.level(owner, prop), about)

    def sees_relationship(self, rel: str, person_end: str | None) -> bool:
        return self.reads_level(self.level(rel), person_end)

    def sees_person(self, key: str) -> bool:
        return key in self.people


# -- GraphQL types as the ontology's records ------------------------------------------------


@cache
def graphql_schema() -> GraphQLSchema:
    """The API's schema, from the code (not the committed SDL file)."""
    from resolvers.schema import build_schema as strawberry_schema

    return build_schema(strawberry_schema().as_str())


@cache
def node_classes() -> dict[str, str]:
    """GraphQL type name -> ontology class, for the record types."""
    return {t.__strawberry_definition__.name: c for c, t in NODE_TYPES.items()}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def selection(type_name: str, depth: int, node_depth: int | None = None) -> str:
    """Every field of a GraphQL type, built from the schema: leaves always, object fields
    ``depth`` levels down (at most ``node_depth`` below a record type), below that the
    records' ids; each object with its ``__typename``. A list argument ``first`` asks for the
    most the field allows, so nothing is cut off."""
    schema = graphql_schema()
    t = schema.type_map[type_name]
    assert isinstance(t, GraphQLObjectType), type_name
    if node_depth is not None and type_name in node_classes():
        depth = min(depth, node_depth)
    parts = ["__typename"]
    for name, f in t.fields.items():
        named = get_named_type(f.type)
        if any(required(a) for a in f.args.values()):
            continue  # no record type has such a field; a new one would need a value
        args = "(first: 1000)" if "first" in f.args else ""
        if is_leaf_type(named):
            parts.append(name + args)
        elif depth > 0:
            parts.append(f"{name}{args} {{ {selection(named.name, depth - 1, node_depth)} }}")
        elif named.name in node_classes():  # which record it is, to judge it
            parts.append(f"{name}{args} {{ __typename id }}")
    return " ".join(parts)


def required(arg: GraphQLArgument) -> bool:
    """The argument must be given (non-null, no default in the SDL)."""
    default = arg.ast_node.default_value if arg.ast_node is not None else None
    return isinstance(arg.type, GraphQLNonNull) and default is None \
        and arg.default_value is Undefined


HIDDEN = object()


@dataclass
class Judge:
    """Applies a :class:`View` to GraphQL answers: :meth:`expect` turns an answer that sees
    everything (the admin's) into the answer this caller should get; :meth:`leaks` lists every
    record, relationship or value in the caller's own answer that it should not have got."""

    view: View
    found: list[str] = field(default_factory=list)

    # -- shared --------------------------------------------------------------------------

    def _node(self, value: Any) -> tuple[str, str] | None:
        if isinstance(value, dict) and value.get("__typename") in node_classes() \
                and "id" in value:
            return node_classes()[value["__typename"]], str(value["id"])
        return None

    def _people_in(self, value: Any) -> Iterator[str]:
        """The employees an edge object (an assignment, an assessment ...) links to."""
        if isinstance(value, dict):
            for v in value.values():
                node = self._node(v)
                if node is not None and node[0] == self.view.person:
                    yield node[1]

    def _edge_visible(self, kind: EdgeKind, here: tuple[str, str], item: Any) -> bool:
        """An item of a relationship field of record ``here`` (the far record itself, or an
        object with both ends) is visible: the relationship's sensitivity is read (its person
        end may be the caller) and every record in it is seen."""
        view = self.view
        person_end: str | None = here[1] if here[0] == view.person else None
        far = self._node(item)
        if far is not None:
            if far[0] == view.person:
                person_end = far[1]
            if not view.sees(*far):
                return False
        else:  # an edge object: every person it links is seen (a record's own relationship
            # fields, a feedback's reviewer, are judged as fields of that record)
            for person in self._people_in(item):
                person_end = person
                if not view.sees_person(person):
                    return False
        return view.sees_relationship(kind.rel, person_end)

    def _prop(self, owner: str, key: str) -> str | None:
        spec = (self.view.ontology.classes[owner] if owner in self.view.ontology.classes
                else self.view.ontology.relationships[owner])
        prop = snake(key)
        return prop if prop in spec.properties else None

    # -- the expected answer -------------------------------------------------------------

    def expect(self, value: Any, *, about: str | None = None,
               edge: tuple[EdgeKind, tuple[str, str]] | None = None) -> Any:
        """The caller's answer, from the admin's ``value`` (:data:`HIDDEN` for a record it
        may not see; in a list such items are left out). ``edge``: the value is what a
        relationship field of a record reads."""
        if isinstance(value, list):
            kept = []
            for item in value:
                if edge is not None and not self._edge_visible(edge[0], edge[1], item):
                    continue
                got = self._expect_item(item, about, edge)
                if got is not HIDDEN:
                    kept.append(got)
            return kept
        if edge is not None and value is not None \
                and not self._edge_visible(edge[0], edge[1], value):
            return None
        return self._expect_item(value, about, edge)

    def _expect_item(self, value: Any, about: str | None,
                     edge: tuple[EdgeKind, tuple[str, str]] | None) -> Any:
        if not isinstance(value, dict):
            return value
        node = self._node(value)
        if node is not None:
            return self._expect_node(value, node)
        if edge is not None:  # an object with both ends: its relationship's properties
            rel = edge[0].rel
            person = next(self._people_in(value), None) or about
            return {k: (None if v is not None and (prop := self._prop(rel, k)) is not None
                        and not self.view.reads(rel, prop, person)
                        else self._nested(v, person))
                    for k, v in value.items()}
        return {k: self._nested(v, about) for k, v in value.items()}

    def _nested(self, value: Any, about: str | None) -> Any:
        got = self.expect(value, about=about)
        return None if got is HIDDEN else got

    def _expect_node(self, value: dict[str, Any], node: tuple[str, str]) -> Any:
        class_name, key = node
        if not self.view.sees(class_name, key):
            return HIDDEN
        about = self.view.about(class_name, key)
        kinds = EDGE_FIELDS.get(value["__typename"], {})
        out: dict[str, Any] = {}
        for k, v in value.items():
            prop = self._prop(class_name, k)
            if prop is not None:
                out[k] = v if v is None or self.view.reads(class_name, prop, about) else None
            elif k in kinds and not kinds[k].counted:
                out[k] = self.expect(v, about=about, edge=(kinds[k], node))
            else:
                out[k] = self._nested(v, about)
        return out

    # -- counting leaks ------------------------------------------------------------------

    def leaks(self, value: Any, where: str = "") -> list[str]:
        """Everything in the caller's ``value`` it should not have got, as readable lines."""
        self.found = []
        self._walk(value, where, None, None)
        return self.found

    def _walk(self, value: Any, where: str, about: str | None,
              edge: tuple[EdgeKind, tuple[str, str]] | None) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                self._walk(item, f"{where}[{i}]", about, edge)
            return
        if isinstance(value, str):
            for person in EMPLOYEE_ID.findall(value):
                if person in all_employees() and not self.view.sees_person(person):
                    self.found.append(f"{where}: names {person} ({value[:80]!r})")
            return
        if not isinstance(value, dict):
            return
        if edge is not None and not self._edge_visible(edge[0], edge[1], value):
            self.found.append(f"{where}: a {edge[0].rel} the caller may not see")
        node = self._node(value)
        if node is not None:
            self._walk_node(value, node, where)
            return
        if value.get("__typename") == "Violation":
            focus = (value.get("focusClass"), value.get("focusId"))
            if None not in focus and not self.view.sees(str(focus[0]), str(focus[1])):
                self.found.append(f"{where}: a violation of {focus[0]} {focus[1]}")
        person = next(self._people_in(value), None) or about
        for k, v in value.items():
            if edge is not None and v is not None and (
                    prop := self._prop(edge[0].rel, k)) is not None \
                    and not self.view.reads(edge[0].rel, prop, person):
                self.found.append(f"{where}.{k}: {edge[0].rel}.{prop} = {v!r}")
            self._walk(v, f"{where}.{k}", person, None)

    def _walk_node(self, value: dict[str, Any], node: tuple[str, str], where: str) -> None:
        class_name, key = node
        where = f"{where}<{class_name} {key}>"
        if not self.view.sees(class_name, key):
            self.found.append(f"{where}: a record the caller may not see")
            return
        about = self.view.about(class_name, key)
        kinds = EDGE_FIELDS.get(value["__typename"], {})
        for k, v in value.items():
            prop = self._prop(class_name, k)
            if prop is not None:
                if v is not None and not self.view.reads(class_name, prop, about):
                    self.found.append(f"{where}.{k}: {class_name}.{prop} = {v!r}")
                if isinstance(v, str) and class_name != self.view.person:
                    self._walk(v, f"{where}.{k}", about, None)
            elif k in kinds and not kinds[k].counted:
                self._walk(v, f"{where}.{k}", about, (kinds[k], node))
            else:
                self._walk(v, f"{where}.{k}", about, None)


def people_named(value: Any) -> set[str]:
    """Every employee id anywhere in an answer: record ids, focus ids, ids inside text."""
    found: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for item in v.values():
                walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)
        elif isinstance(v, str):
            found.update(p for p in EMPLOYEE_ID.findall(v) if p in all_employees())

    walk(value)
    return found


def names_out_of_scope(value: Any, view: View) -> set[str]:
    """The names of people the caller may not see that appear as a value of the answer
    (names shared with someone it sees are left out)."""
    seen_names = {employee_names()[p] for p in view.people}
    hidden = {n for p, n in employee_names().items()
              if p not in view.people and n not in seen_names}
    found: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for item in v.values():
                walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)
        elif isinstance(v, str) and v in hidden:
            found.add(v)

    walk(value)
    return found
