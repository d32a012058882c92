"""Adaptive policies (issue 23 item 3, ``[[trigger]]``): a signpost on a monitored metric fires a
lever change on a review day.

The decision reads only completed days and draws no random number, so a triggered run equals its
untriggered twin up to the day it fires; the day is computed here by hand from the twin's case
records (rolling mean of the delays completed per home district, consecutive days above the
threshold, review days) — an independent reading of what ``model.triggers`` watches.
"""

from __future__ import annotations

import numpy as np
import pytest

from govlab.scenarios import Scenario, ScenarioError, apply_overrides, load_scenario
from tests.model.test_compiled_engine import assert_same, run_both
from tests.model.test_lever_schedules import SMALL, by_case, run

HUB = {"data_sharing": 0.9, "handoff": "electronic"}
DAYS = 80


def triggered(triggers: list[dict], base: str = "silo") -> tuple[Scenario, Scenario]:
    plain = apply_overrides(load_scenario(base), SMALL)
    data = plain.model_dump()
    data["trigger"] = triggers
    return plain, Scenario.model_validate(data)


def rolling_delay_by_district(model, window: int) -> np.ndarray:
    """Day x district: mean delay of the cases completed in the last ``window`` days, by home
    district (nan without any), from the case records."""
    table = model.journeys.records.table()
    day = np.floor(table["completion_day"]).astype(int)
    districts = model.config.world.districts
    count = np.zeros((model.steps, districts))
    total = np.zeros((model.steps, districts))
    np.add.at(count, (day, table["home_district"]), 1)
    np.add.at(total, (day, table["home_district"]), table["delay_days"])
    out = np.full_like(count, np.nan)
    for t in range(model.steps):
        n = count[max(t - window + 1, 0) : t + 1].sum(axis=0)
        s = total[max(t - window + 1, 0) : t + 1].sum(axis=0)
        out[t] = np.where(n > 0, s / np.maximum(n, 1), np.nan)
    return out


def first_firing(above_days: np.ndarray, for_days: int, review: int, start: int) -> int | None:
    """The first review day (>= start, every ``review``) whose previous ``for_days`` days all
    held (``above_days[t]``: the condition at the end of day t)."""
    for day in range(start, len(above_days) + 1, review):
        if day >= for_days and above_days[day - for_days : day].all():
            return day
    return None


def test_a_district_trigger_fires_on_the_day_its_signpost_says_and_not_before():
    plain, _ = triggered([])
    silo = run(plain)
    window, for_days, review, start = 7, 3, 5, 20
    rolling = rolling_delay_by_district(silo, window)
    # a threshold that district 2 crosses for a while in the run: its 40th percentile after day 20
    threshold = float(np.nanpercentile(rolling[start:, 2], 40))
    expected = {
        d: first_firing(rolling[:, d] > threshold, for_days, review, start) for d in range(6)
    }
    assert expected[2] is not None and start < expected[2] < DAYS - 10
    trigger = {"metric": "delay_mean_days", "above": threshold, "window_days": window,
               "for_days": for_days, "review_days": review, "from_day": start,
               "districts": [2, 4], "levers": HUB}  # fmt: skip
    _, scenario = triggered([trigger])
    model = run(scenario)
    fired = {(f.district, f.day) for f in model.signposts.fired}
    # only districts 2 and 4 are watched; each fires at the hand-computed day (or never)
    assert fired == {(d, expected[d]) for d in (2, 4) if expected[d] is not None}
    first = min(day for _, day in fired)
    a, b = by_case(silo), by_case(model)
    for key, case in b.items():
        opened, home = key[3], case["home_district"]
        switched = any(d == home and opened >= day for d, day in fired)
        if case["completion_day"] < first:  # the same run up to the first firing
            assert a[key] == case
        if not switched:
            assert case["hub_retrievals"] == 0 and a.get(key, case)["trips"] == case["trips"]
    hub_users = [k for k, c in b.items() if c["hub_retrievals"] > 0]
    assert hub_users and all(
        any(d == b[k]["home_district"] and k[3] >= day for d, day in fired) for k in hub_users
    )


def test_a_city_trigger_switches_every_covered_district_at_once_and_fires_once():
    plain, _ = triggered([])
    silo = run(plain)
    window, threshold = 10, 0.0  # any completed case: fires on the first review day with data
    trigger = {"metric": "delay_mean_days", "above": threshold, "window_days": window,
               "for_days": 4, "review_days": 3, "watch": "city", "districts": [0, 5],
               "levers": HUB}  # fmt: skip
    _, scenario = triggered([trigger])
    model = run(scenario)
    table = silo.journeys.records.table()
    covered = np.isin(table["home_district"], [0, 5])
    first_completion = int(np.floor(table["completion_day"][covered].min()))
    # four whole days of completions (days first..first+3) are known on day first+4's start
    expected = next(d for d in range(0, DAYS, 3) if d >= first_completion + 4)
    assert [(f.district, f.day) for f in model.signposts.fired] == [(-1, expected)]
    assert [state.levers.handoff for state in model.levers_in_force.levers] == [
        "electronic", "applicant", "applicant", "applicant", "applicant", "electronic",
    ]  # fmt: skip


def test_the_response_rate_signpost_reads_the_office_day_by_day():
    signpost = {"metric": "response_rate", "below": 0.999, "window_days": 5, "for_days": 2,
                "watch": "city", "levers": {"data_sharing": 0.5}}  # fmt: skip
    _, scenario = triggered([signpost])
    model = run(scenario)
    posts = model.signposts
    assert sum(posts.requests) == model.office.handled_all > 0
    assert sum(posts.answered) == model.office.answered_all
    rates = []
    for t in range(DAYS):
        handled = sum(posts.requests[max(t - 4, 0) : t + 1])
        rates.append(sum(posts.answered[max(t - 4, 0) : t + 1]) / handled if handled else np.nan)
    held = np.array([r < 0.999 for r in rates])  # nan compares False: no evidence, no firing
    expected = first_firing(held, 2, 1, 0)
    assert [f.day for f in posts.fired] == ([expected] if expected is not None else [])


def test_both_engines_follow_a_trigger_identically():
    trigger = {"metric": "delay_mean_days", "above": 0.5, "window_days": 5, "for_days": 2,
               "review_days": 4, "levers": {**HUB, "cross_district": "anywhere"}}  # fmt: skip
    _, scenario = triggered(
        [trigger, {**trigger, "above": 2.0, "levers": {"online_coverage": 0.7}}]
    )
    scenario = apply_overrides(scenario, {"world.away_from_home_share": 0.4})
    reference, compiled = run_both(scenario, days=40)
    assert reference.signposts.fired == compiled.signposts.fired
    assert len(compiled.signposts.fired) >= 6
    assert_same(reference, compiled)


def test_too_many_lever_combinations_are_refused_when_read():
    # 5 data-sharing values x 5 online coverages x 2 hand-offs x 2 cross-district rules = 100
    updates = [{"data_sharing": i / 10} for i in range(1, 5)]
    updates += [{"online_coverage": i / 10} for i in range(1, 5)]
    updates += [{"handoff": "electronic"}, {"cross_district": "anywhere"}]
    many = [{"metric": "delay_mean_days", "above": 1.0, "levers": u} for u in updates]
    with pytest.raises(ScenarioError, match="lever combinations"):
        apply_overrides(load_scenario("silo"), {"trigger": many, **SMALL})


def test_the_cost_counts_the_days_each_lever_is_in_force_where_it_is_priced():
    """A city-priced hub in one district costs the whole hub; a district-priced lever counts its
    districts; each from its day, over the delay window (here days 0-80, no warm-up)."""
    from govlab.model.metrics import summarise
    from govlab.scenarios.costs import itemised

    entries = [
        {"day": 50, "districts": [0], "levers": {"data_sharing": 0.9}},
        {"day": 50, "districts": [0, 1], "levers": {"cross_district": "anywhere"}},
    ]
    _, scenario = triggered([])
    scenario = apply_overrides(scenario, {"schedule": entries})
    summary = summarise(run(scenario))
    costs = scenario.costs
    rows = itemised(apply_overrides(scenario, {"schedule": [], "levers.data_sharing": 0.9,
                                               "levers.cross_district": "anywhere"}))  # fmt: skip

    def per_year(row):  # the silo needs no staff: every server the levers need is hired
        build = row["build_yuan"] + row["build_staff_years"] * costs.yuan_per_staff_year
        running = row["yuan_per_year"] + row["staff"] * costs.yuan_per_staff_year
        return running + build / costs.amortisation_years

    expected = 30 / 80 * (per_year(rows["data_sharing"]) + 2 / 6 * per_year(rows["cross_district"]))
    assert summary["cost_per_year"] == pytest.approx(expected, rel=1e-12)
    assert summary["district_days_switched_share"] == pytest.approx(30 * 2 / (80 * 6))
    assert summarise(run(triggered([])[0]))["cost_per_year"] == 0.0
