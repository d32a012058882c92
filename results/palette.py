"""One colour per scenario, the same in the results tab, the HTML report and the live panes.

The ladder's scenarios have fixed colours (silo rose … smart blue), so a scenario keeps its colour
whichever experiment, figure or pane shows it; a scenario outside the table (a user's file) takes
a spare colour by its position. ``results.figures`` (the report and the results tab) and
``viz`` (the live panes, the journey) read it here and nowhere else. The colours (from the
Okabe–Ito and Paul Tol palettes) stay at least ``MIN_DISTANCE`` apart (ΔE*ab) for normal,
deuteranopic and protanopic vision, ``CHANGED_COLOUR`` included (``results.colour_vision``).
"""

from __future__ import annotations

SCENARIO_COLOURS = {  # told apart by red-green colour-blind viewers too (results.colour_vision)
    "silo": "#ee6677",
    "front_desk": "#e69f00",
    "data_sharing": "#663300",
    "parallel": "#228833",
    "seamless": "#56b4e9",
    "smart": "#0072b2",
    "reengineered": "#332288",
    "smart_unprotected": "#882255",
    "smart_overloaded": "#cc79a7",
}
SPARE_COLOURS = ("#777777", "#44aa99", "#999933", "#aa4499", "#bbbbbb", "#117733")
CHANGED_COLOUR = "#000000"  # the right pane when it runs the left pane's scenario with changes
MIN_DISTANCE = 15.0  # ΔE*ab every two scenario colours keep for every viewer (colour_vision)


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
