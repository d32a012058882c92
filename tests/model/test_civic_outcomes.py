"""Civic outcomes produced by what people experience (issue 12), with paired 95% CIs.

- trust has no drift: with every lever at silo values mean trust moves < 0.05 in 1,000 days,
  residents' and firms' alike;
- transparency reveals service: it lowers trust where service is poor, raises it where good;
- an open platform with an understaffed every-request office: participation rises, then falls;
- the co-production gate binds: a higher trust threshold lowers the co-production share;
- every civic metric moves when only service performance changes (back-office staff halved,
  civic levers fixed), or is a documented design property / diagnostic.
"""

from __future__ import annotations

import numpy as np
import pytest

from govlab.experiments.single import run_simulation
from govlab.model.metrics import DESIGN_PROPERTIES
from govlab.scenarios import load_scenario
from tests.conftest import mean_ci
from tests.model.civic_runs import SMALL_WORLD, assert_direction, paired_ci, summaries

HALF_STAFF = tuple(
    (f"functions.{name}.backoffice_staff", max(1, function.backoffice_staff // 2))
    for name, function in load_scenario("silo").functions.items()
)


def test_trust_is_at_rest_in_the_silo_world_over_1000_days():
    scenario = load_scenario("silo").with_overrides(SMALL_WORLD)
    for seed in (1, 2, 3):
        summary, model = run_simulation(scenario, seed, 1000)
        series = model.civic_series["trust_mean"]
        assert abs(series[-1] - series[0]) < 0.05, (seed, series[0], series[-1])
        assert abs(summary["trust_drift_per_100_days"]) < 0.01


def test_enterprise_trust_is_at_rest_in_the_silo_world_over_1000_days():
    """Firms start at their own silo rest point (``civic.enterprise_trust_initial`` and
    ``enterprise_expectation_initial``), below the residents' because their services perform far
    worse in silo. Started at the residents' means instead (the model before issue 20), their
    trust fell by 0.13 in 1,000 days and still fell 0.009 per 100 days at the end."""
    scenario = load_scenario("silo")  # the calibrated world itself (firms' rates of cases)
    for seed in (1, 2):
        summary, model = run_simulation(scenario, seed, 1000)
        series = model.civic_series["enterprise_trust_mean"]
        assert abs(series[-1] - series[0]) < 0.05, (seed, series[0], series[-1])
        assert abs(summary["enterprise_trust_drift_per_100_days"]) < 0.004, summary
        # the diagnostic reads the firms' daily series (social organisations left out)
        assert summary["enterprise_trust_mean_final"] == pytest.approx(series[-1], abs=1e-6)


# Transparency also prevents missing documents (一次告知); switched off here, so that only the
# publication of performance differs between the paired runs.
INFORMATION_ONLY = (("world.transparency_effect", 0.0),)


def test_transparency_lowers_trust_where_service_is_poor_and_raises_it_where_good():
    poor = (*INFORMATION_ONLY, *HALF_STAFF, ("world.p_missing_document", 0.4))
    dim = summaries("silo", (*poor, ("levers.transparency", 0.0)))
    lit = summaries("silo", (*poor, ("levers.transparency", 1.0)))
    assert_direction("trust_mean_final", dim, lit, -1)
    dim = summaries("smart", (*INFORMATION_ONLY, ("levers.transparency", 0.0)))
    lit = summaries("smart", (*INFORMATION_ONLY, ("levers.transparency", 1.0)))
    assert_direction("trust_mean_final", dim, lit, +1)


def test_an_overloaded_office_makes_participation_rise_then_fall():
    scenario = load_scenario("smart_overloaded").with_overrides(SMALL_WORLD)
    rises, falls = [], []
    for seed in range(1, 7):
        _, model = run_simulation(scenario, seed, 600)
        series = np.asarray(model.civic_series["participation_rate"])
        peak = int(series.argmax())
        rises.append(series[peak] - series[0])
        falls.append(series[peak] - series[-50:].mean())
        assert 50 < peak < 550, peak
    assert mean_ci(rises)[1] > 0.05
    assert mean_ci(falls)[1] > 0.01
    # the same platform with a well-staffed office keeps its participants
    staffed = scenario.with_overrides({"response_office.staff_per_10k_residents": 3.0})
    _, model = run_simulation(staffed, 1, 600)
    series = np.asarray(model.civic_series["participation_rate"])
    assert series[-50:].mean() >= series.max() - 0.01


def test_the_coproduction_gate_binds():
    low = summaries("smart", (("civic.coproduction_trust_threshold", 0.45),))
    default = summaries("smart")
    high = summaries("smart", (("civic.coproduction_trust_threshold", 0.65),))
    for metric in ("coproduction_share", "coproducer_share"):
        assert_direction(metric, low, default, -1)
        assert_direction(metric, default, high, -1)


# Diagnostics and counts that describe the run rather than compare reforms.
DIAGNOSTICS = (
    "participation_drift_per_100_days",
    "trust_drift_per_100_days",
    "enterprise_trust_drift_per_100_days",
)
CIVIC = (
    "participation_rate",
    "participation_rate_final",
    "trust_mean",
    "trust_mean_final",
    "efficacy_mean_final",
    "satisfaction_mean",
    "requests",
    "complaints",
    "response_rate",
    "coproduction_share",
    "coproducer_share",
    "enterprise_trust_mean",
    "enterprise_trust_mean_final",
    *DESIGN_PROPERTIES,
    *DIAGNOSTICS,
)
NEAR_CAPACITY = (("response_office.staff_per_10k_residents", 0.9),)
# An every-request office whose load is mostly complaints (the silo's participants are few):
# worse service → more complaints → a busier office → fewer answers → less efficacy.
COMPLAINT_LOADED = (
    ("response_office.rule", "every_request"),
    ("response_office.staff_per_10k_residents", 0.05),
)


@pytest.mark.parametrize("metric", CIVIC)
def test_civic_metric_moves_with_service_performance_or_is_a_property(metric):
    """Halving the back-office staff (nothing civic changed) moves the metric in the silo world,
    in the smart one (office near capacity) or in the silo world with a complaint-loaded
    every-request office; or it is a documented property/diagnostic."""
    if metric in DESIGN_PROPERTIES or metric in DIAGNOSTICS:
        return
    found = []
    # a larger city (its offices are loaded, so halving staff bites) and a 130-day window
    window = (("world.residents", 20_000), ("world.enterprises", 1_000), ("world.warmup_days", 20))
    for scenario, base in (("silo", ()), ("smart", NEAR_CAPACITY), ("silo", COMPLAINT_LOADED)):
        base = (*window, *base)
        full = summaries(scenario, base)
        half = summaries(scenario, (*base, *HALF_STAFF))
        mean, low, high = paired_ci(metric, full, half)
        if low > 0.0 or high < 0.0:
            return
        found.append(f"{scenario}: {mean:.4g} [{low:.4g}, {high:.4g}]")
    pytest.fail(f"{metric} does not move with service performance: {found}")


def test_every_reported_civic_metric_is_covered():
    summary = summaries("smart", NEAR_CAPACITY)[0]
    civic_keys = {
        k
        for k in summary
        if k.startswith(("participation", "trust", "privacy", "coprod", "office_", "response"))
    }
    documented = {
        *CIVIC,
        "trust_sd_final",  # a distribution figure beside trust_mean_final
        "office_backlog_days_final",  # zero unless the office is overloaded
        "requests_per_resident_per_year",  # requests scaled to the population and window
    }
    assert civic_keys <= documented, civic_keys - documented
