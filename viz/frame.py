"""One snapshot per frame: the live tab's views of the day, built at one moment, one message.

Issue 24 item 1: the day counter, both panes' titles, headlines, live charts and department
networks, the difference strip and the link are built by ``FrameBuilder.build`` from the two
models *under the pair's lock* (so from one state of both), into one immutable ``Frame``, and sent
to the browser as the one trait of one widget (``FrameSource``: one websocket message a frame).
The views in the page (``FrameSlot``, ``FrameChart``) draw only what the browser's store of the
last frame holds (``frame_source.vue`` keeps it): the source hands every view the new frame in one
synchronous pass, so the page is redrawn once per frame and never shows two days at once.

Issue 24 item 3, only what changed is sent: the text slots whole (a few hundred bytes); a chart
its whole option when its layout changed (language, projector, scenario, a rebuilt pane), else
only the days added since the frame before and its axes' limits; a department network its
nodes' queues and sizes and its title (``network_change``), and nothing when none changed.
Each frame names the frame it builds on (``base``): a browser that does not hold that one (a
view mounted anew, a frame missed) asks for everything (``hello``) and the next frame is whole.
The browser acknowledges a frame once drawn (``drawn``); the session's play loop waits for it
(``Session.wait_rendered``), so the server steps at the pace the browser draws.
"""

from __future__ import annotations

import html
import json
import threading
import time
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import solara

from govlab.viz import i18n
from govlab.viz.charts import Limits
from govlab.viz.frame_widgets import FrameSourceWidget
from govlab.viz.links import comparison_query
from govlab.viz.live_charts import Opaque, pane_option, tail_points
from govlab.viz.network import department_option
from govlab.viz.pair import Pane
from govlab.viz.session import Session
from govlab.viz.views import coloured, diff_html, differences, headline, pane_colour

SIDES = ("left", "right")


@dataclass(frozen=True)
class Frame:
    """What the page shows of one moment: sent whole (``full``) or as the change from ``base``.

    ``slots``: every text slot's ``{"html", "attrs"}``; ``charts``: per chart slot either
    ``{"option": ...}`` (whole), ``{"append": [points per series], "x": [...], "y": [...]}``
    (a live chart: the days added and the axes' tops) or ``{"merge": ...}`` (a network: what
    changed, merged by index into the option held); ``frame``: the session's frame it shows
    (acknowledged by the browser once drawn).
    """

    seq: int
    base: int | None
    full: bool
    frame: int
    day: int
    slots: MappingProxyType
    charts: MappingProxyType

    def message(self) -> dict[str, Any]:
        """The widget's value (plain JSON)."""
        return {
            "seq": self.seq,
            "base": self.base,
            "full": self.full,
            "frame": self.frame,
            "day": self.day,
            "slots": dict(self.slots),
            "charts": dict(self.charts),
        }


def _layout_key(option: dict[str, Any]) -> str:
    """A chart option without its data and axis tops: equal keys mean appending days suffices."""
    bare = dict(option)
    bare["series"] = [{k: v for k, v in s.items() if k != "data"} for s in option["series"]]
    for axis in ("xAxis", "yAxis"):
        bare[axis] = [{k: v for k, v in a.items() if k != "max"} for a in option[axis]]
    return json.dumps(bare, sort_keys=True, default=str)


@dataclass
class _Sent:
    """What the browser holds of one pane's charts (as far as the builder knows)."""

    pane: Pane
    days: int  # series points sent
    layout: str


class FrameBuilder:
    """Builds a session's frames and remembers what the browser holds (one per page)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seq = 0
        self.charts: dict[str, _Sent] = {}
        self.networks: dict[str, tuple[str, dict[str, Any]]] = {}

    def forget(self) -> None:
        """The browser holds nothing (it asked for everything): the next frame is whole."""
        with self.lock:
            self.charts, self.networks = {}, {}

    def build(self, session: Session, lang: str, projector: bool) -> Frame:
        """The frame of the models' state now: every slot from one state of both panes."""
        pair = session.pair
        t = i18n.translator(lang)
        with self.lock, pair.lock:
            start = time.perf_counter()
            now = session.shown()  # taken under the lock: the same state as the models
            full = not self.charts
            limits = Limits.of(*pair.panes)
            stop = "" if now.stop_at is None else f" → {now.stop_at}"
            slots: dict[str, Any] = {
                "counter": _html(t("day {day}").format(day=pair.day) + stop),
                "diff": {
                    "html": diff_html(differences(pair), lang),
                    "attrs": {"data-day": str(pair.day)},
                },
                "link": {
                    "html": html.escape(t("link to this comparison")),
                    "attrs": {"href": comparison_query(now, lang), "target": "_blank"},
                },
            }
            charts: dict[str, Any] = {}
            for side in SIDES:
                pane: Pane = getattr(pair, side)
                colour = pane_colour(pair, side)
                changed = len(pane.spec.changes())
                title = coloured(i18n.scenario_name(pane.spec.scenario, lang), colour)
                if changed:
                    title += " " + html.escape(t("+{n} lever change(s)").format(n=changed))
                slots[f"title-{side}"] = {"html": title}
                status = f"{t('day {day}').format(day=pane.day)} · {headline(pane, lang)}"
                slots[f"status-{side}"] = _html(status)
                charts[f"charts-{side}"] = self._chart(side, pane, limits, colour, lang, projector)
                if not projector:  # the network is hidden on the projector: nothing sent
                    charts[f"network-{side}"] = self._network(side, pane, lang)
            self.seq += 1
            pair.draw_seconds["frame"] = time.perf_counter() - start
            return Frame(
                seq=self.seq,
                base=None if full else self.seq - 1,
                full=full,
                frame=now.frame,
                day=pair.day,
                slots=MappingProxyType(slots),
                charts=MappingProxyType({k: v for k, v in charts.items() if v is not None}),
            )

    def _chart(
        self, side: str, pane: Pane, limits: Limits, colour: str, lang: str, projector: bool
    ) -> dict[str, Any] | None:
        """The whole option, or the days added since the last frame (None: nothing changed)."""
        sent = self.charts.get(side)
        since = sent.days if sent is not None and sent.pane is pane else 0
        tail = pane_option(pane, limits, colour, lang, projector, points=tail_points(since))
        layout = _layout_key(tail)
        days = len(pane.days)
        if sent is not None and sent.pane is pane and sent.layout == layout and days >= sent.days:
            sent.days = days
            return {
                "append": [series["data"] for series in tail["series"]],
                "x": [axis["max"] for axis in tail["xAxis"]],
                "y": [axis["max"] for axis in tail["yAxis"]],
            }
        self.charts[side] = _Sent(pane, days, layout)
        return {"option": pane_option(pane, limits, colour, lang, projector)}

    def _network(self, side: str, pane: Pane, lang: str) -> dict[str, Any] | None:
        """The whole network option, or today's changes of it (None: nothing changed)."""
        option = department_option(pane.model, lang)
        key, merge = network_change(option)
        held = self.networks.get(side)
        if held is not None and held[0] == key:
            if held[1] == merge:
                return None
            self.networks[side] = (key, merge)
            return {"merge": merge}
        self.networks[side] = (key, merge)
        return {"option": option}


def network_change(option: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A department network's layout key (equal: the nodes' places, names, colours, the links
    and the legend are unchanged) and what changes from day to day: the title (today's total)
    and each node's queue, size and opacity (``merge``: merged into the held option by index)."""
    nodes = option["series"][1]["data"]
    bare = dict(option, title=None)
    bare["series"] = list(option["series"])
    bare["series"][1] = dict(option["series"][1], data=[n["name"] for n in nodes])
    key = json.dumps(bare, sort_keys=True, default=str)
    changing = [
        {"value": n["value"], "symbolSize": n["symbolSize"], "itemStyle": n["itemStyle"]}
        for n in nodes
    ]
    merge = {"title": option["title"], "series": [{}, {"data": changing}, {}]}
    return key, merge


def _html(text: str) -> dict[str, str]:
    return {"html": html.escape(text)}


@solara.component
def FrameFeed(session: Session, lang: str, projector: bool) -> None:
    """Publishes one ``Frame`` per session frame (re-rendered by every published snapshot)."""
    from govlab.viz.app import use_shown

    shown = use_shown(session)
    builder = solara.use_memo(FrameBuilder, [])
    frame = solara.use_memo(
        lambda: Opaque(builder.build(session, lang, projector).message()),
        [shown.frame, lang, projector],
    )

    def hello(_data: Any = None) -> None:
        builder.forget()
        if not session.playing:  # else the play loop's next frame is whole
            session.publish()

    def drawn(data: Any = None) -> None:
        session.browser_drawn(int(data or 0))

    FrameSourceWidget.element(frame=frame, on_hello=hello, on_drawn=drawn)
