"""Statistics of replicated runs: t confidence intervals and paired differences vs a baseline.

Replications are independent, so a group's mean gets a Student-t interval. Scenarios share seeds
(common random numbers), so a scenario is compared with the baseline through the differences of
runs with the same seed (and design point): a paired t interval, a paired t-test p-value, and the
relative change ``mean difference / baseline mean`` whose interval is the difference interval
divided by the baseline mean (the baseline mean taken as fixed).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """Mean of ``n`` values with a two-sided t confidence interval (NaN bounds when n < 2)."""

    n: int
    mean: float
    low: float
    high: float
    sd: float

    @property
    def half(self) -> float:
        """Half-width of the interval."""
        return (self.high - self.low) / 2


def t_interval(values: Any, level: float = LEVEL) -> Interval:
    """The mean and its Student-t interval; missing values (None, NaN) are left out."""
    data = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    data = data[np.isfinite(data)]
    n = len(data)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(data.mean())
    if n < 2:
        return Interval(1, mean, math.nan, math.nan, math.nan)
    sd = float(data.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return Interval(n, mean, mean - half, mean + half, sd)


def paired(values: pd.Series, base: pd.Series, level: float = LEVEL) -> dict[str, float]:
    """Paired difference ``values - base`` over the index both share (seed, point)."""
    joined = pd.concat({"x": values, "b": base}, axis=1).dropna()
    diff = t_interval(joined["x"] - joined["b"], level)
    base_mean = float(joined["b"].mean()) if len(joined) else math.nan
    scale = abs(base_mean) if base_mean not in (0.0,) and math.isfinite(base_mean) else math.nan
    p_value = math.nan
    if diff.n >= 2:
        if diff.sd > 0:
            p_value = float(stats.ttest_rel(joined["x"], joined["b"]).pvalue)
        else:
            p_value = 1.0 if diff.mean == 0 else 0.0
    return {
        "pairs": diff.n,
        "diff_mean": diff.mean,
        "diff_low": diff.low,
        "diff_high": diff.high,
        "relative": diff.mean / scale if scale else math.nan,
        "relative_low": diff.low / scale if scale else math.nan,
        "relative_high": diff.high / scale if scale else math.nan,
        "p_value": p_value,
    }


def compare(
    wide: pd.DataFrame,
    metrics: list[str],
    baseline: str,
    level: float = LEVEL,
    order: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Per scenario (and design point) and metric: mean with CI, and paired difference vs baseline.

    A scenario is paired with the baseline at the same design point; the baseline's own design
    points (a sweep) are paired with its point 0. Pairs share the seed (common random numbers).

    Args:
        wide: one row per finished run with columns ``label, point, seed`` and one per metric.
        metrics: metric columns to compare.
        baseline: the label of the baseline scenario.
        level: confidence level of the intervals.
        order: scenario labels in display order (default: as they first appear).
    """
    rows: list[dict[str, Any]] = []
    indexed = wide.set_index(["point", "seed"])
    base = indexed[indexed["label"] == baseline]
    present = set(wide["label"])
    base_points = set(base.index.get_level_values("point"))
    labels = [x for x in order or [] if x in present]
    labels += [x for x in dict.fromkeys(wide["label"]) if x not in labels]
    for metric in metrics:
        if metric not in wide.columns:
            continue
        for label in labels:
            group = indexed[indexed["label"] == label]
            for point in sorted(set(group.index.get_level_values("point"))):
                values = pd.to_numeric(group.loc[point][metric], errors="coerce")
                interval = t_interval(values, level)
                row: dict[str, Any] = {
                    "scenario": label,
                    "point": int(point),
                    "metric": metric,
                    **{k: v for k, v in asdict(interval).items() if k != "sd"},
                    "sd": interval.sd,
                    "baseline": baseline,
                }
                reference_point = point if label != baseline else (0 if point != 0 else None)
                if reference_point in base_points:
                    reference = pd.to_numeric(base.loc[reference_point][metric], errors="coerce")
                    row["reference_point"] = int(reference_point)
                    row.update(paired(values, reference, level))
                rows.append(row)
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def _plain(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value
