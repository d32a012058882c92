"""One simulation run: build the model, step it, and return its summary as plain data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govlab.experiments.defaults import DEFAULT_DAYS
from govlab.model import GovernanceModel, summarise
from govlab.scenarios import Scenario

DIGITS = 6


def _rounded(value: Any) -> Any:
    """Round floats (recursively) so that summaries print compactly and compare exactly."""
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


def run_simulation(
    scenario: Scenario,
    seed: int,
    days: int = DEFAULT_DAYS,
    on_day: Callable[[int], None] | None = None,
) -> tuple[dict[str, Any], GovernanceModel]:
    """Run ``scenario`` for ``days`` working days from ``seed``, then run its service out
    (``GovernanceModel.run_out``) so that the delays of the cases arriving in
    ``[warmup_days, days)`` are complete.

    Returns:
        The summary (scenario, seed, days and every service metric; floats rounded to 6 decimals)
        and the model, whose DataCollector holds the daily series.
    """
    model = GovernanceModel(scenario, rng=seed)
    for day in range(days):
        model.step()
        if on_day is not None:
            on_day(day + 1)
    model.run_out()  # follow the cases of the delay window to completion (no censoring)
    summary = {
        "scenario": scenario.name,
        "seed": seed,
        "days": days,
        **summarise(model),
    }
    return _rounded(summary), model
