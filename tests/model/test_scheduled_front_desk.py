"""The front desk (一窗受理) switched on mid-run (issue 23 item 1): ``front_desk = true`` in a
``[[schedule]]`` entry, a trigger or ``GovernanceModel.reform``.

The desk is an office of the serving district: a case passes it iff its serving district's desk
was open when it opened. At the opening day each counter of the district's departments keeps one
server for the cases opened before; the others move to the desk, and the last ones follow at the
first day's start with no such case open (``model.front_desks``). Exact checks: the run equals
its unscheduled twin before the day; who passes the desk and who keeps the counters; the staff
at the desk day by day against a count made from the records; both engines; a reform the evening
before; the cost of one district's desk.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from govlab.model import GovernanceModel
from govlab.model.records import A_BACKOFFICE, A_COUNTER
from govlab.scenarios import apply_overrides
from govlab.scenarios.costs import cost_in_force
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


def desk_in_2(overrides: dict | None = None, base: str = "silo"):
    """The plain scenario and its twin with the front desk scheduled in district 2 from D."""
    plain, switched = scheduled([{"day": D, "districts": [2], "levers": DESK}], base)
    changes = {**STAFF, **(overrides or {})}
    return apply_overrides(plain, changes), apply_overrides(switched, changes)


def run_days(scenario, days: int = DAYS, visits: bool = False, engine: str = "compiled"):
    """The model after ``days``; per day, the servers of every station after it and the cases
    open at counters by serving district; and how many cases opened before D."""
    model = GovernanceModel(scenario, rng=SEED, collect_visits=visits, engine=engine)
    servers, at_counters, opened_before = [], [], 0
    for day in range(days):
        if day == D:
            opened_before = model.journeys.opened
        model.step()
        servers.append([station.servers for station in model.stations])
        at_counters.append(model.journeys.open_at_counters())
    return model, np.array(servers), np.array(at_counters), opened_before


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


def test_the_desk_serves_exactly_the_cases_opened_from_the_day_served_in_its_district():
    """Served anywhere, 40% away from home: the cases opened from D and served in district 2,
    whatever their home, pass its desk (step -1) and no counter; every other case — opened
    before D, or served elsewhere — never passes a desk, and the cases opened before D make
    exactly the counter visits and back-office tasks they make in the unscheduled twin."""
    plain, switched = desk_in_2(AWAY)
    model, *_, opened_before = run_days(switched, visits=True)
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
    # some passed the desk away from home (served in 2, living elsewhere)
    records = model.journeys.records.table()
    away_served_in_2 = (records["service_district"] == 2) & (records["home_district"] != 2)
    assert (away_served_in_2 & (records["arrival_day"] >= D)).sum() > 10
    old = set(range(1, opened_before + 1))
    for m in (model, silo):  # every case opened before D is done in both runs
        assert (m.journeys.records.table()["arrival_day"] < D).sum() == opened_before
    theirs = counter_work(silo.journeys.visits.table(), old)
    assert counter_work(table, old) == theirs
    assert sum(1 for c, s, a in theirs if a == A_COUNTER) > 500


def open_without_desk(records: dict, district: int, day: int, opened_until: float) -> int:
    """Cases served in ``district`` that opened before ``opened_until`` and are still open at
    the start of ``day``, from the completed-case records (after a run-out: every case)."""
    served = records["service_district"] == district
    opened = records["arrival_day"] < min(day, opened_until)
    return int((served & opened & (records["completion_day"] >= day)).sum())


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_staff_move_to_the_desk_one_per_counter_at_the_day_and_the_rest_once_old_cases_end(engine):
    """At the start of D, district 2's desk takes its departments' counter staff less one per
    staffed counter; each counter keeps one server until the first day's start at which no case
    served in 2 that opened before D is open (counted from the records), when the last ones move
    too; the city-level counters and the other districts keep theirs; the budget is fixed."""
    plain, switched = desk_in_2()
    model, servers, at_counters, _ = run_days(switched, engine=engine)
    silo_servers = run_days(plain, engine=engine)[1]
    model.run_out()
    records = model.journeys.records.table()
    layout = model.layout
    desk = layout.front_desks[2]
    counters = [o.counter for o in layout.offices if o.district == 2 and o.function != "front_desk"]
    initial = np.array(layout.staff())
    staffed = initial[counters] > 0
    assert initial[desk] == 0 and initial[counters].sum() == 12  # 8 departments, 3 above one
    # the engines' count of open cases without a desk, against the records (day ends = starts)
    for day in range(1, DAYS + 1):
        for d in range(model.config.world.districts):
            until = D if d == 2 else np.inf
            assert at_counters[day - 1][d] == open_without_desk(records, d, day, until), (day, d)
    drained = next(day for day in range(D, DAYS) if open_without_desk(records, 2, day, D) == 0)
    assert D + 3 < drained < DAYS  # old cases were open at D, and later all done
    for day in range(DAYS):  # servers after day ``day`` (working-day index)
        now = servers[day]
        if day < D:
            assert now[desk] == 0 and np.array_equal(now[counters], initial[counters])
        elif day < drained:
            assert now[desk] == initial[counters].sum() - staffed.sum() == 12 - 8
            assert np.array_equal(now[counters], staffed.astype(int))
        else:
            assert now[desk] == 12 and not now[counters].any()
        others = np.ones(len(now), dtype=bool)
        others[[desk, *counters]] = False
        assert np.array_equal(now[others], silo_servers[day][others])  # city-level included
        assert now[[desk, *counters]].sum() == 12 and now.sum() == silo_servers[day].sum()


def test_sensing_follows_the_desk_and_no_plan_moves_staff_back_to_closed_counters():
    """With the square-root policy on (every 5 days, lag 7: the plans made at the ends of days
    35 and 40 fall due after D), district 2's counters leave the intake pool at D and its desk
    joins it: no plan gives a counter more than the one server it keeps (none after the drain)
    or leaves the desk empty, and the intake budget is the same at the end; staff are fixed."""
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
    layout = model.layout
    desk = layout.front_desks[2]
    counters = [o.counter for o in layout.offices if o.district == 2 and o.function != "front_desk"]
    pool = set(model.sensing.pools[0].tolist())
    assert desk in pool and not pool & set(counters)
    assert pending_at_switch == 2 and model.sensing.reallocations >= 8
    assert servers[D - 1, counters].max() >= 2  # sensing had given some counter more than one
    after = servers[D:]
    assert after[:, counters].max() == 1 and after[-1, counters].sum() == 0
    assert after[:, desk].min() >= 1
    assert model.sensing.budgets == intake
    assert (servers.sum(axis=1) == servers[0].sum()).all()


def test_volunteers_go_to_the_desk_not_to_the_counters_it_replaces():
    """Smart without desks (co-production enlisted, many volunteers, static staff): before D
    volunteers serve at district 2's counters; from D those counters have only the server they
    keep (then none), and the volunteers serve at its desk."""
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
    reference, compiled = run_both(scenario, days=40)
    assert_same(reference, compiled)
    for model in (reference, compiled):
        assert model.front_desks.open.tolist() == [True, False, True, True, False, False]
    table = compiled.journeys.records.table()
    late = table["arrival_day"] >= 15
    assert np.any(late & (table["service_district"] != table["home_district"]))
    assert np.array_equal(reference.staffing.allocation, compiled.staffing.allocation)
    at_counters = reference.journeys.open_at_counters()
    assert np.array_equal(at_counters, compiled.journeys.open_at_counters())
    assert at_counters.sum() > 0


def test_a_trigger_opens_a_districts_desk_on_its_review_day():
    """A district trigger whose signpost holds from its first review day (any delay above 0)
    opens district 4's desk that day: the cases served there pass the desk from then on."""
    trigger = {"metric": "delay_mean_days", "above": 0.0, "from_day": D, "districts": [4],
               "levers": DESK}  # fmt: skip
    plain = apply_overrides(scheduled([])[0], STAFF)
    data = plain.model_dump()
    data["trigger"] = [trigger]
    model, servers, _, opened_before = run_days(type(plain).model_validate(data), visits=True)
    assert model.front_desks.opened_on == {4: D}
    desk = model.layout.front_desks[4]
    assert servers[D - 1, desk] == 0 and servers[D, desk] == 4
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
    silo = cost_in_force(plain, [plain.levers] * 6)
    desk = plain.levers.model_copy(update=DESK)
    one = cost_in_force(plain, [plain.levers, plain.levers, desk, *[plain.levers] * 3])
    every = cost_in_force(plain, [desk] * 6)
    assert one - silo == pytest.approx((every - silo) / 6, rel=1e-12) and one > silo
