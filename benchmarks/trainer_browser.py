"""The trainer page as a trainer meets it (issue 24 item 3): real Chromium, idle and loaded.

    .venv/bin/python benchmarks/trainer_browser.py            # both loads, prints the figures
    (``benchmarks/run.py --only trainer`` runs it as part of the trainer benchmark)

For each load — ``idle`` (nothing added; the machine is shared, so not idle: the load average is
recorded next to every figure) and ``loaded`` (two CPU-bound processes started here, killed at
the end) — a fresh ``govlab ui`` on a free port and headless Debian Chromium (1280×720, offline:
background networking off) measure:

- first load: ``goto`` until both panes' live charts have drawn their text;
- frames per second while playing at the default speed (10 working days/s) for 10 s: changes of
  the day counter the page shows (at most 10/s at that speed: one day a frame), and the days
  a frame covered on average (1.0 means no day skipped beyond what the speed asks);
- tab switch: "About" and back to "Side by side", click until the tab's content shows (median of
  3 each way);
- share link at day 400: ``goto`` a link with ``day=400`` until the counter and both headlines
  say day 400 (the link replays in the background, the counter climbing);
- lever change at day 365 (a page opened by a link at day 365): click "front desk" until the
  right pane's title counts the change and its headline says day 365 — the first change (a
  replay of the right pane from day 0) is the figure; switching it back on and off again (the
  pane replaced is kept: no replay) is in the note.

Seconds are wall time around Playwright's waits (a few ms of its own per wait). No assertion.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PLAY_SECONDS = 10.0
LINK_DAY = 400
LEVER_DAY = 365
TARGETS = {  # issue 24 item 3: (idle, loaded); None: no target at that load
    "fps": (5.0, 3.0),
    "lever_s": (1.5, 3.0),
    "tab_s": (0.5, None),
}
COUNT_FRAMES_JS = """() => { window.govlabShown = 0;
  new MutationObserver(() => window.govlabShown++).observe(
    document.querySelector('.govlab-day'), {childList: true, subtree: true, characterData: true});
}"""
CHARTS_DRAWN_JS = """() => ['left', 'right'].every(side => {
  const el = document.querySelector('.govlab-charts-' + side);
  return el && el.govlabChart && el.govlabChart.getZr().storage.getDisplayList(true)
    .some(d => d.style && d.style.text);
})"""


def load_average() -> float:
    """The 1-minute load average now (2 cores shared with other work: > 2 is a busy machine)."""
    return round(os.getloadavg()[0], 2)


@contextmanager
def competitors(count: int) -> Iterator[None]:
    """``count`` CPU-bound processes for the duration (the ``loaded`` measurement)."""
    busy = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
        for _ in range(count)
    ]
    try:
        time.sleep(2.0 if busy else 0.0)  # let them take their share
        yield
    finally:
        for process in busy:
            process.kill()
            process.wait(timeout=20)


@contextmanager
def served() -> Iterator[str]:
    """``govlab ui`` on a free port with an empty store; its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = Path(tempfile.mkdtemp(prefix="govlab_bench_ui_"))
    govlab = shutil.which("govlab", path=str(Path(sys.executable).parent)) or "govlab"
    env = {**os.environ, "GOVLAB_DB": f"sqlite:///{folder / 'empty.db'}"}
    server = subprocess.Popen(
        [govlab, "ui", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def _seconds(action: Callable[[], None], done: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    done()
    return time.perf_counter() - start


def _day(page) -> int:
    return int(
        "".join(ch for ch in page.locator(".govlab-day").inner_text().split("→")[0] if ch.isdigit())
    )


def measure(url: str) -> dict[str, tuple[float, float, str]]:
    """Every figure at the current load: name -> (value, load average when taken, note)."""
    from playwright.sync_api import expect, sync_playwright

    figures: dict[str, tuple[float, float, str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        expect.set_options(timeout=300_000)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720}, locale="en-GB")
            load = load_average()
            first = _seconds(
                lambda: page.goto(url),
                lambda: page.wait_for_function(CHARTS_DRAWN_JS, timeout=300_000),
            )
            figures["first_load_s"] = (first, load, "until both panes' charts drew their text")

            page.evaluate(COUNT_FRAMES_JS)
            load = load_average()
            start_day = _day(page)
            page.locator(".govlab-play").click()
            time.sleep(PLAY_SECONDS)
            frames = page.evaluate("() => window.govlabShown")
            end_day = _day(page)
            page.locator(".govlab-play").click()
            fps = frames / PLAY_SECONDS
            per_frame = (end_day - start_day) / max(frames, 1)
            figures["fps"] = (
                fps,
                load,
                f"{frames} frames in {PLAY_SECONDS:.0f} s at 10 days/s, day {start_day}→"
                f"{end_day}: {per_frame:.2f} days a frame",
            )

            load = load_average()
            tabs = []
            for _ in range(3):
                tabs.append(
                    _seconds(
                        lambda: page.get_by_role("tab", name="About").click(),
                        lambda: expect(page.locator(".govlab-about")).to_be_visible(),
                    )
                )
                tabs.append(
                    _seconds(
                        lambda: page.get_by_role("tab", name="Side by side").click(),
                        lambda: page.wait_for_function(CHARTS_DRAWN_JS, timeout=300_000),
                    )
                )
            figures["tab_s"] = (
                statistics.median(tabs),
                load,
                "median of 6 (About, back): " + ", ".join(f"{t:.2f}" for t in tabs),
            )
            page.close()

            page = browser.new_page(viewport={"width": 1280, "height": 720}, locale="en-GB")
            load = load_average()
            query = f"?left=silo&right=smart&seed=1&day={LINK_DAY}"
            link = _seconds(
                lambda: page.goto(url + query),
                lambda: [
                    expect(page.locator(cls)).to_contain_text(f"day {LINK_DAY}")
                    for cls in (".govlab-day", ".govlab-status-left", ".govlab-status-right")
                ],
            )
            figures["link_s"] = (link, load, f"goto until the page shows day {LINK_DAY}")
            page.close()

            page = browser.new_page(viewport={"width": 1280, "height": 720}, locale="en-GB")
            page.goto(url + f"?left=silo&right=smart&seed=1&day={LEVER_DAY}")
            status = page.locator(".govlab-status-right")
            expect(status).to_contain_text(f"day {LEVER_DAY}")
            page.wait_for_function(CHARTS_DRAWN_JS, timeout=300_000)
            expect(page.locator(".govlab-step")).to_be_enabled()  # the replay has ended
            title = page.locator(".govlab-title-right")
            load = load_average()
            changes = []
            for attempt in range(3):  # front desk off, on, off: each a rebuild of the right pane
                changed = attempt % 2 == 0
                changes.append(
                    _seconds(
                        lambda: page.locator(".govlab-lever-front_desk input").click(force=True),
                        lambda changed=changed: (
                            expect(title).to_contain_text("+1 lever change(s)")
                            if changed
                            else expect(title).not_to_contain_text("lever change"),
                            expect(status).to_contain_text(f"day {LEVER_DAY}"),
                        ),
                    )
                )
                page.wait_for_timeout(1000)
            figures["lever_s"] = (
                changes[0],
                load,
                f"front desk off: the right pane replayed from day 0; switched back on "
                f"{changes[1]:.2f} s and off again {changes[2]:.2f} s (the kept pane, no replay)",
            )
        finally:
            browser.close()
    return figures


def both_loads() -> dict[str, dict[str, tuple[float, float, str]]]:
    """The figures idle and beside two CPU-bound competitors."""
    out = {}
    for name, count in (("idle", 0), ("loaded", 2)):
        with competitors(count), served() as url:
            out[name] = measure(url)
    return out


def main() -> None:
    for load, figures in both_loads().items():
        print(f"-- {load}")
        for name, (value, average, note) in figures.items():
            print(f"{name:14s} {value:8.2f}   load average {average:5.2f}   {note}")


if __name__ == "__main__":
    main()
