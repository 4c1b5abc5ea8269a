"""Which positions an org chart shows: the reporting lines of a selection of positions (a
department with those below it, or the whole organisation) as a forest, cut at a depth and
at a number of boxes.

* The **tops** of a selection are its positions that report to nobody or to a position
  outside it (a department's head reports to the head of the department above). Each top
  starts a tree; children are sorted by id.
* **Depth** counts levels from the tops: depth 1 shows the tops only. A shown position whose
  reports are cut off carries ``more``: how many positions below it are not shown.
* **The box limit** (:data:`MAX_BOXES`) keeps a chart of a large organisation sane: whole
  levels are shown while they fit (the first level cut to the limit if even it does not), and
  the chart says it was cut (``capped``) so that the reader narrows it (a department, a
  smaller depth).

A position's staffing is :class:`domain.boundary.Staffing` (incumbents minus headcount: above
0 over headcount, 编制溢出; below 0 vacancies), the same record the ``headcountStatus`` answer
uses. Pure code: the graph layer (``graph/orgchart.py``) reads the records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from domain.boundary import Staffing
from domain.errors import InvalidInput

#: levels shown when no depth is asked for: the demo's reporting lines are 6 levels deep
DEFAULT_DEPTH = 10
#: the deepest chart one may ask for
MAX_DEPTH = 100
#: at most this many position boxes in one chart
MAX_BOXES = 400


def parse_depth(text: str | None) -> int:
    """The ``depth`` parameter: a whole number from 1 to :data:`MAX_DEPTH` (None or blank:
    :data:`DEFAULT_DEPTH`); anything else is :class:`InvalidInput` naming ``depth``."""
    if text is None or not text.strip():
        return DEFAULT_DEPTH
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_DEPTH:
        raise InvalidInput(f"depth must be a whole number from 1 to {MAX_DEPTH}, not {text!r}",
                           field="depth")
    return int(value)


@dataclass(frozen=True)
class ChartPosition:
    """One position of the chart: its staffing, whom it reports to, and the names of its
    current incumbents that the caller may see (by employee id; the others only counted)."""

    staffing: Staffing
    reports_to: str | None
    names: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return str(self.staffing.position["id"])

    @property
    def title(self) -> str:
        return str(self.staffing.position["title"])

    @property
    def department(self) -> str | None:
        d = self.staffing.department
        return None if d is None else str(d["id"])

    @property
    def department_name(self) -> str | None:
        d = self.staffing.department
        return None if d is None else str(d["name"])

    @property
    def vacancies(self) -> int:
        """Headcount not filled (空缺), never below 0."""
        return max(-self.staffing.difference, 0)

    @property
    def over(self) -> int:
        """Incumbents above the headcount (超编), never below 0."""
        return max(self.staffing.difference, 0)

    @property
    def hidden(self) -> int:
        """Incumbents the caller may not see by name (counted only)."""
        return max(self.staffing.incumbents - len(self.names), 0)


@dataclass(frozen=True)
class Forest:
    """Reporting lines as trees: the tops and each position's direct reports, by id."""

    roots: tuple[str, ...]
    children: Mapping[str, tuple[str, ...]]


def reporting_forest(reports_to: Mapping[str, str | None]) -> Forest:
    """The forest of a selection (``id -> the id it reports to``). A position reporting to
    one outside the selection is a top. Should the data hold a cycle (the API and the
    importer refuse them), its smallest id is made a top, so every position appears once."""
    children: dict[str, list[str]] = {}
    roots: list[str] = []
    for key in sorted(reports_to):
        boss = reports_to[key]
        if boss is None or boss not in reports_to or boss == key:
            roots.append(key)
        else:
            children.setdefault(boss, []).append(key)
    reached = set(_walk(roots, children))
    for key in sorted(reports_to):
        if key not in reached:  # on a cycle: no top reaches it; cut it from its boss
            children[str(reports_to[key])].remove(key)
            roots.append(key)
            reached.update(_walk([key], children, reached))
    return Forest(tuple(roots), {k: tuple(v) for k, v in children.items() if v})


def _walk(starts: list[str], children: Mapping[str, Sequence[str]],
          seen: set[str] | None = None) -> list[str]:
    """The positions reached from ``starts`` (each once), breadth first."""
    seen = set() if seen is None else set(seen)
    order, todo = [], [s for s in starts if s not in seen]
    seen.update(todo)
    while todo:
        order += todo
        nxt = []
        for key in todo:
            for child in children.get(key, ()):
                if child not in seen:
                    seen.add(child)
                    nxt.append(child)
        todo = nxt
    return order


@dataclass(frozen=True)
class ShownTree:
    """What a chart shows of a forest: the tops, each shown position's shown reports, and
    for positions whose reports are cut off, how many positions below them are not shown."""

    roots: tuple[str, ...]
    children: Mapping[str, tuple[str, ...]]
    more: Mapping[str, int] = field(default_factory=dict)
    levels: int = 0  # levels shown
    total: int = 0  # positions in the selection
    capped: bool = False  # cut at the box limit, not only at the depth asked for

    @property
    def shown(self) -> list[str]:
        """The shown positions, level by level."""
        return _walk(list(self.roots), self.children)


def cut(forest: Forest, depth: int, max_boxes: int = MAX_BOXES) -> ShownTree:
    """The part of ``forest`` a chart shows: ``depth`` levels, whole levels while they fit
    in ``max_boxes`` (the first level cut to it if even that does not fit)."""
    if depth < 1 or max_boxes < 1:
        raise ValueError("depth and max_boxes must be at least 1")
    size = _subtree_sizes(forest)
    total = sum(size[r] for r in forest.roots)
    level, roots = list(forest.roots), list(forest.roots)
    capped = len(level) > max_boxes
    if capped:
        roots = level = level[:max_boxes]
    shown, levels = len(level), 1
    children: dict[str, tuple[str, ...]] = {}
    while levels < depth and not capped:
        below = [c for p in level for c in forest.children.get(p, ())]
        if not below:
            break
        if shown + len(below) > max_boxes:
            capped = True
            break
        for p in level:
            if forest.children.get(p):
                children[p] = forest.children[p]
        level, shown, levels = below, shown + len(below), levels + 1
    more = {p: size[p] - 1 for p in level if size[p] > 1}
    return ShownTree(tuple(roots), children, more, levels, total, capped)


def _subtree_sizes(forest: Forest) -> dict[str, int]:
    """Per position: itself and every position below it."""
    order = _walk(list(forest.roots), forest.children)
    size: dict[str, int] = {}
    for key in reversed(order):
        size[key] = 1 + sum(size[c] for c in forest.children.get(key, ()))
    return size
