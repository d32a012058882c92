"""One colour per scenario, the same in the results tab, the HTML report and the live panes.

The ladder's scenarios have fixed colours (silo red … smart blue), so a scenario keeps its colour
whichever experiment, figure or pane shows it; a scenario outside the table (a user's file) takes
a spare colour by its position. ``results.figures`` (the report and the results tab) and
``viz`` (the live panes, the journey) read it here and nowhere else.
"""

from __future__ import annotations

SCENARIO_COLOURS = {
    "silo": "#c44e52",
    "front_desk": "#dd8452",
    "data_sharing": "#ccb974",
    "parallel": "#55a868",
    "reengineered": "#8172b3",
    "seamless": "#64b5cd",
    "smart": "#4c72b0",
    "smart_unprotected": "#937860",
    "smart_overloaded": "#da8bc3",
}
SPARE_COLOURS = ("#8c8c8c", "#17becf", "#bcbd22", "#7f7f7f", "#e377c2", "#2ca02c")
CHANGED_COLOUR = "#2f2f2f"  # the right pane when it runs the left pane's scenario with changes


def scenario_colour(name: str, index: int = 0) -> str:
    """The colour of scenario ``name`` (a label "name #point" counts as its scenario); a name
    outside the table gets the ``index``-th spare colour."""
    base = name.split(" #")[0]
    if base in SCENARIO_COLOURS:
        return SCENARIO_COLOURS[base]
    return SPARE_COLOURS[index % len(SPARE_COLOURS)]


def pane_colours(left: str, right: str) -> tuple[str, str]:
    """The colours of the live panes: each its scenario's; when both run the same scenario the
    right one (whose levers the panel changes) is drawn in ``CHANGED_COLOUR``."""
    colours = scenario_colour(left, 0), scenario_colour(right, 1)
    if colours[0] == colours[1]:
        return colours[0], CHANGED_COLOUR
    return colours
