"""The run-out (``GovernanceModel.run_out``): delays of the window's cases are complete, civic
state is that of the last day.

The reference is not the run-out's own computation: a longer run of the same seed, stepped day
by day, whose completed cases are filtered by arrival day. In the silo no lever acts on the service
after the last day (static staff, no co-production), and the run-out draws its arrivals from the
model's generator as a day does, so both give the very same delays.
"""

from __future__ import annotations

import numpy as np
import pytest

from govlab.model import GovernanceModel, case_table, summarise
from govlab.scenarios import apply_overrides, load_scenario

SMALL = {"world.residents": 8000, "world.enterprises": 400, "world.warmup_days": 20}
DAYS = 80


def silo(**overrides):
    return apply_overrides(load_scenario("silo"), {**SMALL, **overrides})


def stepped(scenario, days: int, seed: int = 3) -> GovernanceModel:
    model = GovernanceModel(scenario, rng=seed)
    for _ in range(days):
        model.step()
    return model


def test_run_out_completes_the_window_as_a_longer_run_does():
    scenario = silo()
    model = stepped(scenario, DAYS)
    open_at_end = model.journeys.open_cases
    assert open_at_end > 20  # there is censoring to undo
    before = summarise(model)
    end = model.run_out()
    assert end.runout_open_cases == 0 and end.runout_days > 0
    after = summarise(model)

    longer = stepped(scenario, DAYS + 200)
    table = case_table(longer.journeys.records)
    window = (table["arrival_day"] >= 20) & (table["arrival_day"] < DAYS)
    expected = np.sort(table["delay_days"][window])
    ours = case_table(model.journeys.records)
    mine = (ours["arrival_day"] >= 20) & (ours["arrival_day"] < DAYS)
    np.testing.assert_array_equal(np.sort(ours["delay_days"][mine]), expected)
    assert after["cases_completed"] == len(expected)
    assert after["delay_mean_days"] == pytest.approx(expected.mean())
    assert after["delay_p90_days"] == pytest.approx(np.percentile(expected, 90))
    assert after["delay_mean_days"] > before["delay_mean_days"]  # censoring biased it low

    # the civic side and the counters are those of the last day
    civic = ("trust_mean_final", "participation_rate", "satisfaction_mean", "requests")
    counters = ("cases_opened", "cases_open_at_end", "utilisation_mean", "privacy_incidents")
    for name in civic + counters:
        assert after[name] == before[name], name
    assert model.steps == DAYS and len(model.civic_series["trust_mean"]) == DAYS
    with pytest.raises(RuntimeError, match="run out"):
        model.step()


def test_run_out_stops_at_its_cap_and_reports_the_open_cases():
    model = stepped(silo(**{"world.runout_cap_days": 2}), DAYS)
    open_at_end = model.journeys.open_cases
    end = model.run_out()
    assert end.runout_days == 2
    assert 0 < end.runout_open_cases < open_at_end
    assert summarise(model)["runout_open_cases"] == end.runout_open_cases
    model = stepped(silo(**{"world.runout_cap_days": 0}), DAYS)
    assert model.run_out().runout_open_cases == open_at_end


def test_run_out_keeps_needs_sensing_reallocating():
    """Seamless reallocates staff every few days with a lag: a run-out that froze the staff would
    leave a reallocation half done and starve an office (seed 10: p99 92 days instead of 40).
    With sensing running on (on frozen participation) the window's delays are those of a longer
    stepped run, up to the civic feedback on sensing noise."""
    # the run-out against a longer run, not steady state: a 90-day warm-up, a 30-day window
    scenario = apply_overrides(load_scenario("seamless"), {"world.warmup_days": 90})
    model = stepped(scenario, 120, seed=10)
    reallocations = model.sensing.reallocations
    model.run_out()
    ours = case_table(model.journeys.records)
    longer = case_table(stepped(scenario, 320, seed=10).journeys.records)
    warmup = scenario.world.warmup_days
    delays = [
        t["delay_days"][(t["arrival_day"] >= warmup) & (t["arrival_day"] < 120)]
        for t in (ours, longer)
    ]
    assert len(delays[0]) == len(delays[1]) > 300
    assert delays[0].mean() == pytest.approx(delays[1].mean(), rel=0.02)
    assert np.percentile(delays[0], 99) == pytest.approx(np.percentile(delays[1], 99), rel=0.05)
    assert summarise(model)["reallocations"] == reallocations  # counted at the last day


def test_run_out_of_an_overloaded_service_admits_a_bounded_number_of_cases():
    """Demand far above capacity never drains: the run-out stops after admitting
    ``RUNOUT_ADMISSIONS`` times the run's cases (memory stays finite), with the open cases
    reported, well before its day cap."""
    from govlab.model.runout import RUNOUT_ADMISSIONS

    flooded = {
        f"services.{name}.rate_per_year": 10_000.0
        for name in ("newborn_bundle", "residence_permit")
    }
    scenario = silo(**{"world.residents": 600, "world.warmup_days": 0}, **flooded)
    model = stepped(scenario, 4)
    opened = model.journeys.opened
    end = model.run_out()
    assert end.runout_open_cases > 0
    assert end.runout_days < scenario.world.runout_cap_days
    admitted = model.journeys.opened - opened
    assert RUNOUT_ADMISSIONS * opened <= admitted <= (RUNOUT_ADMISSIONS + 1) * opened
