"""The ``govlab log`` command: one run's per-visit event log as CSV, XES and OCEL 2.0 (pm4py).

``register(app)`` adds it to the Typer app of ``experiments.cli``. The run is ``govlab run``'s
(scenario, ``--days``, ``--seed``, ``--set``) with ``collect_visits=True``; the log holds the
cases opened in those days, each followed to its end by the run-out; ``results.eventlog`` names
the events and writes the files (``visits.csv``, ``log.xes``, ``log.ocel.json``) into ``--out``.
User mistakes (unknown scenario, bad ``--set``, an ``--out`` that cannot be written) are one line
on stderr with status 2 and nothing written; without pm4py, the one line names the ``logs`` extra.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

LOG_DAYS = 60  # a log's default length: ~14,500 events of the silo world, written in ~5 s
stderr = Console(stderr=True)


def log(
    scenario: Annotated[str, typer.Argument(help="scenario name (see `govlab scenarios`) or file")],
    out: Annotated[Path, typer.Option("--out", help="output folder (created if needed)")],
    days: Annotated[int, typer.Option(min=1, max=100_000, help="working days to simulate")] = (
        LOG_DAYS
    ),
    seed: Annotated[int, typer.Option(min=0, help="seed of the model's random generator")] = 1,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="override a parameter: dotted.path=value (repeatable)"),
    ] = None,
) -> None:
    """Simulate one run and write every case's visits as an event log: CSV, XES and OCEL 2.0."""
    from govlab.experiments.cli import fail, scenario_with_sets

    loaded = scenario_with_sets(scenario, set_)
    if out.exists() and not out.is_dir():
        raise fail(f"--out: {out} is a file, not a folder")
    from govlab.results.eventlog import event_frame, load_pm4py, write_logs

    load_pm4py()  # missing: experiments.cli.main names the extra (nothing written)
    from govlab.model import GovernanceModel

    model = GovernanceModel(loaded, rng=seed, collect=False, collect_visits=True)
    for _ in range(days):
        model.step()
    # The cases opened in the run's days, each followed to its end by the run-out (whose own new
    # arrivals keep the offices as busy as they were, and are left out of the log).
    end = model.run_out()
    frame = event_frame(model, cases=end.opened)
    try:
        paths = write_logs(frame, out)
    except OSError as error:
        reason = error.strerror or str(error)
        raise fail(f"--out: cannot write the log to {out}: {reason}") from None
    cases = frame["case:concept:name"].nunique()
    if end.runout_open_cases:
        stderr.print(
            f"govlab: warning: {end.runout_open_cases} cases were still open when the run-out "
            f"stopped after {end.runout_days} days (world.runout_cap_days): their traces end early",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    stderr.print(
        f"{loaded.name}: {len(frame)} events of {cases} cases, {days} days, seed {seed}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    for path in paths.values():
        print(path)


def register(app: typer.Typer) -> None:
    """Add ``log`` to the ``govlab`` app."""
    app.command()(log)
