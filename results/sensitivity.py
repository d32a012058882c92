"""Global sensitivity indices (SALib) of a sampled experiment, with confidence values.

The output of a design point is the mean of a metric over its finished replications. Sobol samples
give first-order and total indices (S1, ST, and their confidence half-widths); Morris samples give
mu*, its confidence and sigma; Latin hypercube samples give RBD-FAST first-order indices.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


class SensitivityError(ValueError):
    """The experiment cannot be analysed (not sampled, runs missing); one line."""


def outputs(wide: pd.DataFrame, label: str, metric: str, points: int) -> np.ndarray:
    """Mean of ``metric`` per design point for scenario ``label`` (NaN where nothing finished)."""
    group = wide[wide["label"] == label]
    means = pd.to_numeric(group[metric], errors="coerce").groupby(group["point"]).mean()
    return means.reindex(range(points)).to_numpy(dtype=float)


def analyse(
    design: dict[str, Any], wide: pd.DataFrame, metrics: list[str], seed: int = 0
) -> tuple[list[dict[str, Any]], list[str]]:
    """Indices per scenario, metric and parameter, and notes on metrics left out.

    Args:
        design: the stored design record (method, problem, matrix).
        wide: one row per finished run (``label, point`` and metric columns).
        metrics: metrics to analyse.
        seed: seed of the bootstrap resampling.

    Raises:
        SensitivityError: not a sampled design, or design points without any finished run.
    """
    method, problem = design["method"], design.get("problem")
    if method not in ("sobol", "morris", "lhs") or problem is None:
        raise SensitivityError(
            f"the experiment's design is {method!r}; "
            "sensitivity needs a sample (sobol | morris | lhs)"
        )
    matrix = np.asarray(design["matrix"], dtype=float)
    options = design.get("options") or {}
    second_order = bool(options.get("second_order", False))
    levels = int(options.get("levels", 4))
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for label in dict.fromkeys(wide["label"]):
        finished = set(wide.loc[wide["label"] == label, "point"])
        if len(finished) < len(matrix):
            raise SensitivityError(
                f"{label}: {len(matrix) - len(finished)} of {len(matrix)} design points have no "
                "finished run; run the batch again to finish it"
            )
        for metric in metrics:
            if metric not in wide.columns:
                continue
            y = outputs(wide, label, metric, len(matrix))
            missing = int(np.isnan(y).sum())
            if missing:
                notes.append(f"{label}: {metric} left out: undefined at {missing} design points")
                continue
            if np.ptp(y) == 0:
                notes.append(f"{label}: {metric} left out: the same at every design point")
                continue
            rows += _indices(
                method, problem, matrix, y, seed, (second_order, levels), label, metric
            )
    return rows, notes


def _indices(method, problem, matrix, y, seed, options, label, metric) -> list[dict]:
    second_order, levels = options
    if method == "sobol":
        from SALib.analyze import sobol

        result = sobol.analyze(problem, y, calc_second_order=second_order, seed=seed)
        keys = {"S1": "S1", "S1_conf": "S1_conf", "ST": "ST", "ST_conf": "ST_conf"}
    elif method == "morris":
        from SALib.analyze import morris

        result = morris.analyze(problem, matrix, y, num_levels=levels, seed=seed)
        keys = {"mu_star": "mu_star", "mu_star_conf": "mu_star_conf", "sigma": "sigma"}
    else:
        from SALib.analyze import rbd_fast

        result = rbd_fast.analyze(problem, matrix, y, seed=seed)
        keys = {"S1": "S1", "S1_conf": "S1_conf"}
    rows = []
    for index, name in enumerate(problem["names"]):
        row = {"scenario": label, "metric": metric, "parameter": name, "method": method}
        for key, source in keys.items():
            value = float(np.asarray(result[source])[index])
            row[key] = value if math.isfinite(value) else None
        rows.append(row)
    return rows
