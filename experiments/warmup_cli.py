"""``govlab warmup``: choose the delay window's warm-up by MSER-5 on pilot runs (re-runnable).

For each scenario, ``replications`` pilot runs of ``days`` days (seeds from the root seed, as in a
batch) give the mean delay of the cases arriving on each day; arrival days near the end are left
out (``--margin`` days, so that the long cases of the last analysed days have finished). MSER-5
(``results.warmup``) is applied to the mean over replications of that series, and to each
replication's own series (median and largest reported). The recommended warm-up is the largest
truncation over the scenarios, rounded up to 10 days: the value to set as ``world.warmup_days``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from govlab.experiments.seeds import replication_seeds
from govlab.results.warmup import arrival_day_means, mser

LADDER = ["silo", "front_desk", "data_sharing", "parallel", "seamless", "smart"]


def pilot_series(scenario, seed: int, days: int, analysed: int) -> np.ndarray:
    """Mean delay by arrival day ``0..analysed-1`` of one pilot run of ``days`` days."""
    from govlab.model import GovernanceModel
    from govlab.model.metrics import case_table

    model = GovernanceModel(scenario, rng=seed)
    for _ in range(days):
        model.step()
    table = case_table(model.journeys.records)
    return arrival_day_means(table["arrival_day"], table["delay_days"], analysed)


def analyse_scenario(scenario, seeds: list[int], days: int, margin: int) -> dict:
    """MSER-5 of one scenario's pilot runs: on the replication mean and per replication."""
    analysed = days - margin
    runs = np.vstack([pilot_series(scenario, seed, days, analysed) for seed in seeds])
    mean_series = np.nanmean(runs, axis=0)
    pooled = mser(mean_series)
    each = [mser(row).days for row in runs]
    return {
        "scenario": scenario.name,
        "warmup_days": pooled.days,
        "conclusive": pooled.conclusive,
        "per_replication_median_days": float(np.median(each)),
        "per_replication_max_days": int(max(each)),
        "replications": len(seeds),
        "pilot_days": days,
        "analysed_arrival_days": analysed,
        "steady_mean_delay_days": float(np.nanmean(mean_series[pooled.days :])),
        "first_10_days_mean_delay_days": float(np.nanmean(mean_series[:10])),
        "series": mean_series,
    }


def recommend(rows: list[dict]) -> int:
    """The largest MSER-5 truncation over the scenarios (replication means), up to 10 days."""
    return int(10 * math.ceil(max(r["warmup_days"] for r in rows) / 10))


def warmup(
    scenarios: Annotated[
        list[str] | None, typer.Argument(help="scenarios [default: the ladder silo .. smart]")
    ] = None,
    replications: Annotated[int, typer.Option(min=2, help="pilot runs per scenario")] = 10,
    days: Annotated[int, typer.Option(min=40, help="days per pilot run")] = 400,
    margin: Annotated[
        int, typer.Option(min=0, help="last arrival days left out (cases still open)")
    ] = 100,
    seed: Annotated[int, typer.Option(min=0, help="root seed of the pilot replications")] = 97,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    figure: Annotated[
        Path | None, typer.Option(help="write a PNG of the pilot series and the cuts")
    ] = None,
) -> None:
    """Choose the delay window's warm-up by MSER-5 on pilot runs (mean delay by arrival day)."""
    from govlab.experiments.cli import fail
    from govlab.scenarios import ScenarioError, load_scenario

    if margin >= days - 20:
        raise fail(f"--margin: {margin} leaves fewer than 20 of {days} days to analyse")
    seeds = replication_seeds(seed, replications)
    rows = []
    for name in scenarios or LADDER:
        try:
            loaded = load_scenario(name)
        except ScenarioError as error:
            raise fail(str(error)) from None
        rows.append(analyse_scenario(loaded, seeds, days, margin))
    chosen = recommend(rows)
    if figure is not None:
        from govlab.results.figures import png, warmup_series

        fig = warmup_series(
            {r["scenario"]: r["series"] for r in rows},
            {r["scenario"]: r["warmup_days"] for r in rows},
        )
        figure.write_bytes(png(fig))
    series = {
        r["scenario"]: [round(float(v), 4) if np.isfinite(v) else None for v in r.pop("series")]
        for r in rows
    }
    if as_json:
        result = {"recommended_warmup_days": chosen, "scenarios": rows, "series": series}
        print(json.dumps(result, indent=1))
        return
    table = Table(
        title=f"MSER-5 warm-up: {replications} pilots × {days} days, arrival days "
        f"0..{days - margin - 1} (seed {seed})",
        title_justify="left",
    )
    for column in ("scenario", "MSER-5 (mean series)", "per run: median", "max", "steady delay"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for r in rows:
        flag = "" if r["conclusive"] else " (edge: run longer)"
        table.add_row(
            r["scenario"],
            f"{r['warmup_days']} d{flag}",
            f"{r['per_replication_median_days']:.0f} d",
            f"{r['per_replication_max_days']} d",
            f"{r['steady_mean_delay_days']:.2f} d",
        )
    console = Console(width=120)
    console.print(table)
    console.print(f"recommended world.warmup_days = {chosen} (largest, rounded up to 10 days)")


def register(app: typer.Typer) -> None:
    """Add ``warmup`` to the ``govlab`` app."""
    app.command()(warmup)
