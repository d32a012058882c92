"""An Agg canvas that remembers its text: the trainer redraws the same figures every frame.

Matplotlib 3.11's Agg backend shapes every string (``FT2Font._layout``) and rasterises every glyph
(``_render_glyph``) on each draw — most of the cost of a chart frame, as a chart is mostly text
(titles, legends, tick labels). ``CachingCanvas`` keeps, per canvas (so per figure, so per browser
session), the layout of each string and the bitmap of each glyph at each 1/64-pixel offset, and
blits the cached bitmaps. The output is the same pixels: a glyph's bitmap depends only on the
fractional part of its position, the integer part only shifts it. Rotated, math and
non-antialiased text takes matplotlib's own path. This follows matplotlib 3.11's private text
pipeline, so it is used only there (``CACHED_TEXT``); other versions draw with plain
``RendererAgg`` (same pictures, slower). Not thread-safe: draw under the pair's lock.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import RenderMode

CACHED_TEXT = matplotlib.__version__.startswith("3.11.") and hasattr(
    RendererAgg, "_draw_text_glyphs_and_boxes"
)
MAX_ENTRIES = 20_000  # per cache; cleared when full (strings such as totals change every frame)
_IDENTITY = np.array([[0x10000, 0], [0, 0x10000]])


class CachingRenderer(RendererAgg):
    """``RendererAgg`` with cached string layouts and glyph bitmaps."""

    def __init__(self, width, height, dpi) -> None:
        super().__init__(width, height, dpi)
        self._layouts: dict = {}
        self._glyphs: dict = {}
        self._heights: dict = {}

    def _get_font_height_metrics(self, prop):
        """(ascent, descent, line gap) of a font as ``Text._get_layout`` computes them from the
        font's tables on every call (a hook it asks the renderer first); cached per font."""
        fonts = fontManager._find_fonts_by_props(prop)
        size = prop.get_size_in_points()
        key = (tuple(fonts), size)
        metrics = self._heights.get(key)
        if metrics is None:
            metrics = None, None, None
            font = get_font(fonts)
            for table_name, gap, ascent, descent in (
                ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                ("hhea", "lineGap", "ascent", "descent"),
            ):
                table = font.get_sfnt_table(table_name)
                if table is None:
                    continue
                scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * size * self.dpi / 72
                metrics = table[ascent] * scale, -table[descent] * scale, table[gap] * scale
                break
            self._heights[key] = metrics
        return metrics

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or angle or not gc.get_antialiased():
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        flags = get_hinting_flag()
        size = prop.get_size_in_points()
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        fonts = tuple(fontManager._find_fonts_by_props(prop))
        key = (s, fonts, size, flags, features, language)
        items = self._layouts.get(key, False)
        if items is False:
            font = get_font(fonts)
            font.clear()
            font.set_size(size, self.dpi)
            laid = font._layout(s, flags=flags, features=features, language=language)
            # a string needing a fallback font is not cached (FT2Fonts are per thread, and only
            # the primary one is fetched again below)
            primary = all(item.ft_object is font for item in laid)
            items = [(i.glyph_index, i.x, i.y) for i in laid] if primary else None
            if len(self._layouts) >= MAX_ENTRIES:
                self._layouts.clear()
            self._layouts[key] = items
        if items is None:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        height = self.height
        draw = self._renderer.draw_text_image
        glyphs = self._glyphs
        for index, dx, dy in items:
            # the 26.6 fixed-point position matplotlib would give FreeType (y upwards)
            px, py = round(0x40 * (x + dx)), round(0x40 * (height - y + dy))
            fx, fy = px & 0x3F, py & 0x3F
            glyph_key = (fonts, size, index, flags, fx, fy)
            glyph = glyphs.get(glyph_key)
            if glyph is None:
                font = get_font(fonts)  # this thread's FT2Font
                font.set_size(size, self.dpi)
                font._set_transform(_IDENTITY, [fx, fy])
                bitmap = font._render_glyph(index, flags, RenderMode.NORMAL)
                glyph = (bitmap.buffer.copy(), bitmap.left, bitmap.top)
                if len(glyphs) >= MAX_ENTRIES:
                    glyphs.clear()
                glyphs[glyph_key] = glyph
            buffer, left, top = glyph
            # draw_text_image's y is downwards & the bitmap's bottom side
            draw(
                buffer,
                left + (px >> 6),
                int(height) - (top + (py >> 6)) + buffer.shape[0],
                0,
                gc,
            )


class CachingCanvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` drawing with a ``CachingRenderer`` kept across draws."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            renderer = CachingRenderer if CACHED_TEXT else RendererAgg
            self.renderer = renderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
