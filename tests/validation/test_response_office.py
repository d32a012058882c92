"""The response office against Erlang C (issue 12 §1).

Poisson arrivals (rate λ), exponential handling (rate μ), c handlers, every request queued: the
probability that handling starts within d is P(W_q ≤ d) = 1 − C(c, a)·e^{−(cμ−λ)d}, with a = λ/μ
and C the Erlang C probability of waiting. Each replication runs the office for a long stretch,
submitting arrivals a day at a time (as the model does); the answered share of the requests
after a warm-up is one estimate, and the 95% CI over replications must contain the formula.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from govlab.model.response_office import ResponseOffice, office_staff
from govlab.scenarios import ResponseOffice as OfficeConfig
from tests.conftest import mean_ci

HOURS = 8.0
REPLICATIONS = 30


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in M/M/c with offered load a = λ/μ (< c)."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def answered_share(seed: int, c: int, lam: float, handling_hours: float, deadline: float):
    """Answered share of the requests arriving in days [20, 220) at rate ``lam`` per day."""
    config = OfficeConfig(
        rule="every_request", handling_hours=handling_hours, deadline_days=deadline
    )
    rng = np.random.default_rng(seed)
    office = ResponseOffice(config, c, rng, HOURS, count_from=20.0)
    for day in range(220):
        n = rng.poisson(lam)
        arrival = day + rng.random(n)
        office.submit(arrival, np.zeros(n, np.int64), np.zeros(n, np.int64), np.ones(n))
        office.advance_to(day + 1.0)
    office.advance_to(1e9)
    return office.answered / office.submitted


@pytest.mark.parametrize(
    ("c", "lam", "deadline"),
    [(3, 60.0, 0.02), (3, 60.0, 0.05), (4, 100.0, 0.01), (1, 20.0, 0.1)],
)
def test_answered_share_matches_erlang_c(c, lam, deadline):
    handling_hours = 0.3  # μ = 8 / 0.3 ≈ 26.7 requests per handler-day
    mu = HOURS / handling_hours
    a = lam / mu
    theory = 1.0 - erlang_c(c, a) * math.exp(-(c * mu - lam) * deadline)
    shares = [
        answered_share(seed, c, lam, handling_hours, deadline) for seed in range(REPLICATIONS)
    ]
    mean, low, high = mean_ci(shares)
    assert low <= theory <= high, (theory, mean, low, high)
    assert high - low < 0.05  # the interval is informative


def test_erlang_c_reference_values():
    # DESIGN.md §7: λ = 8, μ = 3, c = 3 → P(wait) 0.7975; c = 4 → 0.3784
    assert erlang_c(3, 8 / 3) == pytest.approx(0.7975, abs=1e-4)
    assert erlang_c(4, 8 / 3) == pytest.approx(0.3784, abs=1e-4)


def test_discretionary_take_up_is_the_answered_share_without_congestion():
    config = OfficeConfig(rule="discretionary", handling_hours=0.01, deadline_days=1.0)
    rng = np.random.default_rng(3)
    office = ResponseOffice(config, 5, rng, HOURS)
    n = 20_000
    office.submit(
        np.sort(rng.random(n)) * 100, np.zeros(n, np.int64), np.zeros(n, np.int64), np.full(n, 0.32)
    )
    office.advance_to(1e9)
    assert office.answered / n == pytest.approx(0.32, abs=0.01)


def test_settled_outcomes_come_at_take_up_or_at_the_deadline():
    config = OfficeConfig(rule="every_request", handling_hours=8.0, deadline_days=1.5)
    office = ResponseOffice(config, 1, np.random.default_rng(0), HOURS)
    # three requests at t = 0: the first starts at once; the others wait for it (mean 1 day)
    office.submit(np.zeros(3), np.arange(3), np.zeros(3, np.int64), np.ones(3))
    office.advance_to(1.0)
    rows, _, answered = office.settled_before(1e-9)
    assert rows.tolist() == [0] and answered.tolist() == [True]
    rows, _, answered = office.settled_before(1e9)
    assert sorted(rows.tolist()) == [1, 2]


def test_a_fractional_office_keeps_its_capacity():
    config = OfficeConfig(staff_per_10k_residents=0.3)
    assert office_staff(config, 5000) == (1, pytest.approx(0.15))
    assert office_staff(config, 1_000_000) == (30, pytest.approx(1.0))
