"""Solara views of a ``Pair``: the two live panes, the journey of one case, the resident networks.

Each view draws a matplotlib figure to PNG once per frame (``version``), under the pair's lock so a
play loop cannot step a model mid-drawing, and records how long the drawing took in
``pair.draw_seconds`` (the play loop uses it to choose the days per frame).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import solara
from matplotlib.figure import Figure

from model import case_table
from viz.charts import LEFT_COLOUR, RIGHT_COLOUR, Limits, draw_pane, png
from viz.journey import draw_journeys, station_labels, timeline
from viz.network import (
    draw_departments,
    draw_residents,
    resident_network,
    sample_layout,
    sample_nodes,
)
from viz.pair import Pair, Pane

COLOURS = {"left": LEFT_COLOUR, "right": RIGHT_COLOUR}


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


def headline(pane: Pane) -> str:
    """Running means over the cases completed so far (one line)."""
    table = case_table(pane.model.journeys.records) if pane.day else None
    if table is None or not len(table["delay_days"]):
        return "no case completed yet"
    return (
        f"{len(table['delay_days'])} cases done · delay {table['delay_days'].mean():.1f} days · "
        f"{table['trips'].mean():.2f} trips per case · backlog {pane.model.journeys.open_cases}"
    )


@solara.component
def PaneView(pair: Pair, side: str, version: int) -> None:
    """One government: title, running figures, live charts and the department network."""
    pane: Pane = getattr(pair, side)
    colour = COLOURS[side]

    def charts() -> bytes:
        limits = Limits.of(*pair.panes)
        return timed_png(pair, f"{side} charts", lambda: draw_pane(pane, limits, colour))

    def departments() -> bytes:
        return timed_png(
            pair,
            f"{side} departments",
            lambda: draw_departments(pane.model, drawings=pane.drawings),
        )

    chart_png = solara.use_memo(charts, [version, id(pane)])
    network_png = solara.use_memo(departments, [version, id(pane)])
    changed = len(pane.spec.overrides)
    with solara.Card(margin=0, classes=[f"govlab-pane-{side}"]):
        solara.HTML(
            tag="h3",
            unsafe_innerHTML=coloured(pane.scenario.name, colour)
            + (f" + {changed} lever change(s)" if changed else ""),
        )
        with solara.Column(gap="2px"):
            solara.Text(pane.scenario.description)
            solara.Text(f"day {pane.day} · {headline(pane)}", classes=[f"govlab-status-{side}"])
        solara.Image(chart_png, width="100%", classes=[f"govlab-charts-{side}"])
        solara.Image(network_png, width="100%", classes=[f"govlab-network-{side}"])


@solara.component
def JourneyView(pair: Pair, version: int, on_change: Callable[[], None]) -> None:
    """Pick a case type; follow the next such case through both governments on a timeline."""
    names = [plan.name for plan in pair.left.model.plans]
    name = names[pair.follow_type] if pair.follow_type < len(names) else names[0]

    def follow(choice: str) -> None:
        pair.follow(names.index(choice))
        on_change()

    def draw() -> bytes:
        lanes = []
        for pane in pair.panes:
            trace = pane.trace()
            lanes.append(
                (
                    pane.scenario.name,
                    timeline(trace, station_labels(pane.model.layout)) if trace else None,
                )
            )
        return timed_png(pair, "journey", lambda: draw_journeys(lanes, name))

    image = solara.use_memo(draw, [version, id(pair.left), id(pair.right), pair.follow_type])
    with solara.Row(style={"align-items": "center"}):
        solara.Select(
            "case type",
            values=names,
            value=name,
            on_value=follow,
            dense=True,
            style={"max-width": "260px"},
        )
        solara.Button("Follow the next case", on_click=lambda: follow(name), outlined=True)
        solara.Text("the next applicant of this type in each government is followed from now on")
    solara.Image(image, width="100%", classes=["govlab-journey"])


@solara.component
def ResidentSample(pair: Pair, side: str, version: int) -> None:
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
        solara.Info(f"{pane.scenario.name}: this model has no resident network yet.")
    else:
        ResidentImage(pair, side, version, placed)


@solara.component
def ResidentImage(pair: Pair, side: str, version: int, placed: tuple) -> None:
    """The drawing of a placed resident sample (redrawn each frame; the layout is not)."""
    pane: Pane = getattr(pair, side)
    image = solara.use_memo(
        lambda: timed_png(pair, f"{side} residents", lambda: draw_residents(pane.model, *placed)),
        [version, id(pane)],
    )
    solara.HTML(
        tag="h4",
        unsafe_innerHTML=coloured(pane.scenario.name, COLOURS[side]),
    )
    solara.Image(image, width="100%", classes=[f"govlab-residents-{side}"])
