"""Target 5 (report) and issue 13: the trainer app's frames, on the server and in the browser.

Server side, headless, with the app's own pieces (``viz.pair.Pair``, ``viz.charts.draw_pane``,
``viz.network.department_option``) on the default pair (``silo`` left, ``smart``
right, seed 1):

- one frame at day 60 (as before) and at day 365: ``pair.step(k)`` with k the days a frame covers at
  the default speed (10 days/s at 5 frames/s → 2 days), then per pane its live charts' and its
  department network's ECharts options serialised to JSON — what the "Side by side" tab sends
  per frame (the browser draws them);
- a lever change at day 365: ``pair.rebuild`` (the pane replays from day 0) plus its redraw.

In the browser (full run only, needs /usr/bin/chromium): ``govlab ui`` on a free port, headless
Chromium at 1280×720, play at the default speed for 10 s from day 0, counting the frames the page
shows (changes of the day counter) — frames per second as a trainer sees them. The
free cores at that moment (``os.getloadavg``) are printed with it.
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
        results.extend(browser_fps())
    return results


def browser_fps(seconds: float = 10.0) -> tuple[Result, Result]:
    """Frames per second the page shows while playing, and the time a lever change at day 365
    takes to show (headless Chromium, 1280×720)."""
    import shutil
    import socket
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    govlab = shutil.which("govlab", path=str(Path(sys.executable).parent)) or "govlab"
    server = subprocess.Popen(
        [govlab, "ui", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url)
            page.locator(".govlab-day").wait_for(timeout=120_000)
            page.evaluate(
                """() => { window.govlabFrames = 0;
                const day = document.querySelector('.govlab-day');
                new MutationObserver(() => window.govlabFrames++).observe(day,
                {childList: true, subtree: true, characterData: true}); }"""
            )
            cores = free_cores()
            page.locator(".govlab-play").click()
            time.sleep(seconds)
            frames = page.evaluate("() => window.govlabFrames")
            day = page.locator(".govlab-day").inner_text()
            page.locator(".govlab-play").click()  # pause
            page.locator(".govlab-step").wait_for(state="visible")
            # a fresh page opened at day 365 by a link (no need to play there)
            page.goto(url + "?left=silo&right=smart&seed=1&day=365")
            page.locator(".govlab-status-right", has_text="day 365").wait_for(timeout=300_000)
            page.locator(".govlab-network-right canvas").first.wait_for(timeout=120_000)
            page.wait_for_timeout(2000)
            title = page.locator(".govlab-title-right")
            lever_cores = free_cores()
            changes = []
            for attempt in range(3):  # front desk off, on, off: each a rebuild from day 0
                start = time.perf_counter()
                page.locator(".govlab-lever-front_desk input").click(force=True)
                if attempt % 2 == 0:
                    title.filter(has_text="+1 lever change(s)").wait_for(timeout=60_000)
                else:
                    page.wait_for_function(
                        "() => !document.querySelector('.govlab-title-right')"
                        ".innerText.includes('lever change')",
                        timeout=60_000,
                    )
                page.locator(".govlab-status-right", has_text="day 365").wait_for(timeout=60_000)
                changes.append(time.perf_counter() - start)
                page.wait_for_timeout(1500)
            lever_seconds = statistics.median(changes)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    fps = frames / seconds
    lever = Result(
        name="trainer: lever change at day 365 until the browser shows the rebuilt pane",
        ours=lever_seconds * 1e3,
        reference=None,
        unit="ms",
        ratio=lever_seconds * 1e3,
        ratio_unit=" ms",
        target=REBUILD_TARGET_MS,
        higher_is_better=False,
        note=f"click to the new title and headline, median of 3 "
        f"({', '.join(f'{c:.2f}' for c in changes)} s); free cores {lever_cores:.1f}",
    )
    return lever, Result(
        name="trainer: frames per second in the browser while playing (1280×720)",
        ours=fps,
        reference=None,
        unit="frames/s",
        ratio=fps,
        ratio_unit=" /s",
        target=FPS_TARGET,
        higher_is_better=True,
        note=f"{frames} frames in {seconds:.0f} s, reached {day}; free cores {cores:.1f}",
    )
