"""One scaling run in a fresh process (so that its peak RSS is its own); prints JSON.

Usage: ``python scaling_child.py RESIDENTS DAYS [SEED]``. The default scenario (``silo``, S0) with
``RESIDENTS`` residents; enterprises and every department's staff scale with the population
(from the default 40 000 residents), so that the load per server is the default's.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_RESIDENTS = 40_000
DEFAULT_ENTERPRISES = 2_000


def scaled(residents: int):
    from govlab.scenarios import load_scenario

    scenario = load_scenario("silo")
    factor = residents / DEFAULT_RESIDENTS
    overrides = {
        "world.residents": residents,
        "world.enterprises": round(DEFAULT_ENTERPRISES * factor),
    }
    for name, spec in scenario.functions.items():
        overrides[f"functions.{name}.counter_staff"] = max(1, round(spec.counter_staff * factor))
        overrides[f"functions.{name}.backoffice_staff"] = max(
            1, round(spec.backoffice_staff * factor)
        )
    return scenario.with_overrides(overrides)


def peak_rss() -> int:
    """Peak resident set size of this process image so far; bytes.

    ``VmHWM`` from /proc (reset by ``exec``), not ``getrusage().ru_maxrss``: the latter keeps the
    high-water mark of the forked parent's image from before ``exec``, so a child of a big
    benchmark process would report the parent's size.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # pragma: no cover


def main() -> None:
    residents, days = int(sys.argv[1]), int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    from govlab.model import GovernanceModel, summarise

    scenario = scaled(residents)
    base = peak_rss()
    start = time.perf_counter()
    model = GovernanceModel(scenario, rng=seed)
    build = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(days):
        model.step()
    stepping = time.perf_counter() - start
    summary = summarise(model)
    print(
        json.dumps(
            {
                "residents": residents,
                "days": days,
                "build_seconds": build,
                "step_seconds": stepping,
                "base_rss": base,
                "peak_rss": peak_rss(),
                "cases": len(model.journeys.records),
                "open_cases": model.journeys.open_cases,
                "trust_mean": float(model.population.trust.mean()),
                "delay_mean_days": summary.get("delay_mean_days"),
            }
        )
    )


if __name__ == "__main__":
    main()
