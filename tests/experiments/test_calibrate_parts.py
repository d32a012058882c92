"""The parts of a calibration, exactly: the small world, the service-time scale, particle seeds,
resampling, weighted quantiles, the predictive interval of an observation, the distance."""

from __future__ import annotations

import math

import numpy as np
import pytest

from govlab.experiments.abc_fit import (
    ScaledDistance,
    Target,
    particle_seed,
    resample,
    weighted_quantiles,
)
from govlab.experiments.calibrate import predictive
from govlab.experiments.ensemble import small_world, with_params
from govlab.scenarios import load_scenario

Z90 = 1.6448536269514722


def test_small_world_keeps_every_office_s_arrivals():
    silo = load_scenario("silo")
    small = small_world(silo, 10)
    assert small.world.residents == silo.world.residents // 10
    assert small.world.enterprises == silo.world.enterprises // 10
    for name, service in silo.services.items():
        applicants = {"resident": "residents", "enterprise": "enterprises"}[service.applicant]
        full = service.rate_per_year * getattr(silo.world, applicants)
        scaled = small.services[name].rate_per_year * getattr(small.world, applicants)
        assert scaled == pytest.approx(full)  # expected cases a year, the same
    per_10k = small.response_office.staff_per_10k_residents * small.world.residents
    assert per_10k == pytest.approx(silo.response_office.staff_per_10k_residents * 40_000)
    assert small_world(silo, 1) is silo


def test_service_time_scale_multiplies_every_step():
    silo = load_scenario("silo")
    scaled = with_params(silo, {"service_time_scale": 0.5, "world.visit_gap_days": 2.0})
    assert scaled.world.visit_gap_days == 2.0
    for name, service in silo.services.items():
        for old, new in zip(service.steps, scaled.services[name].steps, strict=True):
            assert new.counter_hours == pytest.approx(old.counter_hours * 0.5)
            assert new.backoffice_days == pytest.approx(old.backoffice_days * 0.5)
            assert new.requires == old.requires and new.function == old.function


def test_particle_seed_is_the_particle_s_own():
    values = {"world.p_missing_document": 0.1}
    assert particle_seed(1, values) == particle_seed(1, dict(values))
    assert particle_seed(1, values) != particle_seed(2, values)
    assert particle_seed(1, values) != particle_seed(1, {"world.p_missing_document": 0.1000001})


def test_resample_and_weighted_quantiles():
    points = np.array([[0.0], [1.0], [2.0], [3.0]])
    weights = np.array([0.1, 0.2, 0.3, 0.4])
    drawn = resample(points, weights, 1000, 3)[:, 0]
    counts = np.bincount(drawn.astype(int), minlength=4)
    assert list(counts) == [100, 200, 300, 400]  # systematic resampling: exact shares
    values = np.arange(10.0)
    assert weighted_quantiles(values, np.ones(10) / 10, [0.05, 0.5, 0.95]) == [0.0, 4.0, 9.0]
    assert weighted_quantiles(values, np.eye(10)[7], [0.05, 0.95]) == [7.0, 7.0]


def test_predictive_interval_adds_the_measurement_error():
    mid, low, high = predictive(np.full(200, 10.0), 1.0, 4)
    assert mid == pytest.approx(10.0, abs=0.05)
    assert (low, high) == pytest.approx((10 - Z90, 10 + Z90), abs=0.05)
    assert predictive(np.zeros(200), 1.0, 4)[1] == 0.0  # not observed below zero
    assert predictive(np.zeros(200), 1.0, 4, nonnegative=False)[1] < -1.5
    assert all(math.isnan(v) for v in predictive(np.array([np.nan]), 1.0, 4))


def test_distance_is_in_standard_errors_and_infinite_without_a_value():
    distance = ScaledDistance([Target("a", "a", 0.0, 2.0), Target("b", "b", 0.0, 0.5)])
    assert distance({"a": 6.0, "b": 2.0}, {"a": 0.0, "b": 0.0}) == pytest.approx(5.0)  # 3, 4
    assert distance({"a": math.nan, "b": 0.0}, {"a": 0.0, "b": 0.0}) == math.inf
