"""Robustness of a package (issue 23 §4): regret, satisficing, series outcomes and failure boxes
against hand computations on constructed outcome tables (no simulation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govlab.experiments.robust import analyse
from govlab.experiments.robust_spec import Target
from govlab.experiments.series_outcomes import (
    SeriesOutcome,
    add_series_outcomes,
    outcome_value,
)

SEEDS = (11, 22)
# delay (minimised) and score (maximised) of each label, per point, per replication
DELAY = {
    "A": [[5, 7], [8, 6], [9, 12]],
    "B": [[6, 7], [4, 4], [12, 12]],
    "base": [[10, 12], [10, 10], [20, 20]],
}
SCORE = {"A": [[1, 1], [2, 2], [3, 3]], "B": [[2, 2]] * 3, "base": [[0, 0]] * 3}


def constructed() -> pd.DataFrame:
    rows = []
    for label, points in DELAY.items():
        for point, values in enumerate(points):
            for replication, value in enumerate(values):
                rows.append({"run_id": len(rows), "label": label, "point": point,
                             "replication": replication, "seed": SEEDS[replication],
                             "delay": float(value),
                             "score": float(SCORE[label][point][replication])})  # fmt: skip
    return pd.DataFrame(rows)


CUT = Target(name="cut", metric="delay", relative_at_most=-0.45)
SCORE_2 = Target(name="score2", metric="score", at_least=2.0)


def run_constructed():
    worlds = [{"x": 0.1}, {"x": 0.5}, {"x": 0.9}]
    return analyse(constructed(), worlds, {"delay": "min", "score": "max"}, [CUT, SCORE_2], "A",
                   "base", seed=0)  # fmt: skip


def test_regret_against_the_best_package_in_each_world_matches_a_hand_computation():
    result = run_constructed()
    # world means of delay: A 6, 7, 10.5; B 6.5, 4, 12; base 11, 10, 20 -> best 6, 4, 10.5
    delay = result.regrets["delay"].unstack("point")
    assert delay.loc["A"].tolist() == [0.0, 3.0, 0.0]
    assert delay.loc["B"].tolist() == [0.5, 0.0, 1.5]
    assert delay.loc["base"].tolist() == [5.0, 6.0, 9.5]
    assert result.regrets.loc[("A", 1), "delay_share"] == pytest.approx(3 / 4)
    # score is maximised: best 2, 2, 3
    score = result.regrets["score"].unstack("point")
    assert score.loc["A"].tolist() == [1.0, 0.0, 0.0]
    assert score.loc["B"].tolist() == [0.0, 0.0, 1.0]
    summary = result.summary
    assert summary.loc["A", "delay_mean_regret"] == pytest.approx(1.0)
    assert summary.loc["A", "delay_max_regret"] == 3.0
    assert summary.loc["B", "delay_mean_regret"] == pytest.approx(2 / 3)
    assert summary.loc["base", "delay_mean_regret"] == pytest.approx(20.5 / 3)
    assert summary.loc["A", "delay_best_share"] == pytest.approx(2 / 3)
    assert summary.loc["base", "score_max_regret"] == 3.0


def _beta22_quantile(q: float) -> float:
    """The q-quantile of Beta(2, 2), whose CDF is 3p² − 2p³ (bisection)."""
    low, high = 0.0, 1.0
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if 3 * mid**2 - 2 * mid**3 < q else (low, mid)
    return low


def test_satisficing_share_and_its_exact_interval_match_a_hand_computation():
    result = run_constructed()
    # A's paired changes vs base: world 0 (-0.5, -0.4167) mean -0.458 meets; world 1 (-0.2,
    # -0.4) -0.3 misses; world 2 (-0.55, -0.4) -0.475 meets -> 2 of 3
    outcome = result.outcomes["cut"]
    assert outcome["outcome"].tolist() == pytest.approx([-(0.5 + 5 / 12) / 2, -0.3, -0.475])
    assert outcome["meets"].tolist() == [True, False, True]
    assert outcome["replications_meeting"].tolist() == [0.5, 0.0, 0.5]
    share = result.shares["cut"]["A"]
    assert (share.met, share.worlds) == (2, 3)
    low, high = share.interval  # Clopper-Pearson: Beta(0.025; 2, 2) and Beta(0.975; 3, 1)
    assert low == pytest.approx(_beta22_quantile(0.025), abs=1e-6)
    assert high == pytest.approx(0.975 ** (1 / 3), abs=1e-6)
    b = result.shares["cut"]["B"]  # -0.408, -0.6, -0.4 -> 1 of 3
    assert (b.met, b.worlds) == (1, 3)
    assert result.shares["cut"]["base"].met == 0
    score = result.shares["score2"]["A"]  # 1, 2, 3 >= 2 -> 2 of 3
    assert (score.met, score.worlds) == (2, 3)
    # three worlds: too few for a discovery, said in one line
    assert "need ≥ 10" in result.discoveries["cut"]


def test_series_outcomes_match_a_hand_computation():
    values = np.array([1.0, 5.0, np.nan, 9.0, 3.0, 3.0, 1.0])
    # trailing 2-day rolling mean skipping the empty day: 1, 3, 5, 9, 6, 3, 2
    above = SeriesOutcome(name="a", statistic="days_above", window_days=2, threshold=4.0)
    assert outcome_value(values, above, warmup_days=2) == 3.0  # days 2..6: 5, 9, 6 above 4
    mean = SeriesOutcome(name="m", statistic="mean")
    assert outcome_value(values, mean, warmup_days=2) == pytest.approx(4.0)  # 9, 3, 3, 1
    end = SeriesOutcome(name="e", statistic="end", window_days=2, to_day=5)
    assert outcome_value(values, end, warmup_days=0) == 6.0  # (9 + 3) / 2 at day 4
    # the store's series count days from 1
    long = pd.DataFrame({"run_id": 7, "name": "delay_mean_days", "day": range(1, 8),
                         "value": values})  # fmt: skip
    wide = add_series_outcomes(pd.DataFrame({"run_id": [7]}), long, [above, mean, end], 2, 7)
    assert wide.loc[0, ["a", "m", "e"]].tolist() == pytest.approx([3.0, 4.0, 6.0])


def test_the_failure_boxes_contain_the_region_where_the_package_fails():
    """The package fails (cuts delay by 20%, not 60%) exactly when x1 > 0.7."""
    rng = np.random.default_rng(3)
    n = 80
    x = rng.uniform(size=(n, 3))
    worlds = [{"x1": float(a), "x2": float(b), "x3": float(c)} for a, b, c in x]
    rows = []
    for point, world in enumerate(worlds):
        fails = world["x1"] > 0.7
        for label, delay in (("P", 8.0 if fails else 4.0), ("base", 10.0)):
            rows.append({"run_id": len(rows), "label": label, "point": point, "replication": 0,
                         "seed": 1, "delay": delay})  # fmt: skip
    result = analyse(pd.DataFrame(rows), worlds, {"delay": "min"}, [CUT], "P", "base", seed=0)
    misses = x[:, 0] > 0.7
    assert result.shares["cut"]["P"].met == int((~misses).sum())
    found = result.discoveries["cut"]
    assert not isinstance(found, str), found
    gap = (x[~misses, 0].max(), x[misses, 0].min())  # the threshold as the sample resolves it
    limits = found.limits.set_index("uncertainty")
    assert list(limits.index) == ["x1"]
    assert gap[0] <= limits.loc["x1", "box_low"] <= gap[1]
    assert limits.loc["x1", "box_high"] >= x[:, 0].max()
    assert found.box["coverage"] == 1.0 and found.box["density"] == 1.0
    cart = found.cart
    first = cart.limits[cart.limits["box"] == cart.boxes["box"].iloc[0]].set_index("uncertainty")
    assert list(first.index) == ["x1"]
    assert gap[0] <= first.loc["x1", "box_low"] <= gap[1]
    assert cart.boxes.iloc[0]["coverage"] == 1.0 and cart.boxes.iloc[0]["density"] == 1.0
