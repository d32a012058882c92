"""Choosing the warm-up of the delay statistics: MSER-5 (White 1997) on pilot runs' delay series.

The delay window starts at ``world.warmup_days``: cases arriving before it are left out. The
criterion is the Marginal Standard Error Rule on batch means of 5 days (MSER-5; White, K. P.
(1997), "An effective truncation heuristic for bias reduction in simulation output",
*Simulation* 69(6): 323-334; White, Cobb & Spratt 2000). For a series cut into ``k`` batch means
``Z_1..Z_k`` of ``batch`` days, truncating the first ``d`` batches leaves

    MSER(d) = sum_{j>d} (Z_j - mean(Z_{d+1..k}))^2 / (k - d)^2,

the squared half-width (up to a constant) of the mean of what is kept: truncation lowers it while
the dropped days are biased, and raises it once only noise is dropped. The warm-up is ``batch * d*``
with ``d* = argmin MSER(d)`` over the first half of the batches (a minimum in the second half means
the series is too short to tell, and is flagged). The series analysed here is the mean delay of
the cases *arriving* on each day, averaged over pilot replications (the delay window is defined
by arrival day). ``experiments/warmup_cli.py`` runs the pilots (``govlab warmup``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BATCH_DAYS = 5


@dataclass(frozen=True)
class Truncation:
    """The MSER choice for one series."""

    batch: int
    batches: int
    best_batches: int
    statistic: np.ndarray

    @property
    def days(self) -> int:
        """The warm-up: days (series points) to drop."""
        return self.batch * self.best_batches

    @property
    def conclusive(self) -> bool:
        """False when the minimum lies at the edge of the searched half (series too short)."""
        return self.best_batches < len(self.statistic) - 1


def batch_means(series: np.ndarray, batch: int = BATCH_DAYS) -> np.ndarray:
    """Means of consecutive batches of ``batch`` points (a trailing partial batch is dropped;
    NaN points are left out of their batch's mean)."""
    values = np.asarray(series, dtype=float)
    k = len(values) // batch
    if k == 0:
        return np.empty(0)
    blocks = values[: k * batch].reshape(k, batch)
    counts = np.isfinite(blocks).sum(axis=1)
    sums = np.where(np.isfinite(blocks), blocks, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def mser(series: np.ndarray, batch: int = BATCH_DAYS, max_fraction: float = 0.5) -> Truncation:
    """MSER-``batch`` truncation of one output series (e.g. daily mean delay).

    Args:
        series: one value per day (NaN for a day without data).
        batch: batch size in days (5: MSER-5).
        max_fraction: search truncations up to this share of the batches.

    Raises:
        ValueError: fewer than 4 batches of data.
    """
    z = batch_means(series, batch)
    z = _fill(z)
    k = len(z)
    if k < 4:
        raise ValueError(f"MSER needs at least 4 batches of {batch} days; got {k}")
    last = max(1, int(k * max_fraction))
    statistic = np.empty(last + 1)
    for d in range(last + 1):
        kept = z[d:]
        statistic[d] = float(((kept - kept.mean()) ** 2).sum()) / (k - d) ** 2
    return Truncation(batch, k, int(np.argmin(statistic)), statistic)


def _fill(z: np.ndarray) -> np.ndarray:
    """Batch means with gaps filled by the previous batch (a batch without any data is rare)."""
    out = z.copy()
    for i in range(len(out)):
        if not np.isfinite(out[i]):
            out[i] = out[i - 1] if i else np.nanmean(z)
    return out


def arrival_day_means(arrival_day: np.ndarray, delay_days: np.ndarray, days: int) -> np.ndarray:
    """Mean delay of the cases arriving on each day ``0..days-1`` (NaN for a day without any)."""
    day = np.floor(np.asarray(arrival_day, dtype=float)).astype(np.int64)
    inside = (day >= 0) & (day < days)
    sums = np.bincount(day[inside], weights=np.asarray(delay_days, float)[inside], minlength=days)
    counts = np.bincount(day[inside], minlength=days)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
