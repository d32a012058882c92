"""The office layout: which departments exist (function × district, plus city level), their
counter and back-office stations, and the district front desks.

Stations are numbered: department ``i`` has counter ``2 i`` and back office ``2 i + 1``; the
front desk of district ``d`` is ``2 n_departments + d``. Under the front-desk lever, the counter
staff of a district's departments are pooled into its front desk (their own counters keep none);
without it the desks exist with no staff, for a desk opened mid-run (``model.front_desks``).
"""

from __future__ import annotations

from dataclasses import dataclass

from govlab.scenarios import Scenario

FRONT_DESK = "front_desk"


@dataclass(frozen=True, slots=True)
class Office:
    """One department (or front desk): its function, district (None = city level) and stations."""

    function: str
    district: int | None
    counter: int
    backoffice: int | None
    counter_staff: int
    backoffice_staff: int


@dataclass(frozen=True, slots=True)
class Layout:
    """All offices and the lookups the journeys need."""

    offices: tuple[Office, ...]
    functions: tuple[str, ...]
    city_level: tuple[bool, ...]
    department_of: dict[tuple[int, int | None], int]
    front_desks: tuple[int, ...]
    n_stations: int

    def department(self, function: int, district: int) -> Office:
        """The department serving ``function`` for ``district`` (the city one if city level)."""
        key = (function, None if self.city_level[function] else district)
        return self.offices[self.department_of[key]]

    def staff(self) -> list[int]:
        """Initial servers of every station, by station index."""
        servers = [0] * self.n_stations
        for office in self.offices:
            servers[office.counter] = office.counter_staff
            if office.backoffice is not None:
                servers[office.backoffice] = office.backoffice_staff
        return servers

    def counter_district(self) -> list[int]:
        """Per station: the district of a district department's counter (what that district's
        front desk replaces, ``model.front_desks``), -1 for every other station."""
        district = [-1] * self.n_stations
        for office in self.offices:
            if office.district is not None and office.function != FRONT_DESK:
                district[office.counter] = office.district
        return district


def build_layout(scenario: Scenario) -> Layout:
    """Lay out the departments and front desks of a scenario."""
    districts = scenario.world.districts
    pooled = scenario.levers.front_desk
    functions = tuple(scenario.functions)
    city_level = tuple(scenario.functions[f].level == "city" for f in functions)
    departments: list[tuple[int, int | None]] = []
    for index in range(len(functions)):
        if city_level[index]:
            departments.append((index, None))
        else:
            departments.extend((index, d) for d in range(districts))
    offices: list[Office] = []
    department_of: dict[tuple[int, int | None], int] = {}
    desk_staff = [0] * districts
    for number, (function, district) in enumerate(departments):
        spec = scenario.functions[functions[function]]
        counter_staff = spec.counter_staff
        if pooled and district is not None:
            desk_staff[district] += counter_staff
            counter_staff = 0
        department_of[(function, district)] = number
        offices.append(
            Office(
                functions[function],
                district,
                2 * number,
                2 * number + 1,
                counter_staff,
                spec.backoffice_staff,
            )
        )
    first_desk = 2 * len(departments)
    desks = tuple(range(first_desk, first_desk + districts))
    offices.extend(
        Office(FRONT_DESK, d, desks[d], None, desk_staff[d], 0) for d in range(districts)
    )
    return Layout(
        tuple(offices), functions, city_level, department_of, desks, first_desk + districts
    )
