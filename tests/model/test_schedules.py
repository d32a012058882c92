"""When scheduled mechanisms act: needs sensing's reallocation at plan day + lag, and every staff
change at the end of a day.

Needs sensing plans every K = ``adjust_every_days`` days (days K, 2K, ...) from the loads it
observed since the last plan, and the plan takes effect L = ``adjust_lag_days`` later, at the end
of day K + L; until then the stations keep their staff. Staff changes (sensing, co-production)
are made after the day's events, at the day's end: the servers of a station never change during
a day, and a queued job taken by a new server starts exactly at the day's end.
"""

from __future__ import annotations

import numpy as np
import pytest

from govlab.model import GovernanceModel
from govlab.model.population import Population
from govlab.model.sensing import Sensing, allocate
from govlab.model.staffing import Staffing
from govlab.scenarios import apply_overrides
from govlab.scenarios.textbook import textbook_scenario


class FakeStation:
    """The counters sensing reads, set by the test."""

    def __init__(self, servers: int) -> None:
        self.servers = servers
        self.arrivals = self.departures = 0
        self.area_busy = 0.0


class FakeJourneys:
    """Records the staff changes it is asked to make."""

    def __init__(self, stations) -> None:
        self.stations = stations
        self.changes: list[tuple[float, list[int], list[int]]] = []

    def set_staff_many(self, time, stations, servers) -> None:
        self.changes.append((time, stations.tolist(), servers.tolist()))
        for station, count in zip(stations.tolist(), servers.tolist(), strict=True):
            self.stations[station].servers = count


def two_counters(every: int, lag: int):
    """Counters a and b (3 servers each, no back offices staffed), proportional sensing without
    noise."""
    return textbook_scenario(
        {"a": (3, 0), "b": (3, 0)},
        {name: {"per_hour": 1.0, "steps": [{"function": name, "counter_hours": 1.0}]}
         for name in ("a", "b")},
        levers={"capacity_policy": "proportional", "adjust_every_days": every,
                "adjust_lag_days": lag, "sensing_quality": 1.0},
    )  # fmt: skip


@pytest.mark.parametrize(("every", "lag"), [(5, 3), (4, 0), (3, 7)])
def test_sensing_reallocates_at_plan_day_plus_lag(every, lag):
    """Loads 3 : 1 on a budget of 6 counters → 4 : 2 (each keeps one, the 4 others ∝ load);
    then 1 : 3 → 2 : 4. Each plan acts on day plan + lag, at that day's end, and not before."""
    model = GovernanceModel(two_counters(every, lag), rng=1)
    a, b = (model.layout.department(f, 0).counter for f in (0, 1))
    stations = [FakeStation(servers) for servers in model.layout.staff()]
    journeys = FakeJourneys(stations)
    residents = Population({"district": np.zeros(0, np.int16),
                            "participating": np.zeros(0, bool)})  # fmt: skip
    sensing = Sensing(model.config, stations, Staffing(model.layout, journeys), residents,
                      np.random.default_rng(0))  # fmt: skip
    busy_a, busy_b = (3, 1), (1, 3)  # server-days per departure in periods 1 and 2
    for day in range(1, 3 * every + lag + 1):
        period = (day - 1) // every
        if period < 2:
            for station, load in ((a, busy_a[period]), (b, busy_b[period])):
                stations[station].arrivals += 1
                stations[station].departures += 1
                stations[station].area_busy += load
        sensing.step(day, float(day))
    changes = [(time, dict(zip(s, n, strict=True))) for time, s, n in journeys.changes if s]
    assert changes == [
        (float(every + lag), {a: 4, b: 2}),
        (float(2 * every + lag), {a: 2, b: 4}),
    ]
    # the third period saw no arrivals: its plan (due at 3K + L) keeps the latest one, even
    # when it was made before that one took effect (L > K)
    assert sensing.reallocations == 3


def test_staff_changes_take_effect_at_the_days_end():
    """In the whole model: every staff change is made at the end of the day that makes it
    (sensing every 5 days with a lag of 3: days 8, 13, 18). Counter a is overloaded (λ = 4/h,
    3 servers of μ = 1/h), so its servers are all busy all day: day 8 ends with 3 server-days of
    work at a (the old staff), day 9 with the new staff's (the freed servers took the queue at
    once, at the day's end)."""
    scenario = apply_overrides(two_counters(5, 3), {"services.a.rate_per_year": 4.0 * 8})
    model = GovernanceModel(scenario, rng=2)
    journeys = model.journeys
    calls: list[tuple[int, float]] = []
    set_staff_many = journeys.set_staff_many

    def recording(time, stations, servers):
        calls.append((model.steps, time))
        set_staff_many(time, stations, servers)

    journeys.set_staff_many = recording
    a = journeys.stations[model.layout.department(0, 0).counter]
    servers, busy = [], [0.0]
    for _ in range(20):
        model.step()
        servers.append(a.servers)
        busy.append(a.area_busy)
    assert [day for day, _ in calls] == [8, 13, 18]
    assert all(time == float(day) for day, time in calls)
    assert servers[:7] == [3] * 7 and servers[7] > 3  # from the end of day 8, not before
    worked = np.diff(busy)  # server-days per day at a
    assert worked[5:8] == pytest.approx([3.0] * 3, abs=1e-9)
    assert worked[8] == pytest.approx(servers[7], abs=1e-9)
    assert a.queue_length > 0  # still overloaded: the servers were busy throughout


@pytest.mark.parametrize(
    ("load", "budget", "servers"),
    [
        ((0.0, 0.0, 0.0), 7, (3, 2, 2)),  # nothing sensed: an equal split, remainder first
        ((3.0, 1.0), 2, (1, 1)),  # no spare server: one each
        ((3.0, 1.0), 6, (4, 2)),  # one each, the 4 others ∝ load
    ],
)
def test_allocation_by_hand(load, budget, servers):
    """Mutation gaps in ``allocate``: the equal split's remainder and the no-spare case."""
    assert allocate(np.array(load), budget, "proportional").tolist() == list(servers)


def test_sensing_noise_by_hand():
    """Mutation gap: the load estimate's noise, exp(σ z − σ²/2) with σ = noise·(1 − quality)·
    (1 − feedback·p_d), p_d the participating share of the station's district (the city's
    for a station without one): here p = 1/2 in district 0, 0 in district 1, 1/4 overall."""
    scenario = apply_overrides(
        two_counters(5, 0),
        {"world.districts": 2, "levers.sensing_quality": 0.2, "civic.sensing_noise": 0.5,
         "civic.participation_feedback": 0.6},
    )  # fmt: skip
    model = GovernanceModel(scenario, rng=1)
    stations = [FakeStation(servers) for servers in model.layout.staff()]
    residents = Population({"district": np.array([0, 0, 1, 1], dtype=np.int16),
                            "participating": np.array([True, False, False, False])})  # fmt: skip
    staffing = Staffing(model.layout, FakeJourneys(stations))
    sensing = Sensing(model.config, stations, staffing, residents, np.random.default_rng(9))
    noise = sensing._noise(len(stations))
    z = np.random.default_rng(9).standard_normal(len(stations))
    share = np.select([staffing.district == 0, staffing.district == 1], [0.5, 0.0], 0.25)
    sigma = 0.5 * 0.8 * (1 - 0.6 * share)
    assert {0, 1} <= set(staffing.district.tolist())
    np.testing.assert_allclose(noise, np.exp(sigma * z - sigma**2 / 2), rtol=1e-12)
