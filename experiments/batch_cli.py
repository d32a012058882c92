"""The batch commands of ``govlab``: ``batch``, ``compare``, ``sensitivity``, ``report``.

``register(app)`` adds them to the Typer app of ``experiments.cli``. User mistakes (bad experiment
file, unknown stored experiment, conflicting specification) are one line on stderr and status 2;
a batch with failed runs exits with status 1 after its summary. Database passwords never print.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from govlab.experiments.defaults import (
    CLAIM_ENV,
    DEFAULT_CLAIM_SECONDS,
    EXECUTORS,
    MAX_CLAIM_SECONDS,
)
from govlab.experiments.store_option import (
    DbOption,
    experiment_name,
    finished_runs,
    load_stored,
    open_store,
    store_errors,
)

MetricsOption = Annotated[
    list[str] | None,
    typer.Option("--metrics", "-m", help="metric to show (repeatable; 'all' for every one)"),
]
# Where runs execute (``batch``, ``optimise``).
ExecutorOption = Annotated[str, typer.Option(help=f"where runs execute: {' | '.join(EXECUTORS)}")]
WorkersOption = Annotated[
    int | None, typer.Option(min=1, help="worker processes [default: all cores]")
]
SchedulerOption = Annotated[
    str | None, typer.Option(help="Dask scheduler address (tcp://host:8786)")
]
ChunkOption = Annotated[int | None, typer.Option(min=1, help="runs per task")]
stderr = Console(stderr=True)


def _say(text: str) -> None:
    stderr.print(text, markup=False, highlight=False, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    from govlab.experiments.cli import fail

    return fail(message)


def _check_scheduler(address: str) -> None:
    """Refuse a ``--scheduler`` that is not a Dask address (``tcp://host:port``, ``host:port``)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
        if scheme not in ("tcp", "tls", "ws", "wss") or not host or not 0 < int(port) < 65536:
            raise ValueError(address)
        if any(c.isspace() or c in "/?#@" for c in host):
            raise ValueError(address)
    except (ValueError, TypeError):
        raise _fail(
            f"--scheduler: {address!r} is not a Dask scheduler address; "
            "expected tcp://host:port (e.g. tcp://127.0.0.1:8786)"
        ) from None


def check_executor(executor: str, scheduler: str | None) -> None:
    """Refuse, in one line, an unknown ``--executor``, or a ``--scheduler`` without Dask or
    that is not a Dask address."""
    if executor not in EXECUTORS:
        raise _fail(f"--executor: {executor!r} is not one of {' | '.join(EXECUTORS)}")
    if scheduler and executor != "dask":
        raise _fail("--scheduler needs --executor dask")
    if scheduler:
        _check_scheduler(scheduler)


def _metrics(data, chosen: list[str] | None) -> list[str]:
    if not chosen:
        return data.headline() or data.metric_names()
    if chosen == ["all"]:
        return data.metric_names()
    known = data.metric_names(top_level=False)
    unknown = [m for m in chosen if m not in known]
    if unknown:
        raise _fail(
            f"--metrics: unknown metric(s) {unknown}; known: {', '.join(data.metric_names())}"
        )
    return chosen


def batch(
    experiment: Annotated[Path, typer.Argument(help="experiment file (TOML)")],
    db: DbOption = None,
    executor: ExecutorOption = "processes",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    chunk_size: ChunkOption = None,
    fresh: Annotated[bool, typer.Option(help="delete the stored runs of this experiment")] = False,
    set_aside: Annotated[
        bool,
        typer.Option(
            help="move stored runs of another definition (edited scenario, changed model code) "
            "to an experiment NAME@set-aside-TIME, then run"
        ),
    ] = False,
    claim_seconds: Annotated[
        float,
        typer.Option(
            min=1.0,
            max=MAX_CLAIM_SECONDS,
            envvar=CLAIM_ENV,
            help="how long a run claimed by this batch stays claimed without renewal (renewed "
            "every third of it while it runs): if this batch dies, batches of other machines "
            "take its runs over after this (batches of this machine at once)",
        ),
    ] = DEFAULT_CLAIM_SECONDS,
) -> None:
    """Run an experiment (resuming: finished runs are skipped) and store every run.

    Batches of one experiment running at once on one store share its runs: each run is computed
    by one batch, and each batch ends when all are stored."""
    from govlab.experiments.executors import make_executor
    from govlab.experiments.orphans import on_sigterm, terminated
    from govlab.experiments.runner import run_batch
    from govlab.experiments.spec import ExperimentError, load_experiment
    from govlab.results.store import StoreError

    check_executor(executor, scheduler)
    try:
        spec, scenarios = load_experiment(experiment)
    except ExperimentError as error:
        raise _fail(str(error)) from None
    store = open_store(db)

    def banner() -> None:
        _say(
            f"{spec.name}: {len(scenarios)} scenario(s) × {spec.replications} replication(s), "
            f"{spec.days} days; store {store.safe_url}; executor {executor}"
        )

    runner = None
    interrupted = False
    kept: int | None = None
    previous = on_sigterm()  # SIGTERM shuts the pool down as Ctrl-C does
    try:
        try:
            runner = make_executor(executor, workers, scheduler, chunk_size)
        except (OSError, ValueError) as error:  # TimeoutError included: no scheduler answered
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            option = "--scheduler" if scheduler else "--executor"
            raise _fail(f"{option}: cannot start the {executor} executor: {first}") from None
        outcome = run_batch(
            spec,
            scenarios,
            store,
            runner,
            source=experiment,
            fresh=fresh,
            set_aside=set_aside,
            on_start=banner,
            claim_seconds=claim_seconds,
        )
    except (ExperimentError, StoreError) as error:
        raise _fail(str(error)) from None
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (orphans.Terminated)
        interrupted = True
        kept = finished_runs(store, spec.name)
    finally:
        if runner is not None:
            runner.close(abort=interrupted)
        store.close()
        signal.signal(signal.SIGTERM, previous)
    if interrupted:
        what = "terminated (SIGTERM)" if terminated.is_set() else "interrupted"
        runs = "its finished runs are" if kept is None else f"{kept} finished run(s) are"
        _say(
            f"govlab: {spec.name}: {what}; {runs} kept in {store.safe_url}; run the same command "
            "again to resume (finished runs are not run again)"
        )
        raise typer.Exit(code=130)  # the CLI turns it into 143 after SIGTERM
    _say(f"{spec.name}: {outcome.line()}")
    if outcome.failed:
        for key, error in outcome.failures[:10]:
            _say(f"  failed {key}: {error}")
        more = len(outcome.failures) - 10
        if more > 0:
            _say(f"  ... and {more} more")
        _say(
            "govlab: some runs failed (tracebacks in the store and the report); "
            "run the same command again to retry them"
        )
        raise typer.Exit(code=1)


def compare(
    experiment: Annotated[str, typer.Argument(help="experiment file or stored name")],
    db: DbOption = None,
    baseline: Annotated[str | None, typer.Option(help="baseline scenario label")] = None,
    metrics: MetricsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON rows")] = False,
) -> None:
    """Mean and 95% CI per scenario; paired differences vs the baseline (paired by seed).

    Shares change in percentage points; other metrics also relatively, with a Fieller interval
    that carries the baseline's uncertainty. p-values are raw and Holm-adjusted within each
    metric family — every metric of that family the runs report, shown or not; design
    properties (fixed by the levers) get none.
    """
    from govlab.experiments.resolved import stale_note
    from govlab.results import stats
    from govlab.results.multiplicity import family_lines
    from govlab.results.runout import capped_counts, capped_note

    name = experiment_name(experiment)  # a bad file is refused before the store is opened
    store = open_store(db)
    data = load_stored(store, name)
    chosen = _metrics(data, metrics)
    base = baseline or data.baseline
    if base not in data.labels:
        raise _fail(f"--baseline: {base!r} is not one of {data.labels}")
    finished = set(data.wide["label"])
    if base not in finished:
        failed = int(((data.runs["label"] == base) & (data.runs["status"] != "done")).sum())
        raise _fail(
            f"{'--baseline: ' if baseline else ''}the baseline {base!r} has no finished runs "
            f"in {store.safe_url} ({failed} failed); nothing to compare against. Run the batch "
            "again to finish it, or choose another --baseline"
        )
    unfinished = [label for label in data.labels if label not in finished]
    rows = stats.compare(data.wide, chosen, base, order=data.labels)
    points = data.experiment.design["points"]
    capped = capped_counts(data.wide)
    for row in rows:
        row["params"] = points[row["point"]] if row["point"] < len(points) else {}
        row["runs_capped"] = capped.get((row["scenario"], row["point"]), (0,))[0]
    store.close()
    if as_json:
        print(json.dumps(rows, indent=1))
    else:
        console = Console() if sys.stdout.isatty() else Console(width=120)
        for metric in chosen:
            console.print(compare_table(rows, metric, base))
        for line in family_lines(rows):
            console.print(Text(line))
    for warning in (capped_note(data.wide), stale_note(data)):  # as `govlab report` says
        if warning:
            _say(f"govlab: warning: {data.experiment.name}: {warning}")
    if unfinished:  # the table is incomplete: say which scenarios are missing, status 1
        _say(
            f"govlab: {data.experiment.name}: no finished runs of {unfinished} (not shown); "
            "run the batch again to finish them"
        )
        raise typer.Exit(code=1)


def _pm(mean, low, high, scale: float = 1.0, sign: str = "") -> str:
    if mean is None:
        return "—"
    if low is None or high is None:
        return f"{scale * mean:{sign}.4g}"
    return f"{scale * mean:{sign}.4g} ± {scale * (high - low) / 2:.2g}"


def _group(row: dict) -> str:
    """``label`` or, for a design point, ``label #p (name=value, ...)``."""
    params = row.get("params") or {}
    if not params:
        return row["scenario"]
    text = ", ".join(
        f"{k.rsplit('.', 1)[-1]}={v:.3g}" if isinstance(v, float) else f"{k.rsplit('.', 1)[-1]}={v}"
        for k, v in params.items()
    )
    return f"{row['scenario']} #{row['point']} ({text})"


def _change(row: dict) -> tuple[str, str]:
    """The paired difference (percentage points for a share) and the relative change."""
    if row.get("share"):
        return _pm(
            row.get("diff_pp"), row.get("diff_pp_low"), row.get("diff_pp_high"), sign="+"
        ) + (" pp"), ""
    diff = _pm(row.get("diff_mean"), row.get("diff_low"), row.get("diff_high"), sign="+")
    relative, low, high = row.get("relative"), row.get("relative_low"), row.get("relative_high")
    if relative is None:
        return diff, "—"
    if low is None or high is None:
        return diff, f"{100 * relative:+.3g} [unbounded]"
    return diff, f"{100 * relative:+.3g} [{100 * low:+.3g}, {100 * high:+.3g}]"


def _p(value) -> str:
    return "—" if value is None else f"{value:.2g}"


def compare_table(rows: list[dict], metric: str, baseline: str) -> Table:
    """A readable table of one metric: mean ± CI half-width, paired change vs the baseline
    (percentage points for a share; relative change with a Fieller interval otherwise), raw and
    Holm-adjusted p-values (none for a design property)."""
    chosen = [r for r in rows if r["metric"] == metric]
    first = chosen[0] if chosen else {}
    unit = first.get("unit") or ""
    pairing = f"paired by seed vs {baseline}"
    if any(r["point"] for r in chosen):
        pairing += ", its point #0 for its own points"
    family = next((r for r in chosen if r.get("family_size")), None)
    if first.get("design_property"):
        adjust = "design property: fixed by the levers, not tested"
    elif family:
        size = len(family.get("family_members") or [metric])
        adjust = (
            f"p Holm-adjusted within family {family['family']} of {size} metric(s), "
            f"{family['family_size']} tests"
        )
    else:
        adjust = "no test"
    title = f"{metric} [{unit}]  (95% CI; {pairing}; {adjust})"
    table = Table(title=Text(title), title_justify="left")
    delta = "Δ vs baseline (pp)" if first.get("share") else "Δ vs baseline"
    capped = any(r.get("runs_capped") for r in chosen)  # the run-out's cap hid open cases
    columns = ("scenario", "n", *(("capped runs",) if capped else ()), "mean", delta)
    for column in (*columns, "change % [95% CI]", "p", "p Holm"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for r in chosen:
        paired = "diff_mean" in r
        diff, relative = _change(r) if paired else ("baseline", "")
        table.add_row(
            _group(r),
            str(r["n"]),
            *((str(r.get("runs_capped", 0)),) if capped else ()),
            _pm(r["mean"], r["low"], r["high"]),
            diff,
            relative,
            "fixed" if r.get("design_property") and paired else _p(r.get("p_value")),
            _p(r.get("p_holm")),
        )
    return table


def sensitivity(
    experiment: Annotated[str, typer.Argument(help="experiment file or stored name")],
    db: DbOption = None,
    metrics: MetricsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON rows")] = False,
) -> None:
    """Sobol / Morris (or RBD-FAST for LHS) indices with confidence, per metric and parameter."""
    from govlab.results.sensitivity import NOISE_NOTE, SensitivityError, analyse, index_text

    name = experiment_name(experiment)
    store = open_store(db)
    data = load_stored(store, name)
    chosen = _metrics(data, metrics)
    try:
        rows, notes = analyse(data.experiment.design, data.wide, chosen, seed=data.spec["seed"])
    except SensitivityError as error:
        raise _fail(str(error)) from None
    finally:
        store.close()
    if data.experiment.design["method"] == "sobol":
        notes = [NOISE_NOTE, *notes]
    for note in notes:
        _say(note)
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    keys = ["S1", "S1_conf", "ST", "ST_conf", "ST_noise_floor", "noise_share"]
    keys += ["mu_star", "mu_star_conf", "sigma"]
    keys = [k for k in keys if any(k in r for r in rows)]
    console = Console() if sys.stdout.isatty() else Console(width=120)
    table = Table(title=f"{data.experiment.design['method']} sensitivity", title_justify="left")
    for column in ("scenario", "metric", "parameter", *keys):
        table.add_column(column, justify="right" if column in keys else "left")
    for r in rows:
        values = [
            index_text(r, k) if k in ("S1", "ST") else ("—" if r.get(k) is None else f"{r[k]:.3f}")
            for k in keys
        ]
        table.add_row(r["scenario"], r["metric"], r["parameter"], *values)
    console.print(table)


def report(
    experiment: Annotated[
        str, typer.Argument(help="experiment file, stored name or calibration folder")
    ],
    out: Annotated[Path, typer.Option("--out", help="output folder (index.html, figures/)")],
    db: DbOption = None,
    metrics: MetricsOption = None,
    svg: Annotated[bool, typer.Option("--svg", help="also write each figure as SVG")] = False,
) -> None:
    """Write a self-contained HTML report (tables, figures, provenance) to OUT/index.html."""
    from govlab.experiments.calibrate_cli import calibration_experiment
    from govlab.experiments.exploration_cli import report_optimisation, report_sections
    from govlab.experiments.resolved import resolved_scenarios
    from govlab.results.report import build_report

    experiment = calibration_experiment(experiment) or experiment
    store = open_store(db)
    try:
        searched = report_optimisation(experiment, store, out)  # a lever search's report
    except BaseException:
        store.close()
        raise
    if searched is not None:
        store.close()
        print(searched)
        return
    data = load_stored(store, experiment_name(experiment))
    chosen = _metrics(data, metrics)
    scenarios, notes, match = resolved_scenarios(data)
    sections = report_sections(experiment, data)  # e.g. the file's [discover] question
    try:
        path = build_report(
            store, data.experiment.name, out, chosen, scenarios, notes,
            sections=sections, scenarios_match=match, svg=svg,
        )  # fmt: skip
    except OSError as error:
        raise _fail(f"--out: cannot write the report: {error}") from None
    finally:
        store.close()
    print(path)


def register(app: typer.Typer) -> None:
    """Add the batch commands to the ``govlab`` app."""
    for command in (batch, compare, sensitivity, report):
        app.command()(store_errors(command))
