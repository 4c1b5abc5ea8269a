"""Helpers for API tests: GraphQL over real HTTP, and the demo's CSV files as expectations."""

from __future__ import annotations

import csv
from functools import cache
from typing import Any

import httpx

from samples.demo import DEMO_DIR


def gql(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    """POST a GraphQL request; the HTTP status must be 200. Returns the whole response body."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def data(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    """The ``data`` of a request that must succeed."""
    body = gql(client, query, **variables)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


def error(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    """The single error of a request that must fail."""
    body = gql(client, query, **variables)
    assert body.get("errors"), body
    assert len(body["errors"]) == 1, body["errors"]
    first: dict[str, Any] = body["errors"][0]
    return first


@cache
def demo_rows(file: str) -> tuple[dict[str, str], ...]:
    """The rows of one demo CSV file."""
    with (DEMO_DIR / file).open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def demo_subtree(department: str) -> set[str]:
    """A department's id and the ids of all departments below it, from the demo files."""
    children: dict[str, list[str]] = {}
    for row in demo_rows("departments.csv"):
        children.setdefault(row["parent_id"], []).append(row["id"])
    found, todo = set(), [department]
    while todo:
        current = todo.pop()
        found.add(current)
        todo += children.get(current, [])
    return found


def demo_current_holders(positions: set[str]) -> set[str]:
    return {r["employee_id"] for r in demo_rows("employee_positions.csv")
            if r["position_id"] in positions and not r["end_date"]}
