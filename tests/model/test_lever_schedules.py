"""Lever schedules (issue 23 item 1, ``[[schedule]]``): levers switched from a day, in some
districts, for the cases opened from then on.

A case's random numbers are keyed by its opening number and the demand draws do not depend on the
levers, so a scheduled run and its unscheduled twin open the same cases: every record completed
before the switching day, and every daily series value before it, is the same bit for bit; a case's
count of trips, hand-offs, documents, retrievals and returns depends only on its own rules, so it
changes exactly for the cases opened from that day in the districts listed.
"""

from __future__ import annotations

import numpy as np
import pytest

from govlab.model import GovernanceModel
from govlab.scenarios import Scenario, apply_overrides, load_scenario
from tests.model.test_compiled_engine import assert_same, run_both

DAYS, D, SEED = 80, 40, 7
SMALL = {"world.residents": 20_000, "world.enterprises": 1000, "world.warmup_days": 0}
# the journey levers of `smart` (its offices and plans stay silo's: see scenarios/schedule.py)
SMART_JOURNEY = {
    "data_sharing": 0.9,
    "handoff": "electronic",
    "cross_district": "anywhere",
    "online_coverage": 0.8,
}
# what a case's own rules decide, whatever the queues
STRUCTURAL = ("online", "service_district", "trips", "handoffs", "documents_submitted",
              "hub_retrievals", "returns")  # fmt: skip


def scheduled(entries: list[dict], base: str = "silo") -> tuple[Scenario, Scenario]:
    plain = apply_overrides(load_scenario(base), SMALL)
    data = plain.model_dump()
    data["schedule"] = entries
    return plain, Scenario.model_validate(data)


def run(scenario: Scenario, engine: str = "compiled") -> GovernanceModel:
    model = GovernanceModel(scenario, rng=SEED, engine=engine)
    for _ in range(DAYS):
        model.step()
    return model


def by_case(model: GovernanceModel) -> dict[tuple, dict]:
    table = model.journeys.records.table()
    keys = zip(table["case_type"], table["applicant_kind"], table["applicant"],
               table["arrival_day"], strict=True)  # fmt: skip
    return {
        key: {name: table[name][i] for name in (*STRUCTURAL, "home_district", "completion_day")}
        for i, key in enumerate(keys)
    }


def test_silo_switching_to_smart_levers_equals_silo_before_the_day_and_differs_after():
    plain, switched = scheduled([{"day": D, "levers": SMART_JOURNEY}])
    silo, model = run(plain), run(switched)
    ours, theirs = model.journeys.records.table(), silo.journeys.records.table()
    before = int((theirs["completion_day"] < D).sum())
    assert before > 200
    assert int((ours["completion_day"] < D).sum()) == before
    assert model.journeys.records.rows()[:before] == silo.journeys.records.rows()[:before]
    series, silo_series = (m.datacollector.get_model_vars_dataframe() for m in (model, silo))
    assert series.iloc[:D].equals(silo_series.iloc[:D])
    for name, values in model.civic_series.items():
        assert values[:D] == silo.civic_series[name][:D]
    assert not series.iloc[D:].equals(silo_series.iloc[D:])
    # cases opened before the day keep the silo's rules to their end (no retrieval, applicant
    # hand-off); those opened from it follow the new ones
    opened_before = ours["arrival_day"] < D
    assert ours["hub_retrievals"][opened_before].sum() == 0
    assert (ours["completion_day"][opened_before] >= D).sum() > 0  # some were in flight
    after = ~opened_before
    on_the_day = after & (ours["arrival_day"] < D + 1)
    assert ours["hub_retrievals"][on_the_day].mean() > 0.5  # from the day's start, not the next
    assert ours["hub_retrievals"][after].mean() > 0.5
    assert ours["trips"][after].mean() < 0.7 * theirs["trips"][theirs["arrival_day"] >= D].mean()


def test_a_district_schedule_changes_only_that_districts_cases():
    levers = {"data_sharing": 1.0, "handoff": "electronic"}
    plain, pilot = scheduled([{"day": D, "districts": [2], "levers": levers}])
    ours, theirs = by_case(run(pilot)), by_case(run(plain))
    assert len(ours) > 400
    changed = {"home": set(), "before": 0}
    for key in ours.keys() & theirs.keys():
        a, b = ours[key], theirs[key]
        same = all(a[name] == b[name] for name in STRUCTURAL)
        if a["home_district"] == 2 and key[3] >= D:
            if not same:
                changed["home"].add(key)
        else:
            assert same, (key, a, b)
            if b["completion_day"] < D:
                assert a["completion_day"] == b["completion_day"]
    assert len(changed["home"]) > 20


def day_by_day(timeline, scenario, days=500):
    """The rule set index of each home district from each day on which it changes."""
    from govlab.model.schedule import LeversInForce

    in_force = LeversInForce(timeline, scenario.world.districts)
    changes = {day: in_force.start_day(day, []) for day in range(days)}
    return {day: change for day, change in changes.items() if change is not None}


def test_later_entries_override_earlier_ones_per_district():
    from govlab.model.schedule import rule_timeline

    _, scenario = scheduled([
        {"day": 10, "levers": {"data_sharing": 0.5}},
        {"day": 10, "districts": [1], "levers": {"data_sharing": 1.0}},
        {"day": 20, "districts": [0, 1], "levers": {"handoff": "electronic"}},
    ])  # fmt: skip
    timeline = rule_timeline(scenario)
    sets = timeline.rule_sets
    assert sorted(timeline.entries) == [10, 20]
    changes = day_by_day(timeline, scenario)
    on_10, on_20 = changes[10], changes[20]
    assert [sets[i].share for i in on_10] == [0.5, 1.0, 0.5, 0.5, 0.5, 0.5]
    assert [sets[i].carry for i in on_10] == [True] * 6
    assert [(sets[i].share, sets[i].carry) for i in on_20[:3]] == [
        (0.5, False), (1.0, False), (0.5, True),
    ]  # fmt: skip
    assert sets[0].share == 0.0 and len(sets) == 5


@pytest.mark.parametrize("base", ["silo", "front_desk"])
def test_both_engines_equal_on_a_scheduled_scenario(base):
    _, scenario = scheduled(
        [
            {"day": 8, "districts": [0, 3], "levers": SMART_JOURNEY},
            {"day": 15, "levers": {"handoff": "electronic", "data_sharing": 0.5}},
            {"day": 22, "districts": [3], "levers": {"cross_district": "home_only"}},
        ],
        base,
    )
    scenario = apply_overrides(scenario, {"world.away_from_home_share": 0.4})
    reference, compiled = run_both(scenario, days=40)
    assert_same(reference, compiled)
    table = compiled.journeys.records.table()
    assert np.any(table["hub_retrievals"] > 0) and np.any(table["refused"])


def test_the_staged_rollout_example_pilots_then_rolls_out():
    from pathlib import Path

    from govlab.model.schedule import rule_timeline

    example = Path(__file__).resolve().parents[2] / "examples" / "staged_rollout.toml"
    scenario = load_scenario(example)
    timeline = rule_timeline(scenario)
    assert {day: list(index) for day, index in day_by_day(timeline, scenario).items()} == {
        250: [1, 0, 0, 0, 0, 0],
        350: [1, 1, 1, 1, 1, 1],
    }
    assert (timeline.rule_sets[1].share, timeline.rule_sets[1].carry) == (0.9, False)


def test_city_wide_levers_switch_their_mechanisms_from_the_day_and_not_before():
    """Platform openness, co-production, privacy protection and sensing quality set city-wide at
    day D: the civic series equal the unscheduled twin's before D; from D the platform is open
    (participation rises), co-production is enlisted, a full protection leaves no incident and
    sensing is noiseless."""
    base = {"levers.data_sharing": 0.9, "levers.capacity_policy": "sqrt"}
    city = {"platform_openness": 3, "coproduction": 0.5, "privacy_protection": 1.0,
            "sensing_quality": 1.0}  # fmt: skip
    plain, switched = scheduled([{"day": D, "levers": city}])
    plain, switched = apply_overrides(plain, base), apply_overrides(switched, base)
    models, incidents = {}, {}
    for name, scenario in (("plain", plain), ("switched", switched)):
        model = GovernanceModel(scenario, rng=SEED)
        daily = []
        for _ in range(DAYS):
            before = model.privacy.incidents
            model.step()
            daily.append(model.privacy.incidents - before)
        models[name], incidents[name] = model, np.array(daily)
    a, b = models["plain"].civic_series, models["switched"].civic_series
    for series in ("participation_rate", "trust_mean", "enterprise_trust_mean"):
        assert a[series][:D] == b[series][:D], series
    after = slice(D + 10, None)
    assert np.mean(b["participation_rate"][after]) > 2 * np.mean(a["participation_rate"][after])
    assert incidents["plain"][D:].sum() > 0 and incidents["switched"][D:].sum() == 0
    assert incidents["switched"][:D].sum() == incidents["plain"][:D].sum() > 0
    switched_model = models["switched"]
    assert switched_model.sensing.sigma == 0.0 < models["plain"].sensing.sigma
    assert switched_model.coproduction.active and not models["plain"].coproduction.active


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_a_reform_from_today_equals_the_schedule_entry_for_that_day(engine):
    """``GovernanceModel.reform`` between days D-1 and D (the trainer's "reform from today")
    gives the run a ``[[schedule]]`` entry for day D gives, record for record — though the rule
    sets it needs were not planned when the model was built."""
    from govlab.model.metrics import summarise

    entries = [{"day": D, "districts": [1, 2], "levers": SMART_JOURNEY},
               {"day": D, "levers": {"platform_openness": 3}}]  # fmt: skip
    plain, planned = scheduled(entries)
    a = run(planned, engine)
    b = GovernanceModel(plain, rng=SEED, engine=engine)
    for day in range(DAYS):
        if day == D:
            b.reform(SMART_JOURNEY, (1, 2))
            b.reform({"platform_openness": 3})
        b.step()
    assert len(b.journeys.rule_sets) == 3 and len(a.journeys.rule_sets) == 3
    assert a.journeys.records.rows() == b.journeys.records.rows()
    assert a.civic_series == b.civic_series
    assert summarise(a)["cost_per_year"] == summarise(b)["cost_per_year"] > 0
    with pytest.raises(ValueError, match="front_desk: a front desk opened stays open"):
        b.reform({"front_desk": False})
