"""Loading the fit model from the graph, and keeping one model per graph fresh.

The pure model is :mod:`domain.fit_model`; this module reads its rows with ten Cypher queries
(:func:`load_rows`; the big relationship tables come back as a few long lists in one record,
which the Bolt protocol moves far faster than rows), reloads the records writes touched
(:func:`apply_changes`) and keeps this process' model of each graph. Every label,
relationship type and property comes from the ontology through :class:`graph.cypher.Cypher`
(a position's department as the ontology declares it, a current assignment as one whose
``ended_by`` property is empty).

**Freshness.** :func:`fit_model` takes the model from a change-stamped cache
(:mod:`graph.cache`, the one that also keeps the duties' text index): one read of the change
stamp (:mod:`graph.changes`) per call. When writes happened since the model was built, it
reloads only the employees, positions, competencies and certificates they touched (the
departments whole) and regroups the arrays; after an import, a cleared graph or more writes
than the stamp's log remembers, it reloads everything.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np

from domain.fit_model import (
    BOOL,
    READINESS,
    EmployeeSlice,
    FitModel,
    FitTables,
    GraphRows,
    PositionSlice,
    StaleTables,
    build_model,
    make_tables,
    with_departments,
    with_employees,
    with_positions,
)
from domain.records import Record
from domain.succession import DEFAULT_THRESHOLDS, Successor, Thresholds, successors
from graph.access import Visibility
from graph.cache import StampedCache
from graph.changes import Stamp, Touched
from graph.cypher import Cypher
from graph.db import Graph, native
from schema.ontology import EdgeKind

# -- loading from the graph --------------------------------------------------------------------


def _record(names: list[str], values: list[Any]) -> Record:
    return {n: native(v) for n, v in zip(names, values, strict=True) if v is not None}


def _match(q: Cypher, class_name: str, keyed: bool) -> str:
    """``n``: every record of a class, or (``keyed``) those whose keys are in ``$keys``."""
    if keyed:
        return f"UNWIND $keys AS k MATCH {q.node('n', class_name, 'k')}"
    return f"MATCH {q.node('n', class_name)}"


def _keys(keys: list[str] | None) -> dict[str, Any]:
    """The query parameters of :func:`_match`."""
    return {} if keys is None else {"keys": keys}


async def _load_entities(graph: Graph, q: Cypher, class_name: str,
                         keys: list[str] | None = None) -> list[Record]:
    names, row = q.values(class_name, "n")
    rows = await graph.read(
        f"{_match(q, class_name, keys is not None)} RETURN collect({row}) AS rows", **_keys(keys))
    return [_record(names, r) for r in rows[0]["rows"]] if rows else []


async def _load_departments(graph: Graph, q: Cypher) -> list[tuple[Record, str | None]]:
    """Every department with the key of the one above it (None for a root)."""
    dept = q.o.department_class
    names, row = q.values(dept, "n")
    up = q.step(EdgeKind(q.o.department_tree.name, "out"), "", "up")
    rows = await graph.read(f"MATCH {q.node('n', dept)} OPTIONAL MATCH (n){up} "
                            f"RETURN collect([{row}, up.{q.key(dept)}]) AS rows")
    return [(_record(names, r[0]), r[1]) for r in (rows[0]["rows"] if rows else [])]


def _position_slice_query(q: Cypher, keyed: bool) -> str:
    _, row = q.values("Position", "n")
    L, T = q.L, q.T
    req = "REQUIRES_COMPETENCY"
    return (f"{_match(q, 'Position', keyed)} "
            f"OPTIONAL MATCH {q.department_of('Position', 'n', 'd')} "
            f"RETURN {row} AS p, d.{q.key(q.o.department_class)} AS dept, "
            f"[(n)-[r:{T.REQUIRES_COMPETENCY}]->(c:{L.Competency}) | [c.{q.key('Competency')}, "
            f"r.{q.rel_prop(req, 'level')}, r.{q.rel_prop(req, 'weight')}, "
            f"r.{q.rel_prop(req, 'mandatory')}]] AS reqs, "
            f"[(n)-[:{T.REQUIRES_CERTIFICATE}]->(c:{L.Certificate}) | "
            f"c.{q.key('Certificate')}] AS certs")


def _position_slice(names: list[str], row: dict[str, Any]) -> PositionSlice:
    return PositionSlice(
        record=_record(names, row["p"]), department=row["dept"],
        requirements=[(str(c), int(lv), float(1.0 if w is None else w), bool(m))
                      for c, lv, w, m in row["reqs"] if lv is not None],
        certificates=[str(c) for c in row["certs"]])


async def _load_positions(graph: Graph, q: Cypher,
                          keys: list[str] | None) -> dict[str, PositionSlice]:
    """Positions (all, or those with these keys) with department, requirements and
    required certificates."""
    names, _ = q.values("Position", "n")
    rows = await graph.read(_position_slice_query(q, keys is not None), **_keys(keys))
    slices = [_position_slice(names, r) for r in rows]
    return {str(s.record["id"]): s for s in slices}


def _employee_slice_query(q: Cypher) -> str:
    _, row = q.values("Employee", "n")
    L, T = q.L, q.T
    hc, hcert, nom = "HAS_COMPETENCY", "HAS_CERTIFICATE", "NOMINATED_SUCCESSOR"
    pos, comp, cert = q.key("Position"), q.key("Competency"), q.key("Certificate")
    return (
        f"{_match(q, 'Employee', keyed=True)} RETURN {row} AS e, "
        f"[(n)-[r:{T.HAS_COMPETENCY}]->(c:{L.Competency}) | "
        f"[c.{comp}, r.{q.rel_prop(hc, 'level')}]] AS comps, "
        f"[(n)-[r:{T.HAS_CERTIFICATE}]->(c:{L.Certificate}) | "
        f"[c.{cert}, r.{q.rel_prop(hcert, 'expires_on')}]] AS certs, "
        f"[(n)-[h:{T.HOLDS_POSITION}]->(p:{L.Position}) "
        f"WHERE {q.current('HOLDS_POSITION', 'h')} | p.{pos}] AS holds, "
        f"[(n)-[:{T.HAS_REVIEW}]->(r:{L.PerformanceReview}) | "
        f"[r.{q.prop('PerformanceReview', 'period')}, "
        f"r.{q.prop('PerformanceReview', 'rating')}]] AS reviews, "
        f"[(n)-[r:{T.NOMINATED_SUCCESSOR}]->(p:{L.Position}) | [p.{pos}, "
        f"r.{q.rel_prop(nom, 'readiness')}]] AS noms")


async def _load_employee_slices(graph: Graph, q: Cypher,
                                keys: list[str]) -> dict[str, EmployeeSlice | None]:
    """These employees' rows (None for one that is gone)."""
    names, _ = q.values("Employee", "n")
    rows = await graph.read(_employee_slice_query(q), keys=keys)
    found: dict[str, EmployeeSlice | None] = {k: None for k in keys}
    for row in rows:
        record = _record(names, row["e"])
        found[str(record["id"])] = EmployeeSlice(
            record=record,
            competencies=[(str(c), int(lv)) for c, lv in row["comps"] if lv is not None],
            certificates=[(str(c), native(x)) for c, x in row["certs"]],
            holds=[str(p) for p in row["holds"]],
            reviews=[(str(p), int(r)) for p, r in row["reviews"] if p is not None and r],
            nominations=[(str(p), str(r)) for p, r in row["noms"] if r in READINESS])
    return found


async def load_rows(graph: Graph) -> GraphRows:
    """Read everything the model needs (ten queries; the big relationship tables come back
    as a few long lists in one record, which the Bolt protocol moves far faster than rows)."""
    q = graph.cy
    L, T = q.L, q.T
    e_key, p_key, c_key = q.key("Employee"), q.key("Position"), q.key("Competency")
    level = q.rel_prop("HAS_COMPETENCY", "level")
    expires_on = q.rel_prop("HAS_CERTIFICATE", "expires_on")
    readiness = q.rel_prop("NOMINATED_SUCCESSOR", "readiness")
    period, rating = (q.prop("PerformanceReview", p) for p in ("period", "rating"))
    ec = (await graph.read(
        f"MATCH (e:{L.Employee})-[r:{T.HAS_COMPETENCY}]->(c:{L.Competency}) "
        f"WHERE r.{level} IS NOT NULL "
        f"RETURN collect(e.{e_key}) AS e, collect(c.{c_key}) AS c, collect(r.{level}) AS lv"))[0]
    held = (await graph.read(
        f"MATCH (e:{L.Employee})-[r:{T.HAS_CERTIFICATE}]->(c:{L.Certificate}) "
        f"RETURN collect([e.{e_key}, c.{q.key('Certificate')}, r.{expires_on}]) AS rows"
    ))[0]["rows"]
    holds = (await graph.read(
        f"MATCH (e:{L.Employee})-[h:{T.HOLDS_POSITION}]->(p:{L.Position}) "
        f"WHERE {q.current('HOLDS_POSITION', 'h')} "
        f"RETURN collect(e.{e_key}) AS e, collect(p.{p_key}) AS p"))[0]
    reviews = (await graph.read(
        f"MATCH (e:{L.Employee})-[:{T.HAS_REVIEW}]->(r:{L.PerformanceReview}) "
        f"WHERE r.{period} IS NOT NULL AND r.{rating} IS NOT NULL "
        f"RETURN collect(e.{e_key}) AS e, collect(r.{period}) AS p, "
        f"collect(r.{rating}) AS r"))[0]
    noms = (await graph.read(
        f"MATCH (e:{L.Employee})-[r:{T.NOMINATED_SUCCESSOR}]->(p:{L.Position}) "
        f"RETURN collect([e.{e_key}, p.{p_key}, r.{readiness}]) AS rows"))[0]["rows"]
    return GraphRows(
        employees=await _load_entities(graph, q, "Employee"),
        competencies=await _load_entities(graph, q, "Competency"),
        certificates=await _load_entities(graph, q, "Certificate"),
        departments=await _load_departments(graph, q),
        positions=list((await _load_positions(graph, q, None)).values()),
        levels=[(str(e), str(c), int(lv))
                for e, c, lv in zip(ec["e"], ec["c"], ec["lv"], strict=True)],
        held=[(str(e), str(c), native(x)) for e, c, x in held],
        holds=[(str(e), str(p)) for e, p in zip(holds["e"], holds["p"], strict=True)],
        reviews=[(str(e), str(p), int(r))
                 for e, p, r in zip(reviews["e"], reviews["p"], reviews["r"], strict=True)],
        nominations=[(str(e), str(p), str(r)) for e, p, r in noms])


async def load_tables(graph: Graph) -> FitTables:
    """Load and index everything (about 6 s for 50,000 employees on the embedded engine)."""
    return make_tables(await load_rows(graph))


async def apply_changes(graph: Graph, tables: FitTables, touched: list[Touched]) -> FitTables:
    """The tables with the touched records reloaded; raises :class:`StaleTables` when a reloaded
    row refers to a record the tables do not know (then everything is reloaded)."""
    q = graph.cy
    by_class: dict[str, list[str]] = {}
    for class_name, key in touched:
        by_class.setdefault(class_name, []).append(key)
    t = tables
    if q.o.department_class in by_class:
        t = with_departments(t, await _load_departments(graph, q))
    for class_name in ("Competency", "Certificate"):
        keys = sorted(set(by_class.get(class_name, [])))
        if keys:
            found = {str(r["id"]): r for r in await _load_entities(graph, q, class_name, keys)}
            changes: dict[str, Record | None] = {k: found.get(k) for k in keys}
            if class_name == "Competency":
                t = replace(t, competencies=t.competencies.updated(changes))
            else:
                t = replace(t, certificates=t.certificates.updated(changes))
    keys = sorted(set(by_class.get("Position", [])))
    if keys:
        loaded = await _load_positions(graph, q, keys)
        t = with_positions(t, {k: loaded.get(k) for k in keys})
    keys = sorted(set(by_class.get("Employee", [])))
    if keys:
        t = with_employees(t, await _load_employee_slices(graph, q, keys))
    return t


# -- one model per graph, kept fresh -----------------------------------------------------------


async def _build(graph: Graph, previous: FitModel | None) -> FitModel:
    return build_model(await load_tables(graph))


async def _update(graph: Graph, model: FitModel, touched: list[Touched]) -> FitModel | None:
    try:
        return build_model(await apply_changes(graph, model.tables, touched))
    except StaleTables:
        return None


#: after an import the old model answers until the new one is built (README, Fit)
_models: StampedCache[FitModel] = StampedCache(_build, _update, stale_while_rebuilding=True)


async def fit_model(graph: Graph, stamp: Stamp | None = None) -> FitModel:
    """This process' model of ``graph``, brought up to date with the change stamp first.

    One read when nothing changed; the touched records when something did; everything after
    an import (or when the stamp's log no longer reaches back to the model's version).
    """
    return await _models.get(graph, stamp)


def load_counts(graph: Graph) -> tuple[int, int]:
    """(full loads, partial reloads) of this process' model of ``graph`` so far."""
    return _models.counts(graph)


async def computed_successors(graph: Graph, position_ids: list[str], as_of: date | None = None,
                              thresholds: Thresholds = DEFAULT_THRESHOLDS,
                              ) -> dict[str, list[Successor]]:
    """For each position id: its computed successors in every band, in plan order.

    The entry point for other features (e.g. a compliance rule "key positions have a ready
    successor" that also counts computed successors): one fresh model, no GraphQL.
    """
    thresholds.check()
    m = await fit_model(graph)
    day = as_of or date.today()
    return {pid: successors(m, m.positions.get(pid, "Position", "position_ids"), day, thresholds)
            for pid in position_ids}


#: what fit and succession answers read about people: a caller reading less than the most
#: sensitive of these sees such answers about itself only
FIT_INPUTS: tuple[tuple[str, str | None], ...] = (
    ("HAS_COMPETENCY", None), ("HAS_CERTIFICATE", None), ("NOMINATED_SUCCESSOR", None),
    ("PerformanceReview", None), ("Employee", "potential"), ("Employee", "flight_risk"))


def visible_people(m: FitModel, visibility: Visibility) -> BOOL | None:
    """Per employee of the model: whether the caller may see fit and succession answers about
    them (None: everyone). The same scope as the Cypher predicates (:mod:`graph.access`): the
    caller itself, the people of its departments, the holders of its reporting line."""
    grant = visibility.grant
    needs = max(visibility.level(owner, prop) for owner, prop in FIT_INPUTS)
    if grant.unrestricted and grant.fields >= needs:
        return None
    mask = np.zeros(m.n_emp, dtype=np.bool_)
    if visibility.self_id is not None:
        e = m.employees.find(visibility.self_id)
        if e is not None and grant.may_read(needs, own=True):
            mask[e] = True
    if grant.fields < needs:
        return mask
    if grant.unrestricted:
        return np.ones(m.n_emp, dtype=np.bool_)
    if visibility.departments is not None:
        found = {d for d in (m.departments.find(k) for k in visibility.departments)
                 if d is not None}
        mask |= m.employees_in(m.positions_in(found))
    if visibility.positions is not None:
        positions = np.zeros(m.n_pos, dtype=np.bool_)
        for key in visibility.positions:
            p = m.positions.find(key)
            if p is not None:
                positions[p] = True
        mask |= m.employees_in(positions & m.per_position.alive)
    return mask


async def fit_model_for(graph: Graph, visibility: Visibility) -> FitModel:
    """:func:`fit_model` as the caller sees it (:meth:`FitModel.seen_by`)."""
    m = await fit_model(graph, visibility.stamp)
    visible = visible_people(m, visibility)
    return m if visible is None else m.seen_by(visible)
