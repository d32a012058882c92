"""A calibration's section of the report and the results tab (``results.calibration_report``) on
a hand-made record: every figure of the fit with its status, the counts said in words, the
posterior, the reform effects in the headline order, the out-of-sample coverage, in English and
Chinese, with no code name; and nothing for an experiment that is not a calibration."""

from __future__ import annotations

import re
from types import SimpleNamespace

from govlab.results.calibration_report import (
    calibration_figures,
    calibration_html,
    calibration_of,
    calibration_section,
)
from govlab.results.report import Page

CODE_NAME = re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]")


def row(id_, metric, observed, predicted, status, **extra):
    low, high = (None, None) if predicted is None else (predicted - 1, predicted + 1)
    return {"id": id_, "metric": metric, "period": "before", "observed": observed,
            "observed_low": observed * 0.9, "observed_high": observed * 1.1,
            "predicted": predicted, "predicted_low": low, "predicted_high": high,
            "status": status, **extra}  # fmt: skip


def predicted(metric, median, change):
    return {"reform": "one_window", "scenario": "front_desk", "metric": metric, "median": median,
            "low": median - 1, "high": median + 1, "change_median": change,
            "change_low": change - 1, "change_high": change + 1}  # fmt: skip


RECORD = {
    "setup": {
        "place": "Test_ville",
        "points": 20,
        "replications": 2,
        "parameters": [
            {"path": "world.p_missing_document", "low": 0.0, "high": 0.4, "integer": False},
            {"path": "service_time_scale", "low": 0.2, "high": 2.0, "integer": False},
        ],
    },
    "abc": {"simulations": 345, "generations": 4, "epsilons": [9.0, 4.5, 2.25, 1.125]},
    "posterior": {
        "world.p_missing_document": {
            "p05": 0.1,
            "median": 0.2,
            "p95": 0.3,
            "prior_low": 0.0,
            "prior_high": 0.4,
        },
        "service_time_scale": {
            "p05": 0.5,
            "median": 1.0,
            "p95": 1.5,
            "prior_low": 0.2,
            "prior_high": 2.0,
        },
    },
    "fit": [
        row("sh_trips_2017", "trips_per_case", 4.0, 4.2, "fits"),
        row("sh_days_2017", "by_case_type.business_registration.delay_mean_days", 9, 30, "misses"),
        row("sh_far_2017", "returns_per_case", 400.0, None, "unreachable"),
        row("sh_procedures", "procedures_per_case", 7.0, 15.0, "design"),
    ],
    "particles": [[0.1, 0.5], [0.2, 1.0], [0.3, 1.5]],
    "weights": [0.25, 0.5, 0.25],
    "predicted": [
        predicted("trips_per_case", 1.5, -2.5),
        predicted("utilisation_mean", 0.4, 0.1),
        predicted("delay_mean_days", 12.0, -7.0),
        predicted("cases_opened", 900.0, 0.0),  # not a headline metric, no 'after': not shown
    ],
    "versus": [
        {
            **row("sh_trips_after", "trips_per_case", 1.4, 1.5, "fits"),
            "covered": True,
            "reform": "one_window",
            "scenario": "front_desk",
        },
        {
            **row("sh_days_after", "delay_mean_days", 3.0, 12.0, "misses"),
            "covered": False,
            "reform": "one_window",
            "scenario": "front_desk",
        },
        {
            **row("sh_steps_after", "procedures_per_case", 4.0, 9.0, "design"),
            "covered": None,
            "reform": "one_window",
            "scenario": "front_desk",
        },
    ],
}


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))


def test_the_calibration_in_english_says_every_figure_and_the_counts():
    text = text_of(calibration_html(RECORD, "en"))
    assert "345 simulations in 4 generations (final tolerance 1.125 standard errors)" in text
    assert "20 points with 2 seeds each" in text and "Test ville" in text
    assert "1 of 2 fitted figures inside their predicted 90% interval; 1 out of the model" in text
    assert "1 design properties" in text
    for words in ("sh trips 2017 trips per case 4 [3.6, 4.4] 4.2 [3.2, 5.2] fits",
                  "sh days 2017 mean delay (business registration) 9 [8.1, 9.9] 30 [29, 31] misses",
                  "sh far 2017 returns for a missing paper per case 400 [360, 440] — unreachable",
                  "p missing document 0 – 0.4 0.2 [0.1, 0.3]",
                  "service time scale 0.2 – 2 1 [0.5, 1.5]",
                  "sh trips after S1 front desk trips per case 1.4 [1.26, 1.54] 1.5 [0.5, 2.5] "
                  "covered",
                  "sh days after S1 front desk mean delay 3 [2.7, 3.3] 12 [11, 13] not covered",
                  "1 of 2 observed after figures inside the predicted 90% interval."):  # fmt: skip
        assert words in text, words
    effects = re.findall(r"S1 front desk (mean delay|trips per case|mean staff utilisation) ", text)
    assert effects[:3] == ["mean delay", "trips per case", "mean staff utilisation"]  # headline
    assert "cases opened" not in text
    assert not CODE_NAME.search(text), CODE_NAME.findall(text)


def test_the_calibration_in_chinese_has_no_english_table_words():
    text = text_of(calibration_html(RECORD, "zh"))
    for words in ("校准", "与观测数据的拟合", "缺材料概率", "办理时间倍数", "改革效果预测",
                  "S1 一窗受理", "在区间内", "不在区间内", "模型无法达到",
                  "2 项改革后观测数据中有 1 项落在预测的 90% 区间内"):  # fmt: skip
        assert words in text, words
    for english in ("observed", "predicted", "covered", "fits", "posterior", "Calibration"):
        assert english not in text, english
    assert not CODE_NAME.search(text)


def test_figures_and_the_report_section(tmp_path):
    names = [name for name, _, _ in calibration_figures(RECORD, "zh")]
    assert names == ["calibration_marginals", "calibration_pairwise", "calibration_fit",
                     "calibration_after"]  # fmt: skip
    page = Page(tmp_path)
    calibration_section(page, SimpleNamespace(data=SimpleNamespace(spec={"calibration": RECORD})))
    assert page.figures == names and "<h2>Calibration</h2>" in page.parts[0]
    assert (tmp_path / "figures" / "calibration_marginals.png").is_file()
    plain = Page(tmp_path)
    calibration_section(plain, SimpleNamespace(data=SimpleNamespace(spec={"kind": "ensemble"})))
    assert plain.parts == [] and calibration_of({"calibration": "x"}) is None


def test_before_predict_the_section_says_so():
    record = {k: v for k, v in RECORD.items() if k not in ("predicted", "versus")}
    text = text_of(calibration_html(record, "en"))
    assert "No reform predicted yet (govlab predict)." in text
    assert "out of sample" not in text and "Fit to the observed figures" in text
