"""The access policy (``schema/policy.yaml``): roles mapped to scopes and sensitivities.

Loaded like the ontology, with the same care: unknown keys, roles, scopes, sensitivities,
classes or relationship types are errors naming the file and line. The records it produces are
:mod:`domain.access`'s.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, cast

from domain.access import CHANGES, SCOPES, Changes, Policy, RolePolicy, Scope
from schema.ontology import Ontology, default_ontology
from schema.yamlload import LineMap, SourceError, load_yaml

POLICY_PATH = Path(__file__).with_name("policy.yaml")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {"person", "self_fields", "reporting_line", "roles"}
_ROLE_KEYS = {"sees", "fields", "changes", "relationships", "imports", "audit", "description"}


def load_policy(path: Path = POLICY_PATH, ontology: Ontology | None = None) -> Policy:
    """Load and check a policy file; raises :class:`SourceError` with file and line."""
    return _build(load_yaml(path), str(path), ontology or default_ontology())


@cache
def default_policy() -> Policy:
    """The shipped policy, loaded once per process."""
    return load_policy()


def _build(raw: Any, file: str, o: Ontology) -> Policy:
    if not isinstance(raw, LineMap):
        raise SourceError(file, 1, "a policy file is a mapping with 'person', 'self_fields' "
                                   "and 'roles'")
    for key in raw:
        if key not in _TOP_KEYS:
            raise SourceError(file, raw.line_of(key), f"unknown key {key!r} in the policy")
    person = raw.get("person")
    if person not in o.classes:
        raise SourceError(file, raw.line_of("person"), f"person: unknown class {person!r}")

    def level(m: LineMap, key: str, what: str) -> int:
        value = m.get(key)
        if value not in o.sensitivities:
            raise SourceError(file, m.line_of(key),
                              f"{what}: {key} must be one of {', '.join(o.sensitivities)}, "
                              f"not {value!r}")
        return o.sensitivities.index(value)

    roles_raw = raw.get("roles")
    if not isinstance(roles_raw, LineMap) or not roles_raw:
        raise SourceError(file, raw.line_of("roles"), "roles must be a mapping of role names")
    roles: dict[str, RolePolicy] = {}
    for name, body in roles_raw.items():
        line = roles_raw.line_of(name)
        what = f"role {name}"
        if not _NAME.match(name):
            raise SourceError(file, line, f"{what}: a role name is lower case letters, digits "
                                          "and '_'")
        if not isinstance(body, LineMap):
            raise SourceError(file, line, f"{what} must be a mapping")
        for key in body:
            if key not in _ROLE_KEYS:
                raise SourceError(file, body.line_of(key), f"unknown key {key!r} in {what}")
        sees, changes = body.get("sees"), body.get("changes", "none")
        if sees not in SCOPES:
            raise SourceError(file, body.line_of("sees"),
                              f"{what}: sees must be one of {', '.join(SCOPES)}, not {sees!r}")
        if changes not in CHANGES:
            raise SourceError(file, body.line_of("changes"),
                              f"{what}: changes must be one of {', '.join(CHANGES)}, "
                              f"not {changes!r}")
        rels = body.get("relationships") or []
        if not isinstance(rels, list):
            raise SourceError(file, body.line_of("relationships"),
                              f"{what}: relationships must be a list of relationship types")
        for rel in rels:
            if rel not in o.relationships:
                raise SourceError(file, body.line_of("relationships"),
                                  f"{what}: unknown relationship {rel!r}")
        for flag in ("imports", "audit"):
            if not isinstance(body.get(flag, False), bool):
                raise SourceError(file, body.line_of(flag), f"{what}: {flag} is true or false")
        roles[name] = RolePolicy(
            name=name, sees=cast(Scope, sees), fields=level(body, "fields", what),
            changes=cast(Changes, changes), relationships=tuple(rels),
            imports=bool(body.get("imports", False)), audit=bool(body.get("audit", False)),
            description=str(body.get("description", "")))
    line_raw = raw.get("reporting_line")
    if not isinstance(line_raw, LineMap) or set(line_raw) != {"holds", "reports_to"}:
        raise SourceError(file, raw.line_of("reporting_line"),
                          "reporting_line needs 'holds' and 'reports_to' relationship types")
    walk = line_raw
    holds, reports_to = o.relationships.get(walk["holds"]), o.relationships.get(
        walk["reports_to"])
    if holds is None or holds.source != person or holds.ended_by is None:
        raise SourceError(file, walk.line_of("holds"), f"reporting_line: holds must be a "
                                                       f"relationship from {person} that ends")
    if reports_to is None or not reports_to.source == reports_to.target == holds.target:
        raise SourceError(file, walk.line_of("reports_to"),
                          f"reporting_line: reports_to must go from {holds.target} to "
                          f"{holds.target}")
    return Policy(sensitivities=o.sensitivities, roles=roles, person=str(person),
                  self_fields=level(raw, "self_fields", "the policy"), source=file,
                  holds=holds.name, reports_to=reports_to.name)


def access_note(owner: str, prop: str | None = None, policy: Policy | None = None,
                ontology: Ontology | None = None) -> str:
    """Who reads a class's records, a relationship or a property, for the API's
    descriptions: empty up to the second sensitivity (organisation structure and an employee's
    plain file), else e.g. ``"sensitive: read by the roles admin, hr, manager ..."``."""
    o = ontology or default_ontology()
    p = policy or default_policy()
    spec = o.classes[owner] if owner in o.classes else o.relationships[owner]
    name = spec.sensitivity if prop is None else spec.properties[prop].sensitivity
    level = p.level(name)
    if level <= 1:
        return ""
    readers = ", ".join(p.readers(level))
    own = "; everyone reads their own" if p.self_fields >= level else ""
    return (f"{name}: read by the roles {readers}, each within the people it sees{own}; "
            "null or absent for other callers")
