"""Downloads carry their context (issue 24 item 6): the PNG of a pane's charts names the
scenarios, the levers in which the panes differ, the seed and the day in the image's title lines
and in its PNG text chunks; the CSV says the same in a header block."""

from __future__ import annotations

import io

import pandas as pd
from PIL import Image

from govlab.viz import exports, i18n
from govlab.viz.charts import EXPORT_DPI
from govlab.viz.pair import Pair, PaneSpec


def _pair() -> Pair:
    pair = Pair(PaneSpec("silo"), PaneSpec("front_desk", {"levers.data_sharing": 0.5}), seed=5)
    pair.step(12)
    return pair


def test_the_levers_that_differ_are_exactly_those_the_panes_set_apart():
    context = exports.export_context(_pair(), "en", "?left=silo")
    # silo and front desk differ by the front desk; the right pane's change adds data sharing
    assert context.differ == ("front desk: off → on", "data sharing: 0 → 0.5")
    assert context.changes == ("data sharing: 0.5",)
    assert (context.left, context.right, context.seed, context.day) == (
        "S0 silo government", "S1 front desk", 5, 12,
    )  # fmt: skip
    same = Pair(PaneSpec("silo"), PaneSpec("silo"), seed=5)
    assert exports.export_context(same, "zh").lines("zh")[1] == "两侧不同的杠杆：无"


def test_the_png_is_titled_large_and_carries_its_context_as_text_chunks():
    pair = _pair()
    for lang in ("en", "zh"):
        data = exports.chart_png(pair, "right", "#dd8452", lang, "?left=silo&day=12")
        image = Image.open(io.BytesIO(data))
        assert image.size[0] >= 1800 and image.size[1] >= 1350, image.size
        assert round(image.info["dpi"][0]) == EXPORT_DPI
        text = image.text
        assert text["Seed"] == "5" and text["Day"] == "12" and text["Link"] == "?left=silo&day=12"
        assert text["Scenarios"] == " | ".join(
            i18n.scenario_name(name, lang) for name in ("silo", "front_desk")
        )
        assert text["Title"].startswith(i18n.scenario_name("front_desk", lang))
        lever = i18n.lever_label("front_desk", lang)
        assert text["Levers that differ"].startswith(f"{lever}: ")
        assert text["Levers that differ"] in text["Description"]


def test_the_png_draws_its_title_and_context_lines():
    """The lines are in the image, not only in its metadata: the band above the charts has ink,
    and drawing without the context (a fresh figure) leaves it blank."""
    import numpy as np

    from govlab.viz.charts import Limits, export_figure, png

    pair = _pair()
    titled = np.asarray(Image.open(io.BytesIO(exports.chart_png(pair, "left", "#c44e52", "en"))))
    bare = export_figure(pair.left, Limits.of(*pair.panes), "#c44e52", "en")
    plain = np.asarray(Image.open(io.BytesIO(png(bare))).convert("RGBA"))
    band = slice(0, int(0.12 * titled.shape[0]))
    ink = (titled[band, :, :3] < 128).any(axis=2).sum()
    assert ink > 2000 and (plain[band, :, :3] < 128).any(axis=2).sum() == 0


def test_the_csv_opens_with_its_context_and_reads_as_a_table():
    pair = _pair()
    data = exports.series_csv(pair, "en", "?left=silo&right=front_desk&seed=5&day=12")
    text = data.decode()
    block = [line[2:] for line in text.splitlines() if line.startswith("# ")]
    assert "seed: 5" in block and "day: 12" in block
    assert "left: S0 silo government (silo)" in block
    assert "right: S1 front desk (front_desk)" in block
    assert "levers that differ (left → right): front desk: off → on; data sharing: 0 → 0.5" in block
    assert "link: ?left=silo&right=front_desk&seed=5&day=12" in block
    table = pd.read_csv(io.StringIO(text), comment="#")
    assert len(table) == 24 and set(table["scenario"]) == {"silo", "front_desk"}
    assert table["day"].max() == 12
