"""A routed variant of the shipped catalogue for the branching tests: every kind of branch (a
choice ahead, loops back to the same and to an earlier step, a return for correction, leaving)
on parallel and sequential routes."""

from __future__ import annotations

from govlab.scenarios import Scenario, apply_overrides, load_scenario

NAMES = {
    "construction_permit": ("land", "planning", "fire", "health", "permit"),
    "social_assistance": ("apply", "house", "tax", "insurance", "decide"),
    "residence_permit": ("insurance", "permit"),
    "newborn_bundle": ("birth", "register", "insure", "allowance"),
}
BRANCHES = {
    ("construction_permit", "planning"): [
        {"to": "fire", "p": 0.5},
        {"to": "health", "p": 0.3},
    ],
    ("construction_permit", "permit"): [{"to": "planning", "p": 0.25, "correction": True}],
    ("social_assistance", "apply"): [{"to": "exit", "p": 0.1}],
    ("social_assistance", "decide"): [
        {"to": "apply", "p": 0.2, "correction": True},
        {"to": "decide", "p": 0.1},
    ],
    ("residence_permit", "permit"): [{"to": "permit", "p": 0.4}],
    ("newborn_bundle", "birth"): [{"to": "exit", "p": 0.05}],
}
MAX_LOOPS = {"residence_permit": 2}


def routed(name: str = "silo", overrides: dict | None = None) -> Scenario:
    """The shipped scenario ``name`` with the routed catalogue (and ``overrides``)."""
    scenario = apply_overrides(load_scenario(name), overrides or {})
    data = scenario.model_dump()
    for service, names in NAMES.items():
        steps = data["services"][service]["steps"]
        for step, step_name in zip(steps, names, strict=True):
            step["name"] = step_name
            step["branches"] = BRANCHES.get((service, step_name), [])
        if service in MAX_LOOPS:
            data["services"][service]["max_loops"] = MAX_LOOPS[service]
    return Scenario.model_validate(data)
