"""The ABC-SMC fit itself (pyabc): declared parameters with uniform priors, targets with their
standard errors, the lab's simulator as the model.

Each simulation runs the scenario with the particle's parameters from a seed derived from the
calibration's root seed and the parameter values (a particle's luck is its own, and the same
particle always gives the same numbers), and adds to each simulated target a normal error of the
target's standard error ("noisy ABC", Wilkinson 2013: the observed figures carry a measurement
error, so the simulated ones do too; as the tolerance falls the sample approaches the posterior
of the parameters given figures measured with that error). The distance is the Euclidean norm of
the differences divided by each target's standard error; a simulation that lacks a target (no
such case completed) is at infinite distance.

The simulations run through govlab's executors and store (``experiments.abc_sampler``: a pyabc
sampler that runs each batch of proposals as stored runs); pyabc keeps every generation in its own
SQLite history. ``fit`` resumes a killed fit from its last finished generation, and the
generation in progress reads back from the store every simulation it had finished.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from govlab.scenarios import Scenario

if TYPE_CHECKING:
    from pyabc.sampler import Sampler


@dataclass(frozen=True)
class Parameter:
    """An unobservable parameter: a dotted scenario path and its uniform prior range."""

    path: str
    low: float
    high: float
    integer: bool = False  # whole-number fields (counts) are rounded after drawing


@dataclass(frozen=True)
class Target:
    """A figure to meet: the run metric, the observed value and its standard error."""

    id: str
    metric: str
    value: float
    se: float


@dataclass(frozen=True)
class AbcBudget:
    """How much ABC-SMC may simulate."""

    population: int = 60
    generations: int = 4
    days: int = 260
    min_acceptance_rate: float = 0.02


def particle_seed(root: int, values: dict[str, float]) -> int:
    """The seed of one particle: a digest of the root seed and the parameter values."""
    text = json.dumps({"root": root, "values": values}, sort_keys=True)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little") >> 1


def proposal_key(overrides: dict[str, float]) -> str:
    """The store's run key of a proposal: a digest of its parameter values."""
    text = json.dumps(overrides, sort_keys=True)
    return "abc/" + hashlib.sha256(text.encode()).hexdigest()[:16]


def overrides_of(parameters: list[Parameter], values: dict[str, float]) -> dict[str, float]:
    """Scenario overrides from pyabc's parameter names (dots are not allowed there)."""
    out: dict[str, float] = {}
    for parameter in parameters:
        value = float(values[key_of(parameter.path)])
        out[parameter.path] = round(value) if parameter.integer else value
    return out


def key_of(path: str) -> str:
    """pyabc's name for a parameter path."""
    return path.replace(".", "__")


class LabSimulator:
    """pyabc's model: parameters → noisy simulated targets (picklable for pyabc's samplers)."""

    def __init__(
        self,
        scenario: Scenario,
        parameters: list[Parameter],
        targets: list[Target],
        days: int,
        root_seed: int,
    ) -> None:
        self.scenario = scenario
        self.parameters = parameters
        self.targets = targets
        self.days = days
        self.root_seed = root_seed

        # Set by ``experiments.abc_sampler.StoreSampler`` around pyabc's calls: while
        # ``proposed`` is a list, a call notes its parameters there and simulates nothing (the
        # targets are missing: rejected); while ``simulated`` is a dict, a call reads the metrics
        # of its run there (by ``proposal_key``) instead of running it here.
        self.proposed: list[dict[str, float]] | None = None
        self.simulated: dict[str, dict[str, float | None]] | None = None

    def __call__(self, values: dict[str, float]) -> dict[str, float]:
        overrides = overrides_of(self.parameters, dict(values))
        if self.proposed is not None:
            self.proposed.append(overrides)
            return {target.id: math.nan for target in self.targets}
        seed = particle_seed(self.root_seed, overrides)
        if self.simulated is not None:
            flat = self.simulated[proposal_key(overrides)]
        else:
            from govlab.experiments.ensemble import with_params
            from govlab.experiments.single import run_simulation
            from govlab.experiments.worker import flatten

            summary, _ = run_simulation(with_params(self.scenario, overrides), seed, self.days)
            flat = flatten(summary)
        return self.observe(flat, seed)

    def observe(self, flat: dict[str, float | None], seed: int) -> dict[str, float]:
        """The noisy targets of a run's metrics (the particle's own measurement error)."""
        noise = np.random.default_rng(seed + 1).standard_normal(len(self.targets))
        out: dict[str, float] = {}
        for target, error in zip(self.targets, noise, strict=True):
            value = flat.get(target.metric)
            out[target.id] = math.nan if value is None else float(value) + error * target.se
        return out


class ScaledDistance:
    """Euclidean distance of targets in units of their standard errors (NaN: infinitely far)."""

    def __init__(self, targets: list[Target]) -> None:
        self.scales = {target.id: target.se for target in targets}

    def __call__(self, x: dict, x0: dict) -> float:
        total = 0.0
        for name, scale in self.scales.items():
            difference = (float(x[name]) - float(x0[name])) / scale
            if not math.isfinite(difference):
                return math.inf
            total += difference * difference
        return math.sqrt(total)


def fit(
    simulator: LabSimulator, budget: AbcBudget, history_path: Path, sampler: Sampler
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Run (or resume) ABC-SMC with ``sampler`` (``abc_sampler.StoreSampler``: govlab's executors
    and store); return the last population's points (rows, in the order of
    ``simulator.parameters``), their normalised weights, and what the run did."""
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("Sampler").setLevel(logging.WARNING)
    logging.getLogger("Epsilon").setLevel(logging.WARNING)
    priors = pyabc.Distribution(
        **{key_of(p.path): pyabc.RV("uniform", p.low, p.high - p.low) for p in simulator.parameters}
    )
    abc = pyabc.ABCSMC(
        simulator,
        priors,
        ScaledDistance(simulator.targets),
        population_size=budget.population,
        sampler=sampler,
    )
    url = f"sqlite:///{history_path}"
    observed = {target.id: target.value for target in simulator.targets}
    done = 0
    if history_path.exists():
        history = pyabc.History(url)
        if history.n_populations > 0 and history.max_t >= 0:
            abc.load(url, 1)
            done = history.max_t + 1
    if done == 0:
        history_path.unlink(missing_ok=True)
        abc.new(url, observed)
    if done < budget.generations:
        abc.run(
            max_nr_populations=budget.generations - done,
            min_acceptance_rate=budget.min_acceptance_rate,
        )
    history = pyabc.History(url)
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    keys = [key_of(p.path) for p in simulator.parameters]
    points = frame[keys].to_numpy(dtype=float)
    weights = np.asarray(weights, dtype=float)
    populations = history.get_all_populations()
    info = {
        "generations": int(history.max_t + 1),
        "simulations": int(history.total_nr_simulations),
        "epsilons": [float(e) for e in populations["epsilon"] if np.isfinite(e)],
    }
    return points, weights / weights.sum(), info


def resample(points: np.ndarray, weights: np.ndarray, count: int, seed: int) -> np.ndarray:
    """``count`` points drawn from the weighted population (systematic resampling)."""
    rng = np.random.default_rng(seed)
    positions = (rng.random() + np.arange(count)) / count
    index = np.searchsorted(np.cumsum(weights), positions, side="right")
    return points[np.minimum(index, len(points) - 1)]


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, q: list[float]) -> list[float]:
    """Quantiles of a weighted sample (inverse of the weighted empirical distribution)."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    cumulative = cumulative / cumulative[-1]
    return [float(values[order][min(np.searchsorted(cumulative, p), len(values) - 1)]) for p in q]
