"""Display names in both languages: the results tables and figures speak Chinese when asked and
readable English otherwise — no code name (``delay_mean_days``, ``silo``) on a label (issue 24
item 5)."""

from __future__ import annotations

import re
import warnings

import matplotlib

from govlab.results import figures
from govlab.results.metric_info import METRICS
from govlab.results.names import (
    FAMILIES,
    METRICS_EN,
    METRICS_ZH,
    SCENARIO_NOTES,
    SCENARIOS,
    UNITS_ZH,
    metric_label,
    metric_name,
    scenario_label,
)
from govlab.results.report import change_text, comparison_html

CJK = re.compile(r"[\u4e00-\u9fff]")
ROWS = [
    {"metric": "delay_mean_days", "scenario": "silo", "point": 0, "mean": 10.0, "low": 9.0,
     "high": 11.0, "n": 4, "unit": "working days", "family": "delay", "family_size": 2},
    {"metric": "delay_mean_days", "scenario": "smart", "point": 0, "mean": 6.0, "low": 5.5,
     "high": 6.5, "n": 4, "unit": "working days", "diff_mean": -4.0, "diff_low": -4.5,
     "diff_high": -3.5, "relative": -0.4, "relative_low": -0.45, "relative_high": -0.35,
     "p_value": 0.001, "p_holm": 0.002, "family": "delay", "family_size": 2,
     "baseline": "silo"},
]  # fmt: skip


def _texts(fig) -> dict[str, object]:
    ax = fig.axes[0]
    return {
        "title": ax.get_title(),
        "ylabel": ax.get_ylabel(),
        "ticks": [tick.get_text() for tick in ax.get_xticklabels()],
    }


CODE = re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]")


def test_every_metric_and_unit_has_a_name_in_both_languages_and_no_code_name():
    assert set(METRICS) <= set(METRICS_ZH), set(METRICS) - set(METRICS_ZH)
    assert set(METRICS) <= set(METRICS_EN), set(METRICS) - set(METRICS_EN)
    assert {m.unit for m in METRICS.values()} <= set(UNITS_ZH)
    assert {m.family for m in METRICS.values()} <= set(FAMILIES)
    assert metric_label("delay_mean_days", "zh") == "平均办理时长 [工作日]"
    assert metric_label("delay_mean_days", "en") == "mean delay [working days]"
    for metric in METRICS:
        for lang in ("en", "zh"):
            assert not CODE.search(metric_label(metric, lang)), (metric, lang)
    assert metric_name("by_case_type.birth_registration.delay_mean_days", "en") == (
        "mean delay (birth registration)"
    )
    assert metric_name("new_metric_x", "en") == "new metric x"
    assert set(SCENARIO_NOTES) == set(SCENARIOS)
    for pair in SCENARIO_NOTES.values():
        assert not CODE.search(pair[0]) and not CODE.search(pair[1]) and CJK.search(pair[1])


def test_chinese_figure_has_chinese_title_axis_and_scenarios_drawn_without_missing_glyphs():
    fig = figures.metric_bars(ROWS, "delay_mean_days", lang="zh")
    texts = _texts(fig)
    assert texts == {
        "title": "平均办理时长：均值与 95% 置信区间",
        "ylabel": "平均办理时长 [工作日]",
        "ticks": ["S0 条块分割", "S5 智慧治理"],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" is a UserWarning
        assert figures.png(fig).startswith(b"\x89PNG")
    assert "Noto Sans SC" in matplotlib.rcParams["font.family"]  # the bundled fallback font


def test_english_figure_and_table_read_in_words():
    texts = _texts(figures.metric_bars(ROWS, "delay_mean_days"))
    assert texts == {
        "title": "mean delay: mean and 95% CI",
        "ylabel": "mean delay [working days]",
        "ticks": ["S0 silo government", "S5 smart governance"],
    }
    assert texts == _texts(figures.metric_bars(ROWS, "delay_mean_days", lang="en"))
    table = comparison_html(ROWS, "delay_mean_days")
    assert table == comparison_html(ROWS, "delay_mean_days", "en")
    assert not CJK.search(table)
    assert "<h3>mean delay <span class=muted>[working days]</span></h3>" in table
    assert not CODE.search(table)
    for word in ("scenario", "mean [95% CI]", "relative change [95% Fieller CI]", "p Holm",
                 "<td class=l>S0 silo government</td>", "baseline"):  # fmt: skip
        assert word in table, word


def test_chinese_table_has_chinese_headers_scenarios_and_metric():
    table = comparison_html(ROWS, "delay_mean_days", "zh")
    for word in ("情景", "均值 [95% 置信区间]", "相对变化", "S0 条块分割", "S5 智慧治理", "基准",
                 "<h3>平均办理时长 <span class=muted>[工作日]</span></h3>", "项比较"):  # fmt: skip
        assert word in table, word
    assert ">silo<" not in table and "mean [95% CI]" not in table
    share = {"share": True, "diff_pp": 6.5, "diff_pp_low": 1.0, "diff_pp_high": 12.0}
    assert change_text(share, "zh") == "+6.5 个百分点 [+1, +12]"
    assert change_text(share) == "+6.5 pp [+1, +12]"
    assert change_text({"relative": 0.0}, "zh") == "+0.0% [无界]"
    assert scenario_label("my_own", "zh") == "my own" and scenario_label("my_own", "en") == "my own"
