"""City scale (issue 21): 2.5 × 10^7 residents for a working year, its time, memory and profile.

Not in the default run: ``python benchmarks/run.py --city`` (one run of 2.5 × 10^6 residents,
then one of 2.5 × 10^7, each a fresh process, ``city_child.py``; ~10 GB and a few minutes; run it
on a quiet machine). ``--quick`` runs 2.5 × 10^5 and 2.5 × 10^6 residents for 50 days instead.

The world is the default scenario (``silo``) with enterprises and every department's staff
scaled with the population (``scaling_child.scaled``). Figures:

- wall time of the large run (build + 250 days) against the target of 2 minutes, with its CPU
  time beside it (on a shared machine the wall time counts other sessions' work too);
- peak RSS per resident beyond the fixed base, two ways: the slope between the two sizes
  (what each further resident costs) against the target of 300 B, and (peak − RSS at start) /
  residents of the large run, which also charges it the size-independent parts loaded during
  the build (numba's kernels, Mesa);
- where the time goes: the build's parts and the day's phases (``city_child.STEP_PHASES``),
  CPU seconds, largest first, printed as a table and kept in the JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from common import Result

CHILD = Path(__file__).resolve().parent / "city_child.py"
SIZES = (2_500_000, 25_000_000)
QUICK_SIZES = (250_000, 2_500_000)
DAYS, QUICK_DAYS = 250, 50
TARGET_SECONDS, TARGET_BYTES = 120.0, 300.0


def child(residents: int, days: int) -> dict:
    out = subprocess.run(
        [sys.executable, str(CHILD), str(residents), str(days)], capture_output=True, text=True
    )
    if out.returncode:
        raise RuntimeError(f"city_child.py {residents} {days} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def profile(run: dict, top: int = 8) -> str:
    """The run's phases as a table: CPU and wall seconds, share of the run's CPU time."""
    total = run["build_cpu_seconds"] + run["step_cpu_seconds"]
    rows = [("build: " + r["phase"], r) for r in run["build_phases"]]
    rows += [("day: " + r["phase"], r) for r in run["step_phases"]]
    rows.sort(key=lambda item: -item[1]["cpu_s"])
    lines = [f"{'phase':58s} {'cpu s':>8s} {'wall s':>8s} {'share':>6s}"]
    for name, r in rows[:top]:
        share = r["cpu_s"] / total if total else 0.0
        lines.append(f"{name:58s} {r['cpu_s']:8.2f} {r['wall_s']:8.2f} {share:6.1%}")
    return "\n".join(lines)


def bench(quick: bool) -> list[Result]:
    small_n, large_n = QUICK_SIZES if quick else SIZES
    days = QUICK_DAYS if quick else DAYS
    small, large = child(small_n, days), child(large_n, days)
    wall = large["build_seconds"] + large["step_seconds"]
    cpu = large["build_cpu_seconds"] + large["step_cpu_seconds"]
    slope = (large["peak_rss"] - small["peak_rss"]) / (large_n - small_n)
    beyond_start = (large["peak_rss"] - large["base_rss"]) / large_n
    table = profile(large)
    print(f"\ncity profile, {large_n:.2g} residents × {days} days:\n{table}\n", file=sys.stderr)
    top = "; ".join(
        f"{r['phase']} {r['cpu_s']:.1f} s"
        for r in sorted(large["step_phases"], key=lambda r: -r["cpu_s"])[:4]
    )
    return [
        Result(
            name=f"city: {large_n:.2g} residents × {days} days (build + steps)",
            ours=wall,
            reference=None,
            unit="s",
            ratio=wall / TARGET_SECONDS,
            ratio_unit="× the bound",
            target=1.0,
            higher_is_better=False,
            note=f"CPU {cpu:.1f} s (build {large['build_cpu_seconds']:.1f} s, days "
            f"{large['step_cpu_seconds']:.1f} s); wall build {large['build_seconds']:.1f} s, days "
            f"{large['step_seconds']:.1f} s; at {small_n:.2g}: wall "
            f"{small['build_seconds'] + small['step_seconds']:.1f} s, CPU "
            f"{small['build_cpu_seconds'] + small['step_cpu_seconds']:.1f} s; "
            f"{large['cases']} cases; days' top phases (CPU): {top}",
            details={"small": small, "large": large, "target_seconds": TARGET_SECONDS},
        ),
        Result(
            name="city: peak RSS per resident beyond a fixed base",
            ours=slope,
            reference=None,
            unit="B/resident",
            ratio=slope,
            ratio_unit=" B",
            target=TARGET_BYTES,
            higher_is_better=False,
            note=f"slope between {small_n:.2g} and {large_n:.2g}; peak RSS "
            f"{small['peak_rss'] / 2**30:.2f} GiB and {large['peak_rss'] / 2**30:.2f} GiB; "
            f"(peak − start) / residents at {large_n:.2g}: {beyond_start:.0f} B; peak reached "
            f"{'in the build' if large['build_peak_rss'] >= large['peak_rss'] else 'in the days'}",
        ),
    ]
