"""Export the graph in the CSV interchange format (what :mod:`graph.importer` reads back).

Rows are sorted by key, so exporting the same graph twice gives identical files, and
export -> import into an empty graph -> export reproduces them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.db import Graph
from schema.ontology import ClassSpec, Ontology, RelationshipSpec
from schema.values import format_text


async def export_directory(graph: Graph, directory: Path,
                           progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Write one CSV file per class and relationship file; returns rows written per file."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    o = graph.ontology
    for spec in o.classes.values():
        rows = await graph.read(_class_query(o, spec))
        lines = [[_cell(spec, column, row) for column in spec.columns] for row in rows]
        written[spec.file] = _write(directory / spec.file, spec.columns, lines)
        if progress:
            progress(spec.file, written[spec.file])
    for rel in o.relationship_files():
        rows = await graph.read(_rel_query(o, rel))
        assert rel.imports.from_column and rel.imports.to_column
        columns = (rel.imports.from_column, rel.imports.to_column, *rel.properties)
        lines = sorted([row["from"], row["to"], *(format_text(row["p"].get(p))
                                                  for p in rel.properties)] for row in rows)
        written[rel.imports.file] = _write(directory / rel.imports.file, columns, lines)
        if progress:
            progress(rel.imports.file, written[rel.imports.file])
    return written


def _class_query(o: Ontology, spec: ClassSpec) -> str:
    label, key = o.label(spec.name), o.prop(spec.name, spec.key)
    refs = []
    for ref in o.reference_columns(spec.name):
        rtype = o.rel_type(ref.name)
        if ref.imports.reverse:
            other = o.cls(ref.source)
            pattern = f"(t:{o.label(other.name)})-[:{rtype}]->(n)"
        else:
            other = o.cls(ref.target)
            pattern = f"(n)-[:{rtype}]->(t:{o.label(other.name)})"
        key = o.prop(other.name, other.key)
        refs.append(f"head([{pattern} | t.{key}]) AS `{ref.imports.column}`")
    extra = "".join(f", {r}" for r in refs)
    return f"MATCH (n:{label}) RETURN properties(n) AS p{extra} ORDER BY n.{key}"


def _rel_query(o: Ontology, rel: RelationshipSpec) -> str:
    src, dst = o.cls(rel.source), o.cls(rel.target)
    return (f"MATCH (a:{o.label(src.name)})-[r:{o.rel_type(rel.name)}]->(b:{o.label(dst.name)}) "
            f"RETURN a.{o.prop(src.name, src.key)} AS from, b.{o.prop(dst.name, dst.key)} AS to, "
            "properties(r) AS p")


def _cell(spec: ClassSpec, column: str, row: dict[str, Any]) -> str:
    if column in spec.properties:
        return format_text(row["p"].get(column))
    return format_text(row.get(column))


def _write(path: Path, columns: tuple[str, ...], lines: list[list[str]]) -> int:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(lines)
    return len(lines)
