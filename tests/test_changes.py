"""The change stamp: every write through Rolegraph bumps it in its own transaction and says
what it touched; caches rely on it to stay correct after writes from any process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import GraphHandle

from domain.errors import NotFound
from graph.changes import LOG_SIZE, Stamp, read_stamp
from graph.exporter import export_directory
from graph.repository import Repository

SMALL = Path(__file__).parent / "data" / "small_org"


def test_changes_since_reads_the_log() -> None:
    """Each log entry is one write; the last one is write number ``version``."""
    log = (json.dumps([["Employee", "E1"]]), json.dumps("*"),
           json.dumps([["Employee", "E2"], ["Position", "P1"]]))
    stamp = Stamp(epoch="x", version=7, log=log)
    assert stamp.changes_since("x", 7) == []
    assert stamp.changes_since("x", 6) == [("Employee", "E2"), ("Position", "P1")]
    assert stamp.changes_since("x", 5) is None  # write 6 was an import: rebuild
    assert stamp.changes_since("x", 3) is None  # older than the log remembers
    assert stamp.changes_since("y", 7) is None  # another epoch: the graph was cleared
    assert stamp.changes_since("x", 8) is None  # a cache newer than the graph: rebuild
    # a cache built before the first recorded write replays the whole log, if it reaches back
    young = Stamp(epoch="z", version=2, log=log[:1] + log[2:])
    assert young.changes_since(None, 0) == [("Employee", "E1"), ("Employee", "E2"),
                                            ("Position", "P1")]
    assert stamp.changes_since(None, 0) is None  # write 1 is no longer in the log


def test_writes_bump_the_stamp_with_what_they_touched(empty_graph: GraphHandle) -> None:
    assert empty_graph.run(read_stamp) == Stamp(epoch=None, version=0)
    empty_graph.import_dir(SMALL)
    first = empty_graph.run(read_stamp)
    assert first.version == 1 and first.epoch is not None
    assert first.changes_since(None, 0) is None  # an import touches everything
    repo = Repository(empty_graph.graph)

    empty_graph.run(lambda g: repo.update_node("PerformanceReview", "E2/2025", {"rating": 3}, {}))
    empty_graph.run(lambda g: repo.set_edge("HAS_COMPETENCY", "E1", "C1", {"level": 2}))
    empty_graph.run(lambda g: repo.update_node("Position", "P5", {"grade": 4},
                                               {"department_id": "D1"}))
    with pytest.raises(NotFound):
        empty_graph.run(lambda g: repo.update_node("Position", "P99", {"grade": 4}, {}))
    stamp = empty_graph.run(read_stamp)
    assert (stamp.epoch, stamp.version) == (first.epoch, 4)  # the failed write left no trace
    assert stamp.changes_since(first.epoch, 1) == [
        ("Employee", "E2"), ("PerformanceReview", "E2/2025"),  # a review touches its employee
        ("Competency", "C1"), ("Employee", "E1"),
        ("Department", "D1"), ("Department", "D3"), ("Position", "P4"), ("Position", "P5"),
    ]
    outcome = empty_graph.run(lambda g: repo.delete_node("Employee", "E2"))
    assert outcome.cascaded
    last = empty_graph.run(read_stamp).changes_since(first.epoch, 4)
    assert last is not None and ("Employee", "E2") in last
    assert {("PerformanceReview", c.split()[1]) for c in outcome.cascaded
            if c.startswith("PerformanceReview")} <= set(last)


def test_the_log_is_bounded_and_the_stamp_is_not_exported(empty_graph: GraphHandle,
                                                          tmp_path: Path) -> None:
    empty_graph.import_dir(SMALL)
    repo = Repository(empty_graph.graph)
    for level in range(LOG_SIZE + 5):
        empty_graph.run(lambda g, lv=level: repo.set_edge("HAS_COMPETENCY", "E1", "C1",
                                                          {"level": lv % 5 + 1}))
    stamp = empty_graph.run(read_stamp)
    assert stamp.version == LOG_SIZE + 6
    assert len(stamp.log) == LOG_SIZE
    assert stamp.changes_since(stamp.epoch, stamp.version - LOG_SIZE) is not None
    assert stamp.changes_since(stamp.epoch, stamp.version - LOG_SIZE - 1) is None
    empty_graph.run(lambda g: export_directory(g, tmp_path / "out"))
    exported = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("*.csv"))
    assert "ChangeStamp" not in exported and stamp.epoch not in exported
    assert sorted(p.name for p in (tmp_path / "out").glob("*.csv")) == sorted(
        empty_graph.graph.ontology.files())
