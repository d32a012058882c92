"""The run-out (``GovernanceModel.run_out``): after the last day, the service alone runs on until
every case that arrived before the end is complete, so no delay is censored. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EndState:
    """The service state at the end of the last day, kept by ``GovernanceModel.run_out``.

    Attributes:
        window_end_day: the end of the delay window (the days run); day.
        records: cases completed by then; count (the first rows of ``journeys.records``).
        opened, open_cases, refusals: the engine's counters then; counts.
        area_busy: per station, server-days busy by then.
        reallocations: staff reallocations by needs sensing by then; count.
        runout_days: working days the run-out took.
        runout_open_cases: cases that arrived before the end and were still open when the run-out
            stopped (its cap reached); 0 when every delay is complete.
    """

    window_end_day: float
    records: int
    opened: int
    open_cases: int
    refusals: int
    area_busy: list[float]
    reallocations: int
    runout_days: int
    runout_open_cases: int


# The run-out admits at most this many times the cases opened before the end of the run (see
# ``run_out``): a stable service needs a fraction of one (the ladder: ~0.2).
RUNOUT_ADMISSIONS = 4


def run_out(model) -> EndState:
    """End the run of ``model``: follow the cases that arrived before now to completion.

    The state at the end of the last day is kept (``at_end``: what the civic metrics and the
    counters of the run summary read). Then the service alone keeps running day by day, new
    arrivals included so that the offices stay as busy as they were, until every case that
    arrived before the end is complete, for at most ``world.runout_cap_days`` days and at
    most ``RUNOUT_ADMISSIONS`` times as many new cases as the run opened before its end (an
    overloaded service never drains; this bound keeps its memory finite). Needs
    sensing keeps reallocating staff by its rule (on the frozen participation), since freezing
    a reallocation half done would starve an office; residents, enterprises and co-production
    stay as they were, nothing is evaluated, no series collected (``steps`` does not move).
    Returns the end state with the run-out's days and the cases that arrived before the end and
    are still open after it.
    """
    journeys, records = model.journeys, model.journeys.records
    end = float(model.steps)
    stations = model.stations
    at_end = {
        "window_end_day": end,
        "records": len(records),
        "opened": journeys.opened,
        "open_cases": journeys.open_cases,
        "refusals": journeys.refusals,
        "area_busy": [station.area_busy for station in stations],
        "reallocations": model.sensing.reallocations,
    }
    still_open, seen, days = journeys.open_cases, len(records), 0
    admissions = RUNOUT_ADMISSIONS * max(journeys.opened, 1)
    while (
        still_open
        and days < model.config.world.runout_cap_days
        and journeys.opened - at_end["opened"] < admissions
    ):
        day = end + days
        model.demand(day)
        journeys.advance_to(day + 1.0)
        journeys.close_day(day + 1.0)
        model.sensing.step(model.steps + days + 1, day + 1.0)
        completed = records.table(seen)["arrival_day"]
        still_open -= int((completed < end).sum())
        seen, days = len(records), days + 1
    return EndState(**at_end, runout_days=days, runout_open_cases=still_open)
