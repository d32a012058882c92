"""An ensemble of parameter points run through govlab's executors and store: the runs of a
calibration's prior screen and posterior predictive, and of ``govlab predict``.

Each point (a label, an index, its overrides, the scenario with them applied) is run with every
seed of ``seeds`` (common random numbers: replication r of every point and every label uses
``seeds[r]``, so a reform and its baseline at one posterior point meet the same luck). The runs
are an experiment of the store, keyed ``label/p0007/r0001`` with the digest of what they simulate:
a killed ensemble resumes with the runs it had stored (``run_batch``'s rule), and nothing is
recomputed. ``small_world`` divides the population by a scale while multiplying the case rates by
it, so that every office meets the same arrivals and keeps its queueing (staff are whole servers:
a smaller staff would change the queue's shape).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from govlab.experiments.executors import Executor
from govlab.experiments.plan import Prepared, digest_of, replicate
from govlab.experiments.seeds import replication_seeds
from govlab.results.provenance import git_commit
from govlab.results.store import Store
from govlab.scenarios import Scenario


def small_world(scenario: Scenario, scale: int) -> Scenario:
    """The scenario with residents and enterprises divided by ``scale`` and every case rate
    (and the response office's staff per 10^4 residents) multiplied by it: the offices meet the
    same arrivals per day, so their load and queueing are those of the full world."""
    if scale == 1:
        return scenario
    world = scenario.world
    overrides: dict[str, Any] = {
        "world.residents": max(world.residents // scale, 1),
        "world.enterprises": max(world.enterprises // scale, 1),
        "response_office.staff_per_10k_residents": (
            scenario.response_office.staff_per_10k_residents * scale
        ),
    }
    for name, service in scenario.services.items():
        overrides[f"services.{name}.rate_per_year"] = service.rate_per_year * scale
    return scenario.with_overrides(overrides)


SERVICE_TIME_SCALE = "service_time_scale"  # a calibration parameter that is no scenario field


def with_params(scenario: Scenario, params: dict[str, Any]) -> Scenario:
    """The scenario with ``params`` applied: dotted scenario paths, and ``service_time_scale``,
    which multiplies every step's counter and back-office time of the catalogue."""
    rest = {key: value for key, value in params.items() if key != SERVICE_TIME_SCALE}
    if SERVICE_TIME_SCALE in params:
        factor = float(params[SERVICE_TIME_SCALE])
        overrides: dict[str, Any] = {}
        for name, service in scenario.services.items():
            for index, step in enumerate(service.steps):
                where = f"services.{name}.steps"
                overrides.setdefault(where, [s.model_dump(mode="json") for s in service.steps])
                overrides[where][index]["counter_hours"] = step.counter_hours * factor
                overrides[where][index]["backoffice_days"] = step.backoffice_days * factor
        scenario = scenario.with_overrides(overrides)
    return scenario.with_overrides(rest) if rest else scenario


@dataclass(frozen=True)
class Point:
    """One point of an ensemble: a scenario label and the parameter values applied to it."""

    label: str
    index: int
    params: dict[str, float]


def prepare(points: list[Point], scenarios: dict[str, Scenario], days: int) -> list[Prepared]:
    """Each point's scenario with its parameters applied, and its digest."""
    prepared: list[Prepared] = []
    for point in points:
        scenario = with_params(scenarios[point.label], point.params)
        prepared.append(
            (point.label, point.index, point.params, scenario, digest_of(scenario, days))
        )
    return prepared


def register_ensemble(
    store: Store,
    name: str,
    identity: dict[str, Any],
    points: list[Point],
    scenarios: dict[str, Scenario],
    days: int,
    root_seed: int,
    replications: int,
    extra: dict[str, Any] | None = None,
) -> int:
    """Register (or update the specification of) the ensemble's experiment; return its id.
    ``extra`` joins the specification, not the identity (e.g. a calibration's summary, which
    ``results.calibration_report`` reads back)."""
    spec = {  # read like an experiment file's (results.frames: labels, baseline) by compare, UI
        "kind": "ensemble",
        **identity,
        "name": name,
        "scenarios": [{"scenario": s.name, "label": label} for label, s in scenarios.items()],
        "baseline": next(iter(scenarios)),
        "days": days,
        "replications": replications,
        "seed": root_seed,
        **(extra or {}),
    }
    design = {"method": "ensemble", "points": [p.params for p in points], "options": None}
    return store.register(name, spec, {**identity, "seed": root_seed}, design)


def run_ensemble(
    store: Store,
    name: str,
    identity: dict[str, Any],
    points: list[Point],
    scenarios: dict[str, Scenario],
    days: int,
    root_seed: int,
    replications: int,
    executor: Executor,
    metrics: list[str] | None = None,
) -> pd.DataFrame:
    """Run (or resume) every point × replication and return their metrics, one row per run:
    ``label, point, replication`` and one column per metric (``metrics``; all when None).

    Raises:
        results.store.StoreError: ``name`` is stored with another identity.
    """
    seeds = replication_seeds(root_seed, replications)
    runs = replicate(prepare(points, scenarios, days), seeds, days, (), 0)
    experiment_id = register_ensemble(
        store, name, identity, points, scenarios, days, root_seed, replications
    )
    finished = store.finished(experiment_id)
    todo = [run for run in runs if finished.get(run.key) != (run.digest, run.seed)]
    if todo:
        commit = git_commit()
        for run, result in executor.run(todo):
            store.write_run(experiment_id, run, result, commit)
    return ensemble_frame(store, experiment_id, metrics)


def ensemble_frame(store: Store, experiment_id: int, metrics: list[str] | None) -> pd.DataFrame:
    """The finished runs of an ensemble, wide: ``label, point, replication, <metric>...``."""
    runs = store.runs(experiment_id)
    runs = runs[runs["status"] == "done"][["id", "label", "point", "replication"]]
    long = store.metrics(experiment_id, metrics)
    wide = long.pivot_table(index="run_id", columns="name", values="value", aggfunc="first")
    frame = runs.merge(wide, left_on="id", right_index=True, how="left").drop(columns="id")
    for metric in metrics or []:
        if metric not in frame:
            frame[metric] = np.nan
    return frame.sort_values(["label", "point", "replication"]).reset_index(drop=True)
