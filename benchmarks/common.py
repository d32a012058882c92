"""Shared pieces of the benchmark harness: side-by-side timing, results, textbook worlds.

Every figure is a ratio measured in one process invocation: ours and the reference are timed in
alternating runs (ours, reference, ours, ...) and the medians are compared, so that the noise of a
shared machine hits both sides alike.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from scenarios import Scenario

HOURS = 8.0


@dataclass
class Result:
    """One row of the results table.

    ``ratio`` is oriented so that bigger is better when ``higher_is_better`` (a speed-up), and it
    is a cost ratio (smaller is better) otherwise; ``target`` is the bound the ratio must meet.
    ``passed`` is None for figures reported without a target.
    """

    name: str
    ours: float
    reference: float | None
    unit: str
    ratio: float | None
    target: float | None
    higher_is_better: bool = True
    passed: bool | None = None
    ratio_unit: str = "×"
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.passed is None and self.target is not None and self.ratio is not None:
            if self.higher_is_better:
                self.passed = self.ratio >= self.target
            else:
                self.passed = self.ratio <= self.target

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def target_text(self) -> str:
        if self.target is None:
            return "report"
        return f"{'≥' if self.higher_is_better else '≤'} {self.target:g}"

    def shortfall(self) -> str:
        """By how much a missed target is missed (empty when met or not a target)."""
        if self.passed is not False or self.ratio is None or self.target is None:
            return ""
        if self.higher_is_better:
            return f"needs {self.target / self.ratio:.1f}× more"
        return f"{self.ratio / self.target:.2f}× the bound"


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Wall-clock seconds of one call (garbage collected before, not during) and its value."""
    gc.collect()
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def alternate(
    functions: dict[str, Callable[[], Any]], repeats: int
) -> tuple[dict[str, float], dict[str, list[float]], dict[str, Any]]:
    """Time each function ``repeats`` times in alternation; medians, all times, last values."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    values: dict[str, Any] = {}
    for _ in range(repeats):
        for name, function in functions.items():
            seconds, values[name] = timed(function)
            times[name].append(seconds)
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    return medians, times, values


def textbook_scenario(
    functions: dict[str, tuple[int, int]],
    services: dict[str, dict],
    residents: int = 1000,
) -> Scenario:
    """A world reduced to textbook queues (the same construction as tests/validation):
    exponential service, Poisson arrivals (``per_hour``), no travel, no paperwork, one district,
    electronic instant hand-off. Step times are in hours."""
    world = {
        "districts": 1,
        "residents": residents,
        "enterprises": 0,
        "working_hours_per_day": HOURS,
        "working_days_per_year": 250.0,
        "travel_base_hours": 0.0,
        "travel_per_district_hours": 0.0,
        "p_missing_document": 0.0,
        "rework_days": 0.0,
        "visit_gap_days": 0.0,
        "courier_days": 0.0,
        "electronic_handoff_hours": 0.0,
        "away_from_home_share": 0.0,
        "service_time_distribution": "exponential",
        "warmup_days": 10,
    }
    data_services = {
        name: {
            "applicant": "resident",
            "rate_per_year": spec["per_hour"] * HOURS * 250.0 / residents,
            "online": False,
            "steps": [
                {
                    "function": step["function"],
                    "counter_hours": step.get("counter_hours", 0.0),
                    "backoffice_days": 0.0,
                    "requires": [],
                    "approval": True,
                }
                for step in spec["steps"]
            ],
        }
        for name, spec in services.items()
    }
    return Scenario.model_validate(
        {
            "name": "textbook",
            "levers": {"online_coverage": 0.0, "handoff": "electronic"},
            "world": world,
            "functions": {
                name: {"counter_staff": c, "backoffice_staff": b}
                for name, (c, b) in functions.items()
            },
            "documents": {"form": {"issuer": "applicant"}},
            "services": data_services,
        }
    )


def alternate_prepared(
    functions: dict[str, tuple[Callable[[], Any], Callable[[Any], Any]]], repeats: int
) -> tuple[dict[str, float], dict[str, list[float]], dict[str, Any]]:
    """Like ``alternate`` for ``(prepare, run)`` pairs: only ``run(prepare())`` is timed."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    values: dict[str, Any] = {}
    for _ in range(repeats):
        for name, (prepare, run) in functions.items():
            state = prepare()
            seconds, values[name] = timed(lambda run=run, state=state: run(state))
            times[name].append(seconds)
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    return medians, times, values
