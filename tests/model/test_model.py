"""The service model: determinism, accounting invariants, levers, views and series."""

from __future__ import annotations

import numpy as np
import pytest

from govlab.agents import Department, Enterprise, Resident
from govlab.model import GovernanceModel, case_table, draws, summarise
from govlab.scenarios import load_scenario

SMALL = {"world.residents": 8000, "world.enterprises": 400, "world.warmup_days": 20}  # short runs


def small(name: str, **overrides):
    return load_scenario(name).with_overrides({**SMALL, **overrides})


def run(scenario, seed: int = 1, days: int = 60) -> GovernanceModel:
    model = GovernanceModel(scenario, rng=seed)
    for _ in range(days):
        model.step()
    return model


def test_same_seed_same_results_different_seed_different():
    scenario = small("silo")
    first, again, other = (summarise(run(scenario, seed)) for seed in (5, 5, 6))
    assert first == again
    assert first["delay_mean_days"] != other["delay_mean_days"]


@pytest.mark.parametrize("name", ["silo", "front_desk", "parallel", "smart"])
def test_time_split_adds_up_to_delay(name):
    """wait + service + hand-off + travel + rework = delay for every case (critical path)."""
    table = case_table(run(small(name)).journeys.records)
    parts = sum(
        table[f"{part}_days"] for part in ("wait", "service", "handoff", "travel", "rework")
    )
    assert len(parts) > 100
    np.testing.assert_allclose(parts, table["delay_days"], rtol=1e-9, atol=1e-9)


def test_counters_are_consistent():
    table = case_table(run(small("silo")).journeys.records)
    assert np.all(table["documents_resubmitted"] <= table["documents_submitted"])
    assert np.all(table["documents_resubmitted"] >= 0)
    in_person = ~table["online"].astype(bool)
    assert np.all(table["trips"][in_person] >= 1)
    assert np.all(table["trips"][~in_person] == 0)
    assert np.all(table["trips"] >= table["returns"] * in_person)


def test_online_cases_make_no_trips_and_need_skill():
    model = run(small("silo", **{"levers.online_coverage": 1.0}))
    table = case_table(model.journeys.records)
    online = table["online"].astype(bool)
    assert 0.2 < online.mean() < 1.0
    assert np.all(table["trips"][online] == 0)
    residents = online & (table["applicant_kind"] == 0)
    skill = model.population.digital_skill[table["applicant"][residents]]
    assert np.all(skill >= model.config.world.digital_skill_threshold)


def test_front_desk_means_one_office_and_one_visit_without_missing_papers():
    scenario = small(
        "front_desk", **{"world.p_missing_document": 0.0, "levers.online_coverage": 0.0}
    )
    table = case_table(run(scenario).journeys.records)
    assert np.all(table["offices"] == 1)
    assert np.all(table["trips"][~table["refused"].astype(bool)] == 1)


def test_data_sharing_replaces_carried_papers_with_hub_retrievals():
    off = summarise(run(small("front_desk")))
    on = summarise(run(small("front_desk", **{"levers.data_sharing": 1.0})))
    assert off["hub_retrievals_per_case"] == 0
    assert on["hub_retrievals_per_case"] > 1
    assert on["documents_submitted_per_case"] < off["documents_submitted_per_case"]


def test_cross_district_anywhere_removes_refusals_and_distance():
    home = summarise(run(small("silo", **{"world.away_from_home_share": 0.5})))
    anywhere = summarise(
        run(
            small(
                "silo", **{"world.away_from_home_share": 0.5, "levers.cross_district": "anywhere"}
            )
        )
    )
    assert home["refusals"] > 0
    assert anywhere["refusals"] == 0
    assert anywhere["travel_days_mean"] < home["travel_days_mean"]


def test_parallel_approval_shortens_business_registration():
    sequential = summarise(run(small("data_sharing"), days=120))
    parallel = summarise(run(small("data_sharing", **{"levers.approval": "parallel"}), days=120))
    assert (
        parallel["business_registration_days_mean"] < sequential["business_registration_days_mean"]
    )


@pytest.mark.parametrize("distribution", ["exponential", "lognormal", "deterministic"])
def test_service_time_shapes(distribution):
    code = draws.DISTRIBUTIONS.index(distribution)
    sigma, shift = draws.lognormal_parameters(0.5)
    values = 2.0 * np.array(
        [
            draws.service_factor(7, case, draws.COUNTER, 1, 0, code, sigma, shift)
            for case in range(40_000)
        ]
    )
    assert values.mean() == pytest.approx(2.0, rel=0.02)
    expected_cv = {"exponential": 1.0, "lognormal": 0.5, "deterministic": 0.0}[distribution]
    assert values.std() / values.mean() == pytest.approx(expected_cv, abs=0.02)


def test_agents_and_resident_views():
    model = run(small("silo"), days=2)
    assert len(model.agents_by_type[Department]) == len(model.layout.offices)
    assert len(model.agents_by_type[Enterprise]) == 400
    assert Resident not in model.agent_types  # no views until asked for
    view = model.resident(17)
    assert model.resident(17) is view
    assert view.district == int(model.population.district[17])
    view.digital_skill = 0.25
    assert model.population.digital_skill[17] == pytest.approx(0.25)
    assert len(model.agents_by_type[Resident]) == 1


def test_daily_series_are_collected():
    model = run(small("silo"), days=30)
    series = model.datacollector.get_model_vars_dataframe()
    assert len(series) == 30
    assert series["arrivals"].sum() == model.journeys.opened
    assert series["completions"].sum() == len(model.journeys.records)
    assert (series["backlog"] >= 0).all()
    assert 0 < series["utilisation_mean"].iloc[-1] < 1
    by_department = model.datacollector.get_agenttype_vars_dataframe(Department)
    assert set(by_department.columns) >= {"function", "staff", "queue_length", "utilisation"}


def test_trace_follows_one_case():
    model = GovernanceModel(small("silo"), rng=2)
    plan = next(p for p in model.plans if p.name == "business_registration")
    model.journeys.trace_next(plan.index)
    for _ in range(60):
        model.step()
    (trace,) = model.journeys.traces.values()
    events = [event for _, event, _ in trace]
    assert events[0] == "open" and events[-1] == "complete"
    assert events.count("start") >= len(plan.steps)
    assert [t for t, _, _ in trace] == sorted(t for t, _, _ in trace)
