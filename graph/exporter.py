"""Export the graph in the interchange format (what :mod:`graph.importer` reads back).

Rows are sorted by key (those of a class with an opaque key by the columns it is made of), so
exporting the same graph twice gives identical files, and
export -> import into an empty graph -> export reproduces them. :func:`export_tables` gives
each file's rows as text cells; :func:`export_directory` writes them as CSV files, and the
workbook writer of ``reports`` as the sheets of one workbook. The audit trail has a file of
its own (:func:`graph.audit.export_trail`; ``rolegraph export`` writes both).

Text values go out through :func:`domain.csvtext.formula_escape` (one more leading ``'`` on
text that starts like a spreadsheet formula); the reader takes it off again, so every value
comes back unchanged while no cell an office opens in Excel runs as a formula.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.csvtext import csv_line, formula_escape
from graph.cypher import Cypher
from graph.db import Graph
from schema.ontology import ClassSpec, EdgeKind, PropertySpec, PropertyType, RelationshipSpec
from schema.values import format_text


@dataclass(frozen=True)
class Table:
    """One interchange file's content: its columns, each column's type (the property's;
    ``string`` for ids and references) and its rows as text cells, in column order."""

    file: str
    columns: tuple[str, ...]
    types: tuple[PropertyType, ...]
    lines: list[list[str]]


async def export_directory(graph: Graph, directory: Path,
                           progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Write one CSV file per class and relationship file; returns rows written per file."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    async for table in export_tables(graph):
        written[table.file] = write_file(directory / table.file, table.columns, table.lines)
        if progress:
            progress(table.file, written[table.file])
    return written


async def export_tables(graph: Graph) -> AsyncIterator[Table]:
    """Each class file, then each relationship file, with its rows (one file at a time in
    memory)."""
    o = graph.ontology
    for spec in o.classes.values():
        rows = await graph.read(class_query(graph.cy, spec))
        lines = [class_cells(spec, row) for row in rows]
        if spec.opaque_key:  # a digest's order means nothing to a reader: its columns'
            at = [spec.columns.index(c) for c in spec.derived_key]
            lines.sort(key=lambda cells: [cells[i] for i in at])
        yield text_table(spec.file, spec.columns, column_types(spec.columns, spec.properties),
                         lines)
    for rel in o.relationship_files():
        rows = await graph.read(_rel_query(graph.cy, rel))
        lines = sorted(rel_cells(rel, row["from"], row["to"], row["p"]) for row in rows)
        yield text_table(rel.imports.file, rel.columns,
                         column_types(rel.columns, rel.properties), lines)


def column_types(columns: tuple[str, ...],
                 properties: dict[str, PropertySpec]) -> tuple[PropertyType, ...]:
    """The type of each column of a file: its property's, ``string`` for an id column that is
    no property (a reference, a relationship's end)."""
    return tuple(properties[c].type if c in properties else "string" for c in columns)


def text_table(file: str, columns: tuple[str, ...], types: tuple[PropertyType, ...],
               lines: list[list[str]]) -> Table:
    """The table of a file whose ``lines`` hold values as stored: each text cell (a
    ``string`` column) escaped against formulas, in place
    (:func:`domain.csvtext.formula_escape`); numbers, dates and booleans are no text."""
    text_at = [i for i, kind in enumerate(types) if kind == "string"]
    for cells in lines:
        for i in text_at:
            cells[i] = formula_escape(cells[i])
    return Table(file, columns, types, lines)


def class_query(cy: Cypher, spec: ClassSpec, match: str | None = None) -> str:
    """Each record's properties and, per reference column, the key at its other end; for
    the records ``n`` that ``match`` binds (a pattern; default: every record of the class)."""
    refs = []
    for ref in cy.o.reference_columns(spec.name):
        kind = EdgeKind(ref.name, "in" if ref.imports.reverse else "out")
        other = ref.ends(kind)[1]
        refs.append(f"head([(n){cy.step(kind, '', 't')} | t.{cy.key(other)}]) "
                    f"AS `{ref.imports.column}`")
    extra = "".join(f", {r}" for r in refs)
    return (f"MATCH {match or cy.node('n', spec.name)} RETURN properties(n) AS p{extra} "
            f"ORDER BY n.{cy.key(spec.name)}")


def _rel_query(cy: Cypher, rel: RelationshipSpec) -> str:
    return (f"MATCH {cy.node('a', rel.source)}{cy.step(EdgeKind(rel.name, 'out'), 'r', 'b')} "
            f"RETURN a.{cy.key(rel.source)} AS from, b.{cy.key(rel.target)} AS to, "
            "properties(r) AS p")


def class_cells(spec: ClassSpec, row: dict[str, Any]) -> list[str]:
    """A row of :func:`class_query` as the cells of the class's file, in column order."""
    return [_cell(spec, column, row) for column in spec.columns]


def rel_cells(rel: RelationshipSpec, from_key: str, to_key: str,
              props: dict[str, Any]) -> list[str]:
    """One relationship as the cells of its own file, in column order."""
    return [from_key, to_key, *(format_text(props.get(p)) for p in rel.properties)]


def _cell(spec: ClassSpec, column: str, row: dict[str, Any]) -> str:
    if column in spec.properties:
        return format_text(row["p"].get(column))
    return format_text(row.get(column))


def write_file(path: Path, columns: tuple[str, ...], lines: list[list[str]]) -> int:
    """A CSV file of the interchange format: the header, then the lines; their count. Each
    field that needs it is quoted (:func:`domain.csvtext.csv_line`: a carriage return in a
    description too); the cells are written as given (text escaped already)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(csv_line(columns))
        fh.writelines(csv_line(line) for line in lines)
    return len(lines)
