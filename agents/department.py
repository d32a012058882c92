"""Department: one office (a function in a district, a city-level function, or a front desk)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from govlab.model.engine import Station
    from govlab.model.offices import Office


class Department(mesa.Agent):
    """A department and its two stations: the intake counter and the back office.

    Attributes:
        function: the department function, or ``"front_desk"``.
        district: district index, or None for a city-level department.
        utilisation: share of staff time busy during the last day; 0-1.
    """

    def __init__(self, model: mesa.Model, office: Office, stations: list[Station]) -> None:
        super().__init__(model)
        self.office = office
        self.function = office.function
        self.district = office.district
        self.counter = stations[office.counter]
        self.backoffice = stations[office.backoffice] if office.backoffice is not None else None
        self.utilisation = 0.0
        self._busy_mark = 0.0

    @property
    def stations(self) -> tuple[Station, ...]:
        """This department's stations (a front desk has only its counter)."""
        return (self.counter,) if self.backoffice is None else (self.counter, self.backoffice)

    @property
    def staff(self) -> int:
        """Servers at the counter and in the back office; count."""
        return sum(station.servers for station in self.stations)

    @property
    def queue_length(self) -> int:
        """Jobs waiting, not yet in service; count."""
        return sum(station.queue_length for station in self.stations)

    @property
    def in_system(self) -> int:
        """Jobs waiting or in service; count."""
        return sum(station.in_system for station in self.stations)

    def close_day(self) -> None:
        """Compute the day's utilisation (the stations' integrals are at the day's end)."""
        busy = 0.0
        for station in self.stations:
            busy += station.area_busy
        staff = self.staff
        self.utilisation = (busy - self._busy_mark) / staff if staff else 0.0
        self._busy_mark = busy
