"""Pilot evaluation (issue 23 item 2): a field evaluator's difference-in-differences of a pilot,
the true city-wide effect the lab knows, and the bias between them taken apart.

Three runs share each seed (common random numbers): ``pilot`` (the reform in the pilot districts
from the pilot day), ``everywhere`` (in every district from that day) and ``nowhere`` (never).
The outcome is per home district ``d`` and window ``k`` of arrival days: ``Y[d, k]``, the mean
over the cases whose applicant lives in ``d`` and that arrived in the window (case-weighted over
its days). Windows are ``length`` days long, counted from the pilot day: ``k = -pre .. -1`` before
it, ``0 .. post - 1`` from it. With ``T`` the pilot districts, ``C`` the others, and ``G_T[k]``,
``G_C[k]`` the plain means of ``Y`` over their districts (each district counts once):

- gap ``g[k] = G_T[k] − G_C[k]``; event study ``β[k] = g[k] − g[-1]`` (the last window before
  the pilot is the reference); DiD ``= mean_post g − mean_pre g``: the two-way fixed-effects
  estimate on the balanced district × window panel (district and window effects, one
  treated × post coefficient);
- true effect ``τ[k] = Y_city^everywhere[k] − Y_city^nowhere[k]`` with ``Y_city`` the mean over
  all the city's cases of the window; ``true = mean_post τ``;
- bias ``= DiD − true``, exactly the sum of (each a mean over the post windows unless stated)
  * ``unrepresentative`` = ``(G_T^everywhere − G_T^nowhere) − true``: the pilot districts' own
    effect when every district reforms, against the city's;
  * ``pilot_alone`` = ``G_T^pilot − G_T^everywhere``: the pilot districts reforming alone rather
    than with everyone (demand shifted towards them, shared offices, staff);
  * ``− spillover``, ``spillover = G_C^pilot − G_C^nowhere``: what the pilot did to the other
    districts, the evaluator's controls;
  * ``trends`` = the DiD of the ``nowhere`` run (a placebo: districts' trends differing with no
    reform at all);
  * ``− pre_difference`` = ``mean_pre [(G_T^pilot − G_T^nowhere) − (G_C^pilot − G_C^nowhere)]``:
    the pre-period moved by the pilot (cases opened before it, finishing after it).

Every quantity is computed per seed; intervals are Student-t 95% across seeds
(``results.stats.t_interval``). Pure: arrays in, numbers out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from govlab.results.stats import t_interval

ARMS = ("pilot", "everywhere", "nowhere")
TERMS = ("unrepresentative", "pilot_alone", "spillover", "trends", "pre_difference")
SIGNS = {
    "unrepresentative": 1,
    "pilot_alone": 1,
    "spillover": -1,
    "trends": 1,
    "pre_difference": -1,
}  # fmt: skip  (bias = Σ sign · term)


@dataclass(frozen=True)
class Windows:
    """Windows of arrival days around the pilot day: ``pre`` before it, ``post`` from it."""

    pilot_day: int
    length: int
    pre: int
    post: int

    @property
    def offsets(self) -> list[int]:
        """Window indices ``k``: ``-pre .. post - 1``."""
        return list(range(-self.pre, self.post))

    def bounds(self) -> list[tuple[int, int]]:
        """Each window's arrival days ``[start, end)``, in ``offsets`` order."""
        return [(self.pilot_day + k * self.length, self.pilot_day + (k + 1) * self.length)
                for k in self.offsets]  # fmt: skip

    @property
    def start(self) -> int:
        """First arrival day analysed."""
        return self.pilot_day - self.pre * self.length

    @property
    def end(self) -> int:
        """First arrival day after the last window."""
        return self.pilot_day + self.post * self.length


@dataclass(frozen=True)
class Panel:
    """One run's cases by home district and arrival day: counts and an outcome's sums."""

    cases: np.ndarray  # [district, day]
    sums: np.ndarray  # [district, day]

    def by_window(self, windows: Windows) -> tuple[np.ndarray, np.ndarray]:
        """``Y[d, k]`` (NaN where no case arrived) and the city's mean ``[k]``, case-weighted."""
        spans = windows.bounds()
        cases = np.stack([self.cases[:, a:b].sum(axis=1) for a, b in spans], axis=1)
        sums = np.stack([self.sums[:, a:b].sum(axis=1) for a, b in spans], axis=1)
        per_district = np.divide(sums, cases, out=np.full(cases.shape, np.nan), where=cases > 0)
        total = cases.sum(axis=0)
        city = np.divide(sums.sum(axis=0), total, out=np.full(len(spans), np.nan), where=total > 0)
        return per_district, city


def group_means(y: np.ndarray, treated: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """``G_T[k]`` and ``G_C[k]``: plain means of ``y[d, k]`` over the pilot and other districts."""
    mask = np.zeros(y.shape[0], dtype=bool)
    mask[list(treated)] = True
    return _nanmean(y[mask]), _nanmean(y[~mask])


def _nanmean(rows: np.ndarray) -> np.ndarray:
    counts = np.isfinite(rows).sum(axis=0)
    sums = np.nansum(rows, axis=0)
    return np.divide(sums, counts, out=np.full(rows.shape[1], np.nan), where=counts > 0)


def did(y: np.ndarray, treated: tuple[int, ...], windows: Windows) -> tuple[float, np.ndarray]:
    """The DiD estimate and the event study ``β[k]`` of one run's panel ``y[d, k]``."""
    g_t, g_c = group_means(y, treated)
    gap = g_t - g_c
    pre, post = gap[: windows.pre], gap[windows.pre :]
    reference = gap[windows.pre - 1]
    return float(np.mean(post) - np.mean(pre)), gap - reference


def seed_estimates(
    panels: dict[str, Panel], treated: tuple[int, ...], windows: Windows
) -> dict[str, Any]:
    """Every quantity of the module docstring for one seed (``panels`` by arm)."""
    y = {arm: panels[arm].by_window(windows) for arm in ARMS}
    groups = {arm: group_means(y[arm][0], treated) for arm in ARMS}
    estimate, event = did(y["pilot"][0], treated, windows)
    placebo, _ = did(y["nowhere"][0], treated, windows)
    tau = y["everywhere"][1] - y["nowhere"][1]
    post, pre = slice(windows.pre, None), slice(None, windows.pre)
    true = float(np.mean(tau[post]))
    (t_p, c_p), (t_e, _), (t_n, c_n) = (groups[arm] for arm in ARMS)
    terms = {
        "unrepresentative": float(np.mean((t_e - t_n)[post])) - true,
        "pilot_alone": float(np.mean((t_p - t_e)[post])),
        "spillover": float(np.mean((c_p - c_n)[post])),
        "trends": placebo,
        "pre_difference": float(np.mean(((t_p - t_n) - (c_p - c_n))[pre])),
    }
    return {
        "did": estimate,
        "true": true,
        "bias": estimate - true,
        **terms,
        "own_effect_pilot": float(np.mean((t_p - t_n)[post])),
        "own_effect_everywhere": float(np.mean((t_e - t_n)[post])),
        "event": event,
        "true_by_window": tau,
        "spillover_by_window": c_p - c_n,
    }


def summarise(per_seed: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean and 95% interval across seeds of every scalar, and per window of the series."""
    if not per_seed:
        return {}
    result: dict[str, Any] = {"seeds": len(per_seed)}
    for name, first in per_seed[0].items():
        if isinstance(first, np.ndarray):
            matrix = np.stack([row[name] for row in per_seed])
            result[name] = [_interval(matrix[:, k]) for k in range(matrix.shape[1])]
        else:
            result[name] = _interval([row[name] for row in per_seed])
    return result


def _interval(values) -> dict[str, float | None]:
    interval = t_interval(values)

    def plain(value: float) -> float | None:
        return None if not np.isfinite(value) else float(value)

    return {"mean": plain(interval.mean), "low": plain(interval.low),
            "high": plain(interval.high), "sd": plain(interval.sd)}  # fmt: skip
