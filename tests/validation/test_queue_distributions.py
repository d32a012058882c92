"""The distribution of waits and sojourns, not just their means (DESIGN.md §7).

Two exact results that a wrong queue discipline or a wrong service law breaks while the means
stay right (LIFO has FIFO's mean wait, Little's law holds for both):

- M/M/c waiting-time tail (Erlang C): P(W > t) = C(c, a)·e^{−(cμ − λ)t} for t ≥ 0, at several t;
- M/M/1 sojourn: T ~ Exp(μ − λ), so Var T = 1/(μ − λ)².

Each replication (its own seed) gives one estimate from the cases arriving after the warm-up;
the analytic value must lie in the t-interval of the replication estimates. Cases within a run
are correlated (a busy period makes many long waits), so a binomial interval over all cases of a
run would be far too narrow: the replications are the independent units. The intervals of this
module hold jointly with 95% confidence (Bonferroni over ``CHECKS``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import mean_ci, run_cases
from tests.validation.conftest import HOURS

REPLICATIONS = 30
TAIL_HOURS = (0.0, 0.5, 1.0, 2.0, 4.0)
CHECKS = len(TAIL_HOURS) + 2  # the tail at each t, the M/M/1 mean and variance
CONFIDENCE = 1 - 0.05 / CHECKS


def erlang_c_tail(arrival: float, service: float, servers: int, hours: float) -> float:
    """P(W > t) of M/M/c (rates per hour, t in hours)."""
    load = arrival / service
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    waits = top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)
    return waits * math.exp(-(servers * service - arrival) * hours)


def inside(analytic: float, values: np.ndarray) -> tuple[bool, str]:
    mean, low, high = mean_ci(values, CONFIDENCE)
    text = f"{analytic:.4f} vs {mean:.4f} [{low:.4f}, {high:.4f}]"
    return low <= analytic <= high, text


def test_mmc_waiting_time_tail_is_erlang_c(textbook):
    """M/M/3 with λ = 8/h, μ = 3/h (ρ = 0.89): P(W > t) = 0.7975·e^{−t} (t in hours)."""
    scenario = textbook(
        {"desk": (3, 0)},
        {"visit": {"per_hour": 8.0, "steps": [{"function": "desk", "counter_hours": 1 / 3}]}},
    )
    waits = [run_cases(scenario, seed, 240, 2.0)[0]["wait_days"] * HOURS
             for seed in range(1, REPLICATIONS + 1)]  # fmt: skip
    assert erlang_c_tail(8.0, 3.0, 3, 0.0) == pytest.approx(0.7975, abs=1e-4)
    results = [
        inside(erlang_c_tail(8.0, 3.0, 3, t), np.array([(w > t).mean() for w in waits]))
        for t in TAIL_HOURS
    ]
    assert all(ok for ok, _ in results), [text for _, text in results]


def test_mm1_sojourn_variance(textbook):
    """M/M/1 with λ = 2/h, μ = 3/h: T ~ Exp(1/h), E T = 1 h and Var T = 1/(μ − λ)² = 1 h²."""
    scenario = textbook(
        {"desk": (1, 0)},
        {"visit": {"per_hour": 2.0, "steps": [{"function": "desk", "counter_hours": 1 / 3}]}},
    )
    sojourns = [run_cases(scenario, seed, 200, 2.0)[0]["delay_days"] * HOURS
                for seed in range(1, REPLICATIONS + 1)]  # fmt: skip
    mean_ok, mean_text = inside(1.0, np.array([s.mean() for s in sojourns]))
    var_ok, var_text = inside(1.0, np.array([s.var(ddof=1) for s in sojourns]))
    assert mean_ok and var_ok, (mean_text, var_text)
