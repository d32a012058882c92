"""The staff budget at build time: levers that need staff take it from the departments (issue 14).

``scenarios.costs.staff_plan`` says how many servers the scenario's levers take beyond the budget
raise it pays for. They are withdrawn from the office layout before the run starts, one server at
a time from the station with the most servers (the earliest station on ties), never emptying a
station that had staff: a budget office spreading a cut where it hurts least per server. The
departments then serve with what is left, so an unfunded reform shows its cost in delay.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from govlab.model.offices import Layout
from govlab.scenarios.costs import staff_plan


def withdraw(servers: list[int], count: int) -> list[int]:
    """``servers`` per station after taking ``count`` away, largest station first, never
    below one server on a staffed station (fewer are taken if nothing more can go)."""
    left = np.asarray(servers, dtype=np.int64).copy()
    for _ in range(count):
        spare = np.where(left > 1, left, 0)
        if not spare.any():
            break
        left[int(np.argmax(spare))] -= 1
    return left.tolist()


def funded_layout(scenario, layout: Layout) -> Layout:
    """``layout`` with the servers the levers take beyond the budget raise withdrawn."""
    _, _, count = staff_plan(scenario)
    if count == 0:
        return layout
    left = withdraw(layout.staff(), count)
    offices = tuple(
        dataclasses.replace(
            office,
            counter_staff=left[office.counter],
            backoffice_staff=office.backoffice_staff
            if office.backoffice is None
            else left[office.backoffice],
        )
        for office in layout.offices
    )
    return dataclasses.replace(layout, offices=offices)
