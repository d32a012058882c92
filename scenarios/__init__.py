"""Scenarios: the schema of levers and world, the loader with ``extends``, the shipped ladder."""

from scenarios.errors import ScenarioError
from scenarios.loader import load_scenario, shipped_scenarios
from scenarios.overrides import apply_overrides, parse_assignment
from scenarios.schema import (
    CaseType,
    Civic,
    Document,
    Function,
    Levers,
    ResponseOffice,
    Scenario,
    Step,
    World,
)

__all__ = [
    "CaseType",
    "Civic",
    "Document",
    "Function",
    "Levers",
    "ResponseOffice",
    "Scenario",
    "ScenarioError",
    "Step",
    "World",
    "apply_overrides",
    "load_scenario",
    "parse_assignment",
    "shipped_scenarios",
]
