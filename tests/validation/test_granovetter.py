"""Granovetter's threshold model (DESIGN.md §7): the voice rule reduced to pure thresholds.

N = 100 residents on a complete graph; thresholds ~ Normal(25, σ) participants (as shares of the
others: Normal(0.25, σ/100)); nobody participates at first and everyone re-decides every day:
participate iff the participating share of the others ≥ own threshold. Granovetter (1978): the
cascade stays near zero for σ well below ≈ 12 and runs to (nearly) everyone well above.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import GovernanceModel
from scenarios import Scenario
from tests.conftest import mean_ci

REPLICATIONS = 40
DAYS = 40


def final_participation(sigma: float) -> np.ndarray:
    scenario = Scenario().with_overrides(
        {
            "world.residents": 100,
            "world.enterprises": 0,
            "civic.network": "complete",
            "civic.voice_rule": "threshold",
            "civic.voice_every_days": 1,
            "civic.threshold_mean": 0.25,
            "civic.threshold_sd": sigma / 100.0,
        }
    )
    finals = []
    for seed in range(REPLICATIONS):
        model = GovernanceModel(scenario, rng=seed)
        for _ in range(DAYS):
            model.step()
        finals.append(model.participation_today)
    return np.asarray(finals)


@pytest.mark.parametrize("sigma", [5.0, 8.0])
def test_low_spread_of_thresholds_stays_low(sigma):
    _, _, high = mean_ci(final_participation(sigma))
    assert high < 0.1


@pytest.mark.parametrize("sigma", [18.0, 24.0])
def test_high_spread_of_thresholds_tips_to_nearly_all(sigma):
    finals = final_participation(sigma)
    _, low, _ = mean_ci(finals)
    assert low > 0.9
    assert np.median(finals) >= 0.95
