"""What each district is under, day by day: a scenario's ``[[schedule]]`` (issue 23 item 1) and
the changes its ``[[trigger]]`` adaptive policies fire (item 3), as the engines follow them.

``RuleTimeline`` holds what a district can be under (``levers``: ``scenarios.schedule.InForce``,
the levers and the re-engineering; index 0 the scenario's own), the journey rules and case plans
of each (``rule_sets``, the engines' tables: ``rule_set`` compiles them from the scenario under
that state) and the schedule's entries by day. ``LeversInForce`` keeps each home district's state
during a run: at a day's start the model applies that day's entries, then the changes triggers
fired, and hands the engines the rule set of each district (``use_rules``). A case takes the rule
set of its applicant's home district when it opens and keeps it to its end (the rules and the
plan it started with). The front desk is the exception: a district whose levers say
``front_desk`` has its desk open, and a case passes the desk of the district serving it if that
desk was open when it opened (``model.front_desks`` opens it and moves the staff). Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from govlab.model.cases import Rules
from govlab.model.reengineering import reengineered
from govlab.scenarios import Scenario
from govlab.scenarios.schedule import REENGINEERING, Change, InForce, scheduled_states, set_in_force
from govlab.scenarios.triggers import lever_states


@dataclass(frozen=True, slots=True)
class RuleTimeline:
    """The lever combinations of a run, their journey rules and the schedule's entries.

    Attributes:
        levers: what a district can be under (``InForce``), index 0 the scenario's own.
        rule_sets: the journey rules and plans of each (same index).
        entries: day -> the schedule's changes that day, in file order.
    """

    levers: tuple[InForce, ...]
    rule_sets: tuple[Rules, ...]
    entries: dict[int, list[Change]]


def scenario_in_force(scenario: Scenario, state: InForce) -> Scenario:
    """``scenario`` under ``state``: its levers, and its catalogue re-engineered as the state
    says (``model.reengineering``)."""
    return reengineered(
        scenario.model_copy(update={"levers": state.levers, REENGINEERING: state.reengineering})
    )


def rule_set(scenario: Scenario, state: InForce) -> Rules:
    """The journey rules and case plans of ``scenario`` under ``state``."""
    return Rules.from_scenario(scenario_in_force(scenario, state))


def rule_timeline(scenario: Scenario) -> RuleTimeline:
    """The lever combinations, rule sets and entries of ``scenario.schedule`` and its triggers.

    Without triggers, the combinations are those the schedule reaches (``scheduled_states``);
    with triggers, every combination any order of the changes can reach (``lever_states``).
    """
    states, entries = scheduled_states(scenario)
    if scenario.trigger:
        states = lever_states(scenario)
    rule_sets = tuple(rule_set(scenario, state) for state in states)
    return RuleTimeline(tuple(states), rule_sets, entries)


@dataclass
class LeversInForce:
    """Each home district's levers now, and the rule set the engines follow there."""

    timeline: RuleTimeline
    districts: int
    levers: list[InForce] = field(init=False)

    history: list[tuple[int, tuple[InForce, ...]]] = field(init=False)  # (from day, levers)
    states: list[InForce] = field(init=False)  # the rule sets' levers, planned or not

    def __post_init__(self) -> None:
        self.levers = [self.timeline.levers[0]] * self.districts
        self.history = [(0, tuple(self.levers))]
        self.states = list(self.timeline.levers)

    def start_day(self, day: int, fired: list[Change]) -> np.ndarray | None:
        """Apply the schedule's entries of ``day``, then the triggers' ``fired`` changes; return
        the rule set index of each home district if anything was set, else None."""
        changes = [*self.timeline.entries.get(day, ()), *fired]
        for districts, update in changes:
            set_in_force(self.levers, districts, update)
        if not changes:
            return None
        self.history.append((day, tuple(self.levers)))
        return self.rule_of()

    def spells(self, start: float, end: float) -> list[tuple[tuple[InForce, ...], float]]:
        """The levers of every district during [start, end) (days), as (levers, days) spells."""
        bounds = [day for day, _ in self.history[1:]] + [math.inf]
        spells = []
        for (begin, levers), until in zip(self.history, bounds, strict=True):
            days = min(until, end) - max(begin, start)
            if days > 0:
                spells.append((levers, days))
        return spells

    def rule_of(self) -> np.ndarray:
        """The rule set index of each home district now (int64); a combination no rule set has
        yet (a change the run did not plan) is added to ``states`` at the next index."""
        for levers in self.levers:
            if levers not in self.states:
                self.states.append(levers)
        return np.array([self.states.index(levers) for levers in self.levers], dtype=np.int64)
