"""The levers in force in each district, day by day: a scenario's ``[[schedule]]`` (issue 23
item 1) and the changes its ``[[trigger]]`` adaptive policies fire (item 3), as the engines follow
them.

``RuleTimeline`` holds the lever combinations a district can be in (``levers``, index 0 the
scenario's own), the journey rules of each (``rule_sets``, the engines' tables) and the schedule's
entries by day. ``LeversInForce`` keeps each home district's levers during a run: at a day's start
the model applies that day's entries, then the changes triggers fired, and hands the engines the
rule set of each district (``use_rules``). A case takes the rule set of its applicant's home
district when it opens and keeps it to its end (the rules it started with). The front desk is
the exception: a district whose levers say ``front_desk`` has its desk open, and a case passes
the desk of the district serving it if that desk was open when it opened (``model.front_desks``
opens it and moves the staff). Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from govlab.model.cases import Rules
from govlab.scenarios import Scenario
from govlab.scenarios.levers import Levers
from govlab.scenarios.triggers import lever_states

Change = tuple[tuple[int, ...], dict[str, Any]]  # (home districts, or () for all; levers set)


@dataclass(frozen=True, slots=True)
class RuleTimeline:
    """The lever combinations of a run, their journey rules and the schedule's entries.

    Attributes:
        levers: the lever combinations a district can be in, index 0 the scenario's levers.
        rule_sets: the journey rules of each combination (same index).
        entries: day -> the schedule's changes that day, in file order.
    """

    levers: tuple[Levers, ...]
    rule_sets: tuple[Rules, ...]
    entries: dict[int, list[Change]]


def rule_timeline(scenario: Scenario) -> RuleTimeline:
    """The lever combinations, rule sets and entries of ``scenario.schedule`` and its triggers.

    Without triggers, the combinations are those the schedule reaches (entries in day order,
    file order within a day; a later entry overrides an earlier one where both set a lever);
    with triggers, every combination any order of the changes can reach (``lever_states``).
    """
    entries: dict[int, list[Change]] = {}
    for entry in sorted(scenario.schedule, key=lambda e: e.day):
        entries.setdefault(entry.day, []).append((entry.districts, entry.levers.given()))
    if scenario.trigger:
        states = lever_states(scenario)
    else:
        states, current = [scenario.levers], [scenario.levers] * scenario.world.districts
        for day in sorted(entries):
            for districts, update in entries[day]:
                set_levers(current, districts, update)
            for levers in current:
                if levers not in states:
                    states.append(levers)
    rule_sets = tuple(
        Rules.from_scenario(scenario.model_copy(update={"levers": levers})) for levers in states
    )
    return RuleTimeline(tuple(states), rule_sets, entries)


def set_levers(levers: list[Levers], districts: tuple[int, ...], update: dict[str, Any]) -> None:
    """Set ``update`` in the ``levers`` of ``districts`` (every district when empty), in place."""
    for district in districts or range(len(levers)):
        levers[district] = levers[district].model_copy(update=update)


@dataclass
class LeversInForce:
    """Each home district's levers now, and the rule set the engines follow there."""

    timeline: RuleTimeline
    districts: int
    levers: list[Levers] = field(init=False)

    history: list[tuple[int, tuple[Levers, ...]]] = field(init=False)  # (from day, levers)
    states: list[Levers] = field(init=False)  # the rule sets' levers, planned or not

    def __post_init__(self) -> None:
        self.levers = [self.timeline.levers[0]] * self.districts
        self.history = [(0, tuple(self.levers))]
        self.states = list(self.timeline.levers)

    def start_day(self, day: int, fired: list[Change]) -> np.ndarray | None:
        """Apply the schedule's entries of ``day``, then the triggers' ``fired`` changes; return
        the rule set index of each home district if anything was set, else None."""
        changes = [*self.timeline.entries.get(day, ()), *fired]
        for districts, update in changes:
            set_levers(self.levers, districts, update)
        if not changes:
            return None
        self.history.append((day, tuple(self.levers)))
        return self.rule_of()

    def spells(self, start: float, end: float) -> list[tuple[tuple[Levers, ...], float]]:
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
