"""Which levers a scenario changes against the baseline: a diff of resolved scenarios.

A resolved scenario (``Scenario.model_dump(mode="json")``: every lever, world and civic parameter
and the service catalogue, after ``extends``, the experiment's ``set`` and the design point) is
flattened to dotted paths; the diff lists the paths whose values differ. Names and descriptions
are not parameters and are left out. Pure functions over plain dicts.
"""

from __future__ import annotations

from typing import Any

NOT_PARAMETERS = ("name", "description", "extends")


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as ``{"levers.front_desk": True, ...}`` (lists stay whole values)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def changes(base: dict[str, Any], other: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(path, baseline value, scenario value)`` for every parameter that differs, levers first."""
    a, b = flatten(base), flatten(other)
    paths = [p for p in dict.fromkeys([*a, *b]) if p.split(".")[0] not in NOT_PARAMETERS]
    found = [(p, a.get(p), b.get(p)) for p in paths if a.get(p) != b.get(p)]
    return sorted(found, key=lambda item: (not item[0].startswith("levers."), item[0]))


def short(value: Any, limit: int = 60) -> str:
    """A value for a table cell, shortened."""
    text = "—" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
