"""Report sections on plain data: drift diagnostics, the lever diff, metric definitions."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from govlab.model import metrics as model_metrics
from govlab.results import report_sections
from govlab.results.report import Page
from govlab.results.scenario_diff import changes
from govlab.scenarios import load_scenario


def _context(wide: pd.DataFrame, **extra) -> SimpleNamespace:
    data = SimpleNamespace(wide=wide, labels=list(dict.fromkeys(wide["label"])), baseline="silo")
    return SimpleNamespace(data=data, **extra)


def test_drift_diagnostics_are_shown_when_runs_report_them(tmp_path):
    wide = pd.DataFrame(
        {
            "label": ["silo"] * 3 + ["smart"] * 3,
            "trust_mean_drift_per_year": [0.01, 0.02, 0.0, 0.1, 0.12, 0.11],
            "delay_mean_days": 1.0,
        }
    )
    page = Page(tmp_path)
    report_sections.drift(page, _context(wide))
    text = "".join(page.parts)
    assert "Drift diagnostics" in text and "trust_mean_drift_per_year" in text
    assert "0.11 [" in text  # smart's mean with its interval
    empty = Page(tmp_path)
    report_sections.drift(empty, _context(wide.drop(columns="trust_mean_drift_per_year")))
    assert empty.parts == []


def test_lever_diff_of_resolved_scenarios():
    silo = load_scenario("silo").model_dump(mode="json")
    smart = load_scenario("smart").model_dump(mode="json")
    found = {path: (old, new) for path, old, new in changes(silo, smart)}
    assert found["levers.front_desk"] == (False, True)
    assert found["levers.platform_openness"] == (0, 3)
    assert "name" not in found and "description" not in found
    assert changes(silo, silo) == []
    assert next(iter(found)).startswith("levers.")


def test_metric_definitions_mark_shares_and_design_properties(tmp_path, monkeypatch):
    monkeypatch.setattr(model_metrics, "DESIGN_PROPERTIES", ("procedures_per_case",), raising=False)
    rows = [{"metric": "share_at_most_one_trip", "share": True}]
    ctx = SimpleNamespace(metrics=["delay_mean_days", "procedures_per_case"], rows=rows)
    page = Page(tmp_path)
    report_sections.metric_definitions(page, ctx)
    text = "".join(page.parts)
    assert "design property: not tested" in text
    assert "Δ in percentage points" in text and "working days" in text


def test_design_properties_table_has_no_p_values(tmp_path, monkeypatch):
    monkeypatch.setattr(model_metrics, "DESIGN_PROPERTIES", ("procedures_per_case",), raising=False)
    wide = pd.DataFrame(
        {"label": ["silo", "silo", "smart", "smart"], "procedures_per_case": [6.0, 6.0, 4.5, 4.5]}
    )
    page = Page(tmp_path)
    report_sections.design_table(page, _context(wide))
    text = "".join(page.parts)
    assert "Design properties" in text and "4.5 (Δ -1.5)" in text
    assert "<th>p</th>" not in text and "Holm" not in text


def _window_context(warmups: dict[str, int], set_=None, own=None, points=None) -> SimpleNamespace:
    """A report context of resolved scenarios with these warm-ups (the silo scenario's file)."""
    scenarios = {}
    for label, value in warmups.items():
        resolved = load_scenario("silo").model_dump(mode="json")
        resolved["world"]["warmup_days"] = value
        scenarios[label] = resolved
    entries = [{"scenario": "silo", "label": label, "set": dict((own or {}).get(label, {}))}
               for label in warmups]  # fmt: skip
    spec = {"days": 400, "scenarios": entries, "set": dict(set_ or {})}
    data = SimpleNamespace(
        spec=spec, labels=list(warmups), baseline=next(iter(warmups)),
        experiment=SimpleNamespace(design={"points": points or [{}]}),
        wide=pd.DataFrame({"label": list(warmups)}),
    )  # fmt: skip
    return SimpleNamespace(data=data, scenarios=scenarios, scenarios_match=True)


def _window(tmp_path, ctx) -> str:
    page = Page(tmp_path)
    report_sections.delay_window(page, ctx)
    return "".join(page.parts)


def test_the_shipped_default_warm_up_is_said_to_be_mser5s(tmp_path):
    default = report_sections.shipped_warmup()
    assert default == 190
    text = _window(tmp_path, _window_context({"silo": default, "smart": default}))
    assert f"[warm-up, days) = [{default}, 400)" in text
    assert (
        "The warm-up is the shipped default (world.warmup_days = 190 days), chosen by MSER-5 "
        "(White 1997)" in text
    )
    assert "set by" not in text


@pytest.mark.parametrize(
    ("options", "who"),
    [
        ({"set_": {"world.warmup_days": 5}}, "set by the experiment (world.warmup_days = 5)"),
        ({"own": {"silo": {"world.warmup_days": 5}, "smart": {"world.warmup_days": 5}}},
         "set by the experiment (world.warmup_days = 5)"),
        ({}, "set by the scenario (world.warmup_days = 5)"),
        ({"points": [{"world.warmup_days": 5}, {"world.warmup_days": 40}]},
         "set by the experiment's design (world.warmup_days = 5, 40 over its points)"),
    ],
)  # fmt: skip
def test_a_warm_up_set_by_the_experiment_or_scenario_is_not_credited_to_mser5(
    tmp_path, options, who
):
    text = _window(tmp_path, _window_context({"silo": 5, "smart": 5}, **options))
    assert f"The warm-up was {who}, not the shipped default (190 days) that MSER-5 chose" in text
    assert "chosen by MSER-5 (White" not in text


def test_each_scenario_says_who_chose_its_warm_up(tmp_path):
    text = _window(tmp_path, _window_context({"silo": 190, "quick": 10}))
    assert "The warm-up of silo is the shipped default (world.warmup_days = 190 days)" in text
    assert "The warm-up of quick was set by the scenario (world.warmup_days = 10)" in text
    # the default's value, set explicitly, is still the MSER-5 choice
    text = _window(tmp_path, _window_context({"silo": 190}, set_={"world.warmup_days": 190}))
    assert "set by the experiment (world.warmup_days = 190), the value of the shipped" in text
