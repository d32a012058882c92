"""A stored run named on the command line, and the scenario it simulated (``govlab log
--experiment``).

A run in the results store is named by its experiment (a stored name or the experiment file),
its scenario label in that experiment, and its seed (or its replication number), plus the design
point for sweeps and samples (default 0). The store keeps the run's scenario name, design point,
seed, days and digest, not the resolved scenario: ``find_run`` resolves it again from the stored
specification and the scenario files as they are now (``experiments.resolved.run_scenarios``)
and accepts it only when it reproduces the run's digest, so the run re-simulated from it is the
run that was stored. Every mistake is one line naming the option (status 2).
"""

from __future__ import annotations

from dataclasses import dataclass

from govlab.experiments.store_option import _fail, experiment_name, load_stored
from govlab.scenarios import Scenario


@dataclass(frozen=True)
class StoredRun:
    """A finished stored run and what re-simulating it needs."""

    key: str
    label: str
    seed: int
    days: int
    scenario: Scenario
    model_version: str | None


def find_run(
    store,
    experiment: str,
    label: str,
    seed: int | None,
    replication: int | None,
    point: int = 0,
) -> StoredRun:
    """The finished run ``label`` (design point ``point``) of ``experiment`` with that seed or
    replication, and its resolved scenario; or the one-line error (status 2)."""
    from govlab.experiments.resolved import run_scenarios

    name = experiment_name(experiment)
    data = load_stored(store, name)
    runs = data.runs[data.runs["status"] == "done"]
    if runs.empty:
        raise _fail(f"--experiment: {name!r} has no finished runs")
    labels = sorted(set(runs["label"]))
    if label not in labels:
        raise _fail(f"SCENARIO: {label!r} is not a scenario label of {name!r}: {', '.join(labels)}")
    runs = runs[runs["label"] == label]
    points = sorted(set(runs["point"].tolist()))
    if point not in points:
        raise _fail(f"--point: {label} of {name!r} has design points {points[0]}..{points[-1]}")
    runs = runs[runs["point"] == point]
    if (seed is None) == (replication is None):
        raise _fail("--experiment: name the stored run by --seed or by --replication (one of them)")
    field, value = ("seed", seed) if seed is not None else ("replication", replication)
    chosen = runs[runs[field] == value]
    if chosen.empty:
        known = ", ".join(str(v) for v in sorted(runs[field].tolist())[:10])
        more = ", ..." if len(runs) > 10 else ""
        raise _fail(f"--{field}: no finished run of {label} with {field} {value} ({known}{more})")
    row = chosen.iloc[0]
    scenarios, _ = run_scenarios(data)
    scenario = scenarios.get(int(row["id"]))
    if scenario is None:
        source = data.experiment.source or name
        raise _fail(
            f"--experiment: the scenario of run {row['run_key']} cannot be resolved again from "
            f"{source} and the scenario files as they are now (they changed since, or moved): its "
            "digest is not reproduced"
        )
    return StoredRun(
        key=str(row["run_key"]),
        label=label,
        seed=int(row["seed"]),
        days=int(row["days"]),
        scenario=scenario,
        model_version=row["model_version"],
    )
