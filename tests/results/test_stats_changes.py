"""Changes reviewers accept: shares in percentage points, ratio intervals that carry the
baseline's uncertainty (coverage by simulation), Holm-adjusted p-values, design properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from govlab.model import metrics as model_metrics
from govlab.results.multiplicity import family_lines, holm
from govlab.results.stats import compare, paired, ratio_interval

# Paired runs (x scenario, b baseline) of two designs: a 20 % cut with correlated pairs, and a
# three-fold rise over a noisy baseline (cv of a run 0.5), where the baseline's uncertainty matters.
CASES = {
    "cut": ([8.0, 10.0], [[5.76, 3.6], [3.6, 9.0]], 0.8),
    "rise": ([3.0, 1.0], [[0.25, 0.05], [0.05, 0.25]], 3.0),
}


def _samples(case: str, n: int, sims: int, seed: int):
    mean, cov, _ = CASES[case]
    data = np.random.default_rng(seed).multivariate_normal(mean, cov, size=(sims, n))
    return data[..., 0], data[..., 1]


def _coverage(case: str, method: str, n: int, sims: int, seed: int) -> float:
    """Share of intervals that contain the true ratio E[x] / E[b]."""
    truth = CASES[case][2]
    hits = 0
    for x, b in zip(*_samples(case, n, sims, seed), strict=True):
        _, low, high = ratio_interval(x, b, method=method)
        hits += low is not None and low <= truth <= high
    return hits / sims


def _fixed_baseline_coverage(case: str, n: int, sims: int, seed: int) -> float:
    """The interval the module gave before: the difference interval over a fixed baseline mean."""
    truth = CASES[case][2] - 1
    hits = 0
    for x, b in zip(*_samples(case, n, sims, seed), strict=True):
        old = paired(pd.Series(x), pd.Series(b))
        hits += old["diff_low"] / b.mean() <= truth <= old["diff_high"] / b.mean()
    return hits / sims


@pytest.mark.parametrize("case", list(CASES))
def test_fieller_interval_covers_the_true_ratio_at_its_level(case):
    # 2000 simulated experiments of 10 pairs: binomial sd of a 0.95 coverage is 0.005
    assert 0.935 <= _coverage(case, "fieller", 10, 2000, 1) <= 0.965
    assert 0.93 <= _coverage(case, "delta", 40, 1000, 2) <= 0.97  # first order: larger n


def test_a_fixed_baseline_mean_undercovers_a_large_relative_change():
    # what the report did before: a three-fold rise over a noisy baseline is covered ~2/3 of
    # the time (the baseline's own uncertainty is ignored), Fieller above keeps 95 %
    assert _fixed_baseline_coverage("rise", 10, 1000, 3) < 0.8


def test_shares_change_in_percentage_points_without_a_relative_change():
    wide = pd.DataFrame(
        {
            "label": ["base"] * 3 + ["new"] * 3,
            "point": [0] * 6,
            "seed": [1, 2, 3] * 2,
            "share_at_most_one_trip": [0.01, 0.02, 0.03, 0.21, 0.25, 0.26],
            "trips_per_case": [4.0, 4.2, 4.4, 2.0, 2.2, 2.1],
        }
    )
    rows = compare(wide, ["share_at_most_one_trip", "trips_per_case"], "base", fixed=())
    share = next(r for r in rows if r["scenario"] == "new" and r["share"])
    assert share["diff_pp"] == pytest.approx(100 * (0.24 - 0.02))
    assert share["relative"] is None  # not +1100 %
    trips = next(r for r in rows if r["scenario"] == "new" and not r["share"])
    assert trips["relative"] == pytest.approx(2.1 / 4.2 - 1)
    assert "diff_pp" not in trips


def test_a_rate_outside_zero_one_is_not_a_share():
    wide = pd.DataFrame(
        {"label": ["a", "b"] * 2, "point": 0, "seed": [1, 1, 2, 2], "x_rate": [2.0, 3, 2, 4]}
    )
    rows = compare(wide, ["x_rate"], "a", fixed=())
    assert not rows[1]["share"] and rows[1]["relative"] is not None


def test_holm_known_case():
    # sorted 0.005, 0.01, 0.03, 0.04 → 4×, 3×, 2×, 1× → 0.02, 0.03, 0.06, max(0.04, 0.06)
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.9, 0.8]) == pytest.approx([1.0, 1.0])


def _ladder(seeds: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for label, shift in (("base", 0.0), ("a", -1.0), ("b", -0.2), ("c", 0.0)):
        for seed in range(seeds):
            rows.append(
                {
                    "label": label,
                    "point": 0,
                    "seed": seed,
                    "delay_mean_days": 10 + shift + rng.normal(0, 0.5),
                    "delay_p90_days": 20 + 2 * shift + rng.normal(0, 1),
                    "trips_per_case": 4 + rng.normal(0, 0.2),
                    "procedures_per_case": 6.0 - (label != "base") * 1.5,
                }
            )
    return pd.DataFrame(rows)


def test_p_values_are_holm_adjusted_within_each_family():
    metrics = ["delay_mean_days", "delay_p90_days", "trips_per_case"]
    rows = compare(_ladder(), metrics, "base", fixed=())
    compared = [r for r in rows if r.get("p_value") is not None]
    assert len(compared) == 9
    delay = [r for r in compared if r["family"] == "delay"]
    assert len(delay) == 6 and all(r["family_size"] == 6 for r in delay)
    expected = holm([r["p_value"] for r in delay])
    assert [r["p_holm"] for r in delay] == pytest.approx(expected)
    burden = [r for r in compared if r["family"] == "burden"]
    assert [r["p_holm"] for r in burden] == pytest.approx(holm([r["p_value"] for r in burden]))
    assert all(r["p_holm"] >= r["p_value"] for r in compared)


def test_design_properties_get_no_p_value(monkeypatch):
    monkeypatch.setattr(
        model_metrics, "DESIGN_PROPERTIES", ("procedures_per_case", "cost_per_year"), raising=False
    )
    rows = compare(_ladder(), ["procedures_per_case", "delay_mean_days"], "base")
    fixed = [r for r in rows if r["metric"] == "procedures_per_case"]
    assert fixed and all(r["design_property"] for r in fixed)
    assert all(r.get("p_value") is None and "p_holm" not in r for r in fixed)
    assert next(r for r in fixed if r["scenario"] == "a")["diff_mean"] == pytest.approx(-1.5)
    # the others still are tested, and the design property is not in their family (which is
    # every delay metric of the runs: delay_p90_days too, though not shown)
    tested = [r for r in rows if r["metric"] == "delay_mean_days" and "diff_mean" in r]
    assert all(r["p_value"] is not None and r["family_size"] == 6 for r in tested)
    assert all(r["family_members"] == ["delay_mean_days", "delay_p90_days"] for r in tested)
    # without the list in the model: tested like any metric
    monkeypatch.delattr(model_metrics, "DESIGN_PROPERTIES", raising=False)
    rows = compare(_ladder(), ["procedures_per_case"], "base")
    assert all(r.get("p_value") is not None for r in rows if "diff_mean" in r)


def test_design_properties_by_case_type_get_no_p_value_either(monkeypatch):
    monkeypatch.setattr(model_metrics, "DESIGN_PROPERTIES", ("procedures_per_case",), raising=False)
    wide = _ladder().rename(
        columns={"procedures_per_case": "by_case_type.birth.procedures_per_case"}
    )
    rows = compare(wide, ["by_case_type.birth.procedures_per_case"], "base")
    assert all(r["design_property"] and r.get("p_value") is None for r in rows)


def _by_hand_holm(wide: pd.DataFrame, family: list[str], baseline: str = "base") -> dict:
    """Holm over the paired t-tests of every (scenario, metric) of ``family`` vs the baseline,
    computed here from scipy: {(scenario, metric): adjusted p}."""
    base = wide[wide["label"] == baseline].set_index("seed")
    keys, p_values = [], []
    for metric in family:
        for label in dict.fromkeys(wide["label"]):
            if label != baseline:
                x = wide[wide["label"] == label].set_index("seed")[metric]
                keys.append((label, metric))
                p_values.append(stats.ttest_rel(x, base[metric].loc[x.index]).pvalue)
    return dict(zip(keys, holm(p_values), strict=True))


def test_the_holm_family_is_fixed_by_the_runs_not_by_the_metrics_shown(monkeypatch):
    monkeypatch.setattr(model_metrics, "DESIGN_PROPERTIES", ("procedures_per_case",), raising=False)
    wide = _ladder()
    wide["delay_p50_days"] = wide["delay_mean_days"] * 0.8 + np.random.default_rng(9).normal(
        0, 0.3, len(wide)
    )
    alone = compare(wide, ["delay_mean_days"], "base")
    every = compare(wide, ["delay_mean_days", "trips_per_case", "delay_p90_days",
                           "procedures_per_case", "delay_p50_days"], "base")  # fmt: skip
    family = ["delay_mean_days", "delay_p90_days", "delay_p50_days"]  # the columns' order
    expected = _by_hand_holm(wide, family)
    for label in ("a", "b", "c"):
        one = next(r for r in alone if r["scenario"] == label)
        same = next(r for r in every if r["scenario"] == label and r["metric"] == one["metric"])
        assert one["p_holm"] == same["p_holm"]  # identical, whichever metrics are shown
        assert one["p_holm"] == pytest.approx(expected[(label, "delay_mean_days")], rel=1e-12)
        assert one["family_size"] == 9 and one["family_members"] == family
    # within the shown tests only (the old family of 3) scenario a would get another value
    shown_only = holm([r["p_value"] for r in alone if r.get("p_value") is not None])
    a = next(r for r in alone if r["scenario"] == "a")
    assert a["p_holm"] > shown_only[0] * 1.5
    # only the shown metric's rows come back; the note names the whole family
    assert {r["metric"] for r in alone} == {"delay_mean_days"}
    lines = family_lines(alone)
    assert lines[1] == (
        "  delay: 3 metric(s), 9 tests: delay_mean_days, delay_p90_days, delay_p50_days"
    )


def test_a_metric_of_a_group_has_the_family_of_its_group():
    wide = _ladder().rename(columns={"delay_p90_days": "by_case_type.birth.delay_mean_days"})
    rows = compare(wide, ["by_case_type.birth.delay_mean_days"], "base", fixed=())
    tested = [r for r in rows if "p_holm" in r]
    assert tested and all(r["family"] == "delay (by_case_type)" for r in tested)
    assert all(r["family_members"] == ["by_case_type.birth.delay_mean_days"] for r in tested)
    assert all(r["family_size"] == 3 for r in tested)  # not pooled with delay_mean_days
