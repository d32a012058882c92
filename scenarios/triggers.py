"""Adaptive policies of a scenario (``[[trigger]]``): signposts on monitored metrics and the lever
change they trigger (issue 23 item 3), validated.

A trigger watches one metric — the mean delay of the cases completed (``delay_mean_days``) or the
response office's share of requests answered within its deadline (``response_rate``) — as a
rolling mean over the last ``window_days`` days. Its condition (``above`` or ``below`` a
threshold) must hold on ``for_days`` consecutive days; it is checked on review days only (every
``review_days`` days from ``from_day``), and when it holds on a review day the trigger fires: its
``levers`` apply from that day's start to the cases opened from then on, as a ``[[schedule]]``
entry would. It fires at most once per district (a reform, not a thermostat).

``watch = "district"`` watches each covered district on its own (its applicants' cases, by home
district) and switches that district alone; ``watch = "city"`` watches the covered districts
together (all of them: the city) and switches them all at once. ``response_rate`` is a city
figure: it needs ``watch = "city"``. Only the schedulable levers (``scenarios.schedule.
SCHEDULABLE``) and re-engineering options (``reengineering = {...}``, as a schedule entry's) can
be triggered; a city-wide lever by a city watch over every district. The
thresholds are fields like any other, so ``discover`` and ``optimise`` explore them by path
(``trigger.0.above``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from govlab.scenarios.fields import Frozen
from govlab.scenarios.schedule import (
    SCHEDULABLE,
    InForce,
    ScheduledLevers,
    ScheduledReengineering,
    check_districts,
    what_is_set,
)

MONITORED = ("delay_mean_days", "response_rate")
MAX_LEVER_STATES = 64  # rule sets a schedule and its triggers may reach (both engines' tables)


class Trigger(Frozen):
    """When a monitored metric crosses a threshold for long enough, set some levers."""

    metric: Literal["delay_mean_days", "response_rate"] = Field(
        description="the monitored metric: mean delay of completed cases (days) or the response "
        "office's share answered within the deadline (0-1)"
    )
    above: float | None = Field(
        None, ge=0.0, le=1e6, description="fires when the rolling mean is above this"
    )
    below: float | None = Field(
        None, ge=0.0, le=1e6, description="fires when the rolling mean is below this"
    )
    window_days: int = Field(10, ge=1, le=1000, description="rolling window of the metric; days")
    for_days: int = Field(1, ge=1, le=1000, description="consecutive days the condition must hold")
    review_days: int = Field(1, ge=1, le=1000, description="checked every this many days; days")
    from_day: int = Field(0, ge=0, le=100_000, description="first review day (working-day index)")
    watch: Literal["district", "city"] = Field(
        "district",
        description="each covered district watched and switched alone, or all of them together",
    )
    districts: tuple[int, ...] = Field(
        (), description="districts covered (0-based); all when omitted", strict=False
    )
    levers: ScheduledLevers = Field(
        default_factory=ScheduledLevers, description="the levers set when it fires"
    )
    reengineering: ScheduledReengineering = Field(
        default_factory=ScheduledReengineering,
        description="the re-engineering options set when it fires (``[reengineering]``)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Trigger:
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of above = X or below = X")
        if self.metric == "response_rate" and self.watch != "city":
            raise ValueError('metric: response_rate is a city figure; needs watch = "city"')
        if not self.update():
            raise ValueError(
                f"levers: a trigger sets at least one of: {', '.join(SCHEDULABLE)}, or a "
                "reengineering option"
            )
        city = self.levers.city_wide()
        if city and (self.watch != "city" or self.districts):
            raise ValueError(
                f"levers: {', '.join(city)} acts on the whole city; a trigger setting it watches "
                'the city (watch = "city") and names no districts'
            )
        return self

    def update(self) -> dict:
        """What it sets when it fires (``what_is_set``)."""
        return what_is_set(self.levers, self.reengineering)

    def holds(self, rolling_mean: float) -> bool:
        """The condition on one day's rolling mean (never on a day without any observation)."""
        if rolling_mean != rolling_mean:  # nan: nothing observed in the window
            return False
        return rolling_mean > self.above if self.above is not None else rolling_mean < self.below


def check_triggers(scenario) -> None:
    """Districts named by triggers exist, and the schedule and triggers reach few lever states."""
    check_districts(scenario, "trigger")
    if scenario.trigger:
        states = len(lever_states(scenario))
        if states > MAX_LEVER_STATES:
            raise ValueError(
                f"trigger: the schedule and triggers can reach {states} lever combinations; at "
                f"most {MAX_LEVER_STATES} (set fewer distinct lever values)"
            )


def lever_states(scenario) -> list[InForce]:
    """Every combination of levers and re-engineering a district can be in: the scenario's own
    with any sequence of the schedule's and the triggers' changes applied (the engines' rule
    sets), first the scenario's own."""
    updates = [(None, entry.update()) for entry in scenario.schedule]
    updates += [(index, trigger.update()) for index, trigger in enumerate(scenario.trigger)]
    own = InForce.of(scenario)
    states, frontier = [own], [own]
    while frontier and len(states) <= MAX_LEVER_STATES:
        reached = []
        for levers in frontier:
            for trigger, update in updates:
                try:
                    new = levers.updated(update)
                except ValueError as error:
                    if trigger is None:  # an order of the entries the schedule never takes
                        continue
                    raise ValueError(f"trigger.{trigger}.reengineering: {error}") from None
                if new not in states and new not in reached:
                    reached.append(new)
        states += reached
        frontier = reached
    return states
