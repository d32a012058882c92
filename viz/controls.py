"""Controls: the transport bar (play / pause / step / reset, seed, speed, run to day N), the
scenario pickers, and the lever panel of the right pane (generated from ``scenarios.Levers``).

Every control renders from the session's ``Shown`` snapshot (and the right pane's levers) passed as
props, and every handler asks the ``Session`` for a change by name — no handler keeps a copy of the
state it saw when it was drawn. Refused input shows as a message on its field.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

import solara
from pydantic.fields import FieldInfo

from govlab.scenarios import (
    Levers,
    ResponseOffice,
    Scenario,
    ScenarioError,
    load_scenario,
    shipped_scenarios,
)
from govlab.viz import i18n
from govlab.viz.session import (
    SPEEDS_DAYS_PER_SECOND,
    InputError,
    Session,
    Shown,
    control_value,
    parse_seed,
)

MAX_INT_SLIDER = 120  # day-valued levers allow up to 1000; a slider shows 0-120
STEP_CHOICES = ("0.05", "0.01", "0.005", "0.001")
OFFICE = "response_office."
# the response office's fields allow up to 1000; its sliders show a range a trainer can use
SLIDER_RANGES = {
    f"{OFFICE}staff_per_10k_residents": (0.0, 5.0),
    f"{OFFICE}handling_hours": (0.05, 2.0),
    f"{OFFICE}deadline_days": (0.0, 10.0),
}
OFFICE_CONTROLS = tuple(
    OFFICE + name for name in ResponseOffice.model_fields if name != "from_staff_budget"
)  # whether handlers come from the back offices is a staffing rule, not a lever


def field_info(path: str) -> FieldInfo:
    """The schema field of a control: a lever name or ``response_office.<field>``."""
    if path.startswith(OFFICE):
        return ResponseOffice.model_fields[path.removeprefix(OFFICE)]
    return Levers.model_fields[path]


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


@cache
def shipped_values(name: str) -> tuple[Any, ...]:
    """The values control ``name`` takes in the shipped scenarios and by default."""
    values = {field_info(name).default}
    for scenario in shipped_scenarios():
        values.add(control_value(load_scenario(scenario), name))
    return tuple(sorted(values, key=str))


def _on_grid(value: float, low: float, step: str) -> bool:
    steps = (Decimal(repr(float(value))) - Decimal(repr(float(low)))) / Decimal(step)
    return steps == steps.to_integral_value()


def lever_step(name: str) -> float:
    """The coarsest slider step on which every shipped value of a float lever lies exactly."""
    low = lever_kind(name)[1][0]
    for step in STEP_CHOICES:
        if all(_on_grid(v, low, step) for v in shipped_values(name)):
            return float(step)
    return float(STEP_CHOICES[-1])


def lever_kind(name: str) -> tuple[str, tuple]:
    """How to edit a control: ("switch", ()), ("select", choices), ("float"|"int", (lo, hi))."""
    info = field_info(name)
    annotation = info.annotation
    if annotation is bool:
        return "switch", ()
    if typing.get_origin(annotation) is typing.Literal:
        return "select", typing.get_args(annotation)
    low, high = _bounds(info)
    if annotation is int:
        top = int(high if high is not None else 100)
        top = max(min(top, MAX_INT_SLIDER), *(int(v) for v in shipped_values(name)))
        return "int", (int(low or 0), top)
    if name in SLIDER_RANGES:
        low, high = SLIDER_RANGES[name]
        high = max(high, *(float(v) for v in shipped_values(name)))
    if low is None:  # Share = Annotated[float, Field(ge=0, le=1)]
        low, high = 0.0, 1.0
    return "float", (float(low), float(high if high is not None else 1.0))


def _report(problem: solara.Reactive[dict], field: str, action) -> None:
    """Run ``action``; a refused input becomes the message of ``field``."""
    try:
        action()
    except InputError as error:
        problem.set({**problem.value, error.field: str(error)})
        return
    except ScenarioError as error:
        problem.set({**problem.value, field: str(error)})
        return
    if field in problem.value:
        problem.set({k: v for k, v in problem.value.items() if k != field})


@solara.component
def LeverControl(
    name: str, value: Any, changed: bool, setter, lang: str, pending: bool = False
) -> None:
    """One lever (or response office setting): its control, showing ``value`` (the model's, or
    the one waiting for the play loop, marked "applying…"), and help line."""
    kind, extra = lever_kind(name)
    label = i18n.lever_label(name, lang) + (" •" if changed else "")
    classes = [f"govlab-lever-{name.replace('.', '-')}"]
    if pending:
        label += " · " + i18n.translator(lang)("applying…")
        classes.append("govlab-pending")
    if kind == "switch":
        solara.Switch(label=label, value=bool(value), on_value=setter(name), classes=classes)
    elif kind == "select":
        i18n.ChoiceSelect(label, list(extra), value, setter(name), lang, classes=classes)
    elif kind == "int":
        with solara.Div(classes=classes):
            solara.SliderInt(
                f"{label}: {value}",
                value=int(value),
                min=extra[0],
                max=extra[1],
                on_value=setter(name),
            )
    else:
        with solara.Div(classes=classes):
            solara.SliderFloat(
                f"{label}: {value:g}",
                value=float(value),
                min=extra[0],
                max=extra[1],
                step=lever_step(name),
                on_value=setter(name),
            )
    solara.Text(i18n.lever_help(name, lang), classes=["govlab-help"])


@solara.component
def LeverControls(session: Session, shown: Shown, scenario: Scenario, lang: str) -> None:
    """Every lever and response office setting of the right pane, showing the values the right
    model runs with (``scenario``)."""
    problem = solara.use_reactive({})
    changes = shown.lever_changes
    pending = dict(shown.pending)
    t = i18n.translator(lang)

    def shows(name: str) -> Any:
        """What control ``name`` shows: the value waiting to run, else the model's."""
        return pending[name] if name in pending else control_value(scenario, name)

    def setter(name: str):
        return lambda value: _report(problem, name, lambda: session.set_lever(name, value))

    with solara.Card(margin=0, classes=["govlab-levers"]):
        title = t("levers of the right pane")
        solara.HTML(tag="h3", unsafe_innerHTML=title, style="margin: 0")
        summary = t("{scenario}; {n} lever(s) changed").format(
            scenario=i18n.scenario_name(shown.right, lang), n=len(changes)
        )
        with solara.Row(style={"align-items": "center"}):
            solara.Text(summary, classes=["govlab-lever-summary"])
            if changes:
                solara.Button(
                    t("undo changes"),
                    text=True,
                    on_click=lambda: _report(problem, "levers", session.clear_levers),
                )
        for name in Levers.model_fields:
            LeverControl(name, shows(name), name in changes, setter, lang, name in pending)
            if name in problem.value:
                solara.Error(problem.value[name])
        solara.HTML(
            tag="h4",
            unsafe_innerHTML=t("response office (接诉即办 / 12345)"),
            style="margin: 8px 0 0 0",
            classes=["govlab-office-heading"],
        )
        for name in OFFICE_CONTROLS:
            LeverControl(name, shows(name), name in changes, setter, lang, name in pending)
            if name in problem.value:
                solara.Error(problem.value[name])
        if "levers" in problem.value:
            solara.Error(problem.value["levers"])


@solara.component
def ScenarioPickers(session: Session, shown: Shown, lang: str) -> None:
    """Pick the scenario of each pane (the right pane's lever changes are cleared)."""
    names = list(shipped_scenarios())
    problem = solara.use_reactive({})
    t = i18n.translator(lang)

    def pick(side: str):
        field = f"{side} government"
        return lambda name: _report(problem, field, lambda: session.pick(side, name))

    with solara.Row():
        for side, value in (("left", shown.left), ("right", shown.right)):
            i18n.ChoiceSelect(
                t(f"{side} government"),
                names,
                value,
                pick(side),
                lang,
                kind="scenario",
                classes=[f"govlab-pick-{side}"],
                style={"min-width": "190px"},
            )
    for message in problem.value.values():
        solara.Error(message)


@solara.component
def Transport(session: Session, shown: Shown, lang: str) -> None:
    """Play / pause / step / reset for both panes, the seed, the speed, run to day N, pause at
    day N (set now, reached while playing)."""
    seed_text = solara.use_reactive(str(shown.seed))  # follows the session's seed when it moves
    target = solara.use_reactive("")
    pause_day = solara.use_reactive("")
    problem = solara.use_reactive({})
    t = i18n.translator(lang)

    def reset() -> None:
        _report(problem, "seed", lambda: session.reset(seed_text.value))

    def edit_seed(text: str) -> None:
        seed_text.set(text)
        _report(problem, "seed", lambda: parse_seed(text))

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, classes=["govlab-bar"]):
        solara.Button(
            t("Pause") if shown.playing else t("Play"),
            icon_name="mdi-pause" if shown.playing else "mdi-play",
            color="primary",
            on_click=lambda: session.set_playing(not session.playing),
            classes=["govlab-play"],
        )
        solara.Button(
            t("Step"),
            icon_name="mdi-step-forward",
            on_click=lambda: session.step(1),
            disabled=shown.playing,
            classes=["govlab-step"],
        )
        solara.Button(t("Reset"), icon_name="mdi-restore", on_click=reset, classes=["govlab-reset"])
        solara.InputText(
            t("seed"),
            value=seed_text.value,
            on_value=edit_seed,
            error=problem.value.get("seed", False),
            continuous_update=True,
            style={"max-width": "150px"},
            dense=True,
            classes=["govlab-seed"],
        )
        i18n.ChoiceSelect(
            t("speed (days/s)"),
            list(SPEEDS_DAYS_PER_SECOND),
            shown.speed,
            lambda value: _report(problem, "speed", lambda: session.set_speed(int(value))),
            lang,
            kind="plain",
            classes=["govlab-speed"],
            style={"max-width": "120px"},
        )
        _day_command(t, "run to day", target, problem, session.run_to, "govlab-run-to",
                     t("Run"), "mdi-fast-forward", "govlab-run")  # fmt: skip
        _day_command(t, "pause at day", pause_day, problem, session.set_stop, "govlab-pause-at",
                     t("Set"), "mdi-pause-octagon-outline", "govlab-set-pause")  # fmt: skip


def _day_command(
    t: Callable[[str], str],
    field: str,
    text: solara.Reactive[str],
    problem: solara.Reactive[dict],
    act: Callable[[str], object],
    field_class: str,
    button: str,
    icon: str,
    button_class: str,
) -> None:
    """A day field and the button that acts on it ("run to day N", "pause at day N"); a bad
    day is a message on the field."""
    solara.InputText(
        t(field),
        value=text.value,
        on_value=text.set,
        error=problem.value.get(field, False),
        continuous_update=True,
        style={"max-width": "120px"},
        dense=True,
        classes=[field_class],
    )
    solara.Button(
        button,
        icon_name=icon,
        on_click=lambda: _report(problem, field, lambda: act(text.value)),
        outlined=True,
        classes=[button_class],
    )
