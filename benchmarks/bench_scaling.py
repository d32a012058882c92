"""Target 3: cost per resident-day at 10^6 residents against 10^5, a year at 10^6, peak memory.

Each run is a fresh process (``scaling_child.py``): the default scenario (``silo``) with staff
and enterprises scaled with the population, built and stepped; the child reports its build and
stepping times and its peak RSS. Runs at 10^5 and 10^6 alternate (5 of each); the cost per
resident-day is stepping time / (residents × days), medians compared. The full run steps a year
(250 working days) at both sizes; ``--quick`` steps 20 days.

Memory per resident is the slope between the two sizes, (peak RSS at 10^6 − peak RSS at 10^5) /
900 000: the interpreter, the libraries and every size-independent structure are the fixed base.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from common import Result

CHILD = Path(__file__).resolve().parent / "scaling_child.py"
SMALL, LARGE = 100_000, 1_000_000


def child(residents: int, days: int) -> dict:
    out = subprocess.run(
        [sys.executable, str(CHILD), str(residents), str(days)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(quick: bool) -> list[Result]:
    days = 20 if quick else 250
    runs: dict[int, list[dict]] = {SMALL: [], LARGE: []}
    for _ in range(5):
        for size in (SMALL, LARGE):
            runs[size].append(child(size, days))

    def median(size: int, key: str) -> float:
        return statistics.median(run[key] for run in runs[size])

    cost = {size: median(size, "step_seconds") / (size * days) * 1e9 for size in runs}
    build = {size: median(size, "build_seconds") / size * 1e9 for size in runs}
    peak = {size: median(size, "peak_rss") for size in runs}
    per_resident = (peak[LARGE] - peak[SMALL]) / (LARGE - SMALL)
    base = peak[SMALL] - per_resident * SMALL
    year = median(LARGE, "build_seconds") + median(LARGE, "step_seconds")
    last = runs[LARGE][-1]
    return [
        Result(
            name="scaling: cost per resident-day, 10^6 vs 10^5",
            ours=cost[LARGE],
            reference=cost[SMALL],
            unit="ns/resident-day",
            ratio=cost[LARGE] / cost[SMALL],
            target=1.3,
            higher_is_better=False,
            note=f"{days} days; stepping only (build: {build[LARGE]:.0f} vs "
            f"{build[SMALL]:.0f} ns/resident, {build[LARGE] / build[SMALL]:.2f}×)",
            details={"runs": runs, "build_ns_per_resident": build},
        ),
        Result(
            name=f"scaling: {days} days at 10^6 residents (build + steps)",
            ours=year,
            reference=None,
            unit="s",
            ratio=None,
            target=None,
            passed=True,
            note=f"completed: {last['cases']} cases, {last['open_cases']} open, "
            f"trust {last['trust_mean']:.3f}",
        ),
        Result(
            name="memory: peak RSS per resident beyond a fixed base",
            ours=per_resident,
            reference=None,
            unit="B/resident",
            ratio=per_resident,
            ratio_unit=" B",
            target=400.0,
            higher_is_better=False,
            note=f"peak RSS {peak[SMALL] / 2**20:.0f} MiB at 10^5, {peak[LARGE] / 2**20:.0f} MiB "
            f"at 10^6; fixed base {base / 2**20:.0f} MiB",
        ),
    ]
