"""The event-study figure of a pilot evaluation (``govlab pilot``; estimates in ``results.pilot``).

One panel per outcome: per window of arrival days (x: its middle, working days from the pilot
day), the evaluator's event-study coefficient (pilot − other districts, relative to the last
window before the pilot), the true city-wide effect (everywhere − nowhere) and the spill-over on
the other districts (pilot − nowhere), each the mean over seeds with its 95% interval. Colours
from ``results.palette``, names and units from ``results.names``. No pyplot state.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from govlab.results.names import metric_label, metric_name, scenario_label
from govlab.results.palette import scenario_colour
from govlab.results.pilot import Windows
from govlab.viz.fonts import use_bundled_font

use_bundled_font()
DPI = 200
METRIC_OF = {"delay_days": "delay_mean_days", "trips": "trips_per_case"}  # outcome → metric
LINES = (  # key in the summary, legend, palette index
    ("event", "evaluator's event study: pilot − other districts (DiD)", 1),
    ("true_by_window", "true city-wide effect: everywhere − nowhere", 3),
    ("spillover_by_window", "spill-over on the other districts: pilot − nowhere run", 2),
)


def _band(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    def column(key: str) -> np.ndarray:
        return np.array([np.nan if r[key] is None else r[key] for r in rows], dtype=float)

    return column("mean"), column("low"), column("high")


def event_study(
    summaries: dict[str, dict[str, Any]],
    windows: Windows,
    scenario: str,
    districts: tuple[int, ...],
) -> Figure:
    """The event study of each outcome in ``summaries`` (``results.pilot.summarise`` output)."""
    fig = Figure(figsize=(7.0, 3.2 * len(summaries)), layout="constrained")
    middles = np.array([(k + 0.5) * windows.length for k in windows.offsets])
    shift = windows.length * 0.08
    for row, (outcome, summary) in enumerate(summaries.items()):
        ax = fig.add_subplot(len(summaries), 1, row + 1)
        for offset, (key, label, index) in zip((-1, 0, 1), LINES, strict=True):
            mean, low, high = _band(summary[key])
            colour = scenario_colour(label, index)
            x = middles + offset * shift
            ax.errorbar(x, mean, yerr=[mean - low, high - mean], fmt="o-", color=colour,
                        markersize=3.5, linewidth=1.1, capsize=2.5, label=label)  # fmt: skip
        ax.axhline(0.0, color="#555555", linewidth=0.8)
        ax.axvline(0.0, color="#555555", linewidth=0.8, linestyle="--")
        ax.text(0.0, 0.97, " pilot starts", transform=ax.get_xaxis_transform(), fontsize=7,
                va="top", color="#555555")  # fmt: skip
        metric = METRIC_OF[outcome]
        ax.set_ylabel(f"Δ {metric_label(metric, 'en')}", fontsize=8)
        ax.set_xlabel(
            f"working days from the pilot day (day {windows.pilot_day}); "
            f"windows of {windows.length} days of arrivals",
            fontsize=8,
        )
        did, true = summary["did"], summary["true"]
        ax.set_title(
            f"{metric_name(metric, 'en')}: DiD {_pm(did)} vs true {_pm(true)} "
            f"(mean, 95% CI over {summary['seeds']} seeds)",
            fontsize=9,
        )
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    handles, labels = fig.axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", fontsize=7, ncols=1)
    where = ", ".join(str(d) for d in districts)
    fig.suptitle(
        f"{scenario_label(scenario, 'en')}: pilot in district {where} — event study", fontsize=10
    )
    return fig


def _pm(interval: dict[str, Any]) -> str:
    mean, low, high = interval["mean"], interval["low"], interval["high"]
    if mean is None:
        return "—"
    if low is None or high is None:
        return f"{mean:+.2f}"
    return f"{mean:+.2f} [{low:+.2f}, {high:+.2f}]"
