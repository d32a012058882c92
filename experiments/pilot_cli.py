"""The ``govlab pilot`` command (issue 23 item 2): evaluate a staged roll-out's pilot as a field
evaluator would, against the true city-wide effect the lab knows.

``govlab pilot SCENARIO`` reads the pilot from the scenario's ``[[schedule]]``
(``experiments.pilot_runs``), runs its three arms with paired seeds through the executor and the
store (resumable: ``pilot:<name>``), and writes to ``--out`` the event-study figure
(``event_study.png``), the estimates per seed (``estimates.csv``) and everything with intervals
(``pilot.json``) (``results.pilot``). Bad input (no schedule, no pilot, a district or day outside
the world or run, a window that does not fit) is one line on stderr, status 2, before the store is
opened: nothing is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from govlab.experiments.batch_cli import (
    ChunkOption,
    ExecutorOption,
    SchedulerOption,
    WorkersOption,
    _fail,
    check_executor,
)
from govlab.experiments.defaults import DEFAULT_DAYS
from govlab.experiments.store_option import DbOption, open_store, store_errors

stderr = Console(stderr=True)
TERM_LINES = (  # term, sign in the bias, what it is
    ("unrepresentative", "+", "pilot district's own effect (everywhere run) − city's"),
    ("pilot_alone", "+", "pilot district alone − with everyone (pilot − everywhere run)"),
    ("spillover", "−", "spill-over on the other districts (pilot − nowhere run)"),
    ("trends", "+", "trends without reform (DiD of the nowhere run)"),
    ("pre_difference", "−", "pre-period moved by the pilot"),
)
UNITS = {"delay_days": "mean delay, working days", "trips": "trips per case"}


def _say(text: str) -> None:
    stderr.print(text, markup=False, highlight=False, soft_wrap=True)


def pilot(
    scenario: Annotated[
        str, typer.Argument(help="scenario (name or file) with a \\[\\[schedule]] pilot")
    ],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="override a parameter: dotted.path=value (repeatable)"),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(min=1, max=100_000, help="working days [default: the roll-out day, else 400]"),
    ] = None,
    replications: Annotated[int, typer.Option(min=2, max=10_000, help="paired seeds")] = 10,
    seed: Annotated[int, typer.Option(min=0, max=2**63 - 1, help="root seed")] = 20240601,
    window_days: Annotated[
        int, typer.Option(min=1, max=10_000, help="window of arrival days; days")
    ] = 25,
    pre_days: Annotated[
        int | None,
        typer.Option(min=1, max=100_000, help="days before the pilot [default: as after it]"),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="name in the store: pilot:<name> [default: the scenario]")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="output folder [default: results/pilot/<name>]")
    ] = None,
    db: DbOption = None,
    executor: ExecutorOption = "processes",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    chunk_size: ChunkOption = None,
    fresh: Annotated[bool, typer.Option(help="delete the stored runs of this pilot")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print pilot.json")] = False,
) -> None:
    """Difference-in-differences of a pilot vs the other districts, with an event study, against
    the true city-wide effect (same seeds, reform everywhere and nowhere); the bias taken apart."""
    from govlab.experiments.cli import scenario_with_sets
    from govlab.experiments.pilot_runs import PilotError, arms, check_days, pilot_of

    loaded = scenario_with_sets(scenario, set_)
    label = name or Path(scenario).stem
    try:
        found = pilot_of(loaded, scenario)
        days = days or found.ends or DEFAULT_DAYS
        windows = check_days(found, days, window_days, pre_days)
    except PilotError as error:
        raise _fail(str(error)) from None
    check_executor(executor, scheduler)
    folder = out or Path("results/pilot") / label
    if folder.exists() and not folder.is_dir():
        raise _fail(f"--out: {folder} is a file, not a folder")
    scenarios = arms(loaded, found)
    summary = _evaluate(
        scenarios, found, windows, label, days, seed, replications, db,
        (executor, workers, scheduler, chunk_size), fresh, scenario,
    )  # fmt: skip
    summary["scenario"] = loaded.name
    _write(folder, summary, loaded.name, windows, found.districts)
    if as_json:
        print(json.dumps(_public(summary), indent=1))
    else:
        _print(summary, folder)


def _evaluate(scenarios, found, windows, label, days, seed, replications, db, run_on, fresh,
              source) -> dict[str, Any]:  # fmt: skip
    """Run (or resume) the arms, read them back, and estimate."""
    from govlab.experiments.executors import make_executor
    from govlab.experiments.pilot_runs import PilotError, read_panels, run_arms
    from govlab.results import pilot as estimates
    from govlab.results.store import StoreError

    store = open_store(db)
    runner, interrupted = None, False
    name = f"pilot:{label}"

    def banner(total: int, todo: int) -> None:
        _say(f"{name}: 3 arms × {replications} seeds, {days} days ({total - todo} of {total} "
             f"runs stored); store {store.safe_url}; executor {run_on[0]}")  # fmt: skip

    try:
        try:
            runner = make_executor(*run_on)
        except (OSError, ValueError) as error:
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise _fail(f"--executor: cannot start the {run_on[0]} executor: {first}") from None
        experiment_id, simulated = run_arms(
            store, name, scenarios, days, seed, replications, runner, fresh, str(source), banner
        )
        panels, capped = read_panels(store, experiment_id, scenarios, days, replications)
    except (PilotError, StoreError) as error:
        raise _fail(str(error)) from None
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: stop the pool; the stored runs are kept
        interrupted = True
        raise
    finally:
        if runner is not None:
            runner.close(abort=interrupted)
        store.close()
    outcomes = {}
    for outcome, seeds in panels.items():
        per_seed = [estimates.seed_estimates(arms, found.districts, windows) for arms in seeds]
        outcomes[outcome] = {"summary": estimates.summarise(per_seed), "per_seed": per_seed}
    if capped:
        _say(f"govlab: warning: {name}: {capped} run(s) ended their run-out with window cases "
             "still open; their delays are understated")  # fmt: skip
    return {
        "name": name,
        "pilot": {"day": found.day, "districts": list(found.districts), "levers": found.levers,
                  "phase_ends": found.ends},
        "days": days,
        "seed": seed,
        "replications": replications,
        "windows": {"length_days": windows.length, "pre": windows.pre, "post": windows.post,
                    "start_day": windows.start, "end_day": windows.end},
        "runs_simulated": simulated,
        "runs_capped": capped,
        "outcomes": outcomes,
    }  # fmt: skip


def _public(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary without per-seed arrays (what pilot.json holds)."""
    result = {key: value for key, value in summary.items() if key != "outcomes"}
    result["outcomes"] = {name: part["summary"] for name, part in summary["outcomes"].items()}
    return result


def _write(folder: Path, summary, scenario: str, windows, districts) -> None:
    import pandas as pd

    from govlab.results.pilot_figures import DPI, event_study

    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "pilot.json").write_text(json.dumps(_public(summary), indent=1) + "\n")
        rows = [
            {"outcome": outcome, "replication": r,
             **{k: v for k, v in seed.items() if not hasattr(v, "shape")}}
            for outcome, part in summary["outcomes"].items()
            for r, seed in enumerate(part["per_seed"])
        ]  # fmt: skip
        pd.DataFrame(rows).to_csv(folder / "estimates.csv", index=False)
        figure = event_study(
            {name: part["summary"] for name, part in summary["outcomes"].items()},
            windows, scenario, districts,
        )  # fmt: skip
        figure.savefig(folder / "event_study.png", dpi=DPI)
    except OSError as error:
        raise _fail(f"--out: cannot write to {folder}: {error.strerror or error}") from None


def _pm(interval: dict[str, Any]) -> str:
    mean, low, high = (interval[k] for k in ("mean", "low", "high"))
    if low is None:
        return f"{mean:+.3g}"
    return f"{mean:+.3g} [{low:+.3g}, {high:+.3g}]"


def _print(summary: dict[str, Any], folder: Path) -> None:
    out = Console(soft_wrap=True)

    def say(text: str) -> None:
        out.print(text, markup=False, highlight=False)

    pilot, w = summary["pilot"], summary["windows"]
    where = ", ".join(map(str, pilot["districts"]))
    say(f"{summary['name']}: pilot in district {where} from day {pilot['day']}; "
        f"{w['pre']} window(s) of {w['length_days']} days before it, {w['post']} from it "
        f"(arrival days {w['start_day']}–{w['end_day'] - 1}); {summary['replications']} "
        "paired seeds; mean [95% CI over seeds]")  # fmt: skip
    for outcome, part in summary["outcomes"].items():
        s = part["summary"]
        say(f"{UNITS[outcome]}:")
        say(f"  DiD, pilot vs other districts  {_pm(s['did'])}  (sd over seeds "
            f"{s['did']['sd']:.3g}: one evaluator's spread)")  # fmt: skip
        say(f"  true city-wide effect          {_pm(s['true'])}")
        say(f"  bias, DiD − true               {_pm(s['bias'])} =")
        for term, sign, text in TERM_LINES:
            say(f"    {sign} {term:17s} {_pm(s[term])}  {text}")
    say(f"written to {folder} (event_study.png, estimates.csv, pilot.json)")


def register(app: typer.Typer) -> None:
    """Add ``pilot`` to the ``govlab`` app."""
    app.command()(store_errors(pilot))
