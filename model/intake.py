"""What moves with the applicant and the file on a case's journey (``model.journey``, whose
``Journeys`` builds on this): the applicant's trips, the first contact with a refusal's detour,
the hand-off of the file between offices, the documents handed in and those the data hub holds,
and a row per visit when asked (``collect_visits``). ``model.kernel.intake`` is this compiled.
"""

from __future__ import annotations

from govlab.model import draws
from govlab.model.cases import HANDOFF, TRAVEL, Case, Job, Rules
from govlab.model.records import A_HANDOFF, A_TRAVEL, VisitRecords


class Intake:
    """Trips, hand-offs and documents of the journeys (attributes set by ``Journeys``)."""

    rules: Rules
    key: int
    visits: VisitRecords | None
    refusals: int

    def collect_visits(self) -> None:
        """Keep a row per visit from now on in ``visits`` (``model.records.VISIT_FIELDS``)."""
        self.visits = VisitRecords()

    def _visit(self, job: Job, activity: int, station: int, times: tuple[float, ...]) -> None:
        case = job.case
        ints = (case.number, case.plan.index, job.step, activity, station, case.online)
        self.visits.append((*ints, case.district, case.rule_set), times)  # type: ignore[union-attr]

    def _trip(self, job: Job, distance: float, start: float) -> float:
        """A trip of the applicant starting at ``start``; return its days."""
        days = self.rules.trip_base + self.rules.trip_per_district * distance
        if self.visits is not None:
            self._visit(job, A_TRAVEL, -1, (start, start, start + days))
        job.case.trips += 1
        if job.case.trace is not None:
            job.case.trace.append((job.case.trace[-1][0], "trip", -1))
        job.split[TRAVEL] += days
        return days

    def _first_contact(self, job: Job, distance: float, time: float) -> float:
        """The first trip from ``time``, with the detour of a refusal at the local office."""
        case = job.case
        if case.online:
            return 0.0
        delay = 0.0
        if (
            case.away
            and not case.rules.anywhere
            and draws.uniform(self.key, case.number, draws.REFUSAL, 0, 0, 0) < self.rules.refusal
        ):
            case.refused = True
            self.refusals += 1
            delay += self._trip(job, 0.0, time)
        return delay + self._trip(job, distance, time + delay)

    def _handoff(self, job: Job, distance: float, time: float) -> float:
        """Move the file to the next office from ``time``: courier, electronic, or the
        applicant's next trip."""
        # the same number for a visit gap or a courier at this step
        key = draws.in_round(job.case.plan.steps[job.step].key, job.round)
        luck = draws.exponential(self.key, job.case.number, draws.HANDOFF, key, 0, 0)
        if job.case.rules.carry and not job.case.desk and not job.case.online:
            gap = self.rules.visit_gap_days * luck
            job.split[HANDOFF] += gap
            if self.visits is not None:
                self._visit(job, A_HANDOFF, -1, (time, time, time + gap))
            return gap + self._trip(job, distance, time + gap)
        if job.case.rules.carry and job.case.desk:
            days = self.rules.courier_days * luck
        else:
            days = self.rules.electronic_days
        job.split[HANDOFF] += days
        if self.visits is not None:
            self._visit(job, A_HANDOFF, -1, (time, time, time + days))
        return days

    def _submit(
        self, job: Job, docs: list[int], at_risk: list[tuple[int, int]], office: int
    ) -> None:
        """Hand in ``docs``; those of ``at_risk`` (``(draw step, document)``: the step whose
        number decides it, ``StepPlan.key``) may each be missing at a visit."""
        case = job.case
        case.submitted += len(docs)
        case.distinct.update(docs)
        case.offices.add(office)
        job.docs = len(docs)
        job.at_risk = at_risk
        job.at_counter = True

    def _unfetched(self, case: Case, docs: tuple[int, ...]) -> list[int]:
        fetched = case.fetched
        if not fetched:
            return list(docs)
        case.retrievals += sum(doc in fetched for doc in docs)
        return [doc for doc in docs if doc not in fetched]
