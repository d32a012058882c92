"""One city run in a fresh process, timed phase by phase; prints JSON (the last line).

Usage: ``python city_child.py RESIDENTS DAYS [SEED]``. The default scenario (``silo``) scaled to
``RESIDENTS`` as in ``scaling_child.py`` (enterprises and every department's staff scale with
the population). Reports the wall and CPU seconds of the build and of the days, the peak RSS
(``VmHWM``) at start (the fixed base: interpreter, NumPy, SciPy, numba, Mesa, the model's code),
after the build and at the end, and where the time goes: the build's parts and each phase of
``GovernanceModel.step`` (the calls it makes, in its order), timed by wrapping them on the model
(the model's code is not changed; the wrappers cost ~1 µs a call, ~20 calls a day).
"""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scaling_child import peak_rss, scaled

# The phases of GovernanceModel.step: (label, owner attribute path, method name).
STEP_PHASES = (
    ("demand (open cases)", "", "_demand"),
    ("service events (kernel)", "journeys", "advance_to"),
    ("close day", "journeys", "close_day"),
    ("records table", "journeys.records", "table"),
    ("waiting: completed", "waiting", "completed"),
    ("evaluation (judge, publish, read)", "evaluation", "step"),
    ("voice: complaints", "voice", "complain"),
    ("waiting: give up, feel", "waiting", "step"),
    ("voice: decide, requests", "voice", "step"),
    ("response office", "office", "advance_to"),
    ("voice: settle", "voice", "settle"),
    ("co-production", "coproduction", "step"),
    ("needs sensing", "sensing", "step"),
    ("privacy", "privacy", "step"),
    ("collect (series, DataCollector)", "", "_collect"),
)
# The parts of the build (GovernanceModel.__init__): names in model.governance's namespace.
BUILD_FUNCTIONS = (
    ("population", "make_population"),
    ("network", "make_network"),
    ("degrees", "degrees"),
    ("service plans", "compile_plans"),
)
BUILD_METHODS = (
    ("enterprises (tables, Mesa agents)", "_make_enterprises"),
    ("journeys (engine arrays)", "_make_journeys"),
    ("civic mechanisms", "_make_civic"),
)


class Clock:
    """Accumulates wall and CPU seconds and calls per label."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, label: str, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.wall[label] = self.wall.get(label, 0.0) + time.perf_counter() - wall
                self.cpu[label] = self.cpu.get(label, 0.0) + time.process_time() - cpu
                self.calls[label] = self.calls.get(label, 0) + 1

        return timed

    def table(self) -> list[dict]:
        rows = [
            {"phase": k, "wall_s": self.wall[k], "cpu_s": self.cpu[k], "calls": self.calls[k]}
            for k in self.wall
        ]
        return sorted(rows, key=lambda row: -row["cpu_s"])


def owner(model, path: str):
    for name in filter(None, path.split(".")):
        model = getattr(model, name)
    return model


def main() -> None:
    residents, days = int(sys.argv[1]), int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    from govlab.model import GovernanceModel, governance, summarise

    scenario = scaled(residents)
    base = peak_rss()
    build_clock, step_clock = Clock(), Clock()
    for label, name in BUILD_FUNCTIONS:
        setattr(governance, name, build_clock.wrap(label, getattr(governance, name)))
    for label, name in BUILD_METHODS:
        setattr(GovernanceModel, name, build_clock.wrap(label, getattr(GovernanceModel, name)))
    wall, cpu = time.perf_counter(), time.process_time()
    model = GovernanceModel(scenario, rng=seed)
    build_wall, build_cpu = time.perf_counter() - wall, time.process_time() - cpu
    after_build = peak_rss()
    for label, path, name in STEP_PHASES:
        target = owner(model, path)
        setattr(target, name, step_clock.wrap(label, getattr(target, name)))
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(days):
        model.step()
    step_wall, step_cpu = time.perf_counter() - wall, time.process_time() - cpu
    phases = step_clock.table()
    phases.append(
        {
            "phase": "rest of step (departments' close_day, Mesa)",
            "wall_s": step_wall - sum(row["wall_s"] for row in phases),
            "cpu_s": step_cpu - sum(row["cpu_s"] for row in phases),
            "calls": days,
        }
    )
    build = build_clock.table()
    build.append(
        {
            "phase": "rest of build (layout, departments, Mesa)",
            "wall_s": build_wall - sum(row["wall_s"] for row in build),
            "cpu_s": build_cpu - sum(row["cpu_s"] for row in build),
            "calls": 1,
        }
    )
    summary = summarise(model)
    print(
        json.dumps(
            {
                "residents": residents,
                "days": days,
                "build_seconds": build_wall,
                "build_cpu_seconds": build_cpu,
                "step_seconds": step_wall,
                "step_cpu_seconds": step_cpu,
                "base_rss": base,
                "build_peak_rss": after_build,
                "peak_rss": peak_rss(),
                "build_phases": build,
                "step_phases": phases,
                "cases": len(model.journeys.records),
                "open_cases": model.journeys.open_cases,
                "trust_mean": float(model.population.trust.mean()),
                "delay_mean_days": summary.get("delay_mean_days"),
            }
        )
    )


if __name__ == "__main__":
    main()
