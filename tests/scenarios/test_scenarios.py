"""Scenario schema, loader, inheritance, overrides and their one-line errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from govlab.scenarios import (
    CaseType,
    Document,
    Function,
    Scenario,
    ScenarioError,
    Step,
    load_scenario,
    parse_assignment,
    shipped_scenarios,
)

LADDER = ["silo", "front_desk", "data_sharing", "parallel", "seamless", "smart"]


def test_ladder_is_shipped_and_valid():
    assert shipped_scenarios()[:6] == LADDER
    for name in LADDER:
        scenario = load_scenario(name)
        assert scenario.name == name
        assert scenario.description


def test_inheritance_overrides_only_what_changes():
    silo, front, sharing = (load_scenario(n) for n in ("silo", "front_desk", "data_sharing"))
    assert not silo.levers.front_desk and front.levers.front_desk
    assert front.levers.model_dump(exclude={"front_desk"}) == silo.levers.model_dump(
        exclude={"front_desk"}
    )
    assert sharing.levers.front_desk  # inherited from front_desk
    assert sharing.levers.data_sharing == 0.8
    assert sharing.description != front.description


def test_a_user_file_extends_a_shipped_scenario(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('extends = "seamless"\n[levers]\ntransparency = 0.95\n[world]\ndistricts = 3\n')
    scenario = load_scenario(path)
    assert scenario.name == "mine"
    assert scenario.levers.transparency == 0.95
    assert scenario.levers.cross_district == "anywhere"
    assert scenario.world.districts == 3


def test_extends_cycle_is_an_error(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b"\n')
    (tmp_path / "b.toml").write_text('extends = "a"\n')
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.toml")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[levers]\nfront_desk = true\ncolour = 1\n", "levers.colour: unknown key; allowed keys:"),
        ("[levers]\napproval = 'sideways'\n", "levers.approval: .*allowed: sequential | parallel"),
        ("[levers]\ndata_sharing = 1.5\n", "levers.data_sharing: .*allowed: >= 0.0, <= 1.0"),
        ("[world]\ndistricts = 'six'\n", "world.districts: .*valid integer"),
        ("[functions.tax]\ncounter_staff = -2\n", "functions.tax.counter_staff: .*>= 0"),
        ("nonsense = 3\n", "nonsense: unknown key"),
        ("[levers\n", "not valid TOML"),
    ],
)
def test_bad_files_name_file_field_and_allowed_values(tmp_path, body, expected):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(ScenarioError, match=expected) as raised:
        load_scenario(path)
    message = str(raised.value)
    assert str(path) in message
    assert "\n" not in message


def test_bad_reference_in_service_catalogue(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[services.x]\napplicant = "resident"\nrate_per_year = 1\n'
        'steps = [{ function = "astrology" }]\n'
    )
    with pytest.raises(ScenarioError, match=r"services.x.steps.0.function: 'astrology'"):
        load_scenario(path)


def test_unknown_scenario_lists_the_shipped_ones():
    with pytest.raises(ScenarioError, match="silo, front_desk"):
        load_scenario("utopia")


def test_with_overrides_returns_a_validated_copy():
    silo = load_scenario("silo")
    changed = silo.with_overrides(
        {"levers.front_desk": True, "services.newborn_bundle.steps.0.counter_hours": 2.0}
    )
    assert changed.levers.front_desk and not silo.levers.front_desk
    assert changed.services["newborn_bundle"].steps[0].counter_hours == 2.0
    with pytest.raises(ScenarioError, match=r"levers\.handoff"):
        silo.with_overrides({"levers.handoff": "pigeon"})
    with pytest.raises(ScenarioError, match="index out of range"):
        silo.with_overrides({"services.newborn_bundle.steps.99.counter_hours": 1})


def test_scenarios_are_frozen():
    with pytest.raises(ValueError):
        load_scenario("silo").levers.front_desk = True  # type: ignore[misc]


def test_every_field_has_a_description():
    models = [Scenario, CaseType, Document, Function, Step]
    models += [
        field.annotation
        for field in Scenario.model_fields.values()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
    ]
    for model in models:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("levers.front_desk=true", True),
        ("world.districts=4", 4),
        ("levers.approval=parallel", "parallel"),
        ("levers.transparency=0.5", 0.5),
    ],
)
def test_parse_assignment(text, value):
    assert parse_assignment(text)[1] == value


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_float_lever_is_accepted_or_rejected_cleanly(value):
    silo = load_scenario("silo")
    try:
        changed = silo.with_overrides({"levers.data_sharing": value})
    except ScenarioError as error:
        assert not 0.0 <= value <= 1.0
        assert "levers.data_sharing" in str(error)
    else:
        assert changed.levers.data_sharing == value


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=30))
def test_any_assignment_text_parses_or_fails_cleanly(text):
    try:
        path, _ = parse_assignment(text)
    except ScenarioError as error:
        assert "\n" not in str(error)
    else:
        assert path and "=" in text
