"""A tidy top-down layout of a forest of equal boxes (an org chart), in pure code.

Each tree is laid out bottom-up as a *block*: a box with its descendants in a band of its
own width, so blocks side by side never overlap.

* A box whose reports include some with reports of their own lays those out side by side,
  one level below, ``hgap`` apart; its reports without reports of their own (two or more)
  **hang in one column** beside them (boxes under each other on a vertical line: the usual
  org-chart way to keep a department's many staff positions from making the chart very
  wide). A single one stands in the row like the others.
* A box whose reports have none of their own (two or more) hangs them all in one column
  under itself.
* A parent is **centred over its reports**: its centre lies halfway between the centres of
  the leftmost and the rightmost of them (a hanging column counts as one, at its boxes'
  centre). So boxes of one level share a row, but for the hanging columns.
* Trees of the forest stand side by side, ``hgap`` apart.

The connectors come out as polylines (a bus under the parent, drops to each report, the
hanging column's spine with a tick into each box). Under each box there is room for a
one-line note (``note``: the chart's "+N more") before the next box.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Point = tuple[float, float]


@dataclass(frozen=True)
class Geometry:
    """Sizes in pixels: the box, the gaps between sibling blocks and between levels, the
    gap between the boxes of a hanging column (room for a note under each) and the room
    left of a hanging column for its spine."""

    width: float = 168
    height: float = 84
    hgap: float = 18
    vgap: float = 44
    stack_gap: float = 24
    indent: float = 16
    note: float = 20


@dataclass
class _Block:
    """A laid-out subtree, relative to its own top-left corner."""

    boxes: dict[str, Point]
    lines: list[list[Point]]
    width: float
    height: float
    anchor: float  # x of the centre of its top box (the point its parent connects to)

    def moved(self, dx: float, dy: float) -> _Block:
        return _Block({k: (x + dx, y + dy) for k, (x, y) in self.boxes.items()},
                      [[(x + dx, y + dy) for x, y in line] for line in self.lines],
                      self.width, self.height, self.anchor + dx)


@dataclass(frozen=True)
class Layout:
    """Box top-left corners by id, the connectors and the size of the whole."""

    boxes: Mapping[str, Point]
    lines: list[list[Point]] = field(default_factory=list)
    width: float = 0
    height: float = 0


def layout(roots: tuple[str, ...], children: Mapping[str, tuple[str, ...]],
           g: Geometry = Geometry(), stand: frozenset[str] = frozenset()) -> Layout:
    """Lay out the forest ``roots`` / ``children`` (see the module docstring). The boxes in
    ``stand`` never hang in a column, though no reports of theirs are shown (reports cut off
    by the chart's depth: their "+N more" belongs under a box standing in its row)."""
    blocks = [_tree(r, children, g, stand) for r in roots]
    row = _row(blocks, g)
    return Layout(row.boxes, row.lines, row.width, row.height + g.note)


def _tree(key: str, children: Mapping[str, tuple[str, ...]], g: Geometry,
          stand: frozenset[str]) -> _Block:
    kids = children.get(key, ())
    if not kids:
        return _Block({key: (0, 0)}, [], g.width, g.height, g.width / 2)
    branches = [k for k in kids if children.get(k) or k in stand]
    leaves = [k for k in kids if not (children.get(k) or k in stand)]
    if len(leaves) == 1:  # one box needs no column: it stands below like the others
        branches, leaves = list(kids), []
    blocks = [_tree(k, children, g, stand) for k in branches]
    if leaves:
        blocks.append(_column(leaves, g))
    row_top = g.height + g.vgap
    row = _row(blocks, g).moved(0, row_top)
    centres = [row.boxes[k][0] + g.width / 2 for k in (*branches, *leaves[:1])]
    centre = (min(centres) + max(centres)) / 2
    bus_y = g.height + g.vgap / 2
    drops = [row.boxes[b][0] + g.width / 2 for b in branches]
    if leaves:  # onto the hanging column's spine
        drops.append(row.boxes[leaves[0]][0] - g.indent / 2)
    lines = [[(centre, g.height), (centre, bus_y)],
             [(min(*drops, centre), bus_y), (max(*drops, centre), bus_y)]]
    lines += [[(x, bus_y), (x, row_top)] for x in drops]
    return _Block({key: (centre - g.width / 2, 0.0), **row.boxes}, lines + row.lines,
                  row.width, row.height + row_top, centre)


def _column(leaves: list[str], g: Geometry) -> _Block:
    """Boxes without reports hanging under each other from a spine on their left, which
    starts at the block's top (where the parent's connector arrives)."""
    step = g.height + g.stack_gap
    boxes = {k: (g.indent, i * step) for i, k in enumerate(leaves)}
    spine_x = g.indent / 2
    mids = [i * step + g.height / 2 for i in range(len(leaves))]
    lines = [[(spine_x, 0.0), (spine_x, mids[-1])]]
    lines += [[(spine_x, y), (g.indent, y)] for y in mids]
    height = len(leaves) * step - g.stack_gap
    return _Block(boxes, lines, g.indent + g.width, height, g.indent + g.width / 2)


def _row(blocks: list[_Block], g: Geometry) -> _Block:
    """Blocks side by side, ``hgap`` apart; the anchor is the last block's."""
    boxes: dict[str, Point] = {}
    lines: list[list[Point]] = []
    x, height, anchor = 0.0, 0.0, 0.0
    for block in blocks:
        placed = block.moved(x, 0)
        boxes.update(placed.boxes)
        lines += placed.lines
        anchor = placed.anchor
        x += block.width + g.hgap
        height = max(height, block.height)
    return _Block(boxes, lines, max(x - g.hgap, 0.0), height, anchor)
