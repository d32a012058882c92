"""``govlab robust``: a package's robustness over an uncertainty ensemble, one command (issue 23).

Reads a robustness file (``experiments.robust_spec``), picks the packages (a search's stored
Pareto set or scenarios, ``experiments.robust_packages``), runs every package in every world
with paired seeds through govlab's executors into the store (``experiments.robust_runs``;
resumable), and reports per-world outcomes, regret, the satisficing share of each target and
the PRIM and CART boxes of where the package misses it (``experiments.robust``), writing the
tables, figures and page with ``results.robust_report``. Bad input is one line, status 2, and
nothing written (every name is checked before the store is opened or a run registered); runs
that fail are one line and status 1 (run again to retry them).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govlab.experiments.batch_cli import (
    ChunkOption,
    ExecutorOption,
    SchedulerOption,
    WorkersOption,
    _fail,
    check_executor,
)
from govlab.experiments.store_option import DbOption, open_store, store_errors

stderr = Console(stderr=True)


def _say(text: str) -> None:
    stderr.print(text, markup=False, highlight=False, soft_wrap=True)


@dataclass
class Study:
    """What the report needs besides the results: the file, the packages, the worlds, the runs,
    the units of the series outcomes and the axis labels of the uncertainties."""

    spec: Any
    packages: Any
    worlds: list[dict[str, Any]]
    ensemble: Any
    units: dict[str, str] = field(default_factory=dict)
    uncertainty_labels: dict[str, str] = field(default_factory=dict)


def uncertainty_label(key: str) -> str:
    """An uncertainty's name with its unit: a factor for the named ones (``demand_scale``), else
    the scenario field's stated unit, or the probability or share it is."""
    from govlab.experiments.uncertainties import DERIVED
    from govlab.results.names import parameter_name
    from govlab.scenarios import Scenario

    if key in DERIVED:
        return f"{parameter_name(key)} [factor]"
    section, _, name = key.rpartition(".")
    fields = getattr(type(getattr(Scenario(), section, None)), "model_fields", {})
    text = (fields[name].description or "") if name in fields else ""
    unit = "—"
    if ";" in text and len(text.rsplit(";", 1)[1].strip()) <= 20:
        unit = text.rsplit(";", 1)[1].strip()
    elif "(0-1)" in text:
        unit = text.split("(0-1)")[0].split()[-1] + " 0–1"
    return f"{parameter_name(key)} [{unit}]"


def prepare(path: Path):
    """Read the file and check everything that needs no store: ``(spec, packages or None,
    search base)``; a search's packages are read from the store later."""
    from govlab.experiments.robust_packages import scenario_packages, search_file
    from govlab.experiments.robust_spec import read_robustness
    from govlab.experiments.uncertainties import check_bounds
    from govlab.scenarios import ScenarioError

    spec = read_robustness(path)
    if spec.optimisation is None:
        packages = scenario_packages(spec, path)
        base = packages.scenarios[packages.baseline]
    else:
        packages, base = None, search_file(spec, path)[1]
    try:
        check_bounds(spec.uncertainties, base, str(path))
    except ScenarioError as error:
        from govlab.experiments.spec import ExperimentError

        raise ExperimentError(str(error)) from None
    return spec, packages


def robust(
    spec_file: Annotated[Path, typer.Argument(help="robustness file (TOML)")],
    db: DbOption = None,
    executor: ExecutorOption = "processes",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    chunk_size: ChunkOption = None,
    out: Annotated[
        Path | None, typer.Option(help="output folder [default: results/reports/<name>]")
    ] = None,
    fresh: Annotated[bool, typer.Option(help="delete the stored runs of this study")] = False,
) -> None:
    """Robustness of a package: per-world outcomes, regret, satisficing share, failure boxes."""
    from govlab.experiments.evaluate import ExplorationError
    from govlab.experiments.executors import make_executor
    from govlab.experiments.robust import analyse
    from govlab.experiments.robust_packages import pareto_packages
    from govlab.experiments.robust_runs import Ensemble, FailedRuns
    from govlab.experiments.spec import ExperimentError
    from govlab.experiments.uncertainties import sample_points
    from govlab.results.store import StoreError

    check_executor(executor, scheduler)
    try:
        spec, packages = prepare(spec_file)
    except ExperimentError as error:
        raise _fail(str(error)) from None
    store = open_store(db)
    runner = None
    try:
        if packages is None:
            try:
                packages = pareto_packages(spec, spec_file, store)
            except StoreError as error:
                raise ExperimentError(
                    f"{spec_file}: optimisation: {error}; run `govlab optimise` on it first"
                ) from None
        worlds = sample_points(spec.uncertainties, packages.seed)[0]
        _say(
            f"{spec.name}: package {packages.package}, {len(packages.scenarios)} packages "
            f"(baseline {packages.baseline}) × {len(worlds)} worlds × {spec.replications} "
            f"replication(s), {packages.days} days; store {store.safe_url}; executor {executor}"
        )
        for note in packages.notes:
            _say(note)
        runner = make_executor(executor, workers, scheduler, chunk_size)
        ensemble = Ensemble.register(
            store,
            runner,
            spec.name,
            spec.model_dump(mode="json"),
            packages,
            worlds,
            spec.replications,
            spec.series(),
            str(spec_file),
            fresh,
        )
        try:
            ensemble.run()
        except FailedRuns as error:
            _say(f"govlab: {error}")
            raise typer.Exit(code=1) from None
        metrics = [
            m for m in dict.fromkeys([*packages.objectives, *(t.metric for t in spec.target)])
        ]
        known = {s.name for s in spec.series_outcome}
        wide = ensemble.frame([m for m in metrics if m not in known], spec.series_outcome)
        result = analyse(
            wide,
            worlds,
            packages.objectives,
            list(spec.target),
            packages.package,
            packages.baseline,
            packages.seed,
        )
        study = Study(
            spec,
            packages,
            worlds,
            ensemble,
            units={s.name: s.unit for s in spec.series_outcome},
            uncertainty_labels={k: uncertainty_label(k) for k in worlds[0]},
        )
        from govlab.results.robust_report import write_robust

        path, _summary = write_robust(result, study, out or Path("results/reports") / spec.name)
    except (ExperimentError, StoreError, ExplorationError) as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"--out: cannot write: {error}") from None
    finally:
        if runner is not None:
            runner.close()
        store.close()
    _say(
        f"{spec.name}: {ensemble.runs_done} runs simulated, "
        f"{ensemble.runs_read} read from the store"
    )
    show(result, study)
    print(path)


def show(result, study: Study) -> None:
    """Print the regret and satisficing table, the package's per-world table and its boxes."""
    from govlab.experiments.exploration_cli import cart_table
    from govlab.results.robust_report import per_world_table, share_text

    console = Console() if sys.stdout.isatty() else Console(width=160)
    packages, spec = study.packages, study.spec
    objectives = list(packages.objectives)
    table = Table(
        title="regret (mean / max over worlds) and satisficing share [95% CI]", title_justify="left"
    )
    table.add_column("package")
    for metric in objectives:
        table.add_column(f"{metric} regret", justify="right")
    for target in spec.target:
        table.add_column(f"meets {target.words}", justify="right")
    for label in result.summary.index:
        cells = [f"{label} *" if label == packages.package else str(label)]
        for metric in objectives:
            row = result.summary.loc[label]
            cells.append(f"{row[f'{metric}_mean_regret']:.4g} / {row[f'{metric}_max_regret']:.4g}")
        cells += [share_text(result.shares[t.label][label]) for t in spec.target]
        table.add_row(*cells)
    console.print(table)
    worlds = per_world_table(result, study.worlds, packages.package, objectives, spec.target)
    worlds = worlds[[c for c in worlds.columns if not c.startswith("replications_meeting_")]]
    per = Table(title=f"{packages.package} in each world", title_justify="left")
    per.add_column("world", justify="right")
    for column in worlds.columns:
        name = str(column).rsplit(".", 1)[-1] if column in study.worlds[0] else str(column)
        per.add_column(name, justify="right")
    for index, row in worlds.iterrows():
        per.add_row(str(index), *(_cell(v) for v in row))
    console.print(per)
    for target in spec.target:
        found = result.discoveries[target.label]
        console.print(f"where {packages.package} misses {target.words}:")
        if isinstance(found, str):
            console.print(f"  no discovery: {found}")
            continue
        box = found.box
        limits = (
            "; ".join(
                f"{r.uncertainty} in [{float(r.box_low):.4g}, {float(r.box_high):.4g}]"
                for r in found.limits.itertuples()
            )
            or "no restriction"
        )
        console.print(
            f"  PRIM box: {limits} (coverage {box['coverage']:.2f}, density "
            f"{box['density']:.2f}, mass {box['mass']:.2f})"
        )
        for warning in found.warnings:
            console.print(f"  warning: {warning}")
        console.print(cart_table(found.cart))


def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def register(app: typer.Typer) -> None:
    """Add ``govlab robust`` to the ``govlab`` app."""
    app.command()(store_errors(robust))
