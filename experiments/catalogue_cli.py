"""The ``govlab catalogue`` command: a draft service catalogue discovered from an event log.

``register(app)`` adds it to the Typer app of ``experiments.cli``. ``--from-log`` is a CSV or XES
log in the columns ``results.logread`` documents (``govlab log`` writes them); ``--out`` the draft,
a scenario file in the catalogue's format (``results.draft_catalogue``), with its per-step fits
beside it (``<name>.fits.csv``) and their goodness-of-fit figure (``<name>.fits.png``). The draft
is checked by loading it as a scenario before anything is written; the three files are written
whole or not at all. User mistakes (a missing or unreadable log, a column missing or holding a
value not allowed, an ``--out`` that cannot be written) are one line on stderr with status 2.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

stderr = Console(stderr=True)


def _say(text: str) -> None:
    stderr.print(text, markup=False, highlight=False, soft_wrap=True)


def catalogue(
    from_log: Annotated[
        Path, typer.Option("--from-log", help="event log: .csv or .xes (columns: see README)")
    ],
    out: Annotated[Path, typer.Option("--out", help="the draft catalogue to write (.toml)")],
    days: Annotated[
        float | None,
        typer.Option(
            min=0.001,
            help="working days the log covers [default: whole days from "
            "its first arrival to its last]",
        ),
    ] = None,
    hours_per_day: Annotated[
        float, typer.Option(min=0.1, max=24.0, help="working hours in a day (counter hours)")
    ] = 8.0,
    residents: Annotated[
        int, typer.Option(min=1, max=10_000_000, help="residents the rates are per")
    ] = 40_000,
    enterprises: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="enterprises the rates are per")
    ] = 2_000,
    extends: Annotated[
        str | None,
        typer.Option(help="scenario whose levers and world the draft extends (its `extends`)"),
    ] = None,
    level: Annotated[
        float, typer.Option(min=0.5, max=0.999, help="confidence level of the intervals")
    ] = 0.95,
) -> None:
    """Discover a draft service catalogue from an event log: case types, routes with branch
    probabilities, service-time fits, arrival rates, staff."""
    from govlab.experiments.cli import fail

    if out.suffix != ".toml":
        raise fail(f"--out: {out} is not a .toml file")
    if out.exists() and out.is_dir():
        raise fail(f"--out: {out} is a folder, not a file")
    from govlab.results.branches import estimate, rework_events
    from govlab.results.discovery import discover
    from govlab.results.draft_catalogue import build_draft, fit_table, to_toml
    from govlab.results.logread import LogError, read_event_log

    try:
        events = read_event_log(from_log)
        found = discover(events, days, level)
    except LogError as error:
        raise fail(f"--from-log: {error}") from None
    rework = rework_events(events)
    routing = {name: estimate(case_type, rework) for name, case_type in found.case_types.items()}
    draft = build_draft(found, routing, hours_per_day, residents, enterprises, out.stem)
    header = [
        f"Draft service catalogue discovered by `govlab catalogue --from-log {from_log.name}`",
        f"on {datetime.now(UTC):%Y-%m-%d}: {len(events)} events of "
        f"{events['case'].nunique()} cases over {found.days:g} working days; intervals "
        f"{level:.0%} (branches: Clopper-Pearson {0.99:.0%}).",
        f"Fits: {out.stem}.fits.csv, Q-Q plots: {out.stem}.fits.png. A draft: read it, name",
        "the steps, add documents, levers and world (or --extends a scenario) before use.",
        *(note for found_routing in routing.values() for note in found_routing.notes),
        *found.notes,
    ]
    text = to_toml(draft, header, extends)
    _write(out, text, draft, fit_table(draft))
    shape = draft.shape.family
    if shape == "lognormal":
        shape += f" (cv {draft.shape.cv:.2f})"
    steps = sum(len(c.steps) for c in found.case_types.values())
    _say(f"{len(found.case_types)} case types, {steps} steps, {len(found.stations)} stations; "
         f"service times {shape}")  # fmt: skip
    for path in (out, *_beside(out)):
        print(path)


def _beside(out: Path) -> tuple[Path, Path]:
    return out.with_name(f"{out.stem}.fits.csv"), out.with_name(f"{out.stem}.fits.png")


def _write(out: Path, text: str, draft, rows: list[dict]) -> None:
    """Check the draft loads as a scenario, then write the three files whole or not at all."""
    import pandas as pd

    from govlab.experiments.cli import fail
    from govlab.results.servicefits import fit_figure
    from govlab.scenarios import ScenarioError, load_scenario

    table, figure = _beside(out)
    paths = (out, table, figure)
    partial = [path.with_name(f".partial-{path.name}") for path in paths]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial[0].write_text(text, encoding="utf-8")
        try:
            load_scenario(partial[0])
        except ScenarioError as error:
            raise fail(f"--out: the draft is not a valid scenario: {error}") from None
        pd.DataFrame(rows).to_csv(partial[1], index=False)
        panels = [(f"{c}\n{s} ({k})", sample, fit) for c, s, k, sample, fit in draft.fits]
        fit_figure(panels, draft.shape, partial[2])
        for done, path in zip(partial, paths, strict=True):
            os.replace(done, path)
    except OSError as error:
        raise fail(f"--out: cannot write {out}: {error.strerror or error}") from None
    finally:
        for path in partial:
            path.unlink(missing_ok=True)


def register(app: typer.Typer) -> None:
    """Add ``catalogue`` to the ``govlab`` app."""
    app.command()(catalogue)
