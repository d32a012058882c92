"""govlab as an EMA Workbench model (issue 14 §3): levers, uncertainties, outcomes.

``govlab_model(...)`` returns an ``ema_workbench.Model`` whose levers and uncertainties are
dotted scenario paths (or the named uncertainties of ``experiments.uncertainties.DERIVED``) and
whose outcomes are run metrics, each the mean over R replications that share their seeds across
every experiment (common random numbers). EMA names must be identifiers, so a path's dots become
double underscores (``levers.data_sharing`` → ``levers__data_sharing``).

Two ways to run it:

- any EMA evaluator (``SequentialEvaluator``, ``MultiprocessingEvaluator``) calls the model's
  function, which simulates the R replications in that process (nothing stored);
- ``GovlabEvaluator(model, store, executor, name)`` sends the runs through govlab's executors
  (processes, Dask) into the results store, one stored exploration experiment per ``name``: runs
  already stored are read back, so a repeated or interrupted ``perform_experiments`` resumes.
  EMA's own ``optimize`` runs through it too (``tests/experiments/test_ema.py``). EMA 3.0's
  ``optimize`` cannot decode categorical levers (platypus ``Subset`` values), and without a
  ``reference`` world it draws the uncertainties afresh, unseeded, for every generation.

>>> from ema_workbench import perform_experiments
>>> model = govlab_model("silo", levers={"levers.data_sharing": (0.0, 1.0)},
...                      uncertainties={"demand_scale": (0.8, 1.3)},
...                      outcomes={"delay_mean_days": "min"}, days=60, replications=2)
>>> with GovlabEvaluator(model, Store(), make_executor("processes"), "ema_demo") as ev:
...     experiments, outcomes = ev.perform_experiments(scenarios=20, policies=4)  # doctest: +SKIP
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

with warnings.catch_warnings():  # "ipyparallel not installed": an optional extra of EMA
    warnings.simplefilter("ignore")
    from ema_workbench import (
        BooleanParameter,
        CategoricalParameter,
        IntegerParameter,
        Model,
        RealParameter,
        ScalarOutcome,
    )
    from ema_workbench.em_framework.evaluators import BaseEvaluator

from govlab.experiments.evaluate import Evaluator
from govlab.experiments.executors import Executor
from govlab.experiments.seeds import replication_seeds
from govlab.experiments.single import run_simulation
from govlab.experiments.uncertainties import apply_point
from govlab.results.store import Store
from govlab.scenarios import Scenario, load_scenario


def ema_name(path: str) -> str:
    """The EMA identifier of a dotted scenario path."""
    return path.replace(".", "__")


def path_of(name: str) -> str:
    """The dotted scenario path of an EMA identifier."""
    return name.replace("__", ".")


def _parameter(path: str, values: Any):
    """An EMA parameter: (low, high) floats → real, ints → integer, a list → categories."""
    name = ema_name(path)
    if isinstance(values, list):
        if sorted(values, key=str) == [False, True]:
            return BooleanParameter(name)
        return CategoricalParameter(name, values)
    low, high = values
    if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool):
        return IntegerParameter(name, low, high)
    return RealParameter(name, float(low), float(high))


class Simulate:
    """The model function: R replications of the base scenario at one experiment, averaged.

    Picklable, so that EMA's multiprocessing evaluator can send it to its workers.
    """

    def __init__(self, base: Scenario, outcomes: list[str], days: int, seeds: list[int]) -> None:
        self.base, self.outcomes, self.days, self.seeds = base, outcomes, days, seeds

    def __call__(self, **values: Any) -> dict[str, float]:
        overrides = {path_of(k): _plain(v) for k, v in values.items()}
        scenario = apply_point(self.base, overrides, "ema experiment")
        summaries = [run_simulation(scenario, seed, self.days)[0] for seed in self.seeds]
        return {
            m: float(np.mean([s[m] for s in summaries if s.get(m) is not None]))
            for m in self.outcomes
        }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def govlab_model(
    base: str | Scenario,
    levers: dict[str, Any],
    uncertainties: dict[str, Any],
    outcomes: dict[str, str | None],
    *,
    days: int = 150,
    replications: int = 2,
    seed: int = 20240601,
    overrides: dict[str, Any] | None = None,
    name: str = "govlab",
) -> Model:
    """govlab as an EMA ``Model``.

    Args:
        base: scenario name, file or object the levers and uncertainties are set on.
        levers: dotted path → (low, high) or a list of choices.
        uncertainties: dotted path or named uncertainty → (low, high) or a list of choices.
        outcomes: metric → "min" | "max" | None (EMA's MINIMIZE / MAXIMIZE / INFO).
        days, replications, seed: run length, replications per experiment and their root seed.
        overrides: dotted-path overrides applied to the base first (e.g. a smaller world).
    """
    scenario = load_scenario(base) if isinstance(base, str) else base
    if overrides:
        scenario = scenario.with_overrides(overrides)
    seeds = replication_seeds(seed, replications)
    model = Model(name, function=Simulate(scenario, list(outcomes), days, seeds))
    model.levers = [_parameter(p, v) for p, v in levers.items()]
    model.uncertainties = [_parameter(p, v) for p, v in uncertainties.items()]
    kinds = {"min": ScalarOutcome.MINIMIZE, "max": ScalarOutcome.MAXIMIZE, None: ScalarOutcome.INFO}
    model.outcomes = [ScalarOutcome(m, kind=kinds[k]) for m, k in outcomes.items()]
    model.govlab = {"base": scenario, "days": days, "seed": seed, "replications": replications}
    return model


class GovlabEvaluator(BaseEvaluator):
    """An EMA evaluator that runs experiments through govlab's executor and results store.

    Each EMA experiment (policy × scenario) is one candidate: its lever and uncertainty values
    set on the base scenario; its R replications share their seeds with every other experiment.
    """

    def __init__(self, model: Model, store: Store, executor: Executor, name: str) -> None:
        super().__init__(model)
        self.model = model
        self.store = store
        self.executor = executor
        self.name = name
        self.evaluator: Evaluator | None = None

    def initialize(self) -> None:
        """Register (or reopen) the stored exploration experiment."""
        info = self.model.govlab
        identity = {
            "ema_model": self.model.name,
            "base": info["base"].model_dump(mode="json"),
            "days": info["days"],
            "seed": info["seed"],
        }
        self.evaluator = Evaluator.for_experiment(
            self.store,
            self.executor,
            f"ema:{self.name}",
            {"name": self.name, **identity},
            identity,
            info["base"],
            [{}],
            info["days"],
            info["seed"],
            info["replications"],
            source=f"ema:{self.name}",
        )

    def finalize(self) -> None:
        """Nothing to release (the store and executor belong to the caller)."""

    def evaluate_experiments(self, experiments: Iterable, callback: Callable, **kwargs) -> None:
        """Run every experiment's replications (one batch through the executor), then report."""
        if self.evaluator is None:
            self.initialize()
        assert self.evaluator is not None
        experiments = list(experiments)
        candidates = [
            {
                path_of(k): _plain(v)
                for k, v in {**dict(e.scenario.items()), **dict(e.policy.items())}.items()
            }
            for e in experiments
        ]
        outcomes = [o.name for o in self.model.outcomes]
        # EMA's optimize (platypus) draws from Python's global ``random``: the runs (Mesa
        # models, Dask's client) must not move it, or a search would depend on the executor
        # and a repeated search would not replay from the store.
        state = random.getstate()
        try:
            frame = self.evaluator.values(candidates, outcomes)
        finally:
            random.setstate(state)
        means = frame.groupby("label")[outcomes].mean()
        from govlab.experiments.evaluate import candidate_label

        for experiment, candidate in zip(experiments, candidates, strict=True):
            row = means.loc[candidate_label(candidate)]
            callback(experiment, {m: float(row[m]) for m in outcomes})
