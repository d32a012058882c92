"""Target 5 (report) and issue 13: the trainer app's frames, on the server and in the browser.

Server side, headless, with the app's own pieces (``viz.pair.Pair``, ``viz.charts.draw_pane``,
``viz.network.department_option``) on the default pair (``silo`` left, ``smart``
right, seed 1):

- one frame at day 60 (as before) and at day 365: ``pair.step(k)`` with k the days a frame covers at
  the default speed (10 days/s at 5 frames/s → 2 days), then per pane its live charts' and its
  department network's ECharts options serialised to JSON — what the "Side by side" tab sends
  per frame (the browser draws them);
- a lever change at day 365: ``pair.rebuild`` (the pane replays from day 0) plus its redraw.

In the browser (full run only, needs /usr/bin/chromium; ``trainer_browser``, issue 24 item 3):
``govlab ui`` and headless Chromium at 1280×720, idle and beside two CPU-bound competitors the
benchmark starts: frames per second while playing, lever change at day 365, tab switch, first
load, share link at day 400, each with the load average when it was taken.
"""

from __future__ import annotations

import json
import os
import statistics
import time

from common import Result

from govlab.viz.charts import LEFT_COLOUR, RIGHT_COLOUR, Limits, draw_pane, png
from govlab.viz.live_charts import pane_option
from govlab.viz.network import department_option
from govlab.viz.pair import Pair, PaneSpec
from govlab.viz.session import DEFAULT_SPEED

TARGET_MS = 250.0
SERVER_FRAME_TARGET_MS = 100.0
REBUILD_TARGET_MS = 1500.0
FPS_TARGET = 5.0
WARMUP_DAYS = 60
DAYS_PER_FRAME = max(1, DEFAULT_SPEED // 5)


def free_cores() -> float:
    """Cores not busy right now (1-minute load average against the core count)."""
    return max(0.0, (os.cpu_count() or 1) - os.getloadavg()[0])


def draw(pair: Pair) -> int:
    """What the server does for a frame of the live tab: each pane's chart option and its
    department network option (the browser draws both), serialised to JSON as the widgets send
    them; the bytes sent."""
    limits = Limits.of(*pair.panes)
    sent = 0
    for pane, colour in zip(pair.panes, (LEFT_COLOUR, RIGHT_COLOUR), strict=True):
        sent += len(json.dumps(pane_option(pane, limits, colour)))
        sent += len(json.dumps(department_option(pane.model)))
    return sent


def draw_matplotlib(pair: Pair) -> None:
    """The former frame: the live charts rendered to PNG by matplotlib on the server."""
    limits = Limits.of(*pair.panes)
    for pane, colour in zip(pair.panes, (LEFT_COLOUR, RIGHT_COLOUR), strict=True):
        png(draw_pane(pane, limits, colour))


def rendered_frame_ms(count: int) -> float:
    """A frame at day 365 as the server makes it for a page: step both panes, publish, and let
    Solara render the page's components and widgets (in this thread, as the play loop does;
    no browser, so no websocket), with the server's renderer (``viz.server``: REACTON_FAST):
    the median of ``count`` frames, in ms."""
    import solara

    from govlab.viz.server import server_environment

    os.environ.setdefault("REACTON_FAST", server_environment({})["REACTON_FAST"])

    from govlab.viz import app as trainer_app
    from govlab.viz.session import Session

    session = Session.start("silo", "smart", seed=1)
    session.pair.step(365)
    made = trainer_app.new_session
    trainer_app.new_session = lambda query: (session, "")
    try:
        _, context = solara.render(trainer_app.Page(), handle_error=False)
        times = []
        for _ in range(count + 1):
            start = time.perf_counter()
            session.step(DAYS_PER_FRAME)
            times.append(time.perf_counter() - start)
        context.close()
    finally:
        trainer_app.new_session = made
    return statistics.median(times[1:]) * 1e3


def frame_bytes(pair: Pair, count: int) -> tuple[float, float, float]:
    """Bytes a frame of the live tab sends: every chart option whole (the page before issue 24)
    and ``viz.frame``'s frame (after a first, whole one), medians over ``count`` frames of
    ``DAYS_PER_FRAME`` days; and the frame's build time in ms."""
    from govlab.viz.frame import FrameBuilder
    from govlab.viz.session import Session

    session, builder = Session(pair), FrameBuilder()
    builder.build(session, "en", False)  # the first frame is whole
    whole, sent, build = [], [], []
    for _ in range(count):
        pair.step(DAYS_PER_FRAME)
        start = time.perf_counter()
        message = builder.build(session, "en", False).message()
        build.append((time.perf_counter() - start) * 1e3)
        sent.append(len(json.dumps(message)))
        whole.append(draw(pair) + len(json.dumps(message["slots"])))
    return statistics.median(whole), statistics.median(sent), statistics.median(build)


def frame(pair: Pair, days: int = 1) -> tuple[float, float]:
    start = time.perf_counter()
    pair.step(days)
    stepped = time.perf_counter()
    draw(pair)
    return stepped - start, time.perf_counter() - stepped


def _frames(pair: Pair, count: int, days: int) -> tuple[float, float, float]:
    frame(pair, days)  # first drawing loads fonts and caches
    frames = [frame(pair, days) for _ in range(count)]
    step = statistics.median(s for s, _ in frames) * 1e3
    drawn = statistics.median(d for _, d in frames) * 1e3
    total = statistics.median(s + d for s, d in frames) * 1e3
    return step, drawn, total


def bench(quick: bool) -> list[Result]:
    count = 5 if quick else 10
    pair = Pair(PaneSpec("silo"), PaneSpec("smart"), seed=1)
    pair.step(WARMUP_DAYS)
    step, drawn, total = _frames(pair, count, 1)
    results = [
        Result(
            name="trainer: one frame (step both + redraw both panes)",
            ours=total,
            reference=None,
            unit="ms/frame",
            ratio=total,
            ratio_unit=" ms",
            target=TARGET_MS,
            higher_is_better=False,
            note=f"day {WARMUP_DAYS}: step {step:.1f} ms + drawing {drawn:.0f} ms; drawing is "
            f"{drawn / (step + drawn):.0%} of a frame (report only, not a test)",
        )
    ]
    pair.step(365 - pair.day)
    step, drawn, total = _frames(pair, count, DAYS_PER_FRAME)
    results.append(
        Result(
            name=f"trainer: server time per frame at day 365 ({DAYS_PER_FRAME} days/frame)",
            ours=total,
            reference=None,
            unit="ms/frame",
            ratio=total,
            ratio_unit=" ms",
            target=SERVER_FRAME_TARGET_MS,
            higher_is_better=False,
            note=f"step {step:.1f} ms + drawing {drawn:.0f} ms; free cores {free_cores():.1f}",
        )
    )
    whole, sent, build_ms = frame_bytes(pair, count)
    results.append(
        Result(
            name=f"trainer: bytes sent per frame at day {pair.day} (whole options / frame)",
            ours=sent,
            reference=whole,
            unit="bytes/frame",
            ratio=whole / sent,
            target=None,
            note=f"a frame of viz.frame (the days added, the networks' changes, the texts): "
            f"{sent:,.0f} B against {whole:,.0f} B for every option whole; built in "
            f"{build_ms:.0f} ms (median)",
        )
    )
    rendered = rendered_frame_ms(count)
    results[
        -1
    ].note += f"; with the page's widgets rendered (Solara, no browser): {rendered:.0f} ms/frame"
    matplotlib_ms = []
    for _ in range(3):
        start = time.perf_counter()
        draw_matplotlib(pair)
        matplotlib_ms.append(time.perf_counter() - start)
    results[-1].note += (
        f"; the same frame drawn by matplotlib on the server: "
        f"{statistics.median(matplotlib_ms) * 1e3:.0f} ms"
    )
    day = pair.day
    times = []
    for value in (False, True) if quick else (False, True, False):
        start = time.perf_counter()
        pair.rebuild("right", PaneSpec("smart", {"levers.front_desk": value}))
        draw(pair)
        times.append(time.perf_counter() - start)
    rebuild = statistics.median(times) * 1e3
    results.append(
        Result(
            name=f"trainer: lever change at day {day} (replay from day 0 + redraw)",
            ours=rebuild,
            reference=None,
            unit="ms",
            ratio=rebuild,
            ratio_unit=" ms",
            target=REBUILD_TARGET_MS,
            higher_is_better=False,
            note=f"server side only; free cores {free_cores():.1f}",
        )
    )
    if not quick and os.path.exists("/usr/bin/chromium"):
        results.extend(browser_results())
    return results


def browser_results() -> list[Result]:
    """The page in real Chromium idle and beside two CPU-bound competitors
    (``trainer_browser``): frames per second, lever change at day 365, tab switch, first
    load, share link at day 400, each with the load average when it was taken."""
    from trainer_browser import LEVER_DAY, LINK_DAY, TARGETS, both_loads

    names = {
        "first_load_s": ("first load", "s", None),
        "fps": ("frames per second while playing (1280×720)", "frames/s", "fps"),
        "tab_s": ("tab switch", "s", "tab_s"),
        "link_s": (f"share link at day {LINK_DAY}", "s", None),
        "lever_s": (f"lever change at day {LEVER_DAY} (replay), until shown", "s", "lever_s"),
    }
    results = []
    for load, figures in both_loads().items():
        for key, (value, average, note) in figures.items():
            label, unit, target_key = names[key]
            target = None
            if target_key is not None:
                target = TARGETS[target_key][0 if load == "idle" else 1]
            results.append(
                Result(
                    name=f"trainer in Chromium, {load}: {label}",
                    ours=value,
                    reference=None,
                    unit=unit,
                    ratio=value,
                    ratio_unit=" /s" if unit == "frames/s" else " s",
                    target=target,
                    higher_is_better=key == "fps",
                    note=f"load average {average:.2f}; {note}",
                )
            )
    return results
