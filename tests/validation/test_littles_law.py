"""Little's law L = λW at every station of every department, on the shipped silo world."""

from __future__ import annotations

import pytest

from model import GovernanceModel
from scenarios import load_scenario

DAYS = 250


@pytest.mark.parametrize("name", ["silo", "seamless"])
def test_littles_law_every_department(name):
    """Time-average number in a station (its integral) against arrival rate × mean time in it.

    Over a finite horizon, jobs still inside at the end are counted in L but not yet in W, a
    boundary term of order W / horizon; stations with under 200 departures are too noisy to judge.
    """
    model = GovernanceModel(load_scenario(name), rng=3)
    for _ in range(DAYS):
        model.step()
    checked = 0
    for department in model.departments:
        for station in department.stations:
            station.advance(float(DAYS))
            if station.departures < 200:
                continue
            little_l = station.area_in_system / DAYS
            arrival_rate = station.arrivals / DAYS
            mean_time = station.time_in_system / station.departures
            assert little_l == pytest.approx(arrival_rate * mean_time, rel=0.05), (
                department.function,
                department.district,
            )
            checked += 1
    assert checked >= 20
