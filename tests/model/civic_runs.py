"""Paired replications of small worlds for the civic tests (common random numbers)."""

from __future__ import annotations

from functools import cache

import numpy as np

from govlab.experiments.single import run_simulation
from govlab.scenarios import load_scenario
from tests.conftest import mean_ci

SEEDS = tuple(range(1, 11))
DAYS = 150
# Civic directions in a small world over 150 days: the civic window starts after a 90-day warm-up
# (shorter than the default, which is chosen for steady-state delays, not needed here).
SMALL_WORLD = {"world.residents": 5000, "world.enterprises": 400, "world.warmup_days": 90}


@cache
def summaries(scenario: str, overrides: tuple[tuple[str, object], ...] = ()) -> tuple[dict, ...]:
    """Summaries of ``scenario`` in the small world, one per seed of ``SEEDS``."""
    loaded = load_scenario(scenario).with_overrides({**SMALL_WORLD, **dict(overrides)})
    return tuple(run_simulation(loaded, seed, DAYS)[0] for seed in SEEDS)


def paired_ci(metric: str, first: tuple[dict, ...], second: tuple[dict, ...]):
    """Mean and 95% CI of ``second − first`` for ``metric`` over paired seeds."""
    differences = [b[metric] - a[metric] for a, b in zip(first, second, strict=True)]
    return mean_ci(np.asarray(differences, dtype=float))


def assert_direction(metric: str, first, second, sign: int) -> None:
    """The CI of the paired difference (second − first) lies entirely on ``sign``'s side of 0."""
    mean, low, high = paired_ci(metric, first, second)
    if sign > 0:
        assert low > 0.0, f"{metric}: {mean:.4g} [{low:.4g}, {high:.4g}] not > 0"
    else:
        assert high < 0.0, f"{metric}: {mean:.4g} [{low:.4g}, {high:.4g}] not < 0"
