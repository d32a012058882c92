"""Case journeys: how one service transaction moves through offices under the scenario's levers.

This module owns DESIGN.md §2 steps 2-5 (intake, routing, cross-district handling, service) as event
handlers on the engine's heap. A case opens with its channel (online or in person), the district
that serves it and the documents fetched from the data hub; then it moves block by block through its
plan. Each job (the case at one step, or one branch of a fork) carries its own time split
(wait, service, hand-off, travel, rework); at a join the branch that ended last is the critical one
and its split is the case's. A completed case is appended to ``records`` as one tuple of
``RECORD_FIELDS``.
"""

from __future__ import annotations

import math

from model.draws import Draws, service_sampler
from model.engine import ARRIVE, FINISH, EventHeap, Station
from model.offices import Layout
from model.routes import CasePlan
from scenarios import Scenario

RECORD_FIELDS = (
    "case_type",
    "applicant_kind",  # 0 resident, 1 enterprise
    "applicant",
    "home_district",
    "service_district",
    "online",
    "away",
    "refused",
    "arrival_day",
    "completion_day",
    "trips",
    "handoffs",
    "documents_submitted",
    "documents_resubmitted",
    "offices",
    "returns",
    "hub_retrievals",
    "wait_days",
    "service_days",
    "handoff_days",
    "travel_days",
    "rework_days",
)


class Case:
    """One applicant's transaction in progress (counters and the critical-path time split)."""

    __slots__ = (
        "applicant",
        "arrival",
        "away",
        "block",
        "distance",
        "distinct",
        "district",
        "fetched",
        "handoffs",
        "home",
        "kind",
        "offices",
        "online",
        "pending",
        "plan",
        "refused",
        "retrievals",
        "returns",
        "split",
        "submitted",
        "trace",
        "trips",
    )

    def __init__(self, plan: CasePlan, kind: int, applicant: int, home: int, time: float):
        self.plan = plan
        self.kind = kind
        self.applicant = applicant
        self.home = home
        self.arrival = time
        self.block = 0
        self.pending = 0
        self.submitted = 0
        self.distinct: set[int] = set()
        self.offices: set[int] = set()
        self.trips = self.handoffs = self.returns = self.retrievals = 0
        self.refused = False
        self.split = [0.0, 0.0, 0.0, 0.0, 0.0]
        self.trace: list[tuple[float, str, int]] | None = None


WAIT, SERVICE, HANDOFF, TRAVEL, REWORK = range(5)


class Job:
    """A case at one step (or the front desk, step -1): where it is and its own time split."""

    __slots__ = (
        "at_counter",
        "case",
        "docs",
        "enqueued",
        "mean",
        "present",
        "risky",
        "split",
        "step",
    )

    def __init__(self, case: Case, step: int) -> None:
        self.case = case
        self.step = step
        self.at_counter = False
        self.present = False
        self.docs = 0
        self.risky = 0
        self.mean = 0.0
        self.enqueued = 0.0
        self.split = [0.0, 0.0, 0.0, 0.0, 0.0]


class Journeys:
    """The service process: opens cases, handles station events, records completed cases."""

    def __init__(
        self,
        scenario: Scenario,
        layout: Layout,
        plans: tuple[CasePlan, ...],
        draws: Draws,
        heap: EventHeap,
        stations: list[Station],
    ) -> None:
        world, levers = scenario.world, scenario.levers
        hours = world.working_hours_per_day
        self.layout = layout
        self.plans = plans
        self.draws = draws
        self.heap = heap
        self.stations = stations
        self.districts = world.districts
        self.front_desk = levers.front_desk
        self.carry = levers.handoff == "applicant"
        self.anywhere = levers.cross_district == "anywhere"
        self.share = levers.data_sharing
        self.online_coverage = levers.online_coverage
        self.skill_threshold = world.digital_skill_threshold
        self.away_share = world.away_from_home_share if world.districts > 1 else 0.0
        self.refusal = world.refusal_probability
        self.p_missing = world.p_missing_document * (
            1.0 - world.transparency_effect * levers.transparency
        )
        self.trip_base = world.travel_base_hours / hours
        self.trip_per_district = world.travel_per_district_hours / hours
        self.city_distance = world.city_centre_distance
        self.rework_days = world.rework_days
        self.visit_gap_days = world.visit_gap_days
        self.courier_days = world.courier_days
        self.electronic_days = world.electronic_handoff_hours / hours
        self.sample = service_sampler(draws, world.service_time_distribution, world.service_time_cv)
        self.records: list[tuple] = []
        self.follow: set[int] = set()
        self.traces: dict[int, list[tuple[float, str, int]]] = {}
        self.open_cases = 0
        self.opened = 0
        self.refusals = 0

    # -- opening a case: channel, district, data hub ------------------------------------------
    def open_case(
        self, time: float, plan: CasePlan, kind: int, applicant: int, home: int, skill: float
    ) -> None:
        """An applicant starts a case at ``time`` (day units)."""
        uniform = self.draws.uniform
        case = Case(plan, kind, applicant, home, time)
        case.online = (
            plan.online and uniform() < self.online_coverage and skill >= self.skill_threshold
        )
        location = home
        case.away = self.away_share > 0.0 and uniform() < self.away_share
        if case.away:
            location = (home + 1 + int(uniform() * (self.districts - 1))) % self.districts
        case.district = location if self.anywhere else home
        case.distance = abs(case.district - location)
        case.fetched = (
            frozenset(doc for doc in plan.government_docs if uniform() < self.share)
            if self.share > 0.0
            else frozenset()
        )
        self.open_cases += 1
        self.opened += 1
        if plan.index in self.follow:
            self.follow.discard(plan.index)
            case.trace = self.traces[self.opened] = [(time, "open", -1)]
        if self.front_desk:
            self._enter_front_desk(time, case)
        else:
            self._begin_block(time, case, first=True)

    def _trip(self, job: Job, distance: float) -> float:
        days = self.trip_base + self.trip_per_district * distance
        job.case.trips += 1
        if job.case.trace is not None:
            job.case.trace.append((job.case.trace[-1][0], "trip", -1))
        job.split[TRAVEL] += days
        return days

    def _first_contact(self, job: Job, distance: float) -> float:
        """The first trip, with the detour of a refusal at the local office (home_only)."""
        case = job.case
        if case.online:
            return 0.0
        delay = 0.0
        if case.away and not self.anywhere and self.draws.uniform() < self.refusal:
            case.refused = True
            self.refusals += 1
            delay += self._trip(job, 0.0)
        return delay + self._trip(job, distance)

    def _handoff(self, job: Job, distance: float) -> float:
        """Move the file to the next office: courier, electronic, or the applicant's next trip."""
        if self.carry and not self.front_desk and not job.case.online:
            gap = self.visit_gap_days * self.draws.exponential()
            job.split[HANDOFF] += gap
            return gap + self._trip(job, distance)
        if self.carry and self.front_desk:
            days = self.courier_days * self.draws.exponential()
        else:
            days = self.electronic_days
        job.split[HANDOFF] += days
        return days

    def _submit(self, job: Job, docs: tuple[int, ...] | list[int], risky: int, office: int) -> None:
        case = job.case
        case.submitted += len(docs)
        case.distinct.update(docs)
        case.offices.add(office)
        job.docs = len(docs)
        job.risky = risky
        job.at_counter = True

    def _unfetched(self, case: Case, docs: tuple[int, ...]) -> list[int]:
        fetched = case.fetched
        if not fetched:
            return list(docs)
        case.retrievals += sum(doc in fetched for doc in docs)
        return [doc for doc in docs if doc not in fetched]

    # -- routing: front desk, blocks, steps ---------------------------------------------------
    def _enter_front_desk(self, time: float, case: Case) -> None:
        job = Job(case, -1)
        own: dict[int, None] = {}
        government: dict[int, None] = {}
        for step in case.plan.steps:
            own.update(dict.fromkeys(step.applicant_docs))
            government.update(dict.fromkeys(self._unfetched(case, step.government_docs)))
        docs = [*own, *government]
        desk = self.layout.front_desks[case.district]
        self._submit(job, docs, len(docs), desk)
        job.present = not case.online
        job.mean = case.plan.counter_days_total
        delay = self._first_contact(job, case.distance)
        self.heap.push(time + delay, ARRIVE, desk, job)

    def _begin_block(
        self, time: float, case: Case, first: bool = False, from_desk: bool = False
    ) -> None:
        """Start the case's next block; passing the file on to it is one hand-off (a fork too)."""
        block = case.plan.blocks[case.block]
        case.pending = len(block)
        if not (first or from_desk):
            case.handoffs += 1
        for step in block:
            self._enter_step(time, Job(case, step), first)

    def _enter_step(self, time: float, job: Job, first: bool) -> None:
        case = job.case
        step = case.plan.steps[job.step]
        office = self.layout.department(step.function, case.district)
        distance = self.city_distance if self.layout.city_level[step.function] else case.distance
        delay = self._first_contact(job, distance) if first else self._handoff(job, distance)
        if not self.front_desk and step.counter_days > 0.0:
            government = self._unfetched(case, step.government_docs)
            docs = [*step.applicant_docs, *government]
            risky = len(docs)
            if self.carry:
                docs.extend(step.case_docs)
            self._submit(job, docs, risky, office.counter)
            job.present = not case.online and (first or self.carry)
            job.mean = step.counter_days
            self.heap.push(time + delay, ARRIVE, office.counter, job)
            return
        if not self.front_desk:  # no counter: the back office fetches what the hub holds
            self._unfetched(case, step.government_docs)
        self._to_backoffice(time + delay, job)

    def _to_backoffice(self, time: float, job: Job) -> None:
        job.at_counter = False
        step = job.case.plan.steps[job.step]
        if step.backoffice_days > 0.0:
            job.mean = step.backoffice_days
            office = self.layout.department(step.function, job.case.district)
            self.heap.push(time, ARRIVE, office.backoffice, job)
        else:
            self._step_done(time, job)

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

    def trace_next(self, case_type: int) -> None:
        """Record the journey of the next case of this type in ``traces`` (keyed by case number).

        A trace is a list of ``(day, event, station)``: events are ``open``, ``trip``,
        ``arrive``, ``start``, ``finish``, ``return`` and ``complete`` (station -1 if none).
        """
        self.follow.add(case_type)

    # -- station events ---------------------------------------------------------------------
    def arrive(self, time: float, station: int, job: Job) -> None:
        """ARRIVE event: the job joins the station's queue (or starts at once)."""
        job.enqueued = time
        if job.case.trace is not None:
            job.case.trace.append((time, "arrive", station))
        if self.stations[station].arrive(time, job):
            self._start(time, station, job)

    def finish(self, time: float, station: int, job: Job) -> None:
        """FINISH event: the job's service ends; the next in line starts; the job moves on."""
        following = self.stations[station].finish(time, time - job.enqueued)
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
        duration = self.sample(job.mean)
        job.split[SERVICE] += duration
        if job.case.trace is not None:
            job.case.trace.append((time, "start", station))
        self.heap.push(time + duration, FINISH, station, job)

    def _after_counter(self, time: float, station: int, job: Job) -> None:
        case = job.case
        if job.risky and self.draws.uniform() < 1.0 - math.pow(1.0 - self.p_missing, job.risky):
            case.returns += 1
            if case.trace is not None:
                case.trace.append((time, "return", station))
            delay = self.rework_days * self.draws.exponential()
            job.split[REWORK] += delay
            if job.present:
                step = job.step
                city = step >= 0 and self.layout.city_level[case.plan.steps[step].function]
                delay += self._trip(job, self.city_distance if city else case.distance)
            case.submitted += job.docs
            self.heap.push(time + delay, ARRIVE, station, job)
        elif job.step < 0:
            self._add_split(case, job)
            self._begin_block(time, case, from_desk=True)
        else:
            self._to_backoffice(time, job)

    def _step_done(self, time: float, job: Job) -> None:
        case = job.case
        case.pending -= 1
        if case.pending:
            return  # a fork branch that is not the last: not on the critical path
        self._add_split(case, job)
        case.block += 1
        if case.block < len(case.plan.blocks):
            self._begin_block(time, case)
        else:
            self._complete(time, case)

    @staticmethod
    def _add_split(case: Case, job: Job) -> None:
        split = case.split
        for i, value in enumerate(job.split):
            split[i] += value

    def _complete(self, time: float, case: Case) -> None:
        self.open_cases -= 1
        if case.trace is not None:
            case.trace.append((time, "complete", -1))
        self.records.append(
            (
                case.plan.index,
                case.kind,
                case.applicant,
                case.home,
                case.district,
                case.online,
                case.away,
                case.refused,
                case.arrival,
                time,
                case.trips,
                case.handoffs,
                case.submitted,
                case.submitted - len(case.distinct),
                len(case.offices),
                case.returns,
                case.retrievals,
                *case.split,
            )
        )
