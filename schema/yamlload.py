"""Safe YAML loading that keeps line numbers and rejects duplicate keys.

Ontology and rule files are reviewed by people; an error must name the file and line at fault.
PyYAML's SafeLoader silently keeps the last of two equal keys, so this loader refuses them, and
every mapping it returns is a :class:`LineMap` that remembers the line of each key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node


class SourceError(Exception):
    """An error in a source file, located by file and line (1-based)."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


class LineMap(dict[str, Any]):
    """A mapping read from YAML that knows its own line and the line of each key."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of ``key`` if present, else the line of the mapping itself."""
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    file_name = "<yaml>"

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        result = LineMap()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                raise SourceError(
                    self.file_name, key_node.start_mark.line + 1, f"key {key!r} must be a string"
                )
            if key in result:
                raise SourceError(
                    self.file_name,
                    key_node.start_mark.line + 1,
                    f"duplicate key {key!r} (first at line {result.key_lines[key]})",
                )
            result[key] = self.construct_object(value_node, deep=deep)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result


def _construct_map(loader: _LineLoader, node: Node) -> dict[Any, Any]:
    assert isinstance(node, MappingNode)
    return loader.construct_mapping(node, deep=True)


def _construct_timestamp(loader: _LineLoader, node: Node) -> Any:
    """A date such as 2026-01-01; one that looks like a date but is none (2020-13-01) is an
    error at its line, not a bare ValueError."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except ValueError as exc:
        raise SourceError(loader.file_name, node.start_mark.line + 1,
                          f"{node.value!r} is not a valid date: {exc}") from None


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_yaml(path: Path) -> Any:
    """Parse ``path`` safely; mappings come back as :class:`LineMap`."""
    text = path.read_text(encoding="utf-8-sig")
    return load_yaml_text(text, str(path))


def load_yaml_text(text: str, file_name: str) -> Any:
    """Parse YAML text; ``file_name`` is used in error messages."""
    loader = _LineLoader(text)
    loader.file_name = file_name
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise SourceError(file_name, line, f"invalid YAML: {exc.problem or exc}") from exc
    finally:
        loader.dispose()
