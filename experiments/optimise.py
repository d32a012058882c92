"""``govlab optimise``: many-objective search over levers on shared uncertain worlds (issue 14 §5).

Platypus NSGA-II (the library EMA Workbench's optimisation uses) searches the levers, each encoded
as a real in [0, 1] and decoded to its range or choices (``LeverRange.decode``). A generation's
candidates are evaluated together by ``experiments.evaluate.Evaluator``: every candidate at the
same K worlds with the same R replication seeds (common random numbers), every run stored. An
objective is the mean of its metric over the K × R runs.

Seeded and resumable: the search draws from Python's ``random`` seeded with ``search.seed`` (the
only randomness platypus uses), and objective values are always read back from the store. A
resumed search therefore replays the same candidates, finds their runs stored, simulates only
the missing ones and ends with the same front; raising ``generations`` continues it.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import platypus

from govlab.experiments.evaluate import Evaluator, ExplorationError, candidate_label
from govlab.experiments.optimise_spec import Optimisation


@dataclass
class SearchResult:
    """What a search found.

    Attributes:
        evaluated: one row per distinct candidate: its levers, objectives (means over K × R runs).
        runs: every stored value of the evaluated candidates (candidate, world, replication).
        front: labels of the non-dominated candidates over everything evaluated.
        generations: per generation, the objective vectors of its non-dominated population.
        archives: per generation, the non-dominated set of every candidate evaluated so far.
        baseline: the base scenario's runs on the same worlds and seeds.
        seconds: wall time; runs_done: runs simulated (not read back).
    """

    evaluated: pd.DataFrame
    runs: pd.DataFrame
    front: list[str]
    generations: list[np.ndarray]
    baseline: pd.DataFrame
    seconds: float = 0.0
    runs_done: int = 0
    hypervolume: list[float] = field(default_factory=list)
    archives: list[np.ndarray] = field(default_factory=list)
    archive_hypervolume: list[float] = field(default_factory=list)


def _directions(spec: Optimisation) -> list[int]:
    return [
        platypus.Direction.MINIMIZE if d == "min" else platypus.Direction.MAXIMIZE
        for d in spec.objectives.values()
    ]


def decode(spec: Optimisation, variables: list[float]) -> dict[str, Any]:
    """The lever package a solution's variables stand for."""
    return {
        name: bounds.decode(u)
        for (name, bounds), u in zip(spec.levers.items(), variables, strict=True)
    }


class BatchEvaluator(platypus.Evaluator):
    """Platypus evaluator that sends a whole generation through govlab's executor and store."""

    def __init__(self, spec: Optimisation, evaluator: Evaluator) -> None:
        super().__init__()
        self.spec = spec
        self.evaluator = evaluator
        self.metrics = list(spec.objectives)
        self.cache: dict[str, list[float]] = {}
        self.packages: dict[str, dict[str, Any]] = {}

    def objectives(self, packages: list[dict[str, Any]]) -> dict[str, list[float]]:
        """Mean of each objective over the K × R runs, per candidate label."""
        for package in packages:
            self.packages.setdefault(candidate_label(package), package)
        todo = [p for p in packages if candidate_label(p) not in self.cache]
        unique = list({candidate_label(p): p for p in todo}.values())
        if unique:
            frame = self.evaluator.values(unique, self.metrics)
            means = frame.groupby("label")[self.metrics].mean()
            for label, row in means.iterrows():
                values = [float(row[m]) for m in self.metrics]
                if not all(np.isfinite(values)):
                    raise ExplorationError(f"candidate {label}: an objective has no value")
                self.cache[str(label)] = values
        return {candidate_label(p): self.cache[candidate_label(p)] for p in packages}

    def evaluate_all(self, jobs, **kwargs):
        packages = [decode(self.spec, job.solution.variables) for job in jobs]
        # The search draws from Python's global ``random``; executors (Dask's client picks
        # workers and names tasks with it) must not move it, or the search would depend on them.
        state = random.getstate()
        try:
            values = self.objectives(packages)
        finally:
            random.setstate(state)
        for job, package in zip(jobs, packages, strict=True):
            job.solution.objectives[:] = values[candidate_label(package)]
            job.solution.evaluated = True
        return jobs


def _front_of(points: np.ndarray, directions: list[int]) -> np.ndarray:
    """Boolean mask of the non-dominated rows (all objectives turned into minimisation)."""
    signs = np.array([1.0 if d == platypus.Direction.MINIMIZE else -1.0 for d in directions])
    z = points * signs
    keep = np.ones(len(z), dtype=bool)
    for i in range(len(z)):
        dominated = np.all(z <= z[i], axis=1) & np.any(z < z[i], axis=1)
        keep[i] = not dominated.any()
    return keep


def hypervolumes(generations: list[np.ndarray], directions: list[int]) -> list[float]:
    """Normalised hypervolume of each generation's front (bounds: every front's extremes).

    Of the population's front it may fall (NSGA-II's crowding drops front members when the
    front outgrows the population); of the archive (everything evaluated so far) it can only
    rise, and a plateau shows that new generations no longer extend the front."""
    everything = np.vstack(generations)
    low, high = everything.min(axis=0), everything.max(axis=0)
    high = np.where(high > low, high, low + 1.0)
    problem = platypus.Problem(0, len(directions))
    problem.directions[:] = directions
    indicator = platypus.Hypervolume(minimum=list(low), maximum=list(high))
    values = []
    for points in generations:
        solutions = []
        for row in points:
            solution = platypus.Solution(problem)
            solution.objectives[:] = list(row)
            solution.evaluated = True
            solutions.append(solution)
        values.append(float(indicator(solutions)))
    return values


def run_search(spec: Optimisation, evaluator: Evaluator, log=None) -> SearchResult:
    """Run (or resume) the search of ``spec``; every evaluation goes through ``evaluator``."""
    start = time.perf_counter()
    directions = _directions(spec)
    problem = platypus.Problem(len(spec.levers), len(spec.objectives))
    problem.types[:] = [platypus.Real(0.0, 1.0) for _ in spec.levers]
    problem.directions[:] = directions
    batch = BatchEvaluator(spec, evaluator)
    state = random.getstate()
    random.seed(spec.search.seed)
    try:
        algorithm = platypus.NSGAII(
            problem, population_size=spec.search.population, evaluator=batch, log_frequency=None
        )
        generations: list[np.ndarray] = []
        archives: list[np.ndarray] = []

        def record(algo) -> None:
            points = np.array([s.objectives[:] for s in algo.population], dtype=float)
            generations.append(points[_front_of(points, directions)])
            seen = np.array(list(batch.cache.values()), dtype=float)
            archives.append(seen[_front_of(seen, directions)])
            if log is not None:
                log(
                    f"generation {len(generations) - 1}: {len(batch.cache)} candidates, "
                    f"{evaluator.runs_done} runs simulated"
                )

        total = spec.search.population * (spec.search.generations + 1)
        algorithm.run(total, callback=record)
    finally:
        random.setstate(state)
    return _result(spec, evaluator, batch, generations, archives, directions, start)


def _result(spec, evaluator, batch, generations, archives, directions, start) -> SearchResult:
    metrics = list(spec.objectives)
    extra = [m for m in (spec.choose.metric, spec.choose.cost) if m not in metrics]
    params = batch.packages
    runs = evaluator.values(list(params.values()), metrics + extra)
    base_runs = evaluator.values([{}], metrics + extra)
    evaluated = runs.groupby("label")[metrics + extra].mean()
    for name in spec.levers:
        evaluated[name] = [params[label][name] for label in evaluated.index]
    points = evaluated[metrics].to_numpy(dtype=float)
    front = list(evaluated.index[_front_of(points, directions)])
    result = SearchResult(
        evaluated=evaluated.reset_index(),
        runs=runs,
        front=front,
        generations=generations,
        baseline=base_runs,
        seconds=time.perf_counter() - start,
        runs_done=evaluator.runs_done,
    )
    result.hypervolume = hypervolumes(generations, directions)
    result.archives = archives
    result.archive_hypervolume = hypervolumes(archives, directions)
    return result
