"""Case journeys: how one service transaction moves through offices under the scenario's levers.

This module owns DESIGN.md §2 steps 2-5 (intake, routing, cross-district handling, service) as event
handlers on the engine's heap. A case opens with its channel (online or in person), the district
that serves it, whether it passes that district's front desk (open then: ``use_desks``; kept to
its end; a counter contact of a case opened before, arriving once the desk is open, is served at
the desk) and the documents fetched from the data hub; then it runs its plan's precedence
graph (``model.routes``): a step starts (is *ready*) once every step it waits for has ended, i.e.
when its inputs exist. Each job (the case at one step) carries the time split (wait, service,
hand-off, travel, rework) of the path that led to it: a step inherits the split of the
predecessor whose end released it (the one that ended last, on the critical path), so the split
of the step that ends last is the case's. A step with neither a counter visit nor back-office
work ends at once; the steps it releases are handled from a stack (as the kernel, which cannot
recurse). A completed case is appended to ``records`` (``CaseRecords``) as one row of
``RECORD_FIELDS`` (``model.cases`` holds the rules, the case and the job it moves); after
``collect_visits``, each visit, hand-off, trip and rework period to ``visits`` (``VisitRecords``).
``model.intake`` holds what moves with the applicant and the file (trips, hand-offs, documents,
visit rows). ``model.kernel`` is this module compiled: keep the two in step (the tests compare
them record for record).
"""

from __future__ import annotations

import numpy as np

from govlab.model import draws
from govlab.model.cases import (
    REWORK,
    SERVICE,
    WAIT,
    Applicants,
    Case,
    Job,
    Rules,
    record_of,
    service_time,
)
from govlab.model.draws import DISTRIBUTIONS, lognormal_parameters
from govlab.model.engine import ARRIVE, FINISH, EventHeap, Station
from govlab.model.intake import Intake
from govlab.model.offices import Layout
from govlab.model.records import (
    A_BACKOFFICE,
    A_COUNTER,
    A_REWORK,
    RECORD_FIELDS,
    CaseRecords,
    VisitRecords,
)
from govlab.model.routes import LOOP, BranchPlan, CasePlan, StepPlan
from govlab.scenarios import Scenario

__all__ = ["RECORD_FIELDS", "Applicants", "Journeys", "Rules"]


class Journeys(Intake):
    """The service process: opens cases, handles station events, records completed cases."""

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
        # the rule sets a lever schedule switches between (``model.schedule``); the first is the
        # scenario's own levers, in force everywhere until ``use_rules``
        self.rule_sets = rule_sets or (Rules.from_scenario(scenario),)
        self.rules = self.rule_sets[0]  # what every set shares (offices, times, distributions)
        self.rule_of = [0] * self.rules.districts
        # per district: its front desk is open (``use_desks``); the scenario's lever at the start
        self.desk_open = [scenario.levers.front_desk] * self.rules.districts
        # per station: the district whose front desk replaces it once open, else -1
        self.counter_district = layout.counter_district()
        self.layout = layout
        self.plans = plans
        self.applicants = applicants
        self.key = key
        self.heap = EventHeap()
        self.stations = [Station(servers) for servers in staff]
        self.distribution = DISTRIBUTIONS.index(self.rules.distribution)
        self.sigma, self.shift = lognormal_parameters(self.rules.cv)
        self.records = CaseRecords()
        self.follow: set[int] = set()
        self.traces: dict[int, list[tuple[float, str, int]]] = {}
        self.visits: VisitRecords | None = None  # per-visit rows, when asked (collect_visits)
        self.open_cases = 0
        self.opened = 0
        self.refusals = 0

    def open_many(self, start: float, counts: np.ndarray, uniforms: np.ndarray) -> None:
        """Open ``counts[p]`` cases of each case type p, type by type. With n = sum(counts), case
        i opens at ``start + uniforms[i]`` (days) for applicant ``int(uniforms[n + i] * m)``,
        m the number of applicants of its kind."""
        total = len(uniforms) // 2
        times, picks = uniforms[:total].tolist(), uniforms[total:].tolist()
        i = 0
        for plan, count in zip(self.plans, counts.tolist(), strict=True):
            homes, skills = self.applicants.of(plan.kind)
            for _ in range(count):
                row = int(picks[i] * len(homes))
                self.open_case(start + times[i], plan, row, int(homes[row]), float(skills[row]))
                i += 1

    def use_rules(self, rule_of: np.ndarray) -> None:
        """From now, a case opened by an applicant of home district d follows
        ``rule_sets[rule_of[d]]`` (cases open now keep theirs)."""
        self.rule_of = [int(index) for index in rule_of]

    def use_desks(self, desk_open: np.ndarray) -> None:
        """From now, a case served in district d passes d's front desk iff ``desk_open[d]``
        (cases open now keep their intake), and a counter contact arriving at a counter of d's
        district departments is served at d's desk instead."""
        self.desk_open = [bool(open_) for open_ in desk_open]

    def add_rule_set(self, rules: Rules) -> None:
        """One more rule set (a lever change the run did not plan), at the next index."""
        self.rule_sets = (*self.rule_sets, rules)

    def close_day(self, end: float) -> None:
        """Integrate every station's counters up to ``end`` (days)."""
        for station in self.stations:
            station.advance(end)

    def time_inside(self, now: float) -> np.ndarray:
        """Per station: the summed time so far of the jobs waiting or in service at ``now``."""
        inside = np.zeros(len(self.stations))
        for index, station in enumerate(self.stations):
            inside[index] += sum(now - job.enqueued for job in station.queue)
        for _, kind, station, job in self.heap.pending():
            if kind == FINISH:
                inside[station] += now - job.enqueued
        return inside

    # -- opening a case: channel, district, data hub ------------------------------------------
    def open_case(
        self, time: float, plan: CasePlan, applicant: int, home: int, skill: float
    ) -> None:
        """An applicant starts a case at ``time`` (day units)."""
        # the rules of the applicant's home district now (``model.schedule``), kept to the end
        rules = self.rule_sets[self.rule_of[home]]
        plan = rules.plans[plan.index]  # its type's plan under those rules
        self.open_cases += 1
        self.opened += 1
        case = Case(plan, plan.kind, applicant, home, time, self.opened)
        case.rules, case.rule_set = rules, self.rule_of[home]

        def uniform(purpose: int, item: int = 0) -> float:
            return draws.uniform(self.key, case.number, purpose, 0, item, 0)

        case.online = (
            plan.online
            and uniform(draws.ONLINE) < rules.online_coverage
            and skill >= rules.skill_threshold
        )
        location = home
        case.away = rules.away_share > 0.0 and uniform(draws.AWAY) < rules.away_share
        if case.away:
            pick = int(uniform(draws.AWAY_DISTRICT) * (rules.districts - 1))
            location = (home + 1 + pick) % rules.districts
        case.district = location if rules.anywhere else home
        case.distance = abs(case.district - location)
        case.fetched = (
            frozenset(
                doc for doc in plan.government_docs if uniform(draws.SHARED, doc) < rules.share
            )
            if rules.share > 0.0
            else frozenset()
        )
        if plan.index in self.follow:
            self.follow.discard(plan.index)
            case.trace = self.traces[self.opened] = [(time, "open", -1)]
        # the front desk is an office of the serving district: open now, or not for this case
        case.desk = self.desk_open[case.district]
        if case.desk:
            self._enter_front_desk(time, case)
        else:
            self._begin(time, case, True, None)

    # -- routing: front desk, the precedence graph, steps -------------------------------------
    def _enter_front_desk(self, time: float, case: Case) -> None:
        job = Job(case, -1)
        own: dict[int, int] = {}  # document: the draw step of the first step that needs it
        government: dict[int, int] = {}
        for step in case.plan.steps:
            for doc in step.applicant_docs:
                own.setdefault(doc, step.key)
            for doc in self._unfetched(case, step.government_docs):
                government.setdefault(doc, step.key)
        at_risk = [(step, doc) for doc, step in (*own.items(), *government.items())]
        desk = self.layout.front_desks[case.district]
        self._submit(job, [*own, *government], at_risk, desk)
        job.present = not case.online
        delay = self._first_contact(job, case.distance, time)
        self.heap.push(time + delay, ARRIVE, desk, job)

    def _begin(self, time: float, case: Case, first: bool, split: list[float] | None) -> None:
        """Start the case's source steps: at opening (``first``: the applicant's first contact)
        or after the front desk (inheriting its ``split``)."""
        plan = case.plan
        case.arrived = [0] * len(plan.steps)
        case.pending = len(plan.steps)
        stack: list[tuple[float, Job]] = []
        self._enter_steps(time, case, plan.sources, first, split, stack)
        self._unwind(stack)

    def _enter_steps(
        self,
        time: float,
        case: Case,
        steps: tuple[int, ...] | list[int],
        first: bool,
        split: list[float] | None,
        stack: list[tuple[float, Job]],
    ) -> None:
        """Enter ready steps; those that end at once (skipped by a branch, or with no work) go on
        ``stack`` with their end time."""
        for step in steps:
            job = Job(case, step, split)
            if step in case.skipped:
                stack.append((time, job))
                continue
            ended = self._enter_step(time, job, first)
            if ended >= 0.0:
                stack.append((ended, job))

    def _unwind(self, stack: list[tuple[float, Job]]) -> None:
        """End the steps on ``stack``, last in first out: a step not skipped takes a branch if
        it has any; a loop back restarts the loop's steps, else the steps waiting for this one
        get its bit and those with every bit are released."""
        while stack:
            time, job = stack.pop()
            case = job.case
            plan = case.plan
            case.pending -= 1
            step = plan.steps[job.step]
            if step.branches and job.step not in case.skipped:
                branch = self._branch(case, job, step)
                if branch is not None and branch.kind == LOOP:
                    self._loop_back(time, case, job, branch, stack)
                    continue
                if branch is None:
                    case.skipped.update(step.skip_on)
                else:
                    case.skipped.update(branch.skip)
                    case.skipped.discard(branch.target)  # chosen (a choice), or -1
            if not case.pending:
                self._complete(time, case, job)
                continue
            released = []
            for following, slot in zip(
                plan.successors[job.step], plan.slots[job.step], strict=True
            ):
                if case.arrived[following] >> slot & 1:  # ended before, in its round
                    continue
                case.arrived[following] |= 1 << slot
                if case.arrived[following] == (1 << len(plan.predecessors[following])) - 1:
                    released.append(following)
            if released:  # passing the file on to the released steps is one hand-off
                if any(following not in case.skipped for following in released):
                    case.handoffs += 1
                self._enter_steps(time, case, released, False, job.split, stack)

    def _branch(self, case: Case, job: Job, step: StepPlan) -> BranchPlan | None:
        """The branch the job's step takes by its case's number (None: go on); a loop beyond
        the case's ``max_loops`` is not taken."""
        key = draws.in_round(step.key, job.round)
        u = draws.uniform(self.key, case.number, draws.ROUTE, key, 0, 0)
        for branch in step.branches:
            if u < branch.p:
                if branch.kind == LOOP and case.loops >= case.plan.max_loops:
                    return None
                return branch
            u -= branch.p
        return None

    def _loop_back(
        self, time: float, case: Case, job: Job, branch: BranchPlan, stack: list[tuple[float, Job]]
    ) -> None:
        """The case goes back to the loop's target: the loop's steps restart (each keeps as
        arrived its predecessors outside the loop; skipped stays skipped until the choice that
        skipped it is made again), and the file goes back (a hand-off)."""
        case.loops += 1
        case.pending += len(branch.loop)
        for member, arrived in zip(branch.loop, branch.arrived, strict=True):
            case.arrived[member] = arrived  # a step a choice skipped stays skipped
        case.handoffs += 1
        if case.trace is not None:
            case.trace.append((time, "loop", -1))
        self._enter_steps(time, case, (branch.target,), False, job.split, stack)

    def _enter_step(self, time: float, job: Job, first: bool) -> float:
        """Send a ready job to its step's counter or back office; return the time it ended if
        the step has neither (else -1)."""
        case = job.case
        step = case.plan.steps[job.step]
        office = self.layout.department(step.function, case.district)
        if case.trace is not None:  # the step's inputs exist: it is ready
            at_counter = not case.desk and step.counter_days > 0.0
            where = office.counter if at_counter else office.backoffice
            case.trace.append((time, "ready", where if at_counter or step.backoffice_days else -1))
        distance = (
            self.rules.city_distance if self.layout.city_level[step.function] else case.distance
        )
        if first:
            delay = self._first_contact(job, distance, time)
        else:
            delay = self._handoff(job, distance, time)
        if not case.desk and step.counter_days > 0.0:
            government = self._unfetched(case, step.government_docs)
            docs = [*step.applicant_docs, *government]
            key = draws.in_round(step.key, job.round)
            at_risk = [(key, doc) for doc in docs]
            if case.rules.carry:
                docs.extend(step.case_docs)
            self._submit(job, docs, at_risk, office.counter)
            job.present = not case.online and (first or case.rules.carry)
            self.heap.push(time + delay, ARRIVE, office.counter, job)
            return -1.0
        if not case.desk:  # no counter: the back office fetches what the hub holds
            self._unfetched(case, step.government_docs)
        return time + delay if self._to_backoffice(time + delay, job) else -1.0

    def _to_backoffice(self, time: float, job: Job) -> bool:
        """Queue the job at its back office; return True if the step has none (ended now)."""
        job.at_counter = False
        step = job.case.plan.steps[job.step]
        if step.backoffice_days > 0.0:
            office = self.layout.department(step.function, job.case.district)
            self.heap.push(time, ARRIVE, office.backoffice, job)
            return False
        return True

    def advance_to(self, end: float) -> None:
        """Handle every event before ``end`` (days), in time order."""
        heap = self.heap
        while heap.next_time() < end:
            time, _, kind, station, job = heap.pop()
            if kind == ARRIVE:
                self.arrive(time, station, job)
            else:
                self.finish(time, station, job)

    def set_staff(self, time: float, station: int, servers: int) -> None:
        """Set the servers of ``station`` at ``time``; queued jobs taken by freed servers start."""
        for job in self.stations[station].set_servers(time, servers):
            job.split[WAIT] += time - job.enqueued
            self._start(time, station, job)

    def set_staff_many(self, time: float, stations: np.ndarray, servers: np.ndarray) -> None:
        """``set_staff`` for several stations, in the given order."""
        for station, count in zip(stations.tolist(), servers.tolist(), strict=True):
            self.set_staff(time, station, count)

    def trace_next(self, case_type: int) -> None:
        """Record the journey of the next case of this type in ``traces`` (keyed by case number).

        A trace is a list of ``(day, event, station)``: events are ``open``, ``ready`` (a step's
        inputs exist; station: where the step goes first), ``trip``, ``arrive``, ``start``,
        ``finish``, ``return`` and ``complete`` (station -1 if none).
        """
        self.follow.add(case_type)

    # -- station events ---------------------------------------------------------------------
    def arrive(self, time: float, station: int, job: Job) -> None:
        """ARRIVE event: the job joins the station's queue (or starts at once); at a counter
        its district's open front desk replaces, the desk's."""
        district = self.counter_district[station]
        if district >= 0 and self.desk_open[district]:
            station = self.layout.front_desks[district]
        job.enqueued = time
        if job.case.trace is not None:
            job.case.trace.append((time, "arrive", station))
        if self.stations[station].arrive(time, job):
            self._start(time, station, job)

    def finish(self, time: float, station: int, job: Job) -> None:
        """FINISH event: the job's service ends; the next in line starts; the job moves on."""
        following = self.stations[station].finish(time, time - job.enqueued)
        if self.visits is not None:
            activity = A_COUNTER if job.at_counter else A_BACKOFFICE
            self._visit(job, activity, station, (job.enqueued, job.started, time))
        if job.case.trace is not None:
            job.case.trace.append((time, "finish", station))
        if following is not None:
            following.split[WAIT] += time - following.enqueued
            self._start(time, station, following)
        if job.at_counter:
            self._after_counter(time, station, job)
        else:
            self._step_done(time, job)

    def _start(self, time: float, station: int, job: Job) -> None:
        duration = service_time(self.key, job, self.distribution, self.sigma, self.shift)
        job.split[SERVICE] += duration
        job.started = time
        if job.case.trace is not None:
            job.case.trace.append((time, "start", station))
        self.heap.push(time + duration, FINISH, station, job)

    def _after_counter(self, time: float, station: int, job: Job) -> None:
        case = job.case
        number, visit, p_missing = case.number, job.visit, case.rules.p_missing
        if any(  # each document at risk is missing with its own number
            draws.uniform(self.key, number, draws.MISSING, step, doc, visit) < p_missing
            for step, doc in job.at_risk
        ):
            case.returns += 1
            if case.trace is not None:
                case.trace.append((time, "return", station))
            key = draws.in_round(case.plan.steps[job.step].key, job.round) if job.step >= 0 else 0
            delay = self.rules.rework_days * draws.exponential(
                self.key, number, draws.REWORK, key, 0, visit
            )
            job.visit += 1
            job.split[REWORK] += delay
            if self.visits is not None:
                self._visit(job, A_REWORK, -1, (time, time, time + delay))
            if job.present:
                step = job.step
                city = step >= 0 and self.layout.city_level[case.plan.steps[step].function]
                distance = self.rules.city_distance if city else case.distance
                delay += self._trip(job, distance, time + delay)
            case.submitted += job.docs
            self.heap.push(time + delay, ARRIVE, station, job)
        elif job.step < 0:
            self._begin(time, case, False, job.split)
        elif self._to_backoffice(time, job):
            self._step_done(time, job)

    def _step_done(self, time: float, job: Job) -> None:
        """The job's step ended at ``time``: release the steps waiting for it."""
        self._unwind([(time, job)])

    def _complete(self, time: float, case: Case, job: Job) -> None:
        """The case's last step (``job``) ended: its path's split is the case's."""
        case.split = job.split
        self.open_cases -= 1
        if case.trace is not None:
            case.trace.append((time, "complete", -1))
        self.records.append(record_of(case, time))
