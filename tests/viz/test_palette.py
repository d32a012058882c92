"""One colour per scenario: the results tab and the report (``results.figures``) and the live
panes draw a scenario in the same colour, whatever its position in an experiment."""

from __future__ import annotations

from matplotlib.colors import to_hex

from govlab.results import figures
from govlab.results.palette import CHANGED_COLOUR, SCENARIO_COLOURS, scenario_colour
from govlab.viz.charts import Limits
from govlab.viz.live_charts import pane_option
from govlab.viz.pair import Pair, PaneSpec
from govlab.viz.views import pane_colour


def test_a_scenario_has_one_colour_in_figures_report_and_live_panes():
    rows = [
        {
            "metric": "delay_mean_days",
            "scenario": name,
            "point": 0,
            "mean": m,
            "low": m - 1,
            "high": m + 1,
        }
        for name, m in (("smart", 6.0), ("parallel", 8.0), ("silo", 10.0))
    ]  # fmt: skip  (not in ladder order: the colour must follow the name, not the position)
    bars = figures.metric_bars(rows, "delay_mean_days").axes[0].patches
    assert [to_hex(bar.get_facecolor()) for bar in bars] == [
        SCENARIO_COLOURS[name] for name in ("smart", "parallel", "silo")
    ]
    assert figures.colour("smart #2", 5) == SCENARIO_COLOURS["smart"]  # a design point's label

    pair = Pair(PaneSpec("parallel"), PaneSpec("smart"), seed=1)
    pair.step(2)
    assert pane_colour(pair, "left") == SCENARIO_COLOURS["parallel"]
    assert pane_colour(pair, "right") == SCENARIO_COLOURS["smart"]
    option = pane_option(pair.right, Limits.of(*pair.panes), pane_colour(pair, "right"))
    assert option["series"][0]["lineStyle"]["color"] == SCENARIO_COLOURS["smart"]

    same = Pair(PaneSpec("smart"), PaneSpec("smart", {"levers.front_desk": False}), seed=1)
    assert pane_colour(same, "left") == SCENARIO_COLOURS["smart"]
    assert pane_colour(same, "right") == CHANGED_COLOUR  # told apart from the left pane
    assert scenario_colour("my_file", 0) != scenario_colour("my_file", 1)  # spare colours


# ---- issue 24 item 4: colours a red-green colour-blind viewer tells apart ---------------------

OLD_SCENARIO_COLOURS = (
    "#c44e52",
    "#dd8452",
    "#ccb974",
    "#55a868",
    "#8172b3",
    "#64b5cd",
    "#4c72b0",
    "#937860",
    "#da8bc3",
    "#2f2f2f",
)  # fmt: skip  (before issue 24)


def test_the_simulator_keeps_greys_and_confuses_red_with_green():
    """Machado et al.'s matrices keep achromatic colours (each row sums to 1) and bring the old
    palette's silo red and parallel green together for a deuteranope."""
    import numpy as np

    from govlab.results import colour_vision as cv

    for viewer in cv.VIEWERS:
        assert np.allclose(cv.MACHADO_2009[viewer].sum(axis=1), 1.0, atol=1e-4)
        for grey in ("#000000", "#808080", "#ffffff"):
            assert cv.distance(grey, grey, viewer) == 0.0
            assert np.allclose(cv.simulate(grey, viewer), cv.simulate(grey, "normal"), atol=0.3)
    assert cv.distance("#c44e52", "#55a868") > 50
    assert cv.distance("#c44e52", "#55a868", "deutan") < 12
    assert abs(cv.lightness("#ffffff") - 100) < 0.01 and abs(cv.lightness("#000000")) < 0.01


def test_scenario_and_function_colours_stay_apart_for_colour_blind_viewers():
    """Every two scenario colours (and the changed-pane black) keep ΔE*ab >= 15, every two
    department-function colours of the open-cases chart >= 25, for normal, deuteranopic and
    protanopic vision; the old palette failed (2.7 for protanopes)."""
    from govlab.results import colour_vision as cv
    from govlab.results.palette import MIN_DISTANCE
    from govlab.viz.charts import FUNCTION_COLOURS
    from govlab.viz.network import PARTICIPANT

    scenarios = [*SCENARIO_COLOURS.values(), CHANGED_COLOUR]
    for viewer in cv.VIEWERS:
        gap, a, b = cv.closest_pair(scenarios, viewer)
        assert gap >= MIN_DISTANCE, (viewer, a, b, gap)
        gap, a, b = cv.closest_pair(FUNCTION_COLOURS.values(), viewer)
        assert gap >= 25, (viewer, a, b, gap)
        assert cv.distance(PARTICIPANT, "#bbbbbb", viewer) >= 25  # participants vs the others
    assert min(cv.closest_pair(OLD_SCENARIO_COLOURS, v)[0] for v in cv.VIEWERS) < 5
    assert all(cv.lightness(colour) <= 72 for colour in scenarios)  # lines and titles on white
