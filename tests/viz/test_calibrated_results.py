"""The results tab shows a calibrated experiment like any other (issue 22 item 6), in headless
Chromium against ``govlab ui``, offline: a tiny calibration and prediction are stored, and the
tab shows the ensemble's fit, posterior, predicted reform effects and out-of-sample table with
their figures beside the usual comparison, in English and in Chinese, with no code name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import missing_part
from tests.viz.served import _serve
from tests.viz.test_browser import CHROMIUM, EXPECT_TIMEOUT_MS, _choose, _no_error_on_page
from tests.viz.test_room import _browser, _open, developer_words, page_words

SOURCE = (
    'source = { title = "synthetic", issuer = "govlab tests", year = 2026, '
    'url = "https://example.org/s" }'
)


def figure(id_: str, metric: str, value: float, period: str) -> str:
    return (
        f'[[figure]]\nid = "{id_}"\nmetric = "{metric}"\npublished_value = {value}\n'
        'published_unit = "per case"\nas_published = "synthetic"\n'
        'uncertainty = { rule = "rounded", relative = 0.1, resolution = 0.01 }\n'
        f'period = "{period}"\nreform = "desk"\nplace = "Testville"\nyear = 2026\n{SOURCE}\n'
    )


@pytest.fixture(autouse=True)
def _chromium_present():
    from playwright.sync_api import expect

    if not Path(CHROMIUM).exists():
        missing_part("needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    """``govlab ui`` on a store holding a tiny calibration (one parameter, one generation of
    six particles, 24 days) and its prediction of the front desk."""
    pytest.importorskip("pyabc")
    from govlab.experiments.abc_fit import AbcBudget, Parameter
    from govlab.experiments.calibrate import Setup, calibrate
    from govlab.experiments.executors import SerialExecutor
    from govlab.experiments.predict import predict
    from govlab.results.store import Store
    from govlab.scenarios.observed import load_observed

    tmp_path = tmp_path_factory.mktemp("calibrated")
    observed = tmp_path / "observed.toml"
    observed.write_text(
        'title = "synthetic test figures"\nsynthetic = true\n'
        + figure("returns", "returns_per_case", 0.5, "before")
        + figure("trips", "trips_per_case", 4.0, "before")
        + figure("trips_after", "trips_per_case", 3.0, "after"),
        encoding="utf-8",
    )
    setup = Setup(
        name="cal",
        observed=str(observed),
        scenario="silo",
        place="Testville",
        parameters=[Parameter("world.p_missing_document", 0.02, 0.4)],
        scale=100,
        warmup_days=6,
        budget=AbcBudget(population=6, generations=1, days=24),
        screen=2,
        points=2,
        replications=1,
        seed=3,
    )
    db = tmp_path / "results.db"
    figures = load_observed(observed)
    with Store(f"sqlite:///{db}") as store:
        calibrate(setup, figures, store, SerialExecutor(), tmp_path / "out")
        predict(tmp_path / "out", {"desk": "front_desk"}, figures, store, SerialExecutor())
    yield from _serve(tmp_path, f"sqlite:///{db}")


def test_the_results_tab_shows_a_calibrated_experiment(calibrated):
    """The ensemble (the last experiment stored, shown first) has its calibration tables and
    figures above the comparison; switched to 中文 they are in Chinese; no code name on the tab in
    either language."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = _open(browser, calibrated)
            page.get_by_role("tab", name="Results").click()
            expect(page.locator(".govlab-experiment")).to_contain_text("calibrate:cal:ensemble")
            tables = page.locator(".govlab-comparison")
            expect(tables).to_contain_text("Fit to the observed figures", timeout=60_000)
            for words in ("Posterior of the parameters", "p missing document",
                          "Predicted reform effects", "S1 front desk", "trips after",
                          "Observed after the reform vs predicted (out of sample)",
                          "mean [95% CI]"):  # fmt: skip
                expect(tables).to_contain_text(words)
            for name in ("marginals", "fit", "after"):
                expect(page.locator(f".govlab-figure-calibration_{name}")).to_have_count(1)
            _choose(page, "govlab-stored-run", "S1 front desk")  # its runs, openable as any
            assert not developer_words(page_words(page)), developer_words(page_words(page))
            _choose(page, "govlab-language", "中文")
            page.get_by_role("tab", name="实验结果").click()
            expect(tables).to_contain_text("与观测数据的拟合", timeout=60_000)
            expect(tables).to_contain_text("缺材料概率")
            expect(tables).not_to_contain_text("Fit to the observed figures")
            assert not developer_words(page_words(page)), developer_words(page_words(page))
            _no_error_on_page(page)
        finally:
            browser.close()
