"""Dotted-path overrides (``levers.front_desk=true``) applied to a scenario, then re-validated."""

from __future__ import annotations

import tomllib
from typing import Any

from pydantic import ValidationError

from govlab.scenarios import tomlfile
from govlab.scenarios.errors import ScenarioError, describe
from govlab.scenarios.schema import Scenario


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``dotted.path=value``; the value is read as a TOML literal, else kept as a string."""
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path or any(not part for part in path.split(".")):
        raise ScenarioError(
            f"--set {text!r}: expected dotted.path=value, e.g. levers.front_desk=true"
        )
    raw = raw.strip()
    try:
        value = tomlfile.loads(f"value = {raw}")["value"]
    except tomlfile.NestingError as error:
        raise ScenarioError(f"--set {path}: {str(error).partition(': ')[2]}") from None
    except tomllib.TOMLDecodeError:
        value = raw
    return path, value


def set_path(data: dict[str, Any], path: str, value: Any, source: str) -> None:
    """Set ``value`` at a dotted ``path`` inside nested dicts and lists, in place."""
    parts = path.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError(f"{source}: {where}: index out of range 0..{len(node) - 1}")
            key: Any = int(part)
        elif isinstance(node, dict):
            if part not in node and not (last or depth == 1):
                keys = ", ".join(node)
                raise ScenarioError(f"{source}: {where}: unknown key; allowed keys: {keys}")
            key = part
        else:
            raise ScenarioError(f"{source}: {where}: {'.'.join(parts[:depth])} has no fields")
        if last:
            if value == {} and isinstance(node, dict) and node.get(key):
                example = f"{where}.{next(iter(node[key]))}"
                raise ScenarioError(
                    f"{source}: {where}: refusing to replace the whole table by an empty one "
                    f"(it would drop all {len(node[key])} entries); set its fields instead, "
                    f"e.g. {example}=..."
                )
            node[key] = value
        else:
            if isinstance(node, dict) and key not in node:
                node[key] = {}
            node = node[key]


def apply_overrides(
    scenario: Scenario, overrides: dict[str, Any], source: str = "overrides"
) -> Scenario:
    """Return a validated copy of ``scenario`` with dotted-path overrides applied."""
    data = scenario.model_dump(mode="json")
    for path, value in overrides.items():
        set_path(data, path, value, source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise describe(error, Scenario, source) from None
    except ValueError as error:
        raise ScenarioError(f"{source}: {error}") from None
