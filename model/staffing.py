"""The staff plan: servers per station = sensed allocation (step 9) + co-produced extra (step 8).

Needs sensing moves the fixed staff budget between stations; co-production adds volunteer
capacity on top; the response office's handlers are taken out of the back offices at the start
(``transfer_to_office``), so that staffing the office costs service capacity. This module holds
the plan and applies it to the stations through ``set_staff_many`` of the service engine (which
starts the queued jobs that newly free servers take).
"""

from __future__ import annotations

import numpy as np

from govlab.model.offices import Layout


class Staffing:
    """Allocation and co-produced extra servers per station, applied to the journeys."""

    def __init__(self, layout: Layout, journeys) -> None:
        self.journeys = journeys
        self.initial = np.asarray(layout.staff(), dtype=np.int64)
        self.allocation = self.initial.copy()
        self.extra = np.zeros_like(self.initial)
        self.hired = np.zeros_like(self.initial)  # beyond the budget, from a scheduled time limit
        district = np.full(layout.n_stations, -1, dtype=np.int64)
        backoffice = np.zeros(layout.n_stations, dtype=bool)
        for office in layout.offices:
            if office.district is not None:
                district[office.counter] = office.district
            if office.backoffice is not None:
                backoffice[office.backoffice] = True
                if office.district is not None:
                    district[office.backoffice] = office.district
        self.district = district  # -1 for city-level stations
        self.backoffice = backoffice
        self.extra_days = 0.0
        self.staff_days = 0.0

    def transfer_to_office(self, handlers: int, time: float = 0.0) -> int:
        """Move ``handlers`` servers out of the back offices into the response office (the staff
        budget is fixed): one at a time from the back office with the most servers (lowest
        index on ties), never below one; return how many were moved."""
        moved = 0
        allocation = self.allocation
        for _ in range(handlers):
            spare = np.where(self.backoffice & (allocation > 1), allocation, 0)
            if not spare.any():
                break
            allocation[int(np.argmax(spare))] -= 1
            moved += 1
        self.initial = allocation.copy()
        self.apply(time)
        return moved

    def servers(self) -> np.ndarray:
        return self.allocation + self.extra + self.hired

    def hire(self, extra_by_district: np.ndarray, time: float) -> None:
        """The back-office servers a scheduled time limit adds beyond the scenario's own
        (``extra_by_district[d]`` in every back office of district d; in the city's back offices
        the largest, as they serve every district), applied at ``time`` (days). They stay in their
        departments: sensing re-divides only the budget it had."""
        city = int(extra_by_district.max(initial=0))
        per_station = np.where(
            self.district >= 0, extra_by_district[np.maximum(self.district, 0)], city
        )
        self.hired = np.where(self.backoffice, per_station, 0).astype(np.int64)
        self.apply(time)

    def apply(self, time: float) -> None:
        """Set every station whose planned servers changed, at ``time`` (days)."""
        target = self.servers()
        changed = np.flatnonzero(target != self._current())
        self.journeys.set_staff_many(time, changed, target[changed])

    def _current(self) -> np.ndarray:
        return np.fromiter((s.servers for s in self.journeys.stations), dtype=np.int64)

    def record_day(self) -> None:
        """Accumulate the day's co-produced and total server-days (for ``coproduction_share``)."""
        self.extra_days += float(self.extra.sum())
        self.staff_days += float(self.servers().sum())
