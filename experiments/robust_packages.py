"""Which packages ``govlab robust`` runs (issue 23 §4): the package, its rivals and the baseline.

Two sources. A lever search (``optimisation = "file.toml"``): its stored Pareto set is replayed
from the store (nothing is simulated; an unfinished search is a one-line error), the package is
``cheapest`` (the cheapest Pareto package meeting the search's ``[choose]`` rule) or a label, and
the rivals the rest of the Pareto set, the Pareto packages meeting the rule, or listed labels;
each package is its levers set on the search's base (with its ``set``), the baseline that base.
Or scenarios: the package, the rivals and the baseline are scenario names or files (with the
file's ``set``). Names are checked here (metrics, series) before any store is opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from govlab.experiments.defaults import DEFAULT_DAYS
from govlab.experiments.robust_spec import Robustness
from govlab.experiments.spec import ExperimentError
from govlab.scenarios import Scenario, ScenarioError, apply_overrides, load_scenario
from govlab.scenarios.loader import resolve

DEFAULT_SEED = 20240601


@dataclass
class Packages:
    """The packages of a robustness study, the package first and the baseline last.

    Attributes:
        scenarios: label -> the scenario it runs (before the worlds are applied).
        levers: label -> its levers (a search's package) or ``{"scenario": name}``.
        package: the label of the package under test; baseline: the baseline's label.
        objectives: metric -> "min" | "max" (regret is measured on these).
        days, seed: of every run; warmup_days: the baseline's warm-up (the delay window's start).
        identity: what fixes the runs' numbers besides the worlds (for the store).
        notes: one line each, how the package was chosen.
    """

    scenarios: dict[str, Scenario]
    levers: dict[str, dict[str, Any]]
    package: str
    baseline: str
    objectives: dict[str, str]
    days: int
    seed: int
    warmup_days: int
    identity: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@cache
def known_names() -> tuple[frozenset[str], frozenset[str]]:
    """The top-level metrics and the daily series a run reports (a one-day run of a tiny world)."""
    from govlab.experiments.single import run_simulation
    from govlab.experiments.worker import flatten

    tiny = Scenario().with_overrides(
        {"world.residents": 200, "world.enterprises": 20, "world.warmup_days": 0}
    )
    summary, model = run_simulation(tiny, 1, 1)
    metrics = frozenset(name for name in flatten(summary) if "." not in name)
    series = frozenset(model.datacollector.get_model_vars_dataframe().columns)
    return metrics, series


def check_names(spec: Robustness, objectives: dict[str, str], source: str) -> None:
    """Every series outcome reads a model series; every objective and target names a metric or
    a series outcome."""
    metrics, series = known_names()
    for k, outcome in enumerate(spec.series_outcome):
        if outcome.series not in series:
            raise ExperimentError(
                f"{source}: series_outcome.{k}.series: no daily series {outcome.series!r}; "
                f"series: {', '.join(sorted(series))}"
            )
        if outcome.name in metrics:
            raise ExperimentError(
                f"{source}: series_outcome.{k}.name: {outcome.name!r} is a metric's name"
            )
    names = metrics | {s.name for s in spec.series_outcome}
    where = [*(("objectives", n) for n in objectives)]
    where += [(f"target.{k}.metric", t.metric) for k, t in enumerate(spec.target)]
    for place, name in where:
        if name not in names:
            raise ExperimentError(
                f"{source}: {place}: no metric {name!r}; metrics: {', '.join(sorted(names))}"
            )


def _scenario(name: str, folder: Path, overrides: dict[str, Any], where: str) -> Scenario:
    try:
        scenario = load_scenario(resolve(name, folder))
        return (
            apply_overrides(scenario, overrides, source=f"{where}: set") if overrides else scenario
        )
    except ScenarioError as error:
        raise ExperimentError(f"{where}: {error}") from None


def label_of(name: str) -> str:
    """A scenario's label: its name, or a file's stem."""
    return Path(name).stem if name.endswith(".toml") else name


def scenario_packages(spec: Robustness, path: Path) -> Packages:
    """The packages of a robustness study over scenarios (no store needed)."""
    source = str(path)
    assert spec.baseline is not None and isinstance(spec.compare, list)
    named = {}
    for where, name in [
        ("package", spec.package),
        *((f"compare.{k}", n) for k, n in enumerate(spec.compare)),
        ("baseline", spec.baseline),
    ]:
        named.setdefault(
            label_of(name), _scenario(name, path.parent, spec.set, f"{source}: {where}")
        )
    check_names(spec, spec.objectives, source)
    baseline = named[label_of(spec.baseline)]
    scenarios = {k: v for k, v in named.items() if k != label_of(spec.baseline)}
    scenarios[label_of(spec.baseline)] = baseline
    return Packages(
        scenarios=scenarios,
        levers={label: {"scenario": label} for label in scenarios},
        package=label_of(spec.package),
        baseline=label_of(spec.baseline),
        objectives=dict(spec.objectives),
        days=spec.days or DEFAULT_DAYS,
        seed=DEFAULT_SEED if spec.seed is None else spec.seed,
        warmup_days=baseline.world.warmup_days,
        identity={"set": spec.set},
    )


def search_file(spec: Robustness, path: Path):
    """The lever search the file names: ``(its spec, its base scenario, its path)``; checks the
    names before any store is opened."""
    from govlab.experiments.optimise_spec import load_optimisation

    assert spec.optimisation is not None
    found = path.parent / spec.optimisation
    found = found if found.is_file() else Path(spec.optimisation)
    if not found.is_file():
        raise ExperimentError(f"{path}: optimisation: no such file {spec.optimisation!r}")
    search, base = load_optimisation(found)
    if spec.baseline is not None and label_of(spec.baseline) != search.base:
        raise ExperimentError(
            f"{path}: baseline: the packages are set on {search.base!r}; leave baseline out"
        )
    check_names(spec, spec.objectives or dict(search.objectives), str(path))
    return search, base, found


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def pareto_packages(spec: Robustness, path: Path, store) -> Packages:
    """The packages of a robustness study of a search's Pareto set, replayed from ``store``.

    Raises:
        ExperimentError: unknown package or rival, no package meeting the rule, search not
            finished in the store (one line each).
    """
    from govlab.experiments.evaluate import candidate_label
    from govlab.experiments.exploration_cli import StoreOnly, search_evaluator
    from govlab.experiments.optimise import run_search
    from govlab.experiments.uncertainties import apply_point
    from govlab.results.exploration_optimise import tables

    search, base, found = search_file(spec, path)
    store.experiment(f"optimise:{search.name}")  # StoreError: run the search first
    evaluator = search_evaluator(store, StoreOnly(str(found)), search, base, str(found))
    made = tables(run_search(search, evaluator), search)
    evaluated = made["evaluated"].set_index("label")
    pareto = list(made["pareto"]["label"])
    meeting = list(made["pareto"][made["pareto"]["meets_rule"]]["label"])
    levers = {
        label: {name: _plain(evaluated.loc[label, name]) for name in search.levers}
        for label in evaluated.index
    }
    for label, package in levers.items():
        assert candidate_label(package) == label, (label, package)  # the search's own names
    source = str(path)
    notes = []
    if spec.package == "cheapest":
        if not meeting:
            raise ExperimentError(f"{source}: package: no Pareto package meets the search's rule")
        package = meeting[0]  # the Pareto set is sorted by cost
        notes.append(f"cheapest Pareto package meeting the search's rule: {package}")
    elif spec.package in levers:
        package = spec.package
    else:
        shown = ", ".join(["cheapest", *pareto])
        raise ExperimentError(
            f"{source}: package: {spec.package!r} is not a package of {found.name}'s search "
            f"(Pareto set: {shown})"
        )
    if spec.compare == "pareto":
        rivals = pareto
    elif spec.compare == "meeting":
        rivals = meeting
    else:
        rivals = []
        for k, label in enumerate(spec.compare):
            if label not in levers:
                raise ExperimentError(
                    f"{source}: compare.{k}: {label!r} is not a package of {found.name}'s search "
                    f"(Pareto set: {', '.join(pareto)})"
                )
            rivals.append(label)
    order = list(dict.fromkeys([package, *rivals]))
    scenarios = {label: apply_point(base, levers[label], f"{source}: {label}") for label in order}
    scenarios[search.base] = base
    return Packages(
        scenarios=scenarios,
        levers={**{label: levers[label] for label in order}, search.base: {}},
        package=package,
        baseline=search.base,
        objectives=dict(spec.objectives or search.objectives),
        days=spec.days or search.days,
        seed=search.seed if spec.seed is None else spec.seed,
        warmup_days=base.world.warmup_days,
        identity={"search": search.identity()},
        notes=notes,
    )
