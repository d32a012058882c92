"""The trainer's text-caching Agg canvas against plain matplotlib: the same pixels, frame after
frame (the fast path must never change what a trainer sees)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from govlab.viz.agg import CACHED_TEXT, CachingCanvas
from govlab.viz.charts import LEFT_COLOUR, RIGHT_COLOUR, Limits, draw_pane
from govlab.viz.pair import Pair, PaneSpec


def pixels(canvas) -> np.ndarray:
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def plain_pixels(figure) -> np.ndarray:
    cached = figure.canvas
    plain = pixels(FigureCanvasAgg(figure))
    figure.set_canvas(cached)
    return plain


@pytest.mark.skipif(not CACHED_TEXT, reason="text caching is used only with matplotlib 3.11")
def test_cached_text_draws_the_same_pixels_as_matplotlib_frame_after_frame():
    pair = Pair(PaneSpec("silo"), PaneSpec("smart"), seed=3)
    for _ in range(3):  # the second and third frames draw from warm caches
        pair.step(7)
        for figure in (
            draw_pane(pair.left, Limits.of(*pair.panes), LEFT_COLOUR),
            draw_pane(pair.right, Limits.of(*pair.panes), RIGHT_COLOUR, "zh"),
        ):
            canvas = figure.canvas if isinstance(figure.canvas, CachingCanvas) else None
            canvas = canvas or CachingCanvas(figure)
            fast = pixels(canvas)
            fast_again = pixels(canvas)
            assert np.array_equal(fast, fast_again)
            assert np.array_equal(fast, plain_pixels(figure))
