"""Live charts of one pane as a PNG: delay (mean, p90), trips per case, open cases by department
function, participation rate and trust — on axes shared with the other pane.

Figures are made with ``matplotlib.figure.Figure`` (no pyplot state, safe in server threads) and
rendered to PNG bytes here, so the caller can time the drawing.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, Locator

from govlab.results.palette import scenario_colour
from govlab.viz import fonts, i18n
from govlab.viz.agg import CachingCanvas
from govlab.viz.pair import Pane

fonts.use_bundled_font()  # Chinese labels draw with the bundled Noto Sans SC (viz/fonts.py)

DPI = 72
EXPORT_DPI = 150  # a downloaded PNG: 12 × 9 in at 150 dpi = 1800 × 1350 px
FUNCTION_COLOURS = {  # ΔE*ab >= 25 apart for normal and red-green blind viewers (tests)
    "front_desk": "#000000",
    "market_regulation": "#332288",
    "tax": "#d55e00",
    "social_security": "#33bbee",
    "public_security": "#882255",
    "housing_land": "#ddcc77",
    "civil_affairs": "#663300",
    "health": "#cc6677",
    "planning": "#f0e442",
    "community": "#dddddd",
}
_SPARE = ("#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a")
# the default pair's colours (silo | smart): every pane takes its scenario's (results.palette)
LEFT_COLOUR, RIGHT_COLOUR = scenario_colour("silo"), scenario_colour("smart")


def function_colour(function: str) -> str:
    """A fixed colour per department function, the same in every chart."""
    if function in FUNCTION_COLOURS:
        return FUNCTION_COLOURS[function]
    return _SPARE[sum(map(ord, function)) % len(_SPARE)]


def png(figure: Figure) -> bytes:
    """Render a figure to PNG bytes (its canvas, with its text caches, is kept for the next)."""
    canvas = figure.canvas
    if not isinstance(canvas, CachingCanvas):
        canvas = CachingCanvas(figure)
    buffer = io.BytesIO()
    canvas.print_png(buffer)
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
            backlog=1.1 * max(10.0, *(p.backlog_peak for p in panes)),
        )


def _empty(ax, text: str):
    return ax.text(
        0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#777777"
    )


class _LastLocator(Locator):
    """A tick locator that reuses its last ticks while the axis's view is unchanged (the charts'
    axes keep their size, so the view interval decides the ticks)."""

    def __init__(self, inner: Locator) -> None:
        self.inner = inner
        self._view = None
        self._ticks = None

    def set_axis(self, axis) -> None:
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def __call__(self):
        view = tuple(self.axis.get_view_interval())
        if view != self._view:
            self._view, self._ticks = view, self.inner()
        return self._ticks

    def tick_values(self, vmin, vmax):
        return self.inner.tick_values(vmin, vmax)

    def view_limits(self, vmin, vmax):
        return self.inner.view_limits(vmin, vmax)

    def nonsingular(self, v0, v1):
        return self.inner.nonsingular(v0, v1)


class _LastFormatter(Formatter):
    """A tick formatter that reuses its last labels while the tick values are unchanged."""

    def __init__(self, inner: Formatter) -> None:
        self.inner = inner
        self._values = None
        self._labels = None

    def set_axis(self, axis) -> None:
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def format_ticks(self, values):
        key = tuple(values)
        if key != self._values:
            self._values, self._labels = key, self.inner.format_ticks(values)
        return self._labels

    def __call__(self, x, pos=None):
        return self.inner(x, pos)

    def get_offset(self):
        return self.inner.get_offset()


class PaneCharts:
    """One pane's chart figure, built once and updated in place each frame.

    Building the axes (and their ticks) dominated the cost of a frame, so the figure, axes, lines,
    stacked areas and legends persist; a frame only sets the data and the shared axis limits.
    Held by its ``Pane`` (one per browser session); draw it under the pair's lock. Four charts:
    delay (mean, p90) | trips per case / open cases by function | participation and trust.
    ``projector`` draws a shorter figure with larger text (≥ 14 px on a 1280×720 screen).
    """

    def __init__(
        self,
        colour: str,
        lang: str = "en",
        projector: bool = False,
        export: bool = False,
        top: float = 0.93,
    ) -> None:
        t = i18n.translator(lang)
        self.lang = lang
        self.export = export
        title_pt, tick_pt = (14, 13) if projector else (10, 9)
        width, height, bottom = 6.4, (4.3 if projector else 5.2), 0.1
        if export:  # a download: large enough for a slide, ``top`` leaves room for its context
            title_pt, tick_pt, width, height, bottom = 13, 11, 12.0, 10.0, 0.15
        figure = self.figure = Figure(figsize=(width, height), dpi=EXPORT_DPI if export else DPI)
        figure.set_layout_engine(None)
        grid = figure.add_gridspec(2, 2, left=0.08, right=0.98, top=top, bottom=bottom)
        grid.update(hspace=0.45 if export else 0.42, wspace=0.2)
        delay, trips = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
        backlog, civic = figure.add_subplot(grid[1, 0]), figure.add_subplot(grid[1, 1])
        self.axes = (delay, trips, backlog, civic)
        self.projector = projector
        self.legend_pt = tick_pt - 1
        (self.delay_mean,) = delay.plot([], [], color=colour, label=t("mean"))
        (self.delay_p90,) = delay.plot([], [], color=colour, linestyle="--", label=t("p90"))
        delay.set_title(t("service delay (days, cases completed in the last 10 days)"))
        delay.set_ylabel(t("working days"))
        delay.legend(loc="upper left", fontsize=self.legend_pt)
        (self.trips,) = trips.plot([], [], color=colour)
        trips.set_title(t("trips per case (cases completed in the last 10 days)"))
        trips.set_ylabel(t("trips per case"))
        self.backlog_ax = backlog
        self.areas: list = []  # the stacked areas, made on the first day with a backlog
        backlog.set_title(t("open cases by function"))
        backlog.set_ylabel(t("cases"))
        civic.set_title(t("participation and trust"))
        civic.set_ylabel(t("share · score 0–1"))
        civic.set_ylim(0, 1)
        self.civic = []
        for name, label, style in (
            ("participation_rate", "participation", "--"),
            ("trust_mean", "trust", "-"),
        ):
            (line,) = civic.plot([], [], color=colour, linestyle=style, label=t(label))
            self.civic.append((name, line))
        civic.legend(loc="upper left", fontsize=self.legend_pt)
        self.no_civic = _empty(civic, t("not modelled yet"))
        for ax in self.axes:
            ax.title.set_fontsize(title_pt)
            ax.xaxis.label.set_fontsize(tick_pt)
            ax.yaxis.label.set_fontsize(tick_pt)
            ax.tick_params(labelsize=tick_pt)
            ax.grid(alpha=0.3)
            ax.set_autoscale_on(False)
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_major_locator(_LastLocator(axis.get_major_locator()))
                axis.set_major_formatter(_LastFormatter(axis.get_major_formatter()))
                if projector:
                    axis.get_major_locator().inner.set_params(nbins=4)
        for ax in (backlog, civic):
            ax.set_xlabel(t("working day"))

    def update(self, pane: Pane, limits: Limits) -> Figure:
        """Set today's data and the shared limits; the figure, ready to render."""
        delay, trips, backlog, _ = self.axes
        days = np.asarray(pane.days, dtype=float)
        self.delay_mean.set_data(days, pane.delay_mean)
        self.delay_p90.set_data(days, pane.delay_p90)
        delay.set_ylim(0, limits.delay)
        self.trips.set_data(days, pane.trips)
        trips.set_ylim(0, limits.trips)
        if pane.backlog:
            self._stack(pane, days)
        backlog.set_ylim(0, limits.backlog)
        shown = False
        for name, line in self.civic:
            series = pane.civic(name)
            if series is not None:
                line.set_data(days[len(days) - len(series) :], series)
                shown = True
            line.set_visible(series is not None)
        self.no_civic.set_visible(not shown)
        for ax in self.axes:
            ax.set_xlim(0, limits.days)
        return self.figure

    def _stack(self, pane: Pane, days: np.ndarray) -> None:
        """The open cases stacked by function (as ``stackplot`` would draw it)."""
        backlog = np.array(pane.backlog).T
        if not self.areas:
            self.areas = self.backlog_ax.stackplot(
                days,
                backlog,
                labels=[i18n.function_label(f, self.lang) for f in pane.functions],
                colors=[function_colour(f) for f in pane.functions],
            )
            handles, labels = self.backlog_ax.get_legend_handles_labels()
            self.backlog_ax.legend(  # the top of the stack first, as drawn, under the chart
                handles[::-1],
                labels[::-1],
                loc="upper center",
                bbox_to_anchor=(0.5, -0.2 if self.export else -0.25),
                fontsize=self.legend_pt - 1,
                ncols=4,
                frameon=False,
            )
            return
        lower = np.zeros_like(days)
        for area, upper in zip(self.areas, np.cumsum(backlog, axis=0), strict=True):
            area.set_data(days, lower, upper)
            lower = upper


def export_figure(
    pane: Pane, limits: Limits, colour: str, lang: str = "en", top: float = 0.8
) -> Figure:
    """A new figure of the pane's charts sized for a download (``EXPORT_DPI``), the charts
    below ``top`` (a share of its height), above them room for the lines saying what it shows
    (``viz.exports``)."""
    return PaneCharts(colour, lang, export=True, top=top).update(pane, limits)


def draw_pane(
    pane: Pane,
    limits: Limits,
    colour: str = RIGHT_COLOUR,
    lang: str = "en",
    projector: bool = False,
) -> Figure:
    """The pane's live charts in one figure.

    The figure is the pane's own and persists between calls (updated in place): render it before
    the next call, under the pair's lock.
    """
    key = ("charts", colour, lang, projector)
    charts = pane.drawings.get(key)
    if charts is None:
        charts = pane.drawings[key] = PaneCharts(colour, lang, projector)
    return charts.update(pane, limits)
