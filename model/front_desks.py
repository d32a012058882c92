"""Front desks opened during a run (一窗受理 switched on by a ``[[schedule]]`` entry, a
``[[trigger]]`` or ``GovernanceModel.reform``; issue 23 item 1): which districts' desks are open,
and the staff an opening moves. Pure.

The desk is an office of the serving district: a case passes the desk of the district that
serves it iff that desk was open when the case opened, and keeps its intake to its end (the
engines' ``use_desks``). A district's desk opens when its levers say ``front_desk = true`` (the
levers of its home-district rule set, ``model.schedule``); it never closes (a schedule cannot
switch it off, ``scenarios.schedule``). A scenario whose own lever is on has every desk open,
staffed from the start (``model.offices``).

Staff, at the opening day's start in district d (the staff budget is fixed, nobody is hired):
each counter of d's district departments keeps one server of its allocation (if it had any) for
the cases opened before that still have counter contacts; every other server of those counters
moves to d's desk. At each day's start, the opening day's included, once no case served in d
that opened without a desk is still open (``open_at_counters``, counted exactly by both
engines), the counters' last servers move to the desk too. City-level departments keep theirs.
The plans of needs sensing not yet in force are moved alike, the desk joins its intake pool and
d's counters leave it (``Sensing.regroup``), and co-production sends no volunteers to them
(``Coproduction.close``): the one server a counter keeps is the only one it has.
"""

from __future__ import annotations

import numpy as np

from govlab.model.coproduction import Coproduction
from govlab.model.offices import FRONT_DESK, Layout
from govlab.model.sensing import Sensing
from govlab.model.staffing import Staffing


class FrontDesks:
    """Which districts' front desks are open, and their counters still serving old cases.

    Attributes:
        open: per district, its desk is open.
        draining: district -> the counter stations that kept one server for its old cases.
        opened_on: district -> the day (working-day index) its desk opened during the run.
    """

    def __init__(
        self,
        layout: Layout,
        open_at_start: bool,
        journeys,
        staffing: Staffing,
        sensing: Sensing,
        coproduction: Coproduction,
    ) -> None:
        districts = len(layout.front_desks)
        self.desks = np.asarray(layout.front_desks, dtype=np.int64)
        self.counters = [
            np.array(
                [o.counter for o in layout.offices if o.district == d and o.function != FRONT_DESK],
                dtype=np.int64,
            )
            for d in range(districts)
        ]
        self.open = np.full(districts, open_at_start, dtype=bool)
        self.draining: dict[int, np.ndarray] = {}
        self.opened_on: dict[int, int] = {}
        self.journeys = journeys
        self.staffing = staffing
        self.sensing = sensing
        self.coproduction = coproduction

    def start_day(self, day: int, wanted: list[bool]) -> None:
        """At the start of ``day``: open the desks of the districts whose levers now say
        ``front_desk`` (``wanted``, per district), then move the last counter servers of every
        district whose old cases are all done."""
        opening = [d for d, on in enumerate(wanted) if on and not self.open[d]]
        if opening:
            self.open[opening] = True
            self.journeys.use_desks(self.open.astype(np.int64))
        time = float(day)
        for district in opening:
            self.opened_on[district] = day
            self._open(district, time)
        if self.draining:
            old = self.journeys.open_at_counters()
            for district in [d for d in self.draining if old[d] == 0]:
                self._close(district, time)

    def _open(self, district: int, time: float) -> None:
        counters, desk = self.counters[district], int(self.desks[district])
        keep = counters[self.staffing.allocation[counters] > 0]

        def move(plan: np.ndarray) -> None:
            plan[desk] += int(plan[counters].sum()) - len(keep)
            plan[counters] = 0
            plan[keep] = 1

        self._move(move, counters, desk, time)
        self.draining[district] = keep

    def _close(self, district: int, time: float) -> None:
        keep, desk = self.draining.pop(district), int(self.desks[district])

        def move(plan: np.ndarray) -> None:
            plan[desk] += int(plan[keep].sum())
            plan[keep] = 0

        self._move(move, keep, desk, time)

    def _move(self, move, counters: np.ndarray, desk: int, time: float) -> None:
        """Apply ``move`` to the allocation and the plans pending; the counters lose their
        volunteers; the stations take their new staff at ``time``."""
        staffing = self.staffing
        move(staffing.allocation)
        self.sensing.regroup(move, counters, desk)
        self.coproduction.close(counters)
        staffing.extra[counters] = 0
        staffing.apply(time)
