"""``govlab calibrate``: fit a baseline's unobservable parameters to a place's "before" figures.

The steps, each stored or resumable:

1. **Targets**: the file's "before" figures of the place (or the ids asked for). A design property
   (procedures, materials: fixed by the catalogue, ``results.metric_info.design_properties``) is
   reported beside the model's value, never fitted.
2. **Prior screen**: ``screen`` points drawn uniformly from the priors, run through govlab's
   executor and store. A target whose observed 90% interval lies wholly outside the range the
   screen reaches is *unreachable*: reported as such and left out of the distance (it would
   otherwise decide the whole fit alone).
3. **ABC-SMC** (``experiments.abc_fit``, pyabc) on the reachable targets, its simulations run
   through the executor and store (``experiments.abc_sampler``: resumable within a generation).
4. **Posterior predictive**: ``points`` draws from the posterior, each run with ``replications``
   paired seeds through the executor and store; every figure gets the predictive median and 90%
   interval of what would be observed (the simulated value plus the figure's measurement error),
   and a status: ``fits`` (observed value inside), ``misses``, ``unreachable`` or ``design``.

Everything lands in the output folder: ``calibration.json`` (setup, provenance, posterior summary,
fit), ``posterior.csv`` (the weighted last population), ``posterior_points.csv`` (the resampled
ensemble ``predict`` uses), ``pyabc.db`` (pyabc's history) and the figures. The summary also joins
the specification of the store's ensemble experiment (``calibration_record``), so that
``govlab report`` and the results tab show the calibration from the store alone.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govlab.experiments.abc_fit import (
    AbcBudget,
    LabSimulator,
    Parameter,
    Target,
    fit,
    resample,
    weighted_quantiles,
)
from govlab.experiments.ensemble import (
    SERVICE_TIME_SCALE,
    Point,
    register_ensemble,
    run_ensemble,
    small_world,
    with_params,
)
from govlab.experiments.executors import Executor
from govlab.results.metric_info import design_properties, info
from govlab.results.provenance import git_commit, model_version, package_versions
from govlab.results.store import Store
from govlab.scenarios import Scenario, ScenarioError, load_scenario
from govlab.scenarios.observed import Figure, ObservedFile

BASELINE = "baseline"


@dataclass(frozen=True)
class Setup:
    """What a calibration fits, to what, and with how much simulation."""

    name: str
    observed: str
    scenario: str
    place: str | None
    parameters: list[Parameter]
    target_ids: list[str] = field(default_factory=list)
    scale: int = 10
    warmup_days: int = 100
    budget: AbcBudget = field(default_factory=AbcBudget)
    screen: int = 40
    points: int = 20
    replications: int = 2
    seed: int = 2026


def base_scenario(name: str, setup: Setup) -> Scenario:
    """The scenario ``name`` in the calibration's small world and delay window."""
    scenario = small_world(load_scenario(name), setup.scale)
    return scenario.with_overrides({"world.warmup_days": setup.warmup_days})


def check_parameters(scenario: Scenario, parameters: list[Parameter]) -> list[Parameter]:
    """Every parameter is a field of the scenario and both ends of its prior are valid there."""
    checked = []
    for parameter in parameters:
        if not parameter.low < parameter.high:
            raise ScenarioError(f"--param {parameter.path}: low must be below high")
        integer = False
        if parameter.path != SERVICE_TIME_SCALE:
            current: Any = scenario
            for part in parameter.path.split("."):
                current = (
                    current.get(part) if isinstance(current, dict) else getattr(current, part, None)
                )
                if current is None:
                    raise ScenarioError(
                        f"--param {parameter.path}: not a scenario field (nor {SERVICE_TIME_SCALE})"
                    )
            integer = isinstance(current, int) and not isinstance(current, bool)
        for end in (parameter.low, parameter.high):
            with_params(scenario, {parameter.path: round(end) if integer else end})
        checked.append(Parameter(parameter.path, parameter.low, parameter.high, integer))
    return checked


def is_design(figure: Figure) -> bool:
    """True for a figure of a metric fixed by the catalogue and levers."""
    return figure.metric in design_properties()


def _uniform_points(parameters: list[Parameter], count: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [
        {
            p.path: (lambda v, p=p: round(v) if p.integer else float(v))(rng.uniform(p.low, p.high))
            for p in parameters
        }
        for _ in range(count)
    ]


def predictive(
    values: np.ndarray, se: float, seed: int, nonnegative: bool = True
) -> tuple[float, float, float]:
    """Median and 90% interval of an observation: simulated values plus measurement error
    (a quantity that cannot be negative is not observed below zero)."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (np.nan, np.nan, np.nan)
    rng = np.random.default_rng(seed)
    draws = np.repeat(values, 50) + rng.standard_normal(values.size * 50) * se
    if nonnegative:
        draws = np.maximum(draws, 0.0)
    low, mid, high = np.quantile(draws, [0.05, 0.5, 0.95])
    return float(mid), float(low), float(high)


def fit_row(figure: Figure, values: np.ndarray, status: str | None, seed: int) -> dict:
    """One line of the fit table."""
    mid, low, high = predictive(values, figure.se, seed, info(figure.metric).nonnegative)
    if status is None:
        status = "fits" if low <= figure.value <= high else "misses"
    return {
        "id": figure.id,
        "metric": figure.run_metric,
        "period": figure.period,
        "observed": figure.value,
        "observed_low": figure.interval[0],
        "observed_high": figure.interval[1],
        "predicted": mid,
        "predicted_low": low,
        "predicted_high": high,
        "status": status,
    }


def calibrate(
    setup: Setup,
    observed: ObservedFile,
    store: Store,
    executor: Executor,
    out: Path,
) -> dict[str, Any]:
    """Run (or resume) a calibration and write its outputs into ``out``; return the summary."""
    figures = observed.select(setup.place, "before", setup.target_ids or None)
    if not figures:
        raise ScenarioError(
            f"{setup.observed}: no 'before' figure of place {setup.place!r}; places: "
            f"{', '.join(sorted({f.place for f in observed.figure}))}"
        )
    scenario = base_scenario(setup.scenario, setup)
    parameters = check_parameters(scenario, setup.parameters)
    out.mkdir(parents=True, exist_ok=True)
    recorded = out / "setup.json"
    wanted = json.dumps({**asdict(setup), "parameters": [asdict(p) for p in parameters]})
    if recorded.exists() and recorded.read_text() != wanted:
        raise ScenarioError(
            f"--out: {out} holds another calibration (setup.json differs); choose another --out"
        )
    recorded.write_text(wanted)
    identity = {"calibration": setup.name, "scenario": setup.scenario, "scale": setup.scale}
    days = setup.budget.days
    metrics = sorted({f.run_metric for f in figures})
    screen = run_ensemble(
        store,
        f"calibrate:{setup.name}:screen",
        {**identity, "parameters": [asdict(p) for p in parameters]},
        [
            Point(BASELINE, i, params)
            for i, params in enumerate(_uniform_points(parameters, setup.screen, setup.seed))
        ],
        {BASELINE: scenario},
        days,
        setup.seed,
        1,
        executor,
        metrics,
    )
    status: dict[str, str] = {}
    for figure in figures:
        if is_design(figure):
            status[figure.id] = "design"
            continue
        reached = screen[figure.run_metric].dropna()
        low, high = figure.interval
        if reached.empty or high < reached.min() or low > reached.max():
            status[figure.id] = "unreachable"
    fitted = [f for f in figures if f.id not in status]
    if not fitted:
        raise ScenarioError(
            f"{setup.observed}: no target the model can reach (prior screen of {setup.screen} "
            f"points): {', '.join(f'{f.id}={status[f.id]}' for f in figures)}"
        )
    targets = [Target(f.id, f.run_metric, f.value, f.se) for f in fitted]
    simulator = LabSimulator(scenario, parameters, targets, days, setup.seed)
    from govlab.experiments.abc_sampler import StoreSampler  # needs pyabc (the calibrate extra)

    sampler = StoreSampler(
        simulator,
        store,
        executor,
        f"calibrate:{setup.name}:abc",
        {
            **identity,
            "parameters": [asdict(p) for p in parameters],
            "seed": setup.seed,
        },
    )
    particles, weights, abc_info = fit(simulator, setup.budget, out / "pyabc.db", sampler)
    abc_info.update(computed=sampler.computed, reused=sampler.reused)
    ensemble = resample(particles, weights, setup.points, setup.seed + 1)
    points = [
        Point(
            BASELINE,
            i,
            {
                p.path: (round(v) if p.integer else float(v))
                for p, v in zip(parameters, row, strict=True)
            },
        )
        for i, row in enumerate(ensemble)
    ]
    runs = run_ensemble(
        store,
        f"calibrate:{setup.name}:ensemble",
        identity,
        points,
        {BASELINE: scenario},
        days,
        setup.seed,
        setup.replications,
        executor,
    )
    rows = [
        fit_row(f, runs[f.run_metric].to_numpy(float), status.get(f.id), setup.seed + i)
        for i, f in enumerate(figures)
    ]
    posterior = {
        p.path: dict(
            zip(
                ("p05", "median", "p95"),
                weighted_quantiles(particles[:, j], weights, [0.05, 0.5, 0.95]),
                strict=True,
            ),
            prior_low=p.low,
            prior_high=p.high,
        )
        for j, p in enumerate(parameters)
    }
    columns = [p.path for p in parameters]
    pd.DataFrame(particles, columns=columns).assign(weight=weights).to_csv(
        out / "posterior.csv", index=False
    )
    pd.DataFrame([pt.params for pt in points]).to_csv(out / "posterior_points.csv", index=False)
    pd.DataFrame(rows).to_csv(out / "fit.csv", index=False)
    summary = {
        "setup": {**asdict(setup), "parameters": [asdict(p) for p in parameters]},
        "provenance": {
            "model_version": model_version(),
            "git_commit": git_commit(),
            "packages": {**package_versions(), "pyabc": metadata.version("pyabc")},
        },
        "abc": {**abc_info, "screen_simulations": len(screen)},
        "ensemble_runs": len(runs),
        "posterior": posterior,
        "fit": rows,
        "unmatched": [u.id for u in observed.unmatched],
    }
    (out / "calibration.json").write_text(json.dumps(summary, indent=2, default=str))
    from govlab.results.calibration_figures import write_figures

    write_figures(out, particles, weights, parameters, rows)
    register_ensemble(  # the record the report and the results tab read back from the store
        store,
        f"calibrate:{setup.name}:ensemble",
        identity,
        points,
        {BASELINE: scenario},
        days,
        setup.seed,
        setup.replications,
        {"calibration": calibration_record(out)},
    )
    return summary


def calibration_record(folder: Path) -> dict[str, Any]:
    """What the report and the results tab show of the calibration in ``folder`` (JSON-safe:
    NaN as null): its summary, the weighted posterior, and ``govlab predict``'s tables when it
    ran (``predicted``: every reform and metric; ``versus``: observed "after" vs predicted)."""
    from govlab.experiments.worker import clean

    summary = json.loads((folder / "calibration.json").read_text())
    posterior = pd.read_csv(folder / "posterior.csv")
    record: dict[str, Any] = {
        "folder": str(folder.resolve()),
        **{key: summary[key] for key in ("setup", "provenance", "abc", "posterior", "fit")},
        "particles": posterior.drop(columns="weight").to_numpy(float).tolist(),
        "weights": posterior["weight"].to_numpy(float).tolist(),
    }
    for name, key in (("predict.csv", "predicted"), ("predict_observed.csv", "versus")):
        try:
            record[key] = pd.read_csv(folder / name).to_dict("records")
        except FileNotFoundError:
            continue
        except pd.errors.EmptyDataError:  # predict wrote no row (no "after" figure)
            record[key] = []
    return clean(record)
