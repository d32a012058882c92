"""Granovetter's threshold model (DESIGN.md §7, issue 12 §5): the voice rule reduced to thresholds.

N = 100 residents on a complete graph; thresholds x_i ~ Normal(25, σ) *people*; resident i
participates iff at least x_i of the N − 1 others do, i.e. iff the participating share of the
others ≥ x_i / (N − 1) — the exact equivalent in shares (``threshold_mean = 25/99``). Nobody
participates at first and everyone re-decides every day (synchronous updates).

For each draw of thresholds the finite-population fixed point reached from nobody is computed
independently of the model by a sorted-threshold sweep: from k = 0, k ← #{i : x_i ≤ k} until it
stops (the set of participants is always the k lowest thresholds, and the sequence rises). The
model must reach exactly that fixed point on every draw, and the mean final participation with
its 95% CI is compared at each σ from 8 to 20. Granovetter (1978): near zero for σ well below
≈ 12, (nearly) everyone well above.

The voice rule's cascade options are checked the same way: fixed per-person thresholds read from
a data file, seeded initial participants and progressive (irreversible) adoption.
"""

from __future__ import annotations

import numpy as np
import pytest

from govlab.model import GovernanceModel
from govlab.scenarios import Scenario, load_scenario
from tests.conftest import mean_ci

N = 100
DRAWS = 30
DAYS = 60
BASE = {
    "world.residents": N,
    "world.enterprises": 0,
    "civic.network": "complete",
    "civic.voice_rule": "threshold",
    "civic.voice_every_days": 1,
    "civic.threshold_mean": 25.0 / (N - 1),
}


def fixed_point(shares: np.ndarray, seeds: np.ndarray | None = None) -> float:
    """Final participating share from the seeds (default nobody), by the sorted sweep; a seed
    stays in (progressive adoption). Thresholds are shares of the N − 1 others."""
    shares = np.asarray(shares, dtype=np.float32).astype(float)
    seeded = np.zeros(len(shares), bool) if seeds is None else seeds
    free = np.sort(shares[~seeded])
    others = len(shares) - 1
    k = int(seeded.sum())
    while True:
        new = int(seeded.sum()) + int(np.searchsorted(free, k / others, side="right"))
        if new == k:
            return k / len(shares)
        k = new


def run(scenario: Scenario, seed: int, days: int = DAYS) -> GovernanceModel:
    model = GovernanceModel(scenario, rng=seed)
    for _ in range(days):
        model.step()
    return model


@pytest.mark.parametrize("sigma", [8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0])
def test_model_reaches_the_exact_fixed_point_of_each_draw(sigma):
    scenario = Scenario().with_overrides({**BASE, "civic.threshold_sd": sigma / (N - 1)})
    finals, theory = [], []
    for seed in range(DRAWS):
        model = run(scenario, seed)
        finals.append(model.participation_today)
        theory.append(fixed_point(model.population.threshold))
    assert finals == theory  # every draw, exactly
    _, low, high = mean_ci(finals)
    t_mean = float(np.mean(theory))
    assert low <= t_mean <= high or low == high == t_mean
    if sigma <= 8.0:
        assert high < 0.1
    if sigma >= 18.0:
        assert low > 0.8


def test_thresholds_from_a_data_file_are_used_and_enter_the_scenario(tmp_path):
    # Granovetter's riot: thresholds 0, 1, 2, ..., 99 people → everyone joins, one a day at first
    lines = ["# one threshold per resident, in row order (share of the others)"]
    lines += [f"{x / (N - 1)!r}" for x in range(N)]
    (tmp_path / "thresholds.txt").write_text("\n".join(lines) + "\n")
    (tmp_path / "riot.toml").write_text(
        "[world]\nresidents = 100\nenterprises = 0\n"
        '[civic]\nnetwork = "complete"\nvoice_rule = "threshold"\nvoice_every_days = 1\n'
        'thresholds_file = "thresholds.txt"\n'
    )
    scenario = load_scenario(tmp_path / "riot.toml")
    assert len(scenario.civic.threshold_values) == N  # the content is part of the scenario
    model = run(scenario, 1, days=N + 5)
    assert model.participation_today == 1.0
    # remove the person with threshold 1: the riot stops at the instigator
    values = list(scenario.civic.threshold_values)
    values[1] = 50 / (N - 1)
    stopped = scenario.with_overrides({"civic.threshold_values": values})
    assert run(stopped, 1).participation_today == fixed_point(np.asarray(values)) == 0.01


def test_a_bad_thresholds_file_is_an_error(tmp_path):
    (tmp_path / "t.txt").write_text("0.1\nabc\n")
    with pytest.raises(ValueError, match="line 2"):
        Scenario().with_overrides(
            {"world.residents": 2, "civic.thresholds_file": str(tmp_path / "t.txt")}
        )


def test_seeded_progressive_cascades_reach_their_fixed_point():
    sigma, seeds = 6.0, 20
    scenario = Scenario().with_overrides(
        {
            **BASE,
            "civic.threshold_sd": sigma / (N - 1),
            "civic.seed_participants": seeds,
            "civic.adoption": "progressive",
        }
    )
    finals, theory = [], []
    for seed in range(DRAWS):
        model = GovernanceModel(scenario, rng=seed)
        seeded = model.population.participating.copy()
        assert seeded.sum() == seeds
        for _ in range(DAYS):
            model.step()
        assert model.population.participating[seeded].all()  # irreversible
        finals.append(model.participation_today)
        theory.append(fixed_point(model.population.threshold, seeded))
    assert finals == theory
    # twenty seeds tip a σ = 6 crowd that stays at nothing without them
    assert mean_ci(finals)[1] > 0.9
