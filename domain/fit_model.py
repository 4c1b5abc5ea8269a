"""The fit model: what person-to-position fit needs, held in memory as numpy arrays (pure).

Scoring every employee against a position in Cypher costs tens of milliseconds on 50,000
employees; over arrays it costs well under one. The graph layer (:mod:`graph.fit_loader`)
reads the rows with a handful of Cypher queries (:class:`GraphRows`); here they become

* :class:`FitTables`: records of employees, positions, competencies, certificates and
  departments with stable integer indices (new ones are appended, deleted ones become
  ``None``), each relationship's rows as a record of integer columns (:class:`Requirements`,
  :class:`RequiredCertificates`, :class:`Levels` assessed, :class:`HeldCertificates` with
  expiry, current :class:`Assignments`, :class:`Nominations`) and the latest review of each
  employee (the greatest ``period``);
* :class:`FitModel`: those rows grouped by either end (:class:`Grouped`: the rows of one key
  are a slice of every column), so that a position's requirements, a competency's holders or
  an employee's levels are array slices, and one value per employee and per position
  (:class:`EmployeeColumns`, :class:`PositionColumns`).

Where the graph holds two assessments of one competency for one employee, the higher counts.
A partial reload replaces the rows of the records a write touched (:func:`with_employees`,
:func:`with_positions`, :func:`with_departments`); a model is immutable, so a request keeps
the snapshot it started with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import Field, dataclass, field, fields, replace
from datetime import date
from typing import Any, Generic, Self, TypeVar

import numpy as np
from numpy.typing import NDArray

from domain.errors import NotFound
from domain.records import Record

I32 = NDArray[np.int32]
I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
BOOL = NDArray[np.bool_]

#: Expiry of a certificate that never expires (a date ordinal beyond any real date).
NO_EXPIRY = int(np.iinfo(np.int32).max)
READINESS: tuple[str, ...] = ("ready_now", "ready_1_2_years", "ready_3_plus_years")
LEVELS: tuple[str, ...] = ("low", "medium", "high")


class StaleTables(Exception):
    """A partial reload met a record the model does not know: reload everything."""


# -- entities ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entities:
    """Records of one class with stable indices; a deleted record leaves ``None``."""

    records: tuple[Record | None, ...]
    index: dict[str, int]

    @classmethod
    def of(cls, records: Iterable[Record], key: str = "id") -> Entities:
        ordered = sorted(records, key=lambda r: str(r[key]))
        return cls(tuple(ordered), {str(r[key]): i for i, r in enumerate(ordered)})

    def __len__(self) -> int:
        return len(self.records)

    def find(self, key: str) -> int | None:
        i = self.index.get(key)
        return None if i is None or self.records[i] is None else i

    def get(self, key: str, what: str, field: str) -> int:
        """The index of a live record, or :class:`NotFound` naming the argument."""
        i = self.find(key)
        if i is None:
            raise NotFound(f"no {what} with id {key!r}", field=field)
        return i

    def record(self, i: int) -> Record:
        r = self.records[i]
        assert r is not None, i
        return r

    def updated(self, changes: dict[str, Record | None]) -> Entities:
        """A copy with these records replaced, added (appended) or deleted (``None``)."""
        records = list(self.records)
        index = dict(self.index)
        for key, record in sorted(changes.items()):
            i = index.get(key)
            if i is None:
                if record is None:
                    continue
                index[key] = len(records)
                records.append(record)
            else:
                records[i] = record
        return Entities(tuple(records), index)

    def ranks(self) -> I64:
        """Each index's place in id order (deleted ones included), for ties broken by id."""
        order = sorted(range(len(self.records)), key=lambda i: self._key(i))
        rank = np.empty(len(self.records), dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
        return rank

    def _key(self, i: int) -> str:
        r = self.records[i]
        return "" if r is None else str(r["id"])

    def alive(self) -> BOOL:
        return np.fromiter((r is not None for r in self.records), dtype=np.bool_,
                           count=len(self.records))


# -- rows of the relationships ----------------------------------------------------------------

_DTYPES: dict[str, type[np.generic]] = {"I32": np.int32, "I64": np.int64, "F64": np.float64,
                                        "BOOL": np.bool_}


def _dtype(f: Field[Any]) -> type[np.generic]:
    try:
        return _DTYPES[str(f.type)]
    except KeyError:
        raise TypeError(f"column {f.name} must be annotated I32, I64, F64 or BOOL") from None


@dataclass(frozen=True, eq=False)
class Rows:
    """The rows of one relationship as equally long columns, one field each (annotated
    ``I32``, ``I64``, ``F64`` or ``BOOL``): the records below."""

    @classmethod
    def of(cls, rows: Sequence[tuple[Any, ...]]) -> Self:
        """Columns from tuples holding the values in field order."""
        return cls(**{f.name: np.fromiter((r[j] for r in rows), dtype=_dtype(f), count=len(rows))
                      for j, f in enumerate(fields(cls))})

    def take(self, index: NDArray[Any] | slice) -> Self:
        """The rows an index array, a boolean mask or a slice picks, in that order."""
        return replace(self, **{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def concat(self, other: Self) -> Self:
        """These rows, then ``other``'s."""
        return replace(self, **{f.name: np.concatenate([getattr(self, f.name),
                                                        getattr(other, f.name)])
                                for f in fields(self)})


@dataclass(frozen=True, eq=False)
class Requirements(Rows):
    """Competencies positions require (``REQUIRES_COMPETENCY``)."""

    position: I32
    competency: I32
    level: I32
    weight: F64  # 1 when not given
    mandatory: BOOL


@dataclass(frozen=True, eq=False)
class RequiredCertificates(Rows):
    """Certificates positions require (``REQUIRES_CERTIFICATE``)."""

    position: I32
    certificate: I32


@dataclass(frozen=True, eq=False)
class Levels(Rows):
    """Assessed competency levels (``HAS_COMPETENCY``)."""

    employee: I32
    competency: I32
    level: I32


@dataclass(frozen=True, eq=False)
class HeldCertificates(Rows):
    """Certificates employees hold (``HAS_CERTIFICATE``)."""

    employee: I32
    certificate: I32
    expiry: I32  # date ordinal; NO_EXPIRY: never expires


@dataclass(frozen=True, eq=False)
class Assignments(Rows):
    """Positions employees hold now (``HOLDS_POSITION``, not ended)."""

    employee: I32
    position: I32


@dataclass(frozen=True, eq=False)
class Nominations(Rows):
    """Manual successor nominations (``NOMINATED_SUCCESSOR``)."""

    employee: I32
    position: I32
    readiness: I32  # index into READINESS


R = TypeVar("R", bound=Rows)


@dataclass(frozen=True, eq=False)
class Grouped(Generic[R]):
    """Rows grouped by a key 0..n-1 (a position, an employee ...): the rows of key ``k`` are
    ``ptr[k]:ptr[k + 1]`` of every column of ``cols``."""

    ptr: I64
    cols: R

    @classmethod
    def by(cls, cols: R, key: I32, n: int,
           order: NDArray[np.integer[Any]] | None = None) -> Grouped[R]:
        """``cols`` grouped by ``key`` (values 0..n-1, one per row), rows of one key in their
        present order, or in ``order`` (which must sort ``key``)."""
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(key, minlength=n), out=ptr[1:])
        return cls(ptr, cols.take(np.argsort(key, kind="stable") if order is None else order))

    def bounds(self, k: int) -> tuple[int, int]:
        """Where the rows of key ``k`` start and end."""
        return int(self.ptr[k]), int(self.ptr[k + 1])

    def rows(self, k: int) -> slice:
        """The rows of key ``k``, to index any column of ``cols`` with."""
        return slice(int(self.ptr[k]), int(self.ptr[k + 1]))

    def counts(self) -> I64:
        """Per key: how many rows it has."""
        return np.diff(self.ptr)

    def gather(self, keys: NDArray[np.integer[Any]]) -> tuple[I64, I64]:
        """The rows of many keys at once, key after key: for each, its place in ``keys`` and
        its row number in ``cols``."""
        counts = (self.ptr[keys + 1] - self.ptr[keys]).astype(np.int64)
        owner = np.repeat(np.arange(len(keys), dtype=np.int64), counts)
        before = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(counts)[:-1]])
        rows = (np.repeat(self.ptr[keys] - before, counts)
                + np.arange(int(counts.sum()), dtype=np.int64))
        return owner, rows


# -- the raw tables ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FitTables:
    """Everything loaded, as records and rows of integer indices (no derived structure)."""

    employees: Entities
    positions: Entities
    competencies: Entities
    certificates: Entities
    departments: Entities
    position_department: I32  # per position: department index, -1 none
    department_parent: I32  # per department: parent index, -1 for a root
    requirements: Requirements
    required_certificates: RequiredCertificates
    levels: Levels
    held_certificates: HeldCertificates
    assignments: Assignments
    nominations: Nominations
    # latest review per employee: rating (0 = none) and its period
    rating: I32
    rating_period: tuple[str | None, ...]


@dataclass(frozen=True)
class EmployeeSlice:
    """One employee's part of the tables, as loaded for a partial reload."""

    record: Record
    competencies: list[tuple[str, int]]
    certificates: list[tuple[str, date | None]]
    holds: list[str]
    reviews: list[tuple[str, int]]
    nominations: list[tuple[str, str]]


@dataclass(frozen=True)
class PositionSlice:
    """One position's part of the tables: record, department, requirements, certificates."""

    record: Record
    department: str | None
    requirements: list[tuple[str, int, float, bool]]
    certificates: list[str]


def _expiry(value: date | None) -> int:
    return NO_EXPIRY if value is None else value.toordinal()


def _latest(reviews: Iterable[tuple[str, int]]) -> tuple[int, str | None]:
    """The rating of the greatest period (periods sort as text: "2024" < "2025")."""
    best: tuple[str, int] | None = None
    for period, rating in reviews:
        if best is None or period > best[0]:
            best = (period, rating)
    return (0, None) if best is None else (int(best[1]), best[0])


def _lookup(entities: Entities, key: str | None) -> int:
    if key is None:
        return -1
    i = entities.find(key)
    if i is None:
        raise StaleTables(key)
    return i


def with_employees(t: FitTables, slices: dict[str, EmployeeSlice | None]) -> FitTables:
    """The tables with these employees' rows replaced (``None``: the employee is gone)."""
    employees = t.employees.updated({k: None if s is None else s.record
                                     for k, s in slices.items()})
    idx = {k: employees.index[k] for k in slices if k in employees.index}
    touched = np.fromiter(idx.values(), dtype=np.int32, count=len(idx))
    ec: list[tuple[int, int, int]] = []
    certs: list[tuple[int, int, int]] = []
    holds: list[tuple[int, int]] = []
    noms: list[tuple[int, int, int]] = []
    rating = np.zeros(len(employees), dtype=np.int32)
    rating[:len(t.rating)] = t.rating
    periods = list(t.rating_period) + [None] * (len(employees) - len(t.rating_period))
    for key, s in slices.items():
        if key not in idx:
            continue
        e = idx[key]
        rating[e], periods[e] = 0, None
        if s is None:
            continue
        ec += [(e, _lookup(t.competencies, c), lv) for c, lv in s.competencies]
        certs += [(e, _lookup(t.certificates, c), _expiry(x)) for c, x in s.certificates]
        holds += [(e, _lookup(t.positions, p)) for p in s.holds]
        noms += [(e, _lookup(t.positions, p), READINESS.index(r)) for p, r in s.nominations]
        rating[e], periods[e] = _latest(s.reviews)

    def kept(employee: I32) -> BOOL:
        return ~np.isin(employee, touched)

    return replace(
        t, employees=employees,
        levels=t.levels.take(kept(t.levels.employee)).concat(Levels.of(ec)),
        held_certificates=t.held_certificates.take(kept(t.held_certificates.employee)).concat(
            HeldCertificates.of(certs)),
        assignments=t.assignments.take(kept(t.assignments.employee)).concat(
            Assignments.of(holds)),
        nominations=t.nominations.take(kept(t.nominations.employee)).concat(
            Nominations.of(noms)),
        rating=rating, rating_period=tuple(periods))


def with_positions(t: FitTables, slices: dict[str, PositionSlice | None]) -> FitTables:
    """The tables with these positions' records, departments, requirements and required
    certificates replaced (``None``: the position is gone)."""
    positions = t.positions.updated({k: None if s is None else s.record
                                     for k, s in slices.items()})
    idx = {k: positions.index[k] for k in slices if k in positions.index}
    touched = np.fromiter(idx.values(), dtype=np.int32, count=len(idx))
    dept = np.full(len(positions), -1, dtype=np.int32)
    dept[:len(t.position_department)] = t.position_department
    reqs: list[tuple[int, int, int, float, bool]] = []
    pcerts: list[tuple[int, int]] = []
    for key, s in slices.items():
        if key not in idx:
            continue
        p = idx[key]
        dept[p] = -1
        if s is None:
            continue
        dept[p] = _lookup(t.departments, s.department)
        reqs += [(p, _lookup(t.competencies, c), lv, w, m) for c, lv, w, m in s.requirements]
        pcerts += [(p, _lookup(t.certificates, c)) for c in s.certificates]
    return replace(
        t, positions=positions, position_department=dept,
        requirements=t.requirements.take(~np.isin(t.requirements.position, touched)).concat(
            Requirements.of(reqs)),
        required_certificates=t.required_certificates.take(
            ~np.isin(t.required_certificates.position, touched)).concat(
            RequiredCertificates.of(pcerts)))


def with_departments(t: FitTables, records: list[tuple[Record, str | None]]) -> FitTables:
    """The tables with the whole department tree replaced (departments are few)."""
    present = {str(r["id"]) for r, _ in records}
    changes: dict[str, Record | None] = {k: None for k in t.departments.index
                                         if k not in present}
    changes.update({str(r["id"]): r for r, _ in records})
    departments = t.departments.updated(changes)
    parent = np.full(len(departments), -1, dtype=np.int32)
    for r, up in records:
        parent[departments.index[str(r["id"])]] = -1 if up is None else departments.index.get(
            up, -1)
    return replace(t, departments=departments, department_parent=parent)


# -- the model: the tables grouped for fast slicing --------------------------------------------


def _level_code(value: Any) -> int:
    return LEVELS.index(value) if value in LEVELS else -1


def _distinct(rows: R, first: I32, second: I32, n_second: int) -> R:
    """``rows`` with each (first, second) pair once, in (first, second) order."""
    _, index = np.unique(first.astype(np.int64) * max(n_second, 1) + second, return_index=True)
    return rows.take(index)


@dataclass(frozen=True, eq=False)
class EmployeeColumns:
    """One value per employee index (deleted employees included)."""

    alive: BOOL
    rank: I64  # place in id order, for ties broken by id
    grade: I32  # the highest grade among the positions held now, -1: none
    rating: I32  # the latest review's rating, 0: none
    potential: I32  # index into LEVELS, -1: not on file
    flight_risk: I32  # index into LEVELS, -1: not on file


@dataclass(frozen=True, eq=False)
class PositionColumns:
    """One value per position index (deleted positions included)."""

    alive: BOOL
    rank: I64  # place in id order, for ties broken by id
    grade: I32  # -1 for a deleted position
    is_key: BOOL
    department: I32  # department index, -1: none
    weight: F64  # the sum of its requirements' weights, added in requirement order
    mandatory: I64  # how many of its requirements are mandatory
    certificates: I64  # how many distinct certificates it requires


@dataclass(frozen=True, eq=False)
class FitModel:
    """An immutable snapshot of the tables with every grouping the scoring needs.

    Each relationship's rows are grouped by the end the scoring starts from: a position's
    requirements are ``requirements_by_position.rows(p)`` of its columns (by competency
    within), a competency's assessed holders ``levels_by_competency.rows(c)``, and so on.
    Assessed levels are one per (employee, competency), the highest; required certificates
    and assignments one per pair.
    """

    tables: FitTables
    n_emp: int
    n_pos: int
    n_comp: int
    n_cert: int
    per_employee: EmployeeColumns
    per_position: PositionColumns
    requirements_by_position: Grouped[Requirements]
    requirements_by_competency: Grouped[Requirements]
    levels_by_employee: Grouped[Levels]
    levels_by_competency: Grouped[Levels]
    #: ``employee × n_comp + competency`` of each row of ``levels_by_employee`` (sorted)
    level_keys: I64
    required_certificates_by_position: Grouped[RequiredCertificates]
    required_certificates_by_certificate: Grouped[RequiredCertificates]
    held_certificates_by_employee: Grouped[HeldCertificates]
    held_certificates_by_certificate: Grouped[HeldCertificates]
    assignments_by_employee: Grouped[Assignments]
    assignments_by_position: Grouped[Assignments]
    nominations_by_position: Grouped[Nominations]
    department_children: dict[int, list[int]] = field(default_factory=dict)

    # -- lookups ------------------------------------------------------------------------------

    @property
    def employees(self) -> Entities:
        return self.tables.employees

    @property
    def positions(self) -> Entities:
        return self.tables.positions

    @property
    def competencies(self) -> Entities:
        return self.tables.competencies

    @property
    def certificates(self) -> Entities:
        return self.tables.certificates

    @property
    def departments(self) -> Entities:
        return self.tables.departments

    def level(self, e: int, c: int) -> int:
        """Employee ``e``'s assessed level in competency ``c`` (0 when not assessed)."""
        levels = self.levels_by_employee
        lo, hi = levels.bounds(e)
        comps = levels.cols.competency
        j = lo + int(np.searchsorted(comps[lo:hi], c))
        return int(levels.cols.level[j]) if j < hi and comps[j] == c else 0

    def levels(self, emps: NDArray[np.integer[Any]], comps: NDArray[np.integer[Any]]) -> I32:
        """Assessed levels for many (employee, competency) pairs at once (0 = none)."""
        out = np.zeros(len(emps), dtype=np.int32)
        if len(self.level_keys) == 0 or len(emps) == 0:
            return out
        keys = emps.astype(np.int64) * self.n_comp + comps
        j = np.minimum(np.searchsorted(self.level_keys, keys), len(self.level_keys) - 1)
        hit = self.level_keys[j] == keys
        out[hit] = self.levels_by_employee.cols.level[j[hit]]
        return out

    def incumbents(self, p: int) -> I32:
        """The employees holding position ``p`` now (those the model shows)."""
        held = self.assignments_by_position
        people = held.cols.employee[held.rows(p)]
        return people[self.per_employee.alive[people]]

    def employee(self, key: str, field: str = "employee") -> int:
        """The index of an employee the model shows, or :class:`NotFound` naming the
        argument (one the caller may not see is not found, like one that does not exist)."""
        e = self.employees.get(key, "Employee", field)
        if not self.per_employee.alive[e]:
            raise NotFound(f"no Employee with id {key!r}", field=field)
        return e

    def seen_by(self, visible: BOOL) -> FitModel:
        """The model as a caller sees it: the employees outside ``visible`` are left out of
        every answer, as deleted ones are (a view: no array is copied but one)."""
        return replace(self, per_employee=replace(
            self.per_employee, alive=self.per_employee.alive & visible))

    def held_positions(self, e: int) -> I32:
        """The positions employee ``e`` holds now."""
        held = self.assignments_by_employee
        return held.cols.position[held.rows(e)]

    def department_subtree(self, key: str, field: str = "department") -> set[int]:
        """A department's index and those of every department below it."""
        root = self.departments.get(key, "Department", field)
        found, todo = set(), [root]
        while todo:
            d = todo.pop()
            if d not in found:
                found.add(d)
                todo += self.department_children.get(d, [])
        return found

    def positions_in(self, departments: set[int]) -> BOOL:
        """Per position: whether it belongs to one of these departments."""
        ids = np.fromiter(departments, dtype=np.int32, count=len(departments))
        return np.isin(self.per_position.department, ids) & self.per_position.alive

    def employees_in(self, positions: BOOL) -> BOOL:
        """Per employee: whether they currently hold one of these positions."""
        held = self.assignments_by_employee.cols
        mask = np.zeros(self.n_emp, dtype=np.bool_)
        mask[held.employee[positions[held.position]]] = True
        return mask & self.per_employee.alive


def build_model(t: FitTables) -> FitModel:
    """Group the tables (pure numpy; about 0.1 s for 50,000 employees)."""
    n_emp, n_pos = len(t.employees), len(t.positions)
    n_comp, n_cert = len(t.competencies), len(t.certificates)
    # assessed levels: one per (employee, competency), the highest
    key = t.levels.employee.astype(np.int64) * n_comp + t.levels.competency
    order = np.lexsort((t.levels.level, key))
    key = key[order]
    last = np.ones(len(key), dtype=np.bool_)
    last[:-1] = key[1:] != key[:-1]
    levels = t.levels.take(order[last])  # by employee, then competency
    # requirements, by position (by competency within) and by competency
    reqs = t.requirements
    requirements_by_position = Grouped.by(reqs, reqs.position, n_pos,
                                          np.lexsort((reqs.competency, reqs.position)))
    by_position = requirements_by_position.cols
    weight = np.bincount(by_position.position, weights=by_position.weight,  # in term order
                         minlength=n_pos).astype(np.float64)
    required = _distinct(t.required_certificates, t.required_certificates.position,
                         t.required_certificates.certificate, n_cert)
    required_by_position = Grouped.by(required, required.position, n_pos)
    held = t.held_certificates
    assignments = _distinct(t.assignments, t.assignments.employee, t.assignments.position, n_pos)
    # the grade each employee holds now
    pos_grade = np.fromiter((-1 if r is None else int(r["grade"]) for r in t.positions.records),
                            dtype=np.int32, count=n_pos)
    emp_grade = np.full(n_emp, -1, dtype=np.int32)
    np.maximum.at(emp_grade, assignments.employee, pos_grade[assignments.position])
    children: dict[int, list[int]] = {}
    for d, up in enumerate(t.department_parent.tolist()):
        if up >= 0 and t.departments.records[d] is not None:
            children.setdefault(up, []).append(d)
    emps = t.employees.records
    return FitModel(
        tables=t, n_emp=n_emp, n_pos=n_pos, n_comp=n_comp, n_cert=n_cert,
        per_employee=EmployeeColumns(
            alive=t.employees.alive(), rank=t.employees.ranks(), grade=emp_grade,
            rating=t.rating,
            potential=np.fromiter((_level_code(r and r.get("potential")) for r in emps),
                                  dtype=np.int32, count=n_emp),
            flight_risk=np.fromiter((_level_code(r and r.get("flight_risk")) for r in emps),
                                    dtype=np.int32, count=n_emp)),
        per_position=PositionColumns(
            alive=t.positions.alive(), rank=t.positions.ranks(), grade=pos_grade,
            is_key=np.fromiter((bool(r and r.get("is_key")) for r in t.positions.records),
                               dtype=np.bool_, count=n_pos),
            department=t.position_department, weight=weight,
            mandatory=np.bincount(reqs.position[reqs.mandatory],
                                  minlength=n_pos).astype(np.int64),
            certificates=required_by_position.counts()),
        requirements_by_position=requirements_by_position,
        requirements_by_competency=Grouped.by(reqs, reqs.competency, n_comp),
        levels_by_employee=Grouped.by(levels, levels.employee, n_emp),
        levels_by_competency=Grouped.by(levels, levels.competency, n_comp),
        level_keys=key[last],
        required_certificates_by_position=required_by_position,
        required_certificates_by_certificate=Grouped.by(required, required.certificate, n_cert),
        held_certificates_by_employee=Grouped.by(held, held.employee, n_emp),
        held_certificates_by_certificate=Grouped.by(held, held.certificate, n_cert),
        assignments_by_employee=Grouped.by(assignments, assignments.employee, n_emp),
        assignments_by_position=Grouped.by(assignments, assignments.position, n_pos),
        nominations_by_position=Grouped.by(t.nominations, t.nominations.position, n_pos),
        department_children=children,
    )


@dataclass(frozen=True)
class GraphRows:
    """Everything the model needs, as plain rows keyed by ids (what the queries return)."""

    employees: list[Record]
    competencies: list[Record]
    certificates: list[Record]
    departments: list[tuple[Record, str | None]]  # (department, parent id)
    positions: list[PositionSlice]
    levels: list[tuple[str, str, int]]  # employee, competency, level
    held: list[tuple[str, str, date | None]]  # employee, certificate, expires_on
    holds: list[tuple[str, str]]  # employee, position (current)
    reviews: list[tuple[str, str, int]]  # employee, period, rating
    nominations: list[tuple[str, str, str]]  # employee, position, readiness


def make_tables(rows: GraphRows) -> FitTables:
    """Index the rows (pure; rows naming an unknown record are left out)."""
    employees = Entities.of(rows.employees)
    competencies = Entities.of(rows.competencies)
    certificates = Entities.of(rows.certificates)
    departments = Entities.of(r for r, _ in rows.departments)
    parent = np.full(len(departments), -1, dtype=np.int32)
    for d, up in rows.departments:
        parent[departments.index[str(d["id"])]] = departments.index.get(up or "", -1)
    positions = Entities.of(s.record for s in rows.positions)
    ei, pi, ci, ki = employees.index, positions.index, competencies.index, certificates.index
    dept = np.full(len(positions), -1, dtype=np.int32)
    for s in rows.positions:
        dept[pi[str(s.record["id"])]] = departments.index.get(s.department or "", -1)
    reqs = [(pi[str(s.record["id"])], ci[c], lv, w, m)
            for s in rows.positions for c, lv, w, m in s.requirements if c in ci]
    pcerts = [(pi[str(s.record["id"])], ki[c]) for s in rows.positions for c in s.certificates
              if c in ki]
    latest: dict[int, list[tuple[str, int]]] = {}
    for e, period, given in rows.reviews:
        if e in ei:
            latest.setdefault(ei[e], []).append((period, given))
    rating = np.zeros(len(employees), dtype=np.int32)
    periods: list[str | None] = [None] * len(employees)
    for e_idx, revs in latest.items():
        rating[e_idx], periods[e_idx] = _latest(revs)
    ec = [(ei[e], ci[c], lv) for e, c, lv in rows.levels if e in ei and c in ci]
    certs = [(ei[e], ki[c], _expiry(x)) for e, c, x in rows.held if e in ei and c in ki]
    holds = [(ei[e], pi[p]) for e, p in rows.holds if e in ei and p in pi]
    noms = [(ei[e], pi[p], READINESS.index(r)) for e, p, r in rows.nominations
            if e in ei and p in pi and r in READINESS]
    return FitTables(
        employees=employees, positions=positions, competencies=competencies,
        certificates=certificates, departments=departments, position_department=dept,
        department_parent=parent,
        requirements=Requirements.of(reqs), required_certificates=RequiredCertificates.of(pcerts),
        levels=Levels.of(ec), held_certificates=HeldCertificates.of(certs),
        assignments=Assignments.of(holds), nominations=Nominations.of(noms),
        rating=rating, rating_period=tuple(periods))
