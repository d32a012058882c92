"""Scenarios: the schema of levers and world, the loader with ``extends``, the shipped ladder."""

from govlab.scenarios.errors import ScenarioError
from govlab.scenarios.loader import load_scenario, shipped_scenarios
from govlab.scenarios.overrides import apply_overrides, parse_assignment
from govlab.scenarios.schema import (
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
