"""The exploration commands of ``govlab``: ``discover`` and ``optimise`` (issue 14).

``register(app)`` adds them to the Typer app of ``experiments.cli``. User mistakes (bad files,
unknown metric or scenario, no point of interest) are one line on stderr with status 2.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from govlab.experiments.store_option import (
    DbOption,
    experiment_name,
    load_stored,
    open_store,
    store_errors,
)

if TYPE_CHECKING:
    from govlab.experiments.discover_spec import Question

stderr = Console(stderr=True)


def _say(text: str) -> None:
    stderr.print(text, markup=False, highlight=False, soft_wrap=True)


def question_of(experiment: str, data) -> Question | None:
    """The ``[discover]`` question of the experiment file (or, for a stored name, of the stored
    specification), if it has one."""
    from govlab.experiments.discover_spec import Question
    from govlab.experiments.spec import ExperimentError, load_experiment

    path = Path(experiment)
    if path.suffix == ".toml" or path.is_file():
        try:
            return load_experiment(path)[0].discover
        except ExperimentError as error:
            raise _fail(str(error)) from None
    stored = data.spec.get("discover")
    return Question.model_validate(stored) if stored else None


def run_discovery(data, question: Question):
    """PRIM and feature scores of ``question`` on a loaded experiment.

    Raises:
        DiscoveryError: unknown label or metric, no point of interest (one line).
    """
    from govlab.experiments.discover import DiscoveryError
    from govlab.experiments.discover import discover as find

    labels = data.labels
    relative_to, scenario = question.relative_to, question.scenario
    if relative_to is not None and relative_to not in labels:
        raise DiscoveryError(f"--relative-to: {relative_to!r} is not one of {labels}")
    if scenario is None:
        others = [label for label in labels if label != relative_to]
        if len(others) != 1:
            raise DiscoveryError(f"--scenario: choose one of {others}")
        scenario = others[0]
    return find(
        data.wide,
        data.experiment.design,
        question.outcome,
        scenario,
        relative_to=relative_to,
        below=question.below,
        above=question.above,
        min_density=question.min_density,
        max_qp=question.max_qp,
        seed=int(data.spec.get("seed", 0)) % 2**32,
    )


def report_sections(experiment: str, data) -> list | None:
    """The sections of ``govlab report``: the report's own, with the scenario discovery of the
    experiment's ``[discover]`` question after the sensitivity indices (``None``: no question,
    the report's default sections)."""
    from govlab.experiments.discover import DiscoveryError
    from govlab.results.exploration_discover import discovery_section
    from govlab.results.report import SECTIONS

    question = question_of(experiment, data)
    if question is None:
        return None
    try:
        result = run_discovery(data, question)
    except DiscoveryError as error:
        message = html.escape(str(error))

        def section(page, ctx) -> None:
            page.add(f"<h2>Scenario discovery</h2><p class=bad>{message}</p>")
    else:
        for warning in result.warnings:
            _say(f"govlab: warning: scenario discovery: {warning}")

        def section(page, ctx) -> None:
            discovery_section(page, result)

    names = [s.__name__ for s in SECTIONS]
    at = names.index("_sensitivity") + 1 if "_sensitivity" in names else len(SECTIONS)
    return [*SECTIONS[:at], section, *SECTIONS[at:]]


def discover(
    experiment: Annotated[str, typer.Argument(help="experiment file or stored name")],
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="metric [default: the file's [discover]]")
    ] = None,
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
    max_qp: Annotated[
        float,
        typer.Option(
            min=0.0, max=1.0, help="drop restrictions with a larger quasi-p (weakest first)"
        ),
    ] = 0.05,
    out: Annotated[
        Path | None, typer.Option(help="output folder [default: results/reports/<name>_discover]")
    ] = None,
    db: DbOption = None,
) -> None:
    """Scenario discovery: PRIM boxes and feature scores of where an outcome is below/above X."""
    from govlab.experiments.discover_spec import Question
    from govlab.results.exploration_discover import write_discovery

    name = experiment_name(experiment)  # a bad file is refused before the store is opened
    store = open_store(db)
    try:
        data = load_stored(store, name)
    finally:
        store.close()
    if outcome is None:
        question = question_of(experiment, data)
        if question is None:
            raise _fail("--outcome: give the metric (the experiment has no [discover] table)")
    else:
        if (below is None) == (above is None):
            raise _fail("give exactly one of --below and --above")
        from pydantic import ValidationError

        try:
            question = Question(
                outcome=outcome, scenario=scenario, relative_to=relative_to, below=below,
                above=above, min_density=min_density, max_qp=max(max_qp, 1e-12),
            )  # fmt: skip
        except ValidationError as error:  # e.g. --above nan
            first = error.errors()[0]
            option = "--" + str(first["loc"][0]).replace("_", "-") if first["loc"] else "options"
            raise _fail(f"{option}: {first['msg']} (got {first.get('input')!r})") from None
    from govlab.experiments.discover import DiscoveryError

    try:
        result = run_discovery(data, question)
    except DiscoveryError as error:
        raise _fail(str(error)) from None
    for warning in result.warnings:
        _say(f"govlab: warning: {warning}")
    name = data.experiment.name
    folder = out or Path("results/reports") / f"{name}_discover_{question.outcome}"
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
    if len(result.dropped):
        from govlab.experiments.discover import qp_text

        weak = ", ".join(
            f"{r.uncertainty} [{_number(r.box_low)}, {_number(r.box_high)}] qp {qp_text(r.qp)}"
            for r in result.dropped.itertuples()
        )
        console.print(f"dropped (quasi-p > {result.max_qp:g}), weakest first: {weak}")
    console.print(cart_table(result.cart))
    scores = Table(title="feature scores (extra trees)", title_justify="left")
    scores.add_column("uncertainty")
    scores.add_column("score", justify="right")
    for key, value in result.scores.items():
        scores.add_row(str(key), f"{float(value):.3f}")
    console.print(scores)
    print(path)


def _number(value) -> str:
    return f"{float(value):.4g}" if isinstance(value, int | float) else str(value)


def cart_table(cart) -> Table:
    """CART's boxes of interest, one row per restricted dimension."""
    table = Table(title="CART boxes (leaves of interest)", title_justify="left")
    for column in ("box", "coverage", "density", "mass", "uncertainty", "box low", "box high"):
        table.add_column(column, justify="left" if column == "uncertainty" else "right")
    for box in cart.boxes.itertuples():
        stats = [str(box.box), f"{box.coverage:.3f}", f"{box.density:.3f}", f"{box.mass:.3f}"]
        for k, row in enumerate(cart.limits[cart.limits["box"] == box.box].itertuples()):
            bounds = [
                v if isinstance(v, str) else f"{float(v):.4g}" for v in (row.box_low, row.box_high)
            ]
            table.add_row(*(stats if k == 0 else [""] * 4), str(row.uncertainty), *bounds)
    return table


def optimise(
    spec_file: Annotated[Path, typer.Argument(help="optimisation file (TOML)")],
    db: DbOption = None,
    executor: ExecutorOption = "processes",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    chunk_size: ChunkOption = None,
    out: Annotated[
        Path | None, typer.Option(help="output folder [default: results/reports/<name>]")
    ] = None,
    fresh: Annotated[bool, typer.Option(help="delete the stored runs of this search")] = False,
) -> None:
    """Many-objective search over levers on shared uncertain worlds (resumes from the store)."""
    from govlab.experiments.evaluate import ExplorationError
    from govlab.experiments.executors import make_executor
    from govlab.experiments.optimise import run_search
    from govlab.experiments.optimise_spec import load_optimisation
    from govlab.experiments.spec import ExperimentError
    from govlab.experiments.uncertainties import sample_points
    from govlab.results.exploration_optimise import write_optimisation
    from govlab.results.store import StoreError

    check_executor(executor, scheduler)
    try:
        spec, base = load_optimisation(spec_file)
    except ExperimentError as error:
        raise _fail(str(error)) from None
    store = open_store(db)
    worlds = 1 if spec.uncertainties is None else len(sample_points(spec.uncertainties, 0)[0])
    _say(
        f"{spec.name}: {spec.search.population} candidates × {spec.search.generations + 1} "
        f"generations, {worlds} world(s) × {spec.replications} replication(s), {spec.days} "
        f"days; store {store.safe_url}; executor {executor}"
    )
    runner = None
    try:
        runner = make_executor(executor, workers, scheduler, chunk_size)
        evaluator = search_evaluator(store, runner, spec, base, str(spec_file), fresh)
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


def search_evaluator(store, runner, spec, base, source: str, fresh: bool = False):
    """The evaluator of the search ``spec``: its stored experiment ``optimise:<name>``, its K
    sampled worlds and R replication seeds."""
    from govlab.experiments.evaluate import Evaluator
    from govlab.experiments.uncertainties import sample_points

    worlds = [{}] if spec.uncertainties is None else sample_points(spec.uncertainties, spec.seed)[0]
    return Evaluator.for_experiment(
        store, runner, f"optimise:{spec.name}", spec.model_dump(mode="json"), spec.identity(),
        base, worlds, spec.days, spec.seed, spec.replications, source=source, fresh=fresh,
    )  # fmt: skip


class StoreOnly:
    """An executor that runs nothing: a report replays a finished search from the store."""

    def __init__(self, source: str) -> None:
        self.source = source

    def run(self, specs):
        from govlab.experiments.evaluate import ExplorationError

        raise ExplorationError(
            f"the search is not finished in the store ({len(specs)} run(s) of its next step are "
            f"missing): run `govlab optimise {self.source}` first"
        )

    def close(self, abort: bool = False) -> None:
        """Nothing to close."""


def optimisation_file(experiment: str, store) -> str | None:
    """The optimisation file ``experiment`` names (a TOML file with ``[objectives]``, or the
    stored search ``optimise:<name>``'s source), or None if it is not a search."""
    import tomllib

    from govlab.scenarios import tomlfile

    path = Path(experiment)
    if path.suffix == ".toml" and path.is_file():
        try:
            data = tomlfile.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None  # the experiment loader names the problem
        return str(path) if "objectives" in data else None
    if not experiment.startswith("optimise:"):
        return None
    from govlab.results.store import StoreError

    try:
        source = store.experiment(experiment).source
    except StoreError as error:
        raise _fail(str(error)) from None
    if not source or not Path(source).is_file():
        raise _fail(f"{experiment}: its optimisation file {source!r} is not found; give the file")
    return source


def report_optimisation(experiment: str, store, out: Path) -> Path | None:
    """``govlab report`` of a lever search: replay it from the store (nothing is simulated) and
    write its report; None if ``experiment`` is not a search."""
    source = optimisation_file(experiment, store)
    if source is None:
        return None
    from govlab.experiments.evaluate import ExplorationError
    from govlab.experiments.optimise import run_search
    from govlab.experiments.optimise_spec import load_optimisation
    from govlab.experiments.spec import ExperimentError
    from govlab.results.exploration_report import optimisation_report
    from govlab.results.store import StoreError

    try:
        spec, base = load_optimisation(source)
        store.experiment(f"optimise:{spec.name}")  # never register an empty search
        evaluator = search_evaluator(store, StoreOnly(source), spec, base, source)
        result = run_search(spec, evaluator)
        return optimisation_report(store, result, spec, evaluator, out)
    except (ExperimentError, StoreError, ExplorationError) as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"--out: cannot write the report: {error}") from None


def register(app: typer.Typer) -> None:
    """Add the exploration commands to the ``govlab`` app."""
    app.command()(store_errors(discover))
    app.command()(store_errors(optimise))
