"""The ``govlab`` command line: list scenarios, run one simulation.

User mistakes (unknown scenario, bad ``--set``, invalid values) print one line on stderr and exit
with status 2; nothing is written. Ctrl-C is one line and status 130 (``experiments.interrupt``
before a command starts, ``_Commands`` while it runs). The command modules import the model, the
store and the libraries of an extra inside the commands that need them, so ``govlab --help`` and
``govlab --version`` load only Typer and Rich.
"""

from __future__ import annotations

import errno
import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer.core import TyperGroup
from typer.exceptions import TyperException

from govlab.experiments import interrupt
from govlab.experiments.defaults import DEFAULT_DAYS


class _Commands(TyperGroup):
    """The command group: Ctrl-C while a command runs is one line and status 130."""

    def invoke(self, ctx):
        interrupt.disarm()  # from here on Ctrl-C unwinds the command (a batch stops its pool)
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # SIGTERM too (orphans.Terminated); main() says 143 then
            from govlab.experiments.orphans import terminated

            what = "terminated (SIGTERM)" if terminated.is_set() else "interrupted"
            stderr.print(f"govlab: {what}", markup=False, highlight=False)
            raise typer.Exit(code=interrupt.INTERRUPTED) from None


app = typer.Typer(
    cls=_Commands,
    help="govlab: an agent-based laboratory for silo vs seamless government.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stderr = Console(stderr=True)


def _print_version(value: bool) -> None:
    if value:
        from govlab import __version__

        print(f"govlab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="print the version and exit"
        ),
    ] = False,
) -> None:
    """govlab: an agent-based laboratory for silo vs seamless government."""


# Metrics shown in the readable summary table, with their labels.
TABLE_ROWS = (
    ("cases_completed", "cases completed"),
    ("delay_mean_days", "delay, mean (days)"),
    ("delay_p50_days", "delay, median (days)"),
    ("delay_p90_days", "delay, p90 (days)"),
    ("delay_p99_days", "delay, p99 (days)"),
    ("business_registration_days_mean", "business registration (days)"),
    ("trips_per_case", "trips per case"),
    ("share_at_most_one_trip", "share with at most one trip"),
    ("share_zero_trips", "share with no trip"),
    ("documents_submitted_per_case", "documents submitted per case"),
    ("documents_resubmitted_per_case", "documents re-submitted per case"),
    ("handoffs_per_case", "hand-offs per case"),
    ("offices_per_case", "offices per case"),
    ("procedures_per_case", "procedures per case (design property)"),
    ("materials_per_case", "materials per case (design property)"),
    ("online_share", "online share"),
    ("utilisation_mean", "staff utilisation"),
    ("refusals", "refusals"),
    ("cases_open_at_end", "cases still open at the end"),
    ("runout_days", "run-out after the last day (days)"),
    ("runout_open_cases", "window cases still open after the run-out"),
    ("abandonment_share", "share of window cases given up by their applicant"),
    ("participation_rate", "participation rate"),
    ("trust_mean", "trust, mean"),
    ("trust_mean_final", "trust at the end"),
    ("trust_drift_per_100_days", "trust drift, last quarter (per 100 days)"),
    ("participation_drift_per_100_days", "participation drift, last quarter (per 100 days)"),
    ("enterprise_trust_mean", "enterprise trust, mean"),
    ("enterprise_trust_drift_per_100_days", "enterprise trust drift, last quarter (per 100 days)"),
    ("satisfaction_mean", "satisfaction, mean"),
    ("response_rate", "response rate (taken up within the deadline)"),
    ("coproduction_share", "co-production share"),
    ("privacy_incidents_per_10k_residents_per_year", "privacy incidents per 10k residents a year"),
    ("privacy_trust_lost_per_resident", "trust lost to privacy incidents, per resident"),
    ("delay_gap_digital", "delay gap, low − high digital skill (days)"),
    ("delay_gini_districts", "Gini of delay across districts"),
)


def fail(message: str) -> typer.Exit:
    """Print a one-line user error on stderr; return the exit (status 2) to raise."""
    stderr.print(f"govlab: error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def scenario_with_sets(scenario: str, assignments: list[str] | None):
    """The scenario ``scenario`` (shipped name or file) with its ``--set`` overrides, or the
    one-line error (status 2)."""
    from govlab.scenarios import ScenarioError, apply_overrides, load_scenario, parse_assignment

    try:
        loaded = load_scenario(scenario)
        overrides = dict(parse_assignment(item) for item in assignments or [])
        return apply_overrides(loaded, overrides, source="--set") if overrides else loaded
    except ScenarioError as error:
        raise fail(str(error)) from None


@app.command()
def scenarios() -> None:
    """List the shipped scenarios, one line each."""
    from govlab.scenarios import load_scenario, shipped_scenarios

    for name in shipped_scenarios():
        print(f"{name:14s} {load_scenario(name).description}")


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="scenario name (see `govlab scenarios`) or file")],
    days: Annotated[int, typer.Option(min=1, max=100_000, help="working days to simulate")] = (
        DEFAULT_DAYS
    ),
    seed: Annotated[int, typer.Option(min=0, help="seed of the model's random generator")] = 1,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="override a parameter: dotted.path=value (repeatable)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Run one simulation and print its summary."""
    loaded = scenario_with_sets(scenario, set_)
    from govlab.experiments.single import run_simulation  # the model: after the input is checked
    from govlab.results.runout import capped_sentence

    warmup = loaded.world.warmup_days
    if days < 2 * warmup:
        stderr.print(
            f"govlab: note: --days {days} leaves {max(days - warmup, 0)} days of arrivals "
            f"after the {warmup}-day warm-up (world.warmup_days); delays cover only those "
            f"cases — run --days {2 * warmup} or more for a window as long as the warm-up",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    progress = Progress(
        TextColumn(f"{loaded.name}"),
        BarColumn(),
        TextColumn("day {task.completed:.0f}/{task.total:.0f}"),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    )
    with progress:
        task = progress.add_task("run", total=days)
        summary, _ = run_simulation(
            loaded, seed, days, on_day=lambda day: progress.update(task, completed=day)
        )
    capped = capped_sentence([(loaded.name, int(bool(summary["runout_open_cases"])), 1,
                               summary["runout_open_cases"] or 0)])  # fmt: skip
    if capped:
        stderr.print(f"govlab: warning: {capped}", markup=False, highlight=False, soft_wrap=True)
    if as_json:
        print(json.dumps(summary, sort_keys=True))
        return
    table = Table(title=f"{loaded.name} — {days} days, seed {seed}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, label in TABLE_ROWS:
        value = summary.get(key)
        table.add_row(label, "—" if value is None else f"{value:,.3g}")
    Console().print(table)


@app.command()
def ui(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port")] = 8765,
) -> None:
    """Start the trainer app (silo vs seamless, side by side) in the browser, offline."""
    check_port(host, port)
    from govlab.viz.server import serve
    from govlab.viz.sessions import max_sessions

    try:
        max_sessions()  # GOVLAB_UI_MAX_SESSIONS, checked before the server starts
    except ValueError as error:
        raise fail(str(error)) from None

    try:
        serve(host, port, log=lambda text: stderr.print(text, markup=False, highlight=False))
    except OSError as error:
        raise fail(f"cannot start the trainer app: {error}") from None


def check_port(host: str, port: int) -> None:
    """Refuse, before any output, a ``--host`` that is not an interface here or a taken port."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as error:
        raise fail(f"--host: cannot resolve {host!r}: {error}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind(address)
        except OSError as error:
            what = "--port" if error.errno == errno.EADDRINUSE else "--host"
            raise fail(
                f"{what}: cannot listen on {host}:{port}: {error.strerror}"
                + ("; choose another --port" if what == "--port" else "")
            ) from None


def main() -> None:
    """Entry point of the ``govlab`` script: usage errors become one line and status 2."""
    try:
        code = app(standalone_mode=False)
    except TyperException as error:
        message = error.format_message()
        if not message:  # no arguments: the help was printed
            raise SystemExit(2) from None
        raise SystemExit(fail(message).exit_code) from None
    except typer.Abort:
        raise SystemExit(130) from None
    except ModuleNotFoundError as error:  # an optional part (pyproject's extras) not installed
        from govlab.experiments.defaults import EXTRA_OF_MODULE

        extra = EXTRA_OF_MODULE.get((error.name or "").partition(".")[0])
        if extra is None:
            raise
        install = f"pip install 'govlab[{extra}]'"
        message = f"this needs {error.name!r}, part of the {extra!r} extra: {install}"
        raise SystemExit(fail(message).exit_code) from None
    from govlab.experiments.orphans import terminated

    if code == 130 and terminated.is_set():  # Typer's status for an interrupt; SIGTERM is 143
        code = 143
    sys.exit(code if isinstance(code, int) else 0)


# Batch experiments (issue 4): batch, compare, sensitivity, report.
from govlab.experiments.batch_cli import register as _register_batch  # noqa: E402

_register_batch(app)

# The delay window's warm-up (issue 11 §6): MSER-5 on pilot runs.
from govlab.experiments.warmup_cli import register as _register_warmup  # noqa: E402

_register_warmup(app)

# Exploratory modelling (issue 14): discover, optimise.
from govlab.experiments.exploration_cli import register as _register_exploration  # noqa: E402

_register_exploration(app)

# Export of a stored experiment as CSV or Parquet (issue 19 item 6).
from govlab.experiments.export_cli import register as _register_export  # noqa: E402

_register_export(app)

# A run's per-visit event log as CSV, XES and OCEL 2.0 (issue 21 item 3).
from govlab.experiments.log_cli import register as _register_log  # noqa: E402

_register_log(app)

# Calibration to observed figures and prediction of reforms (issue 22).
from govlab.experiments.calibrate_cli import register as _register_calibrate  # noqa: E402

_register_calibrate(app)

# A draft service catalogue discovered from an event log (issue 21 item 4).
from govlab.experiments.catalogue_cli import register as _register_catalogue  # noqa: E402

_register_catalogue(app)

# Pilot evaluation: difference-in-differences against the true effect (issue 23 item 2).
from govlab.experiments.pilot_cli import register as _register_pilot  # noqa: E402

_register_pilot(app)

# The robustness of a package over an uncertainty ensemble (issue 23 item 4).
from govlab.experiments.robust_cli import register as _register_robust  # noqa: E402

_register_robust(app)
