"""The ``govlab log`` command: one run's per-visit event log as CSV, XES and OCEL 2.0 (pm4py).

``register(app)`` adds it to the Typer app of ``experiments.cli``. The run is ``govlab run``'s
(scenario, ``--days``, ``--seed``, ``--set``) with ``collect_visits=True``, or a run stored in the
results store (``--experiment`` with ``--seed`` or ``--replication``, and ``--point``; ``--db``):
SCENARIO is then the run's scenario label, and the run is simulated again from its resolved
scenario, seed and days (``experiments.stored_run``), so its log equals ``govlab log`` of the same
scenario, seed and days. The log holds the cases opened in the run's days, each followed to its
end by the run-out; ``results.eventlog`` names the events and writes the files (``visits.csv``,
``log.xes``, ``log.ocel.json``) into ``--out``. User mistakes (unknown scenario, bad ``--set``,
an ``--out`` that cannot be written, a stored run not found) are one line on stderr with status 2
and nothing written; without pm4py, the one line names the ``logs`` extra.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from govlab.experiments.store_option import DbOption, open_store, store_errors

LOG_DAYS = 60  # a log's default length: ~14,500 events of the silo world, written in ~5 s
stderr = Console(stderr=True)


def _say(text: str) -> None:
    stderr.print(text, markup=False, highlight=False, soft_wrap=True)


@store_errors
def log(
    scenario: Annotated[
        str,
        typer.Argument(
            help="scenario name (see `govlab scenarios`) or file; with --experiment, the stored "
            "run's scenario label"
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="output folder (created if needed)")],
    days: Annotated[
        int | None,
        typer.Option(min=1, max=100_000, help=f"working days to simulate [default: {LOG_DAYS}]"),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="seed of the model's random generator [default: 1]; with "
            "--experiment, the stored run's seed",
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="override a parameter: dotted.path=value (repeatable)"),
    ] = None,
    experiment: Annotated[
        str | None,
        typer.Option(help="log a run stored in the results store: its experiment (name or file)"),
    ] = None,
    replication: Annotated[
        int | None,
        typer.Option(min=0, help="with --experiment: the stored run's replication (or --seed)"),
    ] = None,
    point: Annotated[
        int, typer.Option(min=0, help="with --experiment: the stored run's design point")
    ] = 0,
    db: DbOption = None,
) -> None:
    """Simulate one run and write every case's visits as an event log: CSV, XES and OCEL 2.0."""
    from govlab.experiments.cli import fail, scenario_with_sets

    if experiment is None:
        for name, given in (("--replication", replication is not None), ("--point", point != 0),
                            ("--db", db is not None)):  # fmt: skip
            if given:
                raise fail(f"{name}: only with --experiment (a stored run)")
        loaded = scenario_with_sets(scenario, set_)
        seed, days = (1 if seed is None else seed), (LOG_DAYS if days is None else days)
    else:
        if set_ or days is not None:
            which = "--set" if set_ else "--days"
            raise fail(f"{which}: a stored run fixes its scenario and days (--experiment)")
        from govlab.experiments.stored_run import find_run
        from govlab.results.provenance import model_version

        store = open_store(db)
        try:
            run = find_run(store, experiment, scenario, seed, replication, point)
        finally:
            store.close()
        loaded, seed, days = run.scenario, run.seed, run.days
        if run.model_version and run.model_version != model_version():
            _say(f"govlab: note: run {run.key} was stored by model version "
                 f"{run.model_version[:12]}; it is simulated again with this code "
                 f"({model_version()[:12]})")  # fmt: skip
    if out.exists() and not out.is_dir():
        raise fail(f"--out: {out} is a file, not a folder")
    from govlab.results.eventlog import load_pm4py

    load_pm4py()  # missing: experiments.cli.main names the extra (nothing written)
    frame, end = simulate_log(loaded, seed, days)
    from govlab.results.eventlog import write_logs

    try:
        paths = write_logs(frame, out)
    except OSError as error:
        reason = error.strerror or str(error)
        raise fail(f"--out: cannot write the log to {out}: {reason}") from None
    cases = frame["case:concept:name"].nunique()
    if end.runout_open_cases:
        _say(f"govlab: warning: {end.runout_open_cases} cases were still open when the run-out "
             f"stopped after {end.runout_days} days (world.runout_cap_days): their traces end "
             "early")  # fmt: skip
    _say(f"{loaded.name}: {len(frame)} events of {cases} cases, {days} days, seed {seed}")
    for path in paths.values():
        print(path)


def simulate_log(scenario, seed: int, days: int):
    """The event frame of one run with visits kept (``results.eventlog.event_frame``: the cases
    opened in ``days``, each followed to its end by the run-out) and the run-out's outcome."""
    from govlab.model import GovernanceModel
    from govlab.results.eventlog import event_frame

    model = GovernanceModel(scenario, rng=seed, collect=False, collect_visits=True)
    for _ in range(days):
        model.step()
    # The cases opened in the run's days, each followed to its end by the run-out (whose own new
    # arrivals keep the offices as busy as they were, and are left out of the log).
    end = model.run_out()
    return event_frame(model, cases=end.opened), end


def register(app: typer.Typer) -> None:
    """Add ``log`` to the ``govlab`` app."""
    app.command()(log)
