"""The exploration commands of ``govlab``: ``discover`` and ``optimise`` (issue 14).

``register(app)`` adds them to the Typer app of ``experiments.cli``. User mistakes (bad files,
unknown metric or scenario, no point of interest) are one line on stderr with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from experiments.batch_cli import DbOption, _fail, _load, _store
from experiments.executors import EXECUTORS

stderr = Console(stderr=True)


def _say(text: str) -> None:
    stderr.print(text, markup=False, highlight=False, soft_wrap=True)


def discover(
    experiment: Annotated[str, typer.Argument(help="experiment file or stored name")],
    outcome: Annotated[str, typer.Option("--outcome", help="metric of the outcome")],
    scenario: Annotated[
        str | None, typer.Option(help="scenario label [default: the only one compared]")
    ] = None,
    relative_to: Annotated[
        str | None, typer.Option("--relative-to", help="paired relative change vs this label")
    ] = None,
    below: Annotated[float | None, typer.Option(help="points of interest: outcome < X")] = None,
    above: Annotated[float | None, typer.Option(help="points of interest: outcome > X")] = None,
    min_density: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="density the chosen box must reach")
    ] = 0.8,
    out: Annotated[
        Path | None, typer.Option(help="output folder [default: results/reports/<name>_discover]")
    ] = None,
    db: DbOption = None,
) -> None:
    """Scenario discovery: PRIM boxes and feature scores of where an outcome is below/above X."""
    from experiments.discover import DiscoveryError
    from experiments.discover import discover as find
    from results.exploration_discover import write_discovery

    if (below is None) == (above is None):
        raise _fail("give exactly one of --below and --above")
    store = _store(db)
    try:
        data = _load(store, experiment)
        labels = data.labels
        if relative_to is not None and relative_to not in labels:
            raise _fail(f"--relative-to: {relative_to!r} is not one of {labels}")
        if scenario is None:
            others = [label for label in labels if label != relative_to]
            if len(others) != 1:
                raise _fail(f"--scenario: choose one of {others}")
            scenario = others[0]
        result = find(
            data.wide,
            data.experiment.design,
            outcome,
            scenario,
            relative_to=relative_to,
            below=below,
            above=above,
            min_density=min_density,
            seed=int(data.spec.get("seed", 0)) % 2**32,
        )
        name = data.experiment.name
    except DiscoveryError as error:
        raise _fail(str(error)) from None
    finally:
        store.close()
    folder = out or Path("results/reports") / f"{name}_discover_{outcome}"
    try:
        path = write_discovery(result, folder, f"{name}: scenario discovery")
    except OSError as error:
        raise _fail(f"--out: cannot write: {error}") from None
    console = Console() if sys.stdout.isatty() else Console(width=120)
    console.print(result.question)
    box = result.box
    console.print(
        f"box #{result.chosen}: coverage {box['coverage']:.3f}, density {box['density']:.3f}, "
        f"mass {box['mass']:.3f}, {int(box['res_dim'])} restricted dimension(s)"
    )
    table = Table(title="restricted dimensions", title_justify="left")
    for column in ("uncertainty", "box low", "box high", "range low", "range high", "qp"):
        table.add_column(column, justify="left" if column == "uncertainty" else "right")
    for r in result.limits.itertuples():
        qp = "—" if r.qp is None or r.qp != r.qp else f"{r.qp:.2g}"
        table.add_row(
            str(r.uncertainty),
            *(f"{float(v):.4g}" for v in (r.box_low, r.box_high, r.range_low, r.range_high)),
            qp,
        )
    console.print(table)
    scores = Table(title="feature scores (extra trees)", title_justify="left")
    scores.add_column("uncertainty")
    scores.add_column("score", justify="right")
    for key, value in result.scores.items():
        scores.add_row(str(key), f"{float(value):.3f}")
    console.print(scores)
    print(path)


def optimise(
    spec_file: Annotated[Path, typer.Argument(help="optimisation file (TOML)")],
    db: DbOption = None,
    executor: Annotated[
        str, typer.Option(help=f"where runs execute: {' | '.join(EXECUTORS)}")
    ] = "processes",
    workers: Annotated[
        int | None, typer.Option(min=1, help="worker processes [default: all cores]")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (tcp://host:8786)")
    ] = None,
    chunk_size: Annotated[int | None, typer.Option(min=1, help="runs per task")] = None,
    out: Annotated[
        Path | None, typer.Option(help="output folder [default: results/reports/<name>]")
    ] = None,
    fresh: Annotated[bool, typer.Option(help="delete the stored runs of this search")] = False,
) -> None:
    """Many-objective search over levers on shared uncertain worlds (resumes from the store)."""
    from experiments.evaluate import Evaluator, ExplorationError
    from experiments.executors import make_executor
    from experiments.optimise import run_search
    from experiments.optimise_spec import load_optimisation
    from experiments.spec import ExperimentError
    from experiments.uncertainties import sample_points
    from results.exploration_optimise import write_optimisation
    from results.store import StoreError

    if executor not in EXECUTORS:
        raise _fail(f"--executor: {executor!r} is not one of {' | '.join(EXECUTORS)}")
    if scheduler and executor != "dask":
        raise _fail("--scheduler needs --executor dask")
    try:
        spec, base = load_optimisation(spec_file)
    except ExperimentError as error:
        raise _fail(str(error)) from None
    worlds = [{}] if spec.uncertainties is None else sample_points(spec.uncertainties, spec.seed)[0]
    store = _store(db)
    _say(
        f"{spec.name}: {spec.search.population} candidates × {spec.search.generations + 1} "
        f"generations, {len(worlds)} world(s) × {spec.replications} replication(s), {spec.days} "
        f"days; store {store.safe_url}; executor {executor}"
    )
    runner = None
    try:
        runner = make_executor(executor, workers, scheduler, chunk_size)
        evaluator = Evaluator.for_experiment(
            store,
            runner,
            f"optimise:{spec.name}",
            spec.model_dump(mode="json"),
            spec.identity(),
            base,
            worlds,
            spec.days,
            spec.seed,
            spec.replications,
            source=str(spec_file),
            fresh=fresh,
        )
        result = run_search(spec, evaluator, log=_say)
        path, summary = write_optimisation(
            result, spec, evaluator, out or Path("results/reports") / spec.name
        )
    except (ExperimentError, StoreError, ExplorationError) as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot run the search: {error}") from None
    finally:
        if runner is not None:
            runner.close()
        store.close()
    _say(
        f"{spec.name}: {len(result.evaluated)} packages, Pareto set {len(result.front)}, "
        f"{result.runs_done} runs simulated in {result.seconds:.0f} s"
    )
    console = Console() if sys.stdout.isatty() else Console(width=140)
    chosen = summary["chosen"]
    table = Table(
        title=f"chosen packages ({spec.choose.metric} change ≤ "
        f"{spec.choose.relative_below:+.0%} vs {spec.base}), cheapest first",
        title_justify="left",
    )
    columns = ["label", *spec.levers, spec.choose.cost, f"change_{spec.choose.metric}"]
    for column in columns:
        table.add_column(column.rsplit(".", 1)[-1], justify="right")
    for row in chosen:
        table.add_row(
            *(f"{row[c]:.4g}" if isinstance(row[c], float) else str(row[c]) for c in columns)
        )
    console.print(table)
    print(path)


def register(app: typer.Typer) -> None:
    """Add the exploration commands to the ``govlab`` app."""
    app.command()(discover)
    app.command()(optimise)
