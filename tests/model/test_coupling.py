"""Common random numbers in the service engine (``model.draws``): paired scenarios meet the same
luck case by case, so their difference is measured with little noise.

Pairing a scenario with itself proves only determinism; these tests pair different scenarios:
the cases are matched by arrival time and applicant (arrivals come from the model's generator
before any lever acts) and must share every attribute the levers do not change.
"""

from __future__ import annotations

import numpy as np
import pytest

from govlab.experiments.single import run_simulation
from govlab.model import GovernanceModel, case_table
from govlab.scenarios import apply_overrides, load_scenario
from govlab.scenarios.textbook import textbook_scenario

SHORT = {"world.warmup_days": 10}  # the catalogue world, full size, short runs


def short(name: str):
    return apply_overrides(load_scenario(name), SHORT)


def cases_by_arrival(scenario, days: int, seed: int) -> dict[str, np.ndarray]:
    model = GovernanceModel(scenario, rng=seed)
    for _ in range(days):
        model.step()
    model.run_out()
    table = case_table(model.journeys.records)
    window = table["arrival_day"] < days
    order = np.lexsort((table["applicant"][window], table["arrival_day"][window]))
    return {name: column[window][order] for name, column in table.items()}


@pytest.mark.parametrize("reform", ["front_desk", "data_sharing"])
def test_paired_cases_share_channel_away_and_refusal(reform):
    silo = cases_by_arrival(short("silo"), 60, seed=5)
    other = cases_by_arrival(short(reform), 60, seed=5)
    assert len(silo["arrival_day"]) > 500
    for name in ("arrival_day", "applicant", "case_type", "away"):
        np.testing.assert_array_equal(silo[name], other[name], err_msg=name)
    in_person = ~silo["online"] & ~other["online"]  # online cases are never refused
    np.testing.assert_array_equal(silo["refused"][in_person], other["refused"][in_person])
    assert silo["away"].any() and silo["refused"].any() and silo["online"].any()
    # data_sharing also raises online coverage: the same numbers only turn more cases online
    if reform == "front_desk":
        np.testing.assert_array_equal(silo["online"], other["online"])
    else:
        assert (other["online"] >= silo["online"]).all() and other["online"].sum() > silo[
            "online"
        ].sum()


def test_front_desk_time_is_the_sum_of_the_silo_counter_times():
    """Three counters, staff enough for no queue, lognormal service: each case's time at the
    pooled desk equals the sum of its three counter times in the silo (the same numbers)."""
    functions = {name: (40, 0) for name in ("a", "b", "c")}
    steps = [
        {"function": f, "counter_hours": h} for f, h in zip("abc", (0.5, 1.0, 2.0), strict=True)
    ]
    services = {"permit": {"per_hour": 2.0, "steps": steps}}
    world = {"service_time_distribution": "lognormal", "service_time_cv": 1.2}
    silo = textbook_scenario(functions, services, world=world)
    desk = textbook_scenario(functions, services, levers={"front_desk": True}, world=world)
    a, b = cases_by_arrival(silo, 30, seed=2), cases_by_arrival(desk, 30, seed=2)
    assert len(a["arrival_day"]) > 300
    np.testing.assert_array_equal(a["arrival_day"], b["arrival_day"])
    assert not a["wait_days"].any() and not b["wait_days"].any()
    np.testing.assert_allclose(a["service_days"], b["service_days"], rtol=1e-12)
    assert np.std(a["service_days"]) > 0.1  # random, not deterministic


def test_paired_runs_are_coupled():
    """Across seeds, the silo's and the front desk's mean delay move together (without case-keyed
    numbers the correlation is ~0.5-0.7 at full scale; here it must exceed 0.9)."""
    silo, desk = [], []
    for seed in range(1, 11):
        silo.append(run_simulation(short("silo"), seed, 60)[0])
        desk.append(run_simulation(short("front_desk"), seed, 60)[0])
    for metric, floor in (("delay_mean_days", 0.9), ("trips_per_case", 0.3)):
        a = [s[metric] for s in silo]
        b = [s[metric] for s in desk]
        assert np.corrcoef(a, b)[0, 1] > floor, metric
