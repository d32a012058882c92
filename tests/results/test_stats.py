"""Confidence intervals and paired differences against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from govlab.results.stats import compare, paired, t_interval


def test_t_interval_known_case():
    interval = t_interval([1, 2, 3, 4, 5])
    # mean 3, sd sqrt(2.5), t(0.975, 4) = 2.7764451
    half = 2.7764451 * math.sqrt(2.5) / math.sqrt(5)
    assert interval.n == 5 and interval.mean == 3.0
    assert interval.low == pytest.approx(3 - half, rel=1e-6)
    assert interval.high == pytest.approx(3 + half, rel=1e-6)
    assert half == pytest.approx(1.963243, rel=1e-6)


def test_t_interval_drops_missing_and_handles_small_n():
    assert t_interval([2.0, None, float("nan"), 4.0]).n == 2
    single = t_interval([7.0])
    assert single.mean == 7.0 and math.isnan(single.low)
    assert t_interval([]).n == 0


def test_paired_difference_known_case():
    base = pd.Series([10.0, 12.0, 14.0], index=[1, 2, 3])
    new = pd.Series([9.0, 10.0, 11.0, 99.0], index=[1, 2, 3, 4])  # seed 4 has no partner
    result = paired(new, base)
    # differences -1, -2, -3: mean -2, sd 1, half = t(0.975, 2) / sqrt(3) = 4.302653 / 1.732051
    half = 4.302653 / math.sqrt(3)
    assert result["pairs"] == 3
    assert result["diff_mean"] == pytest.approx(-2.0)
    assert result["diff_low"] == pytest.approx(-2 - half, rel=1e-6)
    assert result["relative"] == pytest.approx(-2 / 12)
    assert result["p_value"] == pytest.approx(0.0742, abs=1e-3)
    # Fieller: the bounds are the ratios R at which the paired t-test of x - R b has p = 0.05
    x, b = np.array([9.0, 10.0, 11.0]), np.array([10.0, 12.0, 14.0])
    for bound in (result["relative_low"], result["relative_high"]):
        assert stats.ttest_1samp(x - (1 + bound) * b, 0).pvalue == pytest.approx(0.05, rel=1e-6)
    # wider than the old interval that took the baseline mean as fixed
    assert result["relative_high"] > (-2 + half) / 12


def test_compare_pairs_by_seed_and_point():
    wide = pd.DataFrame(
        {
            "label": ["base"] * 3 + ["new"] * 3,
            "point": [0] * 6,
            "seed": [1, 2, 3, 3, 1, 2],  # order must not matter: pairing is by seed
            "m": [10.0, 12.0, 14.0, 11.0, 9.0, 10.0],
        }
    )
    rows = compare(wide, ["m", "absent"], "base", order=["new", "base"])
    assert [r["scenario"] for r in rows] == ["new", "base"]
    new = rows[0]
    assert new["diff_mean"] == pytest.approx(-2.0) and new["pairs"] == 3
    assert "diff_mean" not in rows[1] and rows[1]["mean"] == 12.0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=40),
    st.floats(-1e3, 1e3, allow_nan=False),
)
def test_t_interval_contains_the_mean_and_shifts_with_the_data(values, shift):
    interval = t_interval(values)
    assert interval.low <= interval.mean <= interval.high
    moved = t_interval([v + shift for v in values])
    assert moved.mean == pytest.approx(interval.mean + shift, abs=1e-6)
    assert moved.half == pytest.approx(interval.half, rel=1e-6, abs=1e-6)


def test_a_sweep_of_the_baseline_is_paired_with_its_first_point():
    wide = pd.DataFrame(
        {
            "label": ["s"] * 4,
            "point": [0, 0, 1, 1],
            "seed": [1, 2, 1, 2],
            "m": [1.0, 2.0, 2.0, 4.0],
        }
    )
    rows = compare(wide, ["m"], "s")
    assert "diff_mean" not in rows[0]
    assert rows[1]["reference_point"] == 0 and rows[1]["diff_mean"] == pytest.approx(1.5)
