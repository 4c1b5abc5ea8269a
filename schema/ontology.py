"""The ontology: classes, properties and relationship types of the organisation graph.

Loaded from ``schema/ontology.yaml`` and validated on load: every error names the file and line.
Everything that speaks Cypher takes its labels, types and property names from here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

from schema.yamlload import LineMap, SourceError, load_yaml

ONTOLOGY_PATH = Path(__file__).with_name("ontology.yaml")

PropertyType = Literal["string", "integer", "float", "boolean", "date"]
PROPERTY_TYPES: tuple[str, ...] = ("string", "integer", "float", "boolean", "date")
Cardinality = Literal["one_to_one", "many_to_one", "one_to_many", "many_to_many"]
CARDINALITIES: tuple[str, ...] = ("one_to_one", "many_to_one", "one_to_many", "many_to_many")

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_PROPERTY_KEYS = {
    "type", "required", "enum", "min", "max", "pattern", "default", "description", "sensitivity",
    "long",
}
_CLASS_KEYS = {
    "file", "columns", "key", "derived_key", "opaque_key", "display", "description",
    "properties", "indexes", "department", "sensitivity", "span",
}
#: joins the parts of a derived key (a review's ``<employee_id>/<period>``)
DERIVED_KEY_SEPARATOR = "/"
#: hexadecimal digits of an opaque key (80 bits of SHA-256: no collision in any organisation)
OPAQUE_KEY_DIGITS = 20
_INTERNAL_KEYS = {"key", "description", "properties"}
_REL_KEYS = {
    "from", "to", "cardinality", "required", "cascade", "import", "key", "properties",
    "description", "ended_by", "sensitivity", "span",
}
_SELF = "self"
_STEP = re.compile(
    r"\s*(<-|-)([A-Za-z][A-Za-z0-9_]*)(\[current\])?(->|-)\s*([A-Za-z][A-Za-z0-9_]*)\s*")


Direction = Literal["out", "in"]


class EdgeKind(NamedTuple):
    """Relationships of one type seen from one end (``out``: from its ``from`` class);
    ``current`` keeps only those that have not ended (no value in the relationship's
    ``ended_by`` property: a position held now, not one held before). ``counted``: read only
    to be counted (a position's vacancies), so not limited to what the caller may see."""

    rel: str
    direction: Direction
    current: bool = False
    counted: bool = False


@dataclass(frozen=True)
class PropertySpec:
    """One property of a class or relationship, with its type and constraints."""

    name: str
    type: PropertyType
    required: bool = False
    enum: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    default: Any = None
    description: str = ""
    #: how confidential its values are (one of the ontology's ``sensitivities``)
    sensitivity: str = ""
    #: a text of several lines (a description), longer than a name may be
    long: bool = False
    #: the key of its class: an id, with the id rules (schema/values.py)
    key: bool = False


@dataclass(frozen=True)
class ClassSpec:
    """A node label: its key, display property, properties and interchange file."""

    name: str
    file: str
    columns: tuple[str, ...]
    key: str
    display: str
    properties: dict[str, PropertySpec]
    derived_key: tuple[str, ...] = ()
    #: the derived key is a digest of its parts, which it does not show (a feedback's id
    #: would otherwise name its reviewer to whoever may read the feedback but not the reviewer)
    opaque_key: bool = False
    indexes: tuple[str, ...] = ()
    description: str = ""
    #: how a record belongs to a department: the steps from it to the department (``()`` for
    #: the department class itself), or None for a class that belongs to no department
    department: tuple[EdgeKind, ...] | None = None
    #: how confidential a record of the class is (the default of its properties)
    sensitivity: str = ""
    #: (start, end) date properties: the end may not lie before the start
    span: tuple[str, str] | None = None

    def derive_key(self, parts: list[str]) -> str:
        """The key of a record of a class with a derived key, from the values of its
        ``derived_key`` columns (each an id): joined by ``/``, or, for an opaque key, the
        first :data:`OPAQUE_KEY_DIGITS` hexadecimal digits of the joined text's SHA-256."""
        joined = DERIVED_KEY_SEPARATOR.join(parts)
        if not self.opaque_key:
            return joined
        return hashlib.sha256(joined.encode()).hexdigest()[:OPAQUE_KEY_DIGITS]


@dataclass(frozen=True)
class ImportSpec:
    """How the interchange format spells a relationship.

    ``column`` set: a reference column in the file of the ``from`` class (or of the ``to``
    class when ``reverse``). ``from_column``/``to_column`` set: a file of its own.
    """

    file: str
    column: str | None = None
    reverse: bool = False
    from_column: str | None = None
    to_column: str | None = None

    @property
    def own_file(self) -> bool:
        return self.column is None


@dataclass(frozen=True)
class RelationshipSpec:
    """A relationship type between two classes."""

    name: str
    source: str
    target: str
    cardinality: Cardinality
    imports: ImportSpec
    properties: dict[str, PropertySpec] = field(default_factory=dict)
    key: tuple[str, ...] = ()
    required: bool = False
    cascade: bool = False
    description: str = ""
    #: a date property whose value means the relationship has ended (None: it never ends)
    ended_by: str | None = None
    #: how confidential the relationship is (the default of its properties)
    sensitivity: str = ""
    #: (start, end) date properties: the end may not lie before the start
    span: tuple[str, str] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of the relationship's own interchange file (both ends' columns, then
        its properties); empty for a relationship spelled as a reference column."""
        if not self.imports.own_file:
            return ()
        assert self.imports.from_column and self.imports.to_column
        return (self.imports.from_column, self.imports.to_column, *self.properties)

    def ends(self, kind: EdgeKind) -> tuple[str, str]:
        """The classes at the near and far end of ``kind`` (which must be of this type)."""
        return (self.source, self.target) if kind.direction == "out" else \
            (self.target, self.source)


@dataclass(frozen=True)
class InternalSpec:
    """A label Rolegraph keeps for its own bookkeeping (e.g. the change stamp): not a class of
    the organisation, so never imported, exported, counted or served."""

    name: str
    key: str
    properties: dict[str, str]  # name -> meaning
    description: str = ""


@dataclass(frozen=True, eq=False)
class Ontology:
    """The loaded, validated ontology (hashed by identity, so it can key caches)."""

    classes: dict[str, ClassSpec]
    relationships: dict[str, RelationshipSpec]
    source: str
    internal: dict[str, InternalSpec] = field(default_factory=dict)
    #: sensitivity levels, least confidential first
    sensitivities: tuple[str, ...] = ("public",)

    def cls(self, name: str) -> ClassSpec:
        """The class called ``name``; KeyError names the unknown class."""
        try:
            return self.classes[name]
        except KeyError:
            raise KeyError(f"unknown class {name!r}") from None

    def rel(self, name: str) -> RelationshipSpec:
        """The relationship type called ``name``."""
        try:
            return self.relationships[name]
        except KeyError:
            raise KeyError(f"unknown relationship {name!r}") from None

    @property
    def department_class(self) -> str:
        """The class records belong to (the one whose ``department`` is ``self``)."""
        return next(c.name for c in self.classes.values() if c.department == ())

    @property
    def department_tree(self) -> RelationshipSpec:
        """The relationship from a department to the department above it."""
        dept = self.department_class
        return next(r for r in self.relationships.values()
                    if r.source == dept and r.target == dept and r.cardinality == "many_to_one")

    def relationships_from(self, class_name: str) -> list[RelationshipSpec]:
        return [r for r in self.relationships.values() if r.source == class_name]

    def relationships_to(self, class_name: str) -> list[RelationshipSpec]:
        return [r for r in self.relationships.values() if r.target == class_name]

    def reference_columns(self, class_name: str) -> list[RelationshipSpec]:
        """Relationships spelled as a column of ``class_name``'s file."""
        return [
            r for r in self.relationships.values()
            if r.imports.column is not None
            and (r.target if r.imports.reverse else r.source) == class_name
        ]

    def relationship_files(self) -> list[RelationshipSpec]:
        """Relationships that have an interchange file of their own."""
        return [r for r in self.relationships.values() if r.imports.own_file]

    def files(self) -> list[str]:
        """Every interchange file name, in import order (nodes first, then relationships)."""
        return list(self.file_columns())

    def file_columns(self) -> dict[str, tuple[str, ...]]:
        """Every interchange file with its columns, in import order (nodes first)."""
        found = {c.file: c.columns for c in self.classes.values()}
        found.update((r.imports.file, r.columns) for r in self.relationship_files())
        return found


def load_ontology(path: Path = ONTOLOGY_PATH) -> Ontology:
    """Load and validate an ontology file; raises :class:`SourceError` with file and line."""
    raw = load_yaml(path)
    return _build(raw, str(path))


@cache
def default_ontology() -> Ontology:
    """The ontology shipped with Rolegraph, loaded once per process."""
    return load_ontology(ONTOLOGY_PATH)


def _fail(file: str, line: int, message: str) -> SourceError:
    return SourceError(file, line, message)


def _mapping(value: Any, file: str, line: int, what: str) -> LineMap:
    if not isinstance(value, LineMap):
        raise _fail(file, line, f"{what} must be a mapping")
    return value


def _check_keys(m: LineMap, allowed: set[str], file: str, what: str) -> None:
    for key in m:
        if key not in allowed:
            raise _fail(file, m.line_of(key), f"unknown key {key!r} in {what}")


def _build(raw: Any, file: str) -> Ontology:
    top = _mapping(raw, file, 1, "the ontology")
    _check_keys(top, {"version", "sensitivities", "classes", "relationships", "internal"}, file,
                "the ontology")
    if top.get("version") != 1:
        raise _fail(file, top.line_of("version"), "version must be 1")
    classes_raw = _mapping(top.get("classes"), file, top.line_of("classes"), "classes")
    classes = {
        name: _build_class(name, _mapping(body, file, classes_raw.line_of(name), name), file,
                           classes_raw.line_of(name))
        for name, body in classes_raw.items()
    }
    files_seen: dict[str, str] = {}
    for c in classes.values():
        if c.file in files_seen:
            raise _fail(file, classes_raw.line_of(c.name),
                        f"file {c.file!r} is already used by class {files_seen[c.file]}")
        files_seen[c.file] = c.name
    rels_raw = _mapping(top.get("relationships"), file, top.line_of("relationships"),
                        "relationships")
    rels = {
        name: _build_rel(name, _mapping(body, file, rels_raw.line_of(name), name), file, classes,
                         files_seen)
        for name, body in rels_raw.items()
    }
    internal: dict[str, InternalSpec] = {}
    if top.get("internal") is not None:
        internal_raw = _mapping(top["internal"], file, top.line_of("internal"), "internal")
        for name, body in internal_raw.items():
            line = internal_raw.line_of(name)
            if name in classes:
                raise _fail(file, line, f"internal label {name!r} is also a class")
            internal[name] = _build_internal(name, _mapping(body, file, line, name), file, line)
    selves = [name for name, body in classes_raw.items() if body.get("department") == _SELF]
    _check_department_class(selves, rels, file, top.line_of("classes"))
    for name, body in classes_raw.items():
        if "department" in body:
            classes[name] = replace(classes[name], department=_department_path(
                name, body["department"], file, body.line_of("department"), rels, selves[0]))
    levels = _sensitivities(top, file)
    for name, body in classes_raw.items():
        classes[name] = _with_sensitivity(classes[name], body, levels, file, name)
    for name, body in rels_raw.items():
        rels[name] = _with_sensitivity(rels[name], body, levels, file, name)
    ontology = Ontology(classes=classes, relationships=rels, source=file, internal=internal,
                        sensitivities=levels)
    for c in classes.values():
        _check_columns(ontology, c, file, classes_raw.line_of(c.name))
    return ontology


def _sensitivities(top: LineMap, file: str) -> tuple[str, ...]:
    raw = top.get("sensitivities", ["public"])
    if not isinstance(raw, list) or not raw or not all(
            isinstance(v, str) and _IDENTIFIER.match(v) for v in raw) or len(set(raw)) < len(raw):
        raise _fail(file, top.line_of("sensitivities"),
                    "sensitivities must be a list of distinct names, least confidential first")
    return tuple(raw)


_Spec = TypeVar("_Spec", ClassSpec, RelationshipSpec)


def _with_sensitivity(spec: _Spec, body: LineMap, levels: tuple[str, ...], file: str,
                      owner: str) -> _Spec:
    """The spec with its sensitivity and each property's (its own, else the owner's)."""

    def level(m: LineMap, default: str, what: str) -> str:
        value = m.get("sensitivity", default)
        if value not in levels:
            raise _fail(file, m.line_of("sensitivity"),
                        f"{what}: sensitivity must be one of {', '.join(levels)}, not {value!r}")
        return str(value)

    own = level(body, levels[0], owner)
    raw_props = body.get("properties") or LineMap()
    key = spec.key if isinstance(spec, ClassSpec) else None
    props = {name: replace(p, sensitivity=level(raw_props[name], own, f"{owner}.{name}"),
                           key=name == key)
             for name, p in spec.properties.items()}
    span = body.get("span")
    if span is not None:
        if not (isinstance(span, list) and len(span) == 2 and all(
                v in props and props[v].type == "date" for v in span)):
            raise _fail(file, body.line_of("span"),
                        f"{owner}: span is [start, end], two of its date properties")
        span = (str(span[0]), str(span[1]))
    return replace(spec, sensitivity=own, properties=props, span=span)


def _department_path(name: str, raw: Any, file: str, line: int,
                     rels: dict[str, RelationshipSpec], dept: str) -> tuple[EdgeKind, ...]:
    """The steps of a class's ``department`` path, each checked against the relationships;
    the path must end at the department class ``dept``."""
    what = f"class {name}: department"
    if raw == _SELF:
        return ()
    if not isinstance(raw, str) or not raw.strip():
        raise _fail(file, line, f"{what} is 'self' or a path such as -IN_DEPARTMENT-> Department")
    steps: list[EdgeKind] = []
    pos, here = 0, name
    while pos < len(raw):
        match = _STEP.match(raw, pos)
        if not match or match.end() == pos:
            raise _fail(file, line, f"{what}: cannot read {raw[pos:].strip()!r}: a step is "
                                    "-TYPE-> Class or <-TYPE- Class")
        left, rel_name, current, right, node = match.groups()
        pos = match.end()
        if (left, right) not in (("-", "->"), ("<-", "-")):
            raise _fail(file, line, f"{what}: write -{rel_name}-> or <-{rel_name}-")
        rel = rels.get(rel_name)
        if rel is None:
            raise _fail(file, line, f"{what}: unknown relationship {rel_name!r}")
        kind = EdgeKind(rel_name, "out" if right == "->" else "in", bool(current))
        near, far = rel.ends(kind)
        if near != here or far != node:
            raise _fail(file, line, f"{what}: {rel_name} goes from {rel.source} to "
                                    f"{rel.target}, not from {here} to {node}")
        if kind.current and rel.ended_by is None:
            raise _fail(file, line, f"{what}: {rel_name}[current]: {rel_name} has no ended_by")
        steps.append(kind)
        here = node
    if here != dept:
        raise _fail(file, line, f"class {name}: its department path ends at {here}, not at "
                                f"{dept}")
    return tuple(steps)


def _check_department_class(selves: list[str], rels: dict[str, RelationshipSpec], file: str,
                            line: int) -> None:
    """Exactly one class says ``department: self``, and departments form a tree."""
    if len(selves) != 1:
        raise _fail(file, line, "exactly one class must say 'department: self' "
                                f"(found {', '.join(selves) or 'none'})")
    dept = selves[0]
    if not any(r.source == dept and r.target == dept and r.cardinality == "many_to_one"
               for r in rels.values()):
        raise _fail(file, line, f"class {dept}: departments need a many_to_one relationship "
                                "to the department above them")


def _check_columns(ontology: Ontology, spec: ClassSpec, file: str, line: int) -> None:
    """A class file's columns are its properties (less a derived key) and reference columns."""
    expected = set(spec.properties) | set(spec.derived_key)
    if spec.derived_key:
        expected.discard(spec.key)
    expected |= {ref.imports.column for ref in ontology.reference_columns(spec.name)
                 if ref.imports.column}
    listed = set(spec.columns)
    if listed != expected or len(listed) != len(spec.columns):
        missing = sorted(expected - listed)
        extra = sorted(listed - expected)
        raise _fail(file, line, f"class {spec.name}: columns do not match its properties and "
                                f"references (missing {missing}, unexpected {extra})")


def _build_props(raw: Any, file: str, line: int, owner: str) -> dict[str, PropertySpec]:
    if raw is None:
        return {}
    props_raw = _mapping(raw, file, line, f"properties of {owner}")
    return {
        name: _build_prop(name, _mapping(body, file, props_raw.line_of(name), f"{owner}.{name}"),
                          file, owner)
        for name, body in props_raw.items()
    }


def _build_prop(name: str, m: LineMap, file: str, owner: str) -> PropertySpec:
    what = f"property {owner}.{name}"
    if not _IDENTIFIER.match(name):
        raise _fail(file, m.line, f"{what}: not a valid property name")
    _check_keys(m, _PROPERTY_KEYS, file, what)
    ptype = m.get("type")
    if ptype not in PROPERTY_TYPES:
        raise _fail(file, m.line_of("type"),
                    f"{what}: type must be one of {', '.join(PROPERTY_TYPES)}, not {ptype!r}")
    enum = m.get("enum")
    if enum is not None and (not isinstance(enum, list) or not enum):
        raise _fail(file, m.line_of("enum"), f"{what}: enum must be a non-empty list")
    for bound in ("min", "max"):
        value = m.get(bound)
        if value is not None and (ptype not in ("integer", "float")
                                  or not isinstance(value, (int, float))):
            raise _fail(file, m.line_of(bound), f"{what}: {bound} needs a numeric property")
    pattern = m.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(file, m.line_of("pattern"), f"{what}: bad pattern: {exc}") from exc
    return PropertySpec(
        name=name,
        type=ptype,
        required=bool(m.get("required", False)),
        enum=tuple(str(v) for v in enum) if enum else None,
        min=m.get("min"),
        max=m.get("max"),
        pattern=pattern,
        default=m.get("default"),
        description=str(m.get("description", "")),
        long=bool(m.get("long", False)),
    )


def _build_class(name: str, m: LineMap, file: str, line: int) -> ClassSpec:
    if not _IDENTIFIER.match(name):
        raise _fail(file, line, f"class {name!r}: not a valid label")
    _check_keys(m, _CLASS_KEYS, file, f"class {name}")
    props = _build_props(m.get("properties"), file, m.line_of("properties"), name)
    for attr in ("key", "display"):
        value = m.get(attr)
        if value not in props:
            raise _fail(file, m.line_of(attr),
                        f"class {name}: {attr} {value!r} is not one of its properties")
    if not isinstance(m.get("file"), str) or not m["file"].endswith(".csv"):
        raise _fail(file, m.line_of("file"), f"class {name}: file must name a .csv file")
    indexes = tuple(m.get("indexes") or ())
    for idx in indexes:
        if idx not in props:
            raise _fail(file, m.line_of("indexes"),
                        f"class {name}: index on unknown property {idx!r}")
    columns = m.get("columns")
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise _fail(file, m.line_of("columns"), f"class {name}: columns must be a list of names")
    return ClassSpec(
        name=name,
        file=m["file"],
        columns=tuple(columns),
        key=m["key"],
        display=m["display"],
        properties=props,
        derived_key=tuple(m.get("derived_key") or ()),
        opaque_key=bool(m.get("opaque_key", False)),
        indexes=indexes,
        description=str(m.get("description", "")),
    )


def _build_internal(name: str, m: LineMap, file: str, line: int) -> InternalSpec:
    if not _IDENTIFIER.match(name):
        raise _fail(file, line, f"internal label {name!r}: not a valid label")
    _check_keys(m, _INTERNAL_KEYS, file, f"internal label {name}")
    props = _mapping(m.get("properties"), file, m.line_of("properties"),
                     f"properties of {name}")
    for prop in props:
        if not _IDENTIFIER.match(prop):
            raise _fail(file, props.line_of(prop), f"{name}.{prop}: not a valid property name")
    if m.get("key") not in props:
        raise _fail(file, m.line_of("key"),
                    f"internal label {name}: key {m.get('key')!r} is not one of its properties")
    return InternalSpec(name=name, key=m["key"],
                        properties={k: str(v) for k, v in props.items()},
                        description=str(m.get("description", "")))


def _build_rel(name: str, m: LineMap, file: str, classes: dict[str, ClassSpec],
               class_files: dict[str, str]) -> RelationshipSpec:
    what = f"relationship {name}"
    if not _IDENTIFIER.match(name):
        raise _fail(file, m.line, f"{what}: not a valid relationship type")
    _check_keys(m, _REL_KEYS, file, what)
    for end in ("from", "to"):
        if m.get(end) not in classes:
            raise _fail(file, m.line_of(end), f"{what}: unknown class {m.get(end)!r} in '{end}'")
    cardinality = m.get("cardinality", "many_to_many")
    if cardinality not in CARDINALITIES:
        raise _fail(file, m.line_of("cardinality"),
                    f"{what}: cardinality must be one of {', '.join(CARDINALITIES)}")
    props = _build_props(m.get("properties"), file, m.line_of("properties"), name)
    key = tuple(m.get("key") or ())
    for k in key:
        if k not in props:
            raise _fail(file, m.line_of("key"), f"{what}: key {k!r} is not one of its properties")
    ended_by = m.get("ended_by")
    if ended_by is not None and (ended_by not in props or props[ended_by].type != "date"):
        raise _fail(file, m.line_of("ended_by"),
                    f"{what}: ended_by {ended_by!r} is not one of its date properties")
    imp = _build_import(_mapping(m.get("import"), file, m.line_of("import"), f"{what}.import"),
                        file, what, m["from"], m["to"], classes, class_files)
    return RelationshipSpec(
        name=name,
        source=m["from"],
        target=m["to"],
        cardinality=cardinality,
        imports=imp,
        properties=props,
        key=key,
        required=bool(m.get("required", False)),
        cascade=bool(m.get("cascade", False)),
        description=str(m.get("description", "")),
        ended_by=ended_by,
    )


def _build_import(m: LineMap, file: str, what: str, source: str, target: str,
                  classes: dict[str, ClassSpec], class_files: dict[str, str]) -> ImportSpec:
    allowed = {"file", "column", "reverse", "from_column", "to_column"}
    _check_keys(m, allowed, file, f"{what}.import")
    imp = ImportSpec(
        file=str(m.get("file")),
        column=m.get("column"),
        reverse=bool(m.get("reverse", False)),
        from_column=m.get("from_column"),
        to_column=m.get("to_column"),
    )
    if imp.column is not None:
        owner = target if imp.reverse else source
        if class_files.get(imp.file) != owner:
            raise _fail(file, m.line_of("file"),
                        f"{what}: a reference column must be in the file of class {owner} "
                        f"({classes[owner].file}), not {imp.file!r}")
    elif not (imp.from_column and imp.to_column):
        raise _fail(file, m.line, f"{what}: import needs 'column' or both 'from_column' and "
                                  "'to_column'")
    elif imp.file in class_files:
        raise _fail(file, m.line_of("file"),
                    f"{what}: file {imp.file!r} already holds class {class_files[imp.file]}")
    return imp
