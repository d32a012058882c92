"""Controls: one play / pause / step / reset bar for both panes, scenario pickers, and the lever
controls of the right pane (generated from ``scenarios.Levers``: switches, selects, sliders).
"""

from __future__ import annotations

import typing
from collections.abc import Callable

import solara
from pydantic.fields import FieldInfo

from scenarios import Levers, ScenarioError, shipped_scenarios
from viz.pair import Pair, PaneSpec

FRAME_CHOICES = ("auto", "1", "2", "5", "10", "25")
PACE_SECONDS = 0.1  # auto: one more day per frame for every 0.1 s that a frame takes to draw
MAX_AUTO_DAYS = 25
MAX_INT_SLIDER = 120  # day-valued levers allow up to 1000; a slider shows 0-120


def days_per_frame(choice: str, draw_seconds: float) -> int:
    """Days stepped between two redraws: the user's choice, or ``auto`` — about ten working days
    per second of wall time whatever the drawing costs (drawing far outweighs a day's step)."""
    if choice != "auto":
        return int(choice)
    return max(1, min(MAX_AUTO_DAYS, int(draw_seconds / PACE_SECONDS + 0.999)))


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def lever_kind(name: str) -> tuple[str, tuple]:
    """How to edit a lever: ("switch", ()), ("select", choices), ("float"|"int", (lo, hi))."""
    info = Levers.model_fields[name]
    annotation = info.annotation
    if annotation is bool:
        return "switch", ()
    if typing.get_origin(annotation) is typing.Literal:
        return "select", typing.get_args(annotation)
    low, high = _bounds(info)
    if annotation is int:
        return "int", (int(low or 0), min(int(high if high is not None else 100), MAX_INT_SLIDER))
    if low is None:  # Share = Annotated[float, Field(ge=0, le=1)]
        low, high = 0.0, 1.0
    return "float", (float(low), float(high if high is not None else 1.0))


@solara.component
def LeverControls(pair: Pair, on_change: Callable[[], None]) -> None:
    """Every lever of the right pane; a change rebuilds that pane (replayed to the current day)."""
    error = solara.use_reactive("")
    spec = pair.right.spec
    levers = pair.right.scenario.levers

    def setter(name: str):
        def set_value(value) -> None:
            overrides = {**spec.overrides, f"levers.{name}": value}
            try:
                pair.rebuild("right", PaneSpec(spec.scenario, overrides))
            except ScenarioError as problem:
                error.value = str(problem)
                return
            error.value = ""
            on_change()

        return set_value

    with solara.Card("Levers of the right pane", margin=0, classes=["govlab-levers"]):
        solara.Text(f"scenario {spec.scenario}; {len(spec.overrides)} lever(s) changed")
        for name in Levers.model_fields:
            kind, extra = lever_kind(name)
            value = getattr(levers, name)
            plain = name.replace("_", " ")
            label = f"{plain}: {value}"
            if kind == "switch":
                solara.Switch(label=plain, value=bool(value), on_value=setter(name))
            elif kind == "select":
                solara.Select(label=plain, values=list(extra), value=value, on_value=setter(name))
            elif kind == "int":
                solara.SliderInt(
                    label, value=int(value), min=extra[0], max=extra[1], on_value=setter(name)
                )
            else:
                solara.SliderFloat(
                    label,
                    value=float(value),
                    min=extra[0],
                    max=extra[1],
                    step=0.05,
                    on_value=setter(name),
                )
        if error.value:
            solara.Error(error.value)


@solara.component
def ScenarioPickers(pair: Pair, on_change: Callable[[], None]) -> None:
    """Pick the scenario of each pane (the right pane's lever changes are cleared)."""
    names = list(shipped_scenarios())

    def pick(side: str):
        def set_name(name: str) -> None:
            pair.rebuild(side, PaneSpec(name))
            on_change()

        return set_name

    with solara.Row():
        solara.Select(
            "left government",
            values=names,
            value=pair.left.spec.scenario,
            on_value=pick("left"),
            dense=True,
        )
        solara.Select(
            "right government",
            values=names,
            value=pair.right.spec.scenario,
            on_value=pick("right"),
            dense=True,
        )


@solara.component
def Transport(
    pair: Pair,
    playing: solara.Reactive[bool],
    frame_choice: solara.Reactive[str],
    on_change: Callable[[], None],
    day: int = 0,
) -> None:
    """Play / pause / step / reset for both panes, the seed, and days per frame."""
    seed = solara.use_reactive(pair.seed)

    def step() -> None:
        pair.step(1)
        on_change()

    def reset() -> None:
        playing.value = False
        pair.reset(int(seed.value or 0))
        on_change()

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(
            "Pause" if playing.value else "Play",
            icon_name="mdi-pause" if playing.value else "mdi-play",
            color="primary",
            on_click=lambda: playing.set(not playing.value),
        )
        solara.Button("Step", icon_name="mdi-step-forward", on_click=step, disabled=playing.value)
        solara.Button("Reset", icon_name="mdi-restore", on_click=reset)
        solara.InputInt("seed", value=seed, style={"max-width": "90px"}, dense=True)
        solara.Select(
            "days per frame",
            values=list(FRAME_CHOICES),
            value=frame_choice,
            dense=True,
            style={"max-width": "130px"},
        )
        solara.Text(f"day {day}", classes=["govlab-day"], style={"font-size": "1.3em"})
