"""Evaluating lever packages on shared worlds through govlab's executors and store (issue 14).

The engine under ``govlab optimise`` and the EMA Workbench evaluator: a *candidate* is a set of
lever overrides on a base scenario; it is evaluated at every uncertainty point (a *world*) with R
replications, replication ``r`` running from the same seed for every candidate and world (common
random numbers). Each run is a stored run of one exploration experiment, keyed
``<candidate>/p<world>/r<replication>`` with the candidate named by a digest of its levers, so a
candidate met twice (by the search, or after a restart) is read back, never run again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from govlab.experiments.executors import Executor
from govlab.experiments.plan import RunSpec, digest_of, replicate
from govlab.experiments.seeds import replication_seeds
from govlab.experiments.spec import ExperimentError
from govlab.experiments.uncertainties import apply_point
from govlab.results.provenance import git_commit
from govlab.results.store import Store
from govlab.scenarios import Scenario, ScenarioError


class ExplorationError(ExperimentError):
    """An exploration cannot go on (bad candidate, failed runs); the message is one line."""


def candidate_label(levers: dict[str, Any]) -> str:
    """A stable name for a lever package: ``c`` and 10 hex digits of its digest."""
    text = json.dumps(levers, sort_keys=True, separators=(",", ":"), default=str)
    return "c" + hashlib.sha256(text.encode()).hexdigest()[:10]


@dataclass
class Evaluator:
    """Runs candidates × worlds × replications into one stored exploration experiment.

    Attributes:
        store: the results store.
        experiment_id: the stored exploration experiment (``register`` it first).
        executor: where runs execute.
        base: the scenario the levers are set on (with common overrides applied).
        worlds: the uncertainty points, one override dict each (``[{}]``: one world).
        days: working days per run.
        seeds: one seed per replication (common random numbers).
        runs_done: runs simulated by this evaluator (the rest were read back from the store).
    """

    store: Store
    experiment_id: int
    executor: Executor
    base: Scenario
    worlds: list[dict[str, Any]]
    days: int
    seeds: list[int]
    source: str = "exploration"
    runs_done: int = 0
    _commit: str | None = field(default=None, repr=False)

    @classmethod
    def for_experiment(
        cls,
        store: Store,
        executor: Executor,
        name: str,
        spec: dict[str, Any],
        identity: dict[str, Any],
        base: Scenario,
        worlds: list[dict[str, Any]],
        days: int,
        root_seed: int,
        replications: int,
        source: str = "exploration",
        fresh: bool = False,
    ) -> Evaluator:
        """Register (or reopen, checking its identity) the exploration experiment ``name``."""
        design = {"method": "exploration", "points": worlds, "problem": None, "matrix": None}
        experiment_id = store.register(name, spec, identity, design, source, fresh=fresh)
        seeds = replication_seeds(root_seed, replications)
        return cls(store, experiment_id, executor, base, worlds, days, seeds, source)

    def scenario(self, levers: dict[str, Any], world: int) -> Scenario:
        """The base scenario with ``levers`` set, in world ``world``."""
        try:
            scenario = apply_point(self.base, levers, f"{self.source}: levers")
            return apply_point(scenario, self.worlds[world], f"{self.source}: world {world}")
        except ScenarioError as error:
            raise ExplorationError(str(error)) from None

    def specs(self, candidates: Iterable[dict[str, Any]]) -> list[RunSpec]:
        """Every run of the candidates, replication-major."""
        prepared = []
        for levers in candidates:
            label = candidate_label(levers)
            for world in range(len(self.worlds)):
                scenario = self.scenario(levers, world)
                params = {**levers, **self.worlds[world]}
                prepared.append((label, world, params, scenario, digest_of(scenario, self.days)))
        return replicate(prepared, self.seeds, self.days, series=(), cases=0)

    def run(self, candidates: list[dict[str, Any]]) -> None:
        """Simulate the runs of ``candidates`` that the store does not hold yet."""
        specs = self.specs(candidates)
        finished = self.store.finished(self.experiment_id)
        seen: set[str] = set()
        todo = []
        for spec in specs:
            if finished.get(spec.key) != (spec.digest, spec.seed) and spec.key not in seen:
                todo.append(spec)
                seen.add(spec.key)
        if not todo:
            return
        if self._commit is None:
            self._commit = git_commit() or ""
        failures = []
        for spec, result in self.executor.run(todo):
            self.store.write_run(self.experiment_id, spec, result, self._commit or None)
            self.runs_done += 1
            if result["status"] != "done":
                failures.append(f"{spec.key}: {result['error']}")
        if failures:
            raise ExplorationError(
                f"{len(failures)} run(s) failed, first {failures[0]}; run again to retry them"
            )

    def values(self, candidates: list[dict[str, Any]], metrics: list[str]) -> pd.DataFrame:
        """Stored values: one row per (candidate, world, replication), one column per metric.

        Candidates not yet run are run first. Values are always read back from the store, so a
        fresh and a resumed search see the same numbers.
        """
        self.run(candidates)
        labels = {candidate_label(levers) for levers in candidates}
        runs = self.store.runs(self.experiment_id)
        runs = runs[(runs["status"] == "done") & runs["label"].isin(labels)]
        long = self.store.metrics(self.experiment_id, metrics)
        long = long[long["run_id"].isin(runs["id"])]
        wide = long.pivot(index="run_id", columns="name", values="value")
        frame = runs[["id", "label", "point", "replication"]].merge(
            wide, left_on="id", right_index=True, how="left"
        )
        missing = [m for m in metrics if m not in frame.columns]
        if missing:
            raise ExplorationError(f"the runs report no metric {missing}")
        return frame.drop(columns="id").sort_values(["label", "point", "replication"])
