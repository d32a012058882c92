"""Shared test helpers: small worlds and replicated runs with confidence intervals."""

from __future__ import annotations

import os

import numpy as np
import pytest
from scipy import stats

from govlab.model import GovernanceModel, case_table


def missing_part(reason: str) -> None:
    """A system part a test needs is absent: skip on a developer's machine, fail in CI (CI=true),
    where `.ci/run` installs every part and a skip would hide a broken install."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"in CI: {reason}")
    pytest.skip(reason)


def mean_ci(values, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t confidence interval of independent replication estimates."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * stats.sem(values))
    return mean, mean - half, mean + half


def run_cases(scenario, seed: int, days: int, settle_days: float = 0.0):
    """Run a model; return cases arriving in [warm-up, days - settle] and the model."""
    model = GovernanceModel(scenario, rng=seed)
    for _ in range(days):
        model.step()
    table = case_table(model.journeys.records)
    keep = (table["arrival_day"] >= scenario.world.warmup_days) & (
        table["arrival_day"] < days - settle_days
    )
    return {name: column[keep] for name, column in table.items()}, model


@pytest.fixture
def ci():
    return mean_ci
