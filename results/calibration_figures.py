"""Figures of a calibration: posterior marginals, pairwise scatter, and the posterior predictive
of every figure against the observed value.

The ``*_figure`` functions return a ``matplotlib.figure.Figure`` (no pyplot state: safe in the
trainer's server), titled and labelled in English or Chinese (``results.names``); the report and
the results tab show them. ``write_figures`` and ``predictive_vs_observed`` write the PNG files of
a calibration's output folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from govlab.results.names import parameter_name, words
from govlab.viz.fonts import use_bundled_font

use_bundled_font()  # Chinese text draws with the bundled Noto Sans SC
DPI = 110

STATUS_COLOURS = {
    "fits": "#2a7d2a",
    "misses": "#c0392b",
    "unreachable": "#7f7f7f",
    "design": "#999",
}


def _path(parameter: Any) -> str:
    return parameter["path"] if isinstance(parameter, dict) else parameter.path


def _bounds(parameter: Any) -> tuple[float, float]:
    if isinstance(parameter, dict):
        return float(parameter["low"]), float(parameter["high"])
    return float(parameter.low), float(parameter.high)


def figure_label(figure_id: str) -> str:
    """A figure's id as people read it (underscores as spaces)."""
    return figure_id.replace("_", " ")


def marginals_figure(
    particles: np.ndarray, weights: np.ndarray, parameters: list, lang: str = "en"
) -> Figure:
    """One weighted histogram per parameter over its prior range (parameters: ``Parameter`` or
    their dicts ``{path, low, high}``)."""
    t = words(lang)
    count = len(parameters)
    figure = Figure(figsize=(3.2 * count, 2.8))
    axes = figure.subplots(1, count, squeeze=False)
    for j, parameter in enumerate(parameters):
        axis = axes[0][j]
        low, high = _bounds(parameter)
        bins = np.linspace(low, high, 21)
        axis.hist(particles[:, j], bins=bins, weights=weights, color="#3b6ea8", density=True)
        axis.axhline(1.0 / (high - low), color="k", ls=":", lw=1)
        axis.set_xlabel(parameter_name(_path(parameter), lang))
        axis.set_yticks([])
    axes[0][0].set_ylabel(t("posterior density (dotted: prior)"))
    figure.tight_layout()
    return figure


def pairwise_figure(particles: np.ndarray, weights: np.ndarray, parameters: list) -> Figure | None:
    """Scatter of every pair of parameters, dot area by weight (None with one parameter)."""
    count = len(parameters)
    if count < 2:
        return None
    figure = Figure(figsize=(3 * (count - 1),) * 2)
    axes = figure.subplots(count - 1, count - 1, squeeze=False)
    sizes = 400 * weights / weights.max() if weights.max() > 0 else 10
    for row in range(1, count):
        for col in range(count - 1):
            axis = axes[row - 1][col]
            if col >= row:
                axis.axis("off")
                continue
            axis.scatter(particles[:, col], particles[:, row], s=sizes, alpha=0.5, color="#3b6ea8")
            axis.set_xlim(*_bounds(parameters[col]))
            axis.set_ylim(*_bounds(parameters[row]))
            if row == count - 1:
                axis.set_xlabel(parameter_name(_path(parameters[col])))
            if col == 0:
                axis.set_ylabel(parameter_name(_path(parameters[row])))
    figure.tight_layout()
    return figure


def predictive_figure(rows: list[dict], title: str, lang: str = "en") -> Figure:
    """Per figure: the observed 90% interval (black) and the predicted one (coloured by status),
    each relative to the observed value."""
    t = words(lang)
    figure = Figure(figsize=(7, 0.5 * len(rows) + 1.2))
    axis = figure.subplots()
    for i, row in enumerate(rows):
        scale = abs(row["observed"]) or 1.0
        colour = STATUS_COLOURS.get(row.get("status", "fits"), "#3b6ea8")
        axis.plot(
            [row["observed_low"] / scale, row["observed_high"] / scale], [i + 0.15] * 2, "k-", lw=3
        )
        axis.plot([1.0], [i + 0.15], "ko")
        predicted = row.get("predicted")
        if predicted is not None and np.isfinite(predicted):
            axis.plot(
                [row["predicted_low"] / scale, row["predicted_high"] / scale],
                [i - 0.15] * 2,
                "-",
                color=colour,
                lw=3,
            )
            axis.plot([predicted / scale], [i - 0.15], "o", color=colour)
    axis.set_yticks(range(len(rows)))
    labels = [f"{figure_label(r['id'])} ({t(r.get('status', ''))})" for r in rows]
    axis.set_yticklabels(labels, fontsize=8)
    axis.set_xlabel(t("value / observed value (black: observed 90%; colour: predicted 90%)"))
    axis.set_title(t(title))
    figure.tight_layout()
    return figure


def predictive_vs_observed(
    path: Path, rows: list[dict], title: str = "posterior predictive"
) -> Path:
    """``predictive_figure`` written to ``path`` (PNG)."""
    predictive_figure(rows, title).savefig(path, dpi=DPI)
    return path


def write_figures(out: Path, particles, weights, parameters, rows) -> list[Path]:
    """All figures of a calibration, into ``out``."""
    marginals_figure(particles, weights, parameters).savefig(out / "marginals.png", dpi=DPI)
    written = [out / "marginals.png"]
    pairs = pairwise_figure(particles, weights, parameters)
    if pairs is not None:
        pairs.savefig(out / "pairwise.png", dpi=DPI)
        written.append(out / "pairwise.png")
    written.append(predictive_vs_observed(out / "predictive.png", rows))
    return written
