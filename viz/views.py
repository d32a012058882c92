"""Solara views of a ``Pair``: the two live panes, the journey of one case, the resident networks.

The live panes are slots of the page's one frame (``viz.frame`` builds every view of the day
from one state of both models and sends it as one message); this module keeps their structure
and the texts they show (``headline``, ``diff_html``). The journey and the resident networks
(another tab) build their drawing once per frame (``frame``/``version``) under the pair's lock
and record how long that took in ``pair.draw_seconds``; the journey is a matplotlib PNG (it
changes only while the followed case is open).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import solara
from matplotlib.figure import Figure

from govlab.model import case_table
from govlab.results.palette import pane_colours
from govlab.viz import exports, i18n
from govlab.viz.charts import png
from govlab.viz.frame_widgets import FrameChart, FrameSlot
from govlab.viz.journey import draw_journeys, station_labels, timeline
from govlab.viz.links import comparison_query
from govlab.viz.live_charts import Chart, Opaque
from govlab.viz.network import (
    resident_network,
    residents_option,
    sample_layout,
    sample_nodes,
)
from govlab.viz.pair import Pair, Pane
from govlab.viz.session import Session

# the live charts fill the window's height under the bars (a 1920×1080 room screen too)
CHART_HEIGHT = "max(440px, calc(100vh - 330px))"
PROJECTOR_HEIGHT = "max(430px, calc(100vh - 250px))"


def pane_colour(pair: Pair, side: str) -> str:
    """The pane's colour: its scenario's, as in the results tab and the report
    (``results.palette``)."""
    left, right = pane_colours(pair.left.spec.scenario, pair.right.spec.scenario)
    return left if side == "left" else right


def timed_png(pair: Pair, key: str, make: Callable[[], Figure]) -> bytes:
    """Draw under the pair's lock; remember the seconds it took under ``key``."""
    with pair.lock:
        start = time.perf_counter()
        data = png(make())
        pair.draw_seconds[key] = time.perf_counter() - start
    return data


def coloured(text: str, colour: str) -> str:
    """``text`` as HTML in ``colour``."""
    return f"<span style='color:{colour}'>{html.escape(text)}</span>"


def in_service(pane: Pane) -> int:
    """Cases waiting in a queue or being served at a department now (the backlog chart's top)."""
    return int(sum(d.in_system for d in pane.model.departments))


def headline(pane: Pane, lang: str = "en") -> str:
    """Running means over every case completed so far (the line says so: the charts average
    the last 10 days), and today's open cases (one line)."""
    t = i18n.translator(lang)
    table = case_table(pane.model.journeys.records) if pane.day else None
    queued = t("open cases {value}").format(value=in_service(pane))
    if table is None or not len(table["delay_days"]):
        return f"{t('no case completed yet')} · {queued}"
    return " · ".join(
        (
            t("{n} cases done so far").format(n=len(table["delay_days"])),
            t("mean delay {value} days").format(value=f"{table['delay_days'].mean():.1f}"),
            t("{value} trips per case").format(value=f"{table['trips'].mean():.2f}"),
            queued,
        )
    )


@solara.component
def PaneView(
    pair: Pair, side: str, lang: str = "en", projector: bool = False, scenario: str = ""
) -> None:
    """One government: title, running figures, live charts and the department network, each
    a slot of the page's one frame (``viz.frame``): this component is not re-rendered per frame
    (only when its ``scenario``, the language or the projector changes)."""
    pane: Pane = getattr(pair, side)
    with solara.Card(margin=0, classes=[f"govlab-pane-{side}"]):
        FrameSlot(f"title-{side}", "h3", [f"govlab-title-{side}"], "margin: 0")
        with solara.Column(gap="2px"):
            solara.Text(
                i18n.scenario_note(pane.spec.scenario, pane.scenario.description, lang),
                classes=["govlab-help", "govlab-not-projector"],
            )
            FrameSlot(f"status-{side}", "span", [f"govlab-status-{side}", "govlab-headline"])
        height = PROJECTOR_HEIGHT if projector else CHART_HEIGHT
        FrameChart(f"charts-{side}", f"govlab-charts-{side}", height)
        hide = " govlab-hidden" if projector else ""  # not sent while hidden (viz.frame)
        FrameChart(f"network-{side}", f"govlab-network-{side}{hide}", 340)


def timed_option(pair: Pair, key: str, make: Callable[[], dict]) -> Opaque:
    """Build a chart's option under the pair's lock; remember the seconds it took under ``key``."""
    with pair.lock:
        start = time.perf_counter()
        option = make()
        pair.draw_seconds[key] = time.perf_counter() - start
    return Opaque(option)


@solara.component
def JourneyView(session: Session, frame: int, lang: str = "en") -> None:
    """Pick a case type; follow the next such case through both governments on a timeline."""
    t = i18n.translator(lang)
    pair = session.pair
    names = [plan.name for plan in pair.left.model.plans]
    name = names[pair.follow_type] if pair.follow_type < len(names) else names[0]

    def follow(choice: str) -> None:
        session.follow(names.index(choice))

    def draw() -> bytes:
        lanes = []
        for pane in pair.panes:
            trace = pane.trace()
            lanes.append(
                (
                    i18n.scenario_name(pane.spec.scenario, lang),
                    timeline(trace, station_labels(pane.model.layout, lang)) if trace else None,
                )
            )
        colours = (pane_colour(pair, "left"), pane_colour(pair, "right"))
        return timed_png(pair, "journey", lambda: draw_journeys(lanes, name, lang, colours))

    image = solara.use_memo(draw, [frame, id(pair.left), id(pair.right), pair.follow_type, lang])
    with solara.Row(style={"align-items": "center"}):
        i18n.ChoiceSelect(
            t("case type"),
            names,
            name,
            follow,
            lang,
            kind="case",
            classes=["govlab-case-type"],
            style={"max-width": "300px"},
        )
        solara.Button(t("Follow the next case"), on_click=lambda: follow(name), outlined=True)
        solara.Text(t("the next applicant of this type in each government is followed from now on"))
    solara.Image(image, width="100%", classes=["govlab-journey"])


@solara.component
def ResidentSample(pair: Pair, side: str, version: int, lang: str = "en") -> None:
    """A few hundred residents of one pane's social network, participants coloured."""
    pane: Pane = getattr(pair, side)
    found = resident_network(pane.model)

    def layout():
        if found is None:
            return None
        nodes = sample_nodes(found[0], seed=pair.seed)
        return nodes, sample_layout(found[0], nodes, seed=pair.seed)

    placed = solara.use_memo(layout, [id(pane)])  # once per model: never per frame
    if placed is None:
        solara.Info(
            i18n.translator(lang)("{scenario}: no resident network").format(
                scenario=i18n.scenario_name(pane.spec.scenario, lang)
            )
        )
    else:
        ResidentImage(pair, side, version, placed, lang)


@solara.component
def ResidentImage(pair: Pair, side: str, version: int, placed: tuple, lang: str = "en") -> None:
    """The drawing of a placed resident sample (redrawn each frame; the layout is not)."""
    pane: Pane = getattr(pair, side)
    option = solara.use_memo(
        lambda: timed_option(
            pair, f"{side} residents", lambda: residents_option(pane.model, *placed, lang)
        ),
        [version, id(pane), lang],
    )
    solara.HTML(
        tag="h4",
        unsafe_innerHTML=coloured(
            i18n.scenario_name(pane.spec.scenario, lang), pane_colour(pair, side)
        ),
    )
    Chart(option, f"govlab-residents-{side}", 420)


def differences(pair: Pair) -> dict[str, float | None]:
    """Right minus left on the same seed (paired): mean delay and trips over the cases completed
    so far, and today's mean trust (None where a pane has no value yet). When the right pane was
    reformed from a day D (its first reform), also the delay of the cases opened before D and
    of those opened since (``reform_day``, ``delay_before``, ``delay_since``)."""
    reforms = pair.right.spec.reforms
    day = min(reform[0] for reform in reforms) if reforms else None
    values = []
    for pane in pair.panes:
        table = case_table(pane.model.journeys.records) if pane.day else None
        done = table is not None and len(table["delay_days"]) > 0
        trust = pane.civic("trust_mean")
        value = {
            "delay": float(table["delay_days"].mean()) if done else None,
            "trips": float(table["trips"].mean()) if done else None,
            "trust": trust[-1] if trust else None,
        }
        if day is not None:
            since = table["arrival_day"] >= day if done else None
            value["delay_before"] = _mean_of(table, ~since) if done else None
            value["delay_since"] = _mean_of(table, since) if done else None
        values.append(value)
    left, right = values
    diffs: dict[str, float | None] = {
        key: None if left[key] is None or right[key] is None else right[key] - left[key]
        for key in left
    }
    if day is not None:
        diffs["reform_day"] = float(day)
    return diffs


def _mean_of(table: dict, mask) -> float | None:
    """Mean delay of the cases ``mask`` selects (None without any)."""
    return float(table["delay_days"][mask].mean()) if mask.any() else None


DIFF_FORMATS = {
    "delay": ("delay (days)", "{:+.1f}", -1),
    "trips": ("trips", "{:+.2f}", -1),
    "trust": ("trust", "{:+.3f}", 1),
}  # fmt: skip  (label, format, sign of better)


def diff_html(diffs: dict[str, float | None], lang: str) -> str:
    """The difference strip: each Δ with its sign, green where the right pane does better."""
    t = i18n.translator(lang)
    parts = [f"<b>{html.escape(t('Δ right − left'))}</b>"]
    for key, (label, fmt, better) in DIFF_FORMATS.items():
        value = diffs.get(key)
        if value is None or value != value:
            parts.append(f"<span>{html.escape(t(label))} —</span>")
            continue
        colour = "#1e8449" if value * better > 0 else "#b03a2e" if value else "#555"
        text = f"{t(label)} {fmt.format(value)}"
        parts.append(f"<span style='color:{colour}'>{html.escape(text)}</span>")
    if diffs.get("reform_day") is not None:  # before and after the right pane's reform
        shown = [
            "—" if diffs.get(key) is None else f"{diffs[key]:+.1f}"
            for key in ("delay_before", "delay_since")
        ]
        text = t("reform from day {day}: delay of the cases opened before {before}, since {since}")
        text = text.format(day=int(diffs["reform_day"]), before=shown[0], since=shown[1])
        parts.append(f"<span class='govlab-reform'>{html.escape(text)}</span>")
    return " ".join(parts)


@solara.component
def DownloadBar(session: Session, lang: str) -> None:
    """Download the shown series (CSV) and either pane's charts (PNG), each saying the
    comparison it comes from (``viz.exports``, made when clicked); a link to reopen (a slot of
    the page's frame: it names today's day)."""
    t = i18n.translator(lang)

    def chart_png(side: str) -> Callable[[], bytes]:
        def make() -> bytes:
            pair = session.pair
            with pair.lock:
                query = comparison_query(session.shown(), lang)
                return exports.chart_png(pair, side, pane_colour(pair, side), lang, query)

        return make

    def csv() -> bytes:
        pair = session.pair
        with pair.lock:
            return exports.series_csv(pair, lang, comparison_query(session.shown(), lang))

    with solara.Row(gap="4px", style={"align-items": "center"}):
        for data, filename, label, cls in (
            (csv, "govlab_series.csv", t("download CSV"), "csv"),
            (chart_png("left"), "govlab_left_charts.png", t("PNG left"), "png-left"),
            (chart_png("right"), "govlab_right_charts.png", t("PNG right"), "png-right"),
        ):
            with solara.FileDownload(data, filename=filename):
                solara.Button(
                    label,
                    icon_name="mdi-download",
                    text=True,
                    small=True,
                    classes=[f"govlab-download-{cls}"],
                )
        FrameSlot("link", "a", ["govlab-link"])
