"""Simulation noise in Sobol indices: a noise floor and a noise term for the confidence values.

The output of a design point is the mean over ``R`` replications (seed ``r`` shared by every
point: common random numbers), ``Ȳ = g(x) + ε̄``. SALib's bootstrap over base samples measures
how the design's sample size limits the estimate, not what the noise ``ε̄`` adds. Two effects:

- *bias*: noise inflates the total index. Jansen's estimator ``ST_i = mean((Y_A - Y_ABi)^2) /
  (2 Var Y)`` gains ``mean((ε_A - ε_ABi)^2) / (2 Var Y)``, the index a pure-noise output would
  get. It is estimated from the replication residuals ``z_r = (Y_r - Ȳ) / sqrt(R - 1)``, which
  have the noise level of ``Ȳ`` and keep the common-random-number structure of each seed:
  ``floor_i = mean_r mean((z_rA - z_rABi)^2) / (2 Var Ȳ)``;
- *spread*: the indices move with the noise. Adding one residual ``z_r`` (noise of the same level
  again) to ``Ȳ`` and recomputing gives ``S(Ȳ + z_r) - S(Ȳ)``; its root mean square over ``r``
  times 1.96 is the noise half-width, combined with SALib's as ``sqrt(conf^2 + noise^2)``.

An index is *reported* only when its lower bound ``S - conf`` exceeds its floor (0 for first
order): otherwise noise (or the finite design) could explain it. ``noise_share`` is the share of
the variance of ``Ȳ`` over design points that is noise (``mean_r Var_points(z_r) / Var Ȳ``: a
seed's luck common to every point does not count, as it cannot change an index).
Second-order indices are not treated (the shipped example does not compute them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054


@dataclass(frozen=True)
class NoiseTerms:
    """Per parameter: noise half-widths of S1 and ST, and the ST floor; per output: noise share."""

    s1_half: np.ndarray
    st_half: np.ndarray
    st_floor: np.ndarray
    noise_share: float


def _indices(y: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    from SALib.analyze.sobol import first_order, separate_output_values, total_order

    n = len(y) // (d + 2)
    a, b, ab, _ = separate_output_values(y, d, n, False)
    s1 = np.array([first_order(a, ab[:, j], b) for j in range(d)])
    st = np.array([total_order(a, ab[:, j], b) for j in range(d)])
    return s1, st


def noise_terms(runs: np.ndarray, d: int) -> NoiseTerms | None:
    """The noise terms of a Saltelli sample (no second order) from per-replication outputs.

    Args:
        runs: outputs, one row per replication, one column per design point (SALib order).
        d: number of parameters.

    Returns:
        None with fewer than 2 replications (the noise cannot be estimated).
    """
    runs = np.asarray(runs, dtype=float)
    # standardised as SALib's analyze does: the Saltelli (2010) first-order estimator
    # mean(B (AB - A)) is not shift-invariant, and noise times a large mean would swamp it
    runs = (runs - runs.mean(axis=0).mean()) / runs.mean(axis=0).std()
    r = runs.shape[0]
    if r < 2:
        return None
    mean = runs.mean(axis=0)
    s1, st = _indices(mean, d)
    residuals = (runs - mean) / math.sqrt(r - 1)
    n = runs.shape[1] // (d + 2)
    step = d + 2
    var = float(np.var(np.r_[mean[0::step], mean[step - 1 :: step]]))
    floors, d1, dt = [], [], []
    for z in residuals:
        z_a = z[0::step]
        floors.append(
            [0.5 * np.mean((z_a - z[j + 1 :: step][:n]) ** 2) / var for j in range(d)]
            if var > 0
            else [0.0] * d
        )
        p1, pt = _indices(mean + z, d)
        d1.append(p1 - s1)
        dt.append(pt - st)
    noise_var = float(np.mean([np.var(z) for z in residuals]))  # varies over points only
    return NoiseTerms(
        s1_half=Z95 * np.sqrt(np.mean(np.square(d1), axis=0)),
        st_half=Z95 * np.sqrt(np.mean(np.square(dt), axis=0)),
        st_floor=np.mean(floors, axis=0),
        noise_share=noise_var / var if var > 0 else math.inf,
    )


def combine(conf: float | None, noise: float) -> float | None:
    """SALib's confidence half-width and the noise half-width, as independent errors."""
    if conf is None or not math.isfinite(conf):
        return None
    return math.sqrt(conf**2 + noise**2)
