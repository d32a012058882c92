"""Publication figures of an experiment (matplotlib, no pyplot state: safe in scripts and servers).

Every function returns a ``matplotlib.figure.Figure``; in a notebook, display it or call
``fig.savefig("x.png", dpi=200)``. ``figures_for(data, store)`` makes the report's set.

>>> from results import figures, frames, stats
>>> from results.store import Store
>>> data = frames.load(Store(), "silo_vs_seamless")
>>> rows = stats.compare(data.wide, ["delay_mean_days"], data.baseline)
>>> figures.metric_bars(rows, "delay_mean_days")  # doctest: +SKIP
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govlab.results.metric_info import info
from govlab.results.names import (
    metric_label,
    metric_name,
    parameter_name,
    scenario_label,
    words,
)
from govlab.results.palette import scenario_colour
from govlab.results.stats import t_interval
from govlab.viz.fonts import use_bundled_font

use_bundled_font()  # Chinese text draws with the bundled Noto Sans SC (viz/fonts.py), once
SERIES_COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#8172b3")  # non-scenario series (indices)


def colour(label: str, index: int = 0) -> str:
    """The colour of a scenario (or "scenario #point" label): ``results.palette``, the same in
    the report, the results tab and the live panes."""
    return scenario_colour(label, index)


def _label(row: dict[str, Any], multi_point: bool, lang: str = "en") -> str:
    name = scenario_label(row["scenario"], lang)
    return f"{name} #{row['point']}" if multi_point else name


def _err(mean: float | None, low: float | None, high: float | None) -> tuple[float, float]:
    if mean is None or low is None or high is None:
        return 0.0, 0.0
    return mean - low, high - mean


def metric_bars(
    rows: list[dict[str, Any]], metric: str, title: str | None = None, lang: str = "en"
) -> Figure:
    """Bars of one metric's mean per scenario with 95% CI whiskers (rows from ``stats.compare``).

    ``lang="zh"``: title, axis and scenario names in Chinese (``results.names``); English keeps
    the report's code names."""
    chosen = [r for r in rows if r["metric"] == metric and r["mean"] is not None]
    multi = len({r["point"] for r in chosen}) > 1
    labels = list(dict.fromkeys(r["scenario"] for r in chosen))
    fig = Figure(figsize=(max(4.0, 0.9 * len(chosen) + 1.5), 3.4), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(chosen))
    errors = np.array([_err(r["mean"], r["low"], r["high"]) for r in chosen]).T.reshape(2, -1)
    ax.bar(
        x,
        [r["mean"] for r in chosen],
        yerr=errors,
        capsize=4,
        color=[colour(r["scenario"], labels.index(r["scenario"])) for r in chosen],
        edgecolor="black",
        linewidth=0.5,
    )
    ax.set_xticks(x, [_label(r, multi, lang) for r in chosen], rotation=30, ha="right")
    ax.set_ylabel(metric_label(metric, lang))
    name = metric_name(metric, lang)
    ax.set_title(title or words(lang)("{metric}: mean and 95% CI").format(metric=name))
    ax.grid(axis="y", alpha=0.3)
    _floor_at_zero(ax, metric, [r["mean"] for r in chosen])
    return fig


def _floor_at_zero(ax, name: str, values) -> None:
    """Start the y axis at 0 for a quantity that cannot be negative (and is not, here)."""
    data = np.asarray([v for v in values if v is not None], dtype=float)
    data = data[np.isfinite(data)]
    if info(name).nonnegative and (data >= 0).all():
        ax.set_ylim(bottom=0)


def difference_bars(rows: list[dict[str, Any]], metric: str) -> Figure:
    """Paired change vs the baseline with 95% CI, one bar per scenario: percentage points for a
    share, else the relative change in percent (Fieller interval; none drawn when unbounded)."""
    share = any(r.get("share") for r in rows if r["metric"] == metric)
    key = "diff_pp" if share else "relative"
    scale = 1.0 if share else 100.0
    chosen = [r for r in rows if r["metric"] == metric and r.get(key) is not None]
    multi = len({r["point"] for r in chosen}) > 1
    fig = Figure(figsize=(5.5, 0.45 * len(chosen) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(chosen))
    values = [scale * r[key] for r in chosen]
    errors = np.array(
        [
            _err(scale * r[key], scale * r[f"{key}_low"], scale * r[f"{key}_high"])
            if r.get(f"{key}_low") is not None and r.get(f"{key}_high") is not None
            else (0.0, 0.0)
            for r in chosen
        ]
    ).T.reshape(2, -1)
    labels = list(dict.fromkeys([chosen[0]["baseline"]] if chosen else []))
    labels += [r["scenario"] for r in chosen if r["scenario"] not in labels]
    colours = [colour(r["scenario"], labels.index(r["scenario"])) for r in chosen]
    ax.barh(y, values, xerr=errors, capsize=3, color=colours, edgecolor="black", linewidth=0.5)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [_label(r, multi) for r in chosen])
    ax.invert_yaxis()
    baseline = scenario_label(chosen[0]["baseline"], "en") if chosen else "baseline"
    what = "percentage points" if share else "%, Fieller 95% CI"
    ax.set_xlabel(f"change vs {baseline} ({what}), paired by seed")
    ax.set_title(metric_name(metric, "en"))
    ax.grid(axis="x", alpha=0.3)
    return fig


def delay_distribution(cases: pd.DataFrame, labels: list[str]) -> Figure:
    """Empirical CDF of case delay per scenario (``cases`` has ``label`` and ``delay_days``)."""
    fig = Figure(figsize=(6.0, 3.6), layout="constrained")
    ax = fig.add_subplot()
    for index, label in enumerate(labels):
        delays = np.sort(cases.loc[cases["label"] == label, "delay_days"].to_numpy(dtype=float))
        if len(delays) == 0:
            continue
        ax.step(
            np.maximum(delays, 1e-2),
            np.arange(1, len(delays) + 1) / len(delays),
            where="post",
            color=colour(label, index),
            label=f"{scenario_label(label, 'en')} (median {np.median(delays):.2g} d)",
        )
    ax.set_xscale("log")
    ax.set_xlabel("delay from arrival to completion (working days, log scale)")
    ax.set_ylabel("share of cases")
    ax.set_title("Delay distribution (sampled completed cases)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def series_band(
    series: pd.DataFrame,
    labels: list[str],
    name: str,
    smooth_days: int = 1,
    warmup_days: int | None = None,
) -> Figure:
    """A daily series over time: mean across replications with a 95% t band, per scenario.

    The y axis starts at 0 for a quantity that cannot be negative (``metric_info``), and the band
    is clipped there. The warm-up, when given, is shaded.

    Args:
        series: long table with ``label, run_id, day, value`` for one or more series.
        labels: scenarios in display order.
        name: the series to draw.
        smooth_days: rolling mean per run before averaging (1 = none).
        warmup_days: the delay window's start, shaded as warm-up.
    """
    fig = Figure(figsize=(6.5, 3.4), layout="constrained")
    ax = fig.add_subplot()
    chosen = series[series["name"] == name]
    values = pd.to_numeric(chosen["value"], errors="coerce")
    nonnegative = info(name).nonnegative and bool((values.dropna() >= 0).all())
    for index, label in enumerate(labels):
        part = chosen[chosen["label"] == label]
        if part.empty:
            continue
        table = part.pivot_table(index="day", columns="run_id", values="value", aggfunc="mean")
        if smooth_days > 1:
            table = table.rolling(smooth_days, min_periods=1).mean()
        intervals = [t_interval(row) for row in table.to_numpy()]
        mean = np.array([i.mean for i in intervals])
        low = np.array([i.low for i in intervals])
        high = np.array([i.high for i in intervals])
        if nonnegative:
            low = np.maximum(low, 0.0)
        ax.plot(
            table.index,
            mean,
            color=colour(label, index),
            label=scenario_label(label, "en"),
            linewidth=1.2,
        )
        ax.fill_between(table.index, low, high, color=colour(label, index), alpha=0.2, linewidth=0)
    if nonnegative:
        ax.set_ylim(bottom=0)
    if warmup_days:
        ax.axvspan(0, warmup_days, color="#999999", alpha=0.12, linewidth=0)
        ax.axvline(warmup_days, color="#555555", linewidth=0.8, linestyle="--")
        ax.text(warmup_days, 0.02, " warm-up ends", transform=ax.get_xaxis_transform(),
                fontsize=7, va="bottom", color="#555555")  # fmt: skip
    ax.set_xlabel("working day")
    ax.set_ylabel(metric_label(name, "en"))
    suffix = f"; {smooth_days}-day rolling mean" if smooth_days > 1 else ""
    title = f"{metric_name(name, 'en')} (mean, 95% band over replications{suffix})"
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncols=2)
    return fig


def sensitivity_bars(
    rows: list[dict[str, Any]], metric: str, scenario: str | None = None
) -> Figure:
    """Sensitivity indices of one metric per parameter with confidence whiskers.

    Filled bars: indices that clear simulation noise and sampling error; hollow bars: estimates
    noise could explain (not reported); black ticks: the noise floor of the total index.
    """
    chosen = [
        r for r in rows if r["metric"] == metric and (scenario is None or r["scenario"] == scenario)
    ]
    method = chosen[0]["method"] if chosen else "sobol"
    kinds = {"sobol": ["S1", "ST"], "morris": ["mu_star"], "lhs": ["S1"]}[method]
    fig = Figure(figsize=(max(4.5, 1.1 * len(chosen) + 2), 3.4), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(chosen))
    width = 0.8 / len(kinds)
    for k, kind in enumerate(kinds):
        estimates = [r.get(f"{kind}_estimate", r.get(kind)) or 0.0 for r in chosen]
        conf = [r.get(f"{kind}_conf") or 0.0 for r in chosen]
        shown = [r.get(kind) is not None for r in chosen]
        offset = x + (k - (len(kinds) - 1) / 2) * width
        ax.bar(
            offset,
            estimates,
            width,
            yerr=conf,
            capsize=3,
            label=kind,
            color=[SERIES_COLOURS[k] if s else "white" for s in shown],
            edgecolor=SERIES_COLOURS[k],
            hatch=None,
            linewidth=1.0,
        )
        floors = [r.get(f"{kind}_noise_floor") for r in chosen]
        for xi, floor in zip(offset, floors, strict=True):
            if floor is not None:
                ax.hlines(floor, xi - width / 2, xi + width / 2, color="black", linewidth=1.5)
    ax.set_xticks(x, [parameter_name(r["parameter"]) for r in chosen], rotation=20, ha="right")
    ax.set_ylabel("index")
    where = f" — {scenario_label(scenario, 'en')}" if scenario else ""
    checked = any(r.get("noise_checked") for r in chosen)
    noise = "hollow: within noise" if checked else "simulation noise not assessed"
    what = f"{method} sensitivity of {metric_name(metric, 'en')}{where}"
    ax.set_title(f"{what} (95% conf.; {noise})", fontsize=9)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return fig


REPORT_DPI = 200  # sharp on a projector and in print (issue 24 item 6)


def png(fig: Figure, dpi: int = REPORT_DPI) -> bytes:
    """The figure as PNG bytes (``REPORT_DPI`` by default)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def svg(fig: Figure) -> bytes:
    """The figure as SVG (vector: any size, text kept as paths so it reads without the font)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg")
    return buffer.getvalue()


def parameter_scatter(
    wide: pd.DataFrame, points: list[dict[str, Any]], metric: str, label: str | None = None
) -> Figure:
    """A sampled experiment: the metric's mean per design point against each parameter."""
    part = wide if label is None else wide[wide["label"] == label]
    means = pd.to_numeric(part[metric], errors="coerce").groupby(part["point"]).mean()
    names = list(points[0]) if points else []
    fig = Figure(figsize=(3.0 * max(len(names), 1) + 0.5, 3.0), layout="constrained")
    axes = fig.subplots(1, max(len(names), 1), sharey=True, squeeze=False)[0]
    for ax, name in zip(axes, names, strict=False):
        x = [points[p][name] for p in means.index]
        ax.scatter(x, means.to_numpy(), s=10, alpha=0.7, color=SERIES_COLOURS[0])
        ax.set_xlabel(parameter_name(name), fontsize=8)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(metric_label(metric, "en"))
    where = f" — {scenario_label(label, 'en')}" if label else ""
    what = f"{metric_name(metric, 'en')} per design point"
    fig.suptitle(f"{what} (mean over replications){where}", fontsize=10)
    return fig


def warmup_series(
    series: dict[str, np.ndarray], truncation_days: dict[str, int], batch: int = 5
) -> Figure:
    """MSER-5 pilots: mean delay by arrival day (batch means of ``batch`` days) per scenario,
    with each scenario's chosen truncation marked."""
    fig = Figure(figsize=(7.0, 3.8), layout="constrained")
    ax = fig.add_subplot()
    for index, (label, values) in enumerate(series.items()):
        k = len(values) // batch
        means = np.nanmean(np.asarray(values[: k * batch], float).reshape(k, batch), axis=1)
        days = batch * np.arange(k) + batch / 2
        name = scenario_label(label, "en")
        ax.plot(days, means, color=colour(label, index), label=name, linewidth=1.2)
        cut = truncation_days.get(label)
        if cut is not None:
            ax.axvline(cut, color=colour(label, index), linestyle="--", linewidth=0.8)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("arrival day (working days)")
    ax.set_ylabel("mean delay of the day's arrivals (working days)")
    ax.set_title("Pilot runs: delay by arrival day, mean over replications; dashed: MSER-5 cut",
                 fontsize=10)  # fmt: skip
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncols=3)
    return fig
