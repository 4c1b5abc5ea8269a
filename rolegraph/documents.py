"""Reading the documents ``rolegraph documents add`` registers (README, *Trusted documents*).

A file is either one GraphQL document (any name but ``*.json``: the whole text, as the client
will send it) or a manifest of a front end's build (``*.json``):

* Apollo's persisted-query manifest: ``{"format": "apollo-persisted-query-manifest",
  "version": 1, "operations": [{"id": ..., "body": ..., "name": ..., "type": ...}]}``;
* a map of ids to documents, as Relay's compiler writes (``{"<id>": "<document>", ...}``).

Every document is parsed and validated against the schema, and an id given in a manifest must
be the SHA-256 of its document; a problem names the file (and the manifest entry), and then
nothing is registered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, OperationDefinitionNode, parse, validate
from graphql.error import GraphQLError

from domain.documents import document_id
from graph.documents import Document


@dataclass(frozen=True)
class DocumentProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def read_documents(paths: list[Path], schema: GraphQLSchema,
                   ) -> tuple[list[Document], list[DocumentProblem]]:
    """The documents of ``paths`` (each once, by id) and every problem found."""
    found: dict[str, Document] = {}
    problems: list[DocumentProblem] = []
    for path in paths:
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(DocumentProblem(str(path), f"cannot read it: {exc}"))
            continue
        entries = _entries(path, raw, problems)
        for where, given, text in entries:
            document = _checked(where, given, text, schema, problems)
            if document is not None:
                found.setdefault(document.id, document)
    return sorted(found.values(), key=lambda d: d.id), problems


def _entries(path: Path, raw: str, problems: list[DocumentProblem],
             ) -> list[tuple[str, str | None, str]]:
    """(where, the id given or None, the text) of each document of a file."""
    if path.suffix.lower() != ".json":
        return [(str(path), None, raw)]
    try:
        manifest: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        problems.append(DocumentProblem(f"{path}:{exc.lineno}", f"not JSON: {exc.msg}"))
        return []
    if isinstance(manifest, dict) and manifest.get("format") == "apollo-persisted-query-manifest":
        operations = manifest.get("operations")
        if manifest.get("version") != 1 or not isinstance(operations, list):
            problems.append(DocumentProblem(str(path), "an Apollo manifest of version 1 with "
                                                       "a list of operations is expected"))
            return []
        out = []
        for i, op in enumerate(operations):
            where = f"{path}: operations[{i}]"
            if not isinstance(op, dict) or not isinstance(op.get("body"), str) \
                    or not isinstance(op.get("id"), str):
                problems.append(DocumentProblem(where, "an operation needs an id and a body"))
                continue
            out.append((where, op["id"], op["body"]))
        return out
    if isinstance(manifest, dict) and all(isinstance(v, str) for v in manifest.values()):
        return [(f"{path}: {key!r}", key, text) for key, text in manifest.items()]
    problems.append(DocumentProblem(str(path), "not a manifest: an Apollo persisted-query "
                                               "manifest or a map of ids to documents"))
    return []


def _checked(where: str, given: str | None, text: str, schema: GraphQLSchema,
             problems: list[DocumentProblem]) -> Document | None:
    key = document_id(text)
    if given is not None and given.removeprefix("sha256:").lower() != key:
        problems.append(DocumentProblem(where, f"the id {given!r} is not the SHA-256 of its "
                                               f"document ({key})"))
        return None
    try:
        ast = parse(text)
    except GraphQLError as exc:
        problems.append(DocumentProblem(_at(where, exc), exc.message))
        return None
    errors = validate(schema, ast)
    for error in errors:
        problems.append(DocumentProblem(_at(where, error), error.message))
    if errors:
        return None
    names = tuple(sorted(d.name.value for d in ast.definitions
                         if isinstance(d, OperationDefinitionNode) and d.name is not None))
    return Document(key, text, names)


def _at(where: str, exc: GraphQLError) -> str:
    if exc.locations:
        first = exc.locations[0]
        return f"{where}:{first.line}:{first.column}"
    return where
