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
