"""Who is served when: first in, first out at every station, in both service engines.

Mean waits, Little's law and Erlang C do not see the order of service (a LIFO queue has the same
mean wait as a FIFO one), so these tests read it directly: every case of a small two-office world
is followed (``trace_next`` before each opening), and at each station the service starts, taken
in the order of the arrivals they belong to, must never go back in time — for one server the
k-th arrival starts before the (k+1)-th; for c servers the k-th never starts after the (k+1)-th.
The world has returns for missing papers (a job re-arrives at the same counter), two case types
crossing the two offices in opposite orders, and staff cut and restored in the middle of the
run (the freed servers must take the queue from its head). A hand-computed deterministic queue
pins the start times exactly.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from govlab.model import GovernanceModel
from govlab.scenarios.textbook import HOURS, textbook_scenario

ENGINES = ("python", "compiled")


def two_office_world():
    """Offices a (2 counter, 1 back-office servers) and b (1, 3); case x goes a → b, y b → a."""
    return textbook_scenario(
        {"a": (2, 1), "b": (1, 3)},
        {
            "x": {
                "per_hour": 2.0,
                "steps": [
                    {"function": "a", "counter_hours": 0.6, "backoffice_hours": 0.3,
                     "requires": ["form"]},
                    {"function": "b", "counter_hours": 0.2, "backoffice_hours": 1.0},
                ],
            },
            "y": {
                "per_hour": 1.5,
                "steps": [
                    {"function": "b", "counter_hours": 0.2},
                    {"function": "a", "counter_hours": 0.4, "backoffice_hours": 0.2},
                ],
            },
        },
        world={"p_missing_document": 0.25, "rework_days": 0.02},
    )  # fmt: skip


def follow_every_case(model: GovernanceModel, days: float, seed: int, staff_changes=()):
    """Open Poisson arrivals of every case type one by one, each followed (``trace_next``), and
    handle the events in between; ``staff_changes`` are ``(day, station, servers)``."""
    journeys = model.journeys
    rates = np.array([plan.rate_per_day * len(model.applicants.of(plan.kind)[0])
                      for plan in model.plans])  # fmt: skip
    rng = np.random.default_rng(seed)
    n = rng.poisson(rates.sum() * days)
    times = np.sort(rng.uniform(0.0, days, n))
    types = rng.choice(len(rates), size=n, p=rates / rates.sum())
    changes = sorted(staff_changes)
    for time, case_type, pick in zip(times, types, rng.random(n), strict=True):
        while changes and changes[0][0] <= time:
            when, station, servers = changes.pop(0)
            journeys.advance_to(when)
            journeys.set_staff(when, station, servers)
        journeys.advance_to(time)
        counts = np.zeros(len(rates), dtype=np.int64)
        counts[case_type] = 1
        journeys.trace_next(int(case_type))
        journeys.open_many(float(time), counts, np.array([0.0, pick]))
    journeys.advance_to(days + 1000.0)
    assert journeys.open_cases == 0
    assert len(journeys.traces) == n
    return journeys.traces


def station_visits(traces) -> dict[int, list[tuple[float, float]]]:
    """Per station, ``(arrival, start)`` of every visit, matched per case in order."""
    arrivals, starts = defaultdict(list), defaultdict(list)
    for case, trace in traces.items():
        for day, event, station in trace:
            if event == "arrive":
                arrivals[case, station].append(day)
            elif event == "start":
                starts[case, station].append(day)
    visits = defaultdict(list)
    for (case, station), arrived in arrivals.items():
        started = starts[case, station]
        assert len(started) == len(arrived), (case, station)
        visits[station].extend(zip(arrived, started, strict=True))
    return visits


def most_in_service(traces, station: int) -> int:
    """The most jobs in service at once at ``station`` (a finish before a start at one time)."""
    changes = sorted(
        (day, 1 if event == "start" else -1)
        for trace in traces.values()
        for day, event, where in trace
        if where == station and event in ("start", "finish")
    )
    return int(np.cumsum([change for _, change in changes]).max())


def order_violations(visits: list[tuple[float, float]]) -> int:
    """Consecutive arrivals (in time order) whose starts are in the opposite order."""
    started = np.array([start for _, start in sorted(visits)])
    return int((np.diff(started) < 0).sum())


@pytest.mark.parametrize("engine", ENGINES)
def test_every_station_serves_in_arrival_order(engine):
    scenario = two_office_world()
    model = GovernanceModel(scenario, rng=5, engine=engine)
    counter_a = model.layout.department(0, 0).counter
    back_b = model.layout.department(1, 0).backoffice
    cuts = [(8.0, counter_a, 1), (11.0, counter_a, 3), (14.0, back_b, 1), (16.0, back_b, 3)]
    traces = follow_every_case(model, 30.0, seed=5, staff_changes=cuts)
    visits = station_visits(traces)
    staffed = [s for s, servers in enumerate(model.layout.staff()) if servers]
    assert sorted(visits) == staffed  # every staffed station was visited
    for station in staffed:
        waited = sum(start > arrival for arrival, start in visits[station])
        assert waited > 30, (station, waited)  # queues formed: the order is tested
        violations = order_violations(visits[station])
        assert violations == 0, f"station {station}: {violations} starts out of arrival order"
    for station, most in ((counter_a, 3), (back_b, 3), (model.layout.department(1, 0).counter, 1)):
        assert most_in_service(traces, station) == most, station  # never more than its servers
    returns = sum(event == "return" for trace in traces.values() for _, event, _ in trace)
    assert returns > 30  # re-arrivals after a missing paper join the back of the queue


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("servers", "starts_hours"),
    [(1, [0.0, 1.0, 2.0, 3.0]), (2, [0.0, 0.1, 1.0, 1.1])],
)
def test_a_deterministic_queue_starts_exactly_on_time(engine, servers, starts_hours):
    """Four cases 0.1 h apart, service exactly 1 h: one server starts them at 0, 1, 2, 3 h;
    two servers at 0, 0.1, 1, 1.1 h (the third arrival takes the first server freed)."""
    scenario = textbook_scenario(
        {"desk": (servers, 0)},
        {"visit": {"per_hour": 1.0, "steps": [{"function": "desk", "counter_hours": 1.0}]}},
        world={"service_time_distribution": "deterministic"},
    )
    model = GovernanceModel(scenario, rng=1, engine=engine)
    journeys = model.journeys
    for k in range(4):
        journeys.trace_next(0)
        journeys.open_many(k * 0.1 / HOURS, np.array([1]), np.array([0.0, 0.5]))
        journeys.advance_to(k * 0.1 / HOURS)
    journeys.advance_to(10.0)
    started = [
        day * HOURS for number in sorted(journeys.traces)
        for day, event, _ in journeys.traces[number] if event == "start"
    ]  # fmt: skip
    np.testing.assert_allclose(started, starts_hours, atol=1e-9)
