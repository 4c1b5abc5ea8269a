"""Reading and validating the interchange format (no database work).

Every file and column comes from the ontology: a class file holds one node per row (its
properties plus reference columns such as ``positions.department_id``), a relationship file one
relationship per row. Every problem is collected, with file, line and column, so a user sees all
bad rows at once; references that the files cannot resolve are left for the importer to look up
in the graph.

The files come from a :class:`Source`: a directory of CSV files (:class:`CsvDirectory`), or
anything else that gives each file's records as text cells with their line numbers (the
workbook reader of ``reports``: one sheet per file). Whatever the source, the same checks run
on the same text. A text value loses the leading ``'`` the export added against spreadsheet
formulas (:func:`domain.csvtext.formula_unescape`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from domain.bulk import gc_paused
from domain.csvtext import formula_unescape
from schema.ontology import ClassSpec, Ontology, PropertySpec, RelationshipSpec
from schema.values import (
    ValueProblem,
    check_key,
    check_span,
    check_value,
    clean_text,
    parse_text,
)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located by file, line (1 = header) and column."""

    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: column {self.column}: {self.reason}" if self.column else \
            f"{where}: {self.reason}"


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    column: str


@dataclass
class NodeBatch:
    """The validated rows of one class file: ``{"key": ..., "props": {...}}`` each."""

    spec: ClassSpec
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RelBatch:
    """The validated relationships of one type: ``{"from", "to", "key", "props"}`` each.

    ``replace`` is set for reference columns of a many-to-one kind: importing a new value
    replaces the old relationship (a position moved to another department).
    """

    spec: RelationshipSpec
    rows: list[dict[str, Any]] = field(default_factory=list)
    replace: bool = False


@dataclass
class ParsedDirectory:
    """What a directory holds once read and checked."""

    nodes: dict[str, NodeBatch] = field(default_factory=dict)
    rels: dict[str, RelBatch] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # references the files do not resolve: class -> key -> where it is referenced
    unresolved: dict[str, dict[str, list[Location]]] = field(default_factory=dict)
    files_read: dict[str, int] = field(default_factory=dict)
    # the rows of the files beyond the ontology's that the caller asked for, as text, each
    # with its line (the audit trail's file): file -> [(line, {column: text})]
    extra: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    #: the line of each record's (or relationship's) first row: file -> key -> line
    lines: dict[str, dict[Any, int]] = field(default_factory=dict)

    @property
    def node_count(self) -> int:
        return sum(len(b.rows) for b in self.nodes.values())

    @property
    def rel_count(self) -> int:
        return sum(1 for b in self.rels.values() for r in b.rows if r["to"] is not None)


#: a file's records from its header on: (line, cells), line 1 the header
Records = Iterator[tuple[int, list[str]]]


class Source(Protocol):
    """Where the interchange files are read from. Files are named as in a directory
    (``employees.csv``) whatever the source; :meth:`where` names them for messages."""

    @property
    def part(self) -> str:
        """What one file of the source is called in messages: ``file``, ``sheet``."""
        ...

    def names(self) -> list[str]:
        """The files the source holds, known to the ontology or not, in order."""
        ...

    def records(self, file: str) -> Records | None:
        """``file``'s records (None: the source does not hold it). Iterating may raise
        :class:`BadRecord` for a record that cannot be read: the file's reading stops there
        with a problem at its line."""
        ...

    def where(self, file: str) -> str:
        """How a message names ``file`` (``employees.csv``, ``org.xlsx:employees``)."""
        ...


@dataclass(frozen=True)
class CsvDirectory:
    """A directory of CSV files (UTF-8, a byte-order mark is fine; RFC 4180 quoting)."""

    directory: Path
    part = "file"

    def names(self) -> list[str]:
        return sorted(path.name for path in self.directory.glob("*.csv"))

    def records(self, file: str) -> Records | None:
        path = self.directory / file
        return _csv_records(path) if path.exists() else None

    def where(self, file: str) -> str:
        return file


def _csv_records(path: Path) -> Records:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        records = _Records(fh)
        try:
            yield from records
        except UnicodeDecodeError as exc:
            raise BadRecord(records.line, None, f"unreadable: {exc}") from None


def located(problem: Problem, source: Source) -> Problem:
    """``problem`` with its file named as ``source`` names it."""
    where = source.where(problem.file)
    return problem if where == problem.file else replace(problem, file=where)


def read_directory(directory: Path, ontology: Ontology,
                   extra: dict[str, tuple[str, ...]] | None = None) -> ParsedDirectory:
    """Read every interchange file present in ``directory`` and check each row (see
    :func:`read_source`)."""
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a directory")
    return read_source(CsvDirectory(directory), ontology, extra)


def read_source(source: Source, ontology: Ontology,
                extra: dict[str, tuple[str, ...]] | None = None) -> ParsedDirectory:
    """Read every interchange file ``source`` holds and check each row; ``extra`` names
    further files (file -> columns, each required) whose rows are kept as text. Problems name
    files as a directory does (``employees.csv``): :func:`located` names them as the source
    does."""
    reader = _Reader(source, ontology)
    extra = extra or {}
    known = set(ontology.files()) | set(extra)
    for name in source.names():
        if name not in known:
            reader.out.warnings.append(Problem(name, 0, "", f"unknown {source.part}, ignored"))
    with gc_paused():
        for spec in ontology.classes.values():
            reader.read_class_file(spec)
        for rel in ontology.relationship_files():
            reader.read_relationship_file(rel)
        for name, columns in extra.items():
            reader.read_text_file(name, columns)
        reader.resolve_references()
        reader.check_cycles()
    reader.out.lines = reader.first_line
    reader.out.problems.sort()
    return reader.out


class _Reader:
    def __init__(self, source: Source, ontology: Ontology) -> None:
        self.source = source
        self.ontology = ontology
        self.out = ParsedDirectory()
        self.ids: dict[str, set[str]] = {name: set() for name in ontology.classes}
        #: id cells already checked good (the same employee, KPI or period recurs)
        self._good_ids: set[str] = set()
        self.pending: list[tuple[str, str, Location]] = []
        # keys whose own row is bad: class -> key -> line
        self.bad_keys: dict[str, dict[str, int]] = {name: {} for name in ontology.classes}
        # first line of each key in each file, for duplicate reports
        self.first_line: dict[str, dict[Any, int]] = {}

    # -- files -------------------------------------------------------------------------------

    def _rows(self, file: str, columns: tuple[str, ...],
              required: set[str]) -> Iterator[tuple[int, dict[str, str]]] | None:
        records = self.source.records(file)
        if records is None:
            return None
        return self._iter_rows(records, file, columns, required)

    def _iter_rows(self, records: Records, file: str, columns: tuple[str, ...],
                   required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            first = next(records, None)
        except BadRecord as exc:
            self.out.problems.append(Problem(file, exc.line, "", exc.reason))
            return
        if first is None:
            self.out.problems.append(Problem(file, 1, "", f"the {self.source.part} is empty "
                                                          "(no header row)"))
            return
        header = [h.strip() for h in first[1]]
        for name in header:
            if name not in columns:
                self.out.warnings.append(Problem(file, 1, name, "unknown column, ignored"))
        seen: set[str] = set()
        for name in header:
            if name in seen:
                self.out.problems.append(Problem(file, 1, name, "the column appears twice"))
            seen.add(name)
        missing = sorted(required - seen)
        for name in missing:
            self.out.problems.append(Problem(file, 1, name, "required column is missing"))
        if missing or len(seen) != len(header):
            return
        count = 0
        try:
            for line, record in records:
                if not "".join(record).strip():  # a blank row
                    continue
                if len(record) > len(header):
                    self.out.problems.append(Problem(
                        file, line, "", f"{len(record)} cells but the header has "
                                        f"{len(header)} columns"))
                else:
                    count += 1
                    yield line, dict(zip(header, record, strict=False))
        except BadRecord as exc:
            column = header[exc.field] if exc.field is not None and exc.field < len(header) \
                else ""
            self.out.problems.append(Problem(file, exc.line, column, exc.reason))
        self.out.files_read[file] = count

    def _parse_props(self, file: str, line: int, row: dict[str, str],
                     props: dict[str, PropertySpec], skip: set[str]) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        ok = True
        for name, spec in props.items():
            if name in skip or name not in row:
                continue
            text = row[name] or ""
            if spec.type == "string":  # the export's escape against formulas, taken off
                text = formula_unescape(text)
            try:
                value = parse_text(spec, text)
                check_value(spec, value)
            except ValueProblem as exc:
                self.out.problems.append(Problem(file, line, name, str(exc)))
                ok = False
                continue
            values[name] = value
        return values if ok else None

    def _span_ok(self, file: str, line: int, span: tuple[str, str] | None,
                 values: dict[str, Any]) -> bool:
        try:
            check_span(span, values)
        except ValueProblem as exc:
            assert span is not None
            self.out.problems.append(Problem(file, line, span[1], str(exc)))
            return False
        return True

    def _reference(self, class_name: str, key: str, loc: Location) -> None:
        if key not in self.ids[class_name]:
            self.pending.append((class_name, key, loc))

    def _duplicate(self, file: str, key: Any, line: int, what: str) -> bool:
        seen = self.first_line.setdefault(file, {})
        if key in seen:
            self.out.problems.append(Problem(file, line, what,
                                             f"duplicate of line {seen[key]} ({key_text(key)})"))
            return True
        seen[key] = line
        return False

    def read_class_file(self, spec: ClassSpec) -> None:
        refs = self.ontology.reference_columns(spec.name)
        required = {p.name for p in spec.properties.values() if p.required}
        if spec.derived_key:
            required = (required - {spec.key}) | set(spec.derived_key)
        required |= {r.imports.column for r in refs
                     if r.imports.column and (r.required or r.imports.reverse)}
        rows = self._rows(spec.file, spec.columns, required)
        if rows is None:
            return
        batch = self.out.nodes.setdefault(spec.name, NodeBatch(spec))
        ref_batches = {r.name: self.out.rels.setdefault(
            r.name, RelBatch(r, replace=r.cardinality in ("many_to_one", "one_to_one")
                             or r.imports.reverse)) for r in refs}
        skip = {spec.key}  # checked as an id by _node_key
        for line, row in rows:
            key = self._node_key(spec, row, line)
            props = self._parse_props(spec.file, line, row, spec.properties, skip)
            if props is not None and not self._span_ok(spec.file, line, spec.span, props):
                props = None
            if key is None:
                continue
            for ref in refs:  # checked even when a property is bad: report every problem
                self._reference_cell(spec, ref, row, line, key, ref_batches[ref.name])
            key_column = "+".join(spec.derived_key) if spec.derived_key else spec.key
            if self._duplicate(spec.file, key, line, key_column):
                continue
            if props is None:
                self.bad_keys[spec.name].setdefault(key, line)
                continue
            props[spec.key] = key
            self.ids[spec.name].add(key)
            batch.rows.append({"key": key, "props": props})

    def _id_cell(self, file: str, line: int, column: str, text: str | None) -> str | None:
        """An id cell, cleaned and checked (:func:`schema.values.check_key`); None (and a
        problem) when it is empty or not an id."""
        if text in self._good_ids:
            return text
        value = clean_text(text or "")
        try:
            if not value:
                raise ValueProblem("a value is required")
            check_key(value)
        except ValueProblem as exc:
            self.out.problems.append(Problem(file, line, column, str(exc)))
            return None
        if value == text:
            self._good_ids.add(value)
        return value

    def _node_key(self, spec: ClassSpec, row: dict[str, str], line: int) -> str | None:
        if not spec.derived_key:
            return self._id_cell(spec.file, line, spec.key, row.get(spec.key))
        parts: list[str] = []
        for column in spec.derived_key:  # a reference (the review's employee) or a value of
            # the record (its period): either is part of an id, so an id itself
            part = self._id_cell(spec.file, line, column, row.get(column))
            if part is None:
                return None
            parts.append(part)
        key = spec.derive_key(parts)
        try:  # each part is an id, the whole one too (its length)
            check_key(key)
        except ValueProblem as exc:
            self.out.problems.append(Problem(spec.file, line, spec.derived_key[-1], str(exc)))
            return None
        return key

    def _reference_cell(self, spec: ClassSpec, ref: RelationshipSpec, row: dict[str, str],
                        line: int, key: str, batch: RelBatch) -> None:
        column = ref.imports.column
        assert column is not None
        if column not in row:
            return
        other = clean_text(row[column] or "")
        other_class = ref.source if ref.imports.reverse else ref.target
        if not other:
            if ref.required or ref.imports.reverse:
                self.out.problems.append(Problem(spec.file, line, column, "a value is required"))
            else:  # an empty reference column clears the relationship
                batch.rows.append({"from": key, "to": None, "key": {}, "props": {}})
            return
        if self._id_cell(spec.file, line, column, other) is None:
            return
        self._reference(other_class, other, Location(spec.file, line, column))
        if ref.imports.reverse:
            batch.rows.append({"from": other, "to": key, "key": {}, "props": {}})
        else:
            batch.rows.append({"from": key, "to": other, "key": {}, "props": {}})

    def read_relationship_file(self, rel: RelationshipSpec) -> None:
        imp = rel.imports
        assert imp.from_column and imp.to_column
        columns = rel.columns
        required = {imp.from_column, imp.to_column} | {
            p.name for p in rel.properties.values() if p.required}
        rows = self._rows(imp.file, columns, required)
        if rows is None:
            return
        batch = self.out.rels.setdefault(rel.name, RelBatch(rel))
        for line, row in rows:
            ends: list[str] = []
            for column, cls in ((imp.from_column, rel.source), (imp.to_column, rel.target)):
                value = self._id_cell(imp.file, line, column, row.get(column))
                if value is not None:
                    ends.append(value)
                    self._reference(cls, value, Location(imp.file, line, column))
            props = self._parse_props(imp.file, line, row, rel.properties, set())
            if len(ends) != 2 or props is None or not self._span_ok(imp.file, line, rel.span,
                                                                     props):
                continue
            key_props = {k: props.get(k) for k in rel.key}
            identity = (ends[0], ends[1], *(key_props[k] for k in rel.key))
            if self._duplicate(imp.file, identity, line, imp.from_column):
                continue
            if rel.cardinality in ("many_to_one", "one_to_one") and self._duplicate(
                    imp.file, ("from", ends[0]), line, imp.from_column):
                continue
            batch.rows.append({"from": ends[0], "to": ends[1], "key": key_props, "props": props})

    def read_text_file(self, file: str, columns: tuple[str, ...]) -> None:
        """Keep the rows of a file beyond the ontology's as text (every column required)."""
        rows = self._rows(file, columns, set(columns))
        if rows is not None:
            self.out.extra[file] = list(rows)

    # -- whole-directory checks --------------------------------------------------------------

    def resolve_references(self) -> None:
        for class_name, key, loc in self.pending:
            if key in self.ids[class_name]:
                continue
            if key in self.bad_keys[class_name]:
                continue  # its own row is reported; the rows that refer to it are not at fault
            self.out.unresolved.setdefault(class_name, {}).setdefault(key, []).append(loc)
        self.pending.clear()

    def check_cycles(self) -> None:
        """A department may not be its own ancestor, nor a position report to itself."""
        for batch in self.out.rels.values():
            rel = batch.spec
            if rel.source != rel.target or rel.cardinality not in ("many_to_one", "one_to_one"):
                continue
            parent = {r["from"]: r["to"] for r in batch.rows if r["to"] is not None}
            reported: set[str] = set()
            for start in sorted(parent):
                path: list[str] = []
                node: str | None = start
                while node is not None and node not in path and node not in reported:
                    path.append(node)
                    node = parent.get(node)
                if node is not None and node in path:
                    cycle = path[path.index(node):]
                    reported.update(cycle)
                    self._cycle_problem(rel, cycle)

    def _cycle_problem(self, rel: RelationshipSpec, cycle: list[str]) -> None:
        file = rel.imports.file
        first = min(cycle)
        line = self.first_line.get(file, {}).get(first, 0)
        chain = " -> ".join([*cycle, cycle[0]])
        self.out.problems.append(Problem(file, line, rel.imports.column or "",
                                         f"{rel.name} forms a cycle: {chain}"))


class BadRecord(Exception):
    """A record that cannot be read (malformed quoting, bytes that are not UTF-8): ``line``
    is where the bad field starts, ``field`` its place in the row (0 = first; None: not
    known)."""

    def __init__(self, line: int, field: int | None, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.field, self.reason = line, field, reason


class _Records:
    """The records of a CSV file, each with the line it starts on; malformed quoting raises
    :class:`BadRecord` instead of being read some other way.

    Python's reader (even ``strict``) reads a quote inside an unquoted field as text, and a
    quoted field left open swallows the rest of the file as one value (defect 8 of issue 11:
    ``E9202,"b ,2022-01-10`` imported 2 rows and said nothing). So the raw text of each record
    that holds a quote is checked against RFC 4180: a field is either plain (no quote, no
    comma, no line break) or quoted whole, inner quotes doubled."""

    def __init__(self, fh: Iterator[str]) -> None:
        self._fh = fh
        self._taken: list[str] = []
        self.line = 1  # where the next record starts
        self._reader = csv.reader(self._lines(), strict=True)

    def _lines(self) -> Iterator[str]:
        for text in self._fh:
            self._taken.append(text)
            yield text

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self

    def __next__(self) -> tuple[int, list[str]]:
        start = self.line
        self._taken.clear()
        try:
            record = next(self._reader)
        except csv.Error as exc:
            raise _located(self._taken, start) or BadRecord(start, 0, f"unreadable: {exc}") \
                from None
        self.line = self._reader.line_num + 1
        taken = self._taken
        if '"' in (taken[0] if len(taken) == 1 else "".join(taken)):
            bad = _located(self._taken, start)
            if bad is not None:
                raise bad
        return start, record


_EOL = ("\r\n", "\n", "\r")


def _located(taken: list[str], start: int) -> BadRecord | None:
    """The first field of one record's raw text (``taken``, its lines from line ``start``)
    whose quoting is malformed, or None when all are well formed."""
    text = "".join(taken)
    for eol in _EOL:
        if text.endswith(eol):
            text = text[:-len(eol)]
            break
    line, field, i, n = start, 0, 0, len(text)
    while True:  # at the start of field number `field`, on line `line`
        if i < n and text[i] == '"':
            opened = line
            i += 1
            while True:
                if i >= n:
                    return BadRecord(opened, field, "a quoted field is not closed: its quote "
                                                 "runs to the end of the file")
                if text[i] == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        i += 2
                        continue
                    i += 1
                    break
                if text[i] == "\n" or (text[i] == "\r" and text[i + 1:i + 2] != "\n"):
                    line += 1
                i += 1
            if i < n and text[i] != ",":
                return BadRecord(opened, field, "text after the closing quote of a quoted field "
                                             "(a quote inside a value is written twice)")
        else:
            j = i
            while j < n and text[j] not in ',"\r\n':
                j += 1
            if j < n and text[j] == '"':
                return BadRecord(line, field, "a quote inside a field that is not quoted (put "
                                           "the whole field in quotes, the quote written twice)")
            if j < n and text[j] != ",":  # a line break outside quotes: the record ends
                return None
            i = j
        if i >= n:
            return None
        i += 1  # the comma
        field += 1


def key_text(key: Any) -> str:
    if isinstance(key, tuple):
        return ", ".join(str(k) for k in key)
    return str(key)
