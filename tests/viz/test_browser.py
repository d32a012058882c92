"""End-to-end: ``govlab ui`` in a subprocess, driven by headless Chromium (Playwright), offline.

Checks that both panes render, that stepping advances the day and redraws the charts, that a lever
rebuilds the right pane, that the results page opens, and that every request stayed on localhost
and succeeded.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import missing_part
from viz import assets

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
LOCAL_PREFIXES = ("http://127.0.0.1", "data:", "blob:", "about:")


@pytest.fixture(autouse=True)
def _chromium_present():
    if not Path(CHROMIUM).exists():
        missing_part("needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_server(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"govlab ui exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer")


@pytest.fixture
def server(tmp_path):
    """``govlab ui`` on a free port with the project's offline asset cache and an empty store."""
    if assets.missing():
        assets.install()
    port = _free_port()
    govlab = shutil.which("govlab", path=str(Path(sys.executable).parent)) or "govlab"
    env = {**os.environ, "GOVLAB_DB": f"sqlite:///{tmp_path / 'empty.db'}"}
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [govlab, "ui", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for_server(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _chart_src(page, cls: str) -> str:
    return page.locator(f"img.{cls}, .{cls} img").first.get_attribute("src") or ""


def test_trainer_app_offline_end_to_end(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    requests, failures = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1300})
            page.on("request", lambda request: requests.append(request.url))
            page.on(
                "requestfailed",
                lambda request: failures.append(f"{request.url} {request.failure}"),
            )
            page.goto(server)
            day = page.locator(".govlab-day")
            expect(day).to_have_text("day 0", timeout=60_000)
            for side, name in (("left", "silo"), ("right", "smart")):
                pane = page.locator(f".govlab-pane-{side}")
                expect(pane.locator("h3")).to_contain_text(name)
                expect(pane.locator("img")).to_have_count(2)  # charts and department network
            before = _chart_src(page, "govlab-charts-right")
            assert before

            step = page.get_by_role("button", name="Step")
            for expected in (1, 2, 3):
                step.click()
                expect(day).to_have_text(f"day {expected}", timeout=30_000)
            expect(page.locator(".govlab-status-left")).to_contain_text("day 3")
            expect(page.locator(".govlab-status-right")).to_contain_text("day 3")
            assert _chart_src(page, "govlab-charts-right") != before

            right_title = page.locator(".govlab-pane-right h3")
            expect(right_title).not_to_contain_text("lever change")
            page.get_by_role("switch", name="front desk").click(force=True)
            expect(right_title).to_contain_text("1 lever change(s)", timeout=30_000)
            expect(page.locator(".govlab-status-right")).to_contain_text("day 3")
            expect(page.locator(".govlab-pane-left h3")).not_to_contain_text("lever change")

            play = page.get_by_role("button", name="Play")
            play.click()
            expect(day).not_to_have_text("day 3", timeout=30_000)  # playing steps k days a frame
            page.get_by_role("button", name="Pause").click()
            expect(step).to_be_enabled(timeout=30_000)

            page.get_by_role("tab", name="Journey & residents").click()
            expect(page.locator("img.govlab-journey, .govlab-journey img")).to_have_count(
                1, timeout=30_000
            )

            page.get_by_role("tab", name="Results").click()
            expect(page.get_by_text("No results are stored")).to_be_visible(timeout=30_000)
            page.get_by_role("tab", name="Side by side").click()
            expect(page.locator(".govlab-pane-right img")).to_have_count(2, timeout=30_000)
            page.screenshot(path=str(tmp_path / "trainer.png"), full_page=True)
        finally:
            browser.close()

    outside = [url for url in requests if not url.startswith(LOCAL_PREFIXES)]
    assert not outside, f"requests left localhost: {outside}"
    assert not failures, f"failed requests: {failures}"
    assert (tmp_path / "trainer.png").stat().st_size > 10_000
