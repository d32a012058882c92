"""The run plan of an experiment: every (scenario, design point, replication) as a ``RunSpec``.

Runs are ordered replication-major (all scenarios and points of replication 0 first), so that a
partial batch already holds complete, paired replications. Each run carries its seed (common
random numbers: the same for every scenario and point of a replication) and a digest of exactly
what it simulates: the scenario with every override, the days, and the model version (a digest of
the code that produces the numbers, ``results.provenance.model_version``). Two runs with the same
key and digest give the same numbers; a stored run with another digest is another definition.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from govlab.experiments.designs import Design, make_design
from govlab.experiments.seeds import replication_seeds
from govlab.experiments.spec import Experiment, ExperimentError
from govlab.experiments.uncertainties import apply_point
from govlab.results.provenance import model_version
from govlab.scenarios import Scenario, ScenarioError


@dataclass(frozen=True)
class RunSpec:
    """One simulation to run: plain, picklable data sent to executors."""

    key: str
    label: str
    point: int
    replication: int
    seed: int
    days: int
    params: dict[str, Any]
    scenario: Scenario = field(repr=False)
    digest: str
    series: tuple[str, ...] | None = None  # None: every model series
    cases: int = 0
    model_version: str = ""
    home_series: bool = False  # keep per-home-district series by arrival day (govlab pilot)


def digest_of(scenario: Scenario, days: int, version: str | None = None) -> str:
    """SHA-256 of the scenario (every lever, world parameter and service), the run length and
    the model version (default: this code's ``model_version()``)."""
    version = model_version() if version is None else version
    text = json.dumps(
        {"scenario": scenario.model_dump(mode="json"), "days": days, "model": version},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def run_key(label: str, point: int, replication: int) -> str:
    """The run's stable key inside its experiment."""
    return f"{label}/p{point:04d}/r{replication:04d}"


def plan_runs(
    experiment: Experiment,
    scenarios: dict[str, Scenario],
    design: Design | None = None,
    source: str = "experiment",
) -> list[RunSpec]:
    """Every run of the experiment, replication-major."""
    design = design or make_design(experiment)
    seeds = replication_seeds(experiment.seed, experiment.replications)
    series = None if experiment.keep.series == "all" else tuple(experiment.keep.series)
    prepared: list[Prepared] = []
    for label, base in scenarios.items():
        for index, point in enumerate(design.points):
            try:
                scenario = apply_point(base, point, f"{source}: design point {index}")
            except ScenarioError as error:
                raise ExperimentError(str(error)) from None
            prepared.append((label, index, point, scenario, digest_of(scenario, experiment.days)))
    return replicate(prepared, seeds, experiment.days, series, experiment.keep.cases)


Prepared = tuple[str, int, dict[str, Any], Scenario, str]  # label, point, params, scenario, digest


def replicate(
    prepared: list[Prepared],
    seeds: list[int],
    days: int,
    series: tuple[str, ...] | None,
    cases: int,
) -> list[RunSpec]:
    """Every prepared point run with every replication seed, replication-major (replication r of
    every point runs from ``seeds[r]``: common random numbers)."""
    version = model_version()
    return [
        RunSpec(
            key=run_key(label, point, replication),
            label=label,
            point=point,
            replication=replication,
            seed=seed,
            days=days,
            params=params,
            scenario=scenario,
            digest=digest,
            series=series,
            cases=cases,
            model_version=version,
        )
        for replication, seed in enumerate(seeds)
        for label, point, params, scenario, digest in prepared
    ]
