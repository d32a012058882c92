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
    ("9%", "9%", "38%", "31%"),
    ("59%", "9%", "38%", "31%"),
    ("9%", "59%", "38%", "31%"),
    ("59%", "59%", "38%", "31%"),
)


def nice_top(value: float) -> float:
    """The smallest 1, 2, 2.5, 5 × 10^k at or above ``value`` (an axis top with round ticks)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= value - 1e-12:
            return float(step * power)
    return float(10 * power)


def _points(days: np.ndarray, values) -> list[list[float | None]]:
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


def pane_option(
    pane: Pane, limits: Limits, colour: str, lang: str = "en", projector: bool = False
) -> dict[str, Any]:
    """The ECharts option of one pane's four live charts."""
    t = i18n.translator(lang)
    size = 15 if projector else 12
    days = np.asarray(pane.days, dtype=float)
    titles = (
        t("delay (days)"),
        t("trips per case"),
        t("open cases by function"),
        t("participation") + " ╌ / " + t("trust") + " —",
    )
    tops = (limits.delay, limits.trips, limits.backlog, 1.0)
    option: dict[str, Any] = {
        "animation": False,
        "textStyle": {"fontFamily": FONT, "fontSize": size},
        "title": [
            {
                "text": title,
                "left": left,
                "top": f"{float(top[:-1]) - 8:.0f}%",
                "textStyle": {"fontSize": size + 1, "fontWeight": "normal", "fontFamily": FONT},
            }
            for title, (left, top, _, _) in zip(titles, GRIDS, strict=True)
        ],
        "grid": [{"left": x, "top": y, "width": w, "height": h} for x, y, w, h in GRIDS],
        "xAxis": [
            {
                "type": "value",
                "gridIndex": i,
                "min": 0,
                "max": float(limits.days),
                "axisLabel": {"fontSize": size},
                "splitNumber": 4,
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
                **({"interval": 0.25} if i == 3 else {}),
            }
            for i, top in enumerate(tops)
        ],
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
                "showSymbol": False,
                "lineStyle": {"color": colour, "type": "dashed" if dashed else "solid"},
                "itemStyle": {"color": colour},
                **extra,
            }
        )

    line(_points(days, pane.delay_mean), 0, t("mean"), colour)
    line(_points(days, pane.delay_p90), 0, t("p90"), colour, dashed=True)
    line(_points(days, pane.trips), 1, t("trips per case"), colour)
    if pane.backlog:  # stacked by hand: each function's running total, the top one drawn first
        totals = np.cumsum(np.array(pane.backlog).T, axis=0)
        for function, values in reversed(list(zip(pane.functions, totals, strict=True))):
            shade = function_colour(function)
            line(
                _points(days, values),
                2,
                i18n.function_label(function, lang),
                shade,
                areaStyle={"color": shade, "opacity": 1.0},
                lineStyle={"width": 0},
            )
    for name, label, dashed in (
        ("participation_rate", "participation", True),
        ("trust_mean", "trust", False),
    ):
        values = pane.civic(name)
        if values is not None:
            line(_points(days, values), 3, t(label), colour, dashed=dashed)
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
def Chart(option: Opaque, css_class: str, height_px: int) -> None:
    """A chart the browser draws from ``option`` (make the ``Opaque`` once per new option)."""
    ChartWidget.element(
        option=option,
        attributes={"style": f"height: {height_px}px; width: 100%", "class": css_class},
        responsive=True,
    )
