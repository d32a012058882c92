"""Target 4: the batch runner's executors — overhead, parallel speed-up, Dask against processes.

The runs are real runs of the batch runner (``experiments.worker.execute``: the ``silo``
scenario, ``DAYS`` = 600 days ≈ 0.5 s each here, the run length the target names), each seeded by
its own spec. Each repetition times, in
this order and in one process:

- ``serial``: the in-process executor on 40 runs (the time at the 20th result is kept too);
- ``processes ×1``: the process executor with one worker on the first 20 runs, once from cold and
  once on a started pool (one untimed run first) — the started pool's extra time over serial's
  first 20 is the per-run overhead (pickling, transfer, scheduling; the target), cold minus
  started is the one-off start-up (forkserver, worker imports, first-run warm-up);
- ``processes ×2``: the process executor with two workers on the 40 runs;
- ``dask ×2``: a local Dask cluster (2 worker processes, 1 thread each) on the 40 runs.

Every executor's time includes making and closing it (its start-up is part of what a user waits
for). Medians over 5 repetitions. ``--quick`` (indicative only): 12 runs of 250 days, 3
repetitions. A 2-worker speed-up needs two free cores, so the benchmark also measures how many the
machine gives right now (``free_cores``: one CPU-bound loop alone against two at once, before and
after) and prints it beside the figures.
"""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
import time
import warnings

from common import Result

from govlab.experiments.executors import make_executor
from govlab.experiments.plan import RunSpec, digest_of
from govlab.scenarios import load_scenario

RUNS = 40
DAYS = 600  # ≈ 0.5 s a run with the compiled engine (250 days were ≈ 0.4 s before it, 0.2 s after)


def specs(days: int, count: int) -> list[RunSpec]:
    scenario = load_scenario("silo")
    digest = digest_of(scenario, days)
    return [
        RunSpec(
            key=f"silo/p0000/r{i:04d}",
            label="silo",
            point=0,
            replication=i,
            seed=1000 + i,
            days=days,
            params={},
            scenario=scenario,
            digest=digest,
        )
        for i in range(count)
    ]


def timed_batch(
    kind: str, workers: int, runs: list[RunSpec], mark: int | None = None, warm: bool = False
):
    """Seconds to make the executor, run every spec and close it; the time at result ``mark``;
    the results' metrics by key (to check that executors agree). With ``warm``, the executor
    first runs one spec untimed (pool started, worker imports done): the time is then the
    marginal cost of the runs alone."""
    start = time.perf_counter()
    executor = make_executor(kind, workers=workers)
    if warm:
        for _ in executor.run(runs[:1]):
            pass
        start = time.perf_counter()
    made = time.perf_counter() - start
    at_mark = None
    metrics = {}
    try:
        for count, (spec, result) in enumerate(executor.run(runs), start=1):
            if result["status"] != "done":
                raise RuntimeError(f"{kind}: run {spec.key} failed: {result['error']}")
            metrics[spec.key] = result["metrics"].get("delay_mean_days")
            if count == mark:
                at_mark = time.perf_counter() - start
    finally:
        executor.close()
    return time.perf_counter() - start, at_mark, made, metrics


def load_average() -> float:
    return os.getloadavg()[0]


SPIN = "import time\nt = time.process_time()\nx = 0\nfor i in range(6_000_000): x += i\n"


def free_cores() -> float:
    """How many cores this machine gives us now: a fixed CPU-bound loop in 2 processes at once
    against 1 alone (2.0 on an idle 2-core machine; ~1 when other work holds a core)."""

    def spin(copies: int) -> float:
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(copies)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - start

    one = statistics.median(spin(1) for _ in range(3))
    two = statistics.median(spin(2) for _ in range(3))
    return 2.0 * one / two


def bench(quick: bool) -> list[Result]:
    count, days, repeats = (12, 250, 3) if quick else (RUNS, DAYS, 5)
    runs = specs(days, count)
    half = runs[: count // 2]
    load_before = load_average()
    cores_before = free_cores()
    logging.getLogger("distributed").setLevel(logging.ERROR)
    times: dict[str, list[float]] = {
        "serial": [],
        "serial_20": [],
        "processes_1": [],
        "processes_1_warm": [],
        "processes_2": [],
        "dask_2": [],
        "dask_startup": [],
    }
    agree = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(repeats):
            total, at_half, _, serial_metrics = timed_batch("serial", 1, runs, count // 2)
            times["serial"].append(total)
            times["serial_20"].append(at_half)
            times["processes_1"].append(timed_batch("processes", 1, half)[0])
            times["processes_1_warm"].append(timed_batch("processes", 1, half, warm=True)[0])
            total, _, _, process_metrics = timed_batch("processes", 2, runs)
            times["processes_2"].append(total)
            total, _, made, dask_metrics = timed_batch("dask", 2, runs)
            times["dask_2"].append(total)
            times["dask_startup"].append(made)
            agree &= serial_metrics == process_metrics == dask_metrics
    m = {name: statistics.median(values) for name, values in times.items()}
    run_seconds = m["serial"] / count
    cores = (cores_before + free_cores()) / 2
    load = (
        f"load average {load_before:.1f} → {load_average():.1f} on {os.cpu_count()} CPUs, "
        f"{cores:.2f} cores free"
    )
    overhead = m["processes_1_warm"] / m["serial_20"] - 1.0
    cold = m["processes_1"] / m["serial_20"] - 1.0
    startup = m["processes_1"] - m["processes_1_warm"]
    speedup = m["serial"] / m["processes_2"]
    dask_ratio = m["dask_2"] / m["processes_2"]
    same = "same numbers on every executor" if agree else "EXECUTORS DISAGREE"
    return [
        Result(
            name=f"batch: process executor overhead per run (1 worker, {count // 2} runs)",
            ours=m["processes_1_warm"] / (count // 2),
            reference=m["serial_20"] / (count // 2),
            unit="s/run",
            ratio=1.0 + overhead,
            target=1.10,
            higher_is_better=False,
            note=f"{overhead:+.1%} per run on a started pool, runs of {run_seconds:.2f} s; "
            f"start-up {startup:.2f} s per pool ({cold:+.1%} over {count // 2} runs with it); "
            f"{load}",
            details={"seconds": times, "days": days, "runs": count},
        ),
        Result(
            name=f"batch: {count} runs, processes ×2 vs serial",
            ours=count / m["processes_2"],
            reference=count / m["serial"],
            unit="runs/s",
            ratio=speedup,
            target=1.6,
            passed=speedup >= 1.6 and agree,
            note=f"{m['processes_2']:.1f} s vs {m['serial']:.1f} s; {same}; {load}",
            details={"free_cores": cores},
        ),
        Result(
            name=f"batch: {count} runs, dask local cluster ×2 vs processes ×2",
            ours=m["dask_2"],
            reference=m["processes_2"],
            unit="s",
            ratio=dask_ratio,
            target=1.2,
            higher_is_better=False,
            note=f"cluster start-up {m['dask_startup']:.1f} s included "
            f"({(m['dask_2'] - m['dask_startup']) / m['processes_2']:.2f}× without it)",
        ),
    ]
