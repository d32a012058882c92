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

from govlab.scenarios.textbook import HOURS, textbook_scenario

__all__ = ["HOURS", "textbook_scenario"]


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
