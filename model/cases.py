"""What a service journey carries (``model.journey``): the levers and world parameters it follows
(``Rules``, shared with the compiled engine), the applicants' homes and skills (``Applicants``), a
case in progress (``Case``: its counters and critical-path time split), a case at one step
(``Job``: where it is, its own split), a job's service time (``service_time``: the case's own
draws, ``model.draws``) and the record of a completed case (``record_of``, one row of
``model.records.RECORD_FIELDS``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govlab.model import draws
from govlab.model.records import RESIDENT
from govlab.model.routes import CasePlan, StepPlan, compile_plans
from govlab.scenarios import Scenario


@dataclass(frozen=True, slots=True)
class Rules:
    """The levers and world parameters a journey follows, in day units (for both engines)."""

    districts: int
    carry: bool  # the applicant carries the file between offices (handoff = applicant)
    anywhere: bool  # served in any district (cross_district = anywhere)
    share: float  # data sharing: probability the hub holds a government document
    online_coverage: float
    skill_threshold: float
    away_share: float
    refusal: float
    p_missing: float  # probability one risky document is missing at a counter visit
    trip_base: float
    trip_per_district: float
    city_distance: float
    rework_days: float
    visit_gap_days: float
    courier_days: float
    electronic_days: float
    distribution: str
    cv: float
    plans: tuple[CasePlan, ...]  # each case type's plan under these levers (approval, routes)

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Rules:
        """The rules and plans of ``scenario`` (its catalogue as the model runs it: re-engineered,
        ``model.reengineering``)."""
        world, levers = scenario.world, scenario.levers
        hours = world.working_hours_per_day
        return cls(
            districts=world.districts,
            carry=levers.handoff == "applicant",
            anywhere=levers.cross_district == "anywhere",
            share=levers.data_sharing,
            online_coverage=levers.online_coverage,
            skill_threshold=world.digital_skill_threshold,
            away_share=world.away_from_home_share if world.districts > 1 else 0.0,
            refusal=world.refusal_probability,
            p_missing=world.p_missing_document
            * (1.0 - world.transparency_effect * levers.transparency),
            trip_base=world.travel_base_hours / hours,
            trip_per_district=world.travel_per_district_hours / hours,
            city_distance=world.city_centre_distance,
            rework_days=world.rework_days,
            visit_gap_days=world.visit_gap_days,
            courier_days=world.courier_days,
            electronic_days=world.electronic_handoff_hours / hours,
            distribution=world.service_time_distribution,
            cv=world.service_time_cv,
            plans=compile_plans(scenario),
        )


@dataclass(frozen=True, slots=True)
class Applicants:
    """Home district and digital skill of residents (kind 0) and enterprises (kind 1), by row."""

    resident_district: np.ndarray
    resident_skill: np.ndarray
    enterprise_district: np.ndarray
    enterprise_skill: np.ndarray

    def of(self, kind: int) -> tuple[np.ndarray, np.ndarray]:
        if kind == RESIDENT:
            return self.resident_district, self.resident_skill
        return self.enterprise_district, self.enterprise_skill


class Case:
    """One applicant's transaction in progress (counters and the critical-path time split)."""

    __slots__ = (
        "applicant",
        "arrival",
        "arrived",
        "away",
        "desk",
        "distance",
        "distinct",
        "district",
        "fetched",
        "handoffs",
        "home",
        "kind",
        "loops",
        "number",
        "offices",
        "online",
        "pending",
        "plan",
        "refused",
        "retrievals",
        "returns",
        "rule_set",
        "rules",
        "skipped",
        "split",
        "submitted",
        "trace",
        "trips",
    )

    def __init__(
        self, plan: CasePlan, kind: int, applicant: int, home: int, time: float, number: int
    ):
        self.plan = plan
        self.number = number  # opening order, 1, 2, ...: the key of its random numbers
        self.kind = kind
        self.applicant = applicant
        self.home = home
        self.arrival = time
        self.pending = 0  # steps not yet ended
        # per step: the bits of its predecessors that have ended (``CasePlan.slots``); the step
        # is ready when all have
        self.arrived: list[int] = []
        self.skipped: set[int] = set()  # steps a branch skipped (they end at once, no work)
        self.loops = 0  # loops back taken so far
        self.submitted = 0
        self.distinct: set[int] = set()
        self.offices: set[int] = set()
        self.trips = self.handoffs = self.returns = self.retrievals = 0
        self.refused = False
        self.split = [0.0, 0.0, 0.0, 0.0, 0.0]
        self.trace: list[tuple[float, str, int]] | None = None
        self.rules: Rules | None = None  # set when it opens (``Journeys.open_case``)
        self.rule_set = 0  # the index of its rules among the engine's rule sets
        # intake at its serving district's front desk: the desk was open when it opened (kept)
        self.desk = False


WAIT, SERVICE, HANDOFF, TRAVEL, REWORK = range(5)


class Job:
    """A case at one step (or the front desk, step -1): where it is and its own time split."""

    __slots__ = (
        "at_counter",
        "at_risk",
        "case",
        "docs",
        "enqueued",
        "present",
        "round",
        "split",
        "started",
        "step",
        "visit",
    )

    def __init__(self, case: Case, step: int, split: list[float] | None = None) -> None:
        self.case = case
        self.step = step
        self.visit = 0  # counter visits before this one (returns for missing documents)
        self.round = case.loops  # loops of its case before it: keys its fresh numbers
        self.at_counter = False
        self.present = False
        self.docs = 0
        self.at_risk: list[tuple[int, int]] = []
        self.enqueued = 0.0
        self.started = 0.0  # when its current service began
        self.split = list(split) if split is not None else [0.0, 0.0, 0.0, 0.0, 0.0]


def _parts_time(
    key: int,
    job: Job,
    step: StepPlan,
    counter: bool,
    visit: int,
    shape: tuple[int, float, float],
) -> float:
    """The summed counter (or back-office) times of the catalogue steps ``step`` stands for
    (one unless bundled): each one's mean times the case's number for its draw step (in the
    job's round: a step done again after a loop takes fresh numbers)."""
    purpose = draws.COUNTER if counter else draws.BACKOFFICE
    number, again = job.case.number, draws.in_round(0, job.round)
    total = 0.0
    for part, counter_days, backoffice_days in step.parts:
        days = counter_days if counter else backoffice_days
        if days > 0.0:
            total += days * draws.service_factor(key, number, purpose, part + again, visit, *shape)
    return total


def service_time(key: int, job: Job, distribution: int, sigma: float, shift: float) -> float:
    """The job's service time in days (``_parts_time`` of its step; at the front desk, the sum of
    the counter times of every step: the same numbers a silo's counters would take), under the
    service key ``key`` and the time distribution (``draws.DISTRIBUTIONS`` index, lognormal
    ``sigma`` and ``shift``)."""
    case, shape = job.case, (distribution, sigma, shift)
    if not job.at_counter:
        return _parts_time(key, job, case.plan.steps[job.step], False, 0, shape)
    if job.step >= 0:
        return _parts_time(key, job, case.plan.steps[job.step], True, job.visit, shape)
    total = 0.0
    for step in case.plan.steps:
        total += _parts_time(key, job, step, True, job.visit, shape)
    return total


def record_of(case: Case, time: float) -> tuple:
    """The record of ``case`` completed at ``time`` (days), in ``RECORD_FIELDS`` order."""
    return (
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
        case.rule_set,
        *case.split,
    )
