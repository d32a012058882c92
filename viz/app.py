"""The trainer app: a silo and a seamless government side by side, in the browser.

``Page`` is the Solara entry point (``solara run viz.app``; ``govlab ui`` starts it). Every browser
session renders its own ``Page`` and so builds its own ``Pair`` of models (``solara.use_memo``;
nothing is built at import time). One transport bar drives both panes; while playing, a worker
thread steps ``k`` days and then redraws, with ``k`` chosen from the measured drawing time
(``viz.controls.days_per_frame``) because a frame costs far more than a day of both models.
"""

from __future__ import annotations

import threading
import time

import solara

from scenarios import ScenarioError
from viz.controls import LeverControls, ScenarioPickers, Transport, days_per_frame
from viz.pair import Pair, PaneSpec
from viz.results_page import ResultsPage, StoredRun
from viz.views import JourneyView, PaneView, ResidentSample

DEFAULT_LEFT, DEFAULT_RIGHT, DEFAULT_SEED = "silo", "smart", 1
FRAME_PAUSE_SECONDS = 0.05  # between frames while playing, so clicks get through
TAB_LIVE, TAB_JOURNEY, TAB_RESULTS = 0, 1, 2


def frame_note(pair: Pair, days: int) -> str:
    """One line on the cost of a frame: stepping vs drawing (what the ``auto`` choice uses)."""
    drawing = sum(pair.draw_seconds.values())
    stepping = pair.step_seconds * days
    share = drawing / (drawing + stepping) if drawing + stepping else 0.0
    return (
        f"a day of both models {1000 * pair.step_seconds:.1f} ms · drawing a frame "
        f"{1000 * drawing:.0f} ms ({100 * share:.0f}% of a frame) · {days} day(s) per frame"
    )


@solara.component
def Page() -> None:
    """The whole app: live panes, journey and resident networks, stored results."""
    pair = solara.use_memo(
        lambda: Pair(PaneSpec(DEFAULT_LEFT), PaneSpec(DEFAULT_RIGHT), DEFAULT_SEED), []
    )
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    frame_choice = solara.use_reactive("auto")
    tab = solara.use_reactive(TAB_LIVE)
    problem = solara.use_reactive("")

    def redraw() -> None:
        version.set(version.value + 1)

    closed = solara.use_memo(threading.Event, [])
    solara.use_effect(lambda: closed.set, [])  # session gone: the cleanup ends the play loop

    def play_loop() -> None:
        while playing.value and not closed.is_set():
            days = days_per_frame(frame_choice.value, sum(pair.draw_seconds.values()))
            pair.step(days)
            redraw()
            time.sleep(FRAME_PAUSE_SECONDS)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def open_run(run: StoredRun, baseline: StoredRun | None) -> None:
        playing.set(False)
        left = PaneSpec(baseline.scenario, baseline.overrides) if baseline else pair.left.spec
        try:
            pair.load(left, PaneSpec(run.scenario, run.overrides), run.seed)
        except (ScenarioError, OSError) as error:
            problem.set(f"cannot open run {run.key}: {error}")
            return
        problem.set("")
        tab.set(TAB_LIVE)
        redraw()

    solara.Title("govlab trainer")
    with solara.Column(style={"padding": "8px 20px", "overflow-x": "hidden"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.HTML(
                tag="h2", unsafe_innerHTML="govlab — silo and seamless government, side by side"
            )
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            Transport(pair, playing, frame_choice, redraw, day=pair.day)
            ScenarioPickers(pair, redraw)
        days = days_per_frame(frame_choice.value, sum(pair.draw_seconds.values()))
        solara.Text(frame_note(pair, days), style={"color": "#777", "font-size": "0.85em"})
        if problem.value:
            solara.Error(problem.value)
        with solara.lab.Tabs(value=tab, lazy=True):
            with solara.lab.Tab("Side by side"), solara.Columns([3, 9]):
                LeverControls(pair, redraw)
                with solara.Columns([1, 1]):
                    PaneView(pair, "left", version.value)
                    PaneView(pair, "right", version.value)
            with solara.lab.Tab("Journey & residents"):
                JourneyView(pair, version.value, redraw)
                with solara.Columns([1, 1]):
                    ResidentSample(pair, "left", version.value)
                    ResidentSample(pair, "right", version.value)
            with solara.lab.Tab("Results"):
                ResultsPage(open_run)
