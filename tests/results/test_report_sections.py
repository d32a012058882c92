"""Report sections on plain data: drift diagnostics, the lever diff, metric definitions."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

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
