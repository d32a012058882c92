"""The ``govlab calibrate`` and ``govlab predict`` commands (issue 22).

``register(app)`` adds them to the Typer app of ``experiments.cli``. Bad input (a file of observed
figures that does not validate, an unknown scenario, a ``--param`` that is not ``path=low:high``
or outside the field's range) is one line on stderr with status 2 and nothing written; without
pyabc the one line names the ``calibrate`` extra.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from govlab.experiments.defaults import EXECUTORS
from govlab.experiments.store_option import DbOption, open_store, store_errors

stderr = Console(stderr=True)
out_console = Console(soft_wrap=True)
COVERED = {True: "covered", False: "not covered", None: "design property, not predicted"}


def parse_param(text: str):
    """``world.p_missing_document=0.02:0.4`` → Parameter."""
    from govlab.experiments.abc_fit import Parameter
    from govlab.scenarios import ScenarioError

    path, _, bounds = text.partition("=")
    low, _, high = bounds.partition(":")
    try:
        return Parameter(path.strip(), float(low), float(high))
    except ValueError:
        raise ScenarioError(
            f"--param {text!r}: expected dotted.path=low:high, e.g. world.visit_gap_days=0.2:5"
        ) from None


def _executor(kind: str, workers: int | None, scheduler: str | None):
    from govlab.experiments.executors import make_executor

    if kind not in EXECUTORS:
        from govlab.experiments.cli import fail

        raise fail(f"--executor: {kind!r} is not one of {' | '.join(EXECUTORS)}")
    return make_executor(kind, workers, scheduler)


@store_errors
def calibrate(
    data: Annotated[Path, typer.Argument(help="file of observed figures (TOML)")],
    scenario: Annotated[str, typer.Option(help="baseline scenario to fit")] = "silo",
    param: Annotated[
        list[str] | None,
        typer.Option(help="unobservable parameter and prior: dotted.path=low:high (repeatable)"),
    ] = None,
    place: Annotated[str | None, typer.Option(help="place whose 'before' figures to fit")] = None,
    target: Annotated[
        list[str] | None, typer.Option(help="fit only these figure ids (repeatable)")
    ] = None,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("results/calibration"),
    name: Annotated[
        str | None, typer.Option(help="name in the store [default: out's name]")
    ] = None,
    population: Annotated[int, typer.Option(min=10, max=100_000)] = 60,
    generations: Annotated[int, typer.Option(min=1, max=100)] = 4,
    days: Annotated[int, typer.Option(min=20, max=100_000)] = 260,
    warmup: Annotated[int, typer.Option(min=0, max=10_000, help="warm-up days")] = 100,
    scale: Annotated[int, typer.Option(min=1, max=1000, help="population ÷, case rates ×")] = 10,
    screen: Annotated[int, typer.Option(min=2, max=100_000, help="prior screen points")] = 40,
    points: Annotated[int, typer.Option(min=2, max=100_000, help="posterior ensemble")] = 20,
    replications: Annotated[int, typer.Option(min=1, max=1000)] = 2,
    seed: Annotated[int, typer.Option(min=0)] = 2026,
    executor: Annotated[str, typer.Option(help="serial | processes | dask")] = "processes",
    workers: Annotated[int | None, typer.Option(min=1, max=1024)] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address")] = None,
    db: DbOption = None,
) -> None:
    """Fit a baseline's unobservable parameters to a place's 'before' figures (ABC-SMC)."""
    from govlab.experiments.cli import fail
    from govlab.scenarios import ScenarioError
    from govlab.scenarios.observed import load_observed

    try:
        observed = load_observed(data)
        parameters = [parse_param(text) for text in param or []]
        if not parameters:
            raise ScenarioError("--param: declare at least one parameter (dotted.path=low:high)")
        import pyabc  # noqa: F401  (missing: the one line naming the calibrate extra)

        from govlab.experiments.abc_fit import AbcBudget
        from govlab.experiments.calibrate import Setup, base_scenario, calibrate, check_parameters

        setup = Setup(
            name=name or out.name,
            observed=str(data),
            scenario=scenario,
            place=place,
            parameters=parameters,
            target_ids=list(target or []),
            scale=scale,
            warmup_days=warmup,
            budget=AbcBudget(population, generations, days),
            screen=screen,
            points=points,
            replications=replications,
            seed=seed,
        )
        if days <= warmup:
            raise ScenarioError(f"--days: {days} must exceed --warmup ({warmup})")
        check_parameters(base_scenario(scenario, setup), parameters)
    except ScenarioError as error:
        raise fail(str(error)) from None
    if out.exists() and not out.is_dir():
        raise fail(f"--out: {out} is a file, not a folder")
    run_on = _executor(executor, workers, scheduler)
    from govlab.experiments.abc_sampler import AbcRunFailed

    with open_store(db) as store:
        try:
            summary = calibrate(setup, observed, store, run_on, out)
        except ScenarioError as error:
            raise fail(str(error)) from None
        except AbcRunFailed as error:  # a failed simulation: not bad input (status 1)
            stderr.print(f"govlab: error: {error}", markup=False, highlight=False)
            raise typer.Exit(code=1) from None
        finally:
            run_on.close()
    abc = summary["abc"]
    out_console.print(
        f"{setup.name}: {abc['simulations']} ABC simulations in {abc['generations']} "
        f"generations ({abc['computed']} run now, {abc['reused']} read from the store; "
        f"+{abc['screen_simulations']} screen, {summary['ensemble_runs']} ensemble runs); "
        f"written to {out}",
        markup=False,
        highlight=False,
    )
    for path, post in summary["posterior"].items():
        out_console.print(
            f"  {path}: {post['median']:.4g} [{post['p05']:.4g}, {post['p95']:.4g}] "
            f"(prior {post['prior_low']:g}–{post['prior_high']:g})",
            markup=False,
            highlight=False,
        )
    for row in summary["fit"]:
        out_console.print(
            f"  {row['id']}: observed {row['observed']:.4g} [{row['observed_low']:.4g}, "
            f"{row['observed_high']:.4g}], predicted {row['predicted']:.4g} "
            f"[{row['predicted_low']:.4g}, {row['predicted_high']:.4g}] — {row['status']}",
            markup=False,
            highlight=False,
        )


@store_errors
def predict(
    folder: Annotated[Path, typer.Argument(help="a calibration's output folder")],
    reform: Annotated[
        list[str], typer.Option(help="reform=scenario: run scenario as the named reform")
    ],
    executor: Annotated[str, typer.Option(help="serial | processes | dask")] = "processes",
    workers: Annotated[int | None, typer.Option(min=1, max=1024)] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address")] = None,
    db: DbOption = None,
) -> None:
    """Run reform scenarios over a calibration's posterior ensemble (paired seeds)."""
    from govlab.experiments.cli import fail
    from govlab.scenarios import ScenarioError, load_scenario
    from govlab.scenarios.observed import load_observed

    try:
        from govlab.experiments.predict import load_setup, predict

        setup, _ = load_setup(folder)
        observed = load_observed(setup.observed)
        reforms = {}
        for text in reform:
            label, _, scenario = text.partition("=")
            if not label or not scenario or label == "baseline":
                raise ScenarioError(
                    f"--reform {text!r}: expected reform_name=scenario (not named baseline)"
                )
            load_scenario(scenario)
            reforms[label] = scenario
    except ScenarioError as error:
        raise fail(str(error)) from None
    run_on = _executor(executor, workers, scheduler)
    with open_store(db) as store:
        try:
            table, versus = predict(folder, reforms, observed, store, run_on)
        finally:
            run_on.close()
    shown = table[table["metric"].isin(["delay_mean_days", "business_registration_days_mean"])]
    for row in shown.itertuples():
        out_console.print(
            f"{row.reform} ({row.scenario}) {row.metric}: {row.median:.4g} [{row.low:.4g}, "
            f"{row.high:.4g}]; change {row.change_median:+.4g} [{row.change_low:+.4g}, "
            f"{row.change_high:+.4g}]",
            markup=False,
            highlight=False,
        )
    for row in versus.to_dict("records"):
        out_console.print(
            f"{row['id']}: observed {row['observed']:.4g}, predicted {row['predicted']:.4g} "
            f"[{row['predicted_low']:.4g}, {row['predicted_high']:.4g}] — "
            f"{COVERED[row['covered']]} ({row['status']})",
            markup=False,
            highlight=False,
        )
    out_console.print(f"written to {folder}/predict.csv and predict_observed.csv", markup=False)


def calibration_experiment(text: str) -> str | None:
    """The stored ensemble experiment of the calibration folder ``text`` (None: not a folder
    holding ``calibration.json``), for ``govlab report``."""
    import json

    path = Path(text) / "calibration.json"
    if not path.is_file():
        return None
    try:
        name = json.loads(path.read_text())["setup"]["name"]
    except (ValueError, KeyError, TypeError):
        from govlab.experiments.cli import fail

        raise fail(f"{path}: not a calibration summary (no setup.name)") from None
    return f"calibrate:{name}:ensemble"


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` and ``predict`` to the ``govlab`` app."""
    app.command()(calibrate)
    app.command()(predict)
