"""An open Jackson network with feedback against its product form, in three seed ranges (issue 20
item 5).

Three back offices A, B, C (one server each, exponential service of rates μ = 2, 1, 0.9 per hour);
cases arrive at A (Poisson, λ = 1 per hour); after A a case goes to B or C (½ each); after B it
returns to A with probability 0.3, after C with 0.2, else it leaves. The model has no
probabilistic routing yet, so the network is built as a fixed-route catalogue: one case type per
route A X (A X)..., X ∈ {B, C}, of up to ``LOOPS`` passes, with rate λ × P(route) (Poisson
splitting: the same arrivals as one stream whose route is drawn per case). The catalogue drops the
routes of more than ``LOOPS`` passes (probability 0.25^7 = 6e-5) and renormalises; it is then a
Kelly network (fixed routes, FIFO, one exponential rate per station), whose product form gives
each station the mean time 1 / (μ_i - Λ_i) per visit and the wait ρ_i / (μ_i - Λ_i), with Λ_i the
catalogue's visit rate; these differ from the untruncated network's by < 0.2% (checked: E[T]
6.8501 h against 6.8571 h, far inside the intervals' half-widths of about 0.25 h).

Per replication (``DAYS`` days, cases arriving after the warm-up, run out to completion): E[T]
(mean sojourn of a case), the mean service time per case, and each station's mean wait per visit
(its own bookkeeping between the warm-up and the end: time in system minus busy time, per
departure). Three seed ranges of ``REPLICATIONS`` each. Checks, one family at level 1%
(Bonferroni over ``CHECKS``): each range's t-interval holds the product-form value of each
quantity, and a one-way ANOVA does not separate the three ranges on any quantity.
"""

from __future__ import annotations

import itertools

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
LOOPS = 7
DAYS = 400
REPLICATIONS = 60
SEED_RANGES = (1, 61, 1001)  # seeds first .. first + REPLICATIONS - 1
QUANTITIES = ("sojourn", "service", "wait_A", "wait_B", "wait_C")  # hours
CHECKS = len(QUANTITIES) * (len(SEED_RANGES) + 1)
CONFIDENCE = 1 - 0.01 / CHECKS


def catalogue() -> dict[str, float]:
    """``{route: probability}``: "AB", "AC", "ABAC", ... up to ``LOOPS`` passes, renormalised."""
    routes = {}
    for passes in range(1, LOOPS + 1):
        for legs in itertools.product("BC", repeat=passes):
            probability = 1.0
            for index, leg in enumerate(legs):
                back = ROUTING[leg]["A"]
                probability *= ROUTING["A"][leg] * (back if index < passes - 1 else 1 - back)
            routes["".join("A" + leg for leg in legs)] = probability
    total = sum(routes.values())
    return {route: p / total for route, p in routes.items()}


def product_form(visits: dict[str, float]) -> dict[str, float]:
    """Product-form means (hours) for ``visits`` per case at each station."""
    exact = {"service": sum(visits[s] / RATES[s] for s in RATES), "sojourn": 0.0}
    for station, mu in RATES.items():
        rate = ARRIVALS * visits[station]
        exact[f"wait_{station}"] = rate / mu / (mu - rate)
        exact["sojourn"] += visits[station] / (mu - rate)
    return exact


def catalogue_visits(routes: dict[str, float]) -> dict[str, float]:
    return {s: sum(p * route.count(s) for route, p in routes.items()) for s in RATES}


def jackson_visits() -> dict[str, float]:
    """The untruncated network's traffic equations V = e + V P."""
    names = list(RATES)
    matrix = np.array([[ROUTING[a].get(b, 0.0) for b in names] for a in names])
    solution = np.linalg.solve(np.eye(3) - matrix.T, [1.0, 0.0, 0.0])
    return dict(zip(names, solution, strict=True))


def scenario(routes: dict[str, float]):
    steps = lambda route: [  # noqa: E731
        {"function": s, "backoffice_hours": 1 / RATES[s]} for s in route
    ]
    services = {
        f"route_{route}": {"per_hour": ARRIVALS * p, "steps": steps(route)}
        for route, p in routes.items()
    }
    return textbook_scenario({s: (0, 1) for s in RATES}, services)


def replication(world, seed: int) -> dict[str, float]:
    """One run's estimates (hours)."""
    model = GovernanceModel(world, rng=seed)
    warmup = world.world.warmup_days
    for _ in range(warmup):
        model.step()
    offices = {d.function: d.backoffice for d in model.departments if d.function in RATES}
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


def test_catalogue_is_the_jackson_network():
    """The truncated catalogue's visits and product form are the network's within 0.1%, 0.2%."""
    routes = catalogue()
    assert len(routes) == 254 and sum(routes.values()) == pytest.approx(1.0)
    visits, exact = catalogue_visits(routes), jackson_visits()
    assert exact == pytest.approx({"A": 4 / 3, "B": 2 / 3, "C": 2 / 3})
    assert visits == pytest.approx(exact, rel=1e-3)
    assert product_form(visits) == pytest.approx(product_form(exact), rel=2e-3)


@pytest.mark.slow  # 43-52 s of CPU: 94 s on 2 cores at a load of 8, 489 s at 12-17
def test_jackson_network_three_seed_ranges():
    routes = catalogue()
    world = scenario(routes)
    exact = product_form(catalogue_visits(routes))
    runs = {
        first: [replication(world, first + i) for i in range(REPLICATIONS)] for first in SEED_RANGES
    }
    failures = []
    for quantity in QUANTITIES:
        samples = [np.array([r[quantity] for r in runs[first]]) for first in SEED_RANGES]
        for first, sample in zip(SEED_RANGES, samples, strict=True):
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
    assert not failures, failures
