"""Benchmark: every shipped rule pack on the 50,000-employee organisation, embedded engine.

    python -m bench.rules_50k [--employees 50000] [--seed 1] [--runs 2] [--data-dir DIR]

Generates the organisation (samples.generator), imports it into a fresh embedded engine, then
runs all packs ``--runs`` times (the first run is cold), printing each rule's time and
violation count and the total. The reference day is the generator's, 2026-01-01.

Part of the succession rule's time is computed successors (fit scoring, in Python); on the
first run that includes building the process' fit model of the graph (a full load), printed
separately.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from bench.common import large_org
from graph.db import Connection, Graph
from graph.fit_loader import load_counts
from rules.loader import load_rules
from rules.params import resolve_parameters
from rules.report import Report
from rules.runner import run_rules

REFERENCE_DAY = date(2026, 1, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep (or reuse) the engine's data here")
    args = parser.parse_args()
    with large_org(args.employees, args.seed, args.data_dir) as conn:
        reports = asyncio.run(_bench(conn, args.runs))
    for n, (report, full_loads) in enumerate(reports, 1):
        print(f"\nrun {n} ({'cold' if n == 1 else 'warm'}):")
        _print(report, full_loads)
    return 0


async def _bench(conn: Connection, runs: int) -> list[tuple[Report, int]]:
    graph = Graph.connect(conn)
    try:
        ruleset = load_rules()
        params = resolve_parameters(ruleset, today=REFERENCE_DAY)
        out = []
        for _ in range(runs):
            before = load_counts(graph)[0]
            report = await run_rules(graph, ruleset.rules, params)
            out.append((report, load_counts(graph)[0] - before))
        return out
    finally:
        await graph.close()


def _print(report: Report, full_loads: int) -> None:
    width = max(len(r.rule.id) for r in report.results)
    print(f"  {'rule':<{width}}  {'pack':<13}  {'violations':>10}  {'seconds':>8}")
    for r in report.results:
        print(f"  {r.rule.id:<{width}}  {r.rule.pack:<13}  {r.count:>10,}  {r.seconds:>8.3f}")
    print(f"  total: {len(report.results)} rules, {len(report.violations):,} violations, "
          f"{report.seconds:.2f} s")
    for r in report.results:
        if r.computed_seconds:
            built = " (building the fit model included)" if full_loads else ""
            print(f"  of {r.rule.id}'s {r.seconds:.3f} s, computed successors took "
                  f"{r.computed_seconds:.3f} s{built}")


if __name__ == "__main__":
    sys.exit(main())
