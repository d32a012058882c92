"""Adaptive policies at run time (``[[trigger]]``, ``scenarios.triggers``): the monitored series
and the decision to fire (issue 23 item 3). Pure.

``Signposts`` observes, at each day's end, the day's completed cases (count and summed delay by
the applicant's home district) and the response office's requests handled that day (count and
answered within the deadline). For each trigger and each unit it watches (a district, or the
city), it keeps the run of consecutive days on which the rolling mean over ``window_days`` met the
condition. At the start of a review day, a unit whose run has reached ``for_days`` fires: the
trigger's levers are handed to ``model.schedule.LeversInForce`` for the districts of that unit,
from that day. Each (trigger, unit) fires once. The decision reads only yesterday's and earlier
observations, and draws no random number: a run equals the same run without the trigger up to
the day it fires.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from govlab.model.schedule import Change
from govlab.scenarios.triggers import Trigger


@dataclass(frozen=True, slots=True)
class Firing:
    """One trigger fired: which (index in ``[[trigger]]``), where (district, or -1 for the city)
    and the working day from whose start its levers apply."""

    trigger: int
    district: int
    day: int


@dataclass
class Signposts:
    """The monitored series of a run and the triggers' state."""

    triggers: tuple[Trigger, ...]
    districts: int
    completions: list[np.ndarray] = field(default_factory=list)  # per day, by home district
    delay_sums: list[np.ndarray] = field(default_factory=list)  # per day, by home district; days
    requests: list[int] = field(default_factory=list)  # per day, handled by the response office
    answered: list[int] = field(default_factory=list)  # per day, answered within the deadline
    fired: list[Firing] = field(default_factory=list)
    runs: dict[tuple[int, int], int] = field(default_factory=dict)  # (trigger, unit) -> days
    _seen: tuple[int, int] = (0, 0)  # the office's counts at the last observation

    def observe(
        self, home: np.ndarray, delay_days: np.ndarray, requests_so_far: int, answered_so_far: int
    ) -> None:
        """The day's completed cases (home district, delay) and the response office's counts of
        requests handled and answered within the deadline so far (the day's are the increase)."""
        self.completions.append(np.bincount(home, minlength=self.districts))
        self.delay_sums.append(np.bincount(home, weights=delay_days, minlength=self.districts))
        self.requests.append(requests_so_far - self._seen[0])
        self.answered.append(answered_so_far - self._seen[1])
        self._seen = (requests_so_far, answered_so_far)
        for index, trigger in enumerate(self.triggers):
            for unit, value in self._rolling(trigger).items():
                key = (index, unit)
                self.runs[key] = self.runs.get(key, 0) + 1 if trigger.holds(value) else 0

    def _rolling(self, trigger: Trigger) -> dict[int, float]:
        """The rolling mean of the trigger's metric today, per watched unit (-1 = the city)."""
        window = slice(-trigger.window_days, None)
        if trigger.metric == "response_rate":
            handled = sum(self.requests[window])
            return {-1: sum(self.answered[window]) / handled if handled else np.nan}
        count = np.sum(self.completions[window], axis=0)
        total = np.sum(self.delay_sums[window], axis=0)
        covered = trigger.districts or tuple(range(self.districts))
        if trigger.watch == "city":
            n = count[list(covered)].sum()
            return {-1: total[list(covered)].sum() / n if n else np.nan}
        return {d: total[d] / count[d] if count[d] else np.nan for d in covered}

    def fire(self, day: int) -> list[Change]:
        """The changes the triggers fire at the start of ``day`` (recorded in ``fired``)."""
        changes: list[Change] = []
        for index, trigger in enumerate(self.triggers):
            review = day - trigger.from_day
            if review < 0 or review % trigger.review_days:
                continue
            done = {f.district for f in self.fired if f.trigger == index}
            for (which, unit), run in self.runs.items():
                if which != index or unit in done or run < trigger.for_days:
                    continue
                self.fired.append(Firing(index, unit, day))
                districts = trigger.districts if unit == -1 else (unit,)
                changes.append((districts, trigger.update()))
        return changes
