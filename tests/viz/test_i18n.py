"""Chinese and English: names, the browser's language, and Chinese drawn by the bundled font."""

from __future__ import annotations

import re

import numpy as np
from matplotlib.figure import Figure

from govlab.scenarios import Levers, shipped_scenarios
from govlab.viz import fonts, i18n
from govlab.viz.charts import png
from govlab.viz.controls import OFFICE_CONTROLS
from govlab.viz.links import comparison_from_query, comparison_query
from govlab.viz.session import Session


def test_language_follows_the_browser():
    assert i18n.language_of("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert i18n.language_of("en-GB,en;q=0.9,zh;q=0.5") == "en"
    assert i18n.language_of("") == "en"


def test_every_scenario_and_lever_has_a_readable_name_in_both_languages():
    for name in shipped_scenarios():
        for lang in ("en", "zh"):
            assert "_" not in i18n.scenario_name(name, lang)
    for name in (*Levers.model_fields, *OFFICE_CONTROLS):
        assert name in i18n.LEVERS and name in i18n.LEVER_HELP_ZH, name
        assert i18n.lever_help(name, "en") and i18n.lever_help(name, "zh") != i18n.lever_help(
            name, "en"
        )
    assert i18n.choice_label("every_request", "zh").startswith("接诉即办")
    assert i18n.scenario_name("front_desk", "zh").endswith("一窗受理")
    assert "并联审批" in i18n.lever_help("approval", "zh")
    for reform in ("一窗受理", "并联审批", "跨域通办", "数据共享", "最多跑一次"):
        assert any(reform == entry[3] for entry in i18n.LEVERS.values()), reform


DEVELOPER_WORDS = re.compile(r"\b(bool|int|float|str|True|False|None|true|false)\b|_|=")


def test_lever_help_and_choices_are_words_for_people_in_either_language():
    """Issue 24 item 5: no types, code names or TOML in a lever's name, help or choice; the
    Chinese help carries no English gloss."""
    for name in (*Levers.model_fields, *OFFICE_CONTROLS):
        for lang in ("en", "zh"):
            for text in (i18n.lever_label(name, lang), i18n.lever_help(name, lang)):
                assert not DEVELOPER_WORDS.search(text), (name, lang, text)
        assert not re.search("[A-Za-z]", i18n.lever_help(name, "zh")), name
        assert name in i18n.LEVER_HELP_EN, name
    for value in (True, False, "every_request", "discretionary", "home_only", "sqrt"):
        for lang in ("en", "zh"):
            assert not DEVELOPER_WORDS.search(i18n.choice_label(value, lang)), (value, lang)
    assert i18n.choice_label(True, "en") == "on" and i18n.choice_label(False, "zh") == "关"
    for name in shipped_scenarios():
        for lang in ("en", "zh"):
            note = i18n.scenario_note(name, "unused", lang)
            assert note != "unused" and not DEVELOPER_WORDS.search(note), (name, lang, note)


def _ink(text: str) -> int:
    figure = Figure(figsize=(2, 1), dpi=72)
    figure.text(0.05, 0.4, text, fontsize=20)
    import io

    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png(figure))).convert("L"))
    return int((pixels < 128).sum())


def test_chinese_is_drawn_with_the_bundled_font_not_as_missing_boxes():
    """With the bundled font each character has its own glyph; the missing-glyph box is the same
    for every character, so two different strings would give the same ink."""
    assert fonts.use_bundled_font(), "the bundled font is missing: run `python -m viz.assets`"
    assert fonts.font_path().stat().st_size > 1_000_000
    assert _ink("一窗受理") != _ink("并联审批")


def test_a_link_reopens_the_same_comparison():
    session = Session.start("silo", "parallel", seed=4, overrides={"levers.front_desk": False})
    session.pair.step(3)
    wanted = comparison_from_query(comparison_query(session.shown()))
    assert (wanted.left, wanted.right, wanted.seed, wanted.day) == ("silo", "parallel", 4, 3)
    assert wanted.overrides == {"levers.front_desk": False}
    session.set_lever("response_office.rule", "every_request")
    wanted = comparison_from_query(comparison_query(session.shown()))
    assert wanted.overrides == {
        "levers.front_desk": False,
        "response_office.rule": "every_request",
    }
    assert wanted.lang is None  # a link without a language follows the browser


def test_a_link_carries_the_language():
    """Issue 24 item 4: the link names the page's language; another language is refused."""
    import pytest

    from govlab.viz.links import link_language
    from govlab.viz.session import InputError

    session = Session.start("silo", "smart", seed=2)
    query = comparison_query(session.shown(), "zh")
    assert "lang=zh" in query and comparison_from_query(query).lang == "zh"
    assert link_language("?left=silo&lang=en") == "en" and link_language("?left=silo") is None
    with pytest.raises(InputError, match="lang must be one of en, zh"):
        comparison_from_query(query.replace("lang=zh", "lang=fr"))


def test_every_shipped_scenario_has_names_in_both_languages():
    from govlab.results.names import SCENARIOS

    missing = [name for name in shipped_scenarios() if name not in SCENARIOS]
    assert not missing, f"add {missing} to results.names.SCENARIOS"


FIGURE_WITH_CHINESE = """
import warnings
warnings.simplefilter("error")  # a missing glyph is a UserWarning: fail on it
from govlab.results import figures
rows = [
    {"metric": "delay_mean_days", "scenario": name, "point": 0, "mean": m, "low": m - 1,
     "high": m + 1}
    for name, m in (("S0 条块分割", 10.0), ("S5 智慧治理", 6.0))
]
figure = figures.metric_bars(rows, "delay_mean_days")
figure.axes[0].set_title("办理时长（天）")
assert figures.png(figure).startswith(b"\\x89PNG")
"""


def test_report_figures_draw_chinese_with_the_bundled_font_in_a_fresh_process():
    """The report's and the results tab's figures (``results.figures``) register the bundled
    font themselves: in a fresh interpreter, with nothing of ``viz`` imported before, a Chinese
    label draws with no missing-glyph warning."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", FIGURE_WITH_CHINESE], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_every_department_function_and_case_type_has_a_chinese_name():
    """The legend of open cases and the journey's case types: no English left in Chinese."""
    from govlab.model import GovernanceModel
    from govlab.scenarios import load_scenario

    functions, cases = set(), set()
    for name in shipped_scenarios():
        model = GovernanceModel(load_scenario(name), rng=1)
        functions |= {d.function for d in model.departments}
        cases |= {plan.name for plan in model.plans}
    assert functions <= set(i18n.FUNCTIONS_ZH), functions - set(i18n.FUNCTIONS_ZH)
    assert cases <= set(i18n.CASES_ZH), cases - set(i18n.CASES_ZH)
