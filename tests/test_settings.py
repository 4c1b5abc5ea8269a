"""Settings: with a URI Rolegraph starts nothing and uses the server's default database."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.db import graph_runtime
from graph.settings import Settings


def test_a_uri_means_no_engine_and_the_servers_default_database(tmp_path: Path) -> None:
    settings = Settings(neo4j_uri="neo4j://db.example.internal:7687", neo4j_user="hr",
                        data_dir=tmp_path / "unused")
    with graph_runtime(settings) as conn:
        assert (conn.uri, conn.user, conn.database, conn.embedded) == (
            "neo4j://db.example.internal:7687", "hr", None, False)
    assert not (tmp_path / "unused").exists(), "no embedded engine was started"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv("ROLEGRAPH_NEO4J_URI", "bolt://localhost:7687")
    monkeypatch.setenv("ROLEGRAPH_NEO4J_DATABASE", "org")
    monkeypatch.setenv("ROLEGRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ROLEGRAPH_MODE", "production")
    settings = Settings()
    assert (settings.neo4j_uri, settings.neo4j_database, settings.data_dir, settings.mode) == (
        "bolt://localhost:7687", "org", tmp_path, "production")
