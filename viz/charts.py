"""Live charts of one pane as a PNG: delay (mean, p90), trips per case, backlog by department
function, participation rate and trust — on axes shared with the other pane.

Figures are made with ``matplotlib.figure.Figure`` (no pyplot state, safe in server threads) and
rendered to PNG bytes here, so the caller can time the drawing.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from viz.pair import Pane

DPI = 72
FUNCTION_COLOURS = {
    "front_desk": "#444444",
    "market_regulation": "#1f77b4",
    "tax": "#ff7f0e",
    "social_security": "#2ca02c",
    "public_security": "#d62728",
    "housing_land": "#9467bd",
    "civil_affairs": "#8c564b",
    "health": "#e377c2",
    "planning": "#17becf",
}
_SPARE = ("#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a")
LEFT_COLOUR, RIGHT_COLOUR = "#b03a2e", "#1a5276"


def function_colour(function: str) -> str:
    """A fixed colour per department function, the same in every chart."""
    if function in FUNCTION_COLOURS:
        return FUNCTION_COLOURS[function]
    return _SPARE[sum(map(ord, function)) % len(_SPARE)]


def png(figure: Figure) -> bytes:
    """Render a figure to PNG bytes."""
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def _top(values) -> float:
    finite = [v for v in values if v is not None and not math.isnan(v)]
    return max(finite) if finite else 0.0


@dataclass(frozen=True)
class Limits:
    """Axis ranges shared by both panes so that the charts compare at a glance."""

    days: float
    delay: float
    trips: float
    backlog: float

    @classmethod
    def of(cls, *panes: Pane) -> Limits:
        """The smallest ranges that fit every pane's series (with a little headroom)."""
        return cls(
            days=max(20.0, *(p.day for p in panes)),
            delay=1.1 * max(1.0, *(_top(p.delay_p90) for p in panes)),
            trips=1.1 * max(1.0, *(_top(p.trips) for p in panes)),
            backlog=1.1
            * max(10.0, *(float(np.sum(p.backlog[-1])) if p.backlog else 0 for p in panes)),
        )


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#777777")


def draw_pane(pane: Pane, limits: Limits, colour: str = RIGHT_COLOUR) -> Figure:
    """The pane's five live charts in one figure."""
    figure = Figure(figsize=(6.4, 6.6), dpi=DPI)
    grid = figure.add_gridspec(
        3, 2, height_ratios=(1, 1.25, 1), left=0.07, right=0.98, top=0.95, bottom=0.07
    )
    grid.update(hspace=0.45, wspace=0.22)
    delay, trips = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
    backlog = figure.add_subplot(grid[1, :])
    participation, trust = figure.add_subplot(grid[2, 0]), figure.add_subplot(grid[2, 1])
    days = pane.days
    delay.plot(days, pane.delay_mean, color=colour, label="mean")
    delay.plot(days, pane.delay_p90, color=colour, linestyle="--", label="p90")
    delay.set(title=f"service delay (days, last {10} days)", ylim=(0, limits.delay))
    delay.legend(loc="upper left", fontsize=8)
    trips.plot(days, pane.trips, color=colour)
    trips.set(title="trips per case", ylim=(0, limits.trips))
    if pane.backlog:
        stacked = np.array(pane.backlog).T
        backlog.stackplot(
            days,
            stacked,
            labels=pane.functions,
            colors=[function_colour(f) for f in pane.functions],
        )
        backlog.legend(loc="upper left", fontsize=7, ncol=3)
    backlog.set(title="backlog by department function (cases in system)", ylim=(0, limits.backlog))
    for ax, name, title in (
        (participation, "participation_rate", "participation rate"),
        (trust, "trust_mean", "trust (mean)"),
    ):
        series = pane.civic(name)
        ax.set(title=title, ylim=(0, 1))
        if series is None:
            _empty(ax, "not modelled yet")
        else:
            ax.plot(days[-len(series) :], series, color=colour)
    for ax in (delay, trips, backlog, participation, trust):
        ax.set_xlim(0, limits.days)
        ax.title.set_fontsize(9)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    for ax in (participation, trust):
        ax.set_xlabel("working day", fontsize=8)
    return figure
