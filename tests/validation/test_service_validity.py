"""Validation that catches the service-model mistakes a reviewer looks for first (issue 11 §5).

Each test compares the engine with an exact value: a queueing formula (Pollaczek–Khinchine mean
wait of M/G/1, with M/D/1 and a lognormal M/G/1 as its cases), a route whose delay is known to the
minute, or a binomial count of missing and fetched documents. Interval checks follow
``test_queues``: replication means with a t-interval, simultaneous over the module's ``CHECKS``
(Bonferroni), and binomial tests at the same level.
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
CHECKS = 12  # interval and binomial assertions in this module
CONFIDENCE = 1 - 0.05 / CHECKS


def pollaczek_khinchine(arrival: float, mean: float, second_moment: float) -> float:
    """Mean wait W_q of an M/G/1 queue: λ E[S²] / (2 (1 − ρ)) (rates per hour; hours)."""
    rho = arrival * mean
    assert rho < 1
    return arrival * second_moment / (2 * (1 - rho))


def assert_inside(analytic: float, estimates) -> None:
    mean, low, high = mean_ci(estimates, CONFIDENCE)
    assert low <= analytic <= high, (
        f"analytic {analytic:.4f} outside 95% CI [{low:.4f}, {high:.4f}] (mean {mean:.4f})"
    )


def mean_wait_hours(scenario, days: int) -> list[float]:
    return [
        run_cases(scenario, seed, days, 2.0)[0]["wait_days"].mean() * HOURS
        for seed in range(1, 1 + REPLICATIONS)
    ]


def test_front_desk_serves_a_multi_function_case_in_the_sum_of_its_counter_times(textbook):
    """One pooled desk (one server) takes cases with a 10-min counter step at ``a`` and a 20-min
    one at ``b``, exponential: the desk's time is X_a + X_b, so E[S] = 0.5 h and
    E[S²] = (1/6)² + (1/3)² + 0.5² h², and the desk is M/G/1 (λ = 1.2/h): W_q = 0.583 h.
    One draw of the summed mean (E[S²] = 2 · 0.5²) would give 0.75 h; the max of the two,
    E[S] = 0.39 h, 0.28 h."""
    scenario = textbook(
        {"a": (1, 0), "b": (0, 0)},
        {"pair": {"per_hour": 1.2, "steps": [
            {"function": "a", "counter_hours": 1 / 6}, {"function": "b", "counter_hours": 1 / 3}]}},
        levers={"front_desk": True},
    )  # fmt: skip
    second = (1 / 6) ** 2 + (1 / 3) ** 2 + 0.5**2
    expected = pollaczek_khinchine(1.2, 0.5, second)
    assert expected == pytest.approx(0.5833, abs=1e-4)
    assert_inside(expected, mean_wait_hours(scenario, 120))


@pytest.mark.parametrize(
    ("distribution", "second_factor"),
    [("lognormal", 1 + 0.8**2), ("deterministic", 1.0)],
)
def test_counter_with_lognormal_or_deterministic_service(textbook, distribution, second_factor):
    """One counter, λ = 2/h, mean service 20 min (ρ = 2/3): M/G/1 with lognormal service of CV
    0.8 (the default shape), E[S²] = m² (1 + CV²): W_q = 0.547 h; M/D/1, E[S²] = m²: 0.333 h
    (M/M/1 would give 0.667 h)."""
    scenario = textbook(
        {"desk": (1, 0)},
        {"visit": {"per_hour": 2.0, "steps": [{"function": "desk", "counter_hours": 1 / 3}]}},
        world={"service_time_distribution": distribution, "service_time_cv": 0.8},
    )
    expected = pollaczek_khinchine(2.0, 1 / 3, second_factor / 9)
    assert_inside(expected, mean_wait_hours(scenario, 80))


@pytest.mark.parametrize(
    ("handoff", "expected_days", "trips"),
    [("applicant", 2 * 2 / 8 + 2 * 5 / 8, 2), ("electronic", 2 / 8 + 3 / 8 + 2 * 5 / 8, 1)],
)
def test_route_with_known_travel_and_handoff_takes_exactly_its_time(
    textbook, handoff, expected_days, trips
):
    """Two steps (counter 1 h, back office 4 h, deterministic), staff enough for no queue, a
    trip of 2 h, an electronic hand-off of 3 h, 8 working hours a day: carried by the applicant
    the case takes 2 trips (0.5 days) + 1.25 days of service; electronic, one trip, the hand-off
    (0.375 days) and the service."""
    step = {"counter_hours": 1.0, "backoffice_hours": 4.0}
    scenario = textbook(
        {"a": (50, 50), "b": (50, 50)},
        {"file": {"per_hour": 2.0, "steps": [{"function": f, **step} for f in "ab"]}},
        levers={"handoff": handoff},
        world={
            "service_time_distribution": "deterministic",
            "travel_base_hours": 2.0,
            "electronic_handoff_hours": 3.0,
        },
    )
    cases, _ = run_cases(scenario, 1, 20, 3.0)
    assert len(cases["delay_days"]) > 100
    np.testing.assert_allclose(cases["delay_days"], expected_days, rtol=1e-9)
    assert (cases["trips"] == trips).all()
    np.testing.assert_allclose(cases["travel_days"], trips * 2 / 8, rtol=1e-12)
    handoff_days = 3 / 8 if handoff == "electronic" else 0.0
    np.testing.assert_allclose(cases["handoff_days"], handoff_days, atol=1e-12)


def documents_scenario(textbook, levers: dict):
    """One counter step that needs an applicant's paper (``form``) and a paper issued by another
    office (``cert``); staff enough for no queue; a missing paper costs a return visit."""
    return textbook(
        {"desk": (50, 0), "registry": (1, 0)},
        {"visit": {"per_hour": 6.0, "steps": [
            {"function": "desk", "counter_hours": 0.25, "requires": ["form", "cert"]}]}},
        levers=levers,
        world={"p_missing_document": 0.3, "transparency_effect": 0.8},
        documents={"form": "applicant", "cert": "registry"},
    )  # fmt: skip


def assert_binomial(successes: int, trials: int, p: float) -> None:
    result = stats.binomtest(int(successes), int(trials), p)
    assert result.pvalue > 1 - CONFIDENCE, (successes, trials, p, result.pvalue)


@pytest.mark.parametrize("transparency", [0.0, 0.75])
def test_transparency_lowers_missing_documents_by_the_stated_share(textbook, transparency):
    """Each visit hands in two papers, each missing with p = 0.3 (1 − 0.8 · transparency); a visit
    with one missing is a return. Returns out of visits are binomial with 1 − (1 − p)²; every
    return re-submits both papers."""
    cases, _ = run_cases(documents_scenario(textbook, {"transparency": transparency}), 1, 60, 2)
    p = 0.3 * (1 - 0.8 * transparency)
    returns = int(cases["returns"].sum())
    visits = len(cases["returns"]) + returns
    assert_binomial(returns, visits, 1 - (1 - p) ** 2)
    np.testing.assert_array_equal(cases["documents_resubmitted"], 2 * cases["returns"])


def test_data_sharing_fetches_papers_with_the_stated_probability(textbook):
    """With data sharing 0.6, the hub holds each case's ``cert`` with probability 0.6 (binomial
    count of retrievals); a fetched paper can no longer be missing: a visit is a return with
    probability p = 0.3 when only ``form`` is carried, 1 − 0.7² when both are."""
    cases, _ = run_cases(
        documents_scenario(textbook, {"data_sharing": 0.6, "transparency": 0.0}), 1, 60, 2
    )
    fetched = cases["hub_retrievals"] == 1
    assert set(np.unique(cases["hub_retrievals"]).tolist()) <= {0, 1}
    assert_binomial(fetched.sum(), len(fetched), 0.6)
    for mask, p in ((fetched, 0.3), (~fetched, 1 - 0.7**2)):
        returns = int(cases["returns"][mask].sum())
        assert_binomial(returns, mask.sum() + returns, p)
    carried = np.where(fetched, 1, 2)
    np.testing.assert_array_equal(cases["documents_resubmitted"], carried * cases["returns"])
    assert math.isclose(
        cases["documents_submitted"].mean(), (carried * (1 + cases["returns"])).mean()
    )
