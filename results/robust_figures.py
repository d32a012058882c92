"""Figures of ``govlab robust`` (issue 23 §4): regret by package, the package's outcome in each
world, and the daily delay over time.

Colours come from ``results.palette`` (a scenario keeps its colour; a search's packages take the
spare colours by position), metric names and units from ``results.names``; the report writes
them at its 200 dpi (``results.figures.png``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govlab.results.names import metric_label
from govlab.results.palette import scenario_colour

OTHER = "#bbbbbb"


def outcome_label(name: str, units: dict[str, str]) -> str:
    """A metric's or a series outcome's label with its unit."""
    if name in units:
        return f"{name.replace('_', ' ')} [{units[name]}]"
    return metric_label(name, "en")


def colours(labels: list[str], package: str, baseline: str) -> dict[str, str]:
    """The package and the baseline in their own colours (a scenario's from the palette, a
    search's package the palette's teal), the rivals light grey."""
    out = {label: OTHER for label in labels}
    out[baseline] = scenario_colour(baseline, 0)
    out[package] = scenario_colour(package, 1)
    return out


def scaled(metric: str, units: dict[str, str]) -> tuple[float, str]:
    """A divisor and the axis label for ``metric``: yuan in millions."""
    label = outcome_label(metric, units)
    if "[yuan" in label:
        return 1e6, label.replace("[yuan", "[million yuan")
    return 1.0, label


def regret_figure(
    summary: pd.DataFrame, objectives: list[str], package: str, baseline: str, units: dict[str, str]
) -> Figure:
    """Per objective, every package's mean regret (dot) and maximum regret (bar end) over the
    worlds, sorted by the first objective's mean regret; the package and baseline coloured."""
    order = summary.sort_values(f"{objectives[0]}_mean_regret", ascending=False).index
    colour = colours(list(order), package, baseline)
    height = 0.2 * len(order) + 1.6
    fig = Figure(figsize=(3.4 * len(objectives) + 1.4, height), layout="constrained")
    axes = fig.subplots(1, len(objectives), sharey=True, squeeze=False)[0]
    y = np.arange(len(order))
    for ax, metric in zip(axes, objectives, strict=True):
        divisor, label = scaled(metric, units)
        mean = summary.loc[order, f"{metric}_mean_regret"].to_numpy(dtype=float) / divisor
        worst = summary.loc[order, f"{metric}_max_regret"].to_numpy(dtype=float) / divisor
        c = [colour[label] for label in order]
        ax.hlines(y, 0, worst, colors=c, lw=1.5)
        ax.scatter(mean, y, c=c, s=22, zorder=3, label="mean over worlds")
        ax.scatter(worst, y, c=c, marker="|", s=60, zorder=3, label="maximum")
        ax.set_xlabel(f"regret: {label}", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    names = [f"{label} (package)" if label == package else label for label in order]
    axes[0].set_yticks(y, names, fontsize=7)
    axes[0].set_ylabel("package")
    axes[0].legend(fontsize=7, loc="lower right")
    fig.suptitle("Regret against the best package in each world", fontsize=10)
    return fig


def worlds_figure(
    table: pd.DataFrame,
    target,
    threshold: float,
    uncertainty: str,
    axis_label: str,
    units: dict[str, str],
) -> Figure:
    """The package's target outcome in each world against one uncertainty; misses in red."""
    fig = Figure(figsize=(5.6, 3.8), layout="constrained")
    ax = fig.add_subplot()
    values = table[target.label].to_numpy(dtype=float)
    met = table[f"meets_{target.label}"].fillna(False).to_numpy(dtype=bool)
    x = table[uncertainty].to_numpy(dtype=float)
    scale = 100.0 if target.relative_at_most is not None else 1.0
    ax.scatter(x[met], values[met] * scale, s=20, color="#0072b2", label="meets the target")
    ax.scatter(x[~met], values[~met] * scale, s=24, color="#d55e00", marker="x", label="misses")
    ax.axhline(threshold * scale, color="#000000", ls="--", lw=1, label="target")
    ax.set_xlabel(axis_label)
    if target.relative_at_most is not None:
        name = outcome_label(target.metric, units).split(" [")[0]
        ax.set_ylabel(f"change of {name} vs baseline [%]")
    else:
        ax.set_ylabel(outcome_label(target.metric, units))
    ax.set_title(f"The package in each world; target: {target.words}", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def series_figure(
    series: pd.DataFrame,
    labels: list[str],
    package: str,
    baseline: str,
    warmup_days: int,
    thresholds: list[float],
    window_days: int = 10,
) -> Figure:
    """The daily mean delay (trailing ``window_days`` rolling mean) of the package, the
    baseline and the rival with least regret: the median over worlds and replications with
    the band of the middle 80%."""
    fig = Figure(figsize=(6.4, 3.9), layout="constrained")
    ax = fig.add_subplot()
    colour = colours(labels, package, baseline)
    rivals = [label for label in labels if label not in (package, baseline)]
    colour.update({label: scenario_colour(label, 0) for label in rivals})
    for label in labels:
        part = series[series["label"] == label]
        if part["value"].isna().all():
            continue
        table = part.pivot(index="day", columns=["point", "replication"], values="value")
        table = table.astype(float).rolling(window_days, min_periods=1).mean()
        low, mid, high = (table.quantile(q, axis=1) for q in (0.1, 0.5, 0.9))
        name = {package: f"{label} (package)", baseline: f"{label} (baseline)"}.get(
            label, f"{label} (least regret on mean delay)"
        )
        ax.plot(mid.index, mid, color=colour[label], lw=1.8, label=name)
        ax.fill_between(mid.index, low, high, color=colour[label], alpha=0.15, lw=0)
    ax.axvline(warmup_days, color="#000000", ls=":", lw=1, label="end of warm-up")
    for value in thresholds:
        ax.axhline(value, color="#d55e00", ls="--", lw=1, label=f"threshold {value:g}")
    ax.set_xlabel("working day [days]")
    ax.set_ylabel(f"mean delay, {window_days}-day rolling [working days]")
    ax.set_title("Daily mean delay of completed cases (median, 10–90% of worlds)", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return fig
