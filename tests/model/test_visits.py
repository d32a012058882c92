"""Per-visit records (issue 21 item 2): both engines write the same rows, and the rows agree with
the exact facts of the run — the stations' counters, the case records, the service times of a
deterministic world, each route's precedence graph and the stations' FIFO order.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from govlab.model import GovernanceModel
from govlab.model import compiled as compiled_module
from govlab.model.records import (
    A_BACKOFFICE,
    A_COUNTER,
    A_HANDOFF,
    A_REWORK,
    A_TRAVEL,
    ACTIVITIES,
)
from govlab.scenarios import apply_overrides, load_scenario
from govlab.scenarios.textbook import textbook_scenario

SPLIT_PARTS = (("travel_days", A_TRAVEL), ("rework_days", A_REWORK), ("handoff_days", A_HANDOFF))
DETERMINISTIC = {"world.service_time_distribution": "deterministic"}
SCENARIOS = {
    "silo": ("silo", {}),
    "front desk, courier": ("front_desk", {"levers.handoff": "applicant"}),
    "parallel": ("parallel", {}),
    "seamless, home only, many away": (
        "seamless",
        {"levers.cross_district": "home_only", "world.away_from_home_share": 0.5},
    ),
    "smart": ("smart", {}),
    "silo, bundled and exempt": (
        "silo",
        {"reengineering.bundle_all": True, "reengineering.exemption_share": 0.5},
    ),
}


def scenario_of(key: str, extra: dict | None = None):
    name, overrides = SCENARIOS[key]
    return apply_overrides(load_scenario(name), {**overrides, **(extra or {})})


def run(scenario, engine: str = "compiled", days: int = 60, seed: int = 5) -> GovernanceModel:
    model = GovernanceModel(scenario, rng=seed, engine=engine, collect=False, collect_visits=True)
    for _ in range(days):
        model.step()
    return model


@pytest.mark.parametrize("key", list(SCENARIOS))
def test_both_engines_write_the_same_visit_rows(key):
    scenario = scenario_of(key)
    reference, compiled = run(scenario, "python"), run(scenario, "compiled")
    rows = compiled.journeys.visits.rows()
    assert len(rows) > 1000
    assert rows == reference.journeys.visits.rows()
    assert compiled.journeys.records.rows() == reference.journeys.records.rows()


def test_visit_rows_survive_the_kernel_growing_its_arrays(monkeypatch):
    monkeypatch.setattr(compiled_module, "INITIAL_ROWS", 2)
    scenario = scenario_of("silo")
    compiled = run(scenario, "compiled", days=30)
    assert len(compiled.journeys.visits.ints) >= 4096  # grew from 1,024 rows
    assert (
        compiled.journeys.visits.rows() == run(scenario, "python", days=30).journeys.visits.rows()
    )


def test_visits_are_not_kept_unless_asked_and_change_no_number():
    scenario = scenario_of("silo")
    plain = GovernanceModel(scenario, rng=5, collect=False)
    for _ in range(60):
        plain.step()
    assert plain.journeys.visits is None
    assert plain.journeys.records.rows() == run(scenario).journeys.records.rows()


def _expected_service(plan, step: int, activity: int) -> float:
    """A step's service time in a deterministic world: the sum of its parts' means."""
    if step < 0:  # the front desk: every step's counter time
        return sum(c for s in plan.steps for _, c, _ in s.parts)
    column = 1 if activity == A_COUNTER else 2
    return sum(part[column] for part in plan.steps[step].parts)


@pytest.mark.parametrize(
    "key", ["silo", "front desk, courier", "parallel", "seamless, home only, many away"]
)
@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_visit_rows_agree_with_the_runs_exact_facts(key, engine):
    model = run(scenario_of(key, DETERMINISTIC), engine, days=80)
    table = model.journeys.visits.table()
    n = len(table["case"])
    assert set(np.unique(table["activity"])) >= {A_COUNTER, A_BACKOFFICE, A_TRAVEL}
    arrival, start, end = table["arrival_day"], table["start_day"], table["end_day"]
    station = table["station"]
    at_station = station >= 0
    assert np.all(arrival <= start) and np.all(start <= end)
    assert np.array_equal(arrival[~at_station], start[~at_station])
    assert np.array_equal(at_station, np.isin(table["activity"], (A_COUNTER, A_BACKOFFICE)))

    # the stations' own counters: departures and time in system
    for index, counters in enumerate(model.journeys.stations):
        here = station == index
        assert here.sum() == counters.departures
        assert np.isclose((end[here] - arrival[here]).sum(), counters.time_in_system, rtol=1e-9)
        # FIFO: whoever joined the queue earlier was taken no later
        order = np.lexsort((start[here], arrival[here]))
        assert np.all(np.diff(start[here][order]) >= 0.0)

    # deterministic service: each station visit lasts its step's mean
    plans = model.plans
    for i in np.flatnonzero(at_station):
        plan = plans[table["case_type"][i]]
        expected = _expected_service(plan, int(table["step"][i]), int(table["activity"][i]))
        assert end[i] - start[i] == pytest.approx(expected, rel=1e-9, abs=1e-12)

    # per case: its rows against its record and its route
    rows_of: dict[int, list[int]] = defaultdict(list)
    for i, number in enumerate(table["case"].tolist()):
        rows_of[number].append(i)
    case_of = {}
    for number, rows in rows_of.items():
        key_ = (int(table["case_type"][rows[0]]), arrival[rows].min(), end[rows].max())
        case_of[key_] = number
    records = model.journeys.records.table()
    desk = model.config.levers.front_desk
    checked = 0
    for r in range(len(records["case_type"])):
        number = case_of[
            (int(records["case_type"][r]), records["arrival_day"][r], records["completion_day"][r])
        ]
        rows = np.array(rows_of[number])
        plan = plans[records["case_type"][r]]
        activity, steps = table["activity"][rows], table["step"][rows]
        counters = 1 if desk else sum(s.counter_days > 0.0 for s in plan.steps)
        returns = records["returns"][r]
        assert (activity == A_COUNTER).sum() == counters + returns
        assert (activity == A_REWORK).sum() == returns
        assert (activity == A_TRAVEL).sum() == records["trips"][r]
        assert (activity == A_BACKOFFICE).sum() == sum(s.backoffice_days > 0.0 for s in plan.steps)
        # precedence: a step's first row starts after every row of the steps it waits for
        first = {s: start[rows][steps == s].min() for s in set(steps.tolist())}
        last = {s: end[rows][steps == s].max() for s in set(steps.tolist())}
        for s, before in enumerate(plan.predecessors):
            waits_for = [*before, *([-1] if desk and not before else [])]
            for p in waits_for:
                if s in first and p in last:
                    assert first[s] >= last[p], (number, s, p)
        if all(len(b) <= 1 for b in plan.predecessors) and not desk:  # a chain: all critical
            waiting = (start[rows] - arrival[rows])[table["station"][rows] >= 0].sum()
            service = (end[rows] - start[rows])[table["station"][rows] >= 0].sum()
            assert waiting == pytest.approx(records["wait_days"][r], rel=1e-9, abs=1e-9)
            assert service == pytest.approx(records["service_days"][r], rel=1e-9, abs=1e-9)
            for name, code in SPLIT_PARTS:
                spent = (end[rows] - start[rows])[activity == code].sum()
                assert spent == pytest.approx(records[name][r], rel=1e-9, abs=1e-9)
        checked += 1
    assert checked > 500 and n > 5 * checked


def test_steps_without_counter_or_back_office_write_only_their_handoffs():
    """A fork with a back-office-only step and a step that ends at once (no station rows)."""
    scenario = textbook_scenario(
        {"a": (2, 2), "b": (1, 2), "c": (1, 1)},
        {
            "graph": {
                "per_hour": 1.0,
                "steps": [
                    {"function": "a", "counter_hours": 0.5, "issues": ["permit_a"]},
                    {"function": "c", "requires": ["permit_a"], "issues": ["permit_b"]},
                    {"function": "b", "backoffice_hours": 1.0, "requires": ["permit_b"]},
                ],
            },
        },
        levers={"approval": "parallel"},
        world={"p_missing_document": 0.3, "rework_days": 0.5},
    )
    reference, compiled = run(scenario, "python", days=40), run(scenario, "compiled", days=40)
    rows = compiled.journeys.visits.rows()
    assert rows == reference.journeys.visits.rows()
    table = compiled.journeys.visits.table()
    names = [ACTIVITIES[a] for a in table["activity"][table["step"] == 1]]
    assert names and set(names) == {"handoff"}  # step 1 ends at once: its hand-off only
    assert set(table["activity"][table["step"] == 2].tolist()) == {A_HANDOFF, A_BACKOFFICE}
