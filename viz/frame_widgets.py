"""The widgets of one snapshot per frame (``viz.frame``): the frame's source and the views of it.

``FrameSourceWidget`` is the one widget a frame changes (its ``frame``, sent as is: one websocket
message); its template (``frame_source.vue``) keeps the browser's store of the last frame.
``FrameSlot`` (a text slot: counter, title, headline, strip, link) and ``FrameChart`` (a chart
slot: live charts, department network) draw what that store holds; their own widgets never
change per frame.
"""

from __future__ import annotations

from typing import Any

import ipyvuetify
import solara
import traitlets

from govlab.viz.live_charts import Opaque


class FrameSourceWidget(ipyvuetify.VuetifyTemplate):
    """The one widget a frame changes: its ``frame`` (a ``Frame.message``, sent as is)."""

    template_file = (__file__, "frame_source.vue")
    frame = traitlets.Any(None, allow_none=True).tag(
        sync=True, to_json=lambda value, _w: value.value if isinstance(value, Opaque) else value
    )
    on_hello = traitlets.Callable(None, allow_none=True)
    on_drawn = traitlets.Callable(None, allow_none=True)

    def vue_hello(self, data: Any = None) -> None:
        if self.on_hello is not None:
            self.on_hello(data)

    def vue_drawn(self, data: Any = None) -> None:
        if self.on_drawn is not None:
            self.on_drawn(data)


class FrameSlotWidget(ipyvuetify.VuetifyTemplate):
    """An element whose content is a text slot of the browser's last frame (never per frame)."""

    template_file = (__file__, "frame_slot.vue")
    slot_key = traitlets.Unicode("").tag(sync=True)
    tag = traitlets.Unicode("span").tag(sync=True)
    css_class = traitlets.Unicode("").tag(sync=True)
    css_style = traitlets.Unicode("").tag(sync=True)


class FrameChartWidget(ipyvuetify.VuetifyTemplate):
    """A chart the browser draws from a chart slot of its last frame (bundled ECharts)."""

    template_file = (__file__, "frame_chart.vue")
    slot_key = traitlets.Unicode("").tag(sync=True)
    attributes = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    cdn = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    @traitlets.default("cdn")
    def _cdn(self) -> str | None:  # as Solara's ECharts widget: the proxy serves the bundle
        import solara.settings

        return None if solara.settings.assets.proxy else solara.settings.assets.cdn


@solara.component
def FrameSlot(slot_key: str, tag: str, classes: list[str], style: str = "") -> None:
    """An element (``tag``, CSS ``classes``) showing the text slot ``slot_key`` of the frame."""
    FrameSlotWidget.element(
        slot_key=slot_key, tag=tag, css_class=" ".join(classes), css_style=style
    )


@solara.component
def FrameChart(slot_key: str, css_class: str, height: int | str) -> None:
    """A chart of the chart slot ``slot_key``; ``height`` in px or a CSS length."""
    css_height = f"{height}px" if isinstance(height, int) else height
    FrameChartWidget.element(
        slot_key=slot_key,
        attributes={"style": f"height: {css_height}; width: 100%", "class": css_class},
    )
