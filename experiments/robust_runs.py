"""The runs of ``govlab robust`` (issue 23 §4): every package in every world, paired, stored.

Each package (``experiments.robust_packages``) meets every world of the ensemble with R
replications, replication ``r`` of every package and world running from the same seed (common
random numbers), through govlab's executors into the store as experiment ``robust:<name>``,
keyed ``<package>/p<world>/r<replication>`` and keeping the daily series the series outcomes
read. A run stored ``done`` with the same digest and seed is read back, never run again, so a
second call simulates nothing and an interrupted one resumes; a package added later runs only
its own runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from govlab.experiments.evaluate import ExplorationError
from govlab.experiments.executors import Executor
from govlab.experiments.plan import RunSpec, digest_of, replicate
from govlab.experiments.robust_packages import Packages
from govlab.experiments.seeds import replication_seeds
from govlab.experiments.series_outcomes import SeriesOutcome, add_series_outcomes
from govlab.experiments.uncertainties import apply_point
from govlab.results.provenance import git_commit
from govlab.results.store import Store
from govlab.scenarios import ScenarioError


class FailedRuns(ExplorationError):
    """Some runs failed (stored as failed; a second call retries them)."""


@dataclass
class Ensemble:
    """The packages × worlds × replications of one robustness study in the store.

    Attributes:
        store, executor: where runs are stored and executed.
        experiment_id: the stored experiment ``robust:<name>``.
        packages: the packages (scenarios by label, days, seed).
        worlds: the uncertainty points, one override dict each.
        series: the daily series kept with each run.
        runs_done: runs simulated by this call (the rest were read back).
    """

    store: Store
    executor: Executor
    experiment_id: int
    packages: Packages
    worlds: list[dict[str, Any]]
    series: tuple[str, ...]
    source: str = "robust"
    runs_done: int = 0
    runs_read: int = 0
    seeds: list[int] = field(default_factory=list)

    @classmethod
    def register(
        cls,
        store: Store,
        executor: Executor,
        name: str,
        spec: dict[str, Any],
        packages: Packages,
        worlds: list[dict[str, Any]],
        replications: int,
        series: tuple[str, ...],
        source: str,
        fresh: bool = False,
    ) -> Ensemble:
        """Register (or reopen, checking what fixes its numbers) ``robust:<name>``."""
        identity = {
            **packages.identity,
            "worlds": worlds,
            "days": packages.days,
            "seed": packages.seed,
            "replications": replications,
            "series": list(series),
        }
        design = {"method": "robust", "points": worlds, "problem": None, "matrix": None}
        experiment_id = store.register(f"robust:{name}", spec, identity, design, source, fresh)
        seeds = replication_seeds(packages.seed, replications)
        return cls(store, executor, experiment_id, packages, worlds, series, source, seeds=seeds)

    def specs(self) -> list[RunSpec]:
        """Every run, replication-major."""
        prepared = []
        for label, scenario in self.packages.scenarios.items():
            for world, point in enumerate(self.worlds):
                try:
                    scenario_at = apply_point(scenario, point, f"{self.source}: world {world}")
                except ScenarioError as error:
                    raise ExplorationError(str(error)) from None
                params = {**self.packages.levers[label], **point}
                digest = digest_of(scenario_at, self.packages.days)
                prepared.append((label, world, params, scenario_at, digest))
        return replicate(prepared, self.seeds, self.packages.days, series=self.series, cases=0)

    def run(self) -> None:
        """Simulate the runs the store does not hold yet (done, same digest and seed)."""
        specs = self.specs()
        finished = self.store.finished(self.experiment_id)
        todo = [s for s in specs if finished.get(s.key) != (s.digest, s.seed)]
        self.runs_read = len(specs) - len(todo)
        if not todo:
            return
        commit = git_commit() or None
        failures = []
        for spec, result in self.executor.run(todo):
            self.store.write_run(self.experiment_id, spec, result, commit)
            self.runs_done += 1
            if result["status"] != "done":
                failures.append(f"{spec.key}: {result['error']}")
        if failures:
            raise FailedRuns(
                f"{len(failures)} run(s) failed, first {failures[0]}; run again to retry them"
            )

    def frame(self, metrics: list[str], outcomes: list[SeriesOutcome]) -> pd.DataFrame:
        """One row per run of the packages (``run_id, label, point, replication, seed``), a
        column per metric and per series outcome; values read back from the store."""
        runs = self.store.runs(self.experiment_id)
        keys = {s.key for s in self.specs()}
        runs = runs[(runs["status"] == "done") & runs["run_key"].isin(keys)]
        long = self.store.metrics(self.experiment_id, metrics)
        long = long[long["run_id"].isin(runs["id"])]
        wide = long.pivot(index="run_id", columns="name", values="value")
        frame = runs[["id", "label", "point", "replication", "seed"]].rename(
            columns={"id": "run_id"}
        )
        frame = frame.merge(wide, left_on="run_id", right_index=True, how="left")
        if outcomes:
            series = self.store.series(
                self.experiment_id, sorted({o.series for o in outcomes}), list(frame["run_id"])
            )
            frame = add_series_outcomes(
                frame, series, outcomes, self.packages.warmup_days, self.packages.days
            )
        return frame.sort_values(["label", "point", "replication"]).reset_index(drop=True)

    def delay_series(self, name: str) -> pd.DataFrame:
        """The kept daily series ``name`` of every run: ``label, point, replication, day,
        value`` (day 0 first)."""
        runs = self.store.runs(self.experiment_id)
        runs = runs[runs["status"] == "done"][["id", "label", "point", "replication"]]
        series = self.store.series(self.experiment_id, [name], list(runs["id"]))
        joined = series.merge(runs, left_on="run_id", right_on="id")
        joined["day"] = joined["day"] - 1
        return joined[["label", "point", "replication", "day", "value"]]
