"""Scheduled levers that change a case's plan or a mechanism's period (issue 23 item 1): approval,
transparency, the capacity policy.

Approval and transparency change the case plans (the precedence graph, the branch probabilities
of corrections) and the missing-paper probability; each rule set carries its own plans, and a
case keeps its plan to the end. Exact checks: who and from when — the cases opened from the day
in the districts listed, and no others — and what the mechanism does to them (two steps in
progress at once only under parallel approval; no return and no correction once transparency
prevents them all). The capacity policy switched on and off moves staff at the days its period
and lag say, and never before.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from govlab.model import GovernanceModel
from govlab.model.records import A_BACKOFFICE, A_COUNTER
from govlab.scenarios import apply_overrides, load_scenario
from tests.model.test_compiled_engine import assert_same, run_both
from tests.model.test_lever_schedules import DAYS, SEED, SMALL, D, scheduled

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_visits(scenario, reforms: dict | None = None, days: int = DAYS, day: int = D):
    """The model after ``days`` with visit rows, and how many cases opened before ``day``;
    ``reforms``: {day: [(levers, districts)]} asked through ``GovernanceModel.reform``."""
    model = GovernanceModel(scenario, rng=SEED, collect_visits=True)
    opened_before = None
    for today in range(days):
        if today == day:
            opened_before = model.journeys.opened
        for levers, districts in (reforms or {}).get(today, ()):
            model.reform(levers, districts)
        model.step()
    return model, opened_before


def step_spans(model) -> dict[int, dict[int, list[float]]]:
    """Per case number, per step: [first start, last end] of its counter and back-office work."""
    table = model.journeys.visits.table()
    spans: dict[int, dict[int, list[float]]] = defaultdict(dict)
    working = np.isin(table["activity"], (A_COUNTER, A_BACKOFFICE)) & (table["step"] >= 0)
    for case, step, start, end in zip(
        *(table[name][working].tolist() for name in ("case", "step", "start_day", "end_day")),
        strict=True,
    ):
        span = spans[case].setdefault(step, [start, end])
        span[0], span[1] = min(span[0], start), max(span[1], end)
    return spans


def overlapping(spans: dict[int, list[float]]) -> bool:
    """Whether two steps of one case were worked on at once."""
    ordered = sorted(spans.values())
    return any(later[0] < earlier[1] for earlier, later in pairwise(ordered))


def districts_of(model) -> dict[int, int]:
    """Case number -> the district it was served in (its home: silo serves at home)."""
    table = model.journeys.visits.table()
    return dict(zip(table["case"].tolist(), table["district"].tolist(), strict=True))


@pytest.mark.parametrize("how", ["schedule", "reform"])
def test_parallel_approval_from_day_d_in_one_district_runs_steps_at_once_there_only(how):
    """Silo with parallel approval scheduled in district 2 from day D (or asked by ``reform``
    the evening before, a rule set the model did not plan): only the cases opened from D whose
    home is district 2 have two steps in progress at once, and many of them do; the records
    completed before D equal silo's."""
    entry = {"day": D, "districts": [2], "levers": {"approval": "parallel"}}
    plain, switched = scheduled([entry])
    if how == "reform":
        model, opened_before = run_visits(plain, {D: [({"approval": "parallel"}, (2,))]})
    else:
        model, opened_before = run_visits(switched)
    silo, _ = run_visits(plain)
    spans, district = step_spans(model), districts_of(model)
    at_once = {case for case, steps in spans.items() if overlapping(steps)}
    treated = {case for case in spans if case > opened_before and district[case] == 2}
    assert at_once <= treated
    multi_step = {case for case in treated if len(spans[case]) > 1}
    assert len(at_once) > 0.3 * len(multi_step) > 10
    assert not any(overlapping(steps) for steps in step_spans(silo).values())
    ours, theirs = model.journeys.records, silo.journeys.records
    before = int((theirs.table()["completion_day"] < D).sum())
    assert before > 200 and ours.rows()[:before] == theirs.rows()[:before]


def test_transparency_from_a_day_in_one_district_prevents_its_returns_and_corrections():
    """The routed example (construction permits sent back from the permit step to planning for
    correction in 25% of cases) with every missing paper and correction preventable
    (``transparency_effect = 1``) and transparency 1 scheduled in district 1 from day 10: the
    cases opened from then at home there never visit a counter twice for one step (no return for
    a missing paper, no correction), though many reached the permit step; the others do both."""
    scenario = apply_overrides(load_scenario(EXAMPLES / "routed_rework.toml"), {
        **SMALL, "world.transparency_effect": 1.0,
        "services.construction_permit.rate_per_year": 0.3,
    })  # fmt: skip
    data = scenario.model_dump()
    data["schedule"] = [{"day": 10, "districts": [1], "levers": {"transparency": 1.0}}]
    model, opened_before = run_visits(type(scenario).model_validate(data), days=300, day=10)
    table = model.journeys.visits.table()
    district = districts_of(model)
    counter = table["activity"] == A_COUNTER
    visits = list(zip(*(table[name][counter].tolist() for name in ("case", "step", "start_day")),
                      strict=True))  # fmt: skip
    permit, planning = 4, 1  # the steps of the example's permit
    first_permit: dict[int, float] = {}
    per_step: dict[tuple[int, int], int] = defaultdict(int)
    for case, step, start in visits:
        per_step[case, step] += 1
        if step == permit:
            first_permit.setdefault(case, start)
    treated = {case for case, _ in per_step if case > opened_before and district[case] == 1}
    repeats = {True: 0, False: 0}
    for (case, _), count in per_step.items():
        repeats[case in treated] += count > 1
    corrections = {True: 0, False: 0}
    for case, step, start in visits:
        if step == planning and start > first_permit.get(case, np.inf):
            corrections[case in treated] += 1
    assert len(treated) > 40 and repeats[True] == 0 and repeats[False] > 100
    assert len(treated & first_permit.keys()) >= 10
    assert corrections[True] == 0 and corrections[False] > 20


def test_transparency_scheduled_off_in_a_district_stops_its_published_figures_reaching_its_people():
    """Smart (transparency 0.9, figures published) with transparency 0 scheduled in district 3
    from day D: a resident of district 3 without an own case since D keeps the expectation it had
    at D (published figures were its only other source); in the unscheduled twin, and in the
    other districts, such residents' expectations move."""
    plain, switched = scheduled([{"day": D, "districts": [3], "levers": {"transparency": 0.0}}],
                                "smart")  # fmt: skip
    moved = {}
    for name, scenario in (("plain", plain), ("switched", switched)):
        model = GovernanceModel(scenario, rng=SEED)
        for _ in range(D):
            model.step()
        at_d = model.population.expectation.copy()
        for _ in range(DAYS - D):
            model.step()
        residents = model.population
        quiet = residents.last_case_day < D  # no own case since D (nan compares False)
        change = np.abs(residents.expectation - at_d)
        moved[name] = {
            district: (int(quiet[residents.district == district].sum()),
                       float(change[quiet & (residents.district == district)].max()))
            for district in (0, 3)
        }  # fmt: skip
    quiet_3, change_3 = moved["switched"][3]
    assert quiet_3 > 1000 and change_3 == 0.0
    assert moved["switched"][0][1] > 0.0 and moved["plain"][3][1] > 0.0


@pytest.mark.parametrize("base", ["silo", "front_desk"])
def test_both_engines_equal_with_approval_and_transparency_scheduled(base):
    _, scenario = scheduled(
        [
            {"day": 8, "districts": [0, 3], "levers": {"approval": "parallel"}},
            {"day": 15, "levers": {"transparency": 0.9, "data_sharing": 0.5}},
            {"day": 22, "districts": [3], "levers": {"approval": "sequential"}},
        ],
        base,
    )
    reference, compiled = run_both(scenario, days=40)
    assert_same(reference, compiled)
    assert len(compiled.journeys.rule_sets) == 4  # silo; parallel; +transparency; both


def test_the_capacity_policy_switched_on_moves_staff_on_its_period_after_its_lag_then_off_stops():
    """Silo (static) with the square-root policy, every 10 days with a lag of 5, from day D and
    back to static from day D + 30: no server moves before the first plan falls due (the end of
    day 55: the plan made at the end of day 50, the first period end after D), the allocation
    changes then, moves at most once per period while on, and stays put once static again; the
    run equals silo's up to the first move."""
    policy = {"capacity_policy": "sqrt", "adjust_every_days": 10, "adjust_lag_days": 5}
    plain, switched = scheduled([
        {"day": D, "levers": policy},
        {"day": D + 30, "levers": {"capacity_policy": "static"}},
    ])  # fmt: skip
    models = {
        name: GovernanceModel(s, rng=SEED) for name, s in (("plain", plain), ("on", switched))
    }
    allocations = {name: [] for name in models}
    for _ in range(DAYS):
        for name, model in models.items():
            model.step()
            allocations[name].append(model.staffing.allocation.copy())
    on, off = allocations["on"], allocations["plain"]
    moved = [day for day in range(1, DAYS) if not np.array_equal(on[day], on[day - 1])]
    first = 54  # index of the end of day 55 (steps are counted from 1)
    assert moved and moved[0] == first
    assert all(np.array_equal(a, b) for a, b in zip(on[:first], off[:first], strict=True))
    assert set(moved) <= {first, 64}  # plans at the ends of days 50 and 60 (day 70: static)
    assert all(np.array_equal(on[day], on[moved[-1]]) for day in range(moved[-1], DAYS))
    assert models["on"].sensing.reallocations == len(moved) and models["on"].sensing.pending == []
    assert models["plain"].sensing.reallocations == 0
