"""The ``govlab export`` command: a stored experiment's runs, series and cases as CSV or Parquet.

``register(app)`` adds it to the Typer app of ``experiments.cli``. The experiment is a file or a
stored name, as for ``compare``; the files go to ``results/exports/<name>/`` unless ``--out``
says otherwise (``results.export`` writes them, whole or not at all). User mistakes (unknown
experiment, bad ``--format``, an ``--out`` that cannot be written) are one line on stderr with
status 2 and nothing written; Parquet without pyarrow names the extra to install.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from govlab.experiments.store_option import (
    DbOption,
    _fail,
    experiment_name,
    load_stored,
    open_store,
    store_errors,
)

FORMATS = ("csv", "parquet")  # as results.export.FORMATS, without importing pandas for --help
stderr = Console(stderr=True)


def resolved_columns(data) -> tuple[dict[int, dict[str, Any]], list[str]]:
    """Each run's warm-up and ``levers.<name>`` values (runs whose scenario could not be
    resolved again are left out), and notes saying which."""
    from govlab.experiments.resolved import run_scenarios

    scenarios, notes = run_scenarios(data)
    columns = {
        run_id: {
            "warmup_days": scenario.world.warmup_days,
            **{f"levers.{k}": v for k, v in scenario.levers.model_dump(mode="json").items()},
        }
        for run_id, scenario in scenarios.items()
    }
    return columns, notes


def delay_window(data, resolved: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Which cases the per-case metrics cover, per scenario label."""
    warmups: dict[str, set] = {}
    for run_id, label in zip(data.runs["id"], data.runs["label"], strict=True):
        if int(run_id) in resolved:
            warmups.setdefault(label, set()).add(resolved[int(run_id)]["warmup_days"])
    return {
        "days": data.spec.get("days"),
        "warmup_days": {label: sorted(values) for label, values in warmups.items()},
        "meaning": "delay, trip and other per-case metrics cover the cases that arrive in the "
        "window [warmup_days, days) of working days of each run (columns warmup_days and days "
        "of the runs table); civic means are over the days after the warm-up",
    }


def experiment_entry(data) -> dict[str, Any]:
    """What the manifest says of the experiment."""
    spec, design = data.spec, data.experiment.design
    return {
        "name": data.experiment.name,
        "description": spec.get("description", ""),
        "source": data.experiment.source,
        "created_at": data.experiment.created_at,
        "scenarios": data.labels if "scenarios" in spec else sorted(set(data.runs["label"])),
        "baseline": data.baseline if "scenarios" in spec else None,
        "replications": spec.get("replications"),
        "days": spec.get("days"),
        "seed": spec.get("seed"),
        "design": design.get("method"),
        "design_points": len(design.get("points") or []),
        "keep": spec.get("keep"),
    }


def export(
    experiment: Annotated[str, typer.Argument(help="experiment file or stored name")],
    format_: Annotated[str, typer.Option("--format", help=" | ".join(FORMATS))],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="output folder [default: results/exports/NAME]"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write a stored experiment's runs (levers, design values, every metric), daily series and
    sampled cases as CSV or Parquet files, with a manifest of columns and units."""
    if format_ not in FORMATS:
        raise _fail(f"--format: {format_!r} is not one of {' | '.join(FORMATS)}")
    if format_ == "parquet":
        import pyarrow  # noqa: F401  (missing: experiments.cli.main names the extra)

    from govlab import __version__
    from govlab.results import export as files

    name = experiment_name(experiment)  # a bad file is refused before the store is opened
    store = open_store(db)
    try:
        data = load_stored(store, name)
        out = out if out is not None else Path("results", "exports", data.experiment.name)
        resolved, notes = resolved_columns(data)
        manifest = {
            "govlab_version": __version__,
            "experiment": experiment_entry(data),
            "store": store.safe_url,
            "delay_window": delay_window(data, resolved),
            "notes": notes,
        }

        def runs(table: files.TableFile) -> dict[str, Any]:
            frame = files.runs_table(data, resolved)
            table.write(frame)
            return {"one row per": "run", "columns": files.run_column_info(list(frame.columns))}

        def series(table: files.TableFile) -> dict[str, Any]:
            names: set[str] = set()
            for chunk in files.series_chunks(store, data):
                table.write(chunk)
                names.update(chunk["series"].unique())
            return {"one row per": "run, series and day", **files.series_info(sorted(names))}

        def cases(table: files.TableFile) -> dict[str, Any]:
            for chunk in files.case_chunks(store, data):
                table.write(chunk)
            return {"one row per": "sampled completed case", "columns": files.case_info(
                table.columns)}  # fmt: skip

        try:
            written = files.write_export(
                out, format_, {"runs": runs, "series": series, "cases": cases}, manifest
            )
        except files.ExportError as error:
            raise _fail(str(error)) from None
        except OSError as error:
            reason = error.strerror or str(error)
            raise _fail(f"--out: cannot write the export to {out}: {reason}") from None
    finally:
        store.close()
    counts = ", ".join(f"{entry['table']}: {entry['rows']} rows"
                       for entry in written["files"].values())  # fmt: skip
    for note in notes:
        stderr.print(f"govlab: note: {note}", markup=False, highlight=False, soft_wrap=True)
    stderr.print(
        f"{data.experiment.name}: {counts} ({format_})",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    print(out)


def register(app: typer.Typer) -> None:
    """Add ``export`` to the ``govlab`` app."""
    app.command()(store_errors(export))
