"""Every scenario field at its documented bounds runs or is refused by validation; random valid
combinations run (issue 10, item 9). Short runs: no crash, no NaN or infinity, shares in [0, 1].

The fields are found by walking the schema (``scenarios.schema.Scenario``), so fields added later
are covered without touching this file. A field inside a table of entries (each function, each
service step) is set in every entry at once. Size fields are capped for the test (``CAPS``) and
runs last ``DAYS`` days; budget: about a minute for the whole module on an idle 2-core machine
(~250 bound runs and ``EXAMPLES`` random combinations, each a few to a few hundred milliseconds).
"""

from __future__ import annotations

import math
import typing
from typing import Any

import pytest
from annotated_types import Ge, Gt, Le, Lt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from govlab.experiments.single import run_simulation
from govlab.scenarios import Scenario, ScenarioError, apply_overrides, load_scenario
from govlab.scenarios.schema import MAX_ARRIVALS_PER_DAY

DAYS = 6
EXAMPLES = 50
BASE = {"world.residents": 600, "world.enterprises": 60, "world.warmup_days": 1}
# Size fields: their maximum is tested at the cap (the full range is for real studies).
CAPS = {"residents": 600, "enterprises": 80, "districts": 64}
# Random combinations draw rates and staff on a smaller scale, so each run stays short.
COMBINATION_CAPS = {**CAPS, "rate_per_year": 20.0, "counter_staff": 50, "backoffice_staff": 50}
# Summary numbers that are shares or probabilities (by name).
SHARE_WORDS = ("share", "_rate", "trust", "satisfaction", "efficacy", "gini")


def bounds(info: FieldInfo | Any) -> tuple[float | None, float | None]:
    """(lowest, highest) allowed value of a numeric field (exclusive bounds nudged inside)."""
    low = high = None
    for item in getattr(info, "metadata", ()):
        if isinstance(item, Ge):
            low = item.ge
        elif isinstance(item, Gt):
            low = item.gt + max(1e-6, abs(item.gt) * 1e-6)
        elif isinstance(item, Le):
            high = item.le
        elif isinstance(item, Lt):
            high = item.lt - max(1e-6, abs(item.lt) * 1e-6)
    return low, high


def leaves(model: BaseModel, path: tuple = ()):
    """``(path, owner class, field name, FieldInfo)`` of every scalar field of a scenario."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        where = (*path, name)
        if isinstance(value, BaseModel):
            yield from leaves(value, where)
        elif (
            isinstance(value, dict) and value and isinstance(next(iter(value.values())), BaseModel)
        ):
            for key, item in value.items():
                yield from leaves(item, (*where, key))
        elif isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
            for index, item in enumerate(value):
                yield from leaves(item, (*where, index))
        else:
            yield where, type(model), name, info


def choices(info: FieldInfo, caps: dict[str, float]) -> list[Any]:
    """The values to try for one field: its bounds (capped), every choice, both booleans."""
    annotation = info.annotation
    if annotation is bool:
        return [False, True]
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    if typing.get_origin(annotation) is tuple:  # e.g. a cost per openness level
        args = typing.get_args(annotation)
        extras = typing.get_args(args[0])[1:] if args and args[-1] is not Ellipsis else ()
        low, high = bounds(extras[0]) if extras else (None, None)
        if low is None or high is None:
            return []
        return [tuple([low] * len(args)), tuple([high] * len(args))]
    if annotation not in (int, float):
        return []
    low, high = bounds(info)
    return [v for v in (low, high) if v is not None]


def base_scenario(name: str = "smart") -> Scenario:
    return apply_overrides(load_scenario(name), BASE)


def fields(scenario: Scenario) -> dict[tuple[type, str], list[tuple]]:
    """Each (owner class, field name) with the paths where it occurs."""
    grouped: dict[tuple[type, str], list[tuple]] = {}
    infos = {}
    for path, owner, name, info in leaves(scenario):
        grouped.setdefault((owner, name), []).append(path)
        infos[(owner, name)] = info
    return {key: (infos[key], paths) for key, paths in grouped.items()}


def with_values(scenario: Scenario, values: dict[tuple, Any]) -> Scenario:
    """A validated copy with each path set (raises ScenarioError-like pydantic errors)."""
    data = scenario.model_dump()
    for path, value in values.items():
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return Scenario.model_validate(data)


def check_run(scenario: Scenario, seed: int = 1) -> None:
    summary, _ = run_simulation(scenario, seed, DAYS)
    for name, value in flat(summary):
        if isinstance(value, float):
            assert math.isfinite(value), f"{name} = {value}"
            if any(word in name.rsplit(".", 1)[-1] for word in SHARE_WORDS):
                assert -1e-9 <= value <= 1 + 1e-9 or "gap" in name, f"{name} = {value}"


def flat(summary: dict, prefix: str = ""):
    for key, value in summary.items():
        if isinstance(value, dict):
            yield from flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def cases() -> list:
    scenario = base_scenario()
    found = []
    for (owner, name), (info, paths) in fields(scenario).items():
        for value in choices(info, CAPS):
            if name in CAPS and isinstance(value, int | float) and value > CAPS[name]:
                value = type(value)(CAPS[name])
            found.append(pytest.param(paths, value, id=f"{owner.__name__}.{name}={value!r}"))
    return found


SCENARIO = base_scenario()
BOUND_CASES = cases()


def test_the_walk_finds_the_schema():
    names = {name for _, name in fields(SCENARIO)}
    assert {"enterprise_digital_skill", "working_days_per_year", "residents", "counter_staff",
            "rate_per_year", "counter_hours", "openness_cost"} <= names  # fmt: skip
    assert len(BOUND_CASES) >= 150


@pytest.mark.parametrize(("paths", "value"), BOUND_CASES)
def test_each_field_at_its_bounds_runs_or_is_refused(paths, value):
    try:
        scenario = with_values(SCENARIO, dict.fromkeys(paths, value))
    except ValidationError:  # refused by a check across fields, with a message: allowed
        return
    check_run(scenario)


@st.composite
def combinations(draw) -> dict[tuple, Any]:
    values: dict[tuple, Any] = {}
    for (_, name), (info, paths) in fields(SCENARIO).items():
        options = choices(info, COMBINATION_CAPS)
        if not options:
            continue
        if isinstance(options[0], bool | str | tuple):
            value = draw(st.sampled_from(options))
        else:
            low, high = options[0], min(options[-1], COMBINATION_CAPS.get(name, options[-1]))
            if info.annotation is int:
                value = draw(st.integers(int(low), int(high)))
            else:
                value = draw(st.floats(low, high, allow_nan=False, allow_infinity=False))
        for path in paths:
            values[path] = value
    return values


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)  # fmt: skip
@given(values=combinations(), seed=st.integers(0, 2**32 - 1))
def test_random_valid_combinations_run(values, seed):
    try:
        scenario = with_values(SCENARIO, values)
    except ValidationError:  # refused by a check across fields, with a message: allowed
        return
    check_run(scenario, seed)


def test_an_impossible_load_is_refused_with_a_clear_message():
    with pytest.raises(ScenarioError, match="cases expected per working day"):
        apply_overrides(SCENARIO, {"world.residents": 10_000_000, "world.enterprises": 1_000_000,
                                   "world.working_days_per_year": 1})  # fmt: skip
    assert MAX_ARRIVALS_PER_DAY >= 100 * 10_000  # 10^7 residents at realistic rates still run
