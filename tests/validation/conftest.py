"""Worlds reduced to textbook queues: one district, no travel, no paperwork, Poisson arrivals.

Rates in the DESIGN.md §7 examples are per hour; with 8 working hours a day and 250 working days a
year, ``rate_per_year`` of a case type is ``λ · 8 · 250 / residents``.
"""

from __future__ import annotations

import pytest

from scenarios import Scenario

HOURS = 8.0
RESIDENTS = 1000


def textbook_scenario(
    functions: dict[str, tuple[int, int]],
    services: dict[str, dict],
    levers: dict | None = None,
    world: dict | None = None,
) -> Scenario:
    """A scenario with the given functions ``{name: (counter_staff, backoffice_staff)}`` and
    services ``{name: {"per_hour": λ, "steps": [...]}}`` (step times in hours), exponential service,
    no travel, no missing documents, no online channel, one district."""
    data_world = {
        "districts": 1,
        "residents": RESIDENTS,
        "enterprises": 0,
        "working_hours_per_day": HOURS,
        "working_days_per_year": 250.0,
        "travel_base_hours": 0.0,
        "travel_per_district_hours": 0.0,
        "p_missing_document": 0.0,
        "rework_days": 0.0,
        "visit_gap_days": 0.0,
        "courier_days": 0.0,
        "electronic_handoff_hours": 0.0,
        "away_from_home_share": 0.0,
        "service_time_distribution": "exponential",
        "warmup_days": 10,
        **(world or {}),
    }
    data_services = {}
    for name, spec in services.items():
        steps = [
            {
                "function": step["function"],
                "counter_hours": step.get("counter_hours", 0.0),
                "backoffice_days": step.get("backoffice_hours", 0.0) / HOURS,
                "requires": step.get("requires", []),
                "approval": step.get("approval", True),
            }
            for step in spec["steps"]
        ]
        data_services[name] = {
            "applicant": "resident",
            "rate_per_year": spec["per_hour"] * HOURS * 250.0 / RESIDENTS,
            "online": False,
            "steps": steps,
        }
    return Scenario.model_validate(
        {
            "name": "textbook",
            "levers": {"online_coverage": 0.0, "handoff": "electronic", **(levers or {})},
            "world": data_world,
            "functions": {
                name: {"counter_staff": c, "backoffice_staff": b}
                for name, (c, b) in functions.items()
            },
            "documents": {"form": {"issuer": "applicant"}},
            "services": data_services,
        }
    )


@pytest.fixture
def textbook():
    return textbook_scenario
