"""Front desks opened during a run (一窗受理 switched on by a ``[[schedule]]`` entry, a
``[[trigger]]`` or ``GovernanceModel.reform``; issue 23 item 1): which districts' desks are open,
and the staff an opening moves. Pure.

The desk is an office of the serving district and replaces its district departments' counters
from the opening day's start, for every case: a case served in d passes d's desk once iff the
desk was open when it opened (the engines' ``use_desks``); a case opened before keeps its plan,
and each of its counter contacts arriving at a counter of d's district departments from then on
is served at d's desk (the engines redirect it on arrival). A district's desk opens when its
levers say ``front_desk = true`` (the levers of its home-district rule set, ``model.schedule``);
it never closes (a schedule cannot switch it off, ``scenarios.schedule``). A scenario whose own
lever is on has every desk open, staffed from the start (``model.offices``).

Staff (the budget is fixed, nobody is hired): at the opening day's start every counter of d's
district departments with no job waiting or in service moves all its servers to d's desk; a
counter still serving jobs that arrived before keeps its servers until it is empty, checked at
each day's start, when they move. City-level departments keep theirs. The plans of needs
sensing not yet in force are moved alike; the desk joins the intake pool at the opening and
each counter leaves it when its servers move (``Sensing.regroup``: until then sensing may
re-divide a serving counter's staff, one server at least); co-production sends no volunteers
to d's counters from the opening (``Coproduction.close``).
"""

from __future__ import annotations

import numpy as np

from govlab.model.coproduction import Coproduction
from govlab.model.offices import Layout
from govlab.model.sensing import Sensing
from govlab.model.staffing import Staffing


class FrontDesks:
    """Which districts' front desks are open, and their counters still serving.

    Attributes:
        open: per district, its desk is open.
        draining: district -> its counter stations still serving jobs that arrived before.
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
        counter_district = np.asarray(layout.counter_district(), dtype=np.int64)
        self.counters = [np.flatnonzero(counter_district == d) for d in range(districts)]
        self.open = np.full(districts, open_at_start, dtype=bool)
        self.draining: dict[int, np.ndarray] = {}
        self.opened_on: dict[int, int] = {}
        self.journeys = journeys
        self.staffing = staffing
        self.sensing = sensing
        self.coproduction = coproduction

    def start_day(self, day: int, wanted: list[bool]) -> None:
        """At the start of ``day``: open the desks of the districts whose levers now say
        ``front_desk`` (``wanted``, per district), then move the servers of every closed
        counter with no job left to its district's desk."""
        opening = [d for d, on in enumerate(wanted) if on and not self.open[d]]
        if opening:
            self.open[opening] = True
            self.journeys.use_desks(self.open.astype(np.int64))
        for district in opening:  # no volunteers at the counters the desk replaces
            self.opened_on[district] = day
            self.draining[district] = self.counters[district]
            self.coproduction.close(self.counters[district])
            self.staffing.extra[self.counters[district]] = 0
        changed = bool(opening)
        stations = self.journeys.stations
        for district, counters in list(self.draining.items()):
            busy = np.array([stations[c].in_system > 0 for c in counters], dtype=bool)
            if district in opening or not busy.all():  # an opening desk joins the intake pool
                self._move(district, counters[~busy])
                changed = True
            if busy.any():
                self.draining[district] = counters[busy]
            else:
                del self.draining[district]
        if changed:  # the stations take their new staff now
            self.staffing.apply(float(day))

    def _move(self, district: int, counters: np.ndarray) -> None:
        """The servers of ``counters`` (in the allocation and the plans pending) move to the
        district's desk; the counters leave the sensing pools, the desk is in the intake one."""
        desk = int(self.desks[district])

        def move(plan: np.ndarray) -> None:
            plan[desk] += int(plan[counters].sum())
            plan[counters] = 0

        move(self.staffing.allocation)
        self.sensing.regroup(move, counters, desk)
