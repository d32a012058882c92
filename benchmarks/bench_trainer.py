"""Target 5 (report): one frame of the trainer app — a day of both governments and a redraw.

Headless, with the app's own pieces (``viz.pair.Pair``, ``viz.charts.draw_pane``,
``viz.network.draw_departments``, ``viz.charts.png``): the app's default pair (``silo`` left,
``smart`` right, seed 1) at the default size, warmed up to day 60 so the charts hold data. A frame
is ``pair.step(1)`` and, for each pane, its live charts and its department network rendered to
PNG — what the "Side by side" tab redraws per frame (the resident-sample and journey tabs are
not drawn while hidden). Median of 10 frames (5 with ``--quick``). Solara's own diffing and the
browser's image decode are not included.
"""

from __future__ import annotations

import statistics
import time

from common import Result

from viz.charts import LEFT_COLOUR, RIGHT_COLOUR, Limits, draw_pane, png
from viz.network import draw_departments
from viz.pair import Pair, PaneSpec

TARGET_MS = 250.0
WARMUP_DAYS = 60


def frame(pair: Pair) -> tuple[float, float]:
    start = time.perf_counter()
    pair.step(1)
    stepped = time.perf_counter()
    limits = Limits.of(*pair.panes)
    for pane, colour in zip(pair.panes, (LEFT_COLOUR, RIGHT_COLOUR), strict=True):
        png(draw_pane(pane, limits, colour))
        png(draw_departments(pane.model, drawings=pane.drawings))
    return stepped - start, time.perf_counter() - stepped


def bench(quick: bool) -> list[Result]:
    pair = Pair(PaneSpec("silo"), PaneSpec("smart"), seed=1)
    pair.step(WARMUP_DAYS)
    frame(pair)  # first drawing loads fonts and caches
    frames = [frame(pair) for _ in range(5 if quick else 10)]
    step = statistics.median(s for s, _ in frames) * 1e3
    draw = statistics.median(d for _, d in frames) * 1e3
    total = statistics.median(s + d for s, d in frames) * 1e3
    return [
        Result(
            name="trainer: one frame (step both + redraw both panes)",
            ours=total,
            reference=None,
            unit="ms/frame",
            ratio=total,
            ratio_unit=" ms",
            target=TARGET_MS,
            higher_is_better=False,
            note=f"step {step:.1f} ms + drawing {draw:.0f} ms; drawing is "
            f"{draw / (step + draw):.0%} of a frame (report only, not a test)",
            details={"frames_seconds": frames, "day": pair.day},
        )
    ]
