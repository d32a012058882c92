"""CompiledJourneys: the service engine the model runs, on the numba kernels of ``model.kernel``.

It has the interface of ``model.journey.Journeys`` (open cases, advance to a time, set staff,
follow a case type's journey, records, counters, stations) and owns the arrays the kernels work
on: it translates the compiled plans and the office layout into tables (with the key of the
random numbers, ``model.draws``) and grows the arrays when a kernel reports it is short of room.
Traces are rebuilt from the kernel's log after each call; visit rows (``collect_visits``) are
written by the kernel straight into the arrays of ``visits``, grown as the records are.
"""

from __future__ import annotations

import time

import numba
import numpy as np

from govlab.model.draws import lognormal_parameters
from govlab.model.journey import Applicants, Rules
from govlab.model.kernel import layout as k
from govlab.model.kernel import loop
from govlab.model.offices import Layout
from govlab.model.records import VISIT_FLOAT_FIELDS, VISIT_INT_FIELDS, CaseRecords, VisitRecords
from govlab.model.routes import CasePlan
from govlab.scenarios import Scenario

_RECORDS = k.RECORDS
INITIAL_ROWS = 256  # cases, jobs and heap slots before the first growth
_EMPTY_FLOAT = np.zeros(0)
_NOTHING_NEW = (np.zeros(0, dtype=np.int64), _EMPTY_FLOAT, 0.0)


class StationView:
    """A station of the compiled engine, read through the attributes of ``model.engine.Station``."""

    __slots__ = ("_engine", "index")

    def __init__(self, engine: CompiledJourneys, index: int) -> None:
        self._engine = engine
        self.index = index

    def _int(self, column: int) -> int:
        return self._engine.station_rows()[0][self.index][column]

    def _float(self, column: int) -> float:
        return self._engine.station_rows()[1][self.index][column]

    servers = property(lambda self: self._int(k.S_SERVERS))
    busy = property(lambda self: self._int(k.S_BUSY))
    in_system = property(lambda self: self._int(k.S_IN_SYSTEM))
    arrivals = property(lambda self: self._int(k.S_ARRIVALS))
    departures = property(lambda self: self._int(k.S_DEPARTURES))
    queue_length = property(lambda self: self._int(k.S_QUEUED))
    area_in_system = property(lambda self: self._float(k.S_AREA_IN_SYSTEM))
    area_busy = property(lambda self: self._float(k.S_AREA_BUSY))
    last_time = property(lambda self: self._float(k.S_LAST_TIME))
    time_in_system = property(lambda self: self._float(k.S_TIME_IN_SYSTEM))


def _ragged(lists: list[tuple[int, ...]], flat: list[int]) -> list[tuple[int, int]]:
    """Append each list to ``flat``; return (offset, length) of each."""
    spans = []
    for items in lists:
        spans.append((len(flat), len(items)))
        flat.extend(items)
    return spans


def _plan_rows(rule_sets: tuple[Rules, ...]) -> tuple[list[CasePlan], np.ndarray]:
    """The rule sets' distinct plan sets one after another (set 0's first), and the row of each
    case type's plan under each rule set (``rule_plan``)."""
    distinct: list[tuple[CasePlan, ...]] = []
    for rules in rule_sets:
        if rules.plans not in distinct:
            distinct.append(rules.plans)
    types = len(rule_sets[0].plans)
    rule_plan = np.array(
        [[distinct.index(rules.plans) * types + p for p in range(types)] for rules in rule_sets],
        dtype=np.int64,
    ).reshape(len(rule_sets), types)
    return [plan for plans in distinct for plan in plans], rule_plan


def _tables(
    rule_sets: tuple[Rules, ...], layout: Layout, who: Applicants, key: int, desks_open: bool
):
    rules = rule_sets[0]
    plans, rule_plan = _plan_rows(rule_sets)
    docs: list[int] = []
    links: list[int] = []  # sources and successors, as step numbers within the plan
    plan_i, step_i, step_f = [], [], []
    part_i: list[int] = []  # per part of a step: its draw step
    part_f: list[tuple[float, float]] = []  # and its counter and back-office days
    branch_i: list[tuple[int, ...]] = []  # per branch: kind, target, skip and loop spans
    branch_f: list[float] = []  # and its probability
    for plan in plans:
        ((gov0, ngov),) = _ragged([plan.government_docs], docs)
        ((src0, nsrc),) = _ragged([plan.sources], links)
        plan_i.append((plan.online, plan.kind, len(step_i), len(plan.steps), src0, nsrc, gov0,
                       ngov, plan.max_loops))  # fmt: skip
        for step, after, slots, before in zip(
            plan.steps, plan.successors, plan.slots, plan.predecessors, strict=True
        ):
            spans = _ragged([step.applicant_docs, step.government_docs, step.case_docs], docs)
            ((succ0, nsucc), _, skip) = _ragged([after, slots, step.skip_on], links)
            step_i.append((step.function, *spans[0], *spans[1], *spans[2], succ0, nsucc,
                           len(before), step.key, len(part_i), len(step.parts), len(branch_i),
                           len(step.branches), *skip))  # fmt: skip
            part_i.extend(key for key, _, _ in step.parts)
            part_f.extend((counter, backoffice) for _, counter, backoffice in step.parts)
            step_f.append((step.counter_days, step.backoffice_days))
            for branch in step.branches:
                skipped, (loop0, nloop), _ = _ragged([branch.skip, branch.loop, branch.arrived],
                                                     links)  # fmt: skip
                branch_i.append((branch.kind, branch.target, *skipped, loop0, nloop))
                branch_f.append(branch.p)
    districts = rules.districts
    counter_of = np.array(
        [
            [layout.department(f, d).counter for d in range(districts)]
            for f in range(len(layout.functions))
        ],
        dtype=np.int64,
    ).reshape(len(layout.functions), districts)
    max_steps = max((len(plan.steps) for plan in plans), default=1)
    routed = [plan.max_loops for plan in plans if any(step.branches for step in plan.steps)]
    # trace and visit rows one event may write: a step's end can loop back through steps that
    # end at once, at most max_loops times
    log_margin = (max(routed, default=0) + 1) * (4 * max_steps + 10)
    n_docs = max(docs, default=0) + 1
    real = np.zeros(k.N_REAL)
    sigma, shift = lognormal_parameters(rules.cv)
    values = {
        k.R_SKILL_THRESHOLD: rules.skill_threshold,
        k.R_AWAY_SHARE: rules.away_share,
        k.R_REFUSAL: rules.refusal,
        k.R_TRIP_BASE: rules.trip_base,
        k.R_TRIP_PER_DISTRICT: rules.trip_per_district,
        k.R_CITY_DISTANCE: rules.city_distance,
        k.R_REWORK_DAYS: rules.rework_days,
        k.R_VISIT_GAP_DAYS: rules.visit_gap_days,
        k.R_COURIER_DAYS: rules.courier_days,
        k.R_ELECTRONIC_DAYS: rules.electronic_days,
        k.R_SIGMA: sigma,
        k.R_SHIFT: shift,
    }
    for column, value in values.items():
        real[column] = value
    flag = np.zeros(k.N_FLAG, dtype=np.int64)
    flags = {
        k.F_DISTRICTS: districts,
        k.F_DISTRIBUTION: k.DISTRIBUTIONS.index(rules.distribution),
        k.F_DESK_BIT: len(layout.functions),
        k.F_DOC_WORDS: (n_docs + 63) // 64,
        k.F_KEY: key,
        k.F_MARGIN_JOBS: max_steps + 2,
        k.F_MARGIN_LOG: log_margin,
        k.F_MAX_STEPS: max_steps,
    }
    for column, value in flags.items():
        flag[column] = value

    def ints(rows, width):
        return np.array(rows, dtype=np.int64).reshape(len(rows), width)

    return k.Tables(
        plan_i=ints(plan_i, k.N_PLAN_I),
        step_i=ints(step_i, k.N_STEP_I),
        step_f=np.array(step_f, dtype=float).reshape(len(step_f), 2),
        part_i=np.array(part_i, dtype=np.int64),
        part_f=np.array(part_f, dtype=float).reshape(len(part_f), 2),
        branch_i=ints(branch_i, k.N_BRANCH_I),
        branch_f=np.array(branch_f, dtype=float),
        links=np.array(links, dtype=np.int64),
        docs=np.array(docs, dtype=np.int64),
        counter_of=counter_of,
        city=np.array(layout.city_level, dtype=np.int64),
        desk=np.array(layout.front_desks, dtype=np.int64),
        real=real,
        flag=flag,
        resident_district=who.resident_district,
        resident_skill=who.resident_skill,
        enterprise_district=who.enterprise_district,
        enterprise_skill=who.enterprise_skill,
        rule_f=np.array(
            [(r.online_coverage, r.share, r.p_missing) for r in rule_sets], dtype=float
        ).reshape(len(rule_sets), k.N_RULE_F),
        rule_i=ints([(r.carry, r.anywhere) for r in rule_sets], k.N_RULE_I),
        rule_plan=rule_plan,
        rule_of=np.zeros(districts, dtype=np.int64),
        desk_open=np.full(districts, int(desks_open), dtype=np.int64),
        counter_district=np.array(layout.counter_district(), dtype=np.int64),
    )


class CompiledJourneys:
    """The service process on arrays: opens cases, runs the day's events, records completed cases.

    Args:
        scenario, layout, plans: the scenario and its compiled offices and case plans.
        applicants: homes and digital skills of the applicants.
        key: the key of the cases' random numbers (``model.draws.service_key``).
        staff: initial servers of every station.
        rule_sets: the journey rules a lever schedule switches between (``model.schedule``);
            the scenario's own when omitted.
    """

    def __init__(
        self,
        scenario: Scenario,
        layout: Layout,
        plans: tuple[CasePlan, ...],
        applicants: Applicants,
        key: int,
        staff: list[int],
        rule_sets: tuple[Rules, ...] | None = None,
    ) -> None:
        rule_sets = rule_sets or (Rules.from_scenario(scenario),)
        self.rule_sets = rule_sets
        self.rules = rule_sets[0]
        self.plans = plans
        self._built_from = (layout, applicants, key, scenario.levers.front_desk)
        self.tables = _tables(rule_sets, *self._built_from)
        self.records = CaseRecords()
        self.traces: dict[int, list[tuple[float, str, int]]] = {}
        self.visits: VisitRecords | None = None
        n_stations = len(staff)
        station_i = np.zeros((n_stations, k.S_QUEUED + 1), dtype=np.int64)
        station_i[:, k.S_SERVERS] = staff
        station_i[:, k.S_HEAD] = station_i[:, k.S_TAIL] = -1
        words = int(self.tables.flag[k.F_DOC_WORDS])
        office_words = (int(self.tables.flag[k.F_DESK_BIT]) + 1 + 63) // 64
        capacity = INITIAL_ROWS
        max_steps = int(self.tables.flag[k.F_MAX_STEPS])
        self.state = k.State(
            count=np.zeros(k.N_COUNTS, dtype=np.int64),
            case_i=np.zeros((capacity, k.N_CASE_I), dtype=np.int64),
            case_f=np.zeros((capacity, k.C_SPLIT + 5)),
            case_bits=np.zeros((capacity, 2 * words + office_words), dtype=np.uint64),
            case_wait=np.zeros((capacity, max_steps), dtype=np.int64),
            job_i=np.zeros((capacity, k.N_JOB_I), dtype=np.int64),
            job_f=np.zeros((capacity, k.J_STARTED + 1)),
            station_i=station_i,
            station_f=np.zeros((n_stations, k.S_TIME_IN_SYSTEM + 1)),
            heap_t=np.zeros(capacity),
            heap_i=np.zeros((capacity, 2), dtype=np.int64),
            free_jobs=np.arange(capacity, dtype=np.int64)[::-1].copy(),
            free_cases=np.arange(capacity, dtype=np.int64)[::-1].copy(),
            record_i=self.records.ints,
            record_f=self.records.floats,
            log_i=np.zeros((64, 3), dtype=np.int64),
            log_f=np.zeros(64),
            follow=np.zeros(len(plans), dtype=np.int64),
            scratch=np.zeros((2, words), dtype=np.uint64),
            stack_i=np.zeros(max_steps, dtype=np.int64),
            stack_f=np.zeros(max_steps),
            visit_i=np.zeros((0, len(VISIT_INT_FIELDS)), dtype=np.int64),
            visit_f=np.zeros((0, len(VISIT_FLOAT_FIELDS))),
        )
        count = self.state.count
        count[k.FREE_JOBS] = count[k.FREE_CASES] = capacity
        self._new = _NOTHING_NEW
        self._tracing = False  # True once a journey is followed: read the trace log
        self.stations = [StationView(self, s) for s in range(n_stations)]
        self._rows: tuple[list[list[int]], list[list[float]]] | None = None
        index = np.zeros(1, dtype=np.int64)
        self._run = _entry(loop.run, self.state, self.tables, *_NOTHING_NEW, 0.0)
        self._set_servers = _entry(loop.set_servers, self.state, self.tables, 0.0, index, index)
        self._advance_all = _entry(loop.advance_all, self.state, 0.0)

    # -- counters --------------------------------------------------------------------------------
    @property
    def open_cases(self) -> int:
        """Cases open now."""
        return int(self.state.count[k.OPEN])

    @property
    def opened(self) -> int:
        """Cases opened so far."""
        return int(self.state.count[k.OPENED])

    @property
    def refusals(self) -> int:
        """Refusals at the local office so far."""
        return int(self.state.count[k.REFUSALS])

    def use_rules(self, rule_of: np.ndarray) -> None:
        """From now, a case opened by an applicant of home district d follows rule set
        ``rule_of[d]`` (``model.schedule``; cases open now keep theirs)."""
        self.tables.rule_of[:] = rule_of

    def use_desks(self, desk_open: np.ndarray) -> None:
        """From now, a case served in district d passes d's front desk iff ``desk_open[d]``
        (cases open now keep their intake), and a counter contact arriving at a counter of d's
        district departments is served at d's desk instead."""
        self.tables.desk_open[:] = desk_open

    def add_rule_set(self, rules: Rules) -> None:
        """One more rule set (a lever change the run did not plan: ``GovernanceModel.reform``),
        at the next index."""
        self.rule_sets = (*self.rule_sets, rules)
        before = self.tables
        # built again: the rows of the sets before stay where they were (cases in flight
        # point at them), a new plan set's rows follow; what the caller set is kept
        self.tables = _tables(self.rule_sets, *self._built_from)
        self.tables.rule_of[:] = before.rule_of
        self.tables.desk_open[:] = before.desk_open
        self.tables.flag[k.F_VISITS] = before.flag[k.F_VISITS]

    # -- the day ---------------------------------------------------------------------------------
    def open_many(self, start: float, counts: np.ndarray, uniforms: np.ndarray) -> None:
        """Open ``counts[p]`` cases of each type p (as ``Journeys.open_many``); they open at the
        next ``advance_to``, before any event."""
        counts = np.ascontiguousarray(counts, dtype=np.int64)  # the kernel's argument types
        self._new = (counts, np.ascontiguousarray(uniforms, dtype=float), float(start))

    def advance_to(self, end: float) -> None:
        """Open the pending cases, then handle every event before ``end`` (days)."""
        counts, uniforms, start = self._new
        end, run = float(end), self._run
        if run(self.state, self.tables, counts, uniforms, start, end):
            self._call(lambda: run(self.state, self.tables, counts, uniforms, start, end))
        self._new = _NOTHING_NEW
        self._after_call()

    def set_staff(self, time: float, station: int, servers: int) -> None:
        """Set the servers of ``station`` at ``time``; queued jobs taken by freed servers start."""
        self.set_staff_many(time, np.array([station]), np.array([servers]))

    def set_staff_many(self, time: float, stations: np.ndarray, servers: np.ndarray) -> None:
        """``set_staff`` for several stations, in the given order."""
        stations = np.ascontiguousarray(stations, dtype=np.int64)
        servers = np.ascontiguousarray(servers, dtype=np.int64)
        time, set_servers = float(time), self._set_servers
        self._call(lambda: set_servers(self.state, self.tables, time, stations, servers))
        self._after_call()

    def close_day(self, end: float) -> None:
        """Integrate every station's counters up to ``end`` (days)."""
        self._advance_all(self.state, float(end))
        self._rows = None

    def station_rows(self) -> tuple[list[list[int]], list[list[float]]]:
        """The station arrays as lists (for ``StationView``: the departments read them daily),
        copied on the first read after a kernel call."""
        if self._rows is None:
            self._rows = (self.state.station_i.tolist(), self.state.station_f.tolist())
        return self._rows

    def time_inside(self, now: float) -> np.ndarray:
        """Per station: the summed time so far of the jobs waiting or in service at ``now``."""
        inside = np.zeros(len(self.stations))
        loop.time_inside(self.state, now, inside, np.zeros(len(self.state.job_i), dtype=bool))
        return inside

    def trace_next(self, case_type: int) -> None:
        """Record the journey of the next case of this type in ``traces`` (as ``Journeys``)."""
        self.state.follow[case_type] = 1
        self._tracing = True

    def collect_visits(self) -> None:
        """Keep a row per visit from now on in ``visits`` (as ``Journeys``)."""
        self.visits = VisitRecords()
        self.tables.flag[k.F_VISITS] = 1
        self.state = self.state._replace(visit_i=self.visits.ints, visit_f=self.visits.floats)

    # -- the kernel's margins --------------------------------------------------------------------
    def _call(self, kernel_call) -> None:
        """Call a kernel until it is done, growing arrays as it asks."""
        while kernel_call():
            self._grow()

    def _after_call(self) -> None:
        self.records.size = int(self.state.count[_RECORDS])
        if self.visits is not None:
            self.visits.size = int(self.state.count[k.VISITS])
        self._rows = None
        if self._tracing:
            self._read_log()

    def _grow(self) -> None:
        """Double whichever arrays are short of room (rows keep their numbers)."""
        state, count, flag = self.state, self.state.count, self.tables.flag
        margin = int(flag[k.F_MARGIN_JOBS])
        changes = {}
        if count[k.FREE_JOBS] < margin or len(state.heap_t) - count[k.HEAP] < margin:
            size = len(state.job_i)
            changes.update(_grown(state, ("job_i", "job_f"), 2 * size))
            changes["free_jobs"] = _grown_stack(state.free_jobs, count, k.FREE_JOBS, size)
            changes.update(_grown(state, ("heap_t", "heap_i"), 2 * len(state.heap_t)))
        if count[k.FREE_CASES] < 1:
            size = len(state.case_i)
            changes.update(_grown(state, ("case_i", "case_f", "case_bits", "case_wait"), 2 * size))
            changes["free_cases"] = _grown_stack(state.free_cases, count, k.FREE_CASES, size)
        if len(state.record_i) - count[k.RECORDS] < 1:
            self.records.size = int(count[k.RECORDS])
            self.records.reserve(max(len(self.records.ints), 1))
            changes["record_i"], changes["record_f"] = self.records.ints, self.records.floats
        visits = self.visits
        if visits is not None and len(state.visit_f) - count[k.VISITS] < flag[k.F_MARGIN_LOG]:
            visits.size = int(count[k.VISITS])
            visits.reserve(max(len(visits.ints), int(flag[k.F_MARGIN_LOG])))
            changes["visit_i"], changes["visit_f"] = visits.ints, visits.floats
        if len(state.log_f) - count[k.LOG] < flag[k.F_MARGIN_LOG]:
            size = 2 * len(state.log_f) + int(self.tables.flag[k.F_MARGIN_LOG])
            changes.update(_grown(state, ("log_i", "log_f"), size))
        self.state = state._replace(**changes)

    def _read_log(self) -> None:
        """Move the trace log's rows into ``traces`` and empty the log."""
        state = self.state
        rows = int(state.count[k.LOG])
        for (key, event, station), day in zip(
            state.log_i[:rows].tolist(), state.log_f[:rows].tolist(), strict=True
        ):
            self.traces.setdefault(key, []).append((day, k.TRACE_EVENTS[event], station))
        state.count[k.LOG] = 0


def _entry(kernel, *args):
    """The compiled entry point of ``kernel`` for the types of ``args`` (compiled or loaded from
    numba's cache now). Calling it skips the dispatcher's typing of the namedtuple arguments,
    3.8 µs of the 4.2 µs a kernel call costs; the caller must then pass arguments of exactly these
    types, as ``CompiledJourneys`` does: its own arrays (same dtypes, C order after any growth),
    int64 index arrays and float times."""
    return kernel.compile(tuple(numba.typeof(arg) for arg in args))


def _grown(state, names: tuple[str, ...], rows: int) -> dict[str, np.ndarray]:
    """Copies of the named arrays with ``rows`` rows (old rows kept, new ones zero)."""
    grown = {}
    for name in names:
        old = getattr(state, name)
        new = np.zeros((rows, *old.shape[1:]), dtype=old.dtype)
        new[: len(old)] = old
        grown[name] = new
    return grown


def _grown_stack(stack: np.ndarray, count: np.ndarray, top: int, size: int) -> np.ndarray:
    """A free stack for ``2 size`` rows: the free rows, then the new rows ``size..2 size-1``."""
    free = int(count[top])
    new = np.empty(2 * size, dtype=np.int64)
    new[:free] = stack[:free]
    new[free : free + size] = np.arange(2 * size - 1, size - 1, -1)
    count[top] = free + size
    return new


def compile_kernels() -> float:
    """Compile (or load from numba's cache) every kernel, on a small textbook world; return the
    seconds it took. The first compile takes about half a minute, so ``make`` does it once before
    tests and batches rather than in each worker process."""
    from govlab.model.governance import GovernanceModel
    from govlab.scenarios.textbook import textbook_scenario

    started = time.perf_counter()
    scenario = textbook_scenario({"desk": (2, 1)}, {"v": {"per_hour": 4.0, "steps": [
        {"function": "desk", "counter_hours": 1.0, "backoffice_hours": 2.0}]}})  # fmt: skip
    model = GovernanceModel(scenario, rng=0)
    model.journeys.trace_next(0)
    for _ in range(3):
        model.step()
    model.journeys.set_staff(float(model.steps), 0, 3)
    model.journeys.time_inside(float(model.steps))
    return time.perf_counter() - started
