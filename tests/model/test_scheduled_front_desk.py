"""The front desk (一窗受理) switched on mid-run (issue 23 item 1): ``front_desk = true`` in a
``[[schedule]]`` entry, a trigger or ``GovernanceModel.reform``.

The desk replaces the district's counters from the opening day's start, for every case: a case
opened from then and served there passes it once; a case opened before keeps its plan, and each
of its counter contacts arriving at the district's counters from then is served at the desk. A
counter moves all its servers to the desk at the first day's start it has no job (the opening
day's included; ``model.front_desks``). Exact checks: the run equals its unscheduled twin before
the day; who passes the desk, and where and when every old case's counter contacts are served,
against the twin; the staff day by day against the emptying days read from the visit rows; both
engines; a reform the evening before; the cost of one district's desk; the desk's new cases do
not wait for staff.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from govlab.model import GovernanceModel
from govlab.model.records import A_BACKOFFICE, A_COUNTER
from govlab.scenarios import apply_overrides
from govlab.scenarios.costs import cost_in_force
from govlab.scenarios.schedule import InForce
from tests.model.test_compiled_engine import assert_same, run_both
from tests.model.test_lever_schedules import DAYS, SEED, D, scheduled

DESK = {"front_desk": True}
# more than one server at some counters, so that an opening moves some at once; planning is a
# city-level department (its counter is untouched)
STAFF = {
    "functions.tax.counter_staff": 3,
    "functions.social_security.counter_staff": 2,
    "functions.civil_affairs.counter_staff": 2,
    "functions.planning.counter_staff": 2,
}
AWAY = {"levers.cross_district": "anywhere", "world.away_from_home_share": 0.4}
# short office hours: the counters are busier, and some still serve at the start of D
BUSY = {"world.working_hours_per_day": 1.5}


def desk_in_2(overrides: dict | None = None, base: str = "silo"):
    """The plain scenario and its twin with the front desk scheduled in district 2 from D."""
    plain, switched = scheduled([{"day": D, "districts": [2], "levers": DESK}], base)
    changes = {**STAFF, **(overrides or {})}
    return apply_overrides(plain, changes), apply_overrides(switched, changes)


def run_days(scenario, days: int = DAYS, visits: bool = False, engine: str = "compiled"):
    """The model after ``days``; per day, the servers of every station after it; and how many
    cases opened before D."""
    model = GovernanceModel(scenario, rng=SEED, collect_visits=visits, engine=engine)
    servers, opened_before = [], 0
    for day in range(days):
        if day == D:
            opened_before = model.journeys.opened
        model.step()
        servers.append([station.servers for station in model.stations])
    return model, np.array(servers), opened_before


def district_counters(model, district: int = 2) -> list[int]:
    """The counter stations of ``district``'s district-level departments (what its desk
    replaces)."""
    offices = model.layout.offices  # a city-level department has no district
    return [o.counter for o in offices if o.district == district and o.function != "front_desk"]


def test_before_the_day_the_run_equals_silo_record_for_record_and_series_for_series():
    plain, switched = desk_in_2()
    silo, model = run_days(plain)[0], run_days(switched)[0]
    ours, theirs = model.journeys.records.table(), silo.journeys.records.table()
    before = int((theirs["completion_day"] < D).sum())
    assert before > 200 and int((ours["completion_day"] < D).sum()) == before
    assert model.journeys.records.rows()[:before] == silo.journeys.records.rows()[:before]
    series, silo_series = (m.datacollector.get_model_vars_dataframe() for m in (model, silo))
    assert series.iloc[:D].equals(silo_series.iloc[:D])
    agents, silo_agents = (m.datacollector.get_agenttype_vars_dataframe(type(m.departments[0]))
                           for m in (model, silo))  # fmt: skip
    steps = agents.index.get_level_values("Step")
    assert agents[steps <= D].equals(silo_agents[steps <= D])
    for name, values in model.civic_series.items():
        assert values[:D] == silo.civic_series[name][:D]
    assert not series.iloc[D:].equals(silo_series.iloc[D:])


def counter_work(table: dict, cases: set[int]) -> Counter:
    """(case, step, activity) of the counter visits and back-office tasks of ``cases``."""
    working = np.isin(table["activity"], (A_COUNTER, A_BACKOFFICE))
    rows = zip(*(table[name][working].tolist() for name in ("case", "step", "activity")),
               strict=True)  # fmt: skip
    return Counter(row for row in rows if row[0] in cases)


def emptied(table: dict, counter: int) -> int:
    """The first day start from D at which no job is waiting or in service at ``counter``, read
    from the visit rows (a job is there from its arrival to its end; events at a day's start
    belong to that day)."""
    at = (table["station"] == counter) & (table["activity"] == A_COUNTER)
    arrived, ended = table["arrival_day"][at], table["end_day"][at]
    return next(day for day in range(D, DAYS) if not ((arrived < day) & (ended >= day)).any())


def test_the_desk_serves_the_new_cases_once_and_every_later_counter_contact_of_the_old_ones():
    """Served anywhere, 40% away from home: the cases opened from D and served in district 2,
    whatever their home, pass its desk (step -1) and no counter; no other case passes a desk
    step. Every counter contact of a case opened before D that arrives at one of district 2's
    counters from D's start is served at its desk, and no contact is served at a counter after
    the counter emptied; the cases opened before D make exactly the counter visits and
    back-office tasks (case, step) they make in the unscheduled twin."""
    plain, switched = desk_in_2({**AWAY, **BUSY})
    model, _, opened_before = run_days(switched, visits=True)
    silo = run_days(plain, visits=True)[0]
    table = model.journeys.visits.table()
    case, step, district = table["case"], table["step"], table["district"]
    counter = table["activity"] == A_COUNTER
    desk_cases = set(case[counter & (step < 0)].tolist())
    working = set(case[np.isin(table["activity"], (A_COUNTER, A_BACKOFFICE))].tolist())
    treated = {c for c, d in zip(case.tolist(), district.tolist(), strict=True)
               if c > opened_before and d == 2}  # fmt: skip
    assert desk_cases == treated & working and len(desk_cases) > 40
    assert not set(case[counter & (step >= 0)].tolist()) & treated  # no counter for them
    assert set(district[counter & (step < 0)].tolist()) == {2}
    records = model.journeys.records.table()
    away_served_in_2 = (records["service_district"] == 2) & (records["home_district"] != 2)
    assert (away_served_in_2 & (records["arrival_day"] >= D)).sum() > 10
    # the old cases' counter contacts: at district 2's counters until D's start, then its desk
    desk, counters = model.layout.front_desks[2], district_counters(model)
    old = case <= opened_before
    contact = counter & (step >= 0) & old
    replaced = contact & np.isin(table["station"], [desk, *counters])
    city_counters = [o.counter for o in model.layout.offices if o.district is None]
    city = np.isin(table["station"], city_counters)
    assert np.array_equal(replaced, contact & (district == 2) & ~city)  # no other desk
    arrived = table["arrival_day"]
    assert np.array_equal(table["station"][replaced] == desk, arrived[replaced] >= D)
    assert (replaced & (arrived >= D)).sum() > 30  # returns and later steps, redirected
    assert (replaced & (arrived < D) & (table["end_day"] >= D)).any()  # served there after D
    for station in counters:  # nobody at a counter once it emptied (the staff moved)
        at = table["station"] == station
        assert (table["end_day"][at] < emptied(table, station)).all()
    # the same contacts, case for case, as in the twin
    ids = set(range(1, opened_before + 1))
    for m in (model, silo):  # every case opened before D is done in both runs
        assert (m.journeys.records.table()["arrival_day"] < D).sum() == opened_before
    theirs = counter_work(silo.journeys.visits.table(), ids)
    assert counter_work(table, ids) == theirs
    assert sum(1 for c, s, a in theirs if a == A_COUNTER) > 500


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_each_counter_moves_its_servers_to_the_desk_at_the_first_day_start_it_is_empty(engine):
    """At the start of D, district 2's desk takes the servers of every counter of its
    departments with no job; each other counter keeps its servers until the first day start it
    is empty (read from the visit rows), when they move; the city-level counters and the other
    districts keep theirs; the budget is fixed."""
    plain, switched = desk_in_2(BUSY)
    model, servers, _ = run_days(switched, visits=True, engine=engine)
    silo_servers = run_days(plain, engine=engine)[1]
    table = model.journeys.visits.table()
    desk, counters = model.layout.front_desks[2], district_counters(model)
    initial = silo_servers[0]  # the staff budget's (``model.staff_budget``)
    assert initial[desk] == 0 and initial[counters].sum() == 12  # 8 departments, 4 above one
    moves = {station: emptied(table, station) for station in counters}
    assert sum(day == D for day in moves.values()) >= 2  # empty at once
    assert sum(day > D for day in moves.values()) >= 2  # serving old jobs for a while
    assert max(moves.values()) < DAYS - 5
    for station in counters:  # no job arrived once the desk opened: none left without staff
        at = (table["station"] == station) & (table["activity"] == A_COUNTER)
        assert model.stations[station].in_system == 0
        assert model.stations[station].arrivals == at.sum() and (table["arrival_day"][at] < D).all()
    for day in range(DAYS):  # servers after day ``day`` (working-day index)
        now = servers[day]
        expected = [0 if D <= moves[c] <= day else initial[c] for c in counters]
        assert now[counters].tolist() == expected, day
        assert now[desk] == initial[counters].sum() - sum(expected), day
        others = np.ones(len(now), dtype=bool)
        others[[desk, *counters]] = False
        assert np.array_equal(now[others], silo_servers[day][others])  # city-level included
        assert now.sum() == silo_servers[day].sum() == initial.sum()


def test_the_desks_new_cases_do_not_wait_for_staff():
    """Shipped staffing (one server per counter): the cases served in district 2 that open in
    the 20 days after D are done about as fast as in the twin without the desk (they waited
    ~2.4 times as long when every counter kept a server for the old cases and the desk opened
    empty)."""
    plain, switched = scheduled([{"day": D, "districts": [2], "levers": DESK}])
    delays = []
    for scenario in (plain, switched):
        model = run_days(scenario)[0]
        model.run_out()
        records = model.journeys.records.table()
        new = (records["service_district"] == 2) & (records["arrival_day"] >= D)
        new &= records["arrival_day"] < D + 20
        delays.append(float((records["completion_day"] - records["arrival_day"])[new].mean()))
    silo, desk = delays
    assert 5.0 < silo < 15.0 and desk < 1.2 * silo, delays


def test_sensing_follows_the_desk_and_no_plan_moves_staff_back_to_closed_counters():
    """With the square-root policy on (every 5 days, lag 7: the plans made at the ends of days
    35 and 40 fall due after D), district 2's desk joins the intake pool at D and its counters
    leave it as their staff move: no plan gives a counter staff again once its servers moved or
    leaves the desk empty, and the intake budget is the same at the end; staff are fixed."""
    sensing = {"levers.capacity_policy": "sqrt", "levers.adjust_every_days": 5,
               "levers.adjust_lag_days": 7}  # fmt: skip
    _, switched = desk_in_2(sensing)
    model = GovernanceModel(switched, rng=SEED)
    intake = [int(model.staffing.allocation[pool].sum()) for pool in model.sensing.pools]
    servers, pending_at_switch = [], 0
    for day in range(DAYS):
        if day == D:
            pending_at_switch = len(model.sensing.pending)
        model.step()
        servers.append([station.servers for station in model.stations])
    servers = np.array(servers)
    desk, counters = model.layout.front_desks[2], district_counters(model)
    pool = set(model.sensing.pools[0].tolist())
    assert desk in pool and not pool & set(counters)
    assert pending_at_switch == 2 and model.sensing.reallocations >= 8
    assert servers[D - 1, counters].max() >= 2  # sensing had given some counter more than one
    after = servers[D:, counters]
    for column in after.T:  # once a counter's staff moved, it has none to the end
        closed = np.flatnonzero(column == 0)
        assert len(closed) and (column[closed[0] :] == 0).all()
    assert servers[D:, desk].min() >= 1
    assert model.sensing.budgets == intake
    assert (servers.sum(axis=1) == servers[0].sum()).all()


def test_volunteers_go_to_the_desk_not_to_the_counters_it_replaces():
    """Smart without desks (co-production enlisted, many volunteers, static staff): before D
    volunteers serve at district 2's counters; from D those counters have none (and no staff
    once empty), and the volunteers serve at its desk."""
    more = {"levers.front_desk": False, "levers.coproduction": 1.0,
            "civic.enterprise_volunteer_servers": 1.0,
            "levers.capacity_policy": "static"}  # fmt: skip
    _, switched = desk_in_2(more, "smart")
    model = GovernanceModel(switched, rng=SEED)
    desk, counters = model.layout.front_desks[2], model.front_desks.counters[2]
    extra = []
    for _ in range(DAYS):
        model.step()
        extra.append(model.staffing.extra[[desk, *counters]].copy())
    extra = np.array(extra)
    assert extra[:D, 0].sum() == 0 and extra[:D, 1:].sum() > 3 * D
    assert extra[D:, 1:].sum() == 0 and (extra[D:, 0] > 0).all()
    servers = np.array([model.stations[c].servers for c in counters])
    assert servers.sum() == 0 and model.staffing.allocation[desk] == 12


@pytest.mark.parametrize("base", ["silo", "data_sharing"])
def test_both_engines_equal_with_the_desk_scheduled_and_served_away_from_home(base):
    """Desks opened in some districts on two days, served anywhere from a day between (40% away
    from home: serving and home districts differ); ``data_sharing`` with its desks off first."""
    entries = [
        {"day": 8, "districts": [2], "levers": DESK},
        {"day": 12, "levers": {"cross_district": "anywhere"}},
        {"day": 15, "districts": [0, 3], "levers": DESK},
    ]
    _, scenario = scheduled(entries, base)
    scenario = apply_overrides(scenario, {**STAFF, "world.away_from_home_share": 0.4,
                                          "levers.front_desk": False})  # fmt: skip
    reference, compiled = run_both(scenario, days=40, visits=True)
    assert_same(reference, compiled)
    ours, theirs = (m.journeys.visits.table() for m in (compiled, reference))
    for name, column in theirs.items():
        assert np.array_equal(ours[name], column), name
    # the cases opened before day 8 had counter contacts redirected to district 2's desk
    redirected = (ours["station"] == compiled.layout.front_desks[2]) & (ours["step"] >= 0)
    assert (redirected & (ours["arrival_day"] >= 8)).sum() > 10
    for model in (reference, compiled):
        assert model.front_desks.open.tolist() == [True, False, True, True, False, False]
    table = compiled.journeys.records.table()
    late = table["arrival_day"] >= 15
    assert np.any(late & (table["service_district"] != table["home_district"]))
    assert np.array_equal(reference.staffing.allocation, compiled.staffing.allocation)


def test_a_trigger_opens_a_districts_desk_on_its_review_day():
    """A district trigger whose signpost holds from its first review day (any delay above 0)
    opens district 4's desk that day: the cases served there pass the desk from then on."""
    trigger = {"metric": "delay_mean_days", "above": 0.0, "from_day": D, "districts": [4],
               "levers": DESK}  # fmt: skip
    plain = apply_overrides(scheduled([])[0], STAFF)
    data = plain.model_dump()
    data["trigger"] = [trigger]
    model, servers, opened_before = run_days(type(plain).model_validate(data), visits=True)
    assert model.front_desks.opened_on == {4: D}
    desk = model.layout.front_desks[4]
    assert servers[D - 1, desk] == 0 and servers[D, desk] > 0 and servers[-1, desk] == 12
    visits = model.journeys.visits.table()
    at_desk = (visits["activity"] == A_COUNTER) & (visits["step"] < 0)
    assert set(visits["district"][at_desk].tolist()) == {4}
    assert visits["case"][at_desk].min() > opened_before and at_desk.sum() > 20


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_a_reform_the_evening_before_equals_the_schedule_entry(engine):
    plain, switched = desk_in_2()
    days = D + 15
    a = GovernanceModel(switched, rng=SEED, engine=engine)
    b = GovernanceModel(plain, rng=SEED, engine=engine)
    for day in range(days):
        if day == D:
            b.reform(DESK, (2,))
        a.step()
        b.step()
        assert np.array_equal(a.staffing.allocation, b.staffing.allocation)
    assert a.journeys.records.rows() == b.journeys.records.rows()
    assert a.civic_series == b.civic_series
    assert b.front_desks.opened_on == {2: D}
    with pytest.raises(ValueError, match="front_desk: a front desk opened stays open"):
        b.reform({"front_desk": False}, (2,))


def test_one_districts_desk_costs_a_sixth_of_the_citys():
    """``front_desk`` is priced per district: one district's desk costs a sixth of every
    district's (the desk's navigator included) above the silo."""
    plain, _ = desk_in_2()
    own = InForce.of(plain)
    silo = cost_in_force(plain, [own] * 6)
    desk = own.updated(DESK)
    one = cost_in_force(plain, [own, own, desk, *[own] * 3])
    every = cost_in_force(plain, [desk] * 6)
    assert one - silo == pytest.approx((every - silo) / 6, rel=1e-12) and one > silo
