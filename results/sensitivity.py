"""Global sensitivity indices (SALib) of a sampled experiment, with confidence values.

The output of a design point is the mean of a metric over its finished replications. Sobol samples
give first-order and total indices (S1, ST, and their confidence half-widths); Morris samples give
mu*, its confidence and sigma; Latin hypercube samples give RBD-FAST first-order indices.

Sobol indices carry simulation noise (``results.sobol_noise``): with two or more replications the
confidence half-widths combine SALib's bootstrap with the noise's, the total index has a noise
floor (what a pure-noise output would get), and an index whose lower bound does not clear its
floor is not reported (``S1``/``ST`` None; the estimate stays in ``S1_estimate``/``ST_estimate``).
With one replication the noise is not estimated and a note says so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from govlab.results.sobol_noise import combine, noise_terms


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
            found = _indices(
                method, problem, matrix, y, seed, (second_order, levels), label, metric
            )
            if method == "sobol":
                notes += _with_noise(found, wide, label, metric, len(matrix), second_order)
            rows += found
    return rows, notes


def replication_outputs(wide: pd.DataFrame, label: str, metric: str, points: int) -> np.ndarray:
    """``metric`` per replication (rows) and design point (columns), replications complete at
    every point only."""
    group = wide[wide["label"] == label]
    table = group.pivot_table(index="replication", columns="point", values=metric, aggfunc="mean")
    table = table.reindex(columns=range(points)).dropna()
    return table.to_numpy(dtype=float)


def _with_noise(rows, wide, label, metric, points, second_order) -> list[str]:
    """Add the noise terms to a metric's Sobol rows; drop indices noise could explain."""
    d = len(rows)
    if second_order:
        return [f"{label}: {metric}: simulation noise not assessed with second-order indices"]
    terms = noise_terms(replication_outputs(wide, label, metric, points), d)
    if terms is None:
        for row in rows:
            row["noise_checked"] = False
        return [
            f"{label}: {metric}: one replication per point: simulation noise is not in the "
            "intervals (run two or more replications)"
        ]
    for j, row in enumerate(rows):
        row["noise_checked"] = True
        row["noise_share"] = terms.noise_share
        row["ST_noise_floor"] = float(terms.st_floor[j])
        checks = (("S1", terms.s1_half[j], 0.0), ("ST", terms.st_half[j], terms.st_floor[j]))
        for key, half, floor in checks:
            value, conf = row.get(key), row.get(f"{key}_conf")
            row[f"{key}_conf_design"] = conf
            row[f"{key}_conf"] = combine(conf, float(half))
            row[f"{key}_estimate"] = value
            clear = value is not None and row[f"{key}_conf"] is not None
            if not (clear and value - row[f"{key}_conf"] > floor):
                row[key] = None
    kept = sum(row[k] is not None for row in rows for k in ("S1", "ST"))
    return [
        f"{label}: {metric}: noise is {100 * terms.noise_share:.1f}% of the variance of the "
        f"point means; {kept} of {2 * d} indices clear noise and sampling error"
    ]


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

        # a bootstrap resample of an output with few distinct values can have no variance: its
        # index is then undefined (NaN, reported as None below), not an error
        with np.errstate(divide="ignore", invalid="ignore"):
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


def index_text(row: dict[str, Any], key: str) -> str:
    """An index for a table: its value, or ``(estimate) noise`` when noise could explain it."""
    value = row.get(key)
    if value is not None:
        return f"{value:.3f}"
    estimate = row.get(f"{key}_estimate")
    return "—" if estimate is None else f"({estimate:.3f}) noise"


NOISE_NOTE = (
    "Sobol indices: first-order S1 and total ST with 95% half-widths that combine SALib's "
    "bootstrap over base samples with the simulation noise measured between replications; the "
    "total index's noise floor is what a pure-noise output of the same level would get. An index "
    "is reported only when its lower bound clears its floor (0 for S1); '(x) noise' marks an "
    "estimate that noise or the finite design could explain."
)
