"""Lever costs and the staff budget (issue 14 §1): exact prices, simulated staff withdrawal."""

from __future__ import annotations

import pandas as pd
import pytest

from govlab.model import GovernanceModel
from govlab.model.metrics import DESIGN_PROPERTIES
from govlab.model.staff_budget import withdraw
from govlab.results.stats import compare
from govlab.scenarios import ScenarioError, load_scenario
from govlab.scenarios.costs import cost_report, lever_units, scaled_prices

SMALL = {"world.residents": 1500, "world.enterprises": 100, "world.warmup_days": 2}


def test_the_default_organisation_costs_nothing():
    report = cost_report(load_scenario("silo"))
    assert report == {
        "cost_per_year": 0.0,
        "cost_build_yuan": 0.0,
        "staff_needed": 0.0,
        "staff_budget_raise": 0.0,
        "staff_withdrawn": 0.0,
    }


def test_front_desk_price_follows_the_table():
    # 6 districts × (1 navigator at 150,000 + 100,000 running) plus build (6 × 800,000 +
    # 6 × 0.5 staff-years × 150,000) spread over 5 years
    report = cost_report(load_scenario("front_desk"))
    assert report["staff_needed"] == pytest.approx(6.0)
    assert report["cost_build_yuan"] == pytest.approx(6 * 800_000 + 6 * 0.5 * 150_000)
    assert report["cost_per_year"] == pytest.approx(6 * 250_000 + (4_800_000 + 450_000) / 5)


def test_units_count_only_what_is_above_the_default():
    units = lever_units(load_scenario("seamless").levers)
    assert units["front_desk"] == 1.0 and units["cross_district"] == 1.0
    assert units["online_coverage"] == pytest.approx(0.6 - 0.1)
    assert units["platform_openness"] == 0.0
    lowered = load_scenario("silo").with_overrides({"levers.online_coverage": 0.0})
    assert lever_units(lowered.levers)["online_coverage"] == 0.0


def test_withdraw_takes_from_the_largest_station_and_never_empties_one():
    assert withdraw([3, 5, 1, 0], 3) == [2, 3, 1, 0]  # 5→4→3, then the tie: earliest
    assert withdraw([3, 5, 1, 0], 5) == [1, 2, 1, 0]
    assert withdraw([2, 1, 0], 10) == [1, 1, 0]


def test_unfunded_staff_leave_the_departments_and_the_raise_is_what_is_charged():
    funded = load_scenario("front_desk").with_overrides(SMALL)
    unfunded = funded.with_overrides({"costs.staff_funded_share": 0.0})
    half = funded.with_overrides({"costs.staff_funded_share": 0.5})
    staff = {
        name: sum(d.staff for d in GovernanceModel(s, rng=1).departments)
        for name, s in (("funded", funded), ("unfunded", unfunded), ("half", half))
    }
    assert staff["funded"] - staff["unfunded"] == 6
    assert staff["funded"] - staff["half"] == 3
    paid, unpaid = cost_report(funded), cost_report(unfunded)
    assert paid["cost_per_year"] - unpaid["cost_per_year"] == pytest.approx(6 * 150_000)
    assert unpaid["staff_withdrawn"] == 6.0 and unpaid["staff_budget_raise"] == 0.0


def test_prices_scale_without_touching_staff_quantities():
    scenario = load_scenario("seamless")
    doubled = scenario.model_copy(update={"costs": scaled_prices(scenario.costs, 2.0)})
    assert cost_report(doubled)["cost_per_year"] == pytest.approx(
        2 * cost_report(scenario)["cost_per_year"]
    )
    assert cost_report(doubled)["staff_needed"] == cost_report(scenario)["staff_needed"]


def test_bad_cost_overrides_are_one_line_errors():
    with pytest.raises(ScenarioError, match="staff_funded_share") as error:
        load_scenario("silo").with_overrides({"costs.staff_funded_share": 1.5})
    assert "\n" not in str(error.value)
    with pytest.raises(ScenarioError, match="teleport"):
        load_scenario("silo").with_overrides({"costs.levers.teleport": {"staff": 1.0}})


def test_cost_is_a_design_property_without_p_value():
    assert "cost_per_year" in DESIGN_PROPERTIES
    wide = pd.DataFrame(
        {
            "label": ["silo", "silo", "silo", "reform", "reform", "reform"],
            "point": [0] * 6,
            "seed": [1, 2, 3, 1, 2, 3],
            "cost_per_year": [0.0, 0.0, 0.0, 5.0, 5.0, 5.0],
            "delay_mean_days": [10.0, 11.0, 12.0, 8.0, 9.5, 9.0],
        }
    )
    rows = compare(wide, ["cost_per_year", "delay_mean_days"], "silo")
    reform = {r["metric"]: r for r in rows if r["scenario"] == "reform"}
    assert reform["cost_per_year"]["p_value"] is None
    assert reform["cost_per_year"]["diff_mean"] == 5.0
    assert reform["delay_mean_days"]["p_value"] is not None


def test_reengineering_is_priced_and_its_time_limit_staff_count():
    reengineered = load_scenario("reengineered")
    plain = reengineered.with_overrides(
        {
            "reengineering.bundle_all": False,
            "reengineering.exemption_share": 0.0,
            "reengineering.backoffice_time_cut": 0.0,
            "reengineering.extra_backoffice_staff": 0,
        }
    )
    districts = reengineered.world.districts  # one department per function and district
    departments = sum(
        1 if f.level == "city" else districts for f in reengineered.functions.values()
    )
    extra = reengineered.reengineering.extra_backoffice_staff * departments
    exemption = reengineered.reengineering.exemption_share
    with_, without = cost_report(reengineered), cost_report(plain)
    assert with_["staff_needed"] - without["staff_needed"] == pytest.approx(extra + 2.0 * exemption)
    services = len(reengineered.services)
    build = services * (200_000 + 150_000) + exemption * (3_000_000 + 4 * 150_000)
    build += reengineered.reengineering.backoffice_time_cut * 2 * 150_000
    assert with_["cost_build_yuan"] - without["cost_build_yuan"] == pytest.approx(build)


def test_response_office_handlers_above_the_default_come_from_the_staff_budget():
    # 10,000 residents: the default office (1 per 10^4) has 1 handler, moved from the back
    # offices (today's budget); 4 per 10^4 is 3 handlers more, a staff need like any lever's.
    city = {**SMALL, "world.residents": 10_000}
    base = load_scenario("silo").with_overrides(city)
    raised = base.with_overrides({"response_office.staff_per_10k_residents": 4.0})
    unfunded = raised.with_overrides({"costs.staff_funded_share": 0.0})
    assert cost_report(base)["staff_needed"] == 0.0
    paid, unpaid = cost_report(raised), cost_report(unfunded)
    assert paid["staff_needed"] == pytest.approx(3.0)
    assert paid["staff_budget_raise"] == pytest.approx(3.0) and paid["staff_withdrawn"] == 0.0
    # 3 handlers × (150,000 staff + 30,000 running) + 3 × (60,000 + 0.1 × 150,000) / 5 years
    assert paid["cost_per_year"] == pytest.approx(3 * 180_000 + 3 * 75_000 / 5)
    assert unpaid["staff_withdrawn"] == 3.0 and unpaid["staff_budget_raise"] == 0.0
    assert unpaid["cost_per_year"] == pytest.approx(3 * 30_000 + 3 * 75_000 / 5)

    def servers(scenario) -> tuple[int, int, int]:
        model = GovernanceModel(scenario, rng=1)
        stations = sum(int(s.servers) for s in model.journeys.stations)
        return stations, model.office.servers, model.office_transferred

    budget = sum(GovernanceModel(base, rng=1).layout.staff())  # the departments' servers
    assert servers(base) == (budget - 1, 1, 1)
    assert servers(raised) == (budget - 1, 4, 1)  # the raise pays the 3 extra handlers
    assert servers(unfunded) == (budget - 1 - 3, 4, 1)  # the departments pay them
