"""Statistics of replicated runs: t confidence intervals and paired differences vs a baseline.

Replications are independent, so a group's mean gets a Student-t interval. Scenarios share seeds
(common random numbers), so a scenario is compared with the baseline through the differences of
runs with the same seed (and design point): a paired t interval and a paired t-test p-value.

How a change is reported depends on the metric (``results.metric_info``):
- a *share* (a proportion in [0, 1]: share with ≤ 1 trip, participation, response rate) changes
  in percentage points (``diff_pp``); no relative change is given (+1000% of a tiny share says
  nothing);
- other metrics also get the relative change ``mean(x) / mean(b) - 1`` with a Fieller interval
  for the ratio of the paired means, which carries the baseline mean's own uncertainty and its
  covariance with the scenario's (``ratio_interval``; the delta method is the large-sample
  alternative). When the baseline mean is not clearly away from zero the interval is unbounded
  and reported as missing;
- *design properties* (``metric_info.design_properties()``) get means and differences but no
  p-value: they are fixed by the levers, not outcomes to test.
p-values are adjusted for multiplicity with Holm's method within each metric family
(``results.multiplicity``); the raw ones stay beside them. The family is every metric of that
family the runs report (``holm_family``), not only the metrics asked for, so a row's adjusted
p-value is the same whichever metrics are shown.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from govlab.results.metric_info import design_properties, info, is_share
from govlab.results.multiplicity import adjust_rows, family_of

LEVEL = 0.95
RUN_COLUMNS = ("run_id", "run_key", "label", "point", "replication", "seed")  # not metrics


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


def ratio_interval(
    x: Any, b: Any, level: float = LEVEL, method: str = "fieller"
) -> tuple[float, float | None, float | None]:
    """Ratio of paired means ``mean(x) / mean(b)`` and its interval.

    Args:
        x, b: paired values (same length, pair i from the same seed).
        level: confidence level.
        method: ``fieller`` (exact under bivariate normality: the set of R for which
            ``mean(x) - R mean(b)`` is not rejected by the paired t-test) or ``delta``
            (first-order: standard error ``sd(x_i - R b_i) / (sqrt(n) |mean(b)|)``).

    Returns:
        ``(ratio, low, high)``; bounds are None when n < 2 or (Fieller) when the baseline mean is
        not significantly different from zero, so the set is unbounded.
    """
    x, b = np.asarray(x, dtype=float), np.asarray(b, dtype=float)
    n = len(x)
    b_mean, x_mean = float(b.mean()) if n else math.nan, float(x.mean()) if n else math.nan
    if n == 0 or b_mean == 0:
        return math.nan, None, None
    ratio = x_mean / b_mean
    if n < 2:
        return ratio, None, None
    t = float(stats.t.ppf(0.5 + level / 2, n - 1))
    cov = np.cov(x, b, ddof=1)
    s_xx, s_xb, s_bb = float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])
    if method == "delta":
        se = math.sqrt(max(s_xx - 2 * ratio * s_xb + ratio**2 * s_bb, 0.0) / n) / abs(b_mean)
        return ratio, ratio - t * se, ratio + t * se
    if method != "fieller":
        raise ValueError(f"method: {method!r} is not one of fieller | delta")
    g = t * t / n
    a = b_mean**2 - g * s_bb
    half_b = x_mean * b_mean - g * s_xb
    c = x_mean**2 - g * s_xx
    disc = half_b**2 - a * c
    if a <= 0 or disc < 0:
        return ratio, None, None
    root = math.sqrt(disc)
    return ratio, (half_b - root) / a, (half_b + root) / a


def paired(
    values: pd.Series, base: pd.Series, level: float = LEVEL, share: bool = False
) -> dict[str, float]:
    """Paired difference ``values - base`` over the index both share (seed, point).

    ``share``: the metric is a proportion, so the change is given in percentage points
    (``diff_pp``, ``diff_pp_low``, ``diff_pp_high``) and no relative change is computed.
    Otherwise ``relative`` is ``mean(values) / mean(base) - 1`` (sign kept for a negative
    baseline) with a paired Fieller interval.
    """
    joined = pd.concat({"x": values, "b": base}, axis=1).dropna()
    diff = t_interval(joined["x"] - joined["b"], level)
    p_value = _paired_p(joined["x"], joined["b"])
    result: dict[str, Any] = {
        "pairs": diff.n,
        "diff_mean": diff.mean,
        "diff_low": diff.low,
        "diff_high": diff.high,
        "p_value": p_value,
    }
    if share:
        result.update(
            share=True,
            diff_pp=100 * diff.mean,
            diff_pp_low=100 * diff.low,
            diff_pp_high=100 * diff.high,
            relative=math.nan,
            relative_low=math.nan,
            relative_high=math.nan,
        )
        return result
    ratio, low, high = (
        ratio_interval(joined["x"], joined["b"], level) if diff.n else (math.nan, None, None)
    )
    sign = 1.0 if not diff.n or joined["b"].mean() >= 0 else -1.0
    bounds = sorted([sign * (low - 1), sign * (high - 1)]) if low is not None else [None, None]
    result.update(
        share=False,
        relative=sign * (ratio - 1),
        relative_low=math.nan if bounds[0] is None else bounds[0],
        relative_high=math.nan if bounds[1] is None else bounds[1],
        relative_method="fieller",
    )
    return result


def _paired_p(values: pd.Series, base: pd.Series) -> float:
    """The paired t-test's p-value of ``values - base`` over the index both share and where
    both are numbers (NaN below 2 pairs; 1 or 0 when every difference is the same)."""
    x, b = values.align(base, join="inner")
    diff = x.to_numpy(dtype=float) - b.to_numpy(dtype=float)
    diff = diff[~np.isnan(diff)]
    n = len(diff)
    if n < 2:
        return math.nan
    sd = float(diff.std(ddof=1))
    if sd > 0:
        t = float(diff.mean()) / (sd / math.sqrt(n))
        return float(2 * stats.t.sf(abs(t), n - 1))
    return 1.0 if float(diff.mean()) == 0 else 0.0


def holm_family(
    wide: pd.DataFrame, metric: str, fixed: tuple[str, ...] | list[str] | set[str] | None = None
) -> list[str]:
    """The metrics Holm-adjusted together with ``metric``: every metric column of ``wide`` (the
    experiment's runs) of the same family (``multiplicity.family_of``) except design properties,
    in column order; empty for a design property."""
    fixed = set(design_properties() if fixed is None else fixed)
    if _is_fixed(metric, fixed):
        return []
    family = family_of(metric)
    return [
        name
        for name in wide.columns
        if isinstance(name, str)
        and name not in RUN_COLUMNS
        and not _is_fixed(name, fixed)
        and family_of(name) == family
    ]


def compare(
    wide: pd.DataFrame,
    metrics: list[str],
    baseline: str,
    level: float = LEVEL,
    order: list[str] | None = None,
    fixed: tuple[str, ...] | list[str] | None = None,
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
        fixed: design properties (default ``metric_info.design_properties()``): no p-value.

    Each row gets the metric's ``family`` and, with a p-value, ``p_holm``: Holm-adjusted within
    the family over every compared scenario and point and every metric of the family in ``wide``
    (``holm_family``), shown or not; ``family_size`` is the number of those tests and
    ``family_members`` their metrics.
    """
    fixed = set(design_properties() if fixed is None else fixed)
    shown = [m for m in dict.fromkeys(metrics) if m in wide.columns]
    families: dict[str, list[str]] = {}
    for metric in shown:
        if not _is_fixed(metric, fixed):
            families.setdefault(family_of(metric), holm_family(wide, metric, fixed))
    # the rest of each shown metric's family: tested and adjusted with it, never returned
    others = [name for members in families.values() for name in members if name not in shown]
    rows: list[dict[str, Any]] = []
    parts = {  # each scenario's runs at each design point, by seed
        (label, int(point)): part.set_index("seed")
        for (label, point), part in wide.groupby(["label", "point"], sort=True)
    }
    labels = [x for x in order or [] if any(key[0] == x for key in parts)]
    labels += [x for x in dict.fromkeys(wide["label"]) if x not in labels]
    for metric in [*shown, *others]:
        numbers = {key: pd.to_numeric(part[metric], errors="coerce") for key, part in parts.items()}
        meaning = info(metric)
        share = is_share(metric, wide[metric])
        for label in labels:
            for point in sorted(p for name, p in parts if name == label):
                values = numbers[(label, point)]
                reference_point = point if label != baseline else (0 if point != 0 else None)
                reference = numbers.get((baseline, reference_point))
                if metric not in shown:  # a family member not shown: its test only
                    if reference is not None:
                        rows.append({"metric": metric, "family": family_of(metric), "hidden": True,
                                     "p_value": _paired_p(values, reference)})  # fmt: skip
                    continue
                interval = t_interval(values, level)
                row: dict[str, Any] = {
                    "scenario": label,
                    "point": point,
                    "metric": metric,
                    **{k: v for k, v in asdict(interval).items() if k != "sd"},
                    "sd": interval.sd,
                    "baseline": baseline,
                    "family": family_of(metric),
                    "unit": meaning.unit,
                    "share": share,
                    "design_property": _is_fixed(metric, fixed),
                }
                if reference is not None:
                    row["reference_point"] = int(reference_point)
                    row.update(paired(values, reference, level, share=share))
                    if _is_fixed(metric, fixed):
                        row["p_value"] = None
                rows.append(row)
    adjust_rows(rows)
    for row in rows:  # the members in the family's own order, whichever are shown
        if row.get("family_members") and row["family"] in families:
            tested = set(row["family_members"])
            row["family_members"] = [m for m in families[row["family"]] if m in tested]
    return [{k: _plain(v) for k, v in row.items()} for row in rows if not row.get("hidden")]


def _is_fixed(metric: str, fixed: set[str]) -> bool:
    """A design property, overall or by group (``by_case_type.birth.procedures_per_case``)."""
    return metric in fixed or metric.rsplit(".", 1)[-1] in fixed


def _plain(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value
