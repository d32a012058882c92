"""The service engine against queueing theory (DESIGN.md §7).

Each test runs independent replications (different seeds), estimates a quantity per replication,
and asserts that the analytic value lies inside the t-interval of the replication means. The
intervals are simultaneous: the family of ``CHECKS`` intervals in this module holds with 95%
confidence (Bonferroni: each at 1 - 0.05 / CHECKS), so that a correct engine passes all of them
with probability >= 95% whatever the seeds, while a wrong mechanism lies far outside (the intervals
are narrow: 30 replications of thousands of cases each).
Times from the model are in working days; the examples are in hours (8 per day).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tests.conftest import mean_ci, run_cases
from tests.validation.conftest import HOURS

REPLICATIONS = 30
CHECKS = 13  # interval and distribution assertions in this module
CONFIDENCE = 1 - 0.05 / CHECKS


def erlang_c(arrival: float, service: float, servers: int) -> tuple[float, float]:
    """P(wait) and mean wait W_q of an M/M/c queue (rates per hour; W_q in hours)."""
    load = arrival / service
    rho = load / servers
    tail = load**servers / math.factorial(servers) / (1 - rho)
    p_wait = tail / (sum(load**k / math.factorial(k) for k in range(servers)) + tail)
    return p_wait, p_wait / (servers * service - arrival)


def replicate(scenario, days: int, estimate, settle_days: float = 2.0):
    """Per-replication estimates ``estimate(cases)`` over seeds 1..REPLICATIONS."""
    return [
        estimate(run_cases(scenario, seed, days, settle_days)[0])
        for seed in range(1, 1 + REPLICATIONS)
    ]


def assert_inside(analytic: float, estimates) -> None:
    mean, low, high = mean_ci(estimates, CONFIDENCE)
    assert low <= analytic <= high, (
        f"analytic {analytic:.4f} outside 95% CI [{low:.4f}, {high:.4f}] (mean {mean:.4f})"
    )


@pytest.mark.parametrize(
    ("servers", "p_wait", "wait_minutes"), [(3, 0.7975, 47.9), (4, 0.3784, 5.68)]
)
def test_mmc_department(textbook, servers, p_wait, wait_minutes):
    """One department as M/M/c with λ = 8/h, μ = 3/h: P(wait) and W_q (Erlang C)."""
    exact_p, exact_wait = erlang_c(8.0, 3.0, servers)
    assert exact_p == pytest.approx(p_wait, abs=5e-4)
    assert exact_wait * 60 == pytest.approx(wait_minutes, abs=0.06)  # as rounded in DESIGN.md
    scenario = textbook(
        {"desk": (servers, 0)},
        {"visit": {"per_hour": 8.0, "steps": [{"function": "desk", "counter_hours": 1 / 3}]}},
    )
    days = 80 if servers == 3 else 40
    assert_inside(exact_wait, replicate(scenario, days, lambda c: c["wait_days"].mean() * HOURS))
    assert_inside(exact_p, replicate(scenario, days, lambda c: (c["wait_days"] > 0).mean()))


def pooling_scenario(textbook, front_desk: bool):
    functions = {f"f{i}": (1, 0) for i in range(4)}
    services = {
        f"s{i}": {"per_hour": 2.0, "steps": [{"function": f"f{i}", "counter_hours": 1 / 3}]}
        for i in range(4)
    }
    return textbook(functions, services, levers={"front_desk": front_desk})


def test_pooling_front_desk(textbook):
    """Four separate M/M/1 (λ = 2, μ = 3): W_q = 40 min; one pooled front desk M/M/4: 5.68 min."""
    wait_hours = lambda c: c["wait_days"].mean() * HOURS  # noqa: E731
    separate = replicate(pooling_scenario(textbook, False), 60, wait_hours)
    pooled = replicate(pooling_scenario(textbook, True), 40, wait_hours)
    assert_inside(40 / 60, separate)
    assert_inside(erlang_c(8.0, 3.0, 4)[1], pooled)


def tandem_scenario(textbook):
    functions = {f"f{i}": (0, 1) for i in range(4)}
    steps = [{"function": f"f{i}", "backoffice_hours": 1 / 3} for i in range(4)]
    return textbook(functions, {"file": {"per_hour": 2.0, "steps": steps}})


def test_tandem_of_four(textbook):
    """Four M/M/1 in tandem (λ = 2, μ = 3): mean sojourn 4 h, and sojourn ~ Erlang(4, rate 1)."""
    scenario = tandem_scenario(textbook)
    sojourns = replicate(scenario, 60, lambda c: c["delay_days"] * HOURS)
    assert_inside(4.0, [s.mean() for s in sojourns])
    # Sojourns of nearby cases are correlated; cases ~5 h apart (busy periods ~1 h) much less so.
    thinned = np.concatenate([s[::10] for s in sojourns])
    assert len(thinned) > 1000
    result = stats.kstest(thinned, stats.gamma(a=4, scale=1.0).cdf)
    assert result.pvalue > 0.05 / CHECKS, result


def test_bernoulli_resubmission(textbook):
    """M/M/1 with Bernoulli feedback p = 0.3 (a missing paper), λ = 1, μ = 3:
    visits 1/(1 - p) = 1.43 and mean sojourn 0.909 h."""
    scenario = textbook(
        {"desk": (1, 0)},
        {
            "visit": {
                "per_hour": 1.0,
                "steps": [{"function": "desk", "counter_hours": 1 / 3, "requires": ["form"]}],
            }
        },
        levers={"transparency": 0.0},
        world={"p_missing_document": 0.3},
    )
    assert_inside(1 / 0.7, replicate(scenario, 60, lambda c: 1 + c["returns"].mean()))
    expected = (1 / 0.7) / (3.0 - 1.0 / 0.7)
    assert expected == pytest.approx(0.909, abs=1e-3)
    assert_inside(expected, replicate(scenario, 60, lambda c: c["delay_days"].mean() * HOURS))


def approvals_scenario(textbook, approval: str):
    functions = {f"f{i}": (0, 1000) for i in range(4)}
    steps = [{"function": f"f{i}", "backoffice_hours": 5 * HOURS} for i in range(4)]
    return textbook(
        functions, {"permit": {"per_hour": 0.5, "steps": steps}}, {"approval": approval}
    )


def test_parallel_versus_sequential_approval(textbook):
    """Four approvals of mean 5 days, no congestion: sequential 20 days, parallel 5·H4 = 10.42."""
    delay = lambda c: c["delay_days"].mean()  # noqa: E731
    sequential = replicate(approvals_scenario(textbook, "sequential"), 160, delay, settle_days=100)
    parallel = replicate(approvals_scenario(textbook, "parallel"), 120, delay, settle_days=60)
    assert_inside(20.0, sequential)
    assert_inside(5 * (1 + 1 / 2 + 1 / 3 + 1 / 4), parallel)


def test_fork_join_of_two(textbook):
    """Fork–join of two M/M/1 (λ = 2, μ = 3): mean response (12 − ρ)/8 · 1/(μ − λ) = 1.417 h."""
    functions = {"a": (0, 1), "b": (0, 1)}
    steps = [{"function": f, "backoffice_hours": 1 / 3} for f in ("a", "b")]
    scenario = textbook(
        functions, {"pair": {"per_hour": 2.0, "steps": steps}}, {"approval": "parallel"}
    )
    rho = 2 / 3
    expected = (12 - rho) / 8 * 1 / (3 - 2)
    assert expected == pytest.approx(1.417, abs=1e-3)
    assert_inside(expected, replicate(scenario, 60, lambda c: c["delay_days"].mean() * HOURS))
