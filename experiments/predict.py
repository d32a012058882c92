"""``govlab predict``: run reform scenarios over a calibration's posterior ensemble.

Every posterior point of the calibration (``posterior_points.csv``) is applied to each reform
scenario (the scenario states only the levers and re-engineering it changes; the calibrated
parameters come from the ensemble) and run with the calibration's seeds: replication r of every
point uses the same seed under the baseline and every reform (paired). The runs join the
calibration's ensemble experiment in the store, so the baseline runs are reused, never recomputed.

Outputs (into the calibration's folder): ``predict.csv`` — for every reform and every metric of
the lab, the predictive median and 90% interval of the level and of the paired change from the
baseline; ``predict_observed.csv`` — for every "after" figure of a reform mapped to a scenario,
the observed value and interval against the predicted observation (simulated value plus the
figure's measurement error) and whether the observed value is covered; ``predict.png``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govlab.experiments.abc_fit import AbcBudget, Parameter
from govlab.experiments.calibrate import (
    BASELINE,
    Setup,
    base_scenario,
    calibration_record,
    fit_row,
    is_design,
)
from govlab.experiments.ensemble import Point, register_ensemble, run_ensemble
from govlab.experiments.executors import Executor
from govlab.results.metric_info import METRICS
from govlab.results.store import Store
from govlab.scenarios import ScenarioError
from govlab.scenarios.observed import ObservedFile


def load_setup(folder: Path) -> tuple[Setup, dict[str, Any]]:
    """The setup and summary of the calibration stored in ``folder``."""
    path = folder / "calibration.json"
    if not path.is_file():
        raise ScenarioError(f"{folder}: no calibration.json (run `govlab calibrate` first)")
    summary = json.loads(path.read_text())
    raw = summary["setup"]
    setup = Setup(
        **{
            **raw,
            "parameters": [Parameter(**p) for p in raw["parameters"]],
            # ``workers`` was recorded by calibrations made before the store sampler
            "budget": AbcBudget(**{k: v for k, v in raw["budget"].items() if k != "workers"}),
        }
    )
    return setup, summary


def quantiles(values: np.ndarray) -> tuple[float, float, float]:
    """5%, 50% and 95% of the finite values (NaN when there are none)."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (np.nan, np.nan, np.nan)
    low, mid, high = np.quantile(values, [0.05, 0.5, 0.95])
    return float(low), float(mid), float(high)


def predict(
    folder: Path,
    reforms: dict[str, str],
    observed: ObservedFile,
    store: Store,
    executor: Executor,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every reform scenario (``{label: scenario}``) over the posterior ensemble; write and
    return the predictive table and the observed-vs-predicted table.

    ``reforms`` labels are reform names of the observed file (their "after" figures are compared)
    or free labels (predicted only).
    """
    setup, _ = load_setup(folder)
    params = pd.read_csv(folder / "posterior_points.csv").to_dict("records")
    scenarios = {BASELINE: base_scenario(setup.scenario, setup)}
    for label, name in reforms.items():
        scenarios[label] = base_scenario(name, setup)
    points = [
        Point(label, i, {k: float(v) for k, v in p.items()})
        for label in scenarios
        for i, p in enumerate(params)
    ]
    ensemble = (
        store,
        f"calibrate:{setup.name}:ensemble",
        {"calibration": setup.name, "scenario": setup.scenario, "scale": setup.scale},
        points,
        scenarios,
        setup.budget.days,
        setup.seed,
        setup.replications,
    )
    runs = run_ensemble(*ensemble, executor)
    base = runs[runs["label"] == BASELINE].set_index(["point", "replication"])
    after = [f for f in observed.figure if f.period == "after" and f.reform in reforms]
    names = sorted(set(METRICS) & set(runs.columns) | {f.run_metric for f in after})
    table = []
    for label in reforms:
        own = runs[runs["label"] == label].set_index(["point", "replication"])
        for metric in names:
            level = own[metric].to_numpy(float) if metric in own else np.array([])
            change = (own[metric] - base[metric]).to_numpy(float) if metric in own else level
            low, mid, high = quantiles(level)
            clow, cmid, chigh = quantiles(change)
            table.append(
                {
                    "reform": label,
                    "scenario": reforms[label],
                    "metric": metric,
                    "median": mid,
                    "low": low,
                    "high": high,
                    "change_median": cmid,
                    "change_low": clow,
                    "change_high": chigh,
                }
            )
    rows = []
    for i, figure in enumerate(after):
        own = runs[runs["label"] == figure.reform]
        values = own[figure.run_metric].to_numpy(float)
        row = fit_row(figure, values, "design" if is_design(figure) else None, setup.seed + i)
        row["reform"] = figure.reform
        row["scenario"] = reforms[figure.reform]
        inside = row["predicted_low"] <= figure.value <= row["predicted_high"]
        row["covered"] = None if row["status"] == "design" else bool(inside)
        rows.append(row)
    predicted, versus = pd.DataFrame(table), pd.DataFrame(rows)
    predicted.to_csv(folder / "predict.csv", index=False)
    versus.to_csv(folder / "predict_observed.csv", index=False)
    if rows:
        from govlab.results.calibration_figures import predictive_vs_observed

        predictive_vs_observed(folder / "predict.png", rows, "predicted 'after' vs observed")
    register_ensemble(*ensemble, {"calibration": calibration_record(folder)})
    return predicted, versus
