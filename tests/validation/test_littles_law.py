"""Little's law L = λW at every station of every department.

Two forms. The sample-path form holds exactly over any horizon that starts empty: with the jobs
still inside at the end counted with their time so far, the time-integral of the number in a
station (kept by the station) equals the sum of the jobs' times in it (kept by the jobs' own
timestamps) — two independent bookkeepings that must agree. The steady-state form, with W the
mean time of the departed jobs only, holds up to a boundary term of order W / horizon; it is
checked where staffing is static.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from model import GovernanceModel
from model.engine import FINISH
from scenarios import load_scenario

DAYS = 250


def run(name: str) -> GovernanceModel:
    model = GovernanceModel(load_scenario(name), rng=3)
    for _ in range(DAYS):
        model.step()
    for station in model.stations:
        station.advance(float(DAYS))
    return model


def time_so_far_of_jobs_inside(model: GovernanceModel) -> dict[int, float]:
    """Per station: the summed time-so-far of the jobs waiting or in service at the end."""
    inside: dict[int, float] = defaultdict(float)
    for index, station in enumerate(model.stations):
        inside[index] += sum(DAYS - job.enqueued for job in station.queue)
    for _, kind, station, job in model.heap.pending():
        if kind == FINISH:
            inside[station] += DAYS - job.enqueued
    return inside


@pytest.mark.parametrize("name", ["silo", "seamless", "smart"])
def test_littles_law_sample_path_every_station(name):
    model = run(name)
    inside = time_so_far_of_jobs_inside(model)
    checked = 0
    for index, station in enumerate(model.stations):
        if station.arrivals == 0:
            continue
        little_l = station.area_in_system / DAYS
        arrival_rate = station.arrivals / DAYS
        mean_time = (station.time_in_system + inside[index]) / station.arrivals
        assert little_l == pytest.approx(arrival_rate * mean_time, rel=1e-9, abs=1e-12), index
        checked += 1
    assert checked >= 40


def test_littles_law_steady_state_every_department():
    """Silo (static staff): L against λ × mean time of departed jobs, within the boundary term.

    Stations with under 200 departures are too noisy to judge.
    """
    model = run("silo")
    checked = 0
    for department in model.departments:
        for station in department.stations:
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
