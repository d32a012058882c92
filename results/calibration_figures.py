"""Figures of a calibration: posterior marginals, pairwise scatter, and the posterior predictive
of every figure against the observed value (matplotlib, PNG, written into the output folder)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

STATUS_COLOURS = {
    "fits": "#2a7d2a",
    "misses": "#c0392b",
    "unreachable": "#7f7f7f",
    "design": "#999",
}


def marginals(path: Path, particles: np.ndarray, weights: np.ndarray, parameters) -> Path:
    """One weighted histogram per parameter over its prior range."""
    count = len(parameters)
    figure, axes = plt.subplots(1, count, figsize=(3.2 * count, 2.8), squeeze=False)
    for j, parameter in enumerate(parameters):
        axis = axes[0][j]
        bins = np.linspace(parameter.low, parameter.high, 21)
        axis.hist(particles[:, j], bins=bins, weights=weights, color="#3b6ea8", density=True)
        axis.axhline(1.0 / (parameter.high - parameter.low), color="k", ls=":", lw=1)
        axis.set_xlabel(parameter.path)
        axis.set_yticks([])
    axes[0][0].set_ylabel("posterior density (dotted: prior)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def pairwise(path: Path, particles: np.ndarray, weights: np.ndarray, parameters) -> Path | None:
    """Scatter of every pair of parameters, dot area by weight (None with one parameter)."""
    count = len(parameters)
    if count < 2:
        return None
    figure, axes = plt.subplots(count - 1, count - 1, figsize=(3 * (count - 1),) * 2, squeeze=False)
    sizes = 400 * weights / weights.max() if weights.max() > 0 else 10
    for row in range(1, count):
        for col in range(count - 1):
            axis = axes[row - 1][col]
            if col >= row:
                axis.axis("off")
                continue
            axis.scatter(particles[:, col], particles[:, row], s=sizes, alpha=0.5, color="#3b6ea8")
            axis.set_xlim(parameters[col].low, parameters[col].high)
            axis.set_ylim(parameters[row].low, parameters[row].high)
            if row == count - 1:
                axis.set_xlabel(parameters[col].path)
            if col == 0:
                axis.set_ylabel(parameters[row].path)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def predictive_vs_observed(
    path: Path, rows: list[dict], title: str = "posterior predictive"
) -> Path:
    """Per figure: the observed 90% interval (black) and the predicted one (coloured by status),
    each relative to the observed value."""
    figure, axis = plt.subplots(figsize=(7, 0.5 * len(rows) + 1.2))
    for i, row in enumerate(rows):
        scale = abs(row["observed"]) or 1.0
        colour = STATUS_COLOURS.get(row.get("status", "fits"), "#3b6ea8")
        axis.plot(
            [row["observed_low"] / scale, row["observed_high"] / scale], [i + 0.15] * 2, "k-", lw=3
        )
        axis.plot([1.0], [i + 0.15], "ko")
        if np.isfinite(row["predicted"]):
            axis.plot(
                [row["predicted_low"] / scale, row["predicted_high"] / scale],
                [i - 0.15] * 2,
                "-",
                color=colour,
                lw=3,
            )
            axis.plot([row["predicted"] / scale], [i - 0.15], "o", color=colour)
    axis.set_yticks(range(len(rows)))
    axis.set_yticklabels([f"{r['id']} ({r.get('status', '')})" for r in rows], fontsize=8)
    axis.set_xlabel("value / observed value (black: observed 90%; colour: predicted 90%)")
    axis.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def write_figures(out: Path, particles, weights, parameters, rows) -> list[Path]:
    """All figures of a calibration, into ``out``."""
    written = [
        marginals(out / "marginals.png", particles, weights, parameters),
        pairwise(out / "pairwise.png", particles, weights, parameters),
        predictive_vs_observed(out / "predictive.png", rows),
    ]
    return [p for p in written if p is not None]
