"""MSER-5 warm-up truncation (White 1997) on known series, and the `govlab warmup` command."""

from __future__ import annotations

import json

import numpy as np
import pytest

from govlab.results.warmup import arrival_day_means, batch_means, mser
from tests.experiments.batch_helpers import cli


def test_mser_hand_computed_case():
    # batch 1: Z = 3, 0, 0, 0 → MSER(0) = (2.25^2 + 3 * 0.75^2) / 16, MSER(1) = MSER(2) = 0
    result = mser(np.array([3.0, 0, 0, 0]), batch=1)
    assert result.statistic == pytest.approx([6.75 / 16, 0.0, 0.0])
    assert result.days == 1


def test_mser5_removes_exactly_an_initial_step():
    rng = np.random.default_rng(0)
    series = np.r_[np.full(50, 8.0), np.zeros(450)] + rng.normal(0, 0.5, 500)
    assert mser(series).days == 50


def test_mser5_finds_an_exponential_transient_and_leaves_a_stationary_series_alone():
    rng = np.random.default_rng(1)
    t = np.arange(600)
    # bias 10 e^{-t/20}: below the batch-mean noise (1 / sqrt 5 ≈ 0.45) after about 60 days
    transient = 10 * np.exp(-t / 20) + rng.normal(0, 1, 600)
    assert 40 <= mser(transient).days <= 100
    stationary = [mser(rng.normal(0, 1, 600)).days for _ in range(20)]
    assert np.median(stationary) <= 30


def test_batch_means_and_arrival_day_means():
    assert batch_means(np.arange(12.0), 5) == pytest.approx([2.0, 7.0])
    means = arrival_day_means(np.array([0.2, 0.9, 2.5, 7.0]), np.array([1.0, 3.0, 4.0, 9.0]), 4)
    assert means[0] == 2.0 and np.isnan(means[1]) and means[2] == 4.0 and np.isnan(means[3])
    with pytest.raises(ValueError, match="at least 4 batches"):
        mser(np.ones(12))


def test_warmup_command_reports_a_truncation_per_scenario(monkeypatch, capsys):
    code, out, err = cli(monkeypatch, capsys, "warmup", "silo", "--replications", "2",
                         "--days", "70", "--margin", "20", "--json")  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    (row,) = result["scenarios"]
    assert row["scenario"] == "silo" and row["analysed_arrival_days"] == 50
    assert 0 <= row["warmup_days"] <= 25 and row["warmup_days"] % 5 == 0
    assert result["recommended_warmup_days"] % 10 == 0
    assert len(result["series"]["silo"]) == 50
    code, _, err = cli(monkeypatch, capsys, "warmup", "--days", "60", "--margin", "50")
    assert code == 2 and "--margin" in err
