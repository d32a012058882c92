"""A scenario's lever schedule as the engines follow it (issue 23 item 1, ``[[schedule]]``).

``RuleTimeline`` holds the distinct journey rules the run will use (``rule_sets``, the first from
the scenario's own levers) and, for each day on which the schedule changes something, the index of
the rule set of each home district from that day (``changes``). A case takes the rule set of its
applicant's home district when it opens and keeps it to its end (the rules it started with); the
model hands the engines each day's change at the day's start (``GovernanceModel.step``). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govlab.model.cases import Rules
from govlab.scenarios import Scenario


@dataclass(frozen=True, slots=True)
class RuleTimeline:
    """The rule sets of a run and the days on which districts switch between them.

    Attributes:
        rule_sets: the journey rules, index 0 from the scenario's levers.
        changes: day -> rule set index per home district from that day on (int64 array).
    """

    rule_sets: tuple[Rules, ...]
    changes: dict[int, np.ndarray]


def rule_timeline(scenario: Scenario) -> RuleTimeline:
    """The rule sets and switching days of ``scenario.schedule`` (entries in day order, file order
    within a day; a later entry overrides an earlier one where both set a lever)."""
    districts = scenario.world.districts
    current = [scenario.levers] * districts
    levers_of_set = [scenario.levers]
    changes: dict[int, np.ndarray] = {}
    for entry in sorted(scenario.schedule, key=lambda e: e.day):
        update = entry.levers.given()
        for district in entry.districts or range(districts):
            current[district] = current[district].model_copy(update=update)
        index = []
        for levers in current:
            if levers not in levers_of_set:
                levers_of_set.append(levers)
            index.append(levers_of_set.index(levers))
        changes[entry.day] = np.array(index, dtype=np.int64)
    rule_sets = tuple(
        Rules.from_scenario(scenario.model_copy(update={"levers": levers}))
        for levers in levers_of_set
    )
    return RuleTimeline(rule_sets, changes)
