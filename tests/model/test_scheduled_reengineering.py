"""Re-engineering options scheduled from a day in some districts (issue 23 item 1,
``[schedule.reengineering]``).

Bundling and exemption change the case plans of the rule set; a committed time limit cuts their
back-office times and hires back-office servers in the districts' departments (and the city's)
from that day. A case's service draws are keyed by its number, so the same case in a scheduled
run and its unscheduled twin draws the same numbers: a back-office task of a case under the time
limit lasts exactly the cut share of its twin's, and every other case's exactly as long.
"""

from __future__ import annotations

import numpy as np
import pytest

from govlab.model import GovernanceModel
from govlab.model.records import A_BACKOFFICE
from govlab.scenarios import apply_overrides, load_scenario
from govlab.scenarios.costs import cost_in_force
from govlab.scenarios.schedule import InForce
from tests.model.test_compiled_engine import assert_same, run_both
from tests.model.test_lever_schedules import DAYS, SEED, D, scheduled
from tests.model.test_scheduled_plans import districts_of, run_visits

TIME_LIMIT = {"backoffice_time_cut": 0.5, "extra_backoffice_staff": 2}
CATALOGUE = {"bundle_all": True, "exemption_share": 1.0}


def with_reengineering(entries: list[dict], base: str = "silo"):
    """Silo (small) and the same with these schedule entries (levers or re-engineering)."""
    return scheduled([{"day": e["day"], "districts": e.get("districts", []),
                       "reengineering": e["reengineering"]} for e in entries], base)  # fmt: skip


def papers_of(plan) -> set[int]:
    """The documents a case of ``plan`` brings to its counters (none fetched, all carried)."""
    return {doc for step in plan.steps
            for doc in (*step.applicant_docs, *step.government_docs, *step.case_docs)}  # fmt: skip


def expected_rule_set(table, district: int) -> np.ndarray:
    """1 for the cases opened from D at home in ``district``, else 0."""
    return ((table["home_district"] == district) & (table["arrival_day"] >= D)).astype(int)


def test_bundling_and_exemption_from_day_d_in_one_district_change_exactly_its_new_cases():
    """Every certificate exempted and same-function steps bundled in district 1 from D: each
    completed case followed the rules of its home on its opening day, and submitted exactly the
    distinct papers its rule set's plan asks for (silo fetches nothing from a hub and the
    applicant carries the papers issued in the case) — fewer for the treated cases; the records
    completed before D equal silo's."""
    plain, switched = with_reengineering([{"day": D, "districts": [1],
                                           "reengineering": CATALOGUE}])  # fmt: skip
    model, silo = (GovernanceModel(s, rng=SEED) for s in (switched, plain))
    for _ in range(DAYS):
        model.step()
        silo.step()
    table = model.journeys.records.table()
    expected = expected_rule_set(table, 1)
    assert expected.sum() > 30 and (expected == 0).sum() > 300
    np.testing.assert_array_equal(table["rule_set"], expected)
    rule_sets = model.journeys.rule_sets
    papers = np.array([[len(papers_of(plan)) for plan in rules.plans] for rules in rule_sets])
    distinct = table["documents_submitted"] - table["documents_resubmitted"]
    np.testing.assert_array_equal(distinct, papers[table["rule_set"], table["case_type"]])
    assert (papers[1] <= papers[0]).all() and (papers[1] < papers[0]).any()
    steps = np.array([[len(plan.steps) for plan in rules.plans] for rules in rule_sets])
    assert (steps[1] < steps[0]).any()
    before = int((silo.journeys.records.table()["completion_day"] < D).sum())
    assert model.journeys.records.rows()[:before] == silo.journeys.records.rows()[:before]


def test_a_time_limit_from_day_d_halves_its_cases_backoffice_tasks_and_hires_its_staff():
    """A 50% time limit with 2 extra back-office servers in district 2 from D: every back-office
    task of a case opened from D at home in district 2 lasts exactly half as long as the same
    case's task in the unscheduled twin, every other task exactly as long; district 2's back
    offices and the city's gain 2 servers from D, the others none."""
    plain, switched = with_reengineering([{"day": D, "districts": [2],
                                           "reengineering": TIME_LIMIT}])  # fmt: skip
    staff = {}
    tasks = {}
    for name, scenario in (("plain", plain), ("switched", switched)):
        model, opened_before = run_visits(scenario)
        table = model.journeys.visits.table()
        backoffice = table["activity"] == A_BACKOFFICE
        keys = zip(table["case"][backoffice].tolist(), table["step"][backoffice].tolist(),
                   strict=True)  # fmt: skip
        service = (table["end_day"] - table["start_day"])[backoffice]
        tasks[name] = dict(zip(keys, service.tolist(), strict=True))
        staff[name] = np.array([station.servers for station in model.journeys.stations])
        home = districts_of(model)  # silo serves at home
    treated = {key for key in tasks["switched"] if key[0] > opened_before and home[key[0]] == 2}
    shared = tasks["switched"].keys() & tasks["plain"].keys()
    assert len(treated & shared) > 50 and len(shared - treated) > 500
    for key in shared:
        ratio = tasks["switched"][key] / tasks["plain"][key]
        assert ratio == pytest.approx(0.5 if key in treated else 1.0, rel=1e-9), key
    staffing = GovernanceModel(switched, rng=SEED).staffing
    added = staff["switched"] - staff["plain"]
    expected = np.where(staffing.backoffice & np.isin(staffing.district, [2, -1]), 2, 0)
    np.testing.assert_array_equal(added, expected)


@pytest.mark.parametrize("base", ["silo", "data_sharing"])
def test_both_engines_equal_with_reengineering_scheduled(base):
    _, scenario = with_reengineering(
        [
            {"day": 8, "districts": [0, 3], "reengineering": CATALOGUE},
            {"day": 15, "reengineering": TIME_LIMIT},
            {"day": 22, "districts": [3], "reengineering": {"bundle_all": False}},
        ],
        base,
    )
    reference, compiled = run_both(scenario, days=40)
    assert_same(reference, compiled)
    assert len(compiled.journeys.rule_sets) == 5


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_a_reengineering_reform_from_today_equals_the_schedule_entry(engine):
    """``reform(reengineering=...)`` the evening before day D gives the run the entry gives (a
    rule set, plans and hired staff the model did not plan); a reform whose options break a rule
    is refused at once, naming it."""
    from govlab.model.metrics import summarise

    options = {**CATALOGUE, **TIME_LIMIT}
    plain, planned = with_reengineering([{"day": D, "districts": [1], "reengineering": options}])
    a = GovernanceModel(planned, rng=SEED, engine=engine)
    b = GovernanceModel(plain, rng=SEED, engine=engine)
    for day in range(DAYS):
        if day == D:
            b.reform({}, (1,), options)
        a.step()
        b.step()
    assert a.journeys.records.rows() == b.journeys.records.rows()
    assert summarise(a)["cost_per_year"] == summarise(b)["cost_per_year"] > 0
    with pytest.raises(ValueError, match="extra_backoffice_staff"):
        b.reform({}, (2,), {"backoffice_time_cut": 0.3})
    with pytest.raises(ValueError, match="bundle_services"):
        b.reform({}, (), {"bundle_services": ["no_such_service"]})


def test_a_time_limit_in_one_district_costs_its_staff_and_the_city_wide_build():
    """cost_in_force: a time limit with 2 extra servers in one district of six costs 2 servers in
    each of its district departments and in each city department, at the staff rate, plus the
    time limit's build once (priced for the city)."""
    silo = apply_overrides(load_scenario("silo"), {})
    own = InForce.of(silo)
    limit = InForce(silo.levers, silo.reengineering.model_copy(update=TIME_LIMIT))
    city = sum(f.level == "city" for f in silo.functions.values())
    district = len(silo.functions) - city
    states = [limit] + [own] * (silo.world.districts - 1)
    extra = cost_in_force(silo, states) - cost_in_force(silo, [own] * silo.world.districts)
    rate = silo.costs.yuan_per_staff_year
    build = 0.5 * 2.0 * rate / silo.costs.amortisation_years  # 2 staff-years per unit cut
    assert extra == pytest.approx(2 * (district + city) * rate + build)


def test_the_one_thing_pilot_example_bundles_in_district_0_then_everywhere_and_pilot_reads_it():
    """examples/pilot_one_thing.toml: district 0 under the re-engineered catalogue from day 250,
    every district from 350; ``govlab pilot`` takes its re-engineering into its arms."""
    from pathlib import Path

    from govlab.experiments.pilot_runs import arms, pilot_of
    from govlab.model.schedule import rule_timeline
    from tests.model.test_lever_schedules import day_by_day

    path = Path(__file__).resolve().parents[2] / "examples" / "pilot_one_thing.toml"
    scenario = load_scenario(path)
    timeline = rule_timeline(scenario)
    assert {day: list(index) for day, index in day_by_day(timeline, scenario).items()} == {
        250: [1, 0, 0, 0, 0, 0],
        350: [1, 1, 1, 1, 1, 1],
    }
    silo, bundled = timeline.rule_sets
    assert sum(len(p.steps) for p in bundled.plans) < sum(len(p.steps) for p in silo.plans)
    found = pilot_of(scenario, str(path))
    everywhere = arms(scenario, found)["everywhere"].schedule
    assert [entry.update() for entry in everywhere] == [scenario.schedule[0].update()]
    assert everywhere[0].reengineering.given() == {"bundle_all": True, "exemption_share": 0.5}


def test_a_trigger_sets_reengineering_from_the_day_it_fires_in_the_districts_it_covers():
    """A city trigger over districts 0 and 5 that bundles and exempts when it fires: exactly the
    cases opened from its firing day at home there follow the re-engineered rule set; a trigger
    whose options break a rule of ``[reengineering]`` is refused when the scenario loads."""
    from pydantic import ValidationError

    from tests.model.test_triggers import triggered

    trigger = {"metric": "delay_mean_days", "above": 0.0, "window_days": 10, "for_days": 4,
               "review_days": 3, "watch": "city", "districts": [0, 5],
               "reengineering": CATALOGUE}  # fmt: skip
    _, scenario = triggered([trigger])
    model = GovernanceModel(scenario, rng=SEED)
    for _ in range(DAYS):
        model.step()
    (firing,) = model.signposts.fired
    table = model.journeys.records.table()
    expected = np.isin(table["home_district"], [0, 5]) & (table["arrival_day"] >= firing.day)
    assert 0 < firing.day < DAYS - 20 and expected.sum() > 20
    np.testing.assert_array_equal(table["rule_set"] > 0, expected)
    plans = model.journeys.rule_sets[int(table["rule_set"].max())].plans
    assert sum(len(p.steps) for p in plans) < sum(len(p.steps) for p in model.plans)
    with pytest.raises(
        ValidationError, match=r"trigger\.0\.reengineering: .*extra_backoffice_staff"
    ):
        triggered([{**trigger, "reengineering": {"backoffice_time_cut": 0.3}}])


def test_a_reform_is_checked_against_what_tomorrows_schedule_brings():
    """A reform asked the evening before a schedule entry's day is checked with that entry
    applied first: withdrawing the staff of a time limit the entry starts tomorrow is refused at
    once (not a crash in tomorrow's step)."""
    _, scenario = with_reengineering([{"day": 5, "districts": [1], "reengineering": TIME_LIMIT}])
    model = GovernanceModel(scenario, rng=SEED)
    for _ in range(5):
        model.step()
    with pytest.raises(ValueError, match="extra_backoffice_staff"):
        model.reform({}, (1,), {"extra_backoffice_staff": 0})
    model.step()  # the entry applies; the refused reform left nothing behind
    assert model.levers_in_force.levers[1].reengineering.backoffice_time_cut == 0.5
