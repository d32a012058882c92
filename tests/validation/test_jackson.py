"""An open Jackson network with feedback, and an M/M/1 queue with Bernoulli feedback, against
their product forms, routed by probability (issue 21 item 1; issue 20 item 5 built the network as
254 fixed routes, which routing by probability replaces).

Network: three back offices A, B, C (one server each, exponential service of rates μ = 2, 1, 0.9
per hour); cases arrive at A (Poisson, λ = 1 per hour); after A a case goes to B or C (½ each);
after B it returns to A with probability 0.3, after C with 0.2, else it leaves. As a route: steps
A, B (after A), C (after B); A's branches choose B or C (the other is skipped); B's and C's loop
back to A (the steps from A on are done again, and A chooses again), with a cap of 1,000 loops
(never reached: 0.3^1000). So a case's walk is the network's Markov chain, and the product form
gives each station the mean time 1 / (μ_i - Λ_i) per visit and the wait ρ_i / (μ_i - Λ_i), Λ_i
from the traffic equations.

Per replication (``DAYS`` days, cases arriving after the warm-up, run out to completion): E[T]
(mean sojourn of a case), the mean service time per case, and each station's mean wait per visit
(its own bookkeeping between the warm-up and the end: time in system minus busy time, per
departure). Three seed ranges of ``REPLICATIONS`` each. Checks, one family at level 1%
(Bonferroni over ``CHECKS``): each range's t-interval holds the product-form value of each
quantity, and a one-way ANOVA does not separate the three ranges on any quantity.

M/M/1 with Bernoulli feedback: one back office (μ = 1 per hour), arrivals λ = 0.5 per hour, after
service the case joins the queue's end again with probability 0.3: visits 1 / 0.7 per case, load
ρ = λ / (μ (1 - 0.3)) = 0.714, E[T] = 1 / (μ (1 - p) - λ) = 5 h, wait per visit ρ / (μ - λ/(1-p))
= 2.5 h.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from govlab.model import GovernanceModel
from govlab.model.metrics import case_table
from govlab.scenarios.textbook import HOURS, textbook_scenario
from tests.conftest import mean_ci

ARRIVALS = 1.0  # per hour, at A
RATES = {"A": 2.0, "B": 1.0, "C": 0.9}  # service rates per hour
ROUTING = {"A": {"B": 0.5, "C": 0.5}, "B": {"A": 0.3}, "C": {"A": 0.2}}  # the rest leaves
DAYS = 400
REPLICATIONS = 60
SEED_RANGES = (1, 61, 1001)  # seeds first .. first + REPLICATIONS - 1
QUANTITIES = ("sojourn", "service", "wait_A", "wait_B", "wait_C")  # hours
CHECKS = len(QUANTITIES) * (len(SEED_RANGES) + 1)
CONFIDENCE = 1 - 0.01 / CHECKS


def product_form(visits: dict[str, float], rates: dict[str, float], arrivals: float):
    """Product-form means (hours) for ``visits`` per case at stations of ``rates``."""
    exact = {"service": sum(visits[s] / rates[s] for s in rates), "sojourn": 0.0}
    for station, mu in rates.items():
        rate = arrivals * visits[station]
        exact[f"wait_{station}"] = rate / mu / (mu - rate)
        exact["sojourn"] += visits[station] / (mu - rate)
    return exact


def jackson_visits() -> dict[str, float]:
    """The network's traffic equations V = e + V P."""
    names = list(RATES)
    matrix = np.array([[ROUTING[a].get(b, 0.0) for b in names] for a in names])
    solution = np.linalg.solve(np.eye(3) - matrix.T, [1.0, 0.0, 0.0])
    return dict(zip(names, solution, strict=True))


def network(approval: str = "sequential"):
    """The network as one routed case type (module docstring)."""
    steps = [
        {"function": "A", "name": "A", "branches": [
            {"to": "B", "p": ROUTING["A"]["B"]}, {"to": "C", "p": ROUTING["A"]["C"]}]},
        {"function": "B", "name": "B", "after": ["A"], "branches": [
            {"to": "A", "p": ROUTING["B"]["A"]}]},
        {"function": "C", "name": "C", "after": ["B"], "branches": [
            {"to": "A", "p": ROUTING["C"]["A"]}]},
    ]  # fmt: skip
    for step in steps:
        step["backoffice_hours"] = 1 / RATES[step["function"]]
    services = {"network": {"per_hour": ARRIVALS, "steps": steps, "max_loops": 1000}}
    return textbook_scenario({s: (0, 1) for s in RATES}, services, levers={"approval": approval})


def replication(world, seed: int, rates: dict[str, float]) -> dict[str, float]:
    """One run's estimates (hours)."""
    model = GovernanceModel(world, rng=seed)
    warmup = world.world.warmup_days
    for _ in range(warmup):
        model.step()
    offices = {d.function: d.backoffice for d in model.departments if d.function in rates}
    start = {s: (o.departures, o.time_in_system, o.area_busy) for s, o in offices.items()}
    for _ in range(DAYS - warmup):
        model.step()
    model.run_out()
    cases = case_table(model.journeys.records)
    window = (cases["arrival_day"] >= warmup) & (cases["arrival_day"] < DAYS)
    estimates = {
        "sojourn": cases["delay_days"][window].mean() * HOURS,
        "service": cases["service_days"][window].mean() * HOURS,
    }
    for station, office in offices.items():
        departures, inside, busy = start[station]
        waited = (office.time_in_system - inside) - (office.area_busy - busy)
        estimates[f"wait_{station}"] = waited / (office.departures - departures) * HOURS
    return estimates


def test_traffic_equations():
    assert jackson_visits() == pytest.approx({"A": 4 / 3, "B": 2 / 3, "C": 2 / 3})


def check_against(runs: dict[int, list[dict]], exact: dict[str, float], quantities) -> list[str]:
    """Each seed range's t-interval holds the exact value; ANOVA does not separate the ranges."""
    failures = []
    for quantity in quantities:
        samples = [np.array([r[quantity] for r in runs[first]]) for first in runs]
        for first, sample in zip(runs, samples, strict=True):
            mean, low, high = mean_ci(sample, CONFIDENCE)
            t = (mean - exact[quantity]) / stats.sem(sample)
            line = f"{quantity} seeds {first}+: {mean:.4f} [{low:.4f}, {high:.4f}] "
            line += f"exact {exact[quantity]:.4f} t {t:+.2f}"
            print(line)
            if not low <= exact[quantity] <= high:
                failures.append(line)
        p = float(stats.f_oneway(*samples).pvalue)
        print(f"{quantity} ANOVA across ranges p {p:.3f}")
        if p <= 1 - CONFIDENCE:
            failures.append(f"{quantity}: the seed ranges differ, ANOVA p {p:.2g}")
    return failures


@pytest.mark.slow  # 43-52 s of CPU: 94 s on 2 cores at a load of 8, 489 s at 12-17
def test_jackson_network_three_seed_ranges():
    world = network()
    exact = product_form(jackson_visits(), RATES, ARRIVALS)
    runs = {
        first: [replication(world, first + i, RATES) for i in range(REPLICATIONS)]
        for first in SEED_RANGES
    }
    assert not (failures := check_against(runs, exact, QUANTITIES)), failures


def test_mm1_with_bernoulli_feedback():
    rates, feedback, arrivals = {"A": 1.0}, 0.3, 0.5
    steps = [{"function": "A", "name": "A", "backoffice_hours": 1.0,
              "branches": [{"to": "A", "p": feedback}]}]  # fmt: skip
    services = {"feedback": {"per_hour": arrivals, "steps": steps, "max_loops": 1000}}
    world = textbook_scenario({"A": (0, 1)}, services)
    exact = product_form({"A": 1 / (1 - feedback)}, rates, arrivals)
    assert exact["sojourn"] == pytest.approx(5.0) and exact["wait_A"] == pytest.approx(2.5)
    runs = {first: [replication(world, first + i, rates) for i in range(40)] for first in (1, 41)}
    assert not (failures := check_against(runs, exact, ("sojourn", "wait_A"))), failures
