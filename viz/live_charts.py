"""Live charts drawn by the browser: one ECharts option per pane, rebuilt from the pane's series.

A frame sends the pane's series as numbers (at most ``MAX_POINTS`` per line, evenly thinned) and
the browser draws them (``Chart``: Solara's ECharts widget, ECharts served offline from the asset
cache like the other bundled packages), instead of the server rendering a PNG. Four charts on
axes shared with the other pane: delay (mean, p90) | trips per case / open cases by function
(stacked) | participation (dashed) and trust. The y-limit of open cases covers the highest day so
far (``Limits``). The matplotlib figure (``viz.charts``) remains for the PNG download.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import solara
import traitlets
from solara.components.echarts import EchartsWidget

from govlab.viz import i18n
from govlab.viz.charts import Limits, function_colour
from govlab.viz.pair import Pane

MAX_POINTS = 240  # per line: a pane's chart is ~300 px wide at 1280×720
FONT = "Roboto, 'Noto Sans SC', sans-serif"
GRIDS = (  # left, top, width, height in % of the chart's box
    ("11%", "15%", "36%", "21%"),
    ("61%", "15%", "36%", "21%"),
    ("11%", "58%", "36%", "21%"),
    ("61%", "58%", "36%", "21%"),
)
LEGEND_TOP = "88%"  # the open cases' functions, under the charts
SIZES = {False: (12, 2.0), True: (16, 3.0)}  # text px and line width: normal | projector


def nice_top(value: float) -> float:
    """The smallest 1, 2, 2.5, 5 × 10^k at or above ``value`` (an axis top with round ticks)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= value - 1e-12:
            return float(step * power)
    return float(10 * power)


Points = Callable[[np.ndarray, Any], list[list[float | None]]]


def thinned_points(days: np.ndarray, values) -> list[list[float | None]]:
    """``[[day, value], ...]`` thinned to at most ``MAX_POINTS`` (the last day always kept)."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    offset = len(days) - n
    stride = max(1, math.ceil(n / MAX_POINTS))
    index = list(range(0, n, stride))
    if n and index[-1] != n - 1:
        index.append(n - 1)
    out = []
    for i in index:
        value = values[i]
        out.append([float(days[offset + i]), None if math.isnan(value) else round(float(value), 4)])
    return out


def tail_points(since: int) -> Points:
    """Points of the days from index ``since`` on, unthinned (what a frame adds to a line the
    browser already holds: ``viz.frame``)."""

    def points(days: np.ndarray, values) -> list[list[float | None]]:
        values = np.asarray(values, dtype=float)
        offset = len(days) - len(values)
        return [
            [float(days[offset + i]), None if math.isnan(v) else round(float(v), 4)]
            for i, v in enumerate(values[max(since - offset, 0) :], start=max(since - offset, 0))
        ]

    return points


def pane_option(
    pane: Pane,
    limits: Limits,
    colour: str,
    lang: str = "en",
    projector: bool = False,
    points: Points | None = None,
) -> dict[str, Any]:
    """The ECharts option of one pane's four live charts: titles saying what each averages over,
    axis names with units, a legend for every line style and colour; text and lines larger on
    the projector. ``points`` makes each line's data (default: the whole series, thinned)."""
    make = points or thinned_points
    t = i18n.translator(lang)
    size, width = SIZES[projector]
    days = np.asarray(pane.days, dtype=float)
    titles = (  # each chart's title and what it averages over
        (t("delay"), t("cases done in the last 10 days")),
        (t("trips per case"), t("same cases")),
        (t("open cases today"), t("by department function")),
        (t("participation and trust"), t("share of residents · mean trust")),
    )
    units = (t("working days"), t("trips per case"), t("cases"), t("share · score 0–1"))
    tops = (limits.delay, limits.trips, limits.backlog, 1.0)
    text = {"fontFamily": FONT, "fontSize": size}
    option: dict[str, Any] = {
        "animation": False,
        "textStyle": text,
        "title": [
            {
                "text": f"{title}\n{{sub|{subtitle}}}",
                "left": f"{float(left[:-1]) - 2:.0f}%",
                "top": f"{float(top[:-1]) - 13:.0f}%",
                "padding": 0,
                "textStyle": {
                    "fontSize": size + 1,
                    "fontWeight": "bold",
                    "fontFamily": FONT,
                    "lineHeight": size + 5,
                    "rich": {
                        "sub": {
                            "fontSize": size - 1,
                            "fontWeight": "normal",
                            "color": "#555555",
                            "fontFamily": FONT,
                            "lineHeight": size + 3,
                        }
                    },
                },
            }
            for (title, subtitle), (left, top, _, _) in zip(titles, GRIDS, strict=True)
        ],
        "graphic": [],
        "grid": [{"left": x, "top": y, "width": w, "height": h} for x, y, w, h in GRIDS],
        "xAxis": [
            {
                "type": "value",
                "gridIndex": i,
                "min": 0,
                "max": float(limits.days),
                "axisLabel": {"fontSize": size},
                "splitNumber": 4,
                "name": t("working day"),
                "nameLocation": "middle",
                "nameGap": size + 8,
                "nameTextStyle": text,
            }
            for i in range(4)
        ],
        "yAxis": [
            {
                "type": "value",
                "gridIndex": i,
                "min": 0,
                "max": nice_top(top),
                "axisLabel": {"fontSize": size},
                "splitNumber": 4,
                "name": unit,
                "nameLocation": "middle",
                "nameGap": 2.6 * size + 6,
                "nameTextStyle": text,
                **({"interval": 0.25} if i == 3 else {}),
            }
            for i, (top, unit) in enumerate(zip(tops, units, strict=True))
        ],
        "legend": [],
        "series": [],
    }
    series = option["series"]

    def line(data, index: int, name: str, colour: str, dashed: bool = False, **extra) -> None:
        series.append(
            {
                "type": "line",
                "name": name,
                "xAxisIndex": index,
                "yAxisIndex": index,
                "data": data,
                "symbol": "none",  # the legend then draws the line's own style (dashed)
                "lineStyle": {
                    "color": colour,
                    "type": "dashed" if dashed else "solid",
                    "width": width,
                },
                "itemStyle": {"color": colour},
                **extra,
            }
        )

    def legend(names: list[str], where: dict[str, str], chinese: bool) -> None:
        """The colours of the stacked areas (ECharts' legend, fixed-width items)."""
        option["legend"].append(
            {
                "data": names,
                "selectedMode": False,
                "icon": "rect",
                "textStyle": {
                    "fontFamily": FONT,
                    "fontSize": size - 1,
                    "width": round((4.6 if chinese else 8.2) * size),
                    "overflow": "truncate",
                },
                "itemWidth": size,
                "itemHeight": size - 2,
                "itemGap": 6,
                **where,
            }
        )

    def styles(grid: int, entries: list[tuple[str, bool]]) -> None:
        """A legend of line styles drawn as what they are (solid, dashed): one row above the
        chart when its names are short, else one entry a row inside the chart's top left."""
        chars = sum(len(name) for name, _ in entries) * (1.0 if lang == "zh" else 0.6)
        across = chars <= 8  # e.g. "mean p90": fits the chart's width on one row
        children, x, y = [], 0.0, 0.0
        for name, dashed in entries:
            children.append(
                {
                    "type": "line",
                    "shape": {"x1": x, "y1": y + size / 2, "x2": x + 2 * size, "y2": y + size / 2},
                    "style": {
                        "stroke": colour,
                        "lineWidth": width,
                        "lineDash": [size / 2.5, size / 4] if dashed else None,
                    },
                    "silent": True,
                }
            )
            children.append(
                {
                    "type": "text",
                    "x": x + 2 * size + 5,
                    "y": y + size / 2,
                    "style": {
                        "text": name,
                        "font": f"{size - 1}px {FONT}",
                        "fill": "#333333",
                        "verticalAlign": "middle",
                        "backgroundColor": "rgba(255,255,255,0.8)",
                    },
                    "silent": True,
                }
            )
            if across:
                x += 2 * size + 5 + (len(name) * (1.0 if lang == "zh" else 0.6) + 1.5) * size
            else:
                y += size + 3
        left, top = GRIDS[grid][0], GRIDS[grid][1]
        shift = -3.5 if across else 1.0  # above the chart, or just inside its top
        option["graphic"].append(
            {
                "type": "group",
                "left": f"{float(left[:-1]) + (0 if across else 2):.0f}%",
                "top": f"{float(top[:-1]) + shift:.1f}%",
                "children": children,
                "z": 10,
            }
        )

    mean, p90 = t("mean"), t("p90")
    line(make(days, pane.delay_mean), 0, mean, colour)
    line(make(days, pane.delay_p90), 0, p90, colour, dashed=True)
    styles(0, [(mean, False), (p90, True)])
    line(make(days, pane.trips), 1, t("trips per case"), colour)
    if pane.backlog:  # stacked by hand: each function's running total, the top one drawn first
        totals = np.cumsum(np.array(pane.backlog).T, axis=0)
        names = []
        for function, values in reversed(list(zip(pane.functions, totals, strict=True))):
            shade = function_colour(function)
            names.append(i18n.function_label(function, lang))
            line(
                make(days, values),
                2,
                names[-1],
                shade,
                areaStyle={"color": shade, "opacity": 1.0},
                lineStyle={"width": 0},
            )
        legend(names, {"left": "2%", "right": "2%", "top": LEGEND_TOP}, lang == "zh")
    civic = []
    for name, label, dashed in (
        ("participation_rate", "participation", True),
        ("trust_mean", "trust", False),
    ):
        values = pane.civic(name)
        if values is not None:
            civic.append((t(label), dashed))
            line(make(days, values), 3, t(label), colour, dashed=dashed)
    if civic:
        styles(3, civic)
    return option


class Opaque:
    """A chart option the page's renderer passes on without walking it (reacton visits every
    list and dict in a widget's arguments on every render, looking for elements: a live chart's
    thousands of numbers took most of a frame). Compared by identity: a new option, a redraw."""

    __slots__ = ("value",)

    def __init__(self, value: dict[str, Any]) -> None:
        self.value = value


def _option_json(value: Any, _widget: Any) -> Any:
    return value.value if isinstance(value, Opaque) else value


class ChartWidget(EchartsWidget):
    """Solara's ECharts widget (the bundled ECharts, ``setOption`` with notMerge) taking an
    ``Opaque`` option; its template (``echarts.vue``, Solara's cut down) draws again once the
    bundled Chinese web font has loaded."""

    template_file = (__file__, "echarts.vue")
    option = traitlets.Any(None, allow_none=True).tag(sync=True, to_json=_option_json)


@solara.component
def Chart(option: Opaque, css_class: str, height: int | str) -> None:
    """A chart the browser draws from ``option`` (make the ``Opaque`` once per new option);
    ``height`` in px or a CSS length (the live charts follow the window's height)."""
    css_height = f"{height}px" if isinstance(height, int) else height
    ChartWidget.element(
        option=option,
        attributes={"style": f"height: {css_height}; width: 100%", "class": css_class},
        responsive=True,
    )
