"""Worlds reduced to textbook queues, for validation against queueing theory and for benchmarks.

One district, no travel, no paperwork, no online channel, instant electronic hand-off, exponential
service and Poisson arrivals. Rates are given per hour (as in DESIGN.md §7); with 8 working hours a
day and 250 working days a year, ``rate_per_year`` of a case type is ``λ · 8 · 250 / residents``.
"""

from __future__ import annotations

from govlab.scenarios.schema import Scenario

HOURS = 8.0
DAYS_PER_YEAR = 250.0
RESIDENTS = 1000
CASE_DOCUMENTS = ("permit_a", "permit_b", "permit_c")  # for steps that issue and require them


def textbook_scenario(
    functions: dict[str, tuple[int, int]],
    services: dict[str, dict],
    levers: dict | None = None,
    world: dict | None = None,
    residents: int = RESIDENTS,
    documents: dict[str, str] | None = None,
) -> Scenario:
    """A textbook world.

    Args:
        functions: ``{name: (counter_staff, backoffice_staff)}``.
        services: ``{name: {"per_hour": λ, "steps": [step, ...]}}``; a step is a dict with
            ``function`` and optionally ``counter_hours``, ``backoffice_hours``, ``requires`` and
            ``issues`` (document names: ``"form"``, an applicant's paper, or one of
            ``CASE_DOCUMENTS``, issued by the first function), ``approval``, ``name``,
            ``after`` and ``branches``; a service may give ``max_loops``.
        levers: lever overrides (default: no online channel, electronic hand-off).
        world: world overrides on top of the textbook world.
        residents: applicants; only scales the per-applicant rate.
        documents: more documents, ``{name: issuer}`` (a function, or ``"applicant"`` for own
            papers); a paper issued by a function and by no step of the case is a government
            paper (fetched from the hub under data sharing).
    """
    data_world = {
        "districts": 1,
        "residents": residents,
        "enterprises": 0,
        "working_hours_per_day": HOURS,
        "working_days_per_year": DAYS_PER_YEAR,
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
    data_services = {
        name: {
            "applicant": "resident",
            "rate_per_year": spec["per_hour"] * HOURS * DAYS_PER_YEAR / residents,
            "online": False,
            "steps": [
                {
                    "function": step["function"],
                    "counter_hours": step.get("counter_hours", 0.0),
                    "backoffice_days": step.get("backoffice_hours", 0.0) / HOURS,
                    "requires": step.get("requires", []),
                    "issues": step.get("issues", []),
                    "approval": step.get("approval", True),
                    "name": step.get("name", ""),
                    "after": step.get("after", []),
                    "branches": step.get("branches", []),
                }
                for step in spec["steps"]
            ],
            **({"max_loops": spec["max_loops"]} if "max_loops" in spec else {}),
        }
        for name, spec in services.items()
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
            "documents": {
                "form": {"issuer": "applicant"},
                **{doc: {"issuer": next(iter(functions))} for doc in CASE_DOCUMENTS},
                **{name: {"issuer": issuer} for name, issuer in (documents or {}).items()},
            },
            "services": data_services,
            # the response office must not take servers from the textbook queues, and a
            # textbook world has no social organisations (their rows would shift the draws)
            "response_office": {"from_staff_budget": False},
            "civic": {"social_organisations_per_10k_residents": 0.0},
        }
    )
