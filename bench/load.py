"""A load generator for the throughput figures of ``bench.api_50k``, run as its own process
(so that its work does not share the served app's interpreter):

    python -m bench.load URL SECONDS CONCURRENCY IDS_FILE [TOKEN]

``CONCURRENCY`` clients, each sending its next request as soon as the last one is answered,
for ``SECONDS``; ``URL`` holds ``{id}`` (a plain route) or is a GraphQL endpoint (the
single-position query of ``bench.api_50k``), ids drawn in turn from ``IDS_FILE`` (one a
line). Prints one JSON line: requests, seconds, requests/s, errors.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from pathlib import Path

import httpx

from bench.api_50k import ONE


async def _client(http: httpx.AsyncClient, url: str, ids: itertools.cycle[str], until: float,
                  counts: dict[str, int]) -> None:
    while time.perf_counter() < until:
        key = next(ids)
        if "{id}" in url:
            response = await http.get(url.replace("{id}", key))
            ok = response.status_code == 200
        else:
            response = await http.post(url, json={"query": ONE, "variables": {"id": key}})
            ok = response.status_code == 200 and "errors" not in response.json()
        counts["requests" if ok else "errors"] += 1


async def run(url: str, seconds: float, concurrency: int, ids: list[str],
              token: str | None) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    counts = {"requests": 0, "errors": 0}
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=60) as http:
        cycle = itertools.cycle(ids)
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(_client(http, url, cycle, until, counts)
                               for _ in range(concurrency)))
        took = time.perf_counter() - started
    return {"requests": counts["requests"], "errors": counts["errors"], "seconds": took,
            "per_second": counts["requests"] / took}


def main(argv: list[str]) -> int:
    url, seconds, concurrency, ids_file = argv[:4]
    token = argv[4] if len(argv) > 4 else None
    ids = Path(ids_file).read_text(encoding="utf-8").split()
    print(json.dumps(asyncio.run(run(url, float(seconds), int(concurrency), ids, token))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
