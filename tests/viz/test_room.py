"""The trainer page in front of a room (issue 24), in headless Chromium against ``govlab ui``:
words for people on every tab in both languages, stored runs opening at their last day, exports
that carry their context, and charts a room can read.

Each test drives a fresh browser; the server holds one small stored experiment.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import missing_part
from tests.viz.served import _serve, stored_experiment
from tests.viz.test_browser import (  # noqa: F401  (_competitors: GOVLAB_BROWSER_COMPETITORS)
    CHROMIUM,
    CHROMIUM_ARGS,
    EXPECT_TIMEOUT_MS,
    _choose,
    _competitors,
)

EXPERIMENT = """
name = "room_check"
description = "a stored run with a lever change, for the room checks"
scenarios = ["silo", "front_desk"]
baseline = "silo"
replications = 1
days = 14
seed = 11

[sweep]
"levers.data_sharing" = [0.5]
"""
EXPERIMENT_DAYS = 14
TABS = {
    "en": ("Side by side", "Journey & residents", "Results", "About"),
    "zh": ("并排对比", "办事历程与居民", "实验结果", "说明"),
}


@pytest.fixture(autouse=True)
def _chromium_present():
    from playwright.sync_api import expect

    if not Path(CHROMIUM).exists():
        missing_part("needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """``govlab ui`` on a store holding one small experiment (an underscore in its name)."""
    tmp_path = tmp_path_factory.mktemp("room")
    db = stored_experiment(tmp_path, "room_check", EXPERIMENT)
    yield from _serve(tmp_path, f"sqlite:///{db}")


def _browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _open(browser, url: str, locale: str = "en-GB", width: int = 1280, height: int = 720):
    page = browser.new_page(viewport={"width": width, "height": height}, locale=locale)
    page.goto(url)
    page.locator(".govlab-day").wait_for(timeout=90_000)
    return page


# what a trainer must never read: code names, Python types and values, TOML
DEVELOPER_TEXT = (
    ("a code name", re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]")),
    ("a type", re.compile(r"\b(bool|int|float|str|None|True|False)\b")),
    ("TOML", re.compile(r"\b(true|false)\b|\b[a-z][a-z0-9_.]*\s*=\s*(-?\d|\"|\[|\{|true|false)")),
    ("a section path", re.compile(r"\b(levers|world|civic|response_office|services)\.[a-z]")),
)

CHART_TEXT_JS = """() => Array.from(document.querySelectorAll('.solara-echarts'))
  .flatMap(el => el.govlabChart
    ? el.govlabChart.getZr().storage.getDisplayList(true)
        .map(d => d.style && d.style.text).filter(t => t)
    : [])"""


def developer_words(text: str) -> list[str]:
    """The developer wording in ``text``: each hit with its kind and a little context."""
    hits = []
    for kind, pattern in DEVELOPER_TEXT:
        for match in pattern.finditer(text):
            start, end = max(match.start() - 30, 0), match.end() + 30
            hits.append(f"{kind}: …{text[start:end]}…")
    return hits


def page_words(page) -> str:
    """Everything the page shows as text: the document's visible text and the text each chart
    drew on its canvas (titles, axis labels, legends)."""
    return page.inner_text("body") + "\n" + "\n".join(page.evaluate(CHART_TEXT_JS))


def test_every_tab_in_both_languages_speaks_words_for_people(room):
    """Issue 24 item 5: step a few days, change a lever, open the stored run; then on every tab
    in English and in Chinese the rendered text (and the charts' drawn text) has no code name,
    type or TOML. The Chinese page's help has no English gloss."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = _open(browser, room)
            page.get_by_role("tab", name="Results").click()
            expect(page.locator(".govlab-experiment")).to_contain_text("room check")
            _choose(page, "govlab-stored-run", "S1 front desk · rep 0")
            page.locator(".govlab-open-run").click()
            expect(page.locator(".govlab-title-right")).to_contain_text(
                "S1 front desk", timeout=60_000
            )
            switch = page.locator(".govlab-lever-front_desk input")
            switch.scroll_into_view_if_needed()
            expect(switch).to_be_in_viewport()  # the tab's slide has ended
            switch.click(force=True)
            expect(page.locator(".govlab-title-right")).to_contain_text("lever change")
            for lang, language in (("en", "English"), ("zh", "中文")):
                if lang == "zh":
                    _choose(page, "govlab-language", language)
                for tab in TABS[lang]:
                    page.get_by_role("tab", name=tab, exact=True).click()
                    _settle(page, tab, lang)
                    text = page_words(page)
                    assert not developer_words(text), (lang, tab, developer_words(text))
                    if lang == "zh" and tab == TABS["zh"][0]:
                        for help_line in page.locator(".govlab-help").all_inner_texts():
                            assert not re.search("[A-Za-z]{3,}", help_line), help_line
        finally:
            browser.close()


def _settle(page, tab: str, lang: str) -> None:
    """Wait until ``tab``'s content (and its charts' text) is drawn."""
    from playwright.sync_api import expect

    index = TABS[lang].index(tab)
    if index == 0:
        expect(page.locator(".govlab-charts-right canvas").first).to_be_visible(timeout=60_000)
        _wait_for_chart_text(page)
    elif index == 1:
        expect(page.locator(".govlab-residents-right canvas").first).to_be_visible(timeout=60_000)
        _wait_for_chart_text(page)
    elif index == 2:
        expect(page.locator(".govlab-comparison")).to_be_visible(timeout=60_000)
    else:
        expect(page.locator(".govlab-about")).to_be_visible(timeout=60_000)


def _wait_for_chart_text(page) -> None:
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.solara-echarts'))"
        ".filter(el => el.offsetParent !== null)"
        ".every(el => el.govlabChart && el.govlabChart.getZr().storage.getDisplayList(true)"
        ".some(d => d.style && d.style.text))",
        timeout=60_000,
    )


def test_downloads_say_what_they_show(room):
    """Issue 24 item 6 in the browser: after 3 steps and a lever change, the right pane's PNG is
    large, its text chunks name both scenarios, the lever that differs, the seed and day 3; the
    CSV's header block says the same."""
    import io

    from PIL import Image
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = _open(browser, room)
            switch = page.locator(".govlab-lever-front_desk input")
            switch.click(force=True)  # smart without its front desk
            expect(page.locator(".govlab-title-right")).to_contain_text("+1 lever change(s)")
            for expected in (1, 2, 3):
                page.locator(".govlab-step").click()
                expect(page.locator(".govlab-day")).to_have_text(f"day {expected}")
            with page.expect_download(timeout=60_000) as download:
                page.locator(".govlab-download-png-right").click()
            image = Image.open(io.BytesIO(Path(download.value.path()).read_bytes()))
            assert image.size[0] >= 1800
            text = image.text
            assert text["Day"] == "3" and text["Seed"] == "1"
            assert text["Scenarios"] == "S0 silo government | S5 smart governance"
            assert "front desk: off" in text["Description"]  # the right pane's change
            assert "approval: sequential → parallel" in text["Levers that differ"]
            with page.expect_download(timeout=60_000) as download:
                page.locator(".govlab-download-csv").click()
            csv = Path(download.value.path()).read_text()
            for line in (
                "# seed: 1",
                "# day: 3",
                "# left: S0 silo government (silo)",
                "# right pane's lever changes: front desk: off",
                "levers.front_desk=false",  # in the link
            ):
                assert line in csv, line
        finally:
            browser.close()


CHART_FONT_PX_JS = """(cls) => {
  const el = document.querySelector('.' + cls);
  return el.govlabChart.getZr().storage.getDisplayList(true)
    .map(d => d.style && d.style.font && d.style.text ? parseFloat(
      (d.style.font.match(/([0-9.]+)px/) || [0, 0])[1]) : 0)
    .filter(px => px > 0);
}"""


def test_a_chinese_browser_gets_readable_charts_that_fill_the_room_screen(room):
    """Issue 24 item 4: a browser whose locale is zh-CN opens the Chinese page, its charts
    draw Chinese axis names and legends, and its link carries lang=zh; on the projector at
    1920×1080 the charts fill the screen's height and both halves, with larger text than at the
    desk; a link with lang=zh opens Chinese in an English browser."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = _open(browser, room, locale="zh-CN", width=1920, height=1080)
            expect(page.get_by_role("tab", name="并排对比", exact=True)).to_be_visible()
            for expected in (1, 2):
                page.locator(".govlab-step").click()
                expect(page.locator(".govlab-day")).to_have_text(f"第 {expected} 天")
            _wait_for_chart_text(page)
            page.wait_for_function(  # the stacked areas' legend is drawn once there is a day
                "() => document.querySelector('.govlab-charts-right').govlabChart"
                ".getOption().legend.length > 0",
                timeout=60_000,
            )
            drawn = page_words(page)
            for word in ("工作日", "件数", "平均", "90 分位", "参与率", "信任", "税务", "综合窗口"):
                assert word in drawn, word
            expect(page.locator(".govlab-link")).to_have_attribute("href", re.compile("lang=zh"))
            desk = max(page.evaluate(CHART_FONT_PX_JS, "govlab-charts-right"))
            page.locator(".govlab-projector-toggle").click()
            expect(page.locator(".govlab-lever-column")).to_be_hidden()
            page.wait_for_function(
                "() => Math.max(...document.querySelector('.govlab-charts-right').govlabChart"
                ".getOption().xAxis.map(a => a.axisLabel.fontSize)) >= 16",
                timeout=60_000,
            )
            projector = max(page.evaluate(CHART_FONT_PX_JS, "govlab-charts-right"))
            assert projector >= 16 and projector > desk, (desk, projector)
            for side in ("left", "right"):
                box = page.locator(f".govlab-charts-{side}").bounding_box()
                assert box["width"] >= 0.45 * 1920, box
                assert box["y"] + box["height"] <= 1080 and box["height"] >= 0.7 * 1080, box
            assert page.evaluate("() => document.scrollingElement.scrollHeight") <= 1080 + 40
            page.close()

            page = _open(browser, room + "?left=silo&right=smart&seed=1&day=0&lang=zh")
            expect(page.get_by_role("tab", name="并排对比", exact=True)).to_be_visible()
            expect(page.get_by_role("tab", name="Side by side")).to_have_count(0)
        finally:
            browser.close()


SAMPLE_DAYS_JS = """() => window.govlabSampleDays()"""

# what the page shows, read in the page: by the test every 100 ms, and at every animation frame
# (what the browser is about to paint) by a sampler the test installs
INSTALL_SAMPLER_JS = """() => {
  window.govlabSampleDays = () => {
  const num = (s) => { const m = (s || '').match(/\\d+/); return m ? parseInt(m[0]) : null; };
  const chartDay = (cls) => {
    const el = document.querySelector('.' + cls);
    if (!el || !el.govlabChart) return null;
    const data = el.govlabChart.getOption().series[0].data;
    return data.length ? data[data.length - 1][0] : 0;
  };
  return {
    counter: num(document.querySelector('.govlab-day').innerText),
    left: num(document.querySelector('.govlab-status-left').innerText),
    right: num(document.querySelector('.govlab-status-right').innerText),
    strip: parseInt(document.querySelector('.govlab-diff').getAttribute('data-day')),
    leftChart: chartDay('govlab-charts-left'),
    rightChart: chartDay('govlab-charts-right'),
  };
  };
  window.govlabPainted = [];
  const tick = () => {
    window.govlabPainted.push(window.govlabSampleDays());
    if (window.govlabPainted.length < 5000) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def test_one_day_on_the_whole_page_while_playing_and_changing_levers(room):
    """Issue 24 item 1 in the browser: sampled every 100 ms and at every frame the browser
    paints, for 8 s of play with a lever change each second, the counter, both headlines, the
    difference strip and both charts show one day (every view of the day is a slot of one frame
    sent as one message: ``viz.frame``)."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = _open(browser, room)
            page.locator(".govlab-step").click()
            expect(page.locator(".govlab-day")).to_have_text("day 1")
            _wait_for_chart_text(page)
            page.evaluate(INSTALL_SAMPLER_JS)
            page.locator(".govlab-play").click()
            samples = []
            for _burst in range(8):
                page.locator(".govlab-lever-front_desk input").click(force=True)
                for _ in range(10):
                    samples.append(page.evaluate(SAMPLE_DAYS_JS))
                    page.wait_for_timeout(100)
            painted = page.evaluate("() => window.govlabPainted")
            page.locator(".govlab-play").click()
        finally:
            browser.close()
    split = [s for s in samples if len(set(s.values())) != 1]
    days = {s["counter"] for s in samples}
    assert len(days) >= 5, days  # it played
    assert not split, (len(split), len(samples), split[:5])
    split = [s for s in painted if len(set(s.values())) != 1]
    assert len(painted) >= 40, len(painted)  # the page painted all along
    assert not split, (len(split), len(painted), split[:5])
